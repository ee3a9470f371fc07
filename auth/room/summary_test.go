package room_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

// fake is a scripted homeserver behind a room.Fetch: routes map
// "METHOD URL" (URL without the base) to answers; anything else is a plain
// 404, as from a web server without the endpoint.
type fake struct {
	mu     sync.Mutex
	routes map[string][]answer // consumed in order; the last one repeats
	log    []room.Request
}

type answer struct {
	status int
	body   string
	header map[string]string
	err    error
}

const base = "https://hs.example.org"

func newFake(routes map[string][]answer) *fake { return &fake{routes: routes} }

func (f *fake) fetch(ctx context.Context, req room.Request) (*room.Response, error) {
	f.mu.Lock()
	f.log = append(f.log, req)
	key := req.Method + " " + strings.TrimPrefix(req.URL, base)
	as := f.routes[key]
	var a answer
	switch {
	case len(as) == 0:
		a = answer{status: 404, body: "<html>not found</html>"}
	case len(as) == 1:
		a = as[0]
	default:
		a, f.routes[key] = as[0], as[1:]
	}
	f.mu.Unlock()
	if a.err != nil {
		return nil, a.err
	}
	return &room.Response{Status: a.status, Body: []byte(a.body), Header: a.header}, nil
}

func (f *fake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.log {
		out = append(out, r.Method+" "+strings.TrimPrefix(r.URL, base))
	}
	return out
}

func (f *fake) client() *room.Client {
	return &room.Client{Fetch: f.fetch, Retry: autherr.RetryPolicy{Sleep: func(context.Context, time.Duration) error { return nil }}}
}

const (
	alias      = "#room:example.org"
	roomID     = "!abc:example.org"
	aliasEnc   = "%23room%3Aexample.org"
	idEnc      = "!abc%3Aexample.org"
	stable     = "GET /_matrix/client/v1/room_summary/"
	unstableS  = "GET /_matrix/client/unstable/im.nheko.summary/summary/"
	unstableR  = "GET /_matrix/client/unstable/im.nheko.summary/rooms/"
	directory  = "GET /_matrix/client/v3/directory/room/" + aliasEnc
	hierarchy  = "GET /_matrix/client/v1/rooms/" + idEnc + "/hierarchy?max_depth=0&limit=1"
	publicGET  = "GET /_matrix/client/v3/publicRooms?limit=100"
	publicPOST = "POST /_matrix/client/v3/publicRooms"
)

var (
	summaryJSON = `{"room_id":"!abc:example.org","canonical_alias":"#room:example.org","name":"Room",
		"topic":"<b>hi</b>","avatar_url":"mxc://example.org/abc","num_joined_members":1234,
		"guest_can_join":false,"world_readable":true,"room_type":"m.space","room_version":"11",
		"encryption":"m.megolm.v1.aes-sha2","join_rule":"knock"}`
	nhekoJSON = `{"room_id":"!abc:example.org","num_joined_members":3,"guest_can_join":true,"world_readable":false,
		"im.nheko.summary.version":"10","im.nheko.summary.encryption":"m.megolm.v1.aes-sha2"}`
	unrecognized = answer{status: 404, body: `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`}
	notAllowed   = answer{status: 405, body: `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`}
	missingToken = answer{status: 401, body: `{"errcode":"M_MISSING_TOKEN","error":"Missing access token"}`}
	ok           = func(body string) []answer { return []answer{{status: 200, body: body}} }
)

func wantSummary() *room.Summary {
	return &room.Summary{RoomID: roomID, CanonicalAlias: alias, Name: "Room", Topic: "<b>hi</b>",
		AvatarURL: "mxc://example.org/abc", NumJoinedMembers: 1234, JoinRule: "knock", WorldReadable: true,
		RoomType: "m.space", RoomVersion: "11", Encryption: "m.megolm.v1.aes-sha2", Via: []string{},
		MatrixToURL: "https://matrix.to/#/%23room%3Aexample.org", Source: room.SourceRoomSummary}
}

func TestSummaryStable(t *testing.T) {
	f := newFake(map[string][]answer{stable + aliasEnc: ok(summaryJSON)})
	got, err := f.client().Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base})
	if err != nil {
		t.Fatal(err)
	}
	if want := wantSummary(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if got, want := f.requests(), []string{stable + aliasEnc}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests got %q want %q", got, want)
	}
	if h := f.log[0].Header; len(h) != 0 {
		t.Errorf("anonymous request carried headers %v, want none", h)
	}
	if f.log[0].MaxBytes != room.DefaultMaxBytes {
		t.Errorf("MaxBytes got %d want %d", f.log[0].MaxBytes, room.DefaultMaxBytes)
	}
	b, _ := json.Marshal(got)
	for _, k := range []string{`"roomId"`, `"numJoinedMembers":1234`, `"joinRule":"knock"`, `"via":[]`, `"source":"room_summary"`, `"matrixToUrl"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s: want %s", b, k)
		}
	}
}

func TestSummaryFallbacks(t *testing.T) {
	hierarchyJSON := `{"rooms":[{"room_id":"!abc:example.org","name":"Room","num_joined_members":7,"world_readable":false,"guest_can_join":false,"join_rule":"public","children_state":[]}]}`
	publicJSON := func(ids ...string) string {
		var c []string
		for _, id := range ids {
			c = append(c, fmt.Sprintf(`{"room_id":%q,"num_joined_members":9,"world_readable":true,"guest_can_join":false,"canonical_alias":"#other:example.org"}`, id))
		}
		return `{"chunk":[` + strings.Join(c, ",") + `]}`
	}
	tests := []struct {
		name     string
		ref      room.Ref
		token    string
		routes   map[string][]answer
		wantSrc  room.Source
		wantReqs []string
		check    func(t *testing.T, s *room.Summary)
	}{
		{
			name:     "unstable summary after 404 M_UNRECOGNIZED",
			ref:      room.Ref{ID: roomID, Via: []string{"example.org"}},
			routes:   map[string][]answer{stable + idEnc + "?via=example.org": {unrecognized}, unstableS + idEnc + "?via=example.org": ok(nhekoJSON)},
			wantSrc:  room.SourceUnstableSummary,
			wantReqs: []string{stable + idEnc + "?via=example.org", unstableS + idEnc + "?via=example.org"},
			check: func(t *testing.T, s *room.Summary) {
				if s.RoomVersion != "10" || s.Encryption != "m.megolm.v1.aes-sha2" || !s.GuestCanJoin || s.NumJoinedMembers != 3 {
					t.Errorf("nheko fields not read: %#v", s)
				}
				if s.JoinRule != "public" {
					t.Errorf("joinRule got %q want public (absent)", s.JoinRule)
				}
				if want := "https://matrix.to/#/!abc%3Aexample.org?via=example.org"; s.MatrixToURL != want {
					t.Errorf("matrixToUrl got %q want %q", s.MatrixToURL, want)
				}
				if !reflect.DeepEqual(s.Via, []string{"example.org"}) {
					t.Errorf("via got %q", s.Via)
				}
			},
		},
		{
			name:     "older unstable path after a plain 404 and a 405",
			ref:      room.Ref{Alias: alias},
			routes:   map[string][]answer{unstableS + aliasEnc: {notAllowed}, unstableR + aliasEnc + "/summary": ok(nhekoJSON)},
			wantSrc:  room.SourceUnstableSummary,
			wantReqs: []string{stable + aliasEnc, unstableS + aliasEnc, unstableR + aliasEnc + "/summary"},
		},
		{
			name:     "hierarchy with a token, alias resolved without one",
			ref:      room.Ref{Alias: alias},
			token:    "tok",
			routes:   map[string][]answer{directory: ok(`{"room_id":"!abc:example.org","servers":["example.org","other.org","bad server"]}`), hierarchy: ok(hierarchyJSON)},
			wantSrc:  room.SourceHierarchy,
			wantReqs: []string{stable + aliasEnc, unstableS + aliasEnc, unstableR + aliasEnc + "/summary", directory, hierarchy},
			check: func(t *testing.T, s *room.Summary) {
				if !reflect.DeepEqual(s.Via, []string{"example.org", "other.org"}) {
					t.Errorf("via got %q, want the directory's valid servers", s.Via)
				}
			},
		},
		{
			name:     "hierarchy skipped without a token; anonymous public rooms",
			ref:      room.Ref{ID: roomID},
			routes:   map[string][]answer{publicGET: ok(publicJSON("!zzz:example.org", roomID))},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + idEnc, unstableS + idEnc, unstableR + idEnc + "/summary", publicGET},
			check: func(t *testing.T, s *room.Summary) {
				if s.NumJoinedMembers != 9 || s.RoomID != roomID {
					t.Errorf("got %#v, want the matching chunk", s)
				}
			},
		},
		{
			name:     "filtered POST public rooms with a token",
			ref:      room.Ref{ID: roomID},
			token:    "tok",
			routes:   map[string][]answer{hierarchy: {unrecognized}, publicPOST: ok(publicJSON(roomID))},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + idEnc, unstableS + idEnc, unstableR + idEnc + "/summary", hierarchy, publicPOST},
		},
		{
			// Dendrite: /hierarchy is 403 for a non-member of a public room
			// whose history is "shared"; the directory answers.
			name:     "signed in, hierarchy 403, the directory lists the room",
			ref:      room.Ref{Alias: alias},
			token:    "tok",
			routes:   map[string][]answer{directory: ok(`{"room_id":"!abc:example.org","servers":[]}`), hierarchy: {{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"not a member"}`}}, publicPOST: ok(publicJSON(roomID))},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + aliasEnc, unstableS + aliasEnc, unstableR + aliasEnc + "/summary", directory, hierarchy, publicPOST},
		},
		{
			// The directory lists the room under its canonical alias
			// (#other:example.org, see publicJSON); the card asks by another.
			name:     "anonymous, a non-canonical alias resolved, then matched by room id",
			ref:      room.Ref{Alias: alias},
			routes:   map[string][]answer{publicGET: ok(publicJSON("!zzz:example.org", roomID)), directory: ok(`{"room_id":"!abc:example.org","servers":["example.org"]}`)},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + aliasEnc, unstableS + aliasEnc, unstableR + aliasEnc + "/summary", publicGET, directory},
			check: func(t *testing.T, s *room.Summary) {
				if s.RoomID != roomID || s.NumJoinedMembers != 9 {
					t.Errorf("got %#v, want the room the alias names", s)
				}
			},
		},
		{
			name:  "signed in, a non-canonical alias: filtered search, then unfiltered by room id",
			ref:   room.Ref{Alias: alias},
			token: "tok",
			routes: map[string][]answer{directory: ok(`{"room_id":"!abc:example.org","servers":[]}`), hierarchy: {unrecognized},
				publicPOST: {{status: 200, body: `{"chunk":[]}`}, {status: 200, body: publicJSON("!zzz:example.org", roomID)}}},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + aliasEnc, unstableS + aliasEnc, unstableR + aliasEnc + "/summary", directory, hierarchy, publicPOST, publicPOST},
		},
		{
			name:     "anonymous public rooms after a 401 from the summary",
			ref:      room.Ref{ID: roomID},
			routes:   map[string][]answer{stable + idEnc: {missingToken}, publicGET: ok(publicJSON(roomID))},
			wantSrc:  room.SourcePublicRooms,
			wantReqs: []string{stable + idEnc, unstableS + idEnc, unstableR + idEnc + "/summary", publicGET},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(tt.routes)
			c := f.client()
			if tt.token != "" {
				c.AccessToken = func(context.Context) (string, error) { return tt.token, nil }
			}
			s, err := c.Summary(context.Background(), tt.ref, room.Options{Server: base})
			if err != nil {
				t.Fatalf("Summary: %v (requests %q)", err, f.requests())
			}
			if s.Source != tt.wantSrc {
				t.Errorf("source got %q want %q", s.Source, tt.wantSrc)
			}
			if got := f.requests(); !reflect.DeepEqual(got, tt.wantReqs) {
				t.Errorf("requests\n got %q\nwant %q", got, tt.wantReqs)
			}
			for _, r := range f.log {
				auth := r.Header["Authorization"]
				// The token goes everywhere but the alias lookup.
				needs := tt.token != "" && !strings.Contains(r.URL, "/directory/room/")
				if needs && auth != "Bearer "+tt.token {
					t.Errorf("%s %s: Authorization got %q want the token", r.Method, r.URL, auth)
				}
				if !needs && auth != "" {
					t.Errorf("%s %s: sent a token it should not", r.Method, r.URL)
				}
				for k := range r.Header {
					if k != "Authorization" && k != "Content-Type" {
						t.Errorf("%s %s: custom header %q", r.Method, r.URL, k)
					}
				}
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestSummaryPublicRoomsPOSTBody(t *testing.T) {
	f := newFake(map[string][]answer{publicPOST: ok(`{"chunk":[{"room_id":"!abc:example.org","canonical_alias":"#room:example.org","num_joined_members":2}]}`)})
	c := f.client()
	c.AccessToken = func(context.Context) (string, error) { return "tok", nil }
	s, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base})
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != room.SourcePublicRooms {
		t.Fatalf("source got %q", s.Source)
	}
	post := f.log[len(f.log)-1]
	var body struct {
		Limit  int               `json:"limit"`
		Filter map[string]string `json:"filter"`
	}
	if err := json.Unmarshal(post.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Filter["generic_search_term"] != alias || body.Limit <= 0 || body.Limit > 100 {
		t.Errorf("POST body got %s", post.Body)
	}
	if post.Header["Content-Type"] != "application/json" {
		t.Errorf("Content-Type got %q", post.Header["Content-Type"])
	}
}

func TestSummaryPublicRoomsAtMostTwoPages(t *testing.T) {
	page := func(next string) []answer {
		return ok(`{"chunk":[{"room_id":"!other:example.org","num_joined_members":1}],"next_batch":"` + next + `"}`)
	}
	f := newFake(map[string][]answer{
		publicGET:               page("p2"),
		publicGET + "&since=p2": page("p3"),
		publicGET + "&since=p3": page("p4"),
	})
	_, err := f.client().Summary(context.Background(), room.Ref{ID: roomID}, room.Options{Server: base})
	if autherr.CodeOf(err) != autherr.NotFound {
		t.Fatalf("error %v: got code %q want not_found", err, autherr.CodeOf(err))
	}
	n := 0
	for _, r := range f.requests() {
		if strings.Contains(r, "publicRooms") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("directory pages read got %d want 2 (requests %q)", n, f.requests())
	}
}

func TestSummaryErrors(t *testing.T) {
	tooLarge := fmt.Errorf("fetch: %w", room.ErrBodyTooLarge)
	tests := []struct {
		name     string
		routes   map[string][]answer
		token    string
		code     autherr.Code
		errcode  string
		text     string
		requests int
	}{
		{name: "M_NOT_FOUND is the answer", routes: map[string][]answer{stable + aliasEnc: {{status: 404, body: `{"errcode":"M_NOT_FOUND","error":"Room not found"}`}}},
			code: autherr.NotFound, errcode: "M_NOT_FOUND", requests: 1},
		{name: "404 M_UNKNOWN trusts the status", routes: map[string][]answer{stable + aliasEnc: {{status: 404, body: `{"errcode":"M_UNKNOWN","error":"no"}`}}},
			code: autherr.NotFound, requests: 1},
		{name: "continuwuity 403 for an unknown room", routes: map[string][]answer{stable + aliasEnc: {{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"You cannot see this room"}`}}},
			code: autherr.Forbidden, errcode: "M_FORBIDDEN", requests: 1},
		{name: "400 missing via", routes: map[string][]answer{stable + aliasEnc: {{status: 400, body: `{"errcode":"M_UNKNOWN","error":"Missing via to query remote room"}`}}},
			code: autherr.InvalidInput, text: "Missing via", requests: 1},
		{name: "5xx", routes: map[string][]answer{stable + aliasEnc: {{status: 502, body: "bad gateway"}}},
			code: autherr.ServerError, requests: 1},
		{name: "transport failure", routes: map[string][]answer{stable + aliasEnc: {{err: errors.New("connection refused")}}},
			code: autherr.Network, text: "connection refused", requests: 1},
		{name: "body too large", routes: map[string][]answer{stable + aliasEnc: {{err: tooLarge}}},
			code: autherr.ServerError, text: "too large", requests: 1},
		{name: "wrong field type", routes: map[string][]answer{stable + aliasEnc: ok(`{"room_id":"!abc:example.org","num_joined_members":"many"}`)},
			code: autherr.ServerError, text: "malformed room summary: num_joined_members", requests: 1},
		{name: "missing room_id", routes: map[string][]answer{stable + aliasEnc: ok(`{"name":"x","num_joined_members":1}`)},
			code: autherr.ServerError, text: "malformed room summary: no room_id", requests: 1},
		{name: "not JSON", routes: map[string][]answer{stable + aliasEnc: ok(`<html>`)},
			code: autherr.ServerError, text: "malformed room summary", requests: 1},
		{name: "429 until the tries run out", routes: map[string][]answer{stable + aliasEnc: {{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":10}`}}},
			code: autherr.RateLimited, errcode: "M_LIMIT_EXCEEDED", requests: 3},
		{name: "401 everywhere without a token", routes: map[string][]answer{
			stable + aliasEnc: {missingToken}, unstableS + aliasEnc: {missingToken}, unstableR + aliasEnc + "/summary": {missingToken}, publicGET: {missingToken}},
			code: autherr.Forbidden, errcode: "M_MISSING_TOKEN", requests: 4},
		{name: "401 with a token is an expired session", token: "old", routes: map[string][]answer{
			stable + aliasEnc: {{status: 401, body: `{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid token"}`}}},
			code: autherr.SessionExpired, errcode: "M_UNKNOWN_TOKEN", requests: 1},
		{name: "no endpoint at all", routes: map[string][]answer{},
			code: autherr.ServerError, text: "none of the room preview endpoints", requests: 4},
		{name: "hierarchy 403 and no directory", token: "tok", routes: map[string][]answer{
			directory: ok(`{"room_id":"!abc:example.org","servers":[]}`), hierarchy: {{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"no"}`}}},
			code: autherr.Forbidden, requests: 6},
		{name: "hierarchy 403, not in the directory: existence not revealed", token: "tok", routes: map[string][]answer{
			directory: ok(`{"room_id":"!abc:example.org","servers":[]}`), hierarchy: {{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"no"}`}},
			publicPOST: ok(`{"chunk":[]}`)},
			code: autherr.NotFound, text: "not in the server's public room directory", requests: 7},
		{name: "alias unknown to the directory", token: "tok", routes: map[string][]answer{
			directory: {{status: 404, body: `{"errcode":"M_NOT_FOUND","error":"Room alias not found"}`}}},
			code: autherr.NotFound, requests: 4},
		{name: "anonymous, alias nobody holds", routes: map[string][]answer{
			publicGET: ok(`{"chunk":[]}`), directory: {{status: 404, body: `{"errcode":"M_NOT_FOUND","error":"Room alias #room:example.org not found"}`}}},
			code: autherr.NotFound, errcode: "M_NOT_FOUND", requests: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(tt.routes)
			c := f.client()
			if tt.token != "" {
				c.AccessToken = func(context.Context) (string, error) { return tt.token, nil }
			}
			s, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base})
			if err == nil {
				t.Fatalf("got %#v, want an error", s)
			}
			var e *autherr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *autherr.Error", err)
			}
			if e.Code != tt.code {
				t.Errorf("code got %q want %q (%v)", e.Code, tt.code, err)
			}
			if tt.errcode != "" && e.Errcode != tt.errcode {
				t.Errorf("errcode got %q want %q", e.Errcode, tt.errcode)
			}
			if tt.text != "" && !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q: want it to say %q", err, tt.text)
			}
			if !strings.Contains(err.Error(), "room: ") {
				t.Errorf("error %q: want the room: prefix", err)
			}
			if got := len(f.requests()); got != tt.requests {
				t.Errorf("requests got %d want %d: %q", got, tt.requests, f.requests())
			}
		})
	}
}

func TestSummaryRateLimitRetry(t *testing.T) {
	f := newFake(map[string][]answer{stable + aliasEnc: {
		{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow","retry_after_ms":1500}`},
		{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow"}`, header: map[string]string{"retry-after": "2"}},
		{status: 200, body: summaryJSON},
	}})
	var waits []time.Duration
	c := f.client()
	c.Retry.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{1500 * time.Millisecond, 2 * time.Second}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits got %v want %v", waits, want)
	}
}

func TestSummaryTimeout(t *testing.T) {
	c := &room.Client{Timeout: 10 * time.Millisecond, Fetch: func(ctx context.Context, _ room.Request) (*room.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	_, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base})
	if autherr.CodeOf(err) != autherr.Timeout {
		t.Errorf("error %v: got code %q want timeout", err, autherr.CodeOf(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Summary(ctx, room.Ref{Alias: alias}, room.Options{Server: base})
	if autherr.CodeOf(err) != autherr.Network {
		t.Errorf("cancelled: error %v: got code %q want network", err, autherr.CodeOf(err))
	}
}

func TestSummarySendsTokenItHas(t *testing.T) {
	f := newFake(map[string][]answer{stable + aliasEnc: ok(summaryJSON)})
	c := f.client()
	calls := 0
	c.AccessToken = func(context.Context) (string, error) { calls++; return "tok", nil }
	if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if len(f.log) != 1 || f.log[0].Header["Authorization"] != "Bearer tok" {
		t.Errorf("want one request with the token; got %#v", f.log)
	}
	// A Client whose AccessToken has none asks anonymously.
	f.log = nil
	c.AccessToken = func(context.Context) (string, error) { calls++; return "", nil }
	if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if len(f.log) != 1 || len(f.log[0].Header) != 0 {
		t.Errorf("want one anonymous request; got %#v", f.log)
	}
	if calls != 2 {
		t.Errorf("AccessToken calls got %d want one per Summary", calls)
	}
}

func TestSummaryTokenError(t *testing.T) {
	f := newFake(map[string][]answer{stable + aliasEnc: {missingToken}})
	c := f.client()
	c.AccessToken = func(context.Context) (string, error) {
		return "", &autherr.Error{Code: autherr.SessionExpired, Op: "refresh"}
	}
	_, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base})
	if autherr.CodeOf(err) != autherr.SessionExpired {
		t.Errorf("error %v: got code %q want session_expired", err, autherr.CodeOf(err))
	}
}

func TestSummaryRemembersStep(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	f := newFake(map[string][]answer{unstableR + aliasEnc + "/summary": ok(nhekoJSON)})
	c := f.client()
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	ref := room.Ref{Alias: alias}
	if _, err := c.Summary(ctx, ref, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 3 {
		t.Fatalf("first call: requests got %d want 3", n)
	}
	if _, err := c.Summary(ctx, ref, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[3:]; !reflect.DeepEqual(got, []string{unstableR + aliasEnc + "/summary"}) {
		t.Errorf("second call: requests got %q, want only the step that worked", got)
	}
	// Another server starts from the top.
	if _, err := c.Summary(ctx, ref, room.Options{Server: "https://other.example.org"}); err == nil {
		t.Error("other server: want an error from the fake's plain 404s")
	}
	// After an hour the memory is stale: the stable endpoint is asked again.
	now = now.Add(2 * time.Hour)
	f.log = nil
	if _, err := c.Summary(ctx, ref, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests(); len(got) != 3 || got[0] != stable+aliasEnc {
		t.Errorf("after expiry: requests got %q, want the chain from the stable step", got)
	}
}

func TestSummaryRememberedStepGone(t *testing.T) {
	f := newFake(map[string][]answer{unstableS + aliasEnc: {{status: 200, body: nhekoJSON}, unrecognized}, stable + aliasEnc: {unrecognized, {status: 200, body: summaryJSON}}})
	c := f.client()
	ctx := context.Background()
	ref := room.Ref{Alias: alias}
	if _, err := c.Summary(ctx, ref, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	// The server upgraded: the unstable path is gone, the stable one is here.
	f.log = nil
	s, err := c.Summary(ctx, ref, room.Options{Server: base})
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != room.SourceRoomSummary {
		t.Errorf("source got %q want room_summary", s.Source)
	}
	want := []string{unstableS + aliasEnc, unstableR + aliasEnc + "/summary", publicGET, stable + aliasEnc}
	if got := f.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
	f.log = nil
	if _, err := c.Summary(ctx, ref, room.Options{Server: base}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests(); !reflect.DeepEqual(got, []string{stable + aliasEnc}) {
		t.Errorf("third call: requests got %q, want the stable step only", got)
	}
}

func TestSummaryServerChoice(t *testing.T) {
	tests := []struct {
		name    string
		ref     room.Ref
		opts    room.Options
		resolve map[string]string
		wantURL string
		code    autherr.Code
	}{
		{name: "caller's base URL, trailing slash", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "https://hs.example.net/"},
			wantURL: "https://hs.example.net/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "caller's base URL with a path", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "https://example.net/matrix"},
			wantURL: "https://example.net/matrix/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "caller's server name", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "example.net"},
			wantURL: "https://example.net/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "alias's server", ref: room.Ref{Alias: "#room:example.com:8448"},
			wantURL: "https://example.com:8448/_matrix/client/v1/room_summary/%23room%3Aexample.com%3A8448"},
		{name: "first via for a room id", ref: room.Ref{ID: roomID, Via: []string{"b.org"}}, opts: room.Options{Via: []string{"a.org"}},
			wantURL: "https://a.org/_matrix/client/v1/room_summary/" + idEnc + "?via=a.org&via=b.org"},
		{name: "room id's own server as a last resort", ref: room.Ref{ID: roomID},
			wantURL: "https://example.org/_matrix/client/v1/room_summary/" + idEnc},
		{name: "loopback name over http", ref: room.Ref{Alias: "#room:127.0.0.1:8008"},
			wantURL: "http://127.0.0.1:8008/_matrix/client/v1/room_summary/%23room%3A127.0.0.1%3A8008"},
		{name: "localhost over http", ref: room.Ref{Alias: "#room:localhost"},
			wantURL: "http://localhost/_matrix/client/v1/room_summary/%23room%3Alocalhost"},
		{name: "ipv6 loopback over http", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "[::1]:8008"},
			wantURL: "http://[::1]:8008/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "resolver", ref: room.Ref{Alias: alias}, resolve: map[string]string{"example.org": "https://matrix-client.example.org"},
			wantURL: "https://matrix-client.example.org/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "resolver not used for URLs", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "http://127.0.0.1:1"}, resolve: map[string]string{},
			wantURL: "http://127.0.0.1:1/_matrix/client/v1/room_summary/" + aliasEnc},
		{name: "resolver failure", ref: room.Ref{Alias: alias}, resolve: map[string]string{}, code: autherr.DiscoveryFailed},
		{name: "http to a public host", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "http://example.org"}, code: autherr.InvalidInput},
		{name: "other scheme", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "ftp://example.org"}, code: autherr.InvalidInput},
		{name: "bad server name", ref: room.Ref{Alias: alias}, opts: room.Options{Server: "exa mple"}, code: autherr.InvalidInput},
		{name: "bad via option", ref: room.Ref{ID: roomID}, opts: room.Options{Via: []string{"a b"}}, code: autherr.InvalidInput},
		{name: "v12 id without via", ref: room.Ref{ID: v12}, code: autherr.InvalidInput},
		{name: "empty ref", code: autherr.InvalidInput},
		{name: "id and alias", ref: room.Ref{ID: roomID, Alias: alias}, code: autherr.InvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			c := &room.Client{Fetch: func(_ context.Context, req room.Request) (*room.Response, error) {
				got = append(got, req.URL)
				return &room.Response{Status: 200, Body: []byte(summaryJSON)}, nil
			}}
			if tt.resolve != nil {
				c.Resolve = func(_ context.Context, name string) (string, error) {
					if u, ok := tt.resolve[name]; ok {
						return u, nil
					}
					return "", errors.New("no well-known")
				}
			}
			_, err := c.Summary(context.Background(), tt.ref, tt.opts)
			if tt.code != "" {
				if autherr.CodeOf(err) != tt.code {
					t.Fatalf("error %v: got code %q want %q", err, autherr.CodeOf(err), tt.code)
				}
				return
			}
			if err != nil && autherr.CodeOf(err) != autherr.ServerError { // a room id mismatch is fine here
				t.Fatal(err)
			}
			if len(got) == 0 || got[0] != tt.wantURL {
				t.Errorf("first URL got %q want %q", got, tt.wantURL)
			}
		})
	}
}

func TestSummaryRoomIDMismatch(t *testing.T) {
	f := newFake(map[string][]answer{stable + "!other%3Aexample.org": ok(summaryJSON)})
	_, err := f.client().Summary(context.Background(), room.Ref{ID: "!other:example.org"}, room.Options{Server: base})
	if autherr.CodeOf(err) != autherr.ServerError || !strings.Contains(err.Error(), "answered for") {
		t.Errorf("error %v: want server_error about another room", err)
	}
}

func TestSummaryNoFetch(t *testing.T) {
	var c room.Client
	if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{}); autherr.CodeOf(err) != autherr.InvalidInput {
		t.Errorf("error %v: want invalid_input", err)
	}
}

func TestDecodeSummary(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *room.Summary
		err  string
	}{
		{name: "stable names win over unstable", body: `{"room_id":"!a:b.c","room_version":"11","im.nheko.summary.room_version":"9","encryption":"x","im.nheko.summary.encryption":"y"}`,
			want: &room.Summary{RoomID: "!a:b.c", RoomVersion: "11", Encryption: "x", JoinRule: "public"}},
		{name: "unstable room_version", body: `{"room_id":"!a:b.c","im.nheko.summary.room_version":"9"}`,
			want: &room.Summary{RoomID: "!a:b.c", RoomVersion: "9", JoinRule: "public"}},
		{name: "nulls are absent", body: `{"room_id":"!a:b.c","name":null,"num_joined_members":null,"world_readable":null}`,
			want: &room.Summary{RoomID: "!a:b.c", JoinRule: "public"}},
		{name: "float count", body: `{"room_id":"!a:b.c","num_joined_members":12.0}`,
			want: &room.Summary{RoomID: "!a:b.c", NumJoinedMembers: 12, JoinRule: "public"}},
		{name: "exponent count", body: `{"room_id":"!a:b.c","num_joined_members":1e3}`,
			want: &room.Summary{RoomID: "!a:b.c", NumJoinedMembers: 1000, JoinRule: "public"}},
		{name: "membership kept", body: `{"room_id":"!a:b.c","membership":"join","join_rule":"invite"}`,
			want: &room.Summary{RoomID: "!a:b.c", Membership: "join", JoinRule: "invite"}},
		{name: "bad canonical alias dropped", body: `{"room_id":"!a:b.c","canonical_alias":"nope"}`,
			want: &room.Summary{RoomID: "!a:b.c", JoinRule: "public"}},
		{name: "v12 room id", body: `{"room_id":"` + v12 + `"}`, want: &room.Summary{RoomID: v12, JoinRule: "public"}},
		{name: "negative count", body: `{"room_id":"!a:b.c","num_joined_members":-1}`, err: "num_joined_members is not a member count"},
		{name: "fractional count", body: `{"room_id":"!a:b.c","num_joined_members":1.5}`, err: "num_joined_members is not a member count"},
		{name: "huge count", body: `{"room_id":"!a:b.c","num_joined_members":1e300}`, err: "num_joined_members is not a member count"},
		{name: "string count", body: `{"room_id":"!a:b.c","num_joined_members":"3"}`, err: "num_joined_members is not a number"},
		{name: "string bool", body: `{"room_id":"!a:b.c","world_readable":"true"}`, err: "world_readable is not a boolean"},
		{name: "number name", body: `{"room_id":"!a:b.c","name":5}`, err: "name is not a string"},
		{name: "object topic", body: `{"room_id":"!a:b.c","topic":{"m.text":[]}}`, err: "topic is not a string"},
		{name: "numeric room id", body: `{"room_id":5}`, err: "room_id is not a string"},
		{name: "bad room id", body: `{"room_id":"#a:b.c"}`, err: "is not a room id"},
		{name: "no room id", body: `{}`, err: "no room_id"},
		{name: "array", body: `[]`, err: "not a JSON object"},
		{name: "null", body: `null`, err: "no room_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := room.DecodeSummary([]byte(tt.body))
			if tt.err != "" {
				if err == nil || autherr.CodeOf(err) != autherr.ServerError || !strings.Contains(err.Error(), "malformed room summary: ") || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error got %v, want server_error saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func FuzzSummaryJSON(f *testing.F) {
	for _, s := range []string{summaryJSON, nhekoJSON, `{"room_id":"!a:b.c","num_joined_members":1e3}`, `{}`, `null`, `[]`, `{"room_id":5}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := room.DecodeSummary(body)
		if err != nil {
			if autherr.CodeOf(err) != autherr.ServerError {
				t.Fatalf("error %v: code %q, want server_error", err, autherr.CodeOf(err))
			}
			return
		}
		if _, err := room.ParseRoomRef(s.RoomID); err != nil {
			t.Fatalf("accepted room_id %q that ParseRoomRef rejects: %v", s.RoomID, err)
		}
		if s.NumJoinedMembers < 0 || s.JoinRule == "" {
			t.Fatalf("bad summary %#v", s)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatal(err)
		}
		_ = room.Badge(s, room.BadgeOptions{UseAlias: true})
	})
}

func TestSummaryConcurrent(t *testing.T) {
	f := newFake(map[string][]answer{unstableS + aliasEnc: ok(nhekoJSON)})
	c := f.client()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// Five cards of one server at once probe the missing endpoints once: the
// first lookup learns which step answers, the others wait and use it.
func TestSummarySingleFlight(t *testing.T) {
	f := newFake(map[string][]answer{unstableR + aliasEnc + "/summary": ok(nhekoJSON)})
	c := f.client()
	// No request is answered before all five lookups have started, so
	// without the single flight each would probe the missing endpoints.
	const cards = 5
	var started atomic.Int32
	allIn := make(chan struct{})
	c.Fetch = func(ctx context.Context, req room.Request) (*room.Response, error) {
		<-allIn
		return f.fetch(ctx, req)
	}
	var wg sync.WaitGroup
	for range cards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if started.Add(1) == cards {
				close(allIn)
			}
			if _, err := c.Summary(context.Background(), room.Ref{Alias: alias}, room.Options{Server: base}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	missing := 0
	for _, r := range f.requests() {
		if !strings.HasPrefix(r, unstableR) {
			missing++
		}
	}
	if missing != 2 || len(f.requests()) != 7 {
		t.Errorf("requests %q: want the two missing endpoints asked once and the summary five times", f.requests())
	}
}
