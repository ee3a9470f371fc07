package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// directory serves GET /_matrix/client/v3/directory/room/{roomAlias}: no
// token needed; {room_id, servers}. Every fixture alias resolves, the private
// room's too (aliases are public; the room's content is not).
func (s *Server) directory(w http.ResponseWriter, r *http.Request) {
	alias := r.PathValue("alias")
	if !strings.HasPrefix(alias, "#") || !strings.Contains(alias, ":") {
		matrixError(w, http.StatusBadRequest, "M_INVALID_PARAM", "Room alias invalid", nil)
		return
	}
	if _, _, aerr := s.authenticate(r); aerr != nil {
		aerr.write(w)
		return
	}
	room := s.findRoom(alias)
	if room == nil || room.Alias != alias {
		matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Room alias "+alias+" not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"room_id": room.ID, "servers": []string{s.serverName}})
}

// publicRoomsFilter is the POST body of /publicRooms.
type publicRoomsFilter struct {
	Limit  *int   `json:"limit"`
	Since  string `json:"since"`
	Server string `json:"server"`
	Filter *struct {
		GenericSearchTerm string    `json:"generic_search_term"`
		RoomTypes         []*string `json:"room_types"`
	} `json:"filter"`
	IncludeAllNetworks   bool   `json:"include_all_networks"`
	ThirdPartyInstanceID string `json:"third_party_instance_id"`
}

// publicRooms serves the public room directory, /_matrix/client/v3/publicRooms.
// As Synapse: GET needs a token unless Config.PublicRoomsWithoutAuth (its
// allow_public_rooms_without_auth, default false); POST, which filters, always
// needs one (matrix-org/matrix-spec#1835). Pagination is by offset, with
// opaque next_batch / prev_batch tokens.
func (s *Server) publicRooms(w http.ResponseWriter, r *http.Request) {
	var q publicRoomsFilter
	if r.Method == http.MethodPost || !s.cfg.PublicRoomsWithoutAuth {
		if _, ok := s.requireAuth(w, r); !ok {
			return
		}
	} else if _, _, aerr := s.authenticate(r); aerr != nil {
		aerr.write(w)
		return
	}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err == nil && len(strings.TrimSpace(string(body))) > 0 {
			err = json.Unmarshal(body, &q)
		}
		if err != nil {
			matrixError(w, http.StatusBadRequest, "M_NOT_JSON", "Content not JSON.", nil)
			return
		}
	} else {
		v := r.URL.Query()
		if l := v.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil {
				matrixError(w, http.StatusBadRequest, "M_INVALID_PARAM", "limit must be an integer", nil)
				return
			}
			q.Limit = &n
		}
		q.Since, q.Server = v.Get("since"), v.Get("server")
	}
	if q.Server != "" && q.Server != s.serverName {
		matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Unknown server "+q.Server, nil)
		return
	}

	var matched []*Room
	for _, room := range s.publishedRooms() {
		if q.Filter != nil {
			if !room.matchesSearch(q.Filter.GenericSearchTerm) || !roomTypeMatches(room, q.Filter.RoomTypes) {
				continue
			}
		}
		matched = append(matched, room)
	}
	start := 0
	if q.Since != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(q.Since, "o"))
		if err != nil || !strings.HasPrefix(q.Since, "o") || n < 0 {
			matrixError(w, http.StatusBadRequest, "M_INVALID_PARAM", "Invalid since token", nil)
			return
		}
		start = min(n, len(matched))
	}
	end := len(matched)
	if q.Limit != nil && *q.Limit >= 0 && start+*q.Limit < end {
		end = start + *q.Limit
	}
	chunk := []map[string]any{}
	for _, room := range matched[start:end] {
		chunk = append(chunk, room.chunk())
	}
	resp := map[string]any{"chunk": chunk, "total_room_count_estimate": len(matched)}
	if end < len(matched) {
		resp["next_batch"] = "o" + strconv.Itoa(end)
	}
	if start > 0 {
		prev := 0
		if q.Limit != nil {
			prev = max(0, start-*q.Limit)
		}
		resp["prev_batch"] = "o" + strconv.Itoa(prev)
	}
	writeJSON(w, http.StatusOK, resp)
}

// roomTypeMatches applies filter.room_types: nil lists everything; a null
// entry stands for rooms without a type.
func roomTypeMatches(r *Room, types []*string) bool {
	if types == nil {
		return true
	}
	for _, t := range types {
		if (t == nil && r.RoomType == "") || (t != nil && *t == r.RoomType) {
			return true
		}
	}
	return false
}
