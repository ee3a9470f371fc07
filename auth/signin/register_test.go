package signin

import (
	"strings"
	"testing"
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
