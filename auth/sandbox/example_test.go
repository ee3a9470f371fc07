package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mxauth/mxauth/auth/sandbox"
)

// A test that needs a signed-in user skips the browser with IssueTokens.
func Example() {
	s, err := sandbox.New(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	tok, err := s.IssueTokens("alice", "EXAMPLEDEV1", "")
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/_matrix/client/v3/account/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var who struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&who)
	fmt.Println(strings.TrimSuffix(who.UserID, ":"+s.ServerName()), who.DeviceID)
	// Output: @alice EXAMPLEDEV1
}

// Faults make the next requests fail; the log counts round trips.
func ExampleServer_SetFault() {
	s, err := sandbox.New(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	s.SetFault(sandbox.Fault{Path: "/_matrix/client/versions", Status: 429, RetryAfterMs: 100, Count: 1})
	for i := 0; i < 2; i++ {
		resp, err := http.Get(s.URL() + "/_matrix/client/versions")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(len(s.Log()), "requests")
	// Output:
	// 429
	// 200
	// 2 requests
}
