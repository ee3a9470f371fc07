package room

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// cardCase is one row of testdata/cardview.json: a summary and the view
// every renderer must draw for it. The same file drives the demo's test
// (app) and the element's in Chromium (web/test/e2e/elements.test.mjs).
type cardCase struct {
	Summary Summary  `json:"summary"`
	View    CardView `json:"view"`
}

func readCardCases(t *testing.T) []cardCase {
	t.Helper()
	b, err := os.ReadFile("testdata/cardview.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []cardCase
	if err := json.Unmarshal(b, &cases); err != nil || len(cases) == 0 {
		t.Fatalf("testdata/cardview.json: %v", err)
	}
	return cases
}

func TestCard(t *testing.T) {
	for _, tt := range readCardCases(t) {
		if got := Card(&tt.Summary); got != tt.View {
			t.Errorf("Card(%+v):\n got %+v\nwant %+v", tt.Summary, got, tt.View)
		}
	}
	if got := Card(nil); got != (CardView{}) {
		t.Errorf("Card(nil) = %+v", got)
	}
}

// TestCardBadgeAgree: the card and the badge write a count alike, however
// large.
func TestCardBadgeAgree(t *testing.T) {
	for _, n := range []int64{0, 1, 999, 1_000, 12_345, 999_999, 1_000_000, 1_234_567_890, maxMembers} {
		v := Card(&Summary{RoomID: "!r:x", NumJoinedMembers: n})
		if !strings.Contains(Badge(&Summary{RoomID: "!r:x", NumJoinedMembers: n}, BadgeOptions{}), ">"+v.Members+"<") {
			t.Errorf("%d: the badge does not say %q", n, v.Members)
		}
	}
}

// TestInitialsGrapheme: one grapheme per initial, whatever follows it.
func TestInitialsGrapheme(t *testing.T) {
	tests := []struct{ in, want string }{
		{"e" + strings.Repeat("\u0301", 10_000), "E\u0301\u0301"},
		{"a\u0308 b", "A\u0308B"},
		{"👨\u200d👩\u200d👧\u200d👦", "👨\u200d👩\u200d👧\u200d👦"},
		{"👍🏽 👍", "👍🏽"},
		{"🇫🇷🇩🇪", "🇫🇷"},
		{"❤\ufe0f", "❤\ufe0f"},
		{strings.Repeat("👨\u200d", 100), "👨\u200d👨\u200d👨\u200d👨"},
		{"", "#"},
		{"Matrix Go Chat", "MC"},
		{"#matrix-dev:example.org", "M"},
	}
	for _, tt := range tests {
		got := Initials(tt.in)
		if got != tt.want {
			t.Errorf("Initials(%q) = %q, want %q", clipRunes(tt.in), got, tt.want)
		}
		if len(got) > 64 {
			t.Errorf("Initials(%q) is %d bytes", clipRunes(tt.in), len(got))
		}
	}
}

func clipRunes(s string) string {
	if r := []rune(s); len(r) > 12 {
		return string(r[:12]) + "…"
	}
	return s
}

// FuzzInitials: initials are short whatever the name.
func FuzzInitials(f *testing.F) {
	for _, s := range []string{"Matrix Go Chat", "e\u0301\u0301\u0301", "👨\u200d👩", "🇫🇷", "#a:b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got := Initials(name); len(got) > 2*4*maxClusterRunes || got == "" {
			t.Fatalf("Initials(%q) = %q", name, got)
		}
	})
}

func TestCardError(t *testing.T) {
	for _, tt := range []struct {
		code autherr.Code
		want string
	}{
		{autherr.NotFound, "This room is private or does not exist."},
		{autherr.Forbidden, "This room cannot be previewed without joining it."},
		{autherr.Network, "Can't reach the room's server. Try again later."},
		{autherr.Timeout, "Can't reach the room's server. Try again later."},
		{autherr.ServerError, CardErrorDefault},
	} {
		if got := CardError(&autherr.Error{Code: tt.code}); got != tt.want {
			t.Errorf("CardError(%s) = %q, want %q", tt.code, got, tt.want)
		}
	}
	if got := CardError(errors.New("plain")); got != CardErrorDefault {
		t.Errorf("plain error: %q", got)
	}
}
