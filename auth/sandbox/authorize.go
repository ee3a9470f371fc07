package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// pendingAuth is an authorization request that passed validation and waits
// for the user on the HTML page.
type pendingAuth struct {
	id           string
	client       *client
	redirectURI  string
	responseMode string
	state        string
	nonce        string
	scope        string
	deviceID     string
	challenge    string
	create       bool   // prompt=create: show the account creation form first
	loginHint    string // localpart from login_hint=mxid:@user:server
	user         string // chosen at the first step
	created      time.Time
}

// pkceChallengeRE is a S256 challenge: BASE64URL(SHA256(verifier)), 43 chars
// without padding (RFC 7636 §4.2).
var pkceChallengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authorize serves GET /authorize (RFC 6749 §4.1.1, spec "Authorisation code
// flow"). As MAS does, a missing or unknown client_id or a redirect_uri that
// is not registered shows an error page: redirecting there would make the
// server an open redirector (RFC 6749 §4.1.2.1). Every other error redirects
// back with error, error_description and state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		// A HEAD (link previewers, prefetchers) must never mint a code.
		w.Header().Set("Allow", "GET")
		s.renderError(w, http.StatusMethodNotAllowed, "Method not allowed", "The authorization endpoint answers GET only.")
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	c := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	if q.Get("client_id") == "" || c == nil {
		s.renderError(w, http.StatusBadRequest, "Unknown client", "The client_id is missing or was never registered here.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		// MAS: redirect_uri may be omitted only when exactly one is registered.
		if len(c.redirectURIs) != 1 {
			s.renderError(w, http.StatusBadRequest, "Missing redirect URI", "The request names no redirect_uri and the client registered more than one.")
			return
		}
		redirectURI = c.redirectURIs[0]
	} else if !redirectRegistered(c, redirectURI) {
		s.renderError(w, http.StatusBadRequest, "Invalid redirect URI", "The redirect_uri "+redirectURI+" is not registered for this client.")
		return
	}

	mode := q.Get("response_mode")
	fail := func(code, desc string) {
		if desc == "" {
			desc = defaultOAuthDescription(code)
		}
		s.redirectBack(w, r, redirectURI, safeMode(mode), url.Values{
			"error": {code}, "error_description": {desc}, "state": {q.Get("state")},
		})
	}
	switch {
	case mode != "" && mode != "query" && mode != "fragment" && mode != "form_post":
		fail("invalid_request", "response_mode must be query, fragment or form_post")
		return
	case q.Has("request"):
		fail("request_not_supported", "")
		return
	case q.Has("request_uri"):
		fail("request_uri_not_supported", "")
		return
	case q.Has("registration"):
		fail("registration_not_supported", "")
		return
	case q.Get("response_type") == "":
		fail("invalid_request", "response_type is missing")
		return
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE is required: code_challenge is missing")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case !pkceChallengeRE.MatchString(q.Get("code_challenge")):
		fail("invalid_request", "code_challenge is not a base64url SHA-256 digest")
		return
	}
	scope := strings.Join(strings.Fields(q.Get("scope")), " ")
	deviceID, violations := checkScope(scope)
	if len(violations) > 0 {
		fail("invalid_scope", strings.Join(violations, ", "))
		return
	}
	prompts := strings.Fields(q.Get("prompt"))
	for _, p := range prompts {
		if p == "none" {
			// No browser session here ever, and MAS refuses prompt=none.
			fail("login_required", "")
			return
		}
	}
	if mode == "" {
		mode = "query" // MAS's default when response_mode is omitted
	}
	p := &pendingAuth{
		id:           randomString(32),
		client:       c,
		redirectURI:  redirectURI,
		responseMode: mode,
		state:        q.Get("state"),
		nonce:        q.Get("nonce"),
		scope:        scope,
		deviceID:     deviceID,
		challenge:    q.Get("code_challenge"),
		loginHint:    loginHintLocalpart(q.Get("login_hint"), s.serverName),
		created:      s.now(),
	}
	for _, pr := range prompts {
		if pr == "create" && s.cfg.PromptCreate {
			p.create = true
		}
	}
	if s.cfg.AutoApprove != "" {
		p.user = s.cfg.AutoApprove
		s.addUser(p.user)
		s.approve(w, r, p)
		return
	}
	s.mu.Lock()
	for id, old := range s.pending {
		if p.created.Sub(old.created) > time.Hour {
			delete(s.pending, id)
		}
	}
	s.pending[p.id] = p
	s.mu.Unlock()
	s.renderLogin(w, p, "")
}

// authorizeContinue is the first step's form: sign in as a listed or typed
// user, or create an account (prompt=create). It then shows the consent.
func (s *Server) authorizeContinue(w http.ResponseWriter, r *http.Request) {
	p := s.pendingFromForm(w, r)
	if p == nil {
		return
	}
	defer s.savePending(p)
	action := r.PostForm.Get("action")
	if (action == "create" || action == "show-create") && !s.cfg.PromptCreate {
		p.create = false
		s.renderLogin(w, p, "Account creation is switched off on this server.")
		return
	}
	switch action {
	case "create":
		name := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
		if !validLocalpart(name) {
			s.renderLogin(w, p, "Choose a username of lowercase letters, digits and . _ = - / +")
			return
		}
		s.mu.Lock()
		_, taken := s.users[name]
		if !taken {
			s.addUserLocked(name)
		}
		s.mu.Unlock()
		if taken {
			s.renderLogin(w, p, "That username is taken.")
			return
		}
		p.user = name
	case "show-login":
		p.create = false
		s.renderLogin(w, p, "")
		return
	case "show-create":
		p.create = true
		s.renderLogin(w, p, "")
		return
	default:
		name := strings.ToLower(strings.TrimSpace(r.PostForm.Get("user")))
		if name == "" {
			name = strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
		}
		s.mu.Lock()
		_, known := s.users[name]
		s.mu.Unlock()
		if !known {
			s.renderLogin(w, p, "No such user. Pick one from the list or create an account.")
			return
		}
		p.user = name
	}
	s.renderConsent(w, p)
}

// authorizeConsent is the consent form: allow issues the code; deny sends
// access_denied back (RFC 6749 §4.1.2.1).
func (s *Server) authorizeConsent(w http.ResponseWriter, r *http.Request) {
	p := s.pendingFromForm(w, r)
	if p == nil {
		return
	}
	if p.user == "" {
		s.renderLogin(w, p, "Sign in first.")
		return
	}
	s.mu.Lock()
	_, still := s.pending[p.id]
	delete(s.pending, p.id)
	s.mu.Unlock()
	if !still {
		// A second submit of the same consent form: one answer only.
		s.renderError(w, http.StatusBadRequest, "Request expired", "This sign-in request was already answered.")
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		s.redirectBack(w, r, p.redirectURI, p.responseMode, url.Values{
			"error": {"access_denied"}, "error_description": {"The user denied the request."}, "state": {p.state},
		})
		return
	}
	s.approve(w, r, p)
}

// pendingFromForm finds the pending request named by the form's tx, or
// renders an error page and returns nil.
func (s *Server) pendingFromForm(w http.ResponseWriter, r *http.Request) *pendingAuth {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return nil
	}
	s.mu.Lock()
	p := s.pending[r.PostForm.Get("tx")]
	if p != nil && s.now().Sub(p.created) > time.Hour {
		delete(s.pending, p.id)
		p = nil
	}
	s.mu.Unlock()
	if p == nil {
		s.renderError(w, http.StatusBadRequest, "Request expired", "This sign-in request is unknown or expired. Start again from the app.")
		return nil
	}
	// A copy: concurrent posts of one form each work on their own and
	// savePending swaps the stored one under the lock.
	cp := *p
	return &cp
}

// savePending stores an updated copy of a pending request, unless it was
// consumed meanwhile.
func (s *Server) savePending(p *pendingAuth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pending[p.id]; ok {
		s.pending[p.id] = p
	}
}

// approve fulfils the grant: it starts the session, stores the code and
// sends the browser back with code, state and iss (RFC 9207).
func (s *Server) approve(w http.ResponseWriter, r *http.Request, p *pendingAuth) {
	s.mu.Lock()
	sess := s.newSessionLocked(p.client.id, p.user, p.deviceID, p.scope)
	g := &grant{
		code:        randomString(32),
		clientID:    p.client.id,
		redirectURI: p.redirectURI,
		challenge:   p.challenge,
		nonce:       p.nonce,
		sessionID:   sess.id,
		fulfilledAt: s.now(),
	}
	s.grants[g.code] = g
	s.mu.Unlock()
	s.redirectBack(w, r, p.redirectURI, p.responseMode, url.Values{
		"code": {g.code}, "state": {p.state}, "iss": {s.Issuer()},
	})
}

// redirectBack sends the authorization response in the chosen response mode
// (OAuth 2.0 Multiple Response Type Encoding Practices; form_post: OAuth 2.0
// Form Post Response Mode). Empty values (state) are left out.
func (s *Server) redirectBack(w http.ResponseWriter, r *http.Request, redirectURI, mode string, params url.Values) {
	// RFC 9207 §2: iss in every authorization response, error answers too.
	params.Set("iss", s.Issuer())
	for k, v := range params {
		if len(v) == 0 || v[0] == "" {
			delete(params, k)
		}
	}
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	switch mode {
	case "fragment":
		http.Redirect(w, r, redirectURI+"#"+params.Encode(), status)
	case "form_post":
		s.renderFormPost(w, redirectURI, params)
	default:
		u, err := url.Parse(redirectURI)
		if err != nil {
			s.renderError(w, http.StatusBadRequest, "Invalid redirect URI", "The redirect_uri cannot be parsed.")
			return
		}
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), status)
	}
}

func safeMode(mode string) string {
	if mode == "fragment" || mode == "form_post" {
		return mode
	}
	return "query"
}

// redirectRegistered matches exactly, except that a native client's loopback
// http redirect matches on any port (RFC 8252 §7.3), as MAS does.
func redirectRegistered(c *client, got string) bool {
	for _, want := range c.redirectURIs {
		if got == want {
			return true
		}
		if c.applicationType != "native" {
			continue
		}
		gu, err1 := url.Parse(got)
		wu, err2 := url.Parse(want)
		if err1 != nil || err2 != nil || gu.Scheme != "http" || wu.Scheme != "http" {
			continue
		}
		if isLoopbackHost(gu.Hostname()) && strings.EqualFold(gu.Hostname(), wu.Hostname()) &&
			gu.Path == wu.Path && gu.RawQuery == wu.RawQuery && gu.User == nil {
			return true
		}
	}
	return false
}

// loginHintLocalpart reads MAS's login_hint=mxid:@user:server, for this
// server only.
func loginHintLocalpart(hint, serverName string) string {
	mxid, ok := strings.CutPrefix(hint, "mxid:")
	if !ok {
		return ""
	}
	local, server, ok := strings.Cut(strings.TrimPrefix(mxid, "@"), ":")
	if !ok || server != serverName || !validLocalpart(local) {
		return ""
	}
	return local
}
