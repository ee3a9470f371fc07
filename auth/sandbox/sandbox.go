// Package sandbox is a loopback Matrix homeserver with a MAS-like OAuth 2.0
// server in one process, built the way go-oidc's oidctest is built but whole:
// discovery, auth metadata, dynamic client registration, an authorization page,
// the token and revocation endpoints, whoami, an account page, fixture rooms on
// every room-preview path, authenticated media, fault knobs and a request log;
// and, as Config.Legacy, a homeserver without OAuth 2.0 that signs in through
// SSO (m.login.sso with identity providers, m.login.token, /refresh, /logout).
//
// Tests of other packages, benchmarks and `make demo` use it, and people run it
// (`mxauth sandbox`) to develop offline. It imports nothing of mxauth on
// purpose: it is an independent peer written from the Matrix spec and MAS's
// observed behaviour, so a misreading in the client is not mirrored here.
//
// The homeserver, its server name and the OAuth issuer share one origin:
//
//	URL()     http://127.0.0.1:PORT   homeserver base URL, server name URL
//	Issuer()  http://127.0.0.1:PORT/  like MAS, the issuer ends in "/"
//
// It serves plain http on loopback only; it is a test fixture, not a server to
// expose.
package sandbox

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Server. The zero value is a working sandbox.
type Config struct {
	// Addr is the listen address; default "127.0.0.1:0" (a free port).
	Addr string
	// ServerName is the Matrix server name; default the listener's host:port.
	ServerName string
	// Users are the localparts offered on the authorize page; default
	// ["alice", "bob"]. The first user is a member of the private room.
	Users []string
	// PasswordLogin also lists m.login.password in GET /login, as MAS does when
	// password login is enabled.
	PasswordLogin bool
	// PromptCreate advertises prompt_values_supported ["login","create"] (MAS
	// with password_registration_enabled); else ["login"].
	PromptCreate bool
	// AutoApprove, when non-empty, makes /authorize approve at once as this
	// user (a localpart), with no HTML page: for tests.
	AutoApprove string
	// AccessTokenTTL is the access token lifetime; default 5m (MAS's 300 s).
	AccessTokenTTL time.Duration
	// UnknownRoomStatus is the status for unknown or invisible rooms: 404
	// (Synapse, tuwunel; the default) or 403 (continuwuity).
	UnknownRoomStatus int
	// Off switches paths off: they answer 404 M_UNRECOGNIZED. Keys:
	// "well-known", "stable-metadata", "unstable-metadata", "auth-issuer",
	// "openid-configuration", "login", "room-summary", "unstable-summary",
	// "unstable-summary-rooms", "hierarchy", "directory", "public-rooms",
	// "registration", "revocation", "device-code" (the device authorization
	// grant, as MAS's device_code_grant_enabled: false), "sso" (GET /login lists no
	// m.login.sso and no m.login.token, and the SSO redirect answers 404: with Legacy and
	// PasswordLogin a password-only homeserver as Dendrite is by default, with Legacy alone
	// one that lists no flow); "cors-well-known" serves the well-known
	// without CORS headers and "cors" sends no CORS headers at all.
	Off map[string]bool
	// PublicRoomsWithoutAuth lets GET /publicRooms answer without a token
	// (Synapse's allow_public_rooms_without_auth, default false). POST always
	// needs a token.
	PublicRoomsWithoutAuth bool
	// HierarchyMembersOnly answers /hierarchy with 403 M_FORBIDDEN to a
	// non-member of a room whose history is not world-readable, public
	// rooms included, as Dendrite and Synapse do (a public room's history
	// defaults to "shared"). Off, the sandbox previews public rooms to
	// anyone there, as MSC3266 summaries do.
	HierarchyMembersOnly bool
	// Issuer is an optional external issuer URL. When set, the homeserver
	// advertises it (auth_issuer, well-known hint) instead of its own OAuth
	// part, the metadata endpoints proxy its openid-configuration, and
	// Bearer tokens are checked with TokenCheck only.
	Issuer string
	// TokenCheck checks an access token when Issuer is set; nil rejects all.
	TokenCheck func(accessToken string) (userID, deviceID string, ok bool)
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logf is an optional logger (for example t.Logf or log.Printf).
	Logf func(format string, args ...any)
	// SigningKey signs ID tokens (RS256); nil uses a 2048-bit key generated
	// once per process, so many sandboxes in one test binary start fast.
	SigningKey *rsa.PrivateKey
	// FaultSeed seeds the PRNG that decides Fault.Percent; default 1.
	FaultSeed uint64
	// HTTPClient fetches the external Issuer's metadata; default a client
	// with a 10 s timeout.
	HTTPClient *http.Client
	// DeviceCodeTTL is how long a device code lives; default 20 min
	// (MAS's). DeviceCodeInterval is the polling interval it asks for,
	// whole seconds; default 5 s (MAS's). Tests shorten both.
	DeviceCodeTTL      time.Duration
	DeviceCodeInterval time.Duration
	// Legacy makes the sandbox a homeserver without OAuth 2.0 that signs
	// people in through SSO (see legacy.go): no auth metadata, GET /login
	// lists m.login.sso (with IdentityProviders) and m.login.token, and
	// the SSO redirect, POST /login (m.login.token), /refresh and /logout
	// are served.
	Legacy bool
	// IdentityProviders are the legacy m.login.sso flow's
	// identity_providers; /login/sso/redirect/{idp} accepts only these.
	IdentityProviders []IdentityProvider
	// LegacyNoRefresh makes legacy logins grant no refresh token and no
	// expiry, as servers without refresh token support answer.
	LegacyNoRefresh bool
	// Control serves a control plane under /_sandbox/ (request log, faults,
	// paths on and off) for tests and benchmarks driven from another
	// process, such as a browser suite. Off by default.
	Control bool
}

// Off keys (Config.Off, Server.SetOff).
const (
	OffWellKnown            = "well-known"
	OffStableMetadata       = "stable-metadata"
	OffUnstableMetadata     = "unstable-metadata"
	OffAuthIssuer           = "auth-issuer"
	OffOpenIDConfiguration  = "openid-configuration"
	OffLogin                = "login"
	OffRoomSummary          = "room-summary"
	OffUnstableSummary      = "unstable-summary"
	OffUnstableSummaryRooms = "unstable-summary-rooms"
	OffHierarchy            = "hierarchy"
	OffDirectory            = "directory"
	OffPublicRooms          = "public-rooms"
	OffRegistration         = "registration"
	OffRevocation           = "revocation"
	OffCORSWellKnown        = "cors-well-known"
	OffCORS                 = "cors"
	OffDeviceCode           = "device-code"
	OffSSO                  = "sso"
)

// OffKeys lists every key Config.Off and SetOff understand.
var OffKeys = []string{
	OffWellKnown, OffStableMetadata, OffUnstableMetadata, OffAuthIssuer,
	OffOpenIDConfiguration, OffLogin, OffRoomSummary, OffUnstableSummary,
	OffUnstableSummaryRooms, OffHierarchy, OffDirectory, OffPublicRooms,
	OffRegistration, OffRevocation, OffCORSWellKnown, OffCORS, OffDeviceCode, OffSSO,
}

// Server is a running sandbox. All methods are safe for concurrent use.
type Server struct {
	cfg        Config
	url        string
	serverName string
	ln         net.Listener
	srv        *http.Server
	mux        *http.ServeMux
	key        *signingKey
	closed     atomic.Bool

	mu        sync.Mutex
	off       map[string]bool
	faults    []*faultRule
	rng       *rand.Rand
	log       []Request
	users     map[string]*user
	userOrder []string
	clients   map[string]*client
	dedupe    map[string]string // metadata hash → client_id (public clients)
	pending   map[string]*pendingAuth
	grants    map[string]*grant
	sessions  map[string]*session
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	rooms     []*Room
	media     map[string][]byte // media id → PNG
	extMeta   []byte            // cached metadata of cfg.Issuer
	devices   map[string]*deviceGrant
	linkTries map[string]*linkTries // requester host → user code tries

	loginTokens  map[string]*loginToken // legacy m.login.token
	legacyLogins []LegacyLogin
}

// New starts a sandbox: it listens on cfg.Addr and serves at once. Close it
// when done.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if len(cfg.Users) == 0 {
		cfg.Users = []string{"alice", "bob"}
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = 5 * time.Minute
	}
	switch cfg.UnknownRoomStatus {
	case 0:
		cfg.UnknownRoomStatus = http.StatusNotFound
	case http.StatusNotFound, http.StatusForbidden:
	default:
		return nil, fmt.Errorf("sandbox: UnknownRoomStatus must be 404 or 403, not %d", cfg.UnknownRoomStatus)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FaultSeed == 0 {
		cfg.FaultSeed = 1
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	for _, u := range cfg.Users {
		if !validLocalpart(u) {
			return nil, fmt.Errorf("sandbox: invalid user localpart %q", u)
		}
	}
	if cfg.AutoApprove != "" && !validLocalpart(cfg.AutoApprove) {
		return nil, fmt.Errorf("sandbox: invalid AutoApprove localpart %q", cfg.AutoApprove)
	}
	known := map[string]bool{}
	for _, k := range OffKeys {
		known[k] = true
	}
	off := map[string]bool{}
	for k, v := range cfg.Off {
		if !known[k] {
			return nil, fmt.Errorf("sandbox: unknown Off key %q", k)
		}
		off[k] = v
	}
	if cfg.Legacy {
		// A homeserver that never moved to OAuth 2.0: no metadata anywhere.
		for _, k := range []string{OffStableMetadata, OffUnstableMetadata, OffAuthIssuer, OffOpenIDConfiguration} {
			off[k] = true
		}
	}
	key, err := loadSigningKey(cfg.SigningKey)
	if err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	hostport := net.JoinHostPort(host, port)
	s := &Server{
		cfg:        cfg,
		url:        "http://" + hostport,
		serverName: cfg.ServerName,
		ln:         ln,
		key:        key,
		off:        off,
		rng:        rand.New(rand.NewPCG(cfg.FaultSeed, cfg.FaultSeed^0x9e3779b97f4a7c15)),
		users:      map[string]*user{},
		clients:    map[string]*client{},
		dedupe:     map[string]string{},
		pending:    map[string]*pendingAuth{},
		grants:     map[string]*grant{},
		sessions:   map[string]*session{},
		access:     map[string]*accessToken{},
		refresh:    map[string]*refreshToken{},
		devices:    map[string]*deviceGrant{},
		linkTries:  map[string]*linkTries{},

		loginTokens: map[string]*loginToken{},
	}
	if s.serverName == "" {
		s.serverName = hostport
	}
	for _, u := range cfg.Users {
		s.addUser(u)
	}
	if cfg.AutoApprove != "" {
		s.addUser(cfg.AutoApprove)
	}
	s.rooms, s.media = fixtureRooms(s.serverName, cfg.Users[0])
	s.mux = s.routes()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("sandbox: serve: %v", err)
		}
	}()
	s.logf("sandbox: serving %s (server name %s)", s.url, s.serverName)
	return s, nil
}

// URL is the homeserver base URL, "http://127.0.0.1:PORT" (no trailing
// slash). The server name's well-known and the OAuth endpoints live here too.
func (s *Server) URL() string { return s.url }

// Issuer is the sandbox's own OAuth issuer: URL() + "/", ending in "/" as
// MAS's does. Its OpenID configuration is at URL() +
// "/.well-known/openid-configuration". With Config.Issuer set, the
// homeserver advertises that issuer instead; this method still names the
// sandbox's own.
func (s *Server) Issuer() string { return s.url + "/" }

// ServerName is the Matrix server name (default the listener's host:port).
func (s *Server) ServerName() string { return s.serverName }

// UserID is the Matrix user id of a localpart on this server.
func (s *Server) UserID(localpart string) string { return "@" + localpart + ":" + s.serverName }

// Handler is the whole sandbox as an http.Handler (CORS, faults, log and
// routes), for mounting in another server. Absolute URLs it emits still name
// URL().
func (s *Server) Handler() http.Handler { return s }

// Close stops the listener and closes open connections. Config.Logf is not
// called after Close, so passing t.Logf is safe even when a request is still
// in flight.
func (s *Server) Close() error {
	s.closed.Store(true)
	return s.srv.Close()
}

// SetOff switches one path (see Config.Off for the keys) off or back on.
func (s *Server) SetOff(key string, off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.off[key] = off
}

func (s *Server) isOff(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.off[key]
}

func (s *Server) now() time.Time { return s.cfg.Now() }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil && !s.closed.Load() {
		s.cfg.Logf(format, args...)
	}
}

// ServeHTTP runs the request through the log, CORS, preflight and fault
// layers, then the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Control && strings.HasPrefix(r.URL.Path, controlPrefix) {
		// The control plane is not part of the homeserver: not logged, no faults.
		s.control(w, r)
		return
	}
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w}
	entry := Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.RawQuery,
		Time:   s.now(),
		Origin: r.Header.Get("Origin"),
	}
	// The entry is logged when the handler is done, which is before the
	// server flushes the response's last bytes (and, for a dropped response,
	// before the connection closes): once a client has its answer, or its
	// error, the entry is in the log.
	var drop func()
	defer func() {
		entry.Status = rec.status
		entry.Duration = time.Since(start)
		entry.Dropped = drop != nil
		s.appendLog(entry)
		if drop != nil {
			drop()
		}
	}()

	s.setCORS(rec, r)
	// Preflights have no side effects (spec "Web Browser Clients"), so they
	// are answered here, before faults with no Method and before any route.
	if r.Method == http.MethodOptions {
		if f := s.matchFault(r, true); f != nil {
			entry.Fault = true
			drop = s.applyFault(rec, r, f, nil)
			return
		}
		rec.WriteHeader(http.StatusNoContent)
		return
	}
	if f := s.matchFault(r, false); f != nil {
		entry.Fault = true
		drop = s.applyFault(rec, r, f, s.mux)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// route registers h under pattern, answering 404 M_UNRECOGNIZED while key is
// switched off and 405 M_UNRECOGNIZED for methods not in methods.
func (s *Server) route(pattern, key string, h http.HandlerFunc, methods ...string) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if key != "" && s.isOff(key) {
			unrecognized(w, http.StatusNotFound)
			return
		}
		if len(methods) > 0 {
			ok := false
			for _, m := range methods {
				if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
					ok = true
				}
			}
			if !ok {
				w.Header().Set("Allow", strings.Join(methods, ", "))
				unrecognized(w, http.StatusMethodNotAllowed)
				return
			}
		}
		h(w, r)
	})
}

func (s *Server) routes() *http.ServeMux {
	s.mux = http.NewServeMux()
	const cs = "/_matrix/client"
	get, post := http.MethodGet, http.MethodPost

	s.route("/.well-known/matrix/client", OffWellKnown, s.wellKnown, get)
	s.route(cs+"/versions", "", s.versions, get)
	s.route(cs+"/v3/login", OffLogin, s.login, get, post)
	s.route(cs+"/r0/login", OffLogin, s.login, get, post)
	s.route(cs+"/v3/logout", "", s.logout, post)
	s.route(cs+"/v3/login/sso/redirect", OffLogin, s.ssoRedirect, get, post)
	s.route(cs+"/v3/login/sso/redirect/{idp}", OffLogin, s.ssoRedirect, get, post)
	s.route(cs+"/v3/refresh", "", s.refreshRoute, post)
	s.route(cs+"/v3/account/whoami", "", s.whoami, get)

	s.route(cs+"/v1/auth_metadata", OffStableMetadata, s.authMetadata, get)
	s.route(cs+"/unstable/org.matrix.msc2965/auth_metadata", OffUnstableMetadata, s.authMetadata, get)
	s.route(cs+"/unstable/org.matrix.msc2965/auth_issuer", OffAuthIssuer, s.authIssuer, get)
	s.route("/.well-known/openid-configuration", OffOpenIDConfiguration, s.openIDConfiguration, get)
	s.route(pathJWKS, "", s.jwks, get)
	s.route(pathRegistration, OffRegistration, s.register, post)
	s.route(pathAuthorize, "", s.authorize, get)
	s.route(pathAuthorizeContinue, "", s.authorizeContinue, post)
	s.route(pathAuthorizeConsent, "", s.authorizeConsent, post)
	s.route(pathToken, "", s.token, post)
	s.route(pathRevoke, OffRevocation, s.revoke, post)
	s.route(pathDeviceAuthorization, OffDeviceCode, s.deviceAuthorization, post)
	s.route(pathDeviceLink, OffDeviceCode, s.deviceLink, get, post)
	s.route(pathDeviceConsent, OffDeviceCode, s.deviceConsent, get, post)
	s.route(pathUserinfo, "", s.userinfo, get, post)
	s.route(pathAccount, "", s.account, get, post)

	s.route(cs+"/v1/room_summary/{room}", OffRoomSummary, s.summary(false), get)
	s.route(cs+"/unstable/im.nheko.summary/summary/{room}", OffUnstableSummary, s.summary(true), get)
	s.route(cs+"/unstable/im.nheko.summary/rooms/{room}/summary", OffUnstableSummaryRooms, s.summary(true), get)
	s.route(cs+"/v1/rooms/{room}/hierarchy", OffHierarchy, s.hierarchy, get)
	s.route(cs+"/v3/directory/room/{alias}", OffDirectory, s.directory, get)
	s.route(cs+"/v3/publicRooms", OffPublicRooms, s.publicRooms, get, post)
	s.route(cs+"/r0/publicRooms", OffPublicRooms, s.publicRooms, get, post)

	s.route(cs+"/v1/media/thumbnail/{server}/{media}", "", s.mediaAuthenticated, get)
	s.route(cs+"/v1/media/download/{server}/{media}", "", s.mediaAuthenticated, get)
	s.route(cs+"/v1/media/download/{server}/{media}/{name}", "", s.mediaAuthenticated, get)
	s.route("/_matrix/media/v3/thumbnail/{server}/{media}", "", s.mediaFrozen, get)
	s.route("/_matrix/media/v3/download/{server}/{media}", "", s.mediaFrozen, get)

	s.route("/", "", s.index)
	return s.mux
}

// index answers the bare origin with a small page (people open URL() in a
// browser) and every other unknown path with 404 M_UNRECOGNIZED, as Synapse
// does.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.renderIndex(w)
		return
	}
	unrecognized(w, http.StatusNotFound)
}

// statusWriter remembers the status written, for the request log, and keeps
// Hijack and Flush reachable through http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
