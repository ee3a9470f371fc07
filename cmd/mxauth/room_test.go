package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/sandbox"
)

func newSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	hs, err := sandbox.New(sandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hs.Close() })
	return hs, strings.TrimPrefix(hs.URL(), "http://")
}

func TestRoomCommand(t *testing.T) {
	_, name := newSandbox(t)
	var out, errOut bytes.Buffer
	// The alias names the server; discovery finds its base URL.
	alias := sandbox.RoomAlias(sandbox.RoomPublic, name)
	if code := run(context.Background(), []string{"room", alias}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var s room.Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("not a summary: %v\n%s", err, out.String())
	}
	if s.RoomID != sandbox.RoomID(sandbox.RoomPublic, name) || s.NumJoinedMembers != 1234 || s.Source != "room_summary" {
		t.Errorf("got %+v", s)
	}

	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"room", "#nope:" + name}, &out, &errOut); code != 1 {
		t.Fatalf("unknown room: exit %d", code)
	}
	if !strings.Contains(errOut.String(), "not_found") {
		t.Errorf("unknown room: stderr %q lacks not_found", errOut.String())
	}
}

func TestBadgeCommand(t *testing.T) {
	_, name := newSandbox(t)
	var out, errOut bytes.Buffer
	args := []string{"badge", "--style", "dark", "https://matrix.to/#/" + sandbox.RoomAlias(sandbox.RoomHostile, name)}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	svg := out.String()
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "members") {
		t.Errorf("not a badge: %s", svg)
	}
	if code := run(context.Background(), []string{"badge"}, &out, &errOut); code != 1 {
		t.Errorf("no room: exit %d want 1", code)
	}
}
