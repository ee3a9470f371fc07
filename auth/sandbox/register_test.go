package sandbox

import (
	"net/http"
	"testing"
)

// TestRegistrationRules checks each MAS registration rule (spec §2.2) gives
// MAS's status, error code and description.
func TestRegistrationRules(t *testing.T) {
	s := newSandbox(t, Config{})
	good := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{
			"client_name":                "Web client",
			"client_uri":                 "https://app.example.com/",
			"redirect_uris":              []string{"https://app.example.com/callback"},
			"token_endpoint_auth_method": "none",
			"grant_types":                []string{"authorization_code", "refresh_token"},
			"response_types":             []string{"code"},
			"application_type":           "web",
		}
		if mod != nil {
			mod(m)
		}
		return m
	}
	tests := []struct {
		name     string
		body     any
		status   int
		errCode  string
		errDesc  string // exact, when set
		noSecret bool
	}{
		{name: "web client ok", body: good(nil), status: 201, noSecret: true},
		{name: "subdomain redirect ok", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://login.app.example.com/cb?x=1"}
		}), status: 201},
		{name: "native loopback any port ok", body: good(func(m map[string]any) {
			m["application_type"] = "native"
			m["redirect_uris"] = []string{"http://127.0.0.1:8123/cb", "http://localhost/cb", "http://[::1]:9/cb"}
		}), status: 201},
		{name: "native reverse-dns scheme ok", body: good(func(m map[string]any) {
			m["application_type"] = "native"
			m["redirect_uris"] = []string{"com.example.app:/callback"}
		}), status: 201},
		{name: "not JSON", body: "{nope", status: 400, errCode: "invalid_request"},
		{name: "wrong type", body: good(func(m map[string]any) { m["redirect_uris"] = "https://app.example.com/cb" }),
			status: 400, errCode: "invalid_client_metadata"},
		{name: "missing client_uri", body: good(func(m map[string]any) { delete(m, "client_uri") }),
			status: 400, errCode: "invalid_redirect_uri", errDesc: "missing client_uri; invalid redirect_uri"},
		{name: "http client_uri", body: good(func(m map[string]any) {
			m["client_uri"] = "http://app.example.com/"
		}), status: 400, errCode: "invalid_client_metadata", errDesc: "invalid client_uri"},
		{name: "loopback client_uri", body: good(func(m map[string]any) {
			m["client_uri"] = "https://127.0.0.1/"
			m["redirect_uris"] = []string{"http://127.0.0.1/cb"}
			m["application_type"] = "native"
		}), status: 400, errCode: "invalid_client_metadata", errDesc: "invalid client_uri"},
		{name: "localhost client_uri", body: good(func(m map[string]any) {
			m["client_uri"] = "https://localhost/"
			m["redirect_uris"] = []string{"http://localhost/cb"}
			m["application_type"] = "native"
		}), status: 400, errCode: "invalid_client_metadata", errDesc: "invalid client_uri"},
		{name: "web redirect not https", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"http://app.example.com/cb"}
		}), status: 400, errCode: "invalid_redirect_uri", errDesc: "invalid redirect_uri"},
		{name: "web redirect loopback", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"http://127.0.0.1:8080/cb"}
		}), status: 400, errCode: "invalid_redirect_uri", errDesc: "invalid redirect_uri"},
		{name: "web redirect other host", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://evil.example.net/cb"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "web redirect lookalike host", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://notapp.example.com/cb"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "web custom scheme", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"com.example.app:/callback"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "native scheme not reversed host", body: good(func(m map[string]any) {
			m["application_type"] = "native"
			m["redirect_uris"] = []string{"org.other.app:/callback"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "native scheme with authority", body: good(func(m map[string]any) {
			m["application_type"] = "native"
			m["redirect_uris"] = []string{"com.example.app://callback"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "native http not loopback", body: good(func(m map[string]any) {
			m["application_type"] = "native"
			m["redirect_uris"] = []string{"http://app.example.com/cb"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "redirect with fragment", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://app.example.com/cb#x"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "no redirect_uris", body: good(func(m map[string]any) { delete(m, "redirect_uris") }),
			status: 400, errCode: "invalid_redirect_uri"},
		{name: "empty redirect_uris", body: good(func(m map[string]any) { m["redirect_uris"] = []string{} }),
			status: 400, errCode: "invalid_redirect_uri"},
		{name: "percent in path", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://app.example.com/a%20b"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "userinfo", body: good(func(m map[string]any) {
			m["redirect_uris"] = []string{"https://me@app.example.com/cb"}
		}), status: 400, errCode: "invalid_redirect_uri"},
		{name: "tos_uri other host", body: good(func(m map[string]any) { m["tos_uri"] = "https://other.example.org/tos" }),
			status: 400, errCode: "invalid_client_metadata", errDesc: "tos_uri not on the same host as the client_uri"},
		{name: "policy_uri insecure", body: good(func(m map[string]any) { m["policy_uri"] = "http://app.example.com/policy" }),
			status: 400, errCode: "invalid_client_metadata", errDesc: "invalid policy_uri"},
		{name: "logo_uri ok", body: good(func(m map[string]any) { m["logo_uri"] = "https://cdn.app.example.com/logo.png" }),
			status: 201},
		{name: "public suffix client_uri", body: good(func(m map[string]any) {
			m["client_uri"] = "https://github.io/"
		}), status: 400, errCode: "invalid_client_metadata", errDesc: "client_uri is not using a valid domain"},
		{name: "public suffix redirect", body: good(func(m map[string]any) {
			m["client_uri"] = "https://me.github.io/"
			m["redirect_uris"] = []string{"https://github.io/cb"}
		}), status: 400, errCode: "invalid_redirect_uri", errDesc: "redirect_uri is not using a valid domain"},
		{name: "code without authorization_code grant", body: good(func(m map[string]any) {
			m["grant_types"] = []string{"refresh_token"}
		}), status: 400, errCode: "invalid_client_metadata", errDesc: "'code' response type not compatible with grant types"},
		{name: "public client_credentials", body: good(func(m map[string]any) {
			m["grant_types"] = []string{"authorization_code", "client_credentials"}
		}), status: 400, errCode: "invalid_client_metadata",
			errDesc: "client_credentials grant_type requires some form of client authentication"},
		{name: "unknown auth method", body: good(func(m map[string]any) { m["token_endpoint_auth_method"] = "magic" }),
			status: 400, errCode: "invalid_client_metadata"},
		{name: "RFC 7591 defaults issue a secret", body: good(func(m map[string]any) {
			delete(m, "token_endpoint_auth_method")
			delete(m, "grant_types")
			delete(m, "response_types")
		}), status: 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "POST", s.URL()+pathRegistration, tc.body, "")
			if r.status != tc.status {
				t.Fatalf("got status %d want %d; body %s", r.status, tc.status, r.body)
			}
			m := r.json(t)
			if tc.status == http.StatusCreated {
				if m["client_id"] == "" || m["client_id"] == nil {
					t.Errorf("got no client_id in %s", r.body)
				}
				_, hasSecret := m["client_secret"]
				if tc.noSecret && hasSecret {
					t.Errorf("got a client_secret for a public client")
				}
				return
			}
			if got := m["error"]; got != tc.errCode {
				t.Errorf("got error %v want %s; body %s", got, tc.errCode, r.body)
			}
			if d, _ := m["error_description"].(string); d == "" {
				t.Errorf("got no error_description; body %s", r.body)
			} else if tc.errDesc != "" && d != tc.errDesc {
				t.Errorf("got error_description %q want %q", d, tc.errDesc)
			}
		})
	}
}

func TestRegistrationDefaultsAndDedupe(t *testing.T) {
	s := newSandbox(t, Config{})
	body := map[string]any{
		"client_uri":    "https://app.example.com/",
		"redirect_uris": []string{"https://app.example.com/cb"},
	}
	r := do(t, "POST", s.URL()+pathRegistration, body, "").json(t)
	if got := r["token_endpoint_auth_method"]; got != "client_secret_basic" {
		t.Errorf("got token_endpoint_auth_method %v want client_secret_basic (RFC 7591 default)", got)
	}
	if _, ok := r["client_secret"]; !ok {
		t.Errorf("got no client_secret for a client_secret_basic client")
	}
	if g, _ := r["grant_types"].([]any); len(g) != 1 || g[0] != "authorization_code" {
		t.Errorf("got grant_types %v want [authorization_code]", r["grant_types"])
	}
	again := do(t, "POST", s.URL()+pathRegistration, body, "").json(t)
	if again["client_id"] == r["client_id"] {
		t.Errorf("got the same client_id for a confidential client; want a new one")
	}

	pub := map[string]any{
		"client_uri": "https://app.example.com/", "redirect_uris": []string{"https://app.example.com/cb"},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		"client_name#fr": "Client Web",
	}
	a := do(t, "POST", s.URL()+pathRegistration, pub, "").json(t)
	b := do(t, "POST", s.URL()+pathRegistration, pub, "").json(t)
	if a["client_id"] != b["client_id"] {
		t.Errorf("got client ids %v and %v for identical public metadata; want the same", a["client_id"], b["client_id"])
	}
	if _, ok := a["client_name#fr"]; ok {
		t.Errorf("got localized client_name#fr echoed; MAS stores only the plain fields")
	}
	pub["client_name"] = "Other"
	c := do(t, "POST", s.URL()+pathRegistration, pub, "").json(t)
	if c["client_id"] == a["client_id"] {
		t.Errorf("got the same client_id for different metadata")
	}
}
