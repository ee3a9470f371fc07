package room_test

import (
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/room"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestBadgeGolden(t *testing.T) {
	s := &room.Summary{RoomID: "!abc:example.org", CanonicalAlias: "#mxauth:example.org", NumJoinedMembers: 1234}
	tests := []struct {
		name string
		s    *room.Summary
		opts room.BadgeOptions
	}{
		{name: "flat", s: s},
		{name: "dark", s: s, opts: room.BadgeOptions{Style: "dark"}},
		{name: "alias", s: s, opts: room.BadgeOptions{UseAlias: true}},
		{name: "one-member", s: &room.Summary{RoomID: "!a:b.c", NumJoinedMembers: 1}, opts: room.BadgeOptions{Label: "chat"}},
		{name: "escaped", s: &room.Summary{RoomID: "!a:b.c", NumJoinedMembers: 12_345_678}, opts: room.BadgeOptions{Label: `<script>alert("x")</script> & 'co'`}},
		{name: "unavailable", s: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := room.Badge(tt.s, tt.opts)
			if again := room.Badge(tt.s, tt.opts); again != got {
				t.Fatal("Badge is not deterministic")
			}
			checkSVG(t, got)
			path := filepath.Join("testdata", "badge-"+tt.name+".svg")
			if *update {
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestBadgeGolden -update)", err)
			}
			if got+"\n" != string(want) {
				t.Errorf("Badge differs from %s (run with -update after checking it)\n got %s\nwant %s", path, got, want)
			}
		})
	}
}

// checkSVG parses the badge as XML and checks what screen readers need.
func checkSVG(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var title string
	inTitle := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("badge is not well-formed XML: %v\n%s", err, svg)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if x.Name.Local == "script" {
				t.Fatalf("badge holds a <script> element")
			}
			inTitle = x.Name.Local == "title"
		case xml.CharData:
			if inTitle {
				title += string(x)
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	if title == "" {
		t.Error("badge has no <title>")
	}
	for _, want := range []string{`role="img"`, `aria-label="`} {
		if !strings.Contains(svg, want) {
			t.Errorf("badge lacks %s", want)
		}
	}
}

func TestBadgeLabels(t *testing.T) {
	s := &room.Summary{RoomID: "!a:b.c", CanonicalAlias: "#room:b.c", NumJoinedMembers: 5}
	tests := []struct {
		name string
		s    *room.Summary
		opts room.BadgeOptions
		want string
	}{
		{name: "default", s: s, want: "[matrix]: 5 members"},
		{name: "alias", s: s, opts: room.BadgeOptions{UseAlias: true}, want: "#room:b.c: 5 members"},
		{name: "label beats alias", s: s, opts: room.BadgeOptions{UseAlias: true, Label: "chat"}, want: "chat: 5 members"},
		{name: "alias wanted, none there", s: &room.Summary{RoomID: "!a:b.c"}, opts: room.BadgeOptions{UseAlias: true}, want: "[matrix]: 0 members"},
		{name: "control characters and spaces", s: s, opts: room.BadgeOptions{Label: " a\x00\n  b "}, want: "a b: 5 members"},
		{name: "long label clipped", s: s, opts: room.BadgeOptions{Label: strings.Repeat("x", 100)}, want: strings.Repeat("x", 48) + "…: 5 members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := room.Badge(tt.s, tt.opts)
			if !strings.Contains(svg, "<title>"+tt.want+"</title>") {
				t.Errorf("got %s\nwant title %q", svg, tt.want)
			}
		})
	}
}

func TestBadgeWidthGrows(t *testing.T) {
	width := func(label string) int {
		svg := room.Badge(&room.Summary{RoomID: "!a:b.c"}, room.BadgeOptions{Label: label})
		_, rest, _ := strings.Cut(svg, `width="`)
		w, _, _ := strings.Cut(rest, `"`)
		n, err := strconv.Atoi(w)
		if err != nil {
			t.Fatalf("width %q: %v", w, err)
		}
		return n
	}
	if a, b := width("iii"), width("WWW"); a >= b {
		t.Errorf("width of iii %d, of WWW %d: want WWW wider", a, b)
	}
	if a, b := width("ab"), width("漢字"); a >= b {
		t.Errorf("width of ab %d, of 漢字 %d: want CJK wider", a, b)
	}
}

func TestFormatMembers(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{name: "zero", n: 0, want: "0 members"},
		{name: "one", n: 1, want: "1 member"},
		{name: "two", n: 2, want: "2 members"},
		{name: "999", n: 999, want: "999 members"},
		{name: "1000", n: 1000, want: "1k members"},
		{name: "1234", n: 1234, want: "1.2k members"},
		{name: "1999 rounds down", n: 1999, want: "1.9k members"},
		{name: "12345", n: 12345, want: "12k members"},
		{name: "999999", n: 999_999, want: "999k members"},
		{name: "1.2M", n: 1_234_567, want: "1.2M members"},
		{name: "12M", n: 12_345_678, want: "12M members"},
		{name: "3G", n: 3_000_000_000, want: "3G members"},
		{name: "negative", n: -5, want: "0 members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := room.FormatMembers(tt.n); got != tt.want {
				t.Errorf("FormatMembers(%d) got %q want %q", tt.n, got, tt.want)
			}
		})
	}
}
