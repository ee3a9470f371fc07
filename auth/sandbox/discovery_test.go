package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	s := newSandbox(t, Config{})
	paths := []string{
		"/.well-known/matrix/client", "/_matrix/client/versions", "/_matrix/client/v1/auth_metadata",
		pathToken, pathRegistration, pathRevoke, "/_matrix/client/v3/account/whoami", "/nope",
	}
	for _, p := range paths {
		t.Run("preflight "+p, func(t *testing.T) {
			req, _ := http.NewRequest("OPTIONS", s.URL()+p, nil)
			req.Header.Set("Origin", "https://app.example.com")
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("got %d want 204", resp.StatusCode)
			}
			h := resp.Header
			if h.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
				!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("got CORS headers %v", h)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("got Access-Control-Allow-Credentials; never send it")
			}
		})
	}
	t.Run("preflight has no side effects", func(t *testing.T) {
		before := len(s.Users())
		req, _ := http.NewRequest("OPTIONS", s.URL()+pathRegistration, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(s.Users()) != before {
			t.Errorf("got state changed by a preflight")
		}
	})
	tests := []struct {
		name, off, path string
		wantCORS        bool
	}{
		{"on", "", "/_matrix/client/versions", true},
		{"well-known without CORS", OffCORSWellKnown, "/.well-known/matrix/client", false},
		{"other paths keep CORS", OffCORSWellKnown, "/_matrix/client/versions", true},
		{"cors off", OffCORS, "/_matrix/client/versions", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.off != "" {
				s.SetOff(tc.off, true)
				defer s.SetOff(tc.off, false)
			}
			r := do(t, "GET", s.URL()+tc.path, nil, "")
			if got := r.header.Get("Access-Control-Allow-Origin") == "*"; got != tc.wantCORS || r.status != 200 {
				t.Errorf("got %d CORS %v want 200 CORS %v", r.status, got, tc.wantCORS)
			}
		})
	}
}

func TestDiscoveryEndpoints(t *testing.T) {
	s := newSandbox(t, Config{PasswordLogin: true, PromptCreate: true})
	tests := []struct {
		name, off, path string
		check           func(t *testing.T, r reply)
	}{
		{"well-known", OffWellKnown, "/.well-known/matrix/client", func(t *testing.T, r reply) {
			m := r.json(t)
			if m["m.homeserver"].(map[string]any)["base_url"] != s.URL() {
				t.Errorf("got %v", m)
			}
			if a := m["org.matrix.msc2965.authentication"].(map[string]any); a["issuer"] != s.Issuer() || a["account"] != s.URL()+pathAccount {
				t.Errorf("got hint %v", a)
			}
		}},
		{"versions", "", "/_matrix/client/versions", func(t *testing.T, r reply) {
			if !strings.Contains(string(r.body), `"v1.15"`) || !strings.Contains(string(r.body), `"r0.6.1"`) {
				t.Errorf("got %s", r.body)
			}
		}},
		{"login flows", OffLogin, "/_matrix/client/v3/login", func(t *testing.T, r reply) {
			flows := r.json(t)["flows"].([]any)
			if len(flows) != 3 || flows[0].(map[string]any)["type"] != "m.login.password" {
				t.Fatalf("got %v", flows)
			}
			sso := flows[1].(map[string]any)
			if sso["type"] != "m.login.sso" || sso["oauth_aware_preferred"] != true || sso["org.matrix.msc3824.delegated_oidc_compatibility"] != true {
				t.Errorf("got sso flow %v", sso)
			}
		}},
		{"stable metadata", OffStableMetadata, "/_matrix/client/v1/auth_metadata", checkMetadata(s)},
		{"unstable metadata", OffUnstableMetadata, "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata", checkMetadata(s)},
		{"auth_issuer", OffAuthIssuer, "/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", func(t *testing.T, r reply) {
			if r.json(t)["issuer"] != s.Issuer() {
				t.Errorf("got %s", r.body)
			}
		}},
		{"openid-configuration", OffOpenIDConfiguration, "/.well-known/openid-configuration", func(t *testing.T, r reply) {
			if r.json(t)["issuer"] != s.Issuer() {
				t.Errorf("got %s", r.body)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "GET", s.URL()+tc.path, nil, "")
			if r.status != 200 {
				t.Fatalf("got %d %s want 200", r.status, r.body)
			}
			tc.check(t, r)
			if tc.off == "" {
				return
			}
			s.SetOff(tc.off, true)
			defer s.SetOff(tc.off, false)
			r = do(t, "GET", s.URL()+tc.path, nil, "")
			if r.status != 404 || r.json(t)["errcode"] != "M_UNRECOGNIZED" {
				t.Errorf("switched off: got %d %s want 404 M_UNRECOGNIZED", r.status, r.body)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		r := do(t, "POST", s.URL()+"/_matrix/client/versions", map[string]any{}, "")
		if r.status != 405 || r.json(t)["errcode"] != "M_UNRECOGNIZED" {
			t.Errorf("got %d %s want 405 M_UNRECOGNIZED", r.status, r.body)
		}
	})
	t.Run("legacy logout refuses OAuth tokens", func(t *testing.T) {
		tok, _ := s.IssueTokens("alice", "LOGOUTDEVICE", "")
		r := do(t, "POST", s.URL()+"/_matrix/client/v3/logout", map[string]any{}, tok.AccessToken)
		if r.status != 401 || r.json(t)["errcode"] != "M_UNKNOWN_TOKEN" {
			t.Errorf("got %d %s want 401 M_UNKNOWN_TOKEN", r.status, r.body)
		}
	})
}

func checkMetadata(s *Server) func(t *testing.T, r reply) {
	return func(t *testing.T, r reply) {
		t.Helper()
		m := r.json(t)
		if m["issuer"] != s.Issuer() || m["authorization_endpoint"] != s.URL()+"/authorize" ||
			m["account_management_uri"] != s.URL()+"/account/" {
			t.Errorf("got %v", m)
		}
		has := func(key, v string) bool {
			l, _ := m[key].([]any)
			for _, x := range l {
				if x == v {
					return true
				}
			}
			return false
		}
		for _, c := range [][2]string{
			{"response_types_supported", "code"}, {"grant_types_supported", "authorization_code"},
			{"grant_types_supported", "refresh_token"}, {"response_modes_supported", "query"},
			{"response_modes_supported", "fragment"}, {"code_challenge_methods_supported", "S256"},
			{"prompt_values_supported", "create"}, {"scopes_supported", "openid"},
			{"account_management_actions_supported", "org.matrix.device_delete"},
		} {
			if !has(c[0], c[1]) {
				t.Errorf("got %s %v want it to hold %s", c[0], m[c[0]], c[1])
			}
		}
		if got := r.header.Get("Cache-Control"); !strings.Contains(got, "max-age=600") || !strings.Contains(got, "stale-while-revalidate=600") {
			t.Errorf("got Cache-Control %q", got)
		}
	}
}

// TestExternalIssuer: with Config.Issuer the homeserver advertises and
// proxies another issuer (here a second sandbox) and checks tokens with
// TokenCheck.
func TestExternalIssuer(t *testing.T) {
	idp := newSandbox(t, Config{})
	s := newSandbox(t, Config{
		Issuer: idp.Issuer(),
		TokenCheck: func(tok string) (string, string, bool) {
			return "@ext:example.org", "EXTDEVICE01", tok == "good"
		},
	})
	meta := do(t, "GET", s.URL()+"/_matrix/client/v1/auth_metadata", nil, "").json(t)
	if meta["issuer"] != idp.Issuer() || meta["token_endpoint"] != idp.URL()+pathToken {
		t.Errorf("got proxied metadata %v", meta)
	}
	if got := do(t, "GET", s.URL()+"/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", nil, "").json(t)["issuer"]; got != idp.Issuer() {
		t.Errorf("got auth_issuer %v", got)
	}
	wk := do(t, "GET", s.URL()+"/.well-known/matrix/client", nil, "").json(t)
	if a := wk["org.matrix.msc2965.authentication"].(map[string]any); a["issuer"] != idp.Issuer() || a["account"] != idp.URL()+pathAccount {
		t.Errorf("got well-known hint %v", a)
	}
	if st, m := whoamiStatus(t, s, "good"); st != 200 || m["user_id"] != "@ext:example.org" {
		t.Errorf("whoami good: got %d %v", st, m)
	}
	if st, _ := whoamiStatus(t, s, "bad"); st != 401 {
		t.Errorf("whoami bad: got %d want 401", st)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"bad status", Config{UnknownRoomStatus: 500}},
		{"bad off key", Config{Off: map[string]bool{"nope": true}}},
		{"bad user", Config{Users: []string{"Alice Smith"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			if err == nil {
				s.Close()
				t.Errorf("got no error")
			}
		})
	}
}
