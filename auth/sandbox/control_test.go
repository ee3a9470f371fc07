package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestControlPlane(t *testing.T) {
	s, err := New(Config{Control: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	do := func(method, path, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	if r := do("GET", "/_matrix/client/versions", ""); r.StatusCode != 200 {
		t.Fatalf("versions: %d", r.StatusCode)
	}
	var log []Request
	if err := json.NewDecoder(do("GET", "/_sandbox/log", "").Body).Decode(&log); err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Path != "/_matrix/client/versions" {
		t.Fatalf("log: got %+v, want the one versions request (control requests are not logged)", log)
	}

	if r := do("POST", "/_sandbox/faults", `{"path":"/_matrix/client/versions","status":502,"count":1}`); r.StatusCode != 200 {
		t.Fatalf("add fault: %d", r.StatusCode)
	}
	if r := do("GET", "/_matrix/client/versions", ""); r.StatusCode != 502 {
		t.Errorf("fault not applied: %d", r.StatusCode)
	}
	if r := do("POST", "/_sandbox/off", `{"key":"login","off":true}`); r.StatusCode != 200 {
		t.Fatalf("off: %d", r.StatusCode)
	}
	if r := do("GET", "/_matrix/client/v3/login", ""); r.StatusCode != 404 {
		t.Errorf("login still on: %d", r.StatusCode)
	}
	if r := do("POST", "/_sandbox/off", `{"key":"no-such-path","off":true}`); r.StatusCode != 400 {
		t.Errorf("unknown off key: %d want 400", r.StatusCode)
	}
	do("DELETE", "/_sandbox/log", "")
	if len(s.Log()) != 0 {
		t.Errorf("log not reset: %d entries", len(s.Log()))
	}

	// Without Control the prefix is an ordinary unknown path.
	plain, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	resp, err := http.Get(plain.URL() + "/_sandbox/log")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("control plane served without Control: %d", resp.StatusCode)
	}
}

// TestControlTokens: /_sandbox/tokens lists every token issued, so a
// browser test can look for them where they must not be.
func TestControlTokens(t *testing.T) {
	s := newSandbox(t, Config{Control: true})
	tok, err := s.IssueTokens("alice", "DEVICEID01", "")
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, "GET", s.URL()+"/_sandbox/tokens", nil, "")
	var got Issued
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	if len(got.Access) != 1 || got.Access[0] != tok.AccessToken || len(got.Refresh) != 1 || got.Refresh[0] != tok.RefreshToken {
		t.Errorf("got %+v, want the one pair %s / %s", got, tok.AccessToken, tok.RefreshToken)
	}
	if r := do(t, "GET", newSandbox(t, Config{}).URL()+"/_sandbox/tokens", nil, ""); r.status != 404 {
		t.Errorf("without Control: got %d, want 404", r.status)
	}
}
