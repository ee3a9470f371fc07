package auth

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// TestDiscoverTypedURL: a typed URL is the base URL the person chose
// (issue 13). With a path it is checked with /versions and used as is,
// whatever its origin's well-known says; a bare origin is used when it
// answers /versions, and only when it has none is its well-known read.
// Server names and user ids still read the well-known first. The steps
// are the requests made, in order (the concurrent tail sorted).
func TestDiscoverTypedURL(t *testing.T) {
	meta := metadataFor("https://account.example.org/", nil)
	toElsewhere := jsonHandler(200, `{"m.homeserver":{"base_url":"https://matrix.example.org"}}`)
	elsewhere := homeserver(meta)
	prefixed := routes{
		"/prefix/_matrix/client/versions":         jsonHandler(200, versionsOK),
		"/prefix/_matrix/client/v3/login":         jsonHandler(200, loginMAS),
		"/prefix/_matrix/client/v1/auth_metadata": jsonHandler(200, meta),
		"/.well-known/matrix/client":              toElsewhere,
	}
	originHS := homeserver(meta)
	originHS["/.well-known/matrix/client"] = toElsewhere
	tail := func(base string) []string {
		return []string{"login " + base + "/_matrix/client/v3/login", "auth_metadata " + base + "/_matrix/client/v1/auth_metadata"}
	}
	for _, tt := range []struct {
		name  string
		input string
		hosts map[string]http.Handler
		code  Code
		base  string
		first []string // the sequential steps, in order
		rest  []string // the concurrent steps, any order
	}{
		{
			name: "a path is used as is, the origin's well-known unread", input: "https://example.org/prefix/",
			hosts: map[string]http.Handler{"example.org": prefixed, "matrix.example.org": elsewhere},
			base:  "https://example.org/prefix",
			rest:  append(tail("https://example.org/prefix"), "versions https://example.org/prefix/_matrix/client/versions"),
		},
		{
			name: "a path without /versions is not a homeserver, however good the well-known", input: "https://example.org/typo",
			hosts: map[string]http.Handler{"example.org": prefixed, "matrix.example.org": elsewhere},
			code:  autherr.NotAHomeserver,
			rest: append(tail("https://example.org/typo"), "versions https://example.org/typo/_matrix/client/versions",
				"auth_metadata (unstable) https://example.org/typo/_matrix/client/unstable/org.matrix.msc2965/auth_metadata",
				"auth_issuer https://example.org/typo/_matrix/client/unstable/org.matrix.msc2965/auth_issuer"),
		},
		{
			name: "a bare origin that answers /versions is the homeserver", input: "https://example.org",
			hosts: map[string]http.Handler{"example.org": originHS, "matrix.example.org": elsewhere},
			base:  "https://example.org",
			first: []string{"versions https://example.org/_matrix/client/versions"},
			rest:  tail("https://example.org"),
		},
		{
			name: "a bare origin with a slash, likewise", input: "https://EXAMPLE.org/",
			hosts: map[string]http.Handler{"example.org": originHS, "matrix.example.org": elsewhere},
			base:  "https://example.org",
			first: []string{"versions https://example.org/_matrix/client/versions"},
			rest:  tail("https://example.org"),
		},
		{
			name: "a bare origin without /versions: its well-known names the homeserver", input: "https://example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": toElsewhere}, "matrix.example.org": elsewhere},
			base:  "https://matrix.example.org",
			first: []string{"versions https://example.org/_matrix/client/versions", "well-known https://example.org/.well-known/matrix/client"},
			rest:  append(tail("https://matrix.example.org"), "versions https://matrix.example.org/_matrix/client/versions"),
		},
		{
			name: "a bare origin with neither: not a homeserver", input: "https://example.org",
			hosts: map[string]http.Handler{"example.org": routes{}},
			code:  autherr.NotAHomeserver,
			first: []string{"versions https://example.org/_matrix/client/versions", "well-known https://example.org/.well-known/matrix/client"},
		},
		{
			name: "a bare origin whose /versions fails: that failure, the well-known unread", input: "https://example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/_matrix/client/versions": jsonHandler(502, `bad gateway`), "/.well-known/matrix/client": toElsewhere}},
			code:  autherr.ServerError,
			first: []string{"versions https://example.org/_matrix/client/versions"},
		},
		{
			name: "a broken well-known behind a bare origin without /versions", input: "https://example.org",
			hosts: map[string]http.Handler{"example.org": routes{"/.well-known/matrix/client": jsonHandler(200, `<html>`)}},
			code:  autherr.DiscoveryFailed,
			first: []string{"versions https://example.org/_matrix/client/versions", "well-known https://example.org/.well-known/matrix/client"},
		},
		{
			name: "a server name reads the well-known first, as the spec says", input: "example.org",
			hosts: map[string]http.Handler{"example.org": originHS, "matrix.example.org": elsewhere},
			base:  "https://matrix.example.org",
			first: []string{"well-known https://example.org/.well-known/matrix/client"},
			rest:  append(tail("https://matrix.example.org"), "versions https://matrix.example.org/_matrix/client/versions"),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := testClient(&fakeNet{hosts: tt.hosts}).Check(context.Background(), tt.input)
			if tt.code != "" {
				wantCode(t, err, tt.code)
			} else {
				mustNotFail(t, err)
				if info.BaseURL != tt.base {
					t.Errorf("base URL %q, want %q", info.BaseURL, tt.base)
				}
			}
			var got []string
			for _, st := range info.Steps {
				got = append(got, st.Name+" "+st.URL)
			}
			n := min(len(tt.first), len(got))
			head, rest := got[:n], slices.Clone(got[n:])
			slices.Sort(rest)
			want := slices.Clone(tt.rest)
			slices.Sort(want)
			if !slices.Equal(head, tt.first) || !slices.Equal(rest, want) {
				t.Errorf("steps\n got %q\nwant %q then %q", got, tt.first, want)
			}
		})
	}
}

// TestDiscoverTypedOriginOwnCache: "example.org" and a typed
// "https://example.org" may end at different base URLs, so one client
// answers each from its own cache entry.
func TestDiscoverTypedOriginOwnCache(t *testing.T) {
	meta := metadataFor("https://account.example.org/", nil)
	origin := homeserver(meta)
	origin["/.well-known/matrix/client"] = jsonHandler(200, `{"m.homeserver":{"base_url":"https://matrix.example.org"}}`)
	c := testClient(&fakeNet{hosts: map[string]http.Handler{"example.org": origin, "matrix.example.org": homeserver(meta)}})
	for _, tt := range []struct{ input, base string }{
		{"example.org", "https://matrix.example.org"},
		{"https://example.org", "https://example.org"},
		{"example.org", "https://matrix.example.org"},
		{"https://example.org/", "https://example.org"},
	} {
		info, err := c.Discover(context.Background(), tt.input)
		mustNotFail(t, err)
		if info.BaseURL != tt.base {
			t.Errorf("Discover(%q): base URL %q, want %q", tt.input, info.BaseURL, tt.base)
		}
	}
}
