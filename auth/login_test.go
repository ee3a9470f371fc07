package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// The redirect URI of the tests: loopback http, so the client registers as
// native (nothing listens there; the test reads the redirect itself).
const (
	testRedirect  = "http://127.0.0.1:9/callback"
	testClientURI = "https://app.example.org/"
)

var testApp = ClientMetadata{Name: "mxauth test", URI: testClientURI}

// startSandbox starts a sandbox that approves logins as alice at once.
func startSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Server {
	t.Helper()
	if cfg.AutoApprove == "" {
		cfg.AutoApprove = "alice"
	}
	cfg.Logf = t.Logf
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// loginClient is a Client with instant retry sleeps.
func loginClient(store Store) *Client {
	if store == nil {
		store = NewMemoryStore()
	}
	return &Client{
		Store:   store,
		Timeout: 5 * time.Second,
		Retry:   autherr.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }},
	}
}

// authorizeAt plays the browser: it opens the authorization URL and
// returns where the server sends it back.
func authorizeAt(t *testing.T, authURL string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func loginOpts(sb *sandbox.Server) LoginOptions {
	return LoginOptions{Server: sb.URL(), RedirectURI: testRedirect, Client: testApp}
}

// sandboxLogin runs StartLogin, the browser and CompleteLogin.
func sandboxLogin(t *testing.T, c *Client, opts LoginOptions) *Session {
	t.Helper()
	ctx := context.Background()
	p, err := c.StartLogin(ctx, opts)
	if err != nil {
		t.Fatalf("StartLogin: %v", err)
	}
	s, err := c.CompleteLogin(ctx, authorizeAt(t, p.URL))
	if err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
	return s
}

func wantCode(t *testing.T, err error, code Code) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	if msg := e.Error(); !strings.HasPrefix(msg, "auth: ") {
		t.Errorf("message %q lacks the auth: prefix", msg)
	}
	return e
}

func countRequests(sb *sandbox.Server, method, path string) int {
	n := 0
	for _, r := range sb.Log() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// The whole chain against the sandbox: discovery, registration, authorize,
// callback, token, ID token, whoami, two refreshes, revocation, then a
// refresh that fails with session_expired.
func TestLoginChainSandbox(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{AccessTokenTTL: time.Minute})
	c := loginClient(nil)
	ctx := context.Background()

	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(p.URL)
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "response_mode": "fragment", "code_challenge_method": "S256",
		"redirect_uri": testRedirect, "client_id": p.ClientID, "state": p.State,
		"scope": "openid urn:matrix:client:api:* urn:matrix:client:device:" + p.DeviceID,
	} {
		if got := q.Get(k); got != want {
			t.Errorf("authorize %s = %q, want %q", k, got, want)
		}
	}
	if q.Get("nonce") == "" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("nonce %q, code_challenge %q", q.Get("nonce"), q.Get("code_challenge"))
	}
	if q.Has("prompt") {
		t.Errorf("prompt %q sent for a login", q.Get("prompt"))
	}
	if len(p.DeviceID) < 10 || strings.Trim(p.DeviceID, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("device id %q", p.DeviceID)
	}

	cb := authorizeAt(t, p.URL)
	if !strings.HasPrefix(cb, testRedirect+"#") {
		t.Fatalf("callback %q is not a fragment answer at the redirect URI", cb)
	}
	s, err := c.CompleteLogin(ctx, cb)
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID != sb.UserID("alice") || s.DeviceID != p.DeviceID || s.ClientID != p.ClientID {
		t.Errorf("session user %q device %q client %q", s.UserID, s.DeviceID, s.ClientID)
	}
	if s.Issuer != sb.Issuer() || s.BaseURL != sb.URL() || s.RefreshToken == "" || s.ExpiresAt.IsZero() {
		t.Errorf("session %+v", s)
	}
	if s.IDTokenClaims["nonce"] != q.Get("nonce") || s.IDTokenClaims["sub"] == nil {
		t.Errorf("id token claims %v", s.IDTokenClaims)
	}
	if cur, _ := c.Session(ctx); cur == nil || cur.AccessToken != s.AccessToken {
		t.Errorf("current session %+v", cur)
	}
	// The same callback again: the pending login is gone.
	_, err = c.CompleteLogin(ctx, cb)
	wantCode(t, err, autherr.NoPendingLogin)

	// Both token requests and registration used the byte-identical redirect URI.
	regs := countRequests(sb, "POST", "/oauth2/registration")
	if regs != 1 {
		t.Errorf("%d registrations", regs)
	}

	// Refresh twice: MinValidity above the lifetime forces it.
	ts := c.TokenSource(ctx, s)
	ts.MinValidity = 2 * time.Minute
	prev := s
	for i := 0; i < 2; i++ {
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("refresh %d: %v", i+1, err)
		}
		if tok.AccessToken == prev.AccessToken || tok.RefreshToken == prev.RefreshToken {
			t.Fatalf("refresh %d did not rotate", i+1)
		}
		stored, _ := c.Session(ctx)
		if stored.AccessToken != tok.AccessToken || stored.RefreshToken != tok.RefreshToken {
			t.Fatalf("refresh %d: rotated tokens not stored", i+1)
		}
		if _, err := c.whoami(ctx, s.BaseURL, tok.AccessToken, true); err != nil {
			t.Fatalf("whoami with the new token: %v", err)
		}
		if _, err := c.whoami(ctx, s.BaseURL, prev.AccessToken, true); err == nil {
			t.Errorf("the old access token still works after refresh %d", i+1)
		}
		prev = stored
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}

	// Logout revokes both tokens with client_id and forgets the session.
	old := *prev
	if err := c.Logout(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/oauth2/revoke"); n != 2 {
		t.Errorf("%d revocations, want 2", n)
	}
	if cur, _ := c.Session(ctx); cur != nil {
		t.Errorf("session kept after logout: %+v", cur)
	}
	if _, err := c.whoami(ctx, s.BaseURL, old.AccessToken, true); err == nil {
		t.Error("access token works after logout")
	}
	// A copy of the session elsewhere (another device's store) cannot
	// refresh any more: the server says invalid_grant.
	_ = c.saveSession(ctx, &old)
	ts = c.TokenSource(ctx, &old)
	ts.MinValidity = 2 * time.Minute
	_, err = ts.Token()
	e := wantCode(t, err, autherr.SessionExpired)
	if e.Errcode != "invalid_grant" {
		t.Errorf("errcode %q", e.Errcode)
	}
	if got, _ := c.loadSession(ctx, old.ID()); got != nil {
		t.Error("an expired session is kept")
	}
}

func TestLoginRegisterPromptAndHints(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{PromptCreate: true})
	c := loginClient(nil)
	opts := loginOpts(sb)
	opts.Action = ActionRegister
	opts.LoginHint = "@alice:" + sb.ServerName()
	opts.UILocales = []string{"fr", "en"}
	opts.ResponseMode = ResponseModeQuery
	opts.DeviceID = "MYDEVICE0001"
	p, err := c.StartLogin(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(p.URL)
	for k, want := range map[string]string{
		"prompt": "create", "login_hint": "mxid:@alice:" + sb.ServerName(), "ui_locales": "fr en",
		"response_mode": "query",
	} {
		if got := q.Query().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	cb := authorizeAt(t, p.URL)
	if !strings.HasPrefix(cb, testRedirect+"?") {
		t.Fatalf("callback %q is not a query answer", cb)
	}
	s, err := c.CompleteLogin(context.Background(), cb)
	if err != nil {
		t.Fatal(err)
	}
	if s.DeviceID != "MYDEVICE0001" {
		t.Errorf("device %q", s.DeviceID)
	}

	// Without prompt=create on offer, register is a plain login.
	sb2 := startSandbox(t, sandbox.Config{})
	opts = loginOpts(sb2)
	opts.Action = ActionRegister
	p, err = c.StartLogin(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.URL, "prompt=") {
		t.Errorf("prompt sent to a server without create: %s", p.URL)
	}
}

// A pending login survives a reload: another Client on the same Store
// completes it.
func TestPendingLoginSurvivesReload(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	store := NewMemoryStore()
	p, err := loginClient(store).StartLogin(context.Background(), loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	s, err := loginClient(store).CompleteLogin(context.Background(), authorizeAt(t, p.URL))
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID == "" {
		t.Error("no user")
	}
}

func TestRegistrationCache(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	c := loginClient(nil)
	info, err := c.Discover(ctx, sb.URL())
	if err != nil {
		t.Fatal(err)
	}
	id1, err := c.core.Register(ctx, info, testApp, testRedirect)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := c.core.Register(ctx, info, testApp, testRedirect)
	if err != nil || id2 != id1 {
		t.Fatalf("second Register: %q %v, want the cached %q", id2, err, id1)
	}
	if n := countRequests(sb, "POST", "/oauth2/registration"); n != 1 {
		t.Errorf("%d registrations for the same metadata", n)
	}
	other := testApp
	other.Name = "another name"
	if _, err := c.core.Register(ctx, info, other, testRedirect); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/oauth2/registration"); n != 2 {
		t.Errorf("%d registrations after a metadata change, want 2", n)
	}
	// A pre-registered client id wins and registers nothing.
	c2 := loginClient(nil)
	c2.ClientIDs = map[string]string{info.OAuth.Issuer: "preset"}
	if id, _ := coreOf(c2).Register(ctx, info, testApp, testRedirect); id != "preset" {
		t.Errorf("client id %q, want preset", id)
	}
	p, err := c2.StartLogin(ctx, LoginOptions{ServerInfo: info, RedirectURI: testRedirect, Client: testApp})
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID != "preset" || countRequests(sb, "POST", "/oauth2/registration") != 2 {
		t.Errorf("client %q", p.ClientID)
	}
}

// invalid_client at the token endpoint drops the cached registration, so
// the next login registers again.
func TestInvalidClientDropsRegistration(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	c := loginClient(nil)
	info, err := c.Discover(ctx, sb.URL())
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.StartLogin(ctx, LoginOptions{ServerInfo: info, RedirectURI: testRedirect, Client: testApp})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := c.store.Keys(ctx, "clients/")
	if len(keys) != 1 {
		t.Fatalf("cache keys %v", keys)
	}
	cb := authorizeAt(t, p.URL)
	// The server forgot the client between authorization and token request.
	editPending(t, c, p.State, func(r *pendingRecord) { r.ClientID = "forgotten-client" })
	_, err = c.CompleteLogin(ctx, cb)
	e := wantCode(t, err, autherr.TokenExchangeFailed)
	if e.Errcode != "invalid_client" || e.Status != 401 {
		t.Errorf("error %+v", e)
	}
	if keys, _ := c.store.Keys(ctx, "clients/"); len(keys) != 0 {
		t.Errorf("registration still cached: %v", keys)
	}
	if _, err := c.StartLogin(ctx, loginOpts(sb)); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/oauth2/registration"); n != 2 {
		t.Errorf("%d registrations, want 2", n)
	}
}

// newJSONServer answers every request with status and body.
func newJSONServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	return srv
}

func TestLoginErrors(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()

	// start returns a client, a pending login and the browser's callback.
	start := func(t *testing.T) (*Client, *PendingLogin, string) {
		c := loginClient(nil)
		p, err := c.StartLogin(ctx, loginOpts(sb))
		if err != nil {
			t.Fatal(err)
		}
		return c, p, authorizeAt(t, p.URL)
	}

	t.Run("invalid_input", func(t *testing.T) {
		c := loginClient(nil)
		_, err := c.StartLogin(ctx, LoginOptions{RedirectURI: testRedirect, Client: testApp})
		wantCode(t, err, autherr.InvalidInput)
		opts := loginOpts(sb)
		opts.RedirectURI = "http://127.0.0.1:9/cb#frag"
		_, err = c.StartLogin(ctx, opts)
		wantCode(t, err, autherr.InvalidInput)
		opts = loginOpts(sb)
		opts.DeviceID = "short"
		_, err = c.StartLogin(ctx, opts)
		wantCode(t, err, autherr.InvalidInput)
		_, err = c.CompleteLogin(ctx, "http://127.0.0.1:9/callback")
		wantCode(t, err, autherr.InvalidInput)
	})
	t.Run("oauth_unsupported", func(t *testing.T) {
		_, err := loginClient(nil).StartLogin(ctx, LoginOptions{ServerInfo: &ServerInfo{ServerName: "x"}, RedirectURI: testRedirect, Client: testApp})
		wantCode(t, err, autherr.OAuthUnsupported)
	})
	t.Run("metadata_invalid", func(t *testing.T) {
		c := loginClient(nil)
		info, err := c.Discover(ctx, sb.URL())
		if err != nil {
			t.Fatal(err)
		}
		o := *info.OAuth
		o.ResponseModesSupported = []string{"query"}
		mod := *info
		mod.OAuth = &o
		_, err = c.StartLogin(ctx, LoginOptions{ServerInfo: &mod, RedirectURI: testRedirect, Client: testApp})
		wantCode(t, err, autherr.MetadataInvalid)
	})
	t.Run("no_pending_login", func(t *testing.T) {
		c, p, cb := start(t)
		_, err := c.CompleteLogin(ctx, strings.Replace(cb, p.State, "unknownstate", 1))
		wantCode(t, err, autherr.NoPendingLogin)
		// An expired pending login.
		c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		_, err = c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.NoPendingLogin)
		c.Now = nil
		_, err = c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.NoPendingLogin)
	})
	t.Run("state_mismatch", func(t *testing.T) {
		c, p, cb := start(t)
		_, err := c.CompleteLogin(ctx, testRedirect+"#code=abc")
		wantCode(t, err, autherr.StateMismatch)
		// iss of another server (RFC 9207).
		u, _ := url.Parse(cb)
		v, _ := url.ParseQuery(u.Fragment)
		v.Set("iss", "https://evil.example/")
		_, err = c.CompleteLogin(ctx, testRedirect+"#"+v.Encode())
		wantCode(t, err, autherr.StateMismatch)
		// The pending login is gone whatever happened.
		_, err = c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.NoPendingLogin)
		_ = p
	})
	t.Run("authorization_denied", func(t *testing.T) {
		c := loginClient(nil)
		p, err := c.StartLogin(ctx, loginOpts(sb))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CompleteLogin(ctx, testRedirect+"#error=access_denied&error_description=The+user+said+no&state="+p.State+"&iss="+url.QueryEscape(sb.Issuer()))
		e := wantCode(t, err, autherr.AuthorizationDenied)
		if e.Errcode != "access_denied" || e.Message != "The user said no" {
			t.Errorf("error %+v", e)
		}
		_, err = c.CompleteLogin(ctx, testRedirect+"#error=access_denied&state="+p.State)
		wantCode(t, err, autherr.NoPendingLogin)
	})
	t.Run("token_exchange_failed", func(t *testing.T) {
		c, p, _ := start(t)
		_, err := c.CompleteLogin(ctx, testRedirect+"#code=forged&state="+p.State+"&iss="+url.QueryEscape(sb.Issuer()))
		e := wantCode(t, err, autherr.TokenExchangeFailed)
		if e.Errcode != "invalid_grant" || e.Status != 400 {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("token_exchange_failed_wrong_verifier", func(t *testing.T) {
		c, p, cb := start(t)
		editPending(t, c, p.State, func(r *pendingRecord) { r.Verifier = strings.Repeat("a", 43) })
		_, err := c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.TokenExchangeFailed)
	})
	t.Run("id_token_invalid_nonce", func(t *testing.T) {
		c, p, cb := start(t)
		editPending(t, c, p.State, func(r *pendingRecord) { r.Nonce = "another-nonce" })
		_, err := c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.IDTokenInvalid)
		if s, _ := c.Session(ctx); s != nil {
			t.Error("a session was stored")
		}
	})
	t.Run("id_token_invalid_issuer", func(t *testing.T) {
		c, p, cb := start(t)
		// The token is checked against the issuer it came from.
		editPending(t, c, p.State, func(r *pendingRecord) {
			r.OAuth.Issuer = "http://127.0.0.1:1/other/"
			r.OAuth.IssParameterSupported = false
		})
		_, err := c.CompleteLogin(ctx, strings.Replace(cb, "iss=", "x=", 1))
		wantCode(t, err, autherr.IDTokenInvalid)
	})
	t.Run("id_token_invalid_no_jwks", func(t *testing.T) {
		c, p, cb := start(t)
		editPending(t, c, p.State, func(r *pendingRecord) { r.OAuth.JWKSURI = "" })
		_, err := c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.IDTokenInvalid)
	})
	t.Run("server_error_authorize", func(t *testing.T) {
		c := loginClient(nil)
		p, err := c.StartLogin(ctx, loginOpts(sb))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CompleteLogin(ctx, testRedirect+"?error=temporarily_unavailable&state="+p.State+"&iss="+url.QueryEscape(sb.Issuer()))
		wantCode(t, err, autherr.ServerError)
	})
	t.Run("storage", func(t *testing.T) {
		c := loginClient(&failingStore{Store: NewMemoryStore(), failPut: "pending/"})
		_, err := c.StartLogin(ctx, loginOpts(sb))
		wantCode(t, err, autherr.Storage)
	})
	t.Run("rate_limited_token", func(t *testing.T) {
		c, _, cb := start(t)
		sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Status: 429, RetryAfterMs: 600000, Count: 1})
		defer sb.ClearFaults()
		_, err := c.CompleteLogin(ctx, cb)
		wantCode(t, err, autherr.RateLimited)
	})
}

// failingStore fails Puts of keys with a prefix.
type failingStore struct {
	Store
	failPut string
	puts    atomic.Int32
}

func (f *failingStore) Put(ctx context.Context, key string, v []byte) error {
	if f.failPut != "" && strings.HasPrefix(key, f.failPut) {
		f.puts.Add(1)
		return errors.New("disk full")
	}
	return f.Store.Put(ctx, key, v)
}

// editPending rewrites the stored pending login of state, to play a server
// or a tab that changed something between the two halves of a login.
func editPending(t *testing.T, c *Client, state string, edit func(*pendingRecord)) {
	t.Helper()
	ctx := context.Background()
	b, _ := c.store.Get(ctx, pendingPrefix+state)
	var rec pendingRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	edit(&rec)
	b, _ = json.Marshal(rec)
	_ = c.store.Put(ctx, pendingPrefix+state, b)
}
