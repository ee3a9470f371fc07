package serverrule

import (
	"net/url"
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name, in string
		insecure bool
		want     string // "" means refused
	}{
		{"https", "https://matrix-client.matrix.org", false, "https://matrix-client.matrix.org"},
		{"trailing slashes and spaces", " https://Matrix.ORG:8448/prefix// ", false, "https://matrix.org:8448/prefix"},
		{"loopback http when insecure", "http://127.0.0.1:8008/", true, "http://127.0.0.1:8008"},
		{"ipv6 loopback http", "http://[::1]:8008", true, "http://[::1]:8008"},
		{"loopback http when not insecure", "http://127.0.0.1:8008", false, ""},
		{"public http even when insecure", "http://matrix.org", true, ""},
		{"http to a name that resolves anywhere", "http://localhost.evil.org", true, ""},
		{"query", "https://matrix.org/?x=1", false, ""},
		{"empty query", "https://matrix.org/?", false, ""},
		{"fragment", "https://matrix.org/#x", false, ""},
		{"credentials", "https://a:b@matrix.org", false, ""},
		{"relative", "/_matrix", false, ""},
		{"no host", "https:///x", false, ""},
		{"other scheme", "ftp://matrix.org", true, ""},
		{"not a URL", "https://[::1", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BaseURL(tt.in, tt.insecure)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("BaseURL(%q, %v) = %q, want refused", tt.in, tt.insecure, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("BaseURL(%q, %v) = %q, %v; want %q", tt.in, tt.insecure, got, err, tt.want)
			}
		})
	}
}

// FuzzCheckURL: a URL that passes is https, or http to a loopback host when
// insecure, and has a host and no credentials; BaseURL of it is a fixed
// point.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://matrix.org", "http://127.0.0.1:8008/x/", "http://matrix.org", "https://u@x", "https://[::1]:8/?q#f", "//x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, insecure bool) {
		if CheckURL(raw, insecure) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.User != nil {
			t.Fatalf("CheckURL(%q) passed: %+v, %v", raw, u, err)
		}
		if u.Scheme != "https" && !(insecure && u.Scheme == "http" && IsLoopback(u.Hostname())) {
			t.Fatalf("CheckURL(%q, %v) passed a %s URL", raw, insecure, u.Scheme)
		}
		base, err := BaseURL(raw, insecure)
		if err != nil {
			return
		}
		if again, err := BaseURL(base, insecure); err != nil || again != base || strings.HasSuffix(base, "/") {
			t.Fatalf("BaseURL(%q) = %q, then %q, %v", raw, base, again, err)
		}
	})
}

// TestLookupOf pins where discovery looks (spec, "Server Discovery"): the
// well-known on the hostname over https whatever the port; for a loopback
// name, plain http on its port as the second place.
func TestLookupOf(t *testing.T) {
	tests := []struct {
		in                        string
		wellKnown, base           string
		localWellKnown, localBase string
	}{
		{"matrix.org", "https://matrix.org/.well-known/matrix/client", "https://matrix.org", "", ""},
		{"example.org:8448", "https://example.org/.well-known/matrix/client", "https://example.org:8448", "", ""},
		{"[2001:db8::1]:8448", "https://[2001:db8::1]/.well-known/matrix/client", "https://[2001:db8::1]:8448", "", ""},
		{"127.0.0.1:8008", "https://127.0.0.1/.well-known/matrix/client", "https://127.0.0.1:8008",
			"http://127.0.0.1:8008/.well-known/matrix/client", "http://127.0.0.1:8008"},
		{"[::1]:8008", "https://[::1]/.well-known/matrix/client", "https://[::1]:8008",
			"http://[::1]:8008/.well-known/matrix/client", "http://[::1]:8008"},
		{"localhost", "https://localhost/.well-known/matrix/client", "https://localhost",
			"http://localhost/.well-known/matrix/client", "http://localhost"},
	}
	for _, tt := range tests {
		n, err := ParseName(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got := LookupOf(n)
		want := Lookup{Name: n, WellKnown: tt.wellKnown, Base: tt.base, LocalWellKnown: tt.localWellKnown, LocalBase: tt.localBase}
		if got != want {
			t.Errorf("LookupOf(%q):\n got %+v\nwant %+v", tt.in, got, want)
		}
	}
}
