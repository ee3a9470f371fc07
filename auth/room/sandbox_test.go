package room_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// The sandbox homeserver (auth/sandbox) serves every room preview path with
// switches; these tests run Summary over net/http against it.

func newSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Server {
	t.Helper()
	s, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sandboxToken(t *testing.T, s *sandbox.Server, user string) func(context.Context) (string, error) {
	t.Helper()
	tok, err := s.IssueTokens(user, "ROOMTESTDEVICE", "")
	if err != nil {
		t.Fatal(err)
	}
	return func(context.Context) (string, error) { return tok.AccessToken, nil }
}

// roomRequests counts the room-preview requests in the sandbox's log.
func roomRequests(s *sandbox.Server) int {
	n := 0
	for _, r := range s.Log() {
		if strings.HasPrefix(r.Path, "/_matrix/client/") {
			n++
		}
	}
	return n
}

func TestSandboxFixtures(t *testing.T) {
	s := newSandbox(t, sandbox.Config{})
	c := &room.Client{Fetch: httpfetch.New(nil)}
	for _, fx := range s.Rooms() {
		if fx.Key == sandbox.RoomPrivate {
			continue
		}
		t.Run(fx.Key, func(t *testing.T) {
			ref, err := room.ParseRoomRef(fx.Alias)
			if err != nil {
				t.Fatal(err)
			}
			// No server given: the alias's loopback server, over http.
			got, err := c.Summary(context.Background(), ref, room.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != room.SourceRoomSummary {
				t.Errorf("source got %q want room_summary", got.Source)
			}
			if got.RoomID != fx.ID || got.Name != fx.Name || got.Topic != fx.Topic || got.AvatarURL != fx.AvatarURL ||
				got.NumJoinedMembers != int64(fx.Members) || got.JoinRule != fx.JoinRule || got.RoomType != fx.RoomType ||
				got.RoomVersion != fx.RoomVersion || got.Encryption != fx.Encryption ||
				got.WorldReadable != fx.WorldReadable || got.GuestCanJoin != fx.GuestCanJoin || got.CanonicalAlias != fx.Alias {
				t.Errorf("got %#v\nwant fixture %#v", got, fx)
			}
			if got.Membership != "" {
				t.Errorf("membership %q without a token, want none", got.Membership)
			}
			svg := room.Badge(got, room.BadgeOptions{UseAlias: true})
			if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") {
				t.Errorf("badge carries markup from the room: %s", svg)
			}
		})
	}
	hostile, _ := s.Room(sandbox.RoomHostile)
	got, err := c.Summary(context.Background(), room.Ref{ID: hostile.ID}, room.Options{Server: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != sandbox.HostileText {
		t.Errorf("hostile name got %q, want it kept verbatim as text", got.Name)
	}
	if svg := room.Badge(got, room.BadgeOptions{Label: got.Name}); strings.Contains(svg, "<script") {
		t.Errorf("badge with the hostile name as label is not escaped: %s", svg)
	}
}

func TestSandboxPaths(t *testing.T) {
	tests := []struct {
		name     string
		off      []string
		anonDir  bool // PublicRoomsWithoutAuth
		dendrite bool // HierarchyMembersOnly and PublicRoomsWithoutAuth, as Dendrite
		token    bool
		key      string
		byID     bool
		want     room.Source
		code     autherr.Code
		requests int // room-preview requests of the first call
	}{
		{name: "stable", key: sandbox.RoomKnock, want: room.SourceRoomSummary, requests: 1},
		{name: "unstable summary", off: []string{sandbox.OffRoomSummary}, key: sandbox.RoomKnock, want: room.SourceUnstableSummary, requests: 2},
		{name: "unstable rooms summary", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary}, key: sandbox.RoomKnock,
			want: room.SourceUnstableSummary, requests: 3},
		{name: "hierarchy (Dendrite)", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms},
			token: true, key: sandbox.RoomSpace, want: room.SourceHierarchy, requests: 5},
		{name: "hierarchy by id needs no directory", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms},
			token: true, key: sandbox.RoomPublic, byID: true, want: room.SourceHierarchy, requests: 4},
		{name: "hierarchy 403 to a non-member, then the directory (Dendrite)", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms},
			dendrite: true, token: true, key: sandbox.RoomKnock, want: room.SourcePublicRooms, requests: 6},
		{name: "filtered POST public rooms", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms, sandbox.OffHierarchy},
			token: true, key: sandbox.RoomPublic, want: room.SourcePublicRooms, requests: 6},
		{name: "unfiltered POST public rooms by id", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms, sandbox.OffHierarchy},
			token: true, key: sandbox.RoomKnock, byID: true, want: room.SourcePublicRooms, requests: 5},
		{name: "anonymous GET public rooms where allowed", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms},
			anonDir: true, key: sandbox.RoomPublic, want: room.SourcePublicRooms, requests: 4},
		{name: "anonymous GET public rooms refused (Synapse default)", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms},
			key: sandbox.RoomPublic, code: autherr.Forbidden, requests: 4},
		{name: "nothing there", off: []string{sandbox.OffRoomSummary, sandbox.OffUnstableSummary, sandbox.OffUnstableSummaryRooms, sandbox.OffHierarchy, sandbox.OffPublicRooms},
			token: true, key: sandbox.RoomPublic, code: autherr.ServerError, requests: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := map[string]bool{}
			for _, k := range tt.off {
				off[k] = true
			}
			s := newSandbox(t, sandbox.Config{Off: off, PublicRoomsWithoutAuth: tt.anonDir || tt.dendrite, HierarchyMembersOnly: tt.dendrite})
			c := &room.Client{Fetch: httpfetch.New(nil)}
			if tt.token {
				c.AccessToken = sandboxToken(t, s, "bob")
			}
			fx, _ := s.Room(tt.key)
			ref := room.Ref{Alias: fx.Alias}
			if tt.byID {
				ref = room.Ref{ID: fx.ID}
			}
			s.ResetLog()
			got, err := c.Summary(context.Background(), ref, room.Options{Server: s.URL()})
			if n := roomRequests(s); n != tt.requests {
				t.Errorf("requests got %d want %d: %+v", n, tt.requests, s.Log())
			}
			if tt.code != "" {
				if autherr.CodeOf(err) != tt.code {
					t.Fatalf("error %v: got code %q want %q", err, autherr.CodeOf(err), tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != tt.want {
				t.Errorf("source got %q want %q", got.Source, tt.want)
			}
			if got.RoomID != fx.ID || got.NumJoinedMembers != int64(fx.Members) || got.Name != fx.Name {
				t.Errorf("got %#v, want fixture %s", got, fx.Key)
			}
			if tt.want != room.SourceHierarchy && tt.want != room.SourcePublicRooms && got.Encryption != fx.Encryption {
				t.Errorf("encryption got %q want %q (unstable names read?)", got.Encryption, fx.Encryption)
			}
			// The next card asks once.
			s.ResetLog()
			if _, err := c.Summary(context.Background(), ref, room.Options{Server: s.URL()}); err != nil {
				t.Fatal(err)
			}
			want := 1
			if tt.want == room.SourceHierarchy && !tt.byID {
				want = 2 // the alias is resolved again before the hierarchy
			}
			if n := roomRequests(s); n != want {
				t.Errorf("second call: requests got %d want %d: %+v", n, want, s.Log())
			}
		})
	}
}

func TestSandboxUnknownRooms(t *testing.T) {
	tests := []struct {
		name   string
		status int
		key    string
		token  string
		code   autherr.Code
	}{
		{name: "unknown alias, Synapse", status: 404, code: autherr.NotFound},
		{name: "unknown alias, continuwuity", status: 403, code: autherr.Forbidden},
		{name: "private room, Synapse", status: 404, key: sandbox.RoomPrivate, code: autherr.NotFound},
		{name: "private room, continuwuity", status: 403, key: sandbox.RoomPrivate, code: autherr.Forbidden},
		{name: "private room, not a member", status: 404, key: sandbox.RoomPrivate, token: "bob", code: autherr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox(t, sandbox.Config{UnknownRoomStatus: tt.status})
			c := &room.Client{Fetch: httpfetch.New(nil)}
			if tt.token != "" {
				c.AccessToken = sandboxToken(t, s, tt.token)
			}
			ref := room.Ref{Alias: "#nope:" + s.ServerName()}
			if tt.key != "" {
				fx, _ := s.Room(tt.key)
				ref = room.Ref{Alias: fx.Alias}
			}
			_, err := c.Summary(context.Background(), ref, room.Options{Server: s.URL()})
			if autherr.CodeOf(err) != tt.code {
				t.Fatalf("error %v: got code %q want %q", err, autherr.CodeOf(err), tt.code)
			}
			if n := roomRequests(s); n != 1 {
				t.Errorf("requests got %d want 1: the answer ends the chain", n)
			}
		})
	}
}

func TestSandboxMemberSeesPrivateRoom(t *testing.T) {
	s := newSandbox(t, sandbox.Config{})
	c := &room.Client{Fetch: httpfetch.New(nil), AccessToken: sandboxToken(t, s, s.Users()[0])}
	fx, _ := s.Room(sandbox.RoomPrivate)
	got, err := c.Summary(context.Background(), room.Ref{Alias: fx.Alias}, room.Options{Server: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if got.RoomID != fx.ID || got.Membership != "join" || got.JoinRule != "invite" {
		t.Errorf("got %#v, want the private room with membership join", got)
	}
	if n := roomRequests(s); n != 1 {
		t.Errorf("requests got %d want 1", n)
	}
}

func TestSandboxSwitchOffLater(t *testing.T) {
	s := newSandbox(t, sandbox.Config{})
	c := &room.Client{Fetch: httpfetch.New(nil)}
	fx, _ := s.Room(sandbox.RoomPublic)
	ref := room.Ref{Alias: fx.Alias}
	if _, err := c.Summary(context.Background(), ref, room.Options{}); err != nil {
		t.Fatal(err)
	}
	// The server loses the stable endpoint: the remembered step fails over.
	s.SetOff(sandbox.OffRoomSummary, true)
	got, err := c.Summary(context.Background(), ref, room.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != room.SourceUnstableSummary {
		t.Errorf("source got %q want unstable_summary", got.Source)
	}
}
