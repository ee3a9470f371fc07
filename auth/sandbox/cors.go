package sandbox

import (
	"net/http"
	"strings"
)

// setCORS sets the headers the spec recommends on every client-server
// endpoint (spec "Web Browser Clients"): any origin, the four methods plus
// OPTIONS, the three request headers. Synapse sends exactly these (plus HEAD);
// MAS sends Access-Control-Allow-Origin: * on its OAuth endpoints. Never
// Allow-Credentials: clients must not use credentials mode.
//
// Off "cors" drops them everywhere; off "cors-well-known" drops them on the
// well-known only, like a static host that forgot them.
func (s *Server) setCORS(w http.ResponseWriter, r *http.Request) {
	if s.isOff(OffCORS) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/.well-known/matrix/") && s.isOff(OffCORSWellKnown) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization")
	// Synapse exposes these two; note Retry-After is not among them, so
	// browser code must read retry_after_ms from the body (spec §6 notes).
	h.Set("Access-Control-Expose-Headers", "Synapse-Trace-Id, Server")
}
