package auth

import (
	"context"
	"strings"
	"testing"
	"time"
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
		{"refresh", pToken, CodeTokenExchangeFailed, func(c *Client, s *Session) error {
			ts := c.TokenSource(context.Background(), s)
			ts.MinValidity = time.Hour
			_, err := ts.Token()
			return err
		}},
		{"revocation", pRevoke, CodeForbidden, func(c *Client, _ *Session) error {
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
