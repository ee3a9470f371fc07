package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// TestErrorsHoldNoToken (issue 12): a token or revocation endpoint that
// echoes the token it was sent into its error answer does not get it into
// the error mxauth returns, which a browser hands to page scripts.
func TestErrorsHoldNoToken(t *testing.T) {
	tests := []struct {
		name string
		path string
		code Code
		act  func(c *Client, s *Session) error
	}{
		{"refresh", pToken, autherr.TokenExchangeFailed, func(c *Client, s *Session) error {
			ts := c.TokenSource(context.Background(), s)
			ts.MinValidity = time.Hour
			_, err := ts.Token()
			return err
		}},
		{"revocation", pRevoke, autherr.Forbidden, func(c *Client, _ *Session) error {
			return c.Logout(context.Background(), nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostile(t)
			c := hostileClient(nil)
			s := h.login(t, c)
			h.on(tt.path, status(400, `{"error":"invalid_request","error_description":"cannot use `+s.RefreshToken+`"}`))
			err := tt.act(c, s)
			e := wantCode(t, err, tt.code)
			if strings.Contains(err.Error(), s.RefreshToken) || strings.Contains(e.Message, s.RefreshToken) {
				t.Errorf("the error holds the refresh token: %v", err)
			}
			if !strings.Contains(e.Message, "cannot use [token]") {
				t.Errorf("message %q, want the server's words with the token blanked", e.Message)
			}
		})
	}
}

// A token endpoint that echoes the code and verifier into its error
// answer at the exchange does not get them into mxauth's error.
func TestExchangeErrorHoldsNoCode(t *testing.T) {
	h := newHostile(t)
	c := hostileClient(nil)
	p, cb := h.start(t, c)
	u := cb[strings.Index(cb, "code=")+5:]
	code := u[:strings.IndexAny(u+"&", "&")]
	b, _ := c.store.Get(context.Background(), pendingPrefix+p.State)
	verifier := string(b)[strings.Index(string(b), `"verifier":"`)+12:]
	verifier = verifier[:strings.IndexByte(verifier, '"')]
	h.on(pToken, status(400, `{"error":"invalid_grant","error_description":"code `+code+` with verifier `+verifier+` is no good"}`))
	_, err := c.CompleteLogin(context.Background(), cb)
	e := wantCode(t, err, autherr.TokenExchangeFailed)
	if strings.Contains(err.Error(), code) || strings.Contains(err.Error(), verifier) {
		t.Errorf("the error holds the code or verifier: %v", err)
	}
	if !strings.Contains(e.Message, "code [token] with verifier [token]") {
		t.Errorf("message %q", e.Message)
	}
}
