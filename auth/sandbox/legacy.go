package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The legacy mode (Config.Legacy): a homeserver that has not moved to
// OAuth 2.0 and signs people in through SSO, as Synapse with an OIDC or
// SAML provider does (spec "Client login via SSO", "Login", "Refreshing
// access tokens", "Logout"):
//
//	GET  /_matrix/client/v3/login                       m.login.sso (with identity_providers), m.login.token
//	GET  /_matrix/client/v3/login/sso/redirect[/{idp}]  a page to pick the user (or AutoApprove), then
//	                                                   302 to redirectUrl with loginToken added
//	POST /_matrix/client/v3/login                       {"type":"m.login.token","token",…} → tokens
//	POST /_matrix/client/v3/refresh                     {"refresh_token"} → rotated tokens
//	POST /_matrix/client/v3/logout                      ends the device's session
//
// No auth metadata is served on any path and the well-known carries no
// MSC2965 hint. Login tokens live two minutes and redeem once, as
// Synapse's do.

// IdentityProvider is one entry of the legacy m.login.sso flow's
// identity_providers (Config.IdentityProviders).
type IdentityProvider struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Icon  string `json:"icon,omitempty"` // mxc:// URI
	Brand string `json:"brand,omitempty"`
}

// legacyClientID is the session client of legacy logins: no OAuth client
// is involved, and no OAuth endpoint accepts their tokens.
const legacyClientID = "legacy:m.login.token"

// loginTokenLifetime is Synapse's login token lifetime (2 min).
const loginTokenLifetime = 2 * time.Minute

// loginToken is an issued m.login.token, redeemable once.
type loginToken struct {
	user    string
	idp     string
	expires time.Time
	used    bool
}

// LegacyLogin is one redeemed login token, for tests that check which
// server got which token.
type LegacyLogin struct {
	UserID   string
	DeviceID string
	IDP      string
	Refresh  bool // a refresh token was asked for and granted
}

// LegacyLogins lists the login tokens redeemed so far, in order.
func (s *Server) LegacyLogins() []LegacyLogin {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LegacyLogin(nil), s.legacyLogins...)
}

// legacyFlows is GET /login in legacy mode.
func (s *Server) legacyFlows(w http.ResponseWriter) {
	flows := []map[string]any{}
	if s.cfg.PasswordLogin {
		flows = append(flows, map[string]any{"type": "m.login.password"})
	}
	if !s.isOff(OffSSO) {
		sso := map[string]any{"type": "m.login.sso"}
		if len(s.cfg.IdentityProviders) > 0 {
			sso["identity_providers"] = s.cfg.IdentityProviders
		}
		flows = append(flows, sso, map[string]any{"type": "m.login.token"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"flows": flows})
}

// ssoRedirect serves GET (the user picker, or AutoApprove at once) and POST
// (the picked user) of /_matrix/client/v3/login/sso/redirect[/{idp}].
func (s *Server) ssoRedirect(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Legacy || s.isOff(OffSSO) {
		unrecognized(w, http.StatusNotFound)
		return
	}
	idp := r.PathValue("idp")
	if idp != "" && !s.knownIDP(idp) {
		matrixError(w, http.StatusNotFound, "M_NOT_FOUND", "Unknown identity provider", nil)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
		_ = r.ParseForm()
	}
	back, err := url.Parse(r.FormValue("redirectUrl"))
	if err != nil || back.Scheme != "http" && back.Scheme != "https" || back.Host == "" {
		matrixError(w, http.StatusBadRequest, "M_MISSING_PARAM", "Missing or invalid redirectUrl", nil)
		return
	}
	user := s.cfg.AutoApprove
	if r.Method == http.MethodPost {
		user = r.PostForm.Get("user")
	}
	if user == "" {
		s.render(w, http.StatusOK, "Sign in", "sso", map[string]any{
			"Users": s.Users(), "RedirectURL": back.String(), "IDP": idp, "Action": r.FormValue("action"),
		})
		return
	}
	if !validLocalpart(user) {
		s.renderError(w, http.StatusBadRequest, "Unknown user", "Pick a user from the list.")
		return
	}
	tok := "syl_" + randomString(32)
	s.mu.Lock()
	s.addUserLocked(user)
	s.loginTokens[tok] = &loginToken{user: user, idp: idp, expires: s.now().Add(loginTokenLifetime)}
	s.mu.Unlock()
	// Synapse keeps redirectUrl's query and adds loginToken to it.
	q := back.Query()
	q.Set("loginToken", tok)
	back.RawQuery = q.Encode()
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	http.Redirect(w, r, back.String(), status)
}

func (s *Server) knownIDP(id string) bool {
	for _, p := range s.cfg.IdentityProviders {
		if p.ID == id {
			return true
		}
	}
	return false
}

// tokenLogin serves POST /login {"type":"m.login.token"} in legacy mode.
func (s *Server) tokenLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type         string `json:"type"`
		Token        string `json:"token"`
		DeviceID     string `json:"device_id"`
		DisplayName  string `json:"initial_device_display_name"`
		RefreshToken bool   `json:"refresh_token"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		matrixError(w, http.StatusBadRequest, "M_NOT_JSON", "Content not JSON.", nil)
		return
	}
	if body.Type != "m.login.token" {
		matrixError(w, http.StatusBadRequest, "M_UNKNOWN", "Unknown login type "+body.Type, nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lt := s.loginTokens[body.Token]
	if lt == nil || lt.used || !s.now().Before(lt.expires) {
		matrixError(w, http.StatusForbidden, "M_FORBIDDEN", "Invalid login token", nil)
		return
	}
	lt.used = true
	deviceID := body.DeviceID
	if deviceID == "" {
		deviceID = strings.ToUpper(randomString(10))
	}
	sess := s.newSessionLocked(legacyClientID, lt.user, deviceID, scopeAPI+" "+scopeDevicePrefix+deviceID)
	refresh := body.RefreshToken && !s.cfg.LegacyNoRefresh
	s.legacyLogins = append(s.legacyLogins, LegacyLogin{UserID: s.UserID(lt.user), DeviceID: deviceID, IDP: lt.idp, Refresh: refresh})
	writeJSON(w, http.StatusOK, s.legacyTokensLocked(sess, refresh))
}

// legacyTokensLocked issues the tokens of a legacy answer: with a refresh
// token, an access token of AccessTokenTTL and expires_in_ms; without, an
// access token that lasts until logout and neither field, as servers
// without refresh tokens answer.
func (s *Server) legacyTokensLocked(sess *session, refresh bool) map[string]any {
	at, rt := s.newTokenPairLocked(sess)
	out := map[string]any{"user_id": s.UserID(sess.user), "device_id": sess.deviceID, "access_token": at.value, "home_server": s.serverName}
	if refresh {
		out["refresh_token"] = rt.value
		out["expires_in_ms"] = s.cfg.AccessTokenTTL.Milliseconds()
	} else {
		rt.revoked = true
		at.expires = s.now().Add(100 * 365 * 24 * time.Hour)
	}
	return out
}

// legacyRefresh serves POST /_matrix/client/v3/refresh (spec v1.3): the
// refresh token rotates; an unknown or spent one is 401 M_UNKNOWN_TOKEN
// with soft_logout false.
func (s *Server) legacyRefresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		matrixError(w, http.StatusBadRequest, "M_NOT_JSON", "Content not JSON.", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[body.RefreshToken]
	var sess *session
	if rt != nil {
		sess = s.sessions[rt.sessionID]
	}
	if rt == nil || rt.consumed || rt.revoked || sess == nil || sess.finished || sess.clientID != legacyClientID {
		matrixError(w, http.StatusUnauthorized, "M_UNKNOWN_TOKEN", "Invalid refresh token", map[string]any{"soft_logout": false})
		return
	}
	rt.consumed = true
	if old := s.access[rt.accessToken]; old != nil {
		old.revoked = true
	}
	out := s.legacyTokensLocked(sess, true)
	delete(out, "user_id")
	delete(out, "device_id")
	delete(out, "home_server")
	writeJSON(w, http.StatusOK, out)
}

// legacyLogout ends the session of the Bearer token: every token of it
// stops working.
func (s *Server) legacyLogout(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAuth(w, r); !ok {
		return
	}
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	if at := s.access[strings.TrimSpace(tok)]; at != nil {
		if sess := s.sessions[at.sessionID]; sess != nil {
			sess.finished = true
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{})
}

// refreshRoute is POST /_matrix/client/v3/refresh: served in legacy mode
// only (MAS serves it for compat sessions; OAuth 2.0 clients refresh at
// the token endpoint).
func (s *Server) refreshRoute(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Legacy {
		unrecognized(w, http.StatusNotFound)
		return
	}
	s.legacyRefresh(w, r)
}
