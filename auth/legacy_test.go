package auth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/auth/signin/storetest"
)

var testIDPs = []sandbox.IdentityProvider{
	{ID: "oidc-github", Name: "GitHub", Icon: "mxc://example.org/github", Brand: "github"},
	{ID: "saml-corp", Name: "Corp SSO"},
}

// legacySandbox is a homeserver without OAuth 2.0 that signs in through
// SSO, approving as alice at once.
func legacySandbox(t *testing.T, cfg sandbox.Config) *sandbox.Server {
	t.Helper()
	cfg.Legacy = true
	return startSandbox(t, cfg)
}

// ssoBrowser plays the browser on the SSO redirect: it returns where the
// homeserver sends it back (the redirectUrl with loginToken).
func ssoBrowser(t *testing.T, ssoURL string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(ssoURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "loginToken=") {
		t.Fatalf("SSO redirect answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func TestLegacyDiscoveryHints(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		idps      []sandbox.IdentityProvider
		providers []signin.ProviderButton
	}{
		{name: "no providers"},
		{name: "one provider", idps: testIDPs[:1]},
		{name: "two providers", idps: testIDPs, providers: []signin.ProviderButton{
			{IDP: "oidc-github", Name: "GitHub", Icon: "mxc://example.org/github", Label: "Continue with GitHub"},
			{IDP: "saml-corp", Name: "Corp SSO", Label: "Continue with Corp SSO"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := legacySandbox(t, sandbox.Config{IdentityProviders: tt.idps})
			info, err := loginClient(nil).Discover(ctx, sb.URL())
			if err != nil {
				t.Fatal(err)
			}
			if info.OAuth != nil {
				t.Fatalf("legacy server has OAuth: %+v", info.OAuth)
			}
			want := signin.Hints{ContinueWith: "Continue with " + sb.ServerName(), Providers: tt.providers}
			if !reflect.DeepEqual(info.Hints, want) {
				t.Errorf("hints: got %+v want %+v", info.Hints, want)
			}
			if got := len(info.Login.IdentityProviders); got != len(tt.idps) {
				t.Errorf("identity providers: got %d want %d", got, len(tt.idps))
			}
			if !signin.LegacySSO(info) {
				t.Errorf("LegacySSO is false")
			}
		})
	}
}

// A homeserver without OAuth 2.0 and without SSO gets no button, and
// discovery says why: password_only for Dendrite's GET /login (the
// sandbox with password login and SSO off), no_flow for one listing no
// flow at all.
func TestDiscoveryUnavailable(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password bool
		want     signin.Unavailable
	}{
		{"password only", true, signin.UnavailablePasswordOnly},
		{"no flow", false, signin.UnavailableNoFlow},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb := legacySandbox(t, sandbox.Config{PasswordLogin: tt.password, Off: map[string]bool{sandbox.OffSSO: true}})
			info, err := loginClient(nil).Discover(context.Background(), sb.URL())
			if err != nil {
				t.Fatal(err)
			}
			h := info.Hints
			if h.ContinueWith != "" || len(h.Providers) > 0 || h.Unavailable != tt.want || !strings.HasPrefix(h.Explanation, sb.ServerName()+" ") {
				t.Errorf("hints %+v", h)
			}
		})
	}
}

// With a Sealer (the browser's), the pending legacy login is sealed as an
// OAuth one is, so CompleteLogin finds it: written in plain text it would
// read as damaged and be deleted (no_pending_login).
func TestLegacyLoginSealed(t *testing.T) {
	ctx := context.Background()
	sb := legacySandbox(t, sandbox.Config{})
	backing := NewMemoryStore()
	c := loginClient(backing)
	c.Sealer = storetest.NewSealer(t, nil)
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := backing.Get(ctx, signin.PendingPrefix+p.State)
	if raw == nil || bytes.Contains(raw, []byte(p.State)) {
		t.Fatalf("pending legacy login stored in plain text: %.80q", raw)
	}
	if _, err := c.CompleteLogin(ctx, ssoBrowser(t, p.URL)); err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
}

// TestLegacyLogin runs the whole legacy route against the sandbox: the
// SSO redirect to the chosen provider, the loginToken callback, the
// session, a refresh at /refresh, the same device on re-login, and
// /logout.
func TestLegacyLogin(t *testing.T) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	sb := legacySandbox(t, sandbox.Config{IdentityProviders: testIDPs, Now: clock, AccessTokenTTL: time.Minute})
	c := loginClient(nil)
	c.Now = clock
	// As in the browser: secrets sealed, access tokens kept per tab. The
	// legacy route stores its pending login as the OAuth one does.
	c.Sealer, c.AccessTokens = storetest.NewSealer(t, nil), &memTokens{}

	opts := loginOpts(sb)
	opts.IDP = "saml-corp"
	opts.State = []byte(`{"returnTo":"/rooms"}`)
	p, err := c.StartLogin(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(p.URL)
	if u.Path != "/_matrix/client/v3/login/sso/redirect/saml-corp" || u.Query().Get("action") != "login" {
		t.Fatalf("SSO URL %s", p.URL)
	}
	back, _ := url.Parse(u.Query().Get("redirectUrl"))
	if back.Query().Get("state") != p.State || !strings.HasPrefix(back.String(), testRedirect+"?") {
		t.Fatalf("redirectUrl %s does not carry the login's state", back)
	}
	s, state, err := c.CompleteLoginWithState(ctx, ssoBrowser(t, p.URL))
	if err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
	if string(state) != `{"returnTo":"/rooms"}` {
		t.Errorf("state: got %s", state)
	}
	if s.Kind != signin.KindLegacy || s.UserID != sb.UserID("alice") || s.Issuer != sb.URL() || s.DeviceID != p.DeviceID || s.RefreshToken == "" || s.ExpiresAt.IsZero() {
		t.Fatalf("session %+v", s)
	}
	if v := s.View(); v.Kind != signin.KindLegacy || v.Scope == nil || v.ClientID != "" {
		t.Errorf("view %+v", v)
	}
	logins := sb.LegacyLogins()
	if len(logins) != 1 || logins[0].IDP != "saml-corp" || logins[0].DeviceID != p.DeviceID || !logins[0].Refresh {
		t.Fatalf("sandbox logins %+v", logins)
	}
	first := s.AccessToken
	if tok, err := c.AccessToken(ctx, 0); err != nil || tok != first {
		t.Fatalf("AccessToken: %q %v", tok, err)
	}

	// Past the token's life, the refresh goes to POST /refresh.
	now.Add(int64(2 * time.Minute))
	tok, err := c.AccessToken(ctx, 0)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok == first || countRequests(sb, "POST", "/_matrix/client/v3/refresh") != 1 {
		t.Fatalf("no refresh at /refresh: %q", tok)
	}
	if cur, _ := c.Session(ctx); cur.AccessToken != tok || cur.RefreshToken == s.RefreshToken {
		t.Errorf("rotated tokens not stored: %+v", cur)
	}

	// Logout ends the device at the homeserver.
	if err := c.Logout(ctx, nil); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if cur, _ := c.Session(ctx); cur != nil {
		t.Fatalf("still signed in: %+v", cur)
	}
	for _, ss := range sb.Sessions("alice") {
		if ss.Active {
			t.Errorf("session still active at the server: %+v", ss)
		}
	}
	// The next login asks for the same device.
	p2, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if p2.DeviceID != s.DeviceID {
		t.Errorf("re-login asked for %q, the ended session had %q", p2.DeviceID, s.DeviceID)
	}
	if u, _ := url.Parse(p2.URL); u.Path != "/_matrix/client/v3/login/sso/redirect" {
		t.Errorf("login without idp went to %s", u.Path)
	}
}

// TestLegacyNoRefresh: a server that grants no refresh token and no
// expiry: accessToken hands out the token, never refreshing, until the
// server refuses it.
func TestLegacyNoRefresh(t *testing.T) {
	ctx := context.Background()
	sb := legacySandbox(t, sandbox.Config{LegacyNoRefresh: true})
	c := loginClient(nil)
	var later atomic.Bool
	c.Now = func() time.Time {
		if later.Load() {
			return time.Now().Add(365 * 24 * time.Hour)
		}
		return time.Now()
	}
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.CompleteLogin(ctx, ssoBrowser(t, p.URL))
	if err != nil {
		t.Fatal(err)
	}
	if s.RefreshToken != "" || !s.ExpiresAt.IsZero() {
		t.Fatalf("session %+v", s)
	}
	later.Store(true)
	tok, err := c.AccessToken(ctx, time.Hour)
	if err != nil || tok != s.AccessToken {
		t.Fatalf("AccessToken a year later: %q %v", tok, err)
	}
	if n := countRequests(sb, "POST", "/_matrix/client/v3/refresh"); n != 0 {
		t.Errorf("%d refreshes without a refresh token", n)
	}
	if err := c.Logout(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/_matrix/client/v3/logout"); n != 1 {
		t.Errorf("%d logouts", n)
	}
}

// TestLegacyRefreshRefused: a refresh token the server no longer knows
// ends the session (session_expired), as invalid_grant does.
func TestLegacyRefreshRefused(t *testing.T) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	sb := legacySandbox(t, sandbox.Config{Now: clock, AccessTokenTTL: time.Minute})
	c := loginClient(nil)
	c.Now = clock
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteLogin(ctx, ssoBrowser(t, p.URL)); err != nil {
		t.Fatal(err)
	}
	sb.EndSessions("alice")
	now.Add(int64(2 * time.Minute))
	_, err = c.AccessToken(ctx, 0)
	e := wantCode(t, err, autherr.SessionExpired)
	if e.Errcode != "M_UNKNOWN_TOKEN" {
		t.Errorf("errcode %q", e.Errcode)
	}
	if s, _ := c.Session(ctx); s != nil {
		t.Errorf("session kept: %+v", s)
	}
}

// TestLegacyCallbackRefused: a loginToken that answers no pending legacy
// login of this Store is refused, and no server receives it.
func TestLegacyCallbackRefused(t *testing.T) {
	ctx := context.Background()
	sb := legacySandbox(t, sandbox.Config{})
	oauth := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)

	// A token minted for another browser's login (login CSRF): its state
	// is unknown here, or absent.
	other := loginClient(nil)
	p, err := other.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	planted := ssoBrowser(t, p.URL)
	_, err = c.CompleteLogin(ctx, planted)
	wantCode(t, err, autherr.NoPendingLogin)
	u, _ := url.Parse(planted)
	q := u.Query()
	q.Del("state")
	u.RawQuery = q.Encode()
	_, err = c.CompleteLogin(ctx, u.String())
	wantCode(t, err, autherr.StateMismatch)

	// A loginToken on the state of an OAuth 2.0 login, and a code on the
	// state of a legacy one.
	po, err := c.StartLogin(ctx, loginOpts(oauth))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteLogin(ctx, testRedirect+"?state="+po.State+"&loginToken="+q.Get("loginToken"))
	if e := wantCode(t, err, autherr.StateMismatch); e.Details["reason"] != "kind_mismatch" {
		t.Errorf("details %v", e.Details)
	}
	pl, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteLogin(ctx, testRedirect+"?state="+pl.State+"&code=abc")
	if e := wantCode(t, err, autherr.StateMismatch); e.Details["reason"] != "kind_mismatch" {
		t.Errorf("details %v", e.Details)
	}
	if n := len(sb.LegacyLogins()); n != 0 {
		t.Errorf("%d login tokens redeemed", n)
	}
	if n := countRequests(oauth, "POST", "/_matrix/client/v3/login"); n != 0 {
		t.Errorf("the OAuth server got %d POST /login", n)
	}
}

// TestLegacyHostileServer: an honest legacy server and a hostile one
// whose well-known and GET /login are crafted (provider ids with path
// tricks, a well-known naming the honest base URL's host for its own
// name). A login started for the honest server redeems its token there
// only; the hostile server never sees a login token or a POST, whatever
// the callback URL adds, and its crafted provider ids never reach a URL.
func TestLegacyHostileServer(t *testing.T) {
	ctx := context.Background()
	honest := legacySandbox(t, sandbox.Config{IdentityProviders: testIDPs})
	var mu sync.Mutex
	var seen []string
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/matrix/client":
			_, _ = w.Write([]byte(`{"m.homeserver":{"base_url":"http://` + r.Host + `"}}`))
		case "/_matrix/client/versions":
			_, _ = w.Write([]byte(`{"versions":["v1.11"]}`))
		case "/_matrix/client/v3/login":
			_, _ = w.Write([]byte(`{"flows":[{"type":"m.login.sso","identity_providers":[` +
				`{"id":"../../../_matrix/client/v3/login","name":"Honest"},{"id":"x?redirectUrl=http://evil","name":"Other"}]}]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errcode":"M_UNRECOGNIZED","error":"no"}`))
		}
	}))
	t.Cleanup(hostile.Close)

	c := loginClient(nil)
	info, err := c.Discover(ctx, hostile.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Login.IdentityProviders) != 0 || len(info.Hints.Providers) != 0 {
		t.Fatalf("crafted providers kept: %+v %+v", info.Login.IdentityProviders, info.Hints.Providers)
	}
	opts := loginOpts(honest)
	opts.Server = hostile.URL
	opts.IDP = "../../../_matrix/client/v3/login"
	if _, err := c.StartLogin(ctx, opts); err == nil {
		t.Fatal("a crafted provider id was accepted")
	} else {
		wantCode(t, err, autherr.InvalidInput)
	}

	// Logins to both are pending; the honest server's answer, whatever
	// the callback adds, is redeemed at the honest server.
	opts.IDP = ""
	if _, err := c.StartLogin(ctx, opts); err != nil {
		t.Fatal(err)
	}
	p, err := c.StartLogin(ctx, loginOpts(honest))
	if err != nil {
		t.Fatal(err)
	}
	back := ssoBrowser(t, p.URL) + "&baseUrl=" + url.QueryEscape(hostile.URL) + "&server=" + url.QueryEscape(hostile.URL)
	s, err := c.CompleteLogin(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	if s.BaseURL != honest.URL() || len(honest.LegacyLogins()) != 1 {
		t.Fatalf("session %+v, honest logins %+v", s, honest.LegacyLogins())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range seen {
		if strings.HasPrefix(r, "POST") || strings.Contains(r, "loginToken") || strings.Contains(r, "syl_") {
			t.Errorf("the hostile server saw %s", r)
		}
	}
}

// TestLegacyOAuthAware: MSC3824's oauth_aware_preferred decides the
// button, not the route. With auth metadata the login is OAuth 2.0; a
// server that says it but publishes no metadata goes the SSO route with
// the action in both names, and its providers are not offered (spec
// v1.18: an OAuth-aware client offers only the SSO flow).
func TestLegacyOAuthAware(t *testing.T) {
	ctx := context.Background()
	info := &ServerInfo{ServerName: "aware.example", BaseURL: "https://aware.example",
		Login: &signin.LoginInfo{Flows: []string{"m.login.sso", "m.login.token"}, OAuthAwarePreferred: true,
			IdentityProviders: []signin.IdentityProvider{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}}}}
	info.Hints = signin.DecideHints(info)
	if len(info.Hints.Providers) != 0 || info.Hints.ContinueWith != "Continue with aware.example" || !info.Hints.ShowCreateAccount {
		t.Fatalf("hints %+v", info.Hints)
	}
	c := loginClient(nil)
	p, err := c.StartLogin(ctx, LoginOptions{ServerInfo: info, RedirectURI: "https://app.example.org/cb?lang=fr", Client: testApp, Action: ActionRegister})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(p.URL)
	q := u.Query()
	if u.Host != "aware.example" || q.Get("action") != "register" || q.Get("org.matrix.msc3824.action") != "register" {
		t.Fatalf("SSO URL %s", p.URL)
	}
	back, _ := url.Parse(q.Get("redirectUrl"))
	if back.Query().Get("lang") != "fr" || back.Query().Get("state") != p.State {
		t.Errorf("redirectUrl %s", back)
	}
	// A redirect URI that already carries state cannot be told apart.
	_, err = c.StartLogin(ctx, LoginOptions{ServerInfo: info, RedirectURI: "https://app.example.org/cb?state=x", Client: testApp})
	wantCode(t, err, autherr.InvalidInput)

	// With metadata, the same flows mean the OAuth 2.0 route.
	sb := startSandbox(t, sandbox.Config{})
	po, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(po.URL, "code_challenge=") {
		t.Errorf("OAuth-aware server with metadata: %s", po.URL)
	}
}
