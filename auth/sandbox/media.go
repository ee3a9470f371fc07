package sandbox

import (
	"net/http"
	"strconv"
)

// mediaAuthenticated serves the room avatars on the authenticated media
// paths (MSC3916, spec v1.11): /_matrix/client/v1/media/thumbnail and
// /download. A token is required, so an <img src> cannot load them and
// anonymous cards must fall back to initials. Any size asked gets the same
// 32×32 PNG.
func (s *Server) mediaAuthenticated(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAuth(w, r); !ok {
		return
	}
	data, ok := s.media[r.PathValue("media")]
	if r.PathValue("server") != s.serverName || !ok {
		matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Not found", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Disposition", "inline")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// mediaFrozen answers the legacy /_matrix/media/v3 paths as a server past the
// unauthenticated media freeze does for new media: 404 M_NOT_FOUND.
func (s *Server) mediaFrozen(w http.ResponseWriter, r *http.Request) {
	matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Not found", nil)
}
