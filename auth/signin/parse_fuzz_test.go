package signin

import (
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// The parsers of discovery answers are fuzzed beside them: none may panic,
// each failure is an *autherr.Error with a code, and what they accept is
// usable.

func FuzzParseVersions(f *testing.F) {
	f.Add([]byte(`{"versions":["r0.6.1","v1.11","v1.12"],"unstable_features":{"org.matrix.msc3266":true,"bad":"x"}}`))
	f.Add([]byte(`{"versions":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := parseVersions(body)
		checkErr(t, err)
		if err == nil && (v.Versions == nil || v.UnstableFeatures == nil) {
			t.Fatalf("nil slices in %+v", v)
		}
	})
}

func FuzzParseLoginFlows(f *testing.F) {
	f.Add([]byte(`{"flows":[{"type":"m.login.password"},{"type":"m.login.sso","oauth_aware_preferred":true,"org.matrix.msc3824.delegated_oidc_compatibility":true},{"type":"m.login.token"}]}`))
	if b, err := os.ReadFile("testdata/mas-login-flows.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"flows":[{"type":1},{"type":"m.login.sso","oauth_aware_preferred":"yes"}]}`))
	f.Add([]byte(`{"flows":[{"type":"m.login.sso","identity_providers":[{"id":"oidc-github","name":"GitHub","icon":"mxc://example.org/abc","brand":"github"},{"id":"../x","name":"evil"},{"id":"saml","name":"\u202eLMAS"},{"id":"saml","name":"dup"}]}]}`))
	f.Add([]byte(`{"flows":[{"type":"m.login.sso","identity_providers":{"id":"x"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		li, err := parseLoginFlows(body)
		checkErr(t, err)
		if err != nil {
			return
		}
		if li.Flows == nil {
			t.Fatal("nil flows")
		}
		// Every provider kept can go into the redirect path as it is and
		// be shown as text: a valid id, a name without control or bidi
		// characters, an mxc icon or none; ids unique; the list bounded.
		seen := map[string]bool{}
		if len(li.IdentityProviders) > 32 {
			t.Fatalf("%d providers kept", len(li.IdentityProviders))
		}
		for _, p := range li.IdentityProviders {
			if !ValidIDPID(p.ID) || seen[p.ID] || url.PathEscape(p.ID) != p.ID {
				t.Fatalf("provider id %q kept", p.ID)
			}
			seen[p.ID] = true
			if p.Name == "" || len(p.Name) > 100+len("…") || strings.ContainsFunc(p.Name, func(r rune) bool { return r < 0x20 || r == 0x202e || r == 0x7f }) {
				t.Fatalf("provider name %q kept", p.Name)
			}
			if p.Icon != "" && !strings.HasPrefix(p.Icon, "mxc://") {
				t.Fatalf("icon %q kept", p.Icon)
			}
		}
	})
}

func FuzzParseAuthMetadata(f *testing.F) {
	if b, err := os.ReadFile("testdata/matrix-org-auth-metadata.reconstructed.json"); err == nil {
		f.Add(b, false)
	}
	if b, err := os.ReadFile("testdata/matrix-org-auth-metadata.reconstructed.json"); err == nil {
		f.Add([]byte(strings.ReplaceAll(string(b), "https://account.matrix.org/", "http://127.0.0.1:8008/")), true)
	}
	f.Add([]byte(`{"issuer":5}`), false)
	f.Add(minimalMetadata(nil), false)
	f.Fuzz(func(t *testing.T, body []byte, insecure bool) {
		info, err := parseAuthMetadata(body, insecure)
		checkErr(t, err)
		if err != nil {
			return
		}
		for _, u := range []string{info.Issuer, info.AuthorizationEndpoint, info.TokenEndpoint} {
			if serverrule.CheckURL(u, insecure) != nil {
				t.Fatalf("accepted endpoint %q", u)
			}
		}
		// Optional, but never a bad URL when given.
		for _, u := range []string{info.RegistrationEndpoint, info.RevocationEndpoint} {
			if u != "" && serverrule.CheckURL(u, insecure) != nil {
				t.Fatalf("accepted endpoint %q", u)
			}
		}
		// Absent lists hold RFC 8414's defaults, so the login can check them.
		if !slices.Contains(info.ResponseModesSupported, "fragment") || !slices.Contains(info.GrantTypesSupported, "authorization_code") {
			t.Fatalf("modes %v grants %v", info.ResponseModesSupported, info.GrantTypesSupported)
		}
	})
}

// Benchmarks of the parsers on the discovery path (make bench prints them
// with allocations per op). They are figures, never assertions.

func BenchmarkParseAuthMetadata(b *testing.B) {
	body, err := os.ReadFile("testdata/matrix-org-auth-metadata.reconstructed.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAuthMetadata(body, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLoginFlows(b *testing.B) {
	body, err := os.ReadFile("testdata/mas-login-flows.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseLoginFlows(body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseAuthMetadataNamesField: one decode still names the field whose
// value has the wrong type, and every failure is metadata_invalid.
func TestParseAuthMetadataNamesField(t *testing.T) {
	for _, tt := range []struct{ body, field string }{
		{`{"issuer":5}`, "issuer"},
		{`{"token_endpoint":{"x":1}}`, "token_endpoint"},
		{`{"response_types_supported":[1]}`, "response_types_supported"},
		{`{"authorization_response_iss_parameter_supported":"yes"}`, "authorization_response_iss_parameter_supported"},
		{`{"issuer":"https://i/"}`, "authorization_endpoint"},
		{`[]`, ""},
		{`null`, ""},
		{`{`, ""},
	} {
		_, err := parseAuthMetadata([]byte(tt.body), false)
		var e *autherr.Error
		if !errors.As(err, &e) || e.Code != autherr.MetadataInvalid || e.Details["field"] != tt.field {
			t.Errorf("parseAuthMetadata(%s) = %v (details %v), want metadata_invalid naming %q", tt.body, err, e, tt.field)
		}
	}
}
