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
	echo := func(tok string) string {
		return `{"error":"invalid_request","error_description":"cannot use ` + tok + `"}`
	}
	t.Run("refresh", func(t *testing.T) {
		h := newHostile(t)
		c := hostileClient(nil)
		s := h.login(t, c)
		h.on(pToken, status(400, echo(s.RefreshToken)))
		ts := c.TokenSource(context.Background(), s)
		ts.MinValidity = time.Hour
		_, err := ts.Token()
		e := wantCode(t, err, CodeTokenExchangeFailed)
		if strings.Contains(err.Error(), s.RefreshToken) || strings.Contains(e.Message, s.RefreshToken) {
			t.Errorf("the error holds the refresh token: %v", err)
		}
		if !strings.Contains(e.Message, "cannot use [token]") {
			t.Errorf("message %q, want the server's words with the token blanked", e.Message)
		}
	})
	t.Run("revocation", func(t *testing.T) {
		h := newHostile(t)
		c := hostileClient(nil)
		s := h.login(t, c)
		h.on(pRevoke, status(400, echo(s.RefreshToken)))
		err := c.Logout(context.Background(), nil)
		e := wantCode(t, err, CodeForbidden)
		if strings.Contains(err.Error(), s.RefreshToken) || strings.Contains(e.Message, s.RefreshToken) {
			t.Errorf("the error holds the refresh token: %v", err)
		}
	})
}
