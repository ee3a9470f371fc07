package sandbox

import (
	"net/http"
	"strings"
)

// principal is who a Bearer token stands for.
type principal struct {
	userID   string
	deviceID string
	user     string // localpart; "" for tokens checked by Config.TokenCheck
}

// authError is a 401 answer for a bad token (spec "Using access tokens").
type authError struct {
	errcode    string
	msg        string
	softLogout bool
}

func (e *authError) write(w http.ResponseWriter) {
	extra := map[string]any{}
	if e.errcode == "M_UNKNOWN_TOKEN" {
		extra["soft_logout"] = e.softLogout
	}
	matrixError(w, http.StatusUnauthorized, e.errcode, e.msg, extra)
}

// authenticate reads the Bearer token of r. present is false when r has
// none. A token that is unknown, revoked, of an ended session or without the
// client API scope is M_UNKNOWN_TOKEN; an expired one too, with
// soft_logout: true so the client refreshes and keeps its state.
// Presenting a valid token marks it used, which ends the lost-response
// grace of the refresh token that produced it.
func (s *Server) authenticate(r *http.Request) (p principal, present bool, aerr *authError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return principal{}, false, nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return principal{}, true, &authError{errcode: "M_MISSING_TOKEN", msg: "Missing access token"}
	}
	if s.cfg.Issuer != "" {
		if s.cfg.TokenCheck == nil {
			return principal{}, true, &authError{errcode: "M_UNKNOWN_TOKEN", msg: "Invalid access token passed."}
		}
		uid, dev, ok := s.cfg.TokenCheck(tok)
		if !ok {
			return principal{}, true, &authError{errcode: "M_UNKNOWN_TOKEN", msg: "Invalid access token passed."}
		}
		return principal{userID: uid, deviceID: dev}, true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.access[tok]
	var sess *session
	if at != nil {
		sess = s.sessions[at.sessionID]
	}
	if at == nil || at.revoked || sess == nil || sess.finished ||
		!(hasScope(sess.scope, scopeAPI) || hasScope(sess.scope, scopeUnstableAPI)) {
		return principal{}, true, &authError{errcode: "M_UNKNOWN_TOKEN", msg: "Invalid access token passed."}
	}
	if !s.now().Before(at.expires) {
		return principal{}, true, &authError{errcode: "M_UNKNOWN_TOKEN", msg: "Access token has expired", softLogout: true}
	}
	at.used = true
	return principal{userID: s.UserID(sess.user), deviceID: sess.deviceID, user: sess.user}, true, nil
}

// requireAuth is authenticate for endpoints that need a token: it writes the
// 401 and reports false when there is none or it is bad.
func (s *Server) requireAuth(w http.ResponseWriter, r *http.Request) (principal, bool) {
	p, present, aerr := s.authenticate(r)
	if !present {
		aerr = &authError{errcode: "M_MISSING_TOKEN", msg: "Missing access token"}
	}
	if aerr != nil {
		aerr.write(w)
		return principal{}, false
	}
	return p, true
}

// whoami serves GET /_matrix/client/v3/account/whoami.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireAuth(w, r)
	if !ok {
		return
	}
	body := map[string]any{"user_id": p.userID, "is_guest": false}
	if p.deviceID != "" {
		body["device_id"] = p.deviceID
	}
	writeJSON(w, http.StatusOK, body)
}

// userinfo serves the OIDC UserInfo endpoint (OIDC Core §5.3) at MAS's path.
// It answers OAuth-style 401s with WWW-Authenticate (RFC 6750 §3).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	at := s.access[strings.TrimSpace(tok)]
	var sess *session
	if at != nil {
		sess = s.sessions[at.sessionID]
	}
	valid := strings.EqualFold(scheme, "Bearer") && at != nil && !at.revoked && sess != nil &&
		!sess.finished && s.now().Before(at.expires) && hasScope(sess.scope, "openid")
	var sub, name string
	if valid {
		at.used = true
		name = sess.user
		sub = name
		if u := s.users[name]; u != nil {
			sub = u.sub
		}
	}
	s.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid, expired or lacks the openid scope.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": sub, "username": name})
}
