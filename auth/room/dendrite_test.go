package room_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
	"github.com/mxauth/mxauth/auth/sandbox/dendrite"
)

// countingFetch records the status of every answer, to count what a server
// lacks (404) across cards.
type countingFetch struct {
	mu    sync.Mutex
	fetch room.Fetch
	log   []string
}

func (f *countingFetch) do(ctx context.Context, req room.Request) (*room.Response, error) {
	resp, err := f.fetch(ctx, req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		f.log = append(f.log, req.Method+" "+req.URL+" "+http.StatusText(resp.Status))
	}
	return resp, err
}

// Room previews against a real Dendrite (no room_summary, a /hierarchy that
// is 403 for non-members, a directory open without a token): the card and
// badge through the directory, a non-canonical alias, a signed-in preview,
// a private room that stays hidden, a missing alias in words, five cards
// of one server probing its missing endpoints once.
func TestDendrite(t *testing.T) {
	hs := dendrite.Start(t)
	alice := hs.CreateAccount(t, "alice", "alice-password-1")
	bob := hs.CreateAccount(t, "bob", "bob-password-1")
	public := hs.CreateRoom(t, alice, map[string]any{"preset": "public_chat", "visibility": "public",
		"room_alias_name": "lobby", "name": "The lobby", "topic": "Say <b>hi</b>"})
	other := "#front-door:" + hs.ServerName
	hs.AddAlias(t, alice, other, public)
	hs.CreateRoom(t, alice, map[string]any{"preset": "private_chat", "room_alias_name": "secret", "name": "Secret"})
	lobby := "#lobby:" + hs.ServerName
	ctx := context.Background()

	newClient := func(token string) (*room.Client, *countingFetch) {
		f := &countingFetch{fetch: httpfetch.New(http.DefaultClient)}
		c := &room.Client{Fetch: f.do}
		if token != "" {
			c.AccessToken = func(context.Context) (string, error) { return token, nil }
		}
		return c, f
	}
	summary := func(t *testing.T, c *room.Client, alias string) (*room.Summary, error) {
		t.Helper()
		ref, err := room.ParseRoomRef(alias)
		if err != nil {
			t.Fatal(err)
		}
		return c.Summary(ctx, ref, room.Options{Server: hs.URL})
	}

	t.Run("anonymous card and badge from the directory", func(t *testing.T) {
		c, _ := newClient("")
		s, err := summary(t, c, lobby)
		if err != nil {
			t.Fatal(err)
		}
		if s.RoomID != public || s.Name != "The lobby" || s.Topic != "Say <b>hi</b>" || s.NumJoinedMembers != 1 || s.Source != room.SourcePublicRooms {
			t.Errorf("summary %+v", s)
		}
		if svg := room.Badge(s, room.BadgeOptions{}); !strings.Contains(svg, ">1 member<") {
			t.Errorf("badge does not say 1 member:\n%s", svg)
		}
	})
	t.Run("a non-canonical alias", func(t *testing.T) {
		for _, token := range []string{"", bob} {
			c, _ := newClient(token)
			s, err := summary(t, c, other)
			if err != nil {
				t.Fatalf("token %v: %v", token != "", err)
			}
			if s.RoomID != public {
				t.Errorf("room %s, want %s", s.RoomID, public)
			}
		}
	})
	t.Run("signed in, not a member: hierarchy 403, then the directory", func(t *testing.T) {
		c, f := newClient(bob)
		s, err := summary(t, c, lobby)
		if err != nil {
			t.Fatalf("%v (%q)", err, f.log)
		}
		if s.RoomID != public || s.Source != room.SourcePublicRooms {
			t.Errorf("summary %+v", s)
		}
	})
	t.Run("a private room is not_found, signed in or not", func(t *testing.T) {
		for _, token := range []string{"", bob} {
			c, _ := newClient(token)
			_, err := summary(t, c, "#secret:"+hs.ServerName)
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != autherr.NotFound {
				t.Errorf("token %v: got %v, want not_found", token != "", err)
			}
		}
	})
	t.Run("an alias nobody holds says so", func(t *testing.T) {
		c, _ := newClient("")
		_, err := summary(t, c, "#nobody:"+hs.ServerName)
		var e *autherr.Error
		if !errors.As(err, &e) || e.Code != autherr.NotFound || !strings.Contains(err.Error(), "no room has the address #nobody:") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("five cards probe the missing endpoints once", func(t *testing.T) {
		c, f := newClient("")
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := summary(t, c, lobby); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		missing := 0
		for _, l := range f.log {
			if strings.HasSuffix(l, " Not Found") {
				missing++
			}
		}
		if missing != 3 {
			t.Errorf("%d answers were 404, want the three summary paths once: %q", missing, f.log)
		}
	})
}
