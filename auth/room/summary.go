package room

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Source says which endpoint a Summary came from (CONTRACT.md, RoomSummary).
type Source string

// The sources, in the order Client.Summary tries them.
const (
	SourceRoomSummary     Source = "room_summary"     // stable GET /v1/room_summary (MSC3266, spec v1.15)
	SourceUnstableSummary Source = "unstable_summary" // the im.nheko.summary paths
	SourceHierarchy       Source = "hierarchy"        // GET /v1/rooms/{id}/hierarchy (MSC2946), signed in
	SourcePublicRooms     Source = "public_rooms"     // the public room directory
)

// Summary is what a room card shows: CONTRACT.md's RoomSummary, with the
// same JSON names.
type Summary struct {
	RoomID         string `json:"roomId"`
	CanonicalAlias string `json:"canonicalAlias,omitempty"`
	Name           string `json:"name,omitempty"`
	// Topic is plain text; render it as text, never as HTML.
	Topic string `json:"topic,omitempty"`
	// AvatarURL is the mxc:// URI exactly as the server gave it. See
	// ThumbnailURL for how to show it under authenticated media.
	AvatarURL        string `json:"avatarUrl,omitempty"`
	NumJoinedMembers int64  `json:"numJoinedMembers"`
	// JoinRule is the server's join_rule, "public" when it sent none (the
	// spec's default for room_summary and public_rooms_chunk).
	JoinRule      string `json:"joinRule,omitempty"`
	GuestCanJoin  bool   `json:"guestCanJoin"`
	WorldReadable bool   `json:"worldReadable"`
	RoomType      string `json:"roomType,omitempty"`
	RoomVersion   string `json:"roomVersion,omitempty"`
	Encryption    string `json:"encryption,omitempty"`
	// Membership is the signed-in user's membership; absent when the
	// summary was fetched without a token.
	Membership string `json:"membership,omitempty"`
	// Via lists the servers used to reach the room; never nil, so it
	// encodes as [].
	Via         []string `json:"via"`
	MatrixToURL string   `json:"matrixToUrl"`
	Source      Source   `json:"source"`
}

// maxMembers bounds num_joined_members to what a JavaScript number holds
// exactly.
const maxMembers = 1<<53 - 1

// malformed is the error for a server answer of the wrong shape.
func malformed(op, format string, args ...any) *autherr.Error {
	return &autherr.Error{Code: autherr.ServerError, Op: op,
		Err: fmt.Errorf("malformed room summary: "+format, args...)}
}

// DecodeSummary reads one room object as the summary endpoints, the space
// hierarchy and the public room directory send it (room_summary.yaml,
// public_rooms_chunk.yaml), under both the current field names and the
// unstable im.nheko.summary.* ones. A missing room_id or a field of the
// wrong type is a server_error "malformed room summary: …". Via,
// MatrixToURL and Source are left for the caller.
func DecodeSummary(body []byte) (*Summary, error) {
	return decodeRoom("room: summary", body)
}

func decodeRoom(op string, body []byte) (*Summary, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, malformed(op, "not a JSON object: %v", err)
	}
	f := fields{m: m, op: op}
	s := &Summary{}
	var ok bool
	if s.RoomID, ok = f.str("room_id"); !ok && f.err == nil {
		return nil, malformed(op, "no room_id")
	}
	s.CanonicalAlias, _ = f.str("canonical_alias")
	s.Name, _ = f.str("name")
	s.Topic, _ = f.str("topic")
	s.AvatarURL, _ = f.str("avatar_url")
	s.NumJoinedMembers = f.count("num_joined_members")
	s.JoinRule, _ = f.str("join_rule")
	s.GuestCanJoin = f.boolean("guest_can_join")
	s.WorldReadable = f.boolean("world_readable")
	s.RoomType, _ = f.str("room_type")
	// Synapse before 1.151 and Dendrite send these under MSC3266's
	// unstable prefix; read the stable name first.
	s.RoomVersion, _ = f.str("room_version", "im.nheko.summary.room_version", "im.nheko.summary.version")
	s.Encryption, _ = f.str("encryption", "im.nheko.summary.encryption")
	s.Membership, _ = f.str("membership")
	if f.err != nil {
		return nil, f.err
	}
	if checkRoomID(s.RoomID) != nil {
		return nil, malformed(op, "room_id %q is not a room id", clip(s.RoomID))
	}
	if s.CanonicalAlias != "" && checkAlias(s.CanonicalAlias) != nil {
		// A broken optional field should not cost the whole card.
		s.CanonicalAlias = ""
	}
	if s.JoinRule == "" {
		s.JoinRule = "public"
	}
	return s, nil
}

// fields reads typed values out of a JSON object, keeping the first error.
type fields struct {
	m   map[string]json.RawMessage
	op  string
	err error
}

func (f *fields) get(names ...string) (string, json.RawMessage) {
	for _, n := range names {
		if raw, ok := f.m[n]; ok && !bytes.Equal(raw, []byte("null")) {
			return n, raw
		}
	}
	return "", nil
}

func (f *fields) fail(name, want string) {
	if f.err == nil {
		f.err = malformed(f.op, "%s is not %s", name, want)
	}
}

// str returns the first present, non-null field of names as a string.
func (f *fields) str(names ...string) (string, bool) {
	name, raw := f.get(names...)
	if raw == nil {
		return "", false
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		f.fail(name, "a string")
		return "", false
	}
	return s, true
}

func (f *fields) boolean(name string) bool {
	_, raw := f.get(name)
	switch string(raw) {
	case "":
		return false
	case "true":
		return true
	case "false":
		return false
	}
	f.fail(name, "a boolean")
	return false
}

// count reads a non-negative integer; 12.0 and 1e3 are accepted, as
// JavaScript servers may write them.
func (f *fields) count(name string) int64 {
	_, raw := f.get(name)
	if raw == nil {
		return 0
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		f.fail(name, "a number")
		return 0
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		if n < 0 || n > maxMembers {
			f.fail(name, "a member count")
			return 0
		}
		return n
	}
	x, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || x < 0 || x > maxMembers || x != math.Trunc(x) {
		f.fail(name, "a member count")
		return 0
	}
	return int64(x)
}
