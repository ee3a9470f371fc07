package room_test

import (
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

func TestInitials(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "one word", in: "matrix", want: "M"},
		{name: "two words", in: "Matrix HQ", want: "MH"},
		{name: "three words", in: "the office party", want: "TP"},
		{name: "alias", in: "#room:example.org", want: "R"},
		{name: "leading punctuation", in: "  (beta) tests", want: "BT"},
		{name: "accented", in: "élan vital", want: "ÉV"},
		{name: "combining mark kept", in: "e\u0301cole", want: "E\u0301"},
		{name: "digits", in: "42 club", want: "4C"},
		{name: "emoji only", in: "🎉 🎉", want: "🎉"},
		{name: "empty", in: "", want: "#"},
		{name: "spaces", in: "   ", want: "#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := room.Initials(tt.in); got != tt.want {
				t.Errorf("Initials(%q) got %q want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestColor(t *testing.T) {
	a, b := room.Color("!abc:example.org"), room.Color("!abc:example.org")
	if a != b || len(a) != 7 || a[0] != '#' {
		t.Errorf("Color got %q and %q, want one stable #rrggbb", a, b)
	}
	seen := map[string]bool{}
	for _, id := range []string{"!a:x", "!b:x", "!c:x", "!d:x", "!e:x", "!f:x", "!g:x", "!h:x", "!i:x", "!j:x"} {
		seen[room.Color(id)] = true
	}
	if len(seen) < 3 {
		t.Errorf("ten ids got %d colours, want a spread", len(seen))
	}
}

func TestThumbnailURL(t *testing.T) {
	tests := []struct {
		name, base, mxc string
		w, h            int
		want, err       string
	}{
		{name: "plain", base: "https://hs.example.org/", mxc: "mxc://example.org/AbC_-1", w: 64, h: 64,
			want: "https://hs.example.org/_matrix/client/v1/media/thumbnail/example.org/AbC_-1?width=64&height=64&method=crop"},
		{name: "server with port", base: "http://127.0.0.1:8008", mxc: "mxc://example.org:8448/abc", w: 32, h: 48,
			want: "http://127.0.0.1:8008/_matrix/client/v1/media/thumbnail/example.org:8448/abc?width=32&height=48&method=crop"},
		{name: "not mxc", base: "https://hs.example.org", mxc: "https://evil.example/x.png", w: 64, h: 64, err: "not an mxc:// URI"},
		{name: "bad media id", base: "https://hs.example.org", mxc: "mxc://example.org/../../x", w: 64, h: 64, err: "bad media id"},
		{name: "no media id", base: "https://hs.example.org", mxc: "mxc://example.org", w: 64, h: 64, err: "bad server name"},
		{name: "bad server", base: "https://hs.example.org", mxc: "mxc://ex ample/abc", w: 64, h: 64, err: "bad server name"},
		{name: "zero size", base: "https://hs.example.org", mxc: "mxc://example.org/abc", w: 0, h: 64, err: "outside"},
		{name: "huge size", base: "https://hs.example.org", mxc: "mxc://example.org/abc", w: 64, h: 100000, err: "outside"},
		{name: "http base", base: "http://hs.example.org", mxc: "mxc://example.org/abc", w: 64, h: 64, err: "base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := room.ThumbnailURL(tt.base, tt.mxc, tt.w, tt.h)
			if tt.err != "" {
				if autherr.CodeOf(err) != autherr.InvalidInput || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %q, %v; want invalid_input saying %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
			if strings.Contains(got, "/_matrix/media/") {
				t.Errorf("legacy media URL %q", got)
			}
		})
	}
}
