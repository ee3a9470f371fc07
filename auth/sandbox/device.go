package sandbox

import (
	"crypto/rand"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The device authorization grant (RFC 8628; Matrix spec v1.18, MSC4341) as
// MAS serves it (crates/handlers/src/oauth2/device/, token.rs):
//
//   - POST /oauth2/device takes the client's credentials as the token
//     endpoint does; a client not registered for the grant is 401
//     unauthorized_client. It answers a 32-character alphanumeric
//     device_code, a 6-character user_code of Crockford's base 32 (no I, L,
//     O, U), verification_uri <issuer>link, verification_uri_complete
//     <issuer>link?code=<user code>, expires_in 1200 (20 min) and interval 5.
//   - GET|POST /link?code= finds the code (as typed in upper case, then with
//     O read as 0 and I, L as 1), at most 10 tries per requester and
//     minute (RFC 8628 §5.1), then sends the person to /device/<id>, where
//     they pick an account and allow or deny.
//   - the token endpoint answers authorization_pending, access_denied and
//     expired_token with 403 as MAS does, an exchanged code with 400
//     invalid_grant. MAS never sends slow_down; the sandbox does (RFC 8628
//     §3.5) when a client polls sooner than the interval, so clients can be
//     tested against it.
//
// Config.DeviceCodeTTL and Config.DeviceCodeInterval shorten the lifetimes
// for tests; OffDeviceCode switches the grant off (no endpoint in the
// metadata, the grant not listed, the paths 404), as MAS's
// device_code_grant_enabled: false does.

const (
	grantTypeDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

	pathDeviceAuthorization = "/oauth2/device"
	pathDeviceLink          = "/link"
	pathDeviceConsent       = "/device/"

	defaultDeviceCodeTTL      = 20 * time.Minute
	defaultDeviceCodeInterval = 5 * time.Second

	// userCodeAlphabet is Crockford's base 32: digits and upper-case
	// letters without I, L, O and U, so a code read aloud or off a TV is
	// not misread.
	userCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	userCodeLength   = 6
	deviceCodeLength = 32

	// linkAttempts is how many codes one requester may try per
	// linkAttemptWindow on the link page (MAS: a burst of 10).
	linkAttempts      = 10
	linkAttemptWindow = time.Minute
)

// deviceState is where a device code grant is (MAS's DeviceCodeGrantState).
type deviceState int

const (
	devicePending deviceState = iota
	deviceFulfilled
	deviceRejected
	deviceExchanged
)

// deviceGrant is one device authorization request.
type deviceGrant struct {
	id         string // names the consent page; never the device code
	deviceCode string
	userCode   string
	client     *client
	scope      string
	created    time.Time
	expires    time.Time
	state      deviceState
	user       string // localpart, once fulfilled
	lastPoll   time.Time
}

// linkTries counts one requester's user code tries in the current window.
type linkTries struct {
	start time.Time
	n     int
}

func (s *Server) deviceTTL() time.Duration {
	if s.cfg.DeviceCodeTTL > 0 {
		return s.cfg.DeviceCodeTTL
	}
	return defaultDeviceCodeTTL
}

func (s *Server) deviceInterval() time.Duration {
	if s.cfg.DeviceCodeInterval > 0 {
		return s.cfg.DeviceCodeInterval
	}
	return defaultDeviceCodeInterval
}

// randomFrom is n characters of alphabet from crypto/rand.
func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			v = big.NewInt(int64(i % len(alphabet)))
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// deviceAuthorization serves POST /oauth2/device (RFC 8628 §3.1, §3.2).
func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	c := s.authenticateClient(w, r)
	if c == nil {
		return
	}
	if !c.hasGrant(grantTypeDeviceCode) {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	now := s.now()
	g := &deviceGrant{
		id:         "dev_" + randomString(24),
		deviceCode: randomString(deviceCodeLength),
		client:     c,
		scope:      strings.Join(strings.Fields(r.PostForm.Get("scope")), " "),
		created:    now,
		expires:    now.Add(s.deviceTTL()),
	}
	s.mu.Lock()
	for id, old := range s.devices {
		if now.Sub(old.expires) > time.Hour {
			delete(s.devices, id)
		}
	}
	// A fresh user code must not name a live grant: draw again on a clash.
	for {
		g.userCode = randomFrom(userCodeAlphabet, userCodeLength)
		if s.deviceByUserCodeLocked(g.userCode) == nil {
			break
		}
	}
	s.devices[g.id] = g
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               g.deviceCode,
		"user_code":                 g.userCode,
		"verification_uri":          s.url + pathDeviceLink,
		"verification_uri_complete": s.url + pathDeviceLink + "?" + url.Values{"code": {g.userCode}}.Encode(),
		"expires_in":                int(s.deviceTTL() / time.Second),
		"interval":                  int(s.deviceInterval() / time.Second),
	})
}

// deviceByUserCodeLocked finds a pending, unexpired grant by its user code.
func (s *Server) deviceByUserCodeLocked(code string) *deviceGrant {
	now := s.now()
	for _, g := range s.devices {
		if g.userCode == code && g.state == devicePending && now.Before(g.expires) {
			return g
		}
	}
	return nil
}

// normalizeUserCode repairs what people misread: lower case, spaces and
// dashes, O for 0, I and L for 1 (Crockford's decoding rules).
func normalizeUserCode(code string) string {
	code = strings.ToUpper(code)
	var b strings.Builder
	for _, r := range code {
		switch r {
		case ' ', '-':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// findUserCodeLocked looks a typed code up as typed (upper case) first, then
// repaired, as MAS does.
func (s *Server) findUserCodeLocked(typed string) *deviceGrant {
	up := strings.ToUpper(strings.TrimSpace(typed))
	if g := s.deviceByUserCodeLocked(up); g != nil {
		return g
	}
	if n := normalizeUserCode(up); n != up {
		return s.deviceByUserCodeLocked(n)
	}
	return nil
}

// allowLinkTry counts a code try of the requester at addr and reports
// whether it is within the allowance.
func (s *Server) allowLinkTry(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.linkTries[host]
	if t == nil || now.Sub(t.start) >= linkAttemptWindow {
		t = &linkTries{start: now}
		s.linkTries[host] = t
	}
	t.n++
	return t.n <= linkAttempts
}

// deviceLink serves GET|POST /link: the page where a person types the code
// (or arrives with it from verification_uri_complete).
func (s *Server) deviceLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return
	}
	code := r.Form.Get("code")
	if code == "" {
		s.renderDeviceLink(w, http.StatusOK, "", "")
		return
	}
	if !s.allowLinkTry(r.RemoteAddr) {
		s.renderDeviceLink(w, http.StatusTooManyRequests, code, "Too many tries. Wait a minute, then type the code again.")
		return
	}
	s.mu.Lock()
	g := s.findUserCodeLocked(code)
	s.mu.Unlock()
	if g == nil {
		s.renderDeviceLink(w, http.StatusBadRequest, code, "That code is not valid. It may have expired or been used; check the screen that shows it.")
		return
	}
	http.Redirect(w, r, pathDeviceConsent+g.id, http.StatusSeeOther)
}

// deviceConsent serves GET|POST /device/<id>: pick an account, then allow
// or deny the device.
func (s *Server) deviceConsent(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, pathDeviceConsent)
	s.mu.Lock()
	g := s.devices[id]
	var cp deviceGrant
	if g != nil {
		cp = *g
	}
	s.mu.Unlock()
	if g == nil || cp.state != devicePending || !s.now().Before(cp.expires) {
		s.renderError(w, http.StatusBadRequest, "Code expired", "This sign-in code is unknown, expired or already answered. Get a new code on the device.")
		return
	}
	if r.Method != http.MethodPost {
		s.renderDeviceConsent(w, &cp, "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return
	}
	allow := r.PostForm.Get("decision") == "allow"
	user := strings.ToLower(strings.TrimSpace(r.PostForm.Get("user")))
	if err := s.decideDevice(g.id, user, allow); err != nil {
		s.renderDeviceConsent(w, &cp, err.Error())
		return
	}
	if allow {
		s.render(w, http.StatusOK, "Device signed in", "device-done", map[string]any{
			"Heading": "Device signed in", "Message": "You can go back to your device now.",
		})
		return
	}
	s.render(w, http.StatusOK, "Sign-in denied", "device-done", map[string]any{
		"Heading": "Sign-in denied", "Message": "The device was not signed in.",
	})
}

// Errors of DecideDevice.
var (
	ErrUnknownUserCode = errors.New("sandbox: no pending device code with this user code")
	ErrUnknownUser     = errors.New("sandbox: no such user")
)

// DecideDevice answers the pending device authorization whose user code is
// userCode, as a person on the approve page would: allow as the user
// localpart, or deny. For tests that approve without a browser.
func (s *Server) DecideDevice(userCode, localpart string, allow bool) error {
	s.mu.Lock()
	g := s.findUserCodeLocked(userCode)
	s.mu.Unlock()
	if g == nil {
		return ErrUnknownUserCode
	}
	return s.decideDevice(g.id, localpart, allow)
}

// decideDevice fulfils or rejects grant id. Approval applies MAS's
// authorization grant policy to the requested scope (a device scope with
// the API scope and so on) and refuses when it fails, leaving the grant
// pending, as MAS's consent page does.
func (s *Server) decideDevice(id, localpart string, allow bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.devices[id]
	if g == nil || g.state != devicePending || !s.now().Before(g.expires) {
		return ErrUnknownUserCode
	}
	if !allow {
		g.state = deviceRejected
		return nil
	}
	if _, ok := s.users[localpart]; !ok {
		return ErrUnknownUser
	}
	if _, violations := checkScope(g.scope); len(violations) > 0 {
		return errors.New("the device asks for a scope the server refuses: " + strings.Join(violations, ", "))
	}
	g.state, g.user = deviceFulfilled, localpart
	return nil
}

// deviceCodeGrant redeems a device code at the token endpoint (RFC 8628
// §3.4, §3.5) in MAS's order: grant allowed for the client, code known, same
// client, not expired, then its state.
func (s *Server) deviceCodeGrant(w http.ResponseWriter, r *http.Request, c *client) {
	if !c.hasGrant(grantTypeDeviceCode) {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	code := r.PostForm.Get("device_code")
	var g *deviceGrant
	for _, d := range s.devices {
		if d.deviceCode == code && code != "" {
			g = d
		}
	}
	if g == nil || g.client.id != c.id {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "")
		return
	}
	now := s.now()
	if !now.Before(g.expires) {
		oauthError(w, http.StatusForbidden, "expired_token", "The device code expired; start again.")
		return
	}
	// RFC 8628 §3.5: a client that polls sooner than the interval is told
	// to slow down. A fifth of the interval is allowed for jitter.
	early := !g.lastPoll.IsZero() && now.Sub(g.lastPoll) < s.deviceInterval()*4/5
	g.lastPoll = now
	if early && g.state == devicePending {
		oauthError(w, http.StatusBadRequest, "slow_down", "Poll less often.")
		return
	}
	switch g.state {
	case devicePending:
		oauthError(w, http.StatusForbidden, "authorization_pending", "The person has not answered yet.")
		return
	case deviceRejected:
		oauthError(w, http.StatusForbidden, "access_denied", "The person denied the request.")
		return
	case deviceExchanged:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the device code was already used")
		return
	}
	deviceID, _ := checkScope(g.scope)
	sess := s.newSessionLocked(c.id, g.user, deviceID, g.scope)
	at, rt := s.newTokenPairLocked(sess)
	g.state = deviceExchanged
	resp := s.tokenResponse(at, rt, sess)
	if !c.hasGrant("refresh_token") {
		// MAS issues a refresh token only to clients registered for it.
		delete(resp, "refresh_token")
		delete(s.refresh, rt.value)
	}
	if hasScope(sess.scope, "openid") {
		idt, err := s.idTokenLocked(sess, c, "", at.value)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "")
			return
		}
		resp["id_token"] = idt
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) renderDeviceLink(w http.ResponseWriter, status int, code, errMsg string) {
	s.render(w, status, "Link a device", "device-link", map[string]any{
		"Code": code, "Error": errMsg, "LinkPath": pathDeviceLink,
	})
}

func (s *Server) renderDeviceConsent(w http.ResponseWriter, g *deviceGrant, errMsg string) {
	name, _ := g.client.metadata["client_name"].(string)
	uri, _ := g.client.metadata["client_uri"].(string)
	if name == "" {
		name = g.client.id
	}
	var scopes []string
	for _, sc := range strings.Fields(g.scope) {
		scopes = append(scopes, describeScope(sc))
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, status, "Allow a device", "device-consent", map[string]any{
		"ClientName": name, "ClientURI": uri, "ClientID": g.client.id, "UserCode": g.userCode,
		"Scopes": scopes, "Users": s.Users(), "Error": errMsg, "Path": pathDeviceConsent + g.id,
	})
}
