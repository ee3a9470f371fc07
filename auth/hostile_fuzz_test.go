package auth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
)

// FuzzWhoamiAnswer feeds any whoami answer through the same request path
// CompleteLogin uses: it never panics, and a success names a Matrix user.
func FuzzWhoamiAnswer(f *testing.F) {
	f.Add(200, []byte(`{"user_id":"@alice:example.org","device_id":"ABCDEFGHIJ","is_guest":false}`))
	f.Add(200, []byte(`{"user_id":5}`))
	f.Add(200, []byte(`{"user_id":"alice"}`))
	f.Add(401, []byte(`{"errcode":"M_UNKNOWN_TOKEN","error":"no","soft_logout":true}`))
	f.Add(200, []byte(`null`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		c := &Client{HTTPClient: &http.Client{Transport: bodyTransport{status, body}}, Retry: instantRetry(), Timeout: time.Second}
		c.Retry.Attempts = 1
		w, err := c.whoami(context.Background(), "https://hs.example.org", "tok", false)
		if err != nil {
			if codeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if !strings.HasPrefix(w.UserID, "@") || !strings.Contains(w.UserID, ":") {
			t.Fatalf("accepted user id %q", w.UserID)
		}
	})
}

// FuzzRegistrationAnswer feeds any dynamic client registration answer
// through register: it never panics, and a success has a client id.
func FuzzRegistrationAnswer(f *testing.F) {
	f.Add(201, []byte(`{"client_id":"01J","client_id_issued_at":1,"redirect_uris":["http://127.0.0.1:9/callback"]}`))
	f.Add(201, []byte(`{"client_id":12}`))
	f.Add(400, []byte(`{"error":"invalid_client_metadata","error_description":"client_uri must be https"}`))
	f.Add(200, []byte(`[]`))
	f.Add(429, []byte(`{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":-1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		c := &Client{HTTPClient: &http.Client{Transport: bodyTransport{status, body}}, Retry: instantRetry(), Timeout: time.Second}
		c.Retry.Attempts = 1
		c.init()
		o := &signin.OAuthInfo{Issuer: "https://auth.example.org/", RegistrationEndpoint: "https://auth.example.org/register"}
		id, _, err := c.register(context.Background(), o, testApp, testRedirect, false)
		if err != nil {
			if codeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if id == "" || len(id) > 512 { // signin's maxClientID
			t.Fatalf("accepted client id %q", id)
		}
	})
}
