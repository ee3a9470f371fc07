package signin

import (
	"errors"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

func TestRegistrationBody(t *testing.T) {
	meta := ClientMetadata{
		Name: "App", URI: "https://app.example.org/", LogoURI: "https://app.example.org/logo.png",
		TOSURI: "https://app.example.org/tos", PolicyURI: "https://app.example.org/privacy",
		Contacts:  []string{"ops@example.org"},
		Localized: map[string]LocalizedClientMetadata{"fr": {Name: "Appli", TOSURI: "https://app.example.org/fr/tos"}},
	}
	b := registrationBody(meta, "https://app.example.org/cb")
	want := map[string]any{
		"client_uri": "https://app.example.org/", "client_name": "App", "logo_uri": "https://app.example.org/logo.png",
		"tos_uri": "https://app.example.org/tos", "policy_uri": "https://app.example.org/privacy",
		"token_endpoint_auth_method": "none", "application_type": ApplicationTypeWeb,
		"client_name#fr": "Appli", "tos_uri#fr": "https://app.example.org/fr/tos",
	}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("%s = %v, want %v", k, b[k], v)
		}
	}
	if g := b["grant_types"].([]string); len(g) != 2 || g[0] != "authorization_code" || g[1] != "refresh_token" {
		t.Errorf("grant_types %v", g)
	}
	if r := b["response_types"].([]string); len(r) != 1 || r[0] != "code" {
		t.Errorf("response_types %v", r)
	}
	if r := b["redirect_uris"].([]string); len(r) != 1 || r[0] != "https://app.example.org/cb" {
		t.Errorf("redirect_uris %v", r)
	}
	if _, ok := b["logo_uri#fr"]; ok {
		t.Error("empty localised field sent")
	}
	// Native for loopback http.
	if got := registrationBody(meta, "http://127.0.0.1:9/callback")["application_type"]; got != ApplicationTypeNative {
		t.Errorf("application_type %v", got)
	}
}

// A device client registers as MAS registers one: native, the device code
// and refresh grants, no redirect URIs, no response types.
func TestDeviceRegistrationBody(t *testing.T) {
	got := deviceRegistrationBody(ClientMetadata{Name: "TV", URI: "https://tv.example.org/"})
	if got["application_type"] != ApplicationTypeNative || got["redirect_uris"] != nil ||
		strings.Join(got["grant_types"].([]string), " ") != GrantTypeDeviceCode+" refresh_token" || len(got["response_types"].([]string)) != 0 {
		t.Errorf("registration body %v", got)
	}
}

func TestCheckClientMetadata(t *testing.T) {
	app := ClientMetadata{Name: "App", URI: "https://app.example.org/"}
	with := func(edit func(*ClientMetadata)) ClientMetadata {
		m := app
		edit(&m)
		return m
	}
	tests := []struct {
		name     string
		meta     ClientMetadata
		redirect string
		rule     Rule // "" = accepted
		field    string
	}{
		{"web", app, "https://app.example.org/callback", "", ""},
		{"web subdomain with query", app, "https://login.app.example.org/cb?x=1", "", ""},
		{"native loopback ip any port", app, "http://127.0.0.1:8123/callback", "", ""},
		{"native localhost", app, "http://localhost/cb", "", ""},
		{"native ipv6", app, "http://[::1]:9000/", "", ""},
		{"native private-use scheme", app, "org.example.app:/callback", "", ""},
		{"native deeper scheme", app, "org.example.app.ios:/cb", "", ""},
		{"missing client_uri", ClientMetadata{}, "https://app.example.org/cb", RuleRequired, "client_uri"},
		{"client_uri http", with(func(m *ClientMetadata) { m.URI = "http://app.example.org/" }), "https://app.example.org/cb", RuleHTTPS, "client_uri"},
		{"client_uri localhost", with(func(m *ClientMetadata) { m.URI = "https://localhost/" }), "http://127.0.0.1/cb", RuleNotLoopback, "client_uri"},
		{"client_uri loopback ip", with(func(m *ClientMetadata) { m.URI = "https://127.0.0.1/" }), "http://127.0.0.1/cb", RuleNotLoopback, "client_uri"},
		{"client_uri fragment", with(func(m *ClientMetadata) { m.URI = "https://app.example.org/#x" }), "https://app.example.org/cb", RuleNoFragment, "client_uri"},
		{"client_uri upper-case host", with(func(m *ClientMetadata) { m.URI = "https://App.example.org/" }), "https://app.example.org/cb", RuleURLCharacters, "client_uri"},
		{"client_uri percent in path", with(func(m *ClientMetadata) { m.URI = "https://app.example.org/a%20b" }), "https://app.example.org/cb", RuleURLCharacters, "client_uri"},
		{"client_uri public suffix", with(func(m *ClientMetadata) { m.URI = "https://github.io/" }), "https://github.io/cb", RulePublicSuffix, "client_uri"},
		{"client_uri on github pages", with(func(m *ClientMetadata) { m.URI = "https://me.github.io/app" }), "https://me.github.io/app/cb", "", ""},
		{"logo other host", with(func(m *ClientMetadata) { m.LogoURI = "https://cdn.example.net/logo.png" }), "https://app.example.org/cb", RuleSameHost, "logo_uri"},
		{"tos http", with(func(m *ClientMetadata) { m.TOSURI = "http://app.example.org/tos" }), "https://app.example.org/cb", RuleHTTPS, "tos_uri"},
		{"policy subdomain", with(func(m *ClientMetadata) { m.PolicyURI = "https://legal.app.example.org/privacy" }), "https://app.example.org/cb", "", ""},
		{"lookalike host", with(func(m *ClientMetadata) { m.PolicyURI = "https://evilapp.example.org/p" }), "https://app.example.org/cb", RuleSameHost, "policy_uri"},
		{"localised logo", with(func(m *ClientMetadata) {
			m.Localized = map[string]LocalizedClientMetadata{"fr": {Name: "Appli", LogoURI: "https://other.example/logo"}}
		}), "https://app.example.org/cb", RuleSameHost, "logo_uri#fr"},
		{"bad language tag", with(func(m *ClientMetadata) {
			m.Localized = map[string]LocalizedClientMetadata{"fr FR": {Name: "x"}}
		}), "https://app.example.org/cb", RuleLanguageTag, "client_name#fr FR"},
		{"redirect missing", app, "", RuleRequired, "redirect_uris"},
		{"redirect fragment", app, "https://app.example.org/cb#x", RuleNoFragment, "redirect_uris"},
		{"redirect http public", app, "http://app.example.org/cb", RuleHTTPS, "redirect_uris"},
		{"redirect other host", app, "https://example.org/cb", RuleSameHost, "redirect_uris"},
		{"redirect https loopback", app, "https://127.0.0.1/cb", RuleNotLoopback, "redirect_uris"},
		{"redirect http other loopback", app, "http://127.0.0.2/cb", RuleHTTPS, "redirect_uris"},
		{"redirect path characters", app, "https://app.example.org/a,b", RuleURLCharacters, "redirect_uris"},
		{"redirect userinfo", app, "https://u@app.example.org/cb", RuleURLCharacters, "redirect_uris"},
		{"private-use scheme wrong", app, "com.other.app:/cb", RuleNativeRedirect, "redirect_uris"},
		{"private-use scheme with authority", app, "org.example.app://cb", RuleNativeRedirect, "redirect_uris"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClientMetadata(tt.meta, tt.redirect)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != autherr.RegistrationFailed {
				t.Fatalf("got %v, want registration_failed", err)
			}
			if e.Details["rule"] != string(tt.rule) || e.Details["field"] != tt.field {
				t.Errorf("got rule %q field %q (%v), want %q %q", e.Details["rule"], e.Details["field"], err, tt.rule, tt.field)
			}
		})
	}
}
