package sandbox

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sort"
	"strings"
)

// Keys of the fixture rooms. A room's id and alias follow from its key and
// the server name: RoomID(key, serverName), RoomAlias(key, serverName).
const (
	// RoomPublic is a public room with a name, topic, avatar and 1234
	// members (a badge shows "1.2k"), world readable.
	RoomPublic = "public"
	// RoomKnock has join rule knock and is encrypted.
	RoomKnock = "knock"
	// RoomPrivate is an invite-only room; only the first Config.Users user
	// is a member, everyone else gets UnknownRoomStatus as if it did not
	// exist (MSC3266: never leak existence). Its alias still resolves.
	RoomPrivate = "private"
	// RoomSpace is a space (room_type m.space) holding public, knock and
	// hostile.
	RoomSpace = "space"
	// RoomHostile's name and topic hold HTML and script, to prove clients
	// render them as text.
	RoomHostile = "hostile"
)

// HostileText is the hostile room's name; its topic starts with it too.
const HostileText = `<img src=x onerror=alert(1)><script>alert(1)</script>`

// RoomKeys lists the fixture rooms' keys.
var RoomKeys = []string{RoomPublic, RoomKnock, RoomPrivate, RoomSpace, RoomHostile}

// RoomID is the room id of fixture key on serverName, e.g.
// "!sandbox-public:127.0.0.1:8008".
func RoomID(key, serverName string) string { return "!sandbox-" + key + ":" + serverName }

// RoomAlias is the canonical alias of fixture key, e.g.
// "#public:127.0.0.1:8008".
func RoomAlias(key, serverName string) string { return "#" + key + ":" + serverName }

// MediaID is the media id of the fixture key's avatar; its mxc URI is
// "mxc://<serverName>/<MediaID(key)>".
func MediaID(key string) string { return "avatar-" + key }

// Room is a fixture room as the sandbox serves it.
type Room struct {
	Key           string
	ID            string
	Alias         string
	Name          string
	Topic         string
	AvatarURL     string // mxc://
	JoinRule      string
	RoomType      string // "m.space" or ""
	RoomVersion   string
	Encryption    string // "m.megolm.v1.aes-sha2" or ""
	Members       int    // num_joined_members
	WorldReadable bool
	GuestCanJoin  bool
	Published     bool     // listed in the public room directory
	Children      []string // keys of a space's children
	Joined        []string // localparts that are members (for membership)
}

// Rooms returns the fixture rooms.
func (s *Server) Rooms() []Room {
	out := make([]Room, len(s.rooms))
	for i, r := range s.rooms {
		out[i] = *r
	}
	return out
}

// Room returns the fixture room of key (see RoomKeys).
func (s *Server) Room(key string) (Room, bool) {
	for _, r := range s.rooms {
		if r.Key == key {
			return *r, true
		}
	}
	return Room{}, false
}

// fixtureRooms builds the rooms and their avatars for serverName; member is
// the user who has joined the private room.
func fixtureRooms(serverName, member string) ([]*Room, map[string][]byte) {
	mxc := func(key string) string { return "mxc://" + serverName + "/" + MediaID(key) }
	rooms := []*Room{
		{
			Key: RoomPublic, Name: "Sandbox Lobby",
			Topic:     "The public room of the mxauth sandbox. Say hi!",
			AvatarURL: mxc(RoomPublic), JoinRule: "public", RoomVersion: "11",
			Members: 1234, WorldReadable: true, Published: true,
		},
		{
			Key: RoomKnock, Name: "Knock Knock",
			Topic:     "Ask to join: this room has join rule knock.",
			AvatarURL: mxc(RoomKnock), JoinRule: "knock", RoomVersion: "11",
			Encryption: "m.megolm.v1.aes-sha2", Members: 42, Published: true,
		},
		{
			Key: RoomPrivate, Name: "Private Planning",
			Topic:     "Invite only. You should not see this unless you are a member.",
			AvatarURL: mxc(RoomPrivate), JoinRule: "invite", RoomVersion: "11",
			Encryption: "m.megolm.v1.aes-sha2", Members: 3, Joined: []string{member},
		},
		{
			Key: RoomSpace, Name: "Sandbox Space", Topic: "A space holding the sandbox rooms.",
			AvatarURL: mxc(RoomSpace), JoinRule: "public", RoomType: "m.space", RoomVersion: "11",
			Members: 56, WorldReadable: true, Published: true,
			Children: []string{RoomPublic, RoomKnock, RoomPrivate, RoomHostile},
		},
		{
			Key: RoomHostile, Name: HostileText,
			Topic:    HostileText + ` <a href="javascript:alert(1)">click</a> & "quotes"`,
			JoinRule: "public", RoomVersion: "10", Members: 7, GuestCanJoin: true, Published: true,
		},
	}
	colors := map[string]color.RGBA{
		RoomPublic:  {0x0d, 0xbd, 0x8b, 0xff},
		RoomKnock:   {0xf0, 0xa5, 0x00, 0xff},
		RoomPrivate: {0x5c, 0x56, 0xf5, 0xff},
		RoomSpace:   {0x36, 0x8b, 0xd6, 0xff},
	}
	media := map[string][]byte{}
	for _, r := range rooms {
		r.ID = RoomID(r.Key, serverName)
		r.Alias = RoomAlias(r.Key, serverName)
		if c, ok := colors[r.Key]; ok {
			media[MediaID(r.Key)] = avatarPNG(c)
		}
	}
	return rooms, media
}

// avatarPNG draws a 32×32 rounded-looking square in c on transparency.
func avatarPNG(c color.RGBA) []byte {
	const n = 32
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := min(x, n-1-x), min(y, n-1-y)
			if dx+dy < 3 { // cut the corners
				continue
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// findRoom resolves a room id or alias.
func (s *Server) findRoom(idOrAlias string) *Room {
	for _, r := range s.rooms {
		if r.ID == idOrAlias || r.Alias == idOrAlias {
			return r
		}
	}
	return nil
}

func (r *Room) hasMember(localpart string) bool {
	for _, m := range r.Joined {
		if m == localpart && localpart != "" {
			return true
		}
	}
	return false
}

// visibleTo reports whether a user (localpart, "" when anonymous) may
// preview the room: public, knock and world-readable rooms to anyone
// (MSC3266), invite-only rooms to members only.
func (r *Room) visibleTo(localpart string) bool {
	switch r.JoinRule {
	case "public", "knock", "knock_restricted":
		return true
	}
	return r.WorldReadable || r.hasMember(localpart)
}

// chunk is the room as a public rooms chunk (spec PublicRoomsChunk), the
// base of every room answer.
func (r *Room) chunk() map[string]any {
	c := map[string]any{
		"room_id":            r.ID,
		"num_joined_members": r.Members,
		"world_readable":     r.WorldReadable,
		"guest_can_join":     r.GuestCanJoin,
		"join_rule":          r.JoinRule,
		"canonical_alias":    r.Alias,
		"name":               r.Name,
		"topic":              r.Topic,
	}
	if r.AvatarURL != "" {
		c["avatar_url"] = r.AvatarURL
	}
	if r.RoomType != "" {
		c["room_type"] = r.RoomType
	}
	return c
}

// publishedRooms lists the directory's rooms, biggest first as Synapse
// orders them.
func (s *Server) publishedRooms() []*Room {
	var out []*Room
	for _, r := range s.rooms {
		if r.Published {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Members > out[j].Members })
	return out
}

// matchesSearch is Synapse's generic_search_term: a case-insensitive
// substring of name, topic or canonical alias.
func (r *Room) matchesSearch(term string) bool {
	if term == "" {
		return true
	}
	t := strings.ToLower(term)
	return strings.Contains(strings.ToLower(r.Name), t) ||
		strings.Contains(strings.ToLower(r.Topic), t) ||
		strings.Contains(strings.ToLower(r.Alias), t)
}
