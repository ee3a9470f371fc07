package auth

import (
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/signin"
)

// Every parser of server or user input is fuzzed: none may panic, and each
// failure must be an *Error with a code.

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == "" {
		t.Fatalf("error without a code: %v (%T)", err, err)
	}
}

func FuzzParseWellKnown(f *testing.F) {
	f.Add([]byte(`{"m.homeserver":{"base_url":"https://matrix-client.matrix.org"}}`), false)
	f.Add([]byte(`{"m.homeserver":{"base_url":"http://127.0.0.1:8008/"},"m.identity_server":{"base_url":"https://vector.im"}}`), true)
	if b, err := os.ReadFile("testdata/matrix-org-well-known-client.reported.json"); err == nil {
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, body []byte, insecure bool) {
		base, err := ParseWellKnown(body, insecure)
		checkErr(t, err)
		if err == nil {
			if strings.HasSuffix(base, "/") {
				t.Fatalf("base URL %q ends in a slash", base)
			}
			if signin.CheckURL(base, insecure) != nil {
				t.Fatalf("base URL %q does not pass CheckURL", base)
			}
		}
	})
}

func FuzzParseVersions(f *testing.F) {
	f.Add([]byte(versionsOK))
	f.Add([]byte(`{"versions":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := ParseVersions(body)
		if err == nil && (v.Versions == nil || v.UnstableFeatures == nil) {
			t.Fatalf("nil slices in %+v", v)
		}
	})
}

func FuzzParseLoginFlows(f *testing.F) {
	f.Add([]byte(loginMAS))
	if b, err := os.ReadFile("testdata/mas-login-flows.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"flows":[{"type":1},{"type":"m.login.sso","oauth_aware_preferred":"yes"}]}`))
	f.Add([]byte(`{"flows":[{"type":"m.login.sso","identity_providers":[{"id":"oidc-github","name":"GitHub","icon":"mxc://example.org/abc","brand":"github"},{"id":"../x","name":"evil"},{"id":"saml","name":"\u202eLMAS"},{"id":"saml","name":"dup"}]}]}`))
	f.Add([]byte(`{"flows":[{"type":"m.login.sso","identity_providers":{"id":"x"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		li, err := ParseLoginFlows(body)
		if err == nil && li.Flows == nil {
			t.Fatal("nil flows")
		}
		if err != nil {
			return
		}
		// Every provider kept can go into the redirect path as it is and
		// be shown as text: a valid id, a name without control or bidi
		// characters, an mxc icon or none; ids unique; the list bounded.
		seen := map[string]bool{}
		if len(li.IdentityProviders) > 32 {
			t.Fatalf("%d providers kept", len(li.IdentityProviders))
		}
		for _, p := range li.IdentityProviders {
			if !signin.ValidIDPID(p.ID) || seen[p.ID] || url.PathEscape(p.ID) != p.ID {
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
	f.Add([]byte(metadataFor("http://127.0.0.1:8008/", nil)), true)
	f.Add([]byte(`{"issuer":5}`), false)
	f.Fuzz(func(t *testing.T, body []byte, insecure bool) {
		info, err := ParseAuthMetadata(body, insecure)
		checkErr(t, err)
		if err == nil {
			for _, u := range []string{info.Issuer, info.AuthorizationEndpoint, info.TokenEndpoint, info.RegistrationEndpoint, info.RevocationEndpoint} {
				if signin.CheckURL(u, insecure) != nil {
					t.Fatalf("accepted endpoint %q", u)
				}
			}
		}
	})
}
