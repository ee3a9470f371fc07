package room_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

// v12 is a room version 12 room id: the sigil and a 43-character hash.
const v12 = "!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM"

func TestParseRoomRef(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want room.Ref
	}{
		{name: "room id", in: "!abc:example.org", want: room.Ref{ID: "!abc:example.org"}},
		{name: "room id with spaces around", in: "  !abc:example.org\n", want: room.Ref{ID: "!abc:example.org"}},
		{name: "room version 12 id", in: v12, want: room.Ref{ID: v12}},
		{name: "alias", in: "#room:example.org", want: room.Ref{Alias: "#room:example.org"}},
		{name: "alias with port", in: "#room:example.org:8448", want: room.Ref{Alias: "#room:example.org:8448"}},
		{name: "alias on ipv6", in: "#room:[::1]:8448", want: room.Ref{Alias: "#room:[::1]:8448"}},
		{name: "alias on ipv4", in: "#room:1.2.3.4", want: room.Ref{Alias: "#room:1.2.3.4"}},
		{name: "percent-encoded alias", in: "%23room%3Aexample.org", want: room.Ref{Alias: "#room:example.org"}},
		{name: "percent-encoded id", in: "%21abc%3Aexample.org", want: room.Ref{ID: "!abc:example.org"}},
		{name: "unicode alias", in: "#café:example.org", want: room.Ref{Alias: "#café:example.org"}},

		{name: "matrix.to encoded alias", in: "https://matrix.to/#/%23somewhere%3Aexample.org",
			want: room.Ref{Alias: "#somewhere:example.org"}},
		{name: "matrix.to raw alias", in: "https://matrix.to/#/#somewhere:example.org",
			want: room.Ref{Alias: "#somewhere:example.org"}},
		{name: "matrix.to id with via", in: "https://matrix.to/#/!somewhere%3Aexample.org?via=elsewhere.ca",
			want: room.Ref{ID: "!somewhere:example.org", Via: []string{"elsewhere.ca"}}},
		{name: "matrix.to event with vias", in: "https://matrix.to/#/!somewhere%3Aexample.org/%24event%3Aexample.org?via=elsewhere.ca&via=other.org:8448",
			want: room.Ref{ID: "!somewhere:example.org", EventID: "$event:example.org", Via: []string{"elsewhere.ca", "other.org:8448"}}},
		{name: "matrix.to raw event under alias", in: "https://matrix.to/#/#somewhere:example.org/$event:example.org",
			want: room.Ref{Alias: "#somewhere:example.org", EventID: "$event:example.org"}},
		{name: "matrix.to event with a slash", in: "https://matrix.to/#/!r:x.org/$abc/def+g",
			want: room.Ref{ID: "!r:x.org", EventID: "$abc/def+g"}},
		{name: "matrix.to duplicate via", in: "https://matrix.to/#/!r:x.org?via=a.org&via=a.org&via=b.org",
			want: room.Ref{ID: "!r:x.org", Via: []string{"a.org", "b.org"}}},
		{name: "matrix.to client params ignored", in: "https://matrix.to/#/#r:x.org?client=im.fluffychat&web-instance[element.io]=chat.x.org",
			want: room.Ref{Alias: "#r:x.org"}},
		{name: "matrix.to without scheme", in: "matrix.to/#/#r:x.org", want: room.Ref{Alias: "#r:x.org"}},
		{name: "matrix.to upper case", in: "HTTPS://MATRIX.TO/#/#r:x.org", want: room.Ref{Alias: "#r:x.org"}},
		{name: "matrix.to trailing slash", in: "https://matrix.to/#/#r:x.org/", want: room.Ref{Alias: "#r:x.org"}},
		{name: "matrix.to v12 id", in: "https://matrix.to/#/" + v12 + "?via=x.org", want: room.Ref{ID: v12, Via: []string{"x.org"}}},

		{name: "matrix: alias", in: "matrix:r/somewhere:example.org", want: room.Ref{Alias: "#somewhere:example.org"}},
		{name: "matrix: id with via", in: "matrix:roomid/somewhere:example.org?via=elsewhere.ca",
			want: room.Ref{ID: "!somewhere:example.org", Via: []string{"elsewhere.ca"}}},
		{name: "matrix: alias event", in: "matrix:r/somewhere:example.org/e/event",
			want: room.Ref{Alias: "#somewhere:example.org", EventID: "$event"}},
		{name: "matrix: id event via action", in: "matrix:roomid/somewhere:example.org/e/event?via=elsewhere.ca&action=join",
			want: room.Ref{ID: "!somewhere:example.org", EventID: "$event", Via: []string{"elsewhere.ca"}, Action: "join"}},
		{name: "matrix: case-insensitive scheme and type", in: "MATRIX:R/somewhere:example.org/E/ev",
			want: room.Ref{Alias: "#somewhere:example.org", EventID: "$ev"}},
		{name: "matrix: legacy room is an alias", in: "matrix:room/somewhere:example.org", want: room.Ref{Alias: "#somewhere:example.org"}},
		{name: "matrix: legacy event", in: "matrix:roomid/x:y.org/event/ev", want: room.Ref{ID: "!x:y.org", EventID: "$ev"}},
		{name: "matrix: authority skipped", in: "matrix://example.org/r/x:y.org", want: room.Ref{Alias: "#x:y.org"}},
		{name: "matrix: last action wins", in: "matrix:r/x:y.org?action=join&action=chat", want: room.Ref{Alias: "#x:y.org", Action: "chat"}},
		{name: "matrix: unknown last action ignored", in: "matrix:r/x:y.org?action=join&action=bogus", want: room.Ref{Alias: "#x:y.org"}},
		{name: "matrix: encoded slash in id", in: "matrix:roomid/a%2Fb:y.org", want: room.Ref{ID: "!a/b:y.org"}},
		{name: "matrix: fragment ignored", in: "matrix:r/x:y.org#frag", want: room.Ref{Alias: "#x:y.org"}},
		{name: "matrix: v12 id", in: "matrix:roomid/" + v12[1:] + "?via=y.org", want: room.Ref{ID: v12, Via: []string{"y.org"}}},

		{name: "element alias", in: "https://app.element.io/#/room/#room:x.org", want: room.Ref{Alias: "#room:x.org"}},
		{name: "element id event via", in: "https://app.element.io/#/room/!abc:x.org/$ev?via=x.org",
			want: room.Ref{ID: "!abc:x.org", EventID: "$ev", Via: []string{"x.org"}}},
		{name: "element under a path, encoded", in: "https://chat.example.com/element/#/room/%23room%3Ax.org",
			want: room.Ref{Alias: "#room:x.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := room.ParseRoomRef(tt.in)
			if err != nil {
				t.Fatalf("ParseRoomRef(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseRoomRef(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			assertRoundTrip(t, got)
		})
	}
}

func TestParseRoomRefRejects(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{name: "empty", in: "", reason: "empty room reference"},
		{name: "blank", in: "  \t", reason: "empty room reference"},
		{name: "user id", in: "@alice:example.org", reason: "user id"},
		{name: "group id", in: "+group:example.org", reason: "group"},
		{name: "event id alone", in: "$event:example.org", reason: "event id"},
		{name: "no sigil", in: "room:example.org", reason: "want ! or # first"},
		{name: "alias without server", in: "#room", reason: "no server name"},
		{name: "alias with empty name", in: "#:example.org", reason: "empty name"},
		{name: "id with empty opaque part", in: "!:example.org", reason: "empty opaque part"},
		{name: "id without server, not v12", in: "!abc", reason: "no server name"},
		{name: "v12 id of wrong characters", in: "!" + strings.Repeat("a", 42) + "=", reason: "no server name"},
		{name: "white space", in: "#room:exa mple.org", reason: "white space"},
		{name: "bad server name", in: "#room:bad_server", reason: "bad server name"},
		{name: "bad port", in: "#room:x.org:99x", reason: "bad server name"},
		{name: "long port", in: "#room:x.org:123456", reason: "bad server name"},
		{name: "empty port", in: "#room:x.org:", reason: "bad server name"},
		{name: "bad ipv6", in: "#room:[zz::1]", reason: "bad server name"},
		{name: "control character", in: "#ro\x00om:x.org", reason: "control character"},
		{name: "broken utf-8", in: "#ro\xffom:x.org", reason: "UTF-8"},
		{name: "alias over 255 bytes", in: "#" + strings.Repeat("a", 250) + ":x.org", reason: "longer than 255 bytes"},
		{name: "input over 4096 bytes", in: strings.Repeat("a", 5000), reason: "longer than 4096 bytes"},
		{name: "bad percent-encoding", in: "%zz", reason: "percent-encoding"},
		{name: "matrix.to user", in: "https://matrix.to/#/@alice:example.org", reason: "user id"},
		{name: "matrix.to encoded user", in: "https://matrix.to/#/%40alice%3Aexample.org", reason: "user id"},
		{name: "matrix.to group", in: "https://matrix.to/#/%2Bgroup:x.org", reason: "group"},
		{name: "matrix.to without fragment", in: "https://matrix.to/", reason: "no #/ part"},
		{name: "matrix.to without slash", in: "https://matrix.to/#room:x.org", reason: "want #/"},
		{name: "matrix.to empty identifier", in: "https://matrix.to/#/", reason: "empty room id or alias"},
		{name: "matrix.to non-event second part", in: "https://matrix.to/#/#r:x.org/notanevent", reason: "not an event id"},
		{name: "matrix.to empty event", in: "https://matrix.to/#/#r:x.org/$", reason: "empty event id"},
		{name: "matrix.to bad via", in: "https://matrix.to/#/#r:x.org?via=bad_host", reason: "via"},
		{name: "matrix.to empty via", in: "https://matrix.to/#/#r:x.org?via=", reason: "via"},
		{name: "matrix.to bad encoding", in: "https://matrix.to/#/%23r%3", reason: "percent-encoding"},
		{name: "element user", in: "https://app.element.io/#/user/@a:x.org", reason: "names a user"},
		{name: "element settings", in: "https://app.element.io/#/settings", reason: "neither"},
		{name: "bad link host", in: "https:///#/room/#r:x.org", reason: "not an http(s) URL"},
		{name: "matrix: user", in: "matrix:u/alice:example.org", reason: "names a user"},
		{name: "matrix: legacy user", in: "matrix:user/alice:example.org?action=chat", reason: "names a user"},
		{name: "matrix: three segments", in: "matrix:r/x:y.org/e", reason: "3 segments"},
		{name: "matrix: one segment", in: "matrix:r", reason: "1 segments"},
		{name: "matrix: five segments", in: "matrix:r/x:y.org/e/ev/extra", reason: "5 segments"},
		{name: "matrix: empty id", in: "matrix:r/", reason: "empty path segment"},
		{name: "matrix: empty event", in: "matrix:r/x:y.org/e/", reason: "empty path segment"},
		{name: "matrix: group type", in: "matrix:group/x:y.org", reason: "not a room type"},
		{name: "matrix: bad event type", in: "matrix:r/x:y.org/u/ev", reason: "not e (event)"},
		{name: "matrix: authority only", in: "matrix://auth", reason: "no path"},
		{name: "matrix: id without server", in: "matrix:roomid/abc", reason: "no server name"},
		{name: "matrix: bad via encoding", in: "matrix:r/x:y.org?via=%zz", reason: "percent-encoding"},
		{name: "matrix: bad id encoding", in: "matrix:r/x%zz:y.org", reason: "percent-encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := room.ParseRoomRef(tt.in)
			if err == nil {
				t.Fatalf("ParseRoomRef(%q) = %#v, want an error", tt.in, got)
			}
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != autherr.InvalidInput {
				t.Fatalf("ParseRoomRef(%q) error %v: got code %q, want invalid_input", tt.in, err, autherr.CodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("ParseRoomRef(%q) error %q: want it to say %q", tt.in, err, tt.reason)
			}
			if !strings.Contains(err.Error(), "room: ") {
				t.Errorf("error %q: want the room: prefix", err)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long, want it clipped", len(err.Error()))
			}
		})
	}
}

func TestRefPrint(t *testing.T) {
	tests := []struct {
		name     string
		ref      room.Ref
		matrixTo string
		uri      string
		str      string
	}{
		{name: "alias", ref: room.Ref{Alias: "#somewhere:example.org"},
			matrixTo: "https://matrix.to/#/%23somewhere%3Aexample.org",
			uri:      "matrix:r/somewhere:example.org", str: "#somewhere:example.org"},
		{name: "id with via", ref: room.Ref{ID: "!somewhere:example.org", Via: []string{"elsewhere.ca"}},
			matrixTo: "https://matrix.to/#/!somewhere%3Aexample.org?via=elsewhere.ca",
			uri:      "matrix:roomid/somewhere:example.org?via=elsewhere.ca", str: "!somewhere:example.org"},
		{name: "event, two vias, action", ref: room.Ref{ID: "!s:example.org", EventID: "$ev/x", Via: []string{"a.org", "[::1]:80"}, Action: "join"},
			matrixTo: "https://matrix.to/#/!s%3Aexample.org/%24ev%2Fx?via=a.org&via=%5B::1%5D:80&action=join",
			uri:      "matrix:roomid/s:example.org/e/ev%2Fx?via=a.org&via=%5B::1%5D:80&action=join", str: "!s:example.org/$ev/x"},
		{name: "zero", ref: room.Ref{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ref.MatrixTo(); got != tt.matrixTo {
				t.Errorf("MatrixTo() got %q want %q", got, tt.matrixTo)
			}
			if got := tt.ref.URI(); got != tt.uri {
				t.Errorf("URI() got %q want %q", got, tt.uri)
			}
			if got := tt.ref.String(); got != tt.str {
				t.Errorf("String() got %q want %q", got, tt.str)
			}
		})
	}
}

// assertRoundTrip checks that both printed forms parse back to ref.
func assertRoundTrip(t *testing.T, ref room.Ref) {
	t.Helper()
	for _, s := range []string{ref.MatrixTo(), ref.URI()} {
		back, err := room.ParseRoomRef(s)
		if err != nil {
			t.Fatalf("ParseRoomRef(%q) of printed %#v: %v", s, ref, err)
		}
		if !reflect.DeepEqual(back, ref) {
			t.Fatalf("round trip through %q\n got %#v\nwant %#v", s, back, ref)
		}
	}
}

func FuzzParseRoomRef(f *testing.F) {
	for _, s := range []string{
		"#room:example.org", "!abc:example.org", v12, "%23room%3Aexample.org",
		"https://matrix.to/#/!somewhere%3Aexample.org/%24event%3Aexample.org?via=elsewhere.ca",
		"https://matrix.to/#/#somewhere:example.org/$event:example.org",
		"matrix:roomid/somewhere:example.org/e/event?via=elsewhere.ca&action=join",
		"matrix://a/r/x:y.org", "https://app.element.io/#/room/#room:x.org",
		"@alice:example.org", "matrix:u/alice:example.org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := room.ParseRoomRef(s)
		if err != nil {
			if autherr.CodeOf(err) != autherr.InvalidInput {
				t.Fatalf("ParseRoomRef(%q): error %v has code %q, want invalid_input", s, err, autherr.CodeOf(err))
			}
			return
		}
		if (ref.ID == "") == (ref.Alias == "") {
			t.Fatalf("ParseRoomRef(%q) = %#v: want exactly one of ID and Alias", s, ref)
		}
		assertRoundTrip(t, ref)
	})
}
