package sandbox

import (
	"net/http"
	"strings"
)

// unknownRoom answers for a room that does not exist or that the requester
// may not see, alike so existence never leaks (MSC3266): 404 M_NOT_FOUND as
// Synapse and tuwunel, or 403 M_FORBIDDEN as continuwuity, per
// Config.UnknownRoomStatus.
func (s *Server) unknownRoom(w http.ResponseWriter) {
	if s.cfg.UnknownRoomStatus == http.StatusForbidden {
		matrixError(w, http.StatusForbidden, "M_FORBIDDEN", "Room is not accessible", nil)
		return
	}
	matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Room not found", nil)
}

// summary serves the room summary (MSC3266, spec v1.15): the stable
// /_matrix/client/v1/room_summary/{roomIdOrAlias} and, with unstable, the two
// im.nheko.summary paths, which answer the unstable-era field names
// im.nheko.summary.encryption and im.nheko.summary.room_version (what Synapse
// sent until 1.151 and Dendrite still sends). A token is optional; a bad
// one is 401. via is accepted and ignored: every room is local.
func (s *Server) summary(unstable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _, aerr := s.authenticate(r)
		if aerr != nil {
			aerr.write(w)
			return
		}
		ref := r.PathValue("room")
		if !strings.HasPrefix(ref, "!") && !strings.HasPrefix(ref, "#") {
			matrixError(w, http.StatusBadRequest, "M_INVALID_PARAM", ref+" is not a valid room ID or alias", nil)
			return
		}
		room := s.findRoom(ref)
		if room == nil || !room.visibleTo(p.user) {
			s.unknownRoom(w)
			return
		}
		body := room.chunk()
		encKey, verKey := "encryption", "room_version"
		if unstable {
			encKey, verKey = "im.nheko.summary.encryption", "im.nheko.summary.room_version"
		}
		if room.Encryption != "" {
			body[encKey] = room.Encryption
		}
		body[verKey] = room.RoomVersion
		if p.userID != "" {
			// Only for an authenticated requester (spec: absent otherwise).
			if room.hasMember(p.user) {
				body["membership"] = "join"
			} else {
				body["membership"] = "leave"
			}
		}
		writeJSON(w, http.StatusOK, body)
	}
}

// hierarchy serves GET /_matrix/client/v1/rooms/{roomId}/hierarchy (spec
// "Spaces", MSC2946): needs a token, takes a room id only. The first room is
// the one asked for, with its m.space.child state; then its visible children.
// Everything fits one page, so there is no next_batch.
func (s *Server) hierarchy(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireAuth(w, r)
	if !ok {
		return
	}
	ref := r.PathValue("room")
	if !strings.HasPrefix(ref, "!") {
		matrixError(w, http.StatusBadRequest, "M_INVALID_PARAM", ref+" is not a valid room ID", nil)
		return
	}
	room := s.findRoom(ref)
	if room == nil || !room.visibleTo(p.user) {
		s.unknownRoom(w)
		return
	}
	if s.cfg.HierarchyMembersOnly && !room.WorldReadable && !room.hasMember(p.user) {
		matrixError(w, http.StatusForbidden, "M_FORBIDDEN", "room is unknown/forbidden", nil)
		return
	}
	var childState []map[string]any
	rooms := []map[string]any{}
	top := room.chunk()
	rooms = append(rooms, top)
	suggestedOnly := r.URL.Query().Get("suggested_only") == "true"
	depth := r.URL.Query().Get("max_depth")
	for _, key := range room.Children {
		child := s.findRoom(RoomID(key, s.serverName))
		if child == nil {
			continue
		}
		childState = append(childState, map[string]any{
			"type":             "m.space.child",
			"state_key":        child.ID,
			"content":          map[string]any{"via": []string{s.serverName}, "suggested": key == RoomPublic},
			"sender":           s.UserID(s.cfg.Users[0]),
			"origin_server_ts": int64(1700000000000),
		})
		if depth == "0" || !child.visibleTo(p.user) || (suggestedOnly && key != RoomPublic) {
			continue
		}
		c := child.chunk()
		c["children_state"] = []any{}
		rooms = append(rooms, c)
	}
	if childState == nil {
		top["children_state"] = []any{}
	} else {
		top["children_state"] = childState
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": rooms})
}
