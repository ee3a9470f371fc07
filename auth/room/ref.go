// Package room reads references to Matrix rooms (ids, aliases, matrix.to
// links, matrix: URIs), fetches a room's public summary without a guest
// account, and draws member-count badges.
//
// It never imports net/http: requests go through an injected Fetch, so the
// small mxauth.wasm build can use the browser's fetch (DESIGN.md, "Three
// WASM builds"). Package room/httpfetch supplies a Fetch over net/http for
// Go programs.
package room

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Ref is a parsed reference to a room: exactly one of ID and Alias is set.
// The zero Ref refers to nothing.
type Ref struct {
	// ID is a room id with its sigil: "!opaque:server", or "!<hash>" for
	// room version 12 (MSC4291), which has no server part.
	ID string
	// Alias is a room alias with its sigil: "#room:server".
	Alias string
	// Via lists servers that may know the room (the via= parameters), in
	// the order given, without duplicates; nil when there are none.
	Via []string
	// EventID is the event a permalink points at ("$…"), or "".
	EventID string
	// Action is the intent of a matrix: URI ("join" or "chat"; the last
	// action= wins, unknown values are ignored), or "".
	Action string
}

// Limits from the spec (appendices, "Room Aliases", "Room IDs"): an id or an
// alias is at most 255 bytes including sigil and server name. A whole link
// may be longer because of its via= list, but not unboundedly.
const (
	maxIDBytes    = 255
	maxInputBytes = 4096
	// v12HashLen is the length of a room version 12 room id without its
	// sigil: the unpadded url-safe base64 of a SHA-256 reference hash.
	v12HashLen = 43
)

// opRef is the Op of every ParseRoomRef error.
const opRef = "room: parse ref"

func refError(format string, args ...any) error {
	return autherr.New(autherr.InvalidInput, opRef, format, args...)
}

// ParseRoomRef reads a room reference as people paste it: a room id, a room
// alias (also percent-encoded), a https://matrix.to/#/… link, a matrix: URI
// (MSC2312) or an Element-style https://host/#/room/… link, each with
// optional event id and via= servers (spec appendices, "URIs"). Anything
// the spec rejects, or that names a user or group instead of a room, is an
// *autherr.Error with Code invalid_input saying why.
func ParseRoomRef(s string) (Ref, error) {
	if len(s) > maxInputBytes {
		return Ref{}, refError("room reference longer than %d bytes", maxInputBytes)
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Ref{}, refError("empty room reference")
	case hasPrefixFold(s, "matrix:"):
		return parseMatrixURI(s[len("matrix:"):])
	case hasPrefixFold(s, "https://"), hasPrefixFold(s, "http://"):
		return parseWebLink(s)
	case hasPrefixFold(s, "matrix.to/"):
		return parseWebLink("https://" + s)
	}
	id := s
	if strings.HasPrefix(s, "%") {
		// A bare percent-encoded alias or id, as copied out of a link.
		d, err := url.PathUnescape(s)
		if err != nil {
			return Ref{}, refError("bad percent-encoding in %q", clip(s))
		}
		id = d
	}
	return parseIdentifier(id)
}

// parseIdentifier reads a decoded sigil-prefixed identifier that must name a
// room.
func parseIdentifier(id string) (Ref, error) {
	if id == "" {
		return Ref{}, refError("empty room id or alias")
	}
	switch id[0] {
	case '!':
		if err := checkRoomID(id); err != nil {
			return Ref{}, err
		}
		return Ref{ID: id}, nil
	case '#':
		if err := checkAlias(id); err != nil {
			return Ref{}, err
		}
		return Ref{Alias: id}, nil
	case '@':
		return Ref{}, refError("%q is a user id, not a room", clip(id))
	case '+':
		return Ref{}, refError("%q is a group id; groups no longer exist (spaces replaced them)", clip(id))
	case '$':
		return Ref{}, refError("%q is an event id; a link to an event needs its room first", clip(id))
	}
	return Ref{}, refError("%q is not a room id or alias: want ! or # first", clip(id))
}

// checkRoomID checks "!opaque:server" or the domain-less "!<hash>" of room
// version 12.
func checkRoomID(id string) error {
	if !strings.HasPrefix(id, "!") {
		return refError("%q is not a room id: want ! first", clip(id))
	}
	if err := checkIDText(id, "room id"); err != nil {
		return err
	}
	local, server, ok := strings.Cut(id[1:], ":")
	if !ok {
		// Room version 12 (MSC4291, spec v1.16) ids are the sigil plus the
		// create event's reference hash and carry no server name. Anything
		// else without a server is a truncated id.
		if len(local) != v12HashLen || !isURLSafeBase64(local) {
			return refError("room id %q has no server name (only room version 12 ids, a 43-character hash, may omit it)", clip(id))
		}
		return nil
	}
	if local == "" {
		return refError("room id %q has an empty opaque part", clip(id))
	}
	if !validServerName(server) {
		return refError("room id %q has a bad server name %q", clip(id), clip(server))
	}
	return nil
}

// checkAlias checks "#room:server" (spec appendices, "Room Aliases").
func checkAlias(alias string) error {
	if !strings.HasPrefix(alias, "#") {
		return refError("%q is not a room alias: want # first", clip(alias))
	}
	if err := checkIDText(alias, "room alias"); err != nil {
		return err
	}
	local, server, ok := strings.Cut(alias[1:], ":")
	if !ok {
		return refError("room alias %q has no server name (want #room:server)", clip(alias))
	}
	if local == "" {
		return refError("room alias %q has an empty name", clip(alias))
	}
	if !validServerName(server) {
		return refError("room alias %q has a bad server name %q", clip(alias), clip(server))
	}
	return nil
}

// checkEventID checks "$…": event ids are opaque (their form depends on the
// room version), so only length and characters are checked.
func checkEventID(ev string) error {
	if !strings.HasPrefix(ev, "$") {
		return refError("%q is not an event id: want $ first", clip(ev))
	}
	if len(ev) == 1 {
		return refError("empty event id")
	}
	return checkIDText(ev, "event id")
}

// checkIDText bounds an identifier and rejects what no identifier holds:
// control characters, white space and broken UTF-8.
func checkIDText(id, what string) error {
	if len(id) > maxIDBytes {
		return refError("%s longer than %d bytes", what, maxIDBytes)
	}
	if !utf8.ValidString(id) {
		return refError("%s %q is not valid UTF-8", what, clip(id))
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return refError("%s %q holds a control character", what, clip(id))
		}
		if unicode.IsSpace(r) {
			return refError("%s %q holds white space", what, clip(id))
		}
	}
	return nil
}

// parseMatrixURI reads what follows "matrix:" (MSC2312, spec appendices,
// "Matrix URI scheme"): [//authority/]type/id[/e/event][?query][#fragment].
func parseMatrixURI(rest string) (Ref, error) {
	rest, _, _ = strings.Cut(rest, "#") // the fragment is reserved, unused
	path, query, _ := strings.Cut(rest, "?")
	if strings.HasPrefix(path, "//") {
		// The authority is reserved for future use: skip it.
		i := strings.IndexByte(path[2:], '/')
		if i < 0 {
			return Ref{}, refError("matrix: URI has an authority but no path")
		}
		path = path[2+i+1:]
	}
	segs := strings.Split(path, "/")
	if len(segs) != 2 && len(segs) != 4 {
		return Ref{}, refError("matrix: URI path has %d segments, want 2 or 4 (type/id[/e/event])", len(segs))
	}
	for _, s := range segs {
		if s == "" {
			return Ref{}, refError("matrix: URI has an empty path segment")
		}
	}
	id, err := url.PathUnescape(segs[1])
	if err != nil {
		return Ref{}, refError("bad percent-encoding in matrix: URI id %q", clip(segs[1]))
	}
	var r Ref
	// Types compare case-insensitively. "room" is the legacy name of "r"
	// (an alias), not of "roomid".
	switch strings.ToLower(segs[0]) {
	case "r", "room":
		if err := checkAlias("#" + id); err != nil {
			return Ref{}, err
		}
		r.Alias = "#" + id
	case "roomid":
		if err := checkRoomID("!" + id); err != nil {
			return Ref{}, err
		}
		r.ID = "!" + id
	case "u", "user":
		return Ref{}, refError("matrix: URI names a user (%s/…), not a room", segs[0])
	default:
		return Ref{}, refError("matrix: URI type %q is not a room type (r, roomid)", clip(segs[0]))
	}
	if len(segs) == 4 {
		switch strings.ToLower(segs[2]) {
		case "e", "event":
		default:
			return Ref{}, refError("matrix: URI third segment %q is not e (event)", clip(segs[2]))
		}
		ev, err := url.PathUnescape(segs[3])
		if err != nil {
			return Ref{}, refError("bad percent-encoding in matrix: URI event %q", clip(segs[3]))
		}
		if err := checkEventID("$" + ev); err != nil {
			return Ref{}, err
		}
		r.EventID = "$" + ev
	}
	if err := parseQuery(query, &r); err != nil {
		return Ref{}, err
	}
	return r, nil
}

// parseWebLink reads https://matrix.to/#/<id>[/<event>][?query] and
// Element-style https://host/#/room/<id>[/<event>][?query]. The fragment is
// split by hand, not by net/url, because an unencoded alias brings a second
// "#" into it (spec: "an unencoded room alias should still work").
func parseWebLink(s string) (Ref, error) {
	base, frag, ok := strings.Cut(s, "#")
	if !ok {
		return Ref{}, refError("link %q has no #/ part naming a room", clip(s))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Ref{}, refError("link %q is not an http(s) URL", clip(s))
	}
	if !strings.HasPrefix(frag, "/") {
		return Ref{}, refError("link %q: want #/ after the address", clip(s))
	}
	path, query, _ := strings.Cut(frag[1:], "?")
	host := strings.ToLower(u.Hostname())
	if host != "matrix.to" && host != "www.matrix.to" {
		// Element and its forks: #/room/<id or alias>.
		kind, rest, _ := strings.Cut(path, "/")
		switch kind {
		case "room":
			path = rest
		case "user":
			return Ref{}, refError("link %q names a user, not a room", clip(s))
		default:
			return Ref{}, refError("link %q is neither a matrix.to link nor a #/room/ link", clip(s))
		}
	}
	first, ev, _ := strings.Cut(path, "/")
	id, err := url.PathUnescape(first)
	if err != nil {
		return Ref{}, refError("bad percent-encoding in %q", clip(first))
	}
	r, err := parseIdentifier(id)
	if err != nil {
		return Ref{}, err
	}
	if ev != "" {
		// Decoding may expose "/" from some room versions' event ids, so
		// the whole rest is the event (spec appendices, "matrix.to").
		e, err := url.PathUnescape(ev)
		if err != nil {
			return Ref{}, refError("bad percent-encoding in event %q", clip(ev))
		}
		if err := checkEventID(e); err != nil {
			return Ref{}, err
		}
		r.EventID = e
	}
	if err := parseQuery(query, &r); err != nil {
		return Ref{}, err
	}
	return r, nil
}

// parseQuery reads via= (repeated, server names) and action= (last wins;
// only join and chat are defined) into r. Other parameters, such as
// matrix.to's client= and web-instance[…]=, are ignored.
func parseQuery(q string, r *Ref) error {
	if q == "" {
		return nil
	}
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return refError("bad percent-encoding in query %q", clip(kv))
		}
		switch key {
		case "via":
			val, err := url.QueryUnescape(v)
			if err != nil {
				return refError("bad percent-encoding in via %q", clip(v))
			}
			if !validServerName(val) {
				return refError("via %q is not a server name", clip(val))
			}
			r.Via = appendUnique(r.Via, val)
		case "action":
			val, err := url.QueryUnescape(v)
			if err != nil {
				return refError("bad percent-encoding in action %q", clip(v))
			}
			switch a := strings.ToLower(val); a {
			case "join", "chat":
				r.Action = a
			default:
				r.Action = ""
			}
		}
	}
	return nil
}

// IDOrAlias returns the alias if there is one, else the room id.
func (r Ref) IDOrAlias() string {
	if r.Alias != "" {
		return r.Alias
	}
	return r.ID
}

// ServerName returns the server named inside the alias or room id, or ""
// for a room version 12 id. For a room id it is only the server that
// created the room: it may have left (spec appendices, "Room IDs").
func (r Ref) ServerName() string {
	_, server, _ := strings.Cut(r.IDOrAlias(), ":")
	return server
}

// String returns the alias or room id, followed by the event id when there
// is one; it is for messages and logs. Use MatrixTo or URI for links.
func (r Ref) String() string {
	if r.EventID != "" {
		return r.IDOrAlias() + "/" + r.EventID
	}
	return r.IDOrAlias()
}

// MatrixTo returns the canonical https://matrix.to/#/… link with every
// component percent-encoded, as the spec asks of producers; "" for the zero
// Ref.
func (r Ref) MatrixTo() string {
	id := r.IDOrAlias()
	if id == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("https://matrix.to/#/")
	b.WriteString(escapeComponent(id))
	if r.EventID != "" {
		b.WriteByte('/')
		b.WriteString(escapeComponent(r.EventID))
	}
	r.writeQuery(&b)
	return b.String()
}

// URI returns the canonical matrix: URI (matrix:r/… for an alias,
// matrix:roomid/… for an id, /e/… for an event); "" for the zero Ref.
func (r Ref) URI() string {
	var b strings.Builder
	switch {
	case r.Alias != "":
		b.WriteString("matrix:r/")
		b.WriteString(escapeSegment(r.Alias[1:]))
	case r.ID != "":
		b.WriteString("matrix:roomid/")
		b.WriteString(escapeSegment(r.ID[1:]))
	default:
		return ""
	}
	if len(r.EventID) > 1 {
		b.WriteString("/e/")
		b.WriteString(escapeSegment(r.EventID[1:]))
	}
	r.writeQuery(&b)
	return b.String()
}

func (r Ref) writeQuery(b *strings.Builder) {
	sep := byte('?')
	for _, v := range r.Via {
		b.WriteByte(sep)
		b.WriteString("via=")
		b.WriteString(escapeQueryValue(v))
		sep = '&'
	}
	if r.Action != "" {
		b.WriteByte(sep)
		b.WriteString("action=")
		b.WriteString(escapeQueryValue(r.Action))
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isURLSafeBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// clip shortens s for an error message, so a hostile 4 KiB input does not
// make a 4 KiB error.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
