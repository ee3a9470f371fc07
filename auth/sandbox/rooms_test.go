package sandbox

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"testing"
)

// roomPaths are the summary paths with the Off key of each.
var roomPaths = []struct {
	name, off string
	path      func(ref string) string
	unstable  bool
}{
	{"stable", OffRoomSummary, func(ref string) string { return "/_matrix/client/v1/room_summary/" + url.PathEscape(ref) + "?via=x" }, false},
	{"unstable", OffUnstableSummary, func(ref string) string {
		return "/_matrix/client/unstable/im.nheko.summary/summary/" + url.PathEscape(ref)
	}, true},
	{"unstable rooms", OffUnstableSummaryRooms, func(ref string) string {
		return "/_matrix/client/unstable/im.nheko.summary/rooms/" + url.PathEscape(ref) + "/summary"
	}, true},
}

func TestRoomSummaryPaths(t *testing.T) {
	s := newSandbox(t, Config{})
	sn := s.ServerName()
	for _, p := range roomPaths {
		tests := []struct {
			name    string
			ref     string
			status  int
			errcode string
			fields  map[string]any
		}{
			{name: "public by alias", ref: RoomAlias(RoomPublic, sn), status: 200, fields: map[string]any{
				"room_id": RoomID(RoomPublic, sn), "num_joined_members": float64(1234), "join_rule": "public",
				"avatar_url": "mxc://" + sn + "/" + MediaID(RoomPublic), "world_readable": true, "guest_can_join": false,
			}},
			{name: "knock by id", ref: RoomID(RoomKnock, sn), status: 200, fields: map[string]any{"join_rule": "knock"}},
			{name: "space", ref: RoomAlias(RoomSpace, sn), status: 200, fields: map[string]any{"room_type": "m.space"}},
			{name: "hostile", ref: RoomAlias(RoomHostile, sn), status: 200, fields: map[string]any{"name": HostileText}},
			{name: "private hidden", ref: RoomAlias(RoomPrivate, sn), status: 404, errcode: "M_NOT_FOUND"},
			{name: "unknown", ref: "!nope:" + sn, status: 404, errcode: "M_NOT_FOUND"},
			{name: "not a room ref", ref: "nope", status: 400, errcode: "M_INVALID_PARAM"},
		}
		for _, tc := range tests {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				r := do(t, "GET", s.URL()+p.path(tc.ref), nil, "")
				if r.status != tc.status {
					t.Fatalf("got %d %s want %d", r.status, r.body, tc.status)
				}
				m := r.json(t)
				if tc.errcode != "" && m["errcode"] != tc.errcode {
					t.Errorf("got errcode %v want %s", m["errcode"], tc.errcode)
				}
				for k, want := range tc.fields {
					if m[k] != want {
						t.Errorf("got %s %v want %v", k, m[k], want)
					}
				}
				if tc.status == 200 {
					if _, ok := m["membership"]; ok {
						t.Errorf("got membership without a token")
					}
					stableKey, unstableKey := "room_version", "im.nheko.summary.room_version"
					if p.unstable {
						stableKey, unstableKey = unstableKey, stableKey
					}
					if _, ok := m[stableKey]; !ok {
						t.Errorf("got no %s", stableKey)
					}
					if _, ok := m[unstableKey]; ok {
						t.Errorf("got %s on this path", unstableKey)
					}
				}
			})
		}
		t.Run(p.name+"/off", func(t *testing.T) {
			s.SetOff(p.off, true)
			defer s.SetOff(p.off, false)
			r := do(t, "GET", s.URL()+p.path(RoomAlias(RoomPublic, sn)), nil, "")
			if r.status != 404 || r.json(t)["errcode"] != "M_UNRECOGNIZED" {
				t.Errorf("got %d %s want 404 M_UNRECOGNIZED", r.status, r.body)
			}
		})
	}
}

func TestRoomVisibility(t *testing.T) {
	tests := []struct {
		name       string
		status     int // UnknownRoomStatus
		user       string
		ref        func(sn string) string
		wantStatus int
		errcode    string
		membership string
	}{
		{"continuwuity unknown", 403, "", func(sn string) string { return "!nope:" + sn }, 403, "M_FORBIDDEN", ""},
		{"continuwuity private", 403, "bob", func(sn string) string { return RoomAlias(RoomPrivate, sn) }, 403, "M_FORBIDDEN", ""},
		{"synapse private non-member", 404, "bob", func(sn string) string { return RoomAlias(RoomPrivate, sn) }, 404, "M_NOT_FOUND", ""},
		{"private member", 404, "alice", func(sn string) string { return RoomAlias(RoomPrivate, sn) }, 200, "", "join"},
		{"public non-member", 404, "bob", func(sn string) string { return RoomAlias(RoomPublic, sn) }, 200, "", "leave"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t, Config{UnknownRoomStatus: tc.status})
			token := ""
			if tc.user != "" {
				tok, err := s.IssueTokens(tc.user, "ROOMDEVICE1", "")
				if err != nil {
					t.Fatal(err)
				}
				token = tok.AccessToken
			}
			r := do(t, "GET", s.URL()+"/_matrix/client/v1/room_summary/"+url.PathEscape(tc.ref(s.ServerName())), nil, token)
			if r.status != tc.wantStatus {
				t.Fatalf("got %d %s want %d", r.status, r.body, tc.wantStatus)
			}
			m := r.json(t)
			if tc.errcode != "" && m["errcode"] != tc.errcode {
				t.Errorf("got errcode %v want %s", m["errcode"], tc.errcode)
			}
			if tc.membership != "" && m["membership"] != tc.membership {
				t.Errorf("got membership %v want %s", m["membership"], tc.membership)
			}
		})
	}
	t.Run("bad token is 401", func(t *testing.T) {
		s := newSandbox(t, Config{})
		r := do(t, "GET", s.URL()+"/_matrix/client/v1/room_summary/"+url.PathEscape(RoomAlias(RoomPublic, s.ServerName())), nil, "mat_bad")
		if r.status != 401 {
			t.Errorf("got %d want 401", r.status)
		}
	})
}

func TestHierarchyDirectoryPublicRooms(t *testing.T) {
	s := newSandbox(t, Config{})
	sn := s.ServerName()
	tok, err := s.IssueTokens("bob", "HIERDEVICE1", "")
	if err != nil {
		t.Fatal(err)
	}
	at := tok.AccessToken
	hier := "/_matrix/client/v1/rooms/" + url.PathEscape(RoomID(RoomSpace, sn)) + "/hierarchy"
	tests := []struct {
		name    string
		off     string
		method  string
		path    string
		body    any
		token   string
		status  int
		errcode string
		check   func(t *testing.T, m map[string]any)
	}{
		{name: "hierarchy", off: OffHierarchy, method: "GET", path: hier, token: at, status: 200, check: func(t *testing.T, m map[string]any) {
			rooms := m["rooms"].([]any)
			// space + public, knock, hostile; private is hidden from bob.
			if len(rooms) != 4 {
				t.Errorf("got %d rooms want 4", len(rooms))
			}
			if cs := rooms[0].(map[string]any)["children_state"].([]any); len(cs) != 4 {
				t.Errorf("got %d children_state want 4", len(cs))
			}
		}},
		{name: "hierarchy needs token", method: "GET", path: hier, status: 401, errcode: "M_MISSING_TOKEN"},
		{name: "hierarchy unknown", method: "GET", path: "/_matrix/client/v1/rooms/" + url.PathEscape("!x:"+sn) + "/hierarchy", token: at, status: 404, errcode: "M_NOT_FOUND"},
		{name: "directory", off: OffDirectory, method: "GET", path: "/_matrix/client/v3/directory/room/" + url.PathEscape(RoomAlias(RoomPublic, sn)), status: 200, check: func(t *testing.T, m map[string]any) {
			if m["room_id"] != RoomID(RoomPublic, sn) {
				t.Errorf("got room_id %v", m["room_id"])
			}
		}},
		{name: "directory unknown", method: "GET", path: "/_matrix/client/v3/directory/room/" + url.PathEscape("#nope:"+sn), status: 404, errcode: "M_NOT_FOUND"},
		{name: "directory invalid", method: "GET", path: "/_matrix/client/v3/directory/room/nope", status: 400, errcode: "M_INVALID_PARAM"},
		{name: "publicRooms GET needs token", method: "GET", path: "/_matrix/client/v3/publicRooms", status: 401, errcode: "M_MISSING_TOKEN"},
		{name: "publicRooms GET", off: OffPublicRooms, method: "GET", path: "/_matrix/client/v3/publicRooms?limit=2", token: at, status: 200, check: func(t *testing.T, m map[string]any) {
			if c := m["chunk"].([]any); len(c) != 2 || m["next_batch"] != "o2" || m["total_room_count_estimate"] != float64(4) {
				t.Errorf("got %d rooms next_batch %v total %v", len(c), m["next_batch"], m["total_room_count_estimate"])
			}
		}},
		{name: "publicRooms POST search", method: "POST", path: "/_matrix/client/v3/publicRooms", token: at,
			body: map[string]any{"filter": map[string]any{"generic_search_term": "knock"}}, status: 200, check: func(t *testing.T, m map[string]any) {
				c := m["chunk"].([]any)
				if len(c) != 1 || c[0].(map[string]any)["room_id"] != RoomID(RoomKnock, sn) {
					t.Errorf("got %v want the knock room", c)
				}
			}},
		{name: "publicRooms POST spaces", method: "POST", path: "/_matrix/client/v3/publicRooms", token: at,
			body: map[string]any{"filter": map[string]any{"room_types": []string{"m.space"}}}, status: 200, check: func(t *testing.T, m map[string]any) {
				if c := m["chunk"].([]any); len(c) != 1 {
					t.Errorf("got %d rooms want 1 space", len(c))
				}
			}},
		{name: "publicRooms POST needs token", method: "POST", path: "/_matrix/client/v3/publicRooms", body: map[string]any{}, status: 401, errcode: "M_MISSING_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, s.URL()+tc.path, tc.body, tc.token)
			if r.status != tc.status {
				t.Fatalf("got %d %s want %d", r.status, r.body, tc.status)
			}
			m := r.json(t)
			if tc.errcode != "" && m["errcode"] != tc.errcode {
				t.Errorf("got errcode %v want %s", m["errcode"], tc.errcode)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
			if tc.off != "" {
				s.SetOff(tc.off, true)
				defer s.SetOff(tc.off, false)
				r := do(t, tc.method, s.URL()+tc.path, tc.body, tc.token)
				if r.status != 404 || r.json(t)["errcode"] != "M_UNRECOGNIZED" {
					t.Errorf("switched off: got %d %s want 404 M_UNRECOGNIZED", r.status, r.body)
				}
			}
		})
	}
	t.Run("hierarchy for members only, as Dendrite", func(t *testing.T) {
		s := newSandbox(t, Config{HierarchyMembersOnly: true})
		sn := s.ServerName()
		bob, _ := s.IssueTokens("bob", "HIERDEVICE2", "")
		alice, _ := s.IssueTokens("alice", "HIERDEVICE3", "")
		hierOf := func(key string) string {
			return s.URL() + "/_matrix/client/v1/rooms/" + url.PathEscape(RoomID(key, sn)) + "/hierarchy?max_depth=0"
		}
		for _, tc := range []struct {
			name, room, token string
			status            int
		}{
			{"public, history not world-readable, non-member", RoomKnock, bob.AccessToken, 403},
			{"public, world-readable", RoomPublic, bob.AccessToken, 200},
			{"member of a private room", RoomPrivate, alice.AccessToken, 200},
		} {
			if r := do(t, "GET", hierOf(tc.room), nil, tc.token); r.status != tc.status {
				t.Errorf("%s: got %d %s want %d", tc.name, r.status, r.body, tc.status)
			}
		}
	})
	t.Run("publicRooms without auth when allowed", func(t *testing.T) {
		s := newSandbox(t, Config{PublicRoomsWithoutAuth: true})
		if r := do(t, "GET", s.URL()+"/_matrix/client/v3/publicRooms", nil, ""); r.status != 200 {
			t.Errorf("got %d want 200", r.status)
		}
	})
}

func TestMedia(t *testing.T) {
	s := newSandbox(t, Config{})
	tok, err := s.IssueTokens("bob", "MEDIADEVICE", "")
	if err != nil {
		t.Fatal(err)
	}
	thumb := "/_matrix/client/v1/media/thumbnail/" + s.ServerName() + "/" + MediaID(RoomPublic) + "?width=64&height=64&method=crop"
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"thumbnail", thumb, tok.AccessToken, 200},
		{"needs token", thumb, "", 401},
		{"unknown media", "/_matrix/client/v1/media/thumbnail/" + s.ServerName() + "/nope", tok.AccessToken, 404},
		{"legacy path frozen", "/_matrix/media/v3/thumbnail/" + s.ServerName() + "/" + MediaID(RoomPublic), "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "GET", s.URL()+tc.path, nil, tc.token)
			if r.status != tc.status {
				t.Fatalf("got %d want %d", r.status, tc.status)
			}
			if tc.status == http.StatusOK {
				if _, err := png.Decode(bytes.NewReader(r.body)); err != nil || r.header.Get("Content-Type") != "image/png" {
					t.Errorf("got %q, decode error %v; want a PNG", r.header.Get("Content-Type"), err)
				}
			}
		})
	}
}
