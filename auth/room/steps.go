package room

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// step is one way of getting a summary, in the order of issue 4.
type step int

const (
	stepStable          step = iota // GET /_matrix/client/v1/room_summary/{id}
	stepUnstableSummary             // GET …/unstable/im.nheko.summary/summary/{id}
	stepUnstableRooms               // GET …/unstable/im.nheko.summary/rooms/{id}/summary (older)
	stepHierarchy                   // GET /_matrix/client/v1/rooms/{id}/hierarchy, signed in
	stepPublicRooms                 // the public room directory, one or two pages
	numSteps
)

// errSkip means "this step cannot answer here": the endpoint is missing,
// or it wants a token the Client does not have. The next step is tried.
var errSkip = errors.New("room: step not available")

// authMode says when a request carries the access token.
type authMode int

const (
	authNever  authMode = iota // endpoints that need none (directory lookup)
	authIfHave                 // the token when the Client has one, else anonymous
	authAlways                 // skipped without a token
)

// Page sizes of the directory step: a filtered search needs few rows; an
// unfiltered page is the most we read of a directory, twice at most, never
// a scan of thousands of rooms (issue 4).
const (
	publicRoomsFiltered   = 20
	publicRoomsUnfiltered = 100
	publicRoomsPages      = 2
)

// call is the state of one Summary call.
type call struct {
	c    *Client
	base string
	ref  Ref
	via  []string

	// answered is set when the server gave a definitive answer at the last
	// step (the endpoint exists), so the step is worth remembering.
	answered bool
	// authErr is kept when a step wanted a token we lack; it is the answer
	// if no later step works.
	authErr *autherr.Error

	token     string
	tokenDone bool
	roomID    string   // the alias's room id, once resolved
	servers   []string // the directory's servers for the alias
}

func (k *call) run(ctx context.Context, st step) (*Summary, error) {
	k.answered = false
	id := escapeComponent(k.ref.IDOrAlias())
	switch st {
	case stepStable:
		return k.summaryAt(ctx, "/_matrix/client/v1/room_summary/"+id, SourceRoomSummary)
	case stepUnstableSummary:
		return k.summaryAt(ctx, "/_matrix/client/unstable/im.nheko.summary/summary/"+id, SourceUnstableSummary)
	case stepUnstableRooms:
		return k.summaryAt(ctx, "/_matrix/client/unstable/im.nheko.summary/rooms/"+id+"/summary", SourceUnstableSummary)
	case stepHierarchy:
		return k.hierarchy(ctx)
	case stepPublicRooms:
		return k.publicRooms(ctx)
	}
	return nil, errSkip
}

// summaryAt asks one of the MSC3266 endpoints (spec §4). Anonymous callers
// are answered for public, knockable and world-readable rooms; a signed-in
// caller's token is sent from the start, because servers answer 404 (or
// 403) for rooms hidden from anonymous requests exactly as for unknown ones
// (MSC3266: never leak existence), so only the first answer can be trusted,
// and only a token brings the caller's membership.
func (k *call) summaryAt(ctx context.Context, path string, src Source) (*Summary, error) {
	u := k.base + path + viaQuery(k.via)
	resp, err := k.request(ctx, opSummary, "GET", u, nil, authIfHave)
	if err != nil {
		return nil, err
	}
	s, err := decodeRoom(opSummary, resp.Body)
	if err != nil {
		return nil, err
	}
	if k.ref.ID != "" && s.RoomID != k.ref.ID {
		return nil, malformed(opSummary, "asked for %s, the server answered for %s", k.ref.ID, clip(s.RoomID))
	}
	s.Source = src
	return s, nil
}

// hierarchy asks the space hierarchy for the room alone (MSC2946,
// max_depth=0, limit=1). It needs a token; it is what Dendrite serves.
func (k *call) hierarchy(ctx context.Context) (*Summary, error) {
	const op = "room: hierarchy"
	token, err := k.accessToken(ctx)
	if err != nil || token == "" {
		return nil, errOr(err, errSkip)
	}
	roomID, err := k.resolveAlias(ctx)
	if err != nil {
		return nil, err
	}
	u := k.base + "/_matrix/client/v1/rooms/" + escapeComponent(roomID) + "/hierarchy?max_depth=0&limit=1"
	resp, err := k.request(ctx, op, "GET", u, nil, authAlways)
	if e := (*autherr.Error)(nil); errors.As(err, &e) && e.Code == autherr.Forbidden {
		// Dendrite and Synapse answer 403 to a non-member when the room's
		// history is not world-readable (a public room's default is
		// "shared"): the room may still be in the public directory. The
		// 403 is the answer only if no later step has one.
		if k.authErr == nil {
			k.authErr = e
		}
		return nil, errSkip
	}
	if err != nil {
		return nil, err
	}
	var h struct {
		Rooms []json.RawMessage `json:"rooms"`
	}
	if err := json.Unmarshal(resp.Body, &h); err != nil {
		return nil, malformed(op, "hierarchy: %v", err)
	}
	for _, raw := range h.Rooms {
		if rawRoomID(raw) != roomID {
			continue
		}
		s, err := decodeRoom(op, raw)
		if err != nil {
			return nil, err
		}
		s.Source = SourceHierarchy
		return s, nil
	}
	return nil, &autherr.Error{Code: autherr.NotFound, Op: op, Status: resp.Status,
		Err: errors.New("the hierarchy does not list the room")}
}

// resolveAlias returns the room id, looking an alias up in the room
// directory (GET /v3/directory/room/{alias}, no token needed).
func (k *call) resolveAlias(ctx context.Context) (string, error) {
	const op = "room: directory"
	if k.ref.ID != "" {
		return k.ref.ID, nil
	}
	if k.roomID != "" {
		return k.roomID, nil
	}
	u := k.base + "/_matrix/client/v3/directory/room/" + escapeComponent(k.ref.Alias)
	resp, err := k.request(ctx, op, "GET", u, nil, authNever)
	if e := (*autherr.Error)(nil); errors.As(err, &e) && e.Code == autherr.NotFound {
		e.Details = map[string]string{"reason": "no_such_alias"}
		e.Message = "no room has the address " + k.ref.Alias
		return "", e
	}
	if err != nil {
		return "", err
	}
	var d struct {
		RoomID  string   `json:"room_id"`
		Servers []string `json:"servers"`
	}
	if err := json.Unmarshal(resp.Body, &d); err != nil {
		return "", malformed(op, "directory entry: %v", err)
	}
	if checkRoomID(d.RoomID) != nil {
		return "", malformed(op, "directory room_id %q is not a room id", clip(d.RoomID))
	}
	k.roomID = d.RoomID
	for _, s := range d.Servers {
		if validServerName(s) && len(k.servers) < 3 {
			k.servers = appendUnique(k.servers, s)
		}
	}
	return k.roomID, nil
}

// publicRooms looks the room up in the public room directory: with a token
// a POST /v3/publicRooms filtered by the alias (which always needs one, matrix-spec
// issue 1835); without one the unfiltered GET, which Synapse refuses unless
// allow_public_rooms_without_auth is set. Either way at most two pages.
func (k *call) publicRooms(ctx context.Context) (*Summary, error) {
	const op = "room: public rooms"
	token, err := k.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	// Synapse's generic_search_term matches name, topic and canonical
	// alias, not room ids: an id is looked for in unfiltered pages.
	s, seen, err := k.directoryPages(ctx, op, token, k.ref.Alias)
	if s != nil || err != nil {
		return s, err
	}
	// The directory lists a room under its canonical alias: another alias
	// of it is turned into the room id (GET /directory/room, no token) and
	// looked for again; an alias nobody holds is not_found in those words.
	if k.ref.Alias != "" {
		resolved := k.roomID == ""
		if _, err := k.resolveAlias(ctx); autherr.CodeOf(err) == autherr.NotFound {
			return nil, err
		}
		if k.roomID != "" {
			if resolved {
				for _, raw := range seen {
					if k.matches(raw) {
						return k.directoryEntry(op, raw)
					}
				}
			}
			if token != "" {
				if s, _, err := k.directoryPages(ctx, op, token, ""); s != nil || err != nil {
					return s, err
				}
			}
		}
	}
	return nil, &autherr.Error{Code: autherr.NotFound, Op: op,
		Details: map[string]string{"reason": "not_in_directory"},
		Err:     errors.New("the room is not in the server's public room directory")}
}

func (k *call) directoryEntry(op string, raw json.RawMessage) (*Summary, error) {
	s, err := decodeRoom(op, raw)
	if err != nil {
		return nil, err
	}
	s.Source = SourcePublicRooms
	return s, nil
}

// directoryPages reads at most publicRoomsPages pages of the directory,
// filtered by term when there is a token and a term, and returns the entry
// of the room asked for, or nil and the entries it read.
func (k *call) directoryPages(ctx context.Context, op, token, term string) (*Summary, []json.RawMessage, error) {
	var err error
	var seen []json.RawMessage
	since := ""
	for range publicRoomsPages {
		var resp *Response
		if token != "" {
			body := map[string]any{"limit": publicRoomsUnfiltered}
			if term != "" {
				body["limit"] = publicRoomsFiltered
				body["filter"] = map[string]string{"generic_search_term": term}
			}
			if since != "" {
				body["since"] = since
			}
			b, _ := json.Marshal(body) // maps of strings and ints always encode
			resp, err = k.request(ctx, op, "POST", k.base+"/_matrix/client/v3/publicRooms", b, authAlways)
		} else {
			u := k.base + "/_matrix/client/v3/publicRooms?limit=" + strconv.Itoa(publicRoomsUnfiltered)
			if since != "" {
				u += "&since=" + escapeComponent(since)
			}
			resp, err = k.request(ctx, op, "GET", u, nil, authIfHave)
		}
		if err != nil {
			return nil, nil, err
		}
		var p struct {
			Chunk     []json.RawMessage `json:"chunk"`
			NextBatch string            `json:"next_batch"`
		}
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			return nil, nil, malformed(op, "public rooms: %v", err)
		}
		for _, raw := range p.Chunk {
			if k.matches(raw) {
				s, err := k.directoryEntry(op, raw)
				return s, nil, err
			}
		}
		seen = append(seen, p.Chunk...)
		if p.NextBatch == "" || p.NextBatch == since {
			break
		}
		since = p.NextBatch
	}
	return nil, seen, nil
}

// matches reports whether a directory entry is the room asked for.
func (k *call) matches(raw json.RawMessage) bool {
	var e struct {
		RoomID         any `json:"room_id"`
		CanonicalAlias any `json:"canonical_alias"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return false
	}
	id, _ := e.RoomID.(string)
	alias, _ := e.CanonicalAlias.(string)
	switch {
	case id != "" && (id == k.ref.ID || id == k.roomID):
		return true
	case alias != "" && alias == k.ref.Alias:
		return true
	}
	return false
}

func rawRoomID(raw json.RawMessage) string {
	var e struct {
		RoomID any `json:"room_id"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	id, _ := e.RoomID.(string)
	return id
}

// request sends one request and sorts the answer: a 2xx Response; errSkip
// when the endpoint is not here or wants a token we lack; otherwise the
// *autherr.Error the answer means.
func (k *call) request(ctx context.Context, op, method, u string, body []byte, mode authMode) (*Response, error) {
	token := ""
	if mode != authNever {
		t, err := k.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		if t == "" && mode == authAlways {
			return nil, errSkip
		}
		token = t
	}
	req := Request{Method: method, URL: u, Body: body}
	if token != "" || body != nil {
		req.Header = map[string]string{}
		if token != "" {
			req.Header["Authorization"] = "Bearer " + token
		}
		if body != nil {
			req.Header["Content-Type"] = "application/json"
		}
	}
	resp, err := k.c.send(ctx, op, req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		k.answered = true
		return resp, nil
	case serverrule.Absent(resp.Status, resp.Body):
		return nil, errSkip
	case resp.Status == 401 && token == "":
		// The endpoint is here but answers only signed-in users. Let
		// the next step try; if none can, this is the answer.
		if k.authErr == nil {
			e := autherr.FromReply(op, autherr.Forbidden, resp.Status, resp.Body)
			e.Details = map[string]string{"reason": "needs_sign_in"}
			k.authErr = e
		}
		return nil, errSkip
	case resp.Status == 401:
		k.answered = true
		return nil, autherr.FromReply(op, autherr.SessionExpired, resp.Status, resp.Body)
	}
	k.answered = resp.Status < 500
	return nil, statusError(op, resp)
}

// statusError classifies a definitive non-2xx answer: M_NOT_FOUND →
// not_found, M_FORBIDDEN or 403 → forbidden, 5xx → server_error, 400 →
// invalid_input (Synapse: "Missing via to query remote room"). A 404 with
// another errcode (M_UNKNOWN) trusts the status (spec §6 notes).
func statusError(op string, resp *Response) *autherr.Error {
	fallback := autherr.ServerError
	if resp.Status == 400 {
		fallback = autherr.InvalidInput
	}
	code := autherr.Classify(resp.Status, resp.Body, fallback)
	if resp.Status == 404 && code == fallback {
		code = autherr.NotFound
	}
	return autherr.FromReply(op, code, resp.Status, resp.Body)
}

// accessToken asks Client.AccessToken once per call.
func (k *call) accessToken(ctx context.Context) (string, error) {
	if k.tokenDone || k.c.AccessToken == nil {
		return k.token, nil
	}
	t, err := k.c.AccessToken(ctx)
	if err != nil {
		return "", autherr.Wrap(autherr.SessionExpired, "room: access token", err)
	}
	k.token, k.tokenDone = t, true
	return t, nil
}

// finish fills what the server does not send: via and the matrix.to link
// (the alias when there is one, as it routes without via).
func (k *call) finish(s *Summary) {
	via := []string{}
	for _, v := range k.via {
		via = appendUnique(via, v)
	}
	for _, v := range k.servers {
		via = appendUnique(via, v)
	}
	s.Via = via
	link := Ref{}
	switch {
	case k.ref.Alias != "":
		link.Alias = k.ref.Alias
	case s.CanonicalAlias != "":
		link.Alias = s.CanonicalAlias
	default:
		link.ID = s.RoomID
		// The spec recommends up to three via servers in links.
		if len(via) > 0 {
			link.Via = via[:min(len(via), 3)]
		}
	}
	s.MatrixToURL = link.MatrixTo()
}

func viaQuery(via []string) string {
	q := ""
	for i, v := range via {
		if i == 0 {
			q += "?"
		} else {
			q += "&"
		}
		q += "via=" + escapeQueryValue(v)
	}
	return q
}

func errOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
