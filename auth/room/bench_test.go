package room

import "testing"

// Benchmarks for make bench: figures, never assertions.

func BenchmarkParseRoomRef(b *testing.B) {
	inputs := []string{
		"#matrix:matrix.org",
		"https://matrix.to/#/%23matrix%3Amatrix.org/$event?via=matrix.org&via=example.org",
		"matrix:roomid/opaque:example.org/e/event?via=example.org&action=join",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			if _, err := ParseRoomRef(in); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkBadge(b *testing.B) {
	s := &Summary{RoomID: "!a:example.org", CanonicalAlias: "#room:example.org", NumJoinedMembers: 12345}
	b.ReportAllocs()
	for b.Loop() {
		_ = Badge(s, BadgeOptions{UseAlias: true})
	}
}

func BenchmarkDecodeSummary(b *testing.B) {
	body := []byte(`{"room_id":"!a:example.org","name":"Room","topic":"A topic","num_joined_members":1234,"world_readable":true,"guest_can_join":false,"join_rule":"public","canonical_alias":"#room:example.org","avatar_url":"mxc://example.org/abc","room_version":"10"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeSummary(body); err != nil {
			b.Fatal(err)
		}
	}
}
