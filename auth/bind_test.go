package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// proxyHS is a hostile homeserver P in front of an honest sandbox H: it
// passes every request on to H except those it rewrites, and records all
// it receives, bodies included, so a test can show no secret reached it.
type proxyHS struct {
	srv *httptest.Server
	URL string
	h   *sandbox.Server

	mu       sync.Mutex
	received []string // "METHOD path authorization body" of every request
	rewrite  map[string]http.HandlerFunc
}

func newProxyHS(t *testing.T, h *sandbox.Server) *proxyHS {
	t.Helper()
	target, _ := url.Parse(h.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &proxyHS{h: h, rewrite: map[string]http.HandlerFunc{}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		p.mu.Lock()
		p.received = append(p.received, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+string(body))
		fn := p.rewrite[r.URL.Path]
		p.mu.Unlock()
		if fn != nil {
			fn(w, r)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		r.Host = target.Host
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.srv.URL
	p.rewrite["/.well-known/matrix/client"] = jsonHandler(200, `{"m.homeserver":{"base_url":"`+p.URL+`"}}`)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *proxyHS) on(path string, fn http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrite[path] = fn
}

// claimHonestIssuer makes P serve H's auth metadata with H's issuer and
// authorization endpoint but its own endpoints for secrets: the mix-up.
func (p *proxyHS) claimHonestIssuer(t *testing.T) {
	t.Helper()
	resp, err := http.Get(p.h.URL() + "/_matrix/client/v1/auth_metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"token_endpoint", "registration_endpoint", "revocation_endpoint", "jwks_uri"} {
		u, _ := url.Parse(meta[f].(string))
		meta[f] = p.URL + u.Path
	}
	b, _ := json.Marshal(meta)
	p.on("/_matrix/client/v1/auth_metadata", jsonHandler(200, string(b)))
}

// noSecrets fails the test when P received anything that carries a secret:
// a POST (token, registration, revocation), a bearer token, a code or a
// verifier.
func (p *proxyHS) noSecrets(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.received {
		if strings.HasPrefix(r, "POST ") || strings.Contains(r, "Bearer") || strings.Contains(r, "code") || strings.Contains(r, "token=") {
			t.Errorf("the hostile server received %q", r)
		}
	}
}

func storeKeys(t *testing.T, c *Client) []string {
	t.Helper()
	var all []string
	for _, prefix := range []string{"clients/", "pending/", "session"} {
		keys, err := c.store.Keys(context.Background(), prefix)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, keys...)
	}
	return all
}

// A homeserver that names an honest issuer and its authorization page but
// its own token, registration and revocation endpoints is refused before
// anything is sent to them, whether it is discovered or handed in.
func TestMixUpByClaimedIssuer(t *testing.T) {
	h := startSandbox(t, sandbox.Config{})
	p := newProxyHS(t, h)
	p.claimHonestIssuer(t)
	ctx := context.Background()

	t.Run("discovered", func(t *testing.T) {
		c := loginClient(nil)
		_, err := c.StartLogin(ctx, LoginOptions{Server: p.URL, RedirectURI: testRedirect, Client: testApp})
		e := wantCode(t, err, autherr.MetadataInvalid)
		if e.Details["field"] != "token_endpoint" {
			t.Errorf("field %q, want token_endpoint (%v)", e.Details["field"], e)
		}
		if keys := storeKeys(t, c); len(keys) != 0 {
			t.Errorf("the store holds %v", keys)
		}
	})
	t.Run("handed in", func(t *testing.T) {
		honest := loginClient(nil)
		info, err := honest.Discover(ctx, h.URL())
		mustNotFail(t, err)
		forged := *info
		o := *info.OAuth
		o.TokenEndpoint = p.URL + "/oauth2/token"
		o.Source = "issuer" // a forged ServerInfo cannot opt out of the check
		forged.OAuth = &o
		c := loginClient(nil)
		_, err = c.StartLogin(ctx, LoginOptions{ServerInfo: &forged, RedirectURI: testRedirect, Client: testApp})
		e := wantCode(t, err, autherr.MetadataInvalid)
		if e.Details["field"] != "token_endpoint" {
			t.Errorf("field %q, want token_endpoint", e.Details["field"])
		}
		if keys := storeKeys(t, c); len(keys) != 0 {
			t.Errorf("the store holds %v", keys)
		}
	})
	t.Run("registration endpoint only", func(t *testing.T) {
		// The registration cache cannot be poisoned: a client id P hands
		// out for H's issuer is never registered nor cached.
		resp, _ := http.Get(h.URL() + "/_matrix/client/v1/auth_metadata")
		var meta map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&meta)
		resp.Body.Close()
		meta["registration_endpoint"] = p.URL + "/oauth2/registration"
		b, _ := json.Marshal(meta)
		p.on("/_matrix/client/v1/auth_metadata", jsonHandler(200, string(b)))
		defer p.claimHonestIssuer(t)
		c := loginClient(nil)
		_, err := c.StartLogin(ctx, LoginOptions{Server: p.URL, RedirectURI: testRedirect, Client: testApp})
		e := wantCode(t, err, autherr.MetadataInvalid)
		if e.Details["field"] != "registration_endpoint" {
			t.Errorf("field %q, want registration_endpoint", e.Details["field"])
		}
		if keys := storeKeys(t, c); len(keys) != 0 {
			t.Errorf("the store holds %v", keys)
		}
	})
	t.Run("device authorization endpoint only", func(t *testing.T) {
		resp, _ := http.Get(h.URL() + "/_matrix/client/v1/auth_metadata")
		var meta map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&meta)
		resp.Body.Close()
		if meta["device_authorization_endpoint"] == nil {
			t.Fatal("the sandbox lists no device authorization endpoint")
		}
		meta["device_authorization_endpoint"] = p.URL + "/oauth2/device"
		b, _ := json.Marshal(meta)
		p.on("/_matrix/client/v1/auth_metadata", jsonHandler(200, string(b)))
		defer p.claimHonestIssuer(t)
		c := loginClient(nil)
		_, err := c.StartDeviceLogin(ctx, DeviceLoginOptions{Server: p.URL, Client: testApp})
		e := wantCode(t, err, autherr.MetadataInvalid)
		if e.Details["field"] != "device_authorization_endpoint" {
			t.Errorf("field %q, want device_authorization_endpoint", e.Details["field"])
		}
	})
	p.noSecrets(t)
	if n := countRequests(h, "POST", "/oauth2/registration"); n != 0 {
		t.Errorf("H got %d registrations, want 0", n)
	}
}

// A deployment whose token endpoint lives on another origin than the
// issuer passes when the issuer's own metadata names the same endpoints,
// at the cost of one request (cached with the discovery); the RFC 8414
// document is read when openid-configuration is absent. A login to a
// MAS-like server (all endpoints on the issuer's origin) costs none.
func TestIssuerBindingConfirmedByIssuer(t *testing.T) {
	for _, doc := range []string{"openid-configuration", "oauth-authorization-server"} {
		t.Run(doc, func(t *testing.T) {
			tokens := httptest.NewServer(http.NotFoundHandler())
			defer tokens.Close()
			var issuerSrv *httptest.Server
			var meta string
			issuerSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/.well-known/"+doc {
					jsonHandler(200, meta)(w, r)
					return
				}
				jsonHandler(404, `{}`)(w, r)
			}))
			defer issuerSrv.Close()
			var doc0 map[string]any
			_ = json.Unmarshal([]byte(metadataFor(issuerSrv.URL+"/", nil)), &doc0)
			doc0["token_endpoint"] = tokens.URL + "/oauth2/token"
			b, _ := json.Marshal(doc0)
			meta = string(b)
			hs := httptest.NewServer(homeserver(meta))
			defer hs.Close()
			c := loginClient(nil)
			info, err := c.Discover(context.Background(), hs.URL)
			mustNotFail(t, err)
			if !strings.HasPrefix(info.OAuth.TokenEndpoint, tokens.URL) {
				t.Fatalf("token endpoint %q", info.OAuth.TokenEndpoint)
			}
			asked := 0
			for _, st := range info.Steps {
				if st.Name == "openid-configuration" || st.Name == "oauth-authorization-server" {
					asked++
				}
			}
			if want := map[string]int{"openid-configuration": 1, "oauth-authorization-server": 2}[doc]; asked != want {
				t.Errorf("asked the issuer %d times, want %d (%+v)", asked, want, info.Steps)
			}
			// An issuer whose own document names another token endpoint
			// refutes the homeserver.
			meta = metadataFor(issuerSrv.URL+"/", nil)
			_, err = loginClient(nil).Discover(context.Background(), hs.URL)
			if e := wantCode(t, err, autherr.MetadataInvalid); e.Details["field"] != "token_endpoint" {
				t.Errorf("field %q, want token_endpoint", e.Details["field"])
			}
		})
	}
	t.Run("mas-like costs nothing", func(t *testing.T) {
		h := startSandbox(t, sandbox.Config{})
		info, err := loginClient(nil).Discover(context.Background(), h.URL())
		mustNotFail(t, err)
		for _, st := range info.Steps {
			if st.Name == "openid-configuration" || st.Name == "oauth-authorization-server" {
				t.Errorf("asked %s", st.Name)
			}
		}
	})
}

// RFC 9207 §2.4: a server whose metadata says it sends iss is refused an
// answer without it; one that does not say so is not.
func TestCallbackWithoutIss(t *testing.T) {
	h := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	strip := func(cb string) string {
		u, _ := url.Parse(cb)
		q, _ := url.ParseQuery(u.Fragment)
		q.Del("iss")
		u.Fragment = q.Encode()
		return u.String()
	}
	c := loginClient(nil)
	p, err := c.StartLogin(ctx, loginOpts(h))
	mustNotFail(t, err)
	_, err = c.CompleteLogin(ctx, strip(authorizeAt(t, p.URL)))
	e := wantCode(t, err, autherr.StateMismatch)
	if e.Details["reason"] != "iss_missing" {
		t.Errorf("reason %q", e.Details["reason"])
	}
	if n := countRequests(h, "POST", "/oauth2/token"); n != 0 {
		t.Errorf("the code was redeemed %d times", n)
	}

	p, err = c.StartLogin(ctx, loginOpts(h))
	mustNotFail(t, err)
	editPending(t, c, p.State, func(r *pendingRecord) { r.OAuth.IssParameterSupported = false })
	if _, err := c.CompleteLogin(ctx, strip(authorizeAt(t, p.URL))); err != nil {
		t.Errorf("without the flag: %v", err)
	}
}

// A homeserver cannot sign a person in as another server's user: whoami's
// user id must belong to the server the login went to.
func TestBorrowedUserID(t *testing.T) {
	h := startSandbox(t, sandbox.Config{})
	other := startSandbox(t, sandbox.Config{})
	otherName := strings.TrimPrefix(other.URL(), "http://")
	ctx := context.Background()
	tests := []struct {
		name, userID, reason string
		server               func(p *proxyHS) string
	}{
		{"another server's user, by name", "@admin:" + otherName, "user_id_not_of_this_server", func(p *proxyHS) string { return strings.TrimPrefix(p.URL, "http://") }},
		{"another server's user, by URL", "@admin:" + otherName, "user_id_not_of_this_server", func(p *proxyHS) string { return p.URL }},
		{"bidi override", "@adm\u202Eni:" + otherName, "user_id_invalid", func(p *proxyHS) string { return p.URL }},
		{"space", "@ad min:" + otherName, "user_id_invalid", func(p *proxyHS) string { return p.URL }},
		{"bad server name", "@admin:exa mple.org", "user_id_invalid", func(p *proxyHS) string { return p.URL }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProxyHS(t, h)
			p.on("/_matrix/client/v3/account/whoami", func(w http.ResponseWriter, r *http.Request) {
				writeTestJSON(w, 200, map[string]string{"user_id": tt.userID})
			})
			c := loginClient(nil)
			pl, err := c.StartLogin(ctx, LoginOptions{Server: tt.server(p), RedirectURI: testRedirect, Client: testApp})
			mustNotFail(t, err)
			_, err = c.CompleteLogin(ctx, authorizeAt(t, pl.URL))
			e := wantCode(t, err, autherr.TokenExchangeFailed)
			if e.Details["reason"] != tt.reason {
				t.Errorf("reason %q, want %q (%v)", e.Details["reason"], tt.reason, e)
			}
			if s, _ := c.Session(ctx); s != nil {
				t.Errorf("a session was stored: %+v", s)
			}
		})
	}

	t.Run("own user by URL", func(t *testing.T) {
		// A typed base URL: the user id's server resolves to it.
		c := loginClient(nil)
		s := sandboxLogin(t, c, loginOpts(h))
		if want := strings.TrimPrefix(h.URL(), "http://"); s.ServerName != want {
			t.Errorf("server name %q, want %q", s.ServerName, want)
		}
	})
}

// Registrations are reused for registrationTTL, then made anew.
func TestRegistrationExpires(t *testing.T) {
	h := startSandbox(t, sandbox.Config{})
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	c := loginClient(nil)
	c.Now = clock.Now
	c.PendingLoginTTL = 365 * 24 * time.Hour
	ctx := context.Background()
	for i, step := range []time.Duration{0, signin.RegistrationTTL - time.Hour, 2 * time.Hour} {
		clock.Add(step)
		if _, err := c.StartLogin(ctx, loginOpts(h)); err != nil {
			t.Fatal(err)
		}
		want := map[int]int{0: 1, 1: 1, 2: 2}[i]
		if n := countRequests(h, "POST", "/oauth2/registration"); n != want {
			t.Errorf("after %d logins: %d registrations, want %d", i+1, n, want)
		}
	}
}
