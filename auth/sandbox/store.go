package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// user is an account. sub is an opaque id like MAS's internal user id: MAS's
// ID token sub is not the Matrix user id (spec §2.4), and neither is ours.
type user struct {
	localpart string
	sub       string
}

// client is a registered OAuth client (RFC 7591).
type client struct {
	id              string
	secret          string // "" for public clients
	authMethod      string
	applicationType string
	redirectURIs    []string
	grantTypes      []string
	responseTypes   []string
	metadata        map[string]any // what the registration answer echoes
}

func (c *client) hasGrant(g string) bool {
	for _, x := range c.grantTypes {
		if x == g {
			return true
		}
	}
	return false
}

// session is an OAuth 2.0 session: one login of one device. Ending it
// invalidates all its tokens.
type session struct {
	id       string
	clientID string
	user     string // localpart
	deviceID string
	scope    string
	authTime time.Time
	finished bool
}

// grant is an authorization code, fulfilled at consent. MAS allows 10 min to
// redeem it, and ends the session when it is replayed more than 20 s after
// its first use (crates/handlers/src/oauth2/token.rs).
type grant struct {
	code        string
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	sessionID   string
	fulfilledAt time.Time
	exchanged   bool
	exchangedAt time.Time
}

type accessToken struct {
	value     string
	sessionID string
	expires   time.Time
	revoked   bool
	used      bool // presented to a resource endpoint at least once
}

// refreshToken rotates: consuming it issues next. A consumed token is
// accepted once more only while next and its access token were never used
// (MAS's lost-response grace).
type refreshToken struct {
	value       string
	sessionID   string
	accessToken string
	consumed    bool
	revoked     bool
	next        string
}

var localpartRE = regexp.MustCompile(`^[a-z0-9._=/+-]{1,64}$`)

// validLocalpart checks a user localpart per the spec's user id grammar.
func validLocalpart(s string) bool { return localpartRE.MatchString(s) }

// addUser creates the user if missing; the caller holds no lock or mu.
func (s *Server) addUser(localpart string) *user {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUserLocked(localpart)
}

func (s *Server) addUserLocked(localpart string) *user {
	if u, ok := s.users[localpart]; ok {
		return u
	}
	u := &user{localpart: localpart, sub: "01" + strings.ToUpper(randomString(24))}
	s.users[localpart] = u
	s.userOrder = append(s.userOrder, localpart)
	return u
}

// Users are the known localparts, in the order they were created.
func (s *Server) Users() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.userOrder...)
}

// Tokens are the tokens of one session, as the token endpoint answers them.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	Scope        string
	ClientID     string
	UserID       string
	DeviceID     string
}

// TestClientID is the public client IssueTokens uses when given no client id.
// It is registered at start with a loopback native redirect URI.
const TestClientID = "sandbox-test-client"

// IssueTokens starts a session for user (a localpart, created if missing)
// on deviceID and returns its tokens, as if the user had gone through the
// browser: for tests that skip the authorization page. clientID "" uses
// TestClientID; another client id must be registered.
func (s *Server) IssueTokens(localpart, deviceID, clientID string) (Tokens, error) {
	if !validLocalpart(localpart) {
		return Tokens{}, fmt.Errorf("sandbox: invalid localpart %q", localpart)
	}
	if !validDeviceID(deviceID) {
		return Tokens{}, fmt.Errorf("sandbox: invalid device id %q (10+ chars of the MSC2967 set)", deviceID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if clientID == "" {
		clientID = s.testClientLocked().id
	}
	if _, ok := s.clients[clientID]; !ok {
		return Tokens{}, fmt.Errorf("sandbox: unknown client %q", clientID)
	}
	s.addUserLocked(localpart)
	scope := scopeAPI + " " + scopeDevicePrefix + deviceID
	sess := s.newSessionLocked(clientID, localpart, deviceID, scope)
	at, rt := s.newTokenPairLocked(sess)
	return Tokens{
		AccessToken:  at.value,
		RefreshToken: rt.value,
		ExpiresIn:    int(s.cfg.AccessTokenTTL / time.Second),
		Scope:        scope,
		ClientID:     clientID,
		UserID:       s.UserID(localpart),
		DeviceID:     deviceID,
	}, nil
}

// testClientLocked registers TestClientID on first use.
func (s *Server) testClientLocked() *client {
	if c, ok := s.clients[TestClientID]; ok {
		return c
	}
	c := &client{
		id:              TestClientID,
		authMethod:      "none",
		applicationType: "native",
		redirectURIs:    []string{"http://127.0.0.1/callback"},
		grantTypes:      []string{"authorization_code", "refresh_token"},
		responseTypes:   []string{"code"},
	}
	s.clients[c.id] = c
	return c
}

// EndSessions ends every session of a user (as "sign out everywhere" in the
// account page would), so their tokens stop working at once.
func (s *Server) EndSessions(localpart string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.user == localpart {
			sess.finished = true
		}
	}
}

func (s *Server) newSessionLocked(clientID, localpart, deviceID, scope string) *session {
	sess := &session{
		id:       "sess_" + randomString(16),
		clientID: clientID,
		user:     localpart,
		deviceID: deviceID,
		scope:    scope,
		authTime: s.now(),
	}
	s.sessions[sess.id] = sess
	return sess
}

// newTokenPairLocked issues an access token and a refresh token for sess.
// The prefixes are MAS's (mat_, mar_), so logs look familiar.
func (s *Server) newTokenPairLocked(sess *session) (*accessToken, *refreshToken) {
	at := &accessToken{
		value:     "mat_" + randomString(36),
		sessionID: sess.id,
		expires:   s.now().Add(s.cfg.AccessTokenTTL),
	}
	rt := &refreshToken{
		value:       "mar_" + randomString(36),
		sessionID:   sess.id,
		accessToken: at.value,
	}
	s.access[at.value] = at
	s.refresh[rt.value] = rt
	return at, rt
}

// Issued lists the token values the server has issued, revoked and
// spent ones included.
type Issued struct {
	Access  []string `json:"access"`
	Refresh []string `json:"refresh"`
}

// IssuedTokens returns every access and refresh token issued so far, sorted:
// for tests that check a token never appears where it must not (an event,
// a page, another origin).
func (s *Server) IssuedTokens() Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Issued{Access: make([]string, 0, len(s.access)), Refresh: make([]string, 0, len(s.refresh))}
	for v := range s.access {
		out.Access = append(out.Access, v)
	}
	for v := range s.refresh {
		out.Refresh = append(out.Refresh, v)
	}
	slices.Sort(out.Access)
	slices.Sort(out.Refresh)
	return out
}

// RegisterClient registers a public client (token_endpoint_auth_method
// none, grants authorization_code and refresh_token) with these redirect
// URIs, skipping the registration policy: for tests of pre-registered
// clients. It is native (loopback redirects match on any port) when every
// URI is loopback http, else web. It returns the client id.
func (s *Server) RegisterClient(name string, redirectURIs ...string) string {
	appType := "native"
	for _, u := range redirectURIs {
		if p, ok := parsePolicyURI(u); !ok || p.scheme != "http" || !isLoopbackHost(p.host) {
			appType = "web"
		}
	}
	c := &client{
		id:              "01" + strings.ToUpper(randomString(24)),
		authMethod:      "none",
		applicationType: appType,
		redirectURIs:    append([]string(nil), redirectURIs...),
		grantTypes:      []string{"authorization_code", "refresh_token"},
		responseTypes:   []string{"code"},
	}
	c.metadata = map[string]any{"client_name": name, "redirect_uris": c.redirectURIs}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.id] = c
	return c.id
}

// Session describes one OAuth 2.0 session, for tests that check what the
// server saw (a logout ended it, a refresh kept it).
type Session struct {
	ClientID string
	UserID   string
	DeviceID string
	Scope    string
	Active   bool // not ended by revocation, a late code replay or the account page
}

// Sessions lists the sessions of a user (a localpart; "" for all).
func (s *Server) Sessions(localpart string) []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Session
	for _, sess := range s.sessions {
		if localpart != "" && sess.user != localpart {
			continue
		}
		out = append(out, Session{
			ClientID: sess.clientID, UserID: s.UserID(sess.user), DeviceID: sess.deviceID,
			Scope: sess.scope, Active: !sess.finished,
		})
	}
	return out
}
