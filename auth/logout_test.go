package auth

import (
	"context"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
)

func TestLogoutServerUnreachable(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	s := sandboxLogin(t, c, loginOpts(sb))
	ctx := context.Background()
	sb.Close()
	err := c.Logout(ctx, s)
	e := wantCode(t, err, autherr.Network)
	want := map[string]string{"sessionForgotten": "true", "refreshToken": "failed", "accessToken": "not revoked"}
	for k, v := range want {
		if e.Details[k] != v {
			t.Errorf("details %s = %q, want %q (all: %v)", k, e.Details[k], v, e.Details)
		}
	}
	if cur, _ := c.Session(ctx); cur != nil {
		t.Error("the session was kept")
	}
	if all, _ := c.Sessions(ctx); len(all) != 0 {
		t.Errorf("sessions left: %d", len(all))
	}
}

func TestLogoutRefused(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	s := sandboxLogin(t, c, loginOpts(sb))
	// Another client id: MAS answers 401 invalid_client.
	s.ClientID = "nobody"
	_ = c.saveSession(context.Background(), s)
	err := c.Logout(context.Background(), s)
	e := wantCode(t, err, autherr.Forbidden)
	if e.Errcode != "invalid_client" || e.Details["accessToken"] != "failed" || e.Details["sessionForgotten"] != "true" {
		t.Errorf("error %+v details %v", e, e.Details)
	}
	if cur, _ := c.Session(context.Background()); cur != nil {
		t.Error("the session was kept")
	}
}

func TestLogoutNobody(t *testing.T) {
	if err := loginClient(nil).Logout(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestLogoutSendsClientID(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	s := sandboxLogin(t, c, loginOpts(sb))
	sb.ResetLog()
	if err := c.Logout(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// Only the refresh token revocation ends the session; the access token
	// one then finds nothing and still answers 200 (RFC 7009 §2.2).
	if n := countRequests(sb, "POST", "/oauth2/revoke"); n != 2 {
		t.Errorf("%d revocations", n)
	}
}
