package auth

import (
	"context"
	"net/http"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

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
			e := wantCode(t, err, autherr.RegistrationFailed)
			if e.Details["rule"] != string(tt.rule) || e.Details["field"] != tt.field {
				t.Errorf("got rule %q field %q (%v), want %q %q", e.Details["rule"], e.Details["field"], err, tt.rule, tt.field)
			}
		})
	}
}

// A server refusal keeps the server's error and error_description.
func TestRegistrationRefusedByServer(t *testing.T) {
	reg := newJSONServer(t, http.StatusBadRequest, `{"error":"invalid_redirect_uri","error_description":"redirect_uri is not using a valid domain"}`)
	info := &ServerInfo{ServerName: "127.0.0.1", Insecure: true, OAuth: &OAuthInfo{
		Issuer: "http://127.0.0.1/", AuthorizationEndpoint: "http://127.0.0.1/authorize", TokenEndpoint: "http://127.0.0.1/token",
		RegistrationEndpoint: reg,
	}}
	_, err := coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	e := wantCode(t, err, autherr.RegistrationFailed)
	if e.Errcode != "invalid_redirect_uri" || e.Message != "redirect_uri is not using a valid domain" || e.Status != 400 {
		t.Errorf("error %+v", e)
	}
	// No registration endpoint and no configured client id.
	info.OAuth.RegistrationEndpoint = ""
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	e = wantCode(t, err, autherr.RegistrationFailed)
	if e.Details["field"] != "registration_endpoint" {
		t.Errorf("details %v", e.Details)
	}
	// A 5xx is server_error, not a refusal.
	info.OAuth.RegistrationEndpoint = newJSONServer(t, http.StatusBadGateway, `<html>`)
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	wantCode(t, err, autherr.ServerError)
	// 201 without a client_id.
	info.OAuth.RegistrationEndpoint = newJSONServer(t, http.StatusCreated, `{"client_name":"x"}`)
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	wantCode(t, err, autherr.RegistrationFailed)
	// Local refusal before any request.
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, ClientMetadata{URI: "http://x.example/"}, testRedirect)
	e = wantCode(t, err, autherr.RegistrationFailed)
	if e.Details["rule"] != string(RuleHTTPS) {
		t.Errorf("details %v", e.Details)
	}
}

// coreOf is c's sign-in core, for the tests of what only the core exports.
func coreOf(c *Client) *signin.Client {
	c.init()
	return c.core
}
