package signin

import (
	"errors"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// checkErr: every failure of a parser of server or user input is an
// *autherr.Error with a code.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *autherr.Error
	if !errors.As(err, &e) || e.Code == "" {
		t.Fatalf("error without a code: %v (%T)", err, err)
	}
}

func mustNotFail(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func TestParseInput(t *testing.T) {
	tests := []struct {
		in                    string
		name, wellKnown, base string
		insecure, named       bool
		originFirst           bool
	}{
		{"Matrix.ORG", "matrix.org", "https://matrix.org/.well-known/matrix/client", "https://matrix.org", false, true, false},
		{"@alice:example.org:8448", "example.org:8448", "https://example.org/.well-known/matrix/client", "https://example.org:8448", false, true, false},
		{"[2001:db8::1]:8448", "[2001:db8::1]:8448", "https://[2001:db8::1]/.well-known/matrix/client", "https://[2001:db8::1]:8448", false, true, false},
		// A loopback name is looked up over https first, as any other
		// (TestDiscoverLoopbackName covers the plain http second place).
		{"127.0.0.1:8008", "127.0.0.1:8008", "https://127.0.0.1/.well-known/matrix/client", "https://127.0.0.1:8008", true, true, false},
		{"localhost:8008", "localhost:8008", "https://localhost/.well-known/matrix/client", "https://localhost:8008", true, true, false},
		// A typed bare origin: /versions there first, then its well-known.
		{"http://[::1]:8008/", "[::1]:8008", "http://[::1]:8008/.well-known/matrix/client", "http://[::1]:8008", true, false, true},
		{"https://hs.example.org", "hs.example.org", "https://hs.example.org/.well-known/matrix/client", "https://hs.example.org", false, false, true},
		{"https://hs.example.org//?x=1", "hs.example.org", "https://hs.example.org/.well-known/matrix/client", "https://hs.example.org", false, false, true},
		// A typed URL with a path is the base URL, never looked up.
		{"https://hs.example.org/base/", "hs.example.org", "", "https://hs.example.org/base", false, false, false},
		{"http://localhost:8008/x", "localhost:8008", "", "http://localhost:8008/x", true, false, false},
	}
	for _, tt := range tests {
		got, err := parseInput(tt.in)
		mustNotFail(t, err)
		if tt.insecure && tt.named && got.local.LocalBase != "http://"+tt.name {
			t.Errorf("parseInput(%q): local base %q", tt.in, got.local.LocalBase)
		}
		got.local = serverrule.Lookup{}
		want := target{serverName: tt.name, wellKnownURL: tt.wellKnown, fallbackBase: tt.base, insecure: tt.insecure, named: tt.named, originFirst: tt.originFirst}
		if got != want {
			t.Errorf("parseInput(%q):\n got %+v\nwant %+v", tt.in, got, want)
		}
	}
}

func FuzzParseInput(f *testing.F) {
	for _, s := range []string{"matrix.org", "@alice:example.org", "https://matrix.org/", "127.0.0.1:8008", "[::1]:8008", "http://localhost:8008/x", "@:", "[", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tg, err := parseInput(in)
		checkErr(t, err)
		if err != nil {
			return
		}
		if tg.wellKnownURL != "" && serverrule.CheckURL(tg.wellKnownURL, tg.insecure) != nil || serverrule.CheckURL(tg.fallbackBase, tg.insecure) != nil {
			t.Fatalf("parseInput(%q) gave unusable URLs %+v", in, tg)
		}
		// Only a typed URL with a path skips the well-known, and it is
		// then the base as typed; a bare origin asks /versions first.
		hasPath := strings.Count(tg.fallbackBase, "/") > 2
		if (tg.wellKnownURL == "") != (!tg.named && hasPath) || tg.originFirst != (!tg.named && !hasPath) {
			t.Fatalf("parseInput(%q): %+v", in, tg)
		}
		if !tg.insecure && (strings.HasPrefix(tg.wellKnownURL, "http:") || strings.HasPrefix(tg.fallbackBase, "http:")) {
			t.Fatalf("plain http for a non-loopback input %q: %+v", in, tg)
		}
	})
}

func BenchmarkParseInput(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseInput("@alice:matrix.org"); err != nil {
			b.Fatal(err)
		}
	}
}
