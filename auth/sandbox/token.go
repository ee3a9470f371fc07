package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

const (
	codeLifetime      = 10 * time.Minute // MAS: redeem within 10 min
	codeReplayGrace   = 20 * time.Second // MAS: replay later than this ends the session
	idTokenLifetime   = time.Hour        // MAS default
	maxTokenFormBytes = 64 << 10
)

// pkceVerifierRE is RFC 7636 §4.1: 43–128 unreserved characters.
var pkceVerifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// token serves POST /oauth2/token (RFC 6749 §3.2): the authorization_code
// grant with PKCE (RFC 7636), the refresh_token grant with MAS's rotation and
// the device_code grant (RFC 8628 §3.4, see device.go).
// Errors are RFC 6749 §5.2 bodies, never Matrix errcodes.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	c := s.authenticateClient(w, r)
	if c == nil {
		return
	}
	// RFC 6749 §5.1: token answers must not be cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.codeGrant(w, r, c)
	case "refresh_token":
		s.refreshGrant(w, r, c)
	case grantTypeDeviceCode:
		if s.isOff(OffDeviceCode) {
			oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
			return
		}
		s.deviceCodeGrant(w, r, c)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
	}
}

// authenticateClient finds the client of a token or revocation request
// (RFC 6749 §2.3): HTTP Basic, or client_id (and client_secret) in the body.
// Like MAS: no client_id at all is 400 invalid_request "No credentials were
// presented"; an unknown client or a wrong secret is 401 invalid_client. On
// failure it writes the answer and returns nil.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request) *client {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both parts are form-urlencoded inside Basic.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "No credentials were presented")
		return nil
	}
	s.mu.Lock()
	c := s.clients[id]
	s.mu.Unlock()
	if c == nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "")
		return nil
	}
	ok := true
	switch c.authMethod {
	case "client_secret_basic":
		ok = basic && subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) == 1
	case "client_secret_post":
		ok = !basic && subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) == 1
	}
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "")
		return nil
	}
	return c
}

// codeGrant redeems an authorization code (RFC 6749 §4.1.3), in MAS's order:
// grant type allowed, code known, not already exchanged (a replay more than
// 20 s later ends the session, RFC 6749 §10.5), not older than 10 min, same
// client, PKCE S256, then redirect_uri equal to the authorization request's.
func (s *Server) codeGrant(w http.ResponseWriter, r *http.Request, c *client) {
	if !c.hasGrant("authorization_code") {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	form := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[form.Get("code")]
	if g == nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "")
		return
	}
	now := s.now()
	sess := s.sessions[g.sessionID]
	if g.exchanged {
		if now.Sub(g.exchangedAt) > codeReplayGrace && sess != nil {
			sess.finished = true
			s.logf("sandbox: code replayed after %s: session %s ended", now.Sub(g.exchangedAt), sess.id)
		}
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code was already used")
		return
	}
	if now.Sub(g.fulfilledAt) > codeLifetime {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code expired")
		return
	}
	if sess == nil || sess.finished {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "")
		return
	}
	if g.clientID != c.id {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	verifier := form.Get("code_verifier")
	if verifier == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "code_verifier is missing")
		return
	}
	sum := sha256.Sum256([]byte(verifier))
	if !pkceVerifierRE.MatchString(verifier) || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed: the code_verifier does not match the code_challenge")
		return
	}
	if form.Get("redirect_uri") != g.redirectURI {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	}
	at, rt := s.newTokenPairLocked(sess)
	g.exchanged, g.exchangedAt = true, now
	resp := s.tokenResponse(at, rt, sess)
	if hasScope(sess.scope, "openid") {
		idt, err := s.idTokenLocked(sess, c, g.nonce, at.value)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "")
			return
		}
		resp["id_token"] = idt
	}
	writeJSON(w, http.StatusOK, resp)
}

// refreshGrant rotates a refresh token (RFC 6749 §6) as MAS does
// (crates/handlers/src/oauth2/token.rs): each refresh issues a new pair and
// revokes the previous access token at once. An already-consumed refresh
// token is accepted once more only when the pair it produced was never used
// (the client lost the answer); those unused tokens are then revoked.
// Otherwise it is invalid_grant. The answer has no id_token, like MAS's.
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, c *client) {
	if !c.hasGrant("refresh_token") {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[r.PostForm.Get("refresh_token")]
	if rt == nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "")
		return
	}
	sess := s.sessions[rt.sessionID]
	if sess == nil || sess.finished || sess.clientID != c.id || rt.revoked {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "")
		return
	}
	if rt.consumed {
		next := s.refresh[rt.next]
		if next == nil || next.consumed || next.revoked {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "")
			return
		}
		if nat := s.access[next.accessToken]; nat != nil {
			if nat.used {
				oauthError(w, http.StatusBadRequest, "invalid_grant", "")
				return
			}
			nat.revoked = true
		}
		next.revoked = true
		s.logf("sandbox: refresh token reused before its successor was used: reissuing (lost response)")
	}
	at, nrt := s.newTokenPairLocked(sess)
	rt.consumed, rt.next = true, nrt.value
	if old := s.access[rt.accessToken]; old != nil {
		old.revoked = true
	}
	writeJSON(w, http.StatusOK, s.tokenResponse(at, nrt, sess))
}

func (s *Server) tokenResponse(at *accessToken, rt *refreshToken, sess *session) map[string]any {
	return map[string]any{
		"access_token":  at.value,
		"token_type":    "Bearer",
		"expires_in":    int(s.cfg.AccessTokenTTL / time.Second),
		"refresh_token": rt.value,
		"scope":         sess.scope,
	}
}

// idTokenLocked signs the OIDC ID token (OIDC Core §2): sub is the user's
// opaque id, not the Matrix user id, as with MAS.
func (s *Server) idTokenLocked(sess *session, c *client, nonce, accessToken string) (string, error) {
	now := s.now()
	sub := sess.user
	if u := s.users[sess.user]; u != nil {
		sub = u.sub
	}
	claims := map[string]any{
		"iss":       s.Issuer(),
		"sub":       sub,
		"aud":       c.id,
		"iat":       now.Unix(),
		"exp":       now.Add(idTokenLifetime).Unix(),
		"auth_time": sess.authTime.Unix(),
		"at_hash":   halfHash(accessToken),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return s.key.signJWT(claims)
}
