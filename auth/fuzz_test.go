package auth

import (
	"errors"
	"os"
	"testing"

	"github.com/mxauth/mxauth/auth/serverrule"
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
	f.Fuzz(func(t *testing.T, body []byte) {
		li, err := ParseLoginFlows(body)
		if err == nil && li.Flows == nil {
			t.Fatal("nil flows")
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
				if serverrule.CheckURL(u, insecure) != nil {
					t.Fatalf("accepted endpoint %q", u)
				}
			}
		}
	})
}
