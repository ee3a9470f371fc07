package room_test

import (
	"context"
	"fmt"

	"github.com/mxauth/mxauth/auth/room"
)

func ExampleParseRoomRef() {
	ref, err := room.ParseRoomRef("https://matrix.to/#/!somewhere%3Aexample.org/%24event?via=elsewhere.ca")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ref.ID, ref.EventID, ref.Via)
	fmt.Println(ref.URI())
	_, err = room.ParseRoomRef("@alice:example.org")
	fmt.Println(err)
	// Output:
	// !somewhere:example.org $event [elsewhere.ca]
	// matrix:roomid/somewhere:example.org/e/event?via=elsewhere.ca
	// auth: room: parse ref: invalid_input: "@alice:example.org" is a user id, not a room
}

func ExampleClient_Summary() {
	// A Fetch that answers like a homeserver with the stable endpoint; in a
	// Go program use httpfetch.New(nil), in the browser the fetch bridge.
	fetch := func(ctx context.Context, req room.Request) (*room.Response, error) {
		fmt.Println(req.Method, req.URL)
		return &room.Response{Status: 200, Body: []byte(`{"room_id":"!abc:example.org","name":"Lobby","num_joined_members":1234,"world_readable":true,"guest_can_join":false}`)}, nil
	}
	c := &room.Client{Fetch: fetch}
	ref, _ := room.ParseRoomRef("#lobby:example.org")
	s, err := c.Summary(context.Background(), ref, room.Options{Server: "https://matrix-client.example.org"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, s.NumJoinedMembers, s.JoinRule, s.Source, s.MatrixToURL)
	fmt.Println(room.FormatMembers(s.NumJoinedMembers), room.Initials(s.Name))
	// Output:
	// GET https://matrix-client.example.org/_matrix/client/v1/room_summary/%23lobby%3Aexample.org
	// Lobby 1234 public room_summary https://matrix.to/#/%23lobby%3Aexample.org
	// 1.2k members L
}
