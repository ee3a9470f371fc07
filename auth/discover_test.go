package auth

import (
	"context"
	"errors"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

const (
	versionsOK = `{"versions":["r0.6.1","v1.11","v1.12"],"unstable_features":{"org.matrix.msc3266":true,"bad":"x"}}`
	loginMAS   = `{"flows":[{"type":"m.login.password"},{"type":"m.login.sso","oauth_aware_preferred":true,"org.matrix.msc3824.delegated_oidc_compatibility":true},{"type":"m.login.token"}]}`
	loginPwd   = `{"flows":[{"type":"m.login.password"}]}`
)

// metadataFor returns MAS-like auth metadata for issuer; edits may change it.
func metadataFor(issuer string, edit func(string) string) string {
	b, err := os.ReadFile("testdata/matrix-org-auth-metadata.reconstructed.json")
	if err != nil {
		panic(err)
	}
	s := strings.ReplaceAll(string(b), "https://account.matrix.org/", issuer)
	if edit != nil {
		s = edit(s)
	}
	return s
}

// homeserver builds the routes of a delegating homeserver on base.
func homeserver(meta string) routes {
	return routes{
		"/_matrix/client/versions":         jsonHandler(200, versionsOK),
		"/_matrix/client/v3/login":         jsonHandler(200, loginMAS),
		"/_matrix/client/v1/auth_metadata": jsonHandler(200, meta),
	}
}

func TestDiscover(t *testing.T) {
	const issuer = "https://account.example.org/"
	meta := metadataFor(issuer, nil)
	wk := func(base string) http.Handler {
		return jsonHandler(200, `{"m.homeserver":{"base_url":"`+base+`"}}`)
	}
	tests := []struct {
		name  string
		input string
		hosts map[string]http.Handler
		// want
		code       Code
		field      string // Details["field"] for metadata_invalid
		baseURL    string
		source     signin.MetadataSource // "" means OAuth must be nil
		serverName string
		check      func(t *testing.T, info *ServerInfo)
	}{
		{
			name:  "well-known names the base URL, stable metadata",
			input: "example.org",
			hosts: map[string]http.Handler{
				"example.org":               routes{"/.well-known/matrix/client": wk("https://matrix-client.example.org/")},
				"matrix-client.example.org": homeserver(meta),
			},
			baseURL: "https://matrix-client.example.org", source: "stable", serverName: "example.org",
			check: func(t *testing.T, info *ServerInfo) {
				if got := info.OAuth.Issuer; got != issuer {
					t.Errorf("issuer: got %q want %q", got, issuer)
				}
				if !info.UnstableFeatures["org.matrix.msc3266"] || len(info.UnstableFeatures) != 1 {
					t.Errorf("unstable features: got %v", info.UnstableFeatures)
				}
				if !info.Login.OAuthAwarePreferred {
					t.Errorf("login: oauth_aware_preferred not read")
				}
				want := signin.Hints{ContinueWith: "Continue with example.org", ShowCreateAccount: true}
				if !reflect.DeepEqual(info.Hints, want) {
					t.Errorf("hints: got %+v want %+v", info.Hints, want)
				}
			},
		},
		{
			name:  "user id input; base URL keeps its path prefix",
			input: "@alice:example.org",
			hosts: map[string]http.Handler{
				"example.org": routes{"/.well-known/matrix/client": wk("https://hs.example.org/prefix//")},
				"hs.example.org": routes{
					"/prefix/_matrix/client/versions":         jsonHandler(200, versionsOK),
					"/prefix/_matrix/client/v1/auth_metadata": jsonHandler(200, meta),
				},
			},
			baseURL: "https://hs.example.org/prefix", source: "stable", serverName: "example.org",
			check: func(t *testing.T, info *ServerInfo) {
				if info.Login != nil {
					t.Errorf("login: got %+v, want nil when GET /login is absent", info.Login)
				}
			},
		},
		{
			name:  "well-known 404 is IGNORE: use https://<server name>",
			input: "example.org",
			hosts: map[string]http.Handler{
				"example.org": homeserver(meta),
			},
			baseURL: "https://example.org", source: "stable",
		},
		{
			name:  "server name with port: well-known on the host, base keeps the port",
			input: "example.org:8448",
			hosts: map[string]http.Handler{
				"example.org":      routes{},
				"example.org:8448": homeserver(meta),
			},
			baseURL: "https://example.org:8448", source: "stable", serverName: "example.org:8448",
		},
		{
			name:  "URL input is the homeserver when its origin has no well-known",
			input: "https://matrix-client.example.org/",
			hosts: map[string]http.Handler{
				"matrix-client.example.org": homeserver(meta),
			},
			baseURL: "https://matrix-client.example.org", source: "stable", serverName: "matrix-client.example.org",
		},
		{
			name:  "unstable metadata when stable is unrecognised",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{
				"/_matrix/client/versions":                                  jsonHandler(200, versionsOK),
				"/_matrix/client/unstable/org.matrix.msc2965/auth_metadata": jsonHandler(200, meta),
			}},
			baseURL: "https://example.org", source: "unstable",
		},
		{
			name:  "auth_issuer then the issuer's openid-configuration",
			input: "example.org",
			hosts: map[string]http.Handler{
				"example.org": routes{
					"/_matrix/client/versions":                                jsonHandler(200, versionsOK),
					"/_matrix/client/unstable/org.matrix.msc2965/auth_issuer": jsonHandler(200, `{"issuer":"`+issuer+`"}`),
				},
				"account.example.org": routes{"/.well-known/openid-configuration": jsonHandler(200, meta)},
			},
			baseURL: "https://example.org", source: "issuer",
		},
		{
			name:  "the well-known authentication hint is the last resort",
			input: "example.org",
			hosts: map[string]http.Handler{
				"example.org": routes{
					"/.well-known/matrix/client": jsonHandler(200, `{"m.homeserver":{"base_url":"https://example.org"},"org.matrix.msc2965.authentication":{"issuer":"`+issuer+`","account":"x"}}`),
					"/_matrix/client/versions":   jsonHandler(200, versionsOK),
				},
				"account.example.org": routes{"/.well-known/openid-configuration": jsonHandler(200, meta)},
			},
			baseURL: "https://example.org", source: "issuer",
		},
		{
			name:  "no metadata anywhere: no OAuth, password form",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{
				"/_matrix/client/versions": jsonHandler(200, versionsOK),
				"/_matrix/client/v3/login": jsonHandler(200, loginPwd),
				// A plain web server's 404 for the metadata, not a Matrix one.
				"/_matrix/client/v1/auth_metadata": jsonHandler(404, `<html>not found</html>`),
			}},
			baseURL: "https://example.org",
			check: func(t *testing.T, info *ServerInfo) {
				want := signin.Hints{ShowPasswordForm: true, Unavailable: signin.UnavailablePasswordOnly, Explanation: signin.DecideHints(info).Explanation}
				if !reflect.DeepEqual(info.Hints, want) || want.Explanation == "" {
					t.Errorf("hints: got %+v want %+v", info.Hints, want)
				}
			},
		},
		{
			name:  "well-known body is not JSON",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `<html>`)}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "well-known without m.homeserver",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `{"m.identity_server":{}}`)}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "well-known base_url of the wrong type",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `{"m.homeserver":{"base_url":42}}`)}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "well-known base_url is not a URL",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": wk("matrix-client")}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "a public well-known cannot send us to plain http",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": wk("http://127.0.0.1:8008")}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "well-known 403 is discovery_failed",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(403, `{"errcode":"M_FORBIDDEN","error":"no"}`)}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "well-known 502 is server_error",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(502, `bad gateway`)}},
			code:  autherr.ServerError,
		},
		{
			name:  "well-known over 64 KiB",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `{"m.homeserver":{"base_url":"https://example.org"},"x":"`+strings.Repeat("a", 70<<10)+`"}`)}},
			code:  autherr.DiscoveryFailed,
		},
		{
			name:  "versions missing: not a homeserver",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/_matrix/client/v1/auth_metadata": jsonHandler(200, meta)}},
			code:  autherr.NotAHomeserver,
		},
		{
			name:  "versions of the wrong shape: not a homeserver",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/_matrix/client/versions": jsonHandler(200, `{"versions":"v1.1"}`)}},
			code:  autherr.NotAHomeserver,
		},
		{
			name:  "host that does not resolve: network",
			input: "nowhere.example",
			hosts: map[string]http.Handler{},
			code:  autherr.Network,
		},
		{
			name:  "metadata without S256",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": homeserver(metadataFor(issuer, func(s string) string {
				return strings.Replace(s, `["plain", "S256"]`, `["plain"]`, 1)
			}))},
			code: autherr.MetadataInvalid, field: "code_challenge_methods_supported",
		},
		{
			name:  "metadata with an http token endpoint",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": homeserver(metadataFor(issuer, func(s string) string {
				return strings.Replace(s, `"https://account.example.org/oauth2/token"`, `"http://account.example.org/oauth2/token"`, 1)
			}))},
			code: autherr.MetadataInvalid, field: "token_endpoint",
		},
		{
			name:  "metadata with a wrong type",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": homeserver(metadataFor(issuer, func(s string) string {
				return strings.Replace(s, `"prompt_values_supported": ["login", "create"]`, `"prompt_values_supported": "create"`, 1)
			}))},
			code: autherr.MetadataInvalid, field: "prompt_values_supported",
		},
		{
			name:  "openid-configuration for another issuer",
			input: "example.org",
			hosts: map[string]http.Handler{
				"example.org": routes{
					"/_matrix/client/versions":                                jsonHandler(200, versionsOK),
					"/_matrix/client/unstable/org.matrix.msc2965/auth_issuer": jsonHandler(200, `{"issuer":"`+issuer+`"}`),
				},
				"account.example.org": routes{"/.well-known/openid-configuration": jsonHandler(200, metadataFor("https://evil.example.net/", nil))},
			},
			code: autherr.MetadataInvalid, field: "issuer",
		},
		{
			name:  "metadata 500 is server_error, not a fallback",
			input: "example.org",
			hosts: map[string]http.Handler{"example.org": routes{
				"/_matrix/client/versions":         jsonHandler(200, versionsOK),
				"/_matrix/client/v1/auth_metadata": jsonHandler(500, `{"errcode":"M_UNKNOWN","error":"boom"}`),
			}},
			code: autherr.ServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClient(&fakeNet{hosts: tt.hosts})
			info, err := c.Discover(context.Background(), tt.input)
			if tt.code != "" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("got %v (%T), want *Error with code %s", err, err, tt.code)
				}
				if e.Code != tt.code {
					t.Fatalf("code: got %s want %s (%v)", e.Code, tt.code, err)
				}
				if tt.field != "" && e.Details["field"] != tt.field {
					t.Errorf("field: got %q want %q (%v)", e.Details["field"], tt.field, err)
				}
				if info != nil {
					t.Errorf("got info %+v with an error", info)
				}
				return
			}
			mustNotFail(t, err)
			if info.BaseURL != tt.baseURL {
				t.Errorf("base URL: got %q want %q", info.BaseURL, tt.baseURL)
			}
			if tt.serverName != "" && info.ServerName != tt.serverName {
				t.Errorf("server name: got %q want %q", info.ServerName, tt.serverName)
			}
			switch {
			case tt.source == "" && info.OAuth != nil:
				t.Errorf("oauth: got %+v want nil", info.OAuth)
			case tt.source != "" && info.OAuth == nil:
				t.Errorf("oauth: got nil want source %s", tt.source)
			case tt.source != "" && info.OAuth.Source != tt.source:
				t.Errorf("source: got %q want %q", info.OAuth.Source, tt.source)
			}
			if tt.check != nil {
				tt.check(t, info)
			}
		})
	}
}

func TestDiscoverInvalidInput(t *testing.T) {
	for _, in := range []string{
		"", "   ", "@alice", "@:example.org", "exa mple.org", "http://example.org", "ftp://example.org",
		"example.org:100000", "example.org:", "[::1", "https://user:pw@example.org",
		"ex_ample.org", strings.Repeat("a", 300),
	} {
		t.Run(in, func(t *testing.T) {
			_, err := testClient(&fakeNet{}).Discover(context.Background(), in)
			var e *Error
			if !errors.As(err, &e) || e.Code != autherr.InvalidInput {
				t.Fatalf("Discover(%q): got %v want invalid_input", in, err)
			}
		})
	}
}

func TestDiscoverRateLimited(t *testing.T) {
	const issuer = "https://account.example.org/"
	var calls int
	var waited []time.Duration
	limited := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls <= 2 {
			jsonHandler(429, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1500}`).ServeHTTP(w, r)
			return
		}
		jsonHandler(200, versionsOK).ServeHTTP(w, r)
	})
	hs := homeserver(metadataFor(issuer, nil))
	hs["/_matrix/client/versions"] = limited
	c := testClient(&fakeNet{hosts: map[string]http.Handler{"example.org": hs}})
	c.Retry.Sleep = func(ctx context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	if _, err := c.Discover(context.Background(), "example.org"); err != nil {
		t.Fatalf("got %v, want success after two 429s", err)
	}
	if len(waited) != 2 || waited[0] != 1500*time.Millisecond {
		t.Errorf("waits: got %v want two of 1.5s", waited)
	}

	// Always 429: rate_limited with the server's hint, after the bounded tries.
	hs["/_matrix/client/versions"] = jsonHandler(429, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":2000}`)
	c = testClient(&fakeNet{hosts: map[string]http.Handler{"example.org": hs}})
	_, err := c.Discover(context.Background(), "example.org")
	var e *Error
	if !errors.As(err, &e) || e.Code != autherr.RateLimited || e.RetryAfter != 2*time.Second || e.Errcode != "M_LIMIT_EXCEEDED" {
		t.Fatalf("got %#v, want rate_limited with RetryAfter 2s", err)
	}
}

func TestDiscoverRefusesRedirectToHTTP(t *testing.T) {
	hosts := map[string]http.Handler{"example.org": routes{
		"/.well-known/matrix/client": http.RedirectHandler("http://example.org/wk", http.StatusFound),
	}}
	_, err := testClient(&fakeNet{hosts: hosts}).Discover(context.Background(), "example.org")
	var e *Error
	if !errors.As(err, &e) || e.Code != autherr.Network || !strings.Contains(err.Error(), "not https") {
		t.Fatalf("got %v, want a refused redirect", err)
	}
}

func TestCheckKeepsStepsOnFailure(t *testing.T) {
	hosts := map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `<html>`)}}
	info, err := testClient(&fakeNet{hosts: hosts}).Check(context.Background(), "example.org")
	var e *Error
	if !errors.As(err, &e) || e.Code != autherr.DiscoveryFailed {
		t.Fatalf("got %v, want discovery_failed", err)
	}
	if info == nil || len(info.Steps) != 1 || info.Steps[0].Name != "well-known" || info.Steps[0].Result != signin.StepResult(autherr.DiscoveryFailed) {
		t.Fatalf("steps: got %+v", info)
	}
	if !reflect.DeepEqual(info.Hints, signin.Hints{}) {
		t.Errorf("a failed check decided hints: %+v", info.Hints)
	}

	// Versions failing: the well-known, versions, login and metadata steps are all there.
	hosts = map[string]http.Handler{"example.org": routes{"/_matrix/client/v1/auth_metadata": jsonHandler(200, metadataFor("https://account.example.org/", nil))}}
	info, err = testClient(&fakeNet{hosts: hosts}).Check(context.Background(), "example.org")
	if autherr.CodeOf(err) != autherr.NotAHomeserver || info == nil || len(info.Steps) != 4 {
		t.Fatalf("got %v with %+v", err, info)
	}
	// Discover itself never answers both.
	if info, err := testClient(&fakeNet{hosts: hosts}).Discover(context.Background(), "example.org"); info != nil || err == nil {
		t.Fatalf("Discover answered %+v and %v", info, err)
	}
}

func TestWithStepTrace(t *testing.T) {
	const issuer = "https://account.example.org/"
	hs := homeserver(metadataFor(issuer, func(s string) string {
		return strings.Replace(s, `["plain", "S256"]`, `["plain"]`, 1)
	}))
	var mu sync.Mutex
	var seen []signin.Step
	ctx := signin.WithStepTrace(context.Background(), func(st signin.Step) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	})
	_, err := testClient(&fakeNet{hosts: map[string]http.Handler{"example.org": hs}}).Discover(ctx, "example.org")
	if autherr.CodeOf(err) != autherr.MetadataInvalid {
		t.Fatalf("got %v", err)
	}
	// well-known, versions, login, metadata (ok), then metadata again (final: metadata_invalid).
	if len(seen) != 5 {
		t.Fatalf("traced %d steps: %+v", len(seen), seen)
	}
	// The three requests after the well-known run side by side: find the
	// metadata step's last report, whatever came between.
	var meta []signin.Step
	for _, st := range seen {
		if st.Name == "auth_metadata" {
			meta = append(meta, st)
		}
	}
	if len(meta) != 2 || meta[0].Result != "ok" || meta[1].Result != signin.StepResult(autherr.MetadataInvalid) {
		t.Errorf("metadata traces: got %+v, want ok, then its final result metadata_invalid", meta)
	}
}
