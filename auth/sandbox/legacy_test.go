package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// ssoLogin follows the SSO redirect as alice (the user picker's POST) and
// redeems the login token; it returns POST /login's answer.
func ssoLogin(t *testing.T, s *Server, idp string, body map[string]any) reply {
	t.Helper()
	path := s.URL() + "/_matrix/client/v3/login/sso/redirect"
	if idp != "" {
		path += "/" + idp
	}
	back := "http://127.0.0.1:9/cb?state=abc"
	page := do(t, "GET", path+"?redirectUrl="+url.QueryEscape(back), nil, "")
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "Continue as alice") {
		t.Fatalf("picker: %d %s", page.status, page.body)
	}
	r := do(t, "POST", path, url.Values{"redirectUrl": {back}, "user": {"alice"}}, "")
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || loc == nil || loc.Query().Get("state") != "abc" || loc.Query().Get("loginToken") == "" {
		t.Fatalf("SSO answer %d, Location %q", r.status, r.header.Get("Location"))
	}
	body["type"] = "m.login.token"
	body["token"] = loc.Query().Get("loginToken")
	first := do(t, "POST", s.URL()+"/_matrix/client/v3/login", body, "")
	if again := do(t, "POST", s.URL()+"/_matrix/client/v3/login", body, ""); again.status != http.StatusForbidden {
		t.Errorf("a login token redeemed twice: %d", again.status)
	}
	return first
}

func TestLegacyMode(t *testing.T) {
	s := newSandbox(t, Config{Legacy: true, IdentityProviders: []IdentityProvider{{ID: "gh", Name: "GitHub"}, {ID: "corp", Name: "Corp"}}})
	for _, p := range []string{"/_matrix/client/v1/auth_metadata", "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata",
		"/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", "/.well-known/openid-configuration"} {
		if r := do(t, "GET", s.URL()+p, nil, ""); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if wk := do(t, "GET", s.URL()+"/.well-known/matrix/client", nil, "").json(t); wk["org.matrix.msc2965.authentication"] != nil {
		t.Errorf("well-known hint in legacy mode: %v", wk)
	}
	flows := do(t, "GET", s.URL()+"/_matrix/client/v3/login", nil, "").json(t)["flows"].([]any)
	sso := flows[0].(map[string]any)
	if sso["type"] != "m.login.sso" || len(sso["identity_providers"].([]any)) != 2 || sso["oauth_aware_preferred"] != nil {
		t.Fatalf("flows %v", flows)
	}
	if r := do(t, "GET", s.URL()+"/_matrix/client/v3/login/sso/redirect/nope?redirectUrl=http%3A%2F%2F127.0.0.1%2F", nil, ""); r.status != http.StatusNotFound {
		t.Errorf("unknown idp: %d", r.status)
	}

	got := ssoLogin(t, s, "corp", map[string]any{"device_id": "DEVICE0001", "refresh_token": true}).json(t)
	if got["user_id"] != s.UserID("alice") || got["device_id"] != "DEVICE0001" || got["refresh_token"] == nil || got["expires_in_ms"] == nil {
		t.Fatalf("login %v", got)
	}
	at, rt := got["access_token"].(string), got["refresh_token"].(string)
	if r := do(t, "GET", s.URL()+"/_matrix/client/v3/account/whoami", nil, at); r.status != http.StatusOK {
		t.Fatalf("whoami %d", r.status)
	}
	if l := s.LegacyLogins(); len(l) != 1 || l[0].IDP != "corp" || !l[0].Refresh {
		t.Errorf("LegacyLogins %+v", l)
	}

	// /refresh rotates; the old refresh token and access token stop.
	next := do(t, "POST", s.URL()+"/_matrix/client/v3/refresh", map[string]any{"refresh_token": rt}, "").json(t)
	at2, _ := next["access_token"].(string)
	if at2 == "" || next["refresh_token"] == nil || at2 == at {
		t.Fatalf("refresh %v", next)
	}
	if r := do(t, "POST", s.URL()+"/_matrix/client/v3/refresh", map[string]any{"refresh_token": rt}, ""); r.status != http.StatusUnauthorized || r.json(t)["errcode"] != "M_UNKNOWN_TOKEN" {
		t.Errorf("spent refresh token: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", s.URL()+"/_matrix/client/v3/account/whoami", nil, at); r.status != http.StatusUnauthorized {
		t.Errorf("old access token: %d", r.status)
	}
	// Authenticated media needs the token.
	media := s.URL() + "/_matrix/client/v1/media/thumbnail/" + s.ServerName() + "/" + MediaID(RoomPublic) + "?width=32&height=32&method=crop"
	if r := do(t, "GET", media, nil, ""); r.status != http.StatusUnauthorized {
		t.Errorf("media without a token: %d", r.status)
	}
	if r := do(t, "GET", media, nil, at2); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
		t.Errorf("media with the token: %d %s", r.status, r.header.Get("Content-Type"))
	}
	// /logout ends the session.
	if r := do(t, "POST", s.URL()+"/_matrix/client/v3/logout", map[string]any{}, at2); r.status != http.StatusOK {
		t.Fatalf("logout %d %s", r.status, r.body)
	}
	if r := do(t, "GET", s.URL()+"/_matrix/client/v3/account/whoami", nil, at2); r.status != http.StatusUnauthorized {
		t.Errorf("token after logout: %d", r.status)
	}
}

func TestLegacyNoRefreshMode(t *testing.T) {
	s := newSandbox(t, Config{Legacy: true, LegacyNoRefresh: true})
	got := ssoLogin(t, s, "", map[string]any{"refresh_token": true}).json(t)
	if got["refresh_token"] != nil || got["expires_in_ms"] != nil || got["device_id"] == "" {
		t.Fatalf("login %v", got)
	}
}

// Outside legacy mode the legacy endpoints are not served, as MAS serves
// them for compat sessions only.
func TestLegacyOff(t *testing.T) {
	s := newSandbox(t, Config{})
	if r := do(t, "GET", s.URL()+"/_matrix/client/v3/login/sso/redirect?redirectUrl=http%3A%2F%2F127.0.0.1%2F", nil, ""); r.status != http.StatusNotFound {
		t.Errorf("sso redirect: %d", r.status)
	}
	if r := do(t, "POST", s.URL()+"/_matrix/client/v3/refresh", map[string]any{"refresh_token": "x"}, ""); r.status != http.StatusNotFound {
		t.Errorf("refresh: %d", r.status)
	}
}

// Off "sso" imitates a homeserver without OAuth 2.0 or SSO: with password
// login, Dendrite's GET /login (m.login.password only); without, no flow.
// The SSO redirect is gone too.
func TestSSOOff(t *testing.T) {
	flowTypes := func(s *Server) []string {
		var types []string
		for _, f := range do(t, "GET", s.URL()+"/_matrix/client/v3/login", nil, "").json(t)["flows"].([]any) {
			types = append(types, f.(map[string]any)["type"].(string))
		}
		return types
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"legacy, password: Dendrite", Config{Legacy: true, PasswordLogin: true}, "m.login.password"},
		{"legacy alone: no flow", Config{Legacy: true}, ""},
		{"OAuth, password", Config{PasswordLogin: true}, "m.login.password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Off = map[string]bool{OffSSO: true}
			s := newSandbox(t, tt.cfg)
			if got := strings.Join(flowTypes(s), " "); got != tt.want {
				t.Errorf("flows %q want %q", got, tt.want)
			}
			if r := do(t, "GET", s.URL()+"/_matrix/client/v3/login/sso/redirect?redirectUrl=http%3A%2F%2F127.0.0.1%2F", nil, ""); r.status != http.StatusNotFound {
				t.Errorf("sso redirect: %d", r.status)
			}
			s.SetOff(OffSSO, false)
			if got := flowTypes(s); !slices.Contains(got, "m.login.sso") || !slices.Contains(got, "m.login.token") {
				t.Errorf("switched on again: flows %q", got)
			}
		})
	}
}
