package signin

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// minimalMetadata is what a login with a configured client id needs and
// nothing more: no registration or revocation endpoint, no response modes,
// no grant types.
func minimalMetadata(edit func(m map[string]any)) []byte {
	m := map[string]any{
		"issuer":                           "https://auth.example.org/",
		"authorization_endpoint":           "https://auth.example.org/authorize",
		"token_endpoint":                   "https://auth.example.org/oauth2/token",
		"response_types_supported":         []string{"code"},
		"code_challenge_methods_supported": []string{"S256"},
	}
	if edit != nil {
		edit(m)
	}
	b, _ := json.Marshal(m)
	return b
}

// TestParseAuthMetadataOptional: the fields the login can do without are
// optional, absent lists take RFC 8414 §2's defaults, and a list the
// server does send must still hold what the spec requires.
func TestParseAuthMetadataOptional(t *testing.T) {
	for _, tt := range []struct {
		name       string
		edit       func(m map[string]any)
		field      string // "" when accepted
		modes      []string
		grants     []string
		noRegister bool
	}{
		{name: "minimal", modes: []string{"query", "fragment"}, grants: []string{"authorization_code", "implicit"}, noRegister: true},
		{name: "null lists are absent", edit: func(m map[string]any) {
			m["response_modes_supported"], m["grant_types_supported"] = nil, nil
		}, modes: []string{"query", "fragment"}, grants: []string{"authorization_code", "implicit"}, noRegister: true},
		{name: "listed", edit: func(m map[string]any) {
			m["registration_endpoint"] = "https://auth.example.org/oauth2/registration"
			m["response_modes_supported"] = []string{"form_post", "query", "fragment"}
			m["grant_types_supported"] = []string{"authorization_code", "refresh_token"}
		}, modes: []string{"form_post", "query", "fragment"}, grants: []string{"authorization_code", "refresh_token"}},
		{name: "grants listed without refresh_token", edit: func(m map[string]any) {
			m["grant_types_supported"] = []string{"authorization_code"}
		}, field: "grant_types_supported"},
		{name: "empty grant list", edit: func(m map[string]any) {
			m["grant_types_supported"] = []string{}
		}, field: "grant_types_supported"},
		{name: "response modes listed without fragment", edit: func(m map[string]any) {
			m["response_modes_supported"] = []string{"query"}
		}, field: "response_modes_supported"},
		{name: "no response types", edit: func(m map[string]any) { delete(m, "response_types_supported") }, field: "response_types_supported"},
		{name: "no PKCE (RFC 8414: absent means unsupported)", edit: func(m map[string]any) { delete(m, "code_challenge_methods_supported") }, field: "code_challenge_methods_supported"},
		{name: "no token endpoint", edit: func(m map[string]any) { delete(m, "token_endpoint") }, field: "token_endpoint"},
		{name: "registration endpoint on http", edit: func(m map[string]any) {
			m["registration_endpoint"] = "http://auth.example.org/oauth2/registration"
		}, field: "registration_endpoint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseAuthMetadata(minimalMetadata(tt.edit), false)
			if tt.field != "" {
				var e *autherr.Error
				if !errors.As(err, &e) || e.Code != autherr.MetadataInvalid || e.Details["field"] != tt.field {
					t.Fatalf("got %v, want metadata_invalid naming %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.ResponseModesSupported, tt.modes) || !slices.Equal(o.GrantTypesSupported, tt.grants) {
				t.Errorf("modes %v grants %v, want %v %v", o.ResponseModesSupported, o.GrantTypesSupported, tt.modes, tt.grants)
			}
			if (o.RegistrationEndpoint == "") != tt.noRegister {
				t.Errorf("registration endpoint %q", o.RegistrationEndpoint)
			}
		})
	}
}
