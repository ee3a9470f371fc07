package sandbox

import "net/http"

// revoke serves POST /oauth2/revoke (RFC 7009, MSC4254) as MAS does
// (crates/handlers/src/oauth2/revoke.rs): the client must identify itself
// (no client_id: 400 invalid_request; unknown: 401 invalid_client); the
// token, access or refresh, ends its whole session, so both tokens stop
// working; a token of another client is 401 unauthorized_client (where RFC
// 7009 would still revoke); an unknown or already invalid token is 200.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	c := s.authenticateClient(w, r)
	if c == nil {
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is missing")
		return
	}
	hint := r.PostForm.Get("token_type_hint")
	if hint != "" && hint != "access_token" && hint != "refresh_token" {
		oauthError(w, http.StatusBadRequest, "unsupported_token_type", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var sessionID string
	if at := s.access[tok]; at != nil && hint != "refresh_token" {
		if !at.revoked && now.Before(at.expires) {
			sessionID = at.sessionID
		}
	} else if rt := s.refresh[tok]; rt != nil && hint != "access_token" {
		if !rt.consumed && !rt.revoked {
			sessionID = rt.sessionID
		}
	}
	sess := s.sessions[sessionID]
	if sess == nil || sess.finished {
		w.WriteHeader(http.StatusOK)
		return
	}
	if sess.clientID != c.id {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	sess.finished = true
	w.WriteHeader(http.StatusOK)
}
