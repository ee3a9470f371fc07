package auth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// hostileCase is one bad answer: what the server does (setup, given the
// server under test and a second, unrelated host), and the code it must
// end in. The runner of each area checks the timing, the absence of a
// panic and that the Store is unchanged.
type hostileCase struct {
	name  string
	setup func(h, other *hostileHS)
	code  Code
	// check looks at the error further (optional).
	check func(t *testing.T, e *Error, h, other *hostileHS)
}

// client is hostileClient, with a longer timeout for the 50 MiB cases:
// reading up to the 2 MiB transport cap can take longer than 300 ms under
// -race on a loaded machine, and those cases are about the size limit.
func (tc hostileCase) client(store Store) *Client {
	c := hostileClient(store)
	if strings.Contains(tc.name, "50 MiB") {
		c.Timeout = 3 * time.Second
	}
	return c
}

func answer(path string, fn http.HandlerFunc) func(h, other *hostileHS) {
	return func(h, _ *hostileHS) { h.on(path, fn) }
}

// wellKnownAnswer replaces the well-known, and takes /versions away from
// the origin: Discover(h.URL) reads a typed origin's well-known only when
// the origin is no homeserver itself (issue 13).
func wellKnownAnswer(fn http.HandlerFunc) func(h, other *hostileHS) {
	return func(h, _ *hostileHS) {
		h.on(pVersions, status(404, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`))
		h.on(pWellKnown, fn)
	}
}

func wantField(field string) func(t *testing.T, e *Error, h, other *hostileHS) {
	return func(t *testing.T, e *Error, _, _ *hostileHS) {
		if e.Details["field"] != field {
			t.Errorf("details %v, want field %q", e.Details, field)
		}
	}
}

func wantRetryAfter(d time.Duration) func(t *testing.T, e *Error, h, other *hostileHS) {
	return func(t *testing.T, e *Error, _, _ *hostileHS) {
		if e.RetryAfter != d {
			t.Errorf("retry after %v, want %v", e.RetryAfter, d)
		}
	}
}

// neverReached checks that the other host saw nothing: no secret followed a
// redirect there.
func neverReached(t *testing.T, _ *Error, _, other *hostileHS) {
	other.mu.Lock()
	defer other.mu.Unlock()
	if len(other.hits) != 0 {
		t.Errorf("the other host was asked: %v", other.hits)
	}
}

// refusedRedirect checks neverReached and that the error says why
// (details.reason "redirect_refused", as the browser's fetch says it).
func refusedRedirect(t *testing.T, e *Error, h, other *hostileHS) {
	neverReached(t, e, h, other)
	if e.Details["reason"] != autherr.ReasonRedirectRefused {
		t.Errorf("details %v, want reason %s", e.Details, autherr.ReasonRedirectRefused)
	}
}

func metaEdit(edit func(m map[string]any)) func(h, other *hostileHS) {
	return func(h, _ *hostileHS) {
		h.mu.Lock()
		h.metadata = edit
		h.mu.Unlock()
	}
}

const (
	pWellKnown = "/.well-known/matrix/client"
	pVersions  = "/_matrix/client/versions"
	pMetadata  = "/_matrix/client/v1/auth_metadata"
	pRegister  = "/oauth2/registration"
	pToken     = "/oauth2/token"
	pJWKS      = "/oauth2/keys.json"
	pWhoami    = "/_matrix/client/v3/account/whoami"
	pRevoke    = "/oauth2/revoke"
)

// Discovery and metadata: Discover fails with the code; the Store stays
// empty (no cache of a failure).
var hostileDiscovery = []hostileCase{
	{"well-known m.homeserver is a string", wellKnownAnswer(status(200, `{"m.homeserver":"https://hs.example.org"}`)), autherr.DiscoveryFailed, nil},
	{"well-known base_url is a number", wellKnownAnswer(status(200, `{"m.homeserver":{"base_url":42}}`)), autherr.DiscoveryFailed, nil},
	{"well-known is an array", wellKnownAnswer(status(200, `[{"m.homeserver":{}}]`)), autherr.DiscoveryFailed, nil},
	{"well-known base_url on http for a public host", wellKnownAnswer(status(200, `{"m.homeserver":{"base_url":"http://hs.example.org"}}`)), autherr.DiscoveryFailed, nil},
	{"well-known 50 MiB", wellKnownAnswer(huge(200)), autherr.DiscoveryFailed, nil},
	{"well-known never ends", wellKnownAnswer(endless()), autherr.Timeout, nil},
	{"well-known accepts and never answers", wellKnownAnswer(silent()), autherr.Timeout, nil},
	{"well-known redirect loop", wellKnownAnswer(redirect(302, pWellKnown)), autherr.Network, nil},
	{"well-known redirect to http on a public host", wellKnownAnswer(redirect(302, "http://hs.example.org/.well-known/matrix/client")), autherr.Network, nil},
	{"well-known 429 asking for an hour", wellKnownAnswer(rateLimited(3600000)), autherr.RateLimited, wantRetryAfter(5 * time.Minute)},
	{"versions is a string", answer(pVersions, status(200, `{"versions":"v1.15"}`)), autherr.NotAHomeserver, nil},
	{"versions entries are numbers", answer(pVersions, status(200, `{"versions":[1,15]}`)), autherr.NotAHomeserver, nil},
	{"versions Content-Type lie (HTML sent as JSON)", answer(pVersions, lyingJSON()), autherr.NotAHomeserver, nil},
	{"versions 500 burst", answer(pVersions, status(500, `{"errcode":"M_UNKNOWN","error":"boom"}`)), autherr.ServerError, nil},
	{"versions 502 from the proxy", answer(pVersions, htmlPage(502)), autherr.ServerError, nil},
	{"versions 429 with retry_after_ms", answer(pVersions, rateLimited(1500)), autherr.RateLimited, wantRetryAfter(1500 * time.Millisecond)},
	{"versions 429 without retry_after_ms", answer(pVersions, rateLimited(0)), autherr.RateLimited, wantRetryAfter(0)},
	{"metadata issuer is a number", metaEdit(func(m map[string]any) { m["issuer"] = 7 }), autherr.MetadataInvalid, wantField("issuer")},
	{"metadata token_endpoint is an array", metaEdit(func(m map[string]any) { m["token_endpoint"] = []string{"https://a"} }), autherr.MetadataInvalid, wantField("token_endpoint")},
	{"metadata grant_types_supported is a string", metaEdit(func(m map[string]any) { m["grant_types_supported"] = "authorization_code refresh_token" }), autherr.MetadataInvalid, wantField("grant_types_supported")},
	{"metadata response_modes_supported are numbers", metaEdit(func(m map[string]any) { m["response_modes_supported"] = []int{1, 2} }), autherr.MetadataInvalid, wantField("response_modes_supported")},
	{"metadata scopes_supported is an object", metaEdit(func(m map[string]any) { m["scopes_supported"] = map[string]any{"openid": true} }), autherr.MetadataInvalid, wantField("scopes_supported")},
	{"metadata account_management_actions_supported is a bool", metaEdit(func(m map[string]any) { m["account_management_actions_supported"] = true }), autherr.MetadataInvalid, wantField("account_management_actions_supported")},
	{"metadata prompt_values_supported is a number", metaEdit(func(m map[string]any) { m["prompt_values_supported"] = 1 }), autherr.MetadataInvalid, wantField("prompt_values_supported")},
	{"metadata jwks_uri is a number", metaEdit(func(m map[string]any) { m["jwks_uri"] = 1 }), autherr.MetadataInvalid, wantField("jwks_uri")},
	{"metadata without S256", metaEdit(func(m map[string]any) { m["code_challenge_methods_supported"] = []string{"plain"} }), autherr.MetadataInvalid, wantField("code_challenge_methods_supported")},
	{"metadata token endpoint on http for a public host", metaEdit(func(m map[string]any) { m["token_endpoint"] = "http://auth.example.org/token" }), autherr.MetadataInvalid, wantField("token_endpoint")},
	{"metadata revocation endpoint on http for a public host", metaEdit(func(m map[string]any) { m["revocation_endpoint"] = "http://auth.example.org/revoke" }), autherr.MetadataInvalid, wantField("revocation_endpoint")},
	{"metadata authorization_endpoint is a bool", metaEdit(func(m map[string]any) { m["authorization_endpoint"] = true }), autherr.MetadataInvalid, wantField("authorization_endpoint")},
	{"metadata registration_endpoint is a number", metaEdit(func(m map[string]any) { m["registration_endpoint"] = 3 }), autherr.MetadataInvalid, wantField("registration_endpoint")},
	{"metadata revocation_endpoint is an object", metaEdit(func(m map[string]any) { m["revocation_endpoint"] = map[string]any{} }), autherr.MetadataInvalid, wantField("revocation_endpoint")},
	{"metadata response_types_supported is a string", metaEdit(func(m map[string]any) { m["response_types_supported"] = "code" }), autherr.MetadataInvalid, wantField("response_types_supported")},
	{"metadata id_token_signing_alg_values_supported is a number", metaEdit(func(m map[string]any) { m["id_token_signing_alg_values_supported"] = 256 }), autherr.MetadataInvalid, wantField("id_token_signing_alg_values_supported")},
	{"versions unstable_features is an array", answer(pVersions, status(200, `{"versions":["v1.15"],"unstable_features":["x"]}`)), autherr.NotAHomeserver, nil},
	{"auth_issuer issuer is a number", func(h, _ *hostileHS) {
		h.on(pMetadata, status(404, `{"errcode":"M_UNRECOGNIZED","error":"no"}`))
		h.on("/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", status(200, `{"issuer":42}`))
	}, autherr.MetadataInvalid, wantField("issuer")},
	{"metadata is null", answer(pMetadata, status(200, `null`)), autherr.MetadataInvalid, nil},
	{"metadata Content-Type lie", answer(pMetadata, lyingJSON()), autherr.MetadataInvalid, nil},
	{"metadata 50 MiB", answer(pMetadata, huge(200)), autherr.ServerError, nil},
	{"metadata never ends", answer(pMetadata, endless()), autherr.Timeout, nil},
	{"metadata 502 burst", answer(pMetadata, htmlPage(502)), autherr.ServerError, nil},
	{"issuer differs from the one the metadata came from", func(h, _ *hostileHS) {
		h.on(pMetadata, status(404, `{"errcode":"M_UNRECOGNIZED","error":"no"}`))
		h.on("/_matrix/client/unstable/org.matrix.msc2965/auth_issuer", func(w http.ResponseWriter, r *http.Request) {
			writeTestJSON(w, 200, map[string]string{"issuer": h.issuer()})
		})
		h.on("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			m := h.metadataDoc()
			m["issuer"] = "https://evil.example/"
			writeTestJSON(w, 200, m)
		})
	}, autherr.MetadataInvalid, wantField("issuer")},
}

func TestHostileDiscovery(t *testing.T) {
	for _, tc := range hostileDiscovery {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, other := newHostile(t), newHostile(t)
			tc.setup(h, other)
			store := NewMemoryStore()
			c := tc.client(store)
			err := timed(t, func() error { _, err := c.Discover(context.Background(), h.URL); return err })
			e := wantCode(t, err, tc.code)
			if tc.check != nil {
				tc.check(t, e, h, other)
			}
			sameStore(t, map[string]string{}, snapshot(t, store))
		})
	}
}

// Registration: StartLogin fails; no pending login and no cached
// registration is stored.
var hostileRegistration = []hostileCase{
	{"client_id is a number", answer(pRegister, status(201, `{"client_id":12345}`)), autherr.RegistrationFailed, nil},
	{"client_id missing", answer(pRegister, status(201, `{"client_name":"x"}`)), autherr.RegistrationFailed, nil},
	{"client_id is an object", answer(pRegister, status(201, `{"client_id":{"id":"x"}}`)), autherr.RegistrationFailed, nil},
	{"Content-Type lie", answer(pRegister, lyingJSON()), autherr.RegistrationFailed, nil},
	{"refusal keeps the server's error", answer(pRegister, status(400, `{"error":"invalid_redirect_uri","error_description":"no"}`)), autherr.RegistrationFailed,
		func(t *testing.T, e *Error, _, _ *hostileHS) {
			if e.Errcode != "invalid_redirect_uri" {
				t.Errorf("errcode %q", e.Errcode)
			}
		}},
	{"500 burst", answer(pRegister, status(500, `{"error":"server_error"}`)), autherr.ServerError, nil},
	{"429 without retry_after_ms", answer(pRegister, rateLimited(0)), autherr.RateLimited, nil},
	{"50 MiB", answer(pRegister, huge(201)), autherr.ServerError, nil},
	{"never answers", answer(pRegister, silent()), autherr.Timeout, nil},
	{"307 to another host", func(h, other *hostileHS) { h.on(pRegister, redirect(307, other.URL+pRegister)) }, autherr.Network, neverReached},
}

func TestHostileRegistration(t *testing.T) {
	for _, tc := range hostileRegistration {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, other := newHostile(t), newHostile(t)
			store := NewMemoryStore()
			c := tc.client(store)
			info, err := c.Discover(context.Background(), h.URL)
			mustNotFail(t, err)
			tc.setup(h, other)
			before := snapshot(t, store)
			err = timed(t, func() error {
				_, err := c.StartLogin(context.Background(), LoginOptions{ServerInfo: info, RedirectURI: testRedirect, Client: testApp})
				return err
			})
			e := wantCode(t, err, tc.code)
			if tc.check != nil {
				tc.check(t, e, h, other)
			}
			sameStore(t, before, snapshot(t, store))
		})
	}
}

// Token exchange, ID token and whoami: CompleteLogin fails; no session is
// stored, the pending login is spent (a second try is no_pending_login),
// nothing else changes.
var hostileLogin = []hostileCase{
	{"token_type mac", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["token_type"] = "mac" } }, autherr.TokenExchangeFailed, nil},
	{"token_type missing", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { delete(a, "token_type") } }, autherr.TokenExchangeFailed, nil},
	{"access_token is a number", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["access_token"] = 42 } }, autherr.TokenExchangeFailed, nil},
	{"access_token missing", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { delete(a, "access_token") } }, autherr.TokenExchangeFailed, nil},
	{"expires_in is a word", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["expires_in"] = "soon" } }, autherr.TokenExchangeFailed, nil},
	{"refresh_token is a number", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["refresh_token"] = 7 } }, autherr.TokenExchangeFailed, nil},
	{"token Content-Type lie", answer(pToken, lyingJSON()), autherr.TokenExchangeFailed, nil},
	{"token 50 MiB", answer(pToken, huge(200)), autherr.TokenExchangeFailed, nil},
	{"token never ends", answer(pToken, endless()), autherr.Timeout, nil},
	{"token never answers", answer(pToken, silent()), autherr.Timeout, nil},
	{"token 500 burst", answer(pToken, status(500, `{"error":"server_error"}`)), autherr.ServerError, nil},
	{"token 502 from the proxy", answer(pToken, htmlPage(502)), autherr.ServerError, nil},
	{"token 429 with retry_after_ms", answer(pToken, rateLimited(2000)), autherr.RateLimited, wantRetryAfter(2 * time.Second)},
	{"token invalid_grant", answer(pToken, status(400, `{"error":"invalid_grant","error_description":"used"}`)), autherr.TokenExchangeFailed,
		func(t *testing.T, e *Error, _, _ *hostileHS) {
			if e.Errcode != "invalid_grant" {
				t.Errorf("errcode %q", e.Errcode)
			}
		}},
	{"token 307 to another host", func(h, other *hostileHS) { h.on(pToken, redirect(307, other.URL+pToken)) }, autherr.Network, neverReached},
	{"token redirect loop", answer(pToken, redirect(307, pToken)), autherr.Network, nil},
	{"id_token signed by the wrong key", func(h, _ *hostileHS) { h.signer = hostileKey(1) }, autherr.IDTokenInvalid, nil},
	{"id_token wrong aud", func(h, _ *hostileHS) { h.claims = func(c map[string]any) { c["aud"] = "someone-else" } }, autherr.IDTokenInvalid, nil},
	{"id_token expired", func(h, _ *hostileHS) {
		h.claims = func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }
	}, autherr.IDTokenInvalid, nil},
	{"id_token missing nonce", func(h, _ *hostileHS) { h.claims = func(c map[string]any) { delete(c, "nonce") } }, autherr.IDTokenInvalid, nil},
	{"id_token wrong nonce", func(h, _ *hostileHS) { h.claims = func(c map[string]any) { c["nonce"] = "replayed" } }, autherr.IDTokenInvalid, nil},
	{"id_token wrong iss", func(h, _ *hostileHS) { h.claims = func(c map[string]any) { c["iss"] = "https://evil.example/" } }, autherr.IDTokenInvalid, nil},
	{"id_token is not a JWT", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["id_token"] = "a.b.c" } }, autherr.IDTokenInvalid, nil},
	{"id_token is a number", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["id_token"] = 12 } }, autherr.IDTokenInvalid, nil},
	{"id_token alg none", func(h, _ *hostileHS) {
		h.answer = func(a map[string]any) {
			a["id_token"] = b64url([]byte(`{"alg":"none"}`)) + "." + b64url([]byte(`{"iss":"x"}`)) + "."
		}
	}, autherr.IDTokenInvalid, nil},
	{"jwks 50 MiB", answer(pJWKS, huge(200)), autherr.IDTokenInvalid, nil},
	{"jwks never answers", answer(pJWKS, silent()), autherr.Timeout, nil},
	{"whoami user_id is a number", answer(pWhoami, status(200, `{"user_id":5}`)), autherr.TokenExchangeFailed, nil},
	{"whoami user_id missing", answer(pWhoami, status(200, `{"device_id":"X"}`)), autherr.TokenExchangeFailed, nil},
	{"whoami user_id not a Matrix id", answer(pWhoami, status(200, `{"user_id":"alice"}`)), autherr.TokenExchangeFailed, nil},
	{"whoami device_id is a number", answer(pWhoami, status(200, `{"user_id":"@alice:hostile.example","device_id":1}`)), autherr.TokenExchangeFailed, nil},
	{"whoami another device", answer(pWhoami, status(200, `{"user_id":"@alice:hostile.example","device_id":"SOMEONEELSE"}`)), autherr.TokenExchangeFailed, nil},
	{"whoami is_guest is a string", answer(pWhoami, status(200, `{"user_id":"@alice:hostile.example","is_guest":"no"}`)), autherr.TokenExchangeFailed, nil},
	{"whoami 401 M_UNKNOWN_TOKEN", answer(pWhoami, status(401, `{"errcode":"M_UNKNOWN_TOKEN","error":"no"}`)), autherr.TokenExchangeFailed, nil},
	{"whoami 502 from the proxy", answer(pWhoami, htmlPage(502)), autherr.ServerError, nil},
	{"whoami Content-Type lie", answer(pWhoami, lyingJSON()), autherr.TokenExchangeFailed, nil},
	{"whoami never answers", answer(pWhoami, silent()), autherr.Timeout, nil},
	{"whoami redirect to another host", func(h, other *hostileHS) { h.on(pWhoami, redirect(302, other.URL+pWhoami)) }, autherr.Network, neverReached},
}

func TestHostileLogin(t *testing.T) {
	for _, tc := range hostileLogin {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, other := newHostile(t), newHostile(t)
			store := NewMemoryStore()
			c := tc.client(store)
			p, cb := h.start(t, c)
			tc.setup(h, other)
			before := snapshot(t, store)
			err := timed(t, func() error { _, err := c.CompleteLogin(context.Background(), cb); return err })
			e := wantCode(t, err, tc.code)
			if tc.check != nil {
				tc.check(t, e, h, other)
			}
			sameStore(t, before, snapshot(t, store), pendingPrefix+p.State)
			if s, _ := c.Session(context.Background()); s != nil {
				t.Error("a session was stored")
			}
		})
	}
}

// Refresh: the session stays byte-identical after a failed refresh, except
// invalid_grant, which ends it.
var hostileRefresh = []hostileCase{
	{"token_type mac", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["token_type"] = "mac" } }, autherr.TokenExchangeFailed, nil},
	{"access_token missing", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { delete(a, "access_token") } }, autherr.TokenExchangeFailed, nil},
	{"access_token is an object", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["access_token"] = map[string]any{} } }, autherr.TokenExchangeFailed, nil},
	{"expires_in is a word", func(h, _ *hostileHS) { h.answer = func(a map[string]any) { a["expires_in"] = "later" } }, autherr.TokenExchangeFailed, nil},
	{"Content-Type lie", answer(pToken, lyingJSON()), autherr.TokenExchangeFailed, nil},
	{"50 MiB", answer(pToken, huge(200)), autherr.TokenExchangeFailed, nil},
	{"never ends", answer(pToken, endless()), autherr.Timeout, nil},
	{"never answers", answer(pToken, silent()), autherr.Timeout, nil},
	{"500 burst", answer(pToken, status(500, `{"error":"server_error"}`)), autherr.ServerError, nil},
	{"502 burst", answer(pToken, htmlPage(502)), autherr.ServerError, nil},
	{"429 with retry_after_ms beyond the backoff cap", answer(pToken, rateLimited(60000)), autherr.RateLimited, wantRetryAfter(time.Minute)},
	{"429 without retry_after_ms", answer(pToken, rateLimited(0)), autherr.RateLimited, nil},
	{"invalid_request is not a logout", answer(pToken, status(400, `{"error":"invalid_request"}`)), autherr.TokenExchangeFailed, nil},
	{"redirect to http on a public host", answer(pToken, redirect(307, "http://auth.example.org/oauth2/token")), autherr.Network, nil},
	{"307 to another host", func(h, other *hostileHS) { h.on(pToken, redirect(307, other.URL+pToken)) }, autherr.Network, refusedRedirect},
}

func TestHostileRefresh(t *testing.T) {
	for _, tc := range hostileRefresh {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, other := newHostile(t), newHostile(t)
			store := NewMemoryStore()
			c := tc.client(store)
			s := h.login(t, c)
			tc.setup(h, other)
			before := snapshot(t, store)
			ts := c.TokenSource(context.Background(), s)
			ts.MinValidity = time.Hour
			err := timed(t, func() error { _, err := ts.Token(); return err })
			e := wantCode(t, err, tc.code)
			if tc.check != nil {
				tc.check(t, e, h, other)
			}
			sameStore(t, before, snapshot(t, store))
		})
	}
}

// A refresh answer without refresh_token keeps the old one (RFC 6749 §6:
// the server MAY issue a new one).
func TestHostileRefreshWithoutRefreshToken(t *testing.T) {
	h := newHostile(t)
	c := hostileClient(nil)
	s := h.login(t, c)
	h.answer = func(a map[string]any) { delete(a, "refresh_token") }
	ts := c.TokenSource(context.Background(), s)
	ts.MinValidity = time.Hour
	got, err := ts.Session(context.Background())
	mustNotFail(t, err)
	if got.RefreshToken != s.RefreshToken || got.AccessToken == s.AccessToken {
		t.Errorf("after refresh: refresh %q (was %q), access %q (was %q)", got.RefreshToken, s.RefreshToken, got.AccessToken, s.AccessToken)
	}
	stored, _ := c.Session(context.Background())
	if stored == nil || stored.RefreshToken != s.RefreshToken {
		t.Errorf("stored %+v", stored)
	}
}

// A login answer without refresh_token gives a session that works until the
// access token expires, then says session_expired, never a network error.
func TestHostileLoginWithoutRefreshToken(t *testing.T) {
	h := newHostile(t)
	c := hostileClient(nil)
	h.answer = func(a map[string]any) { delete(a, "refresh_token") }
	s := h.login(t, c)
	if s.RefreshToken != "" {
		t.Fatalf("refresh token %q", s.RefreshToken)
	}
	at, err := c.AccessToken(context.Background(), time.Second)
	mustNotFail(t, err)
	if at != s.AccessToken {
		t.Errorf("got %q", at)
	}
	c.Now = func() time.Time { return time.Now().Add(time.Hour) }
	_, err = c.AccessToken(context.Background(), 0)
	wantCode(t, err, autherr.SessionExpired)
}

func TestHostileRefreshInvalidGrantEndsSession(t *testing.T) {
	h := newHostile(t)
	store := NewMemoryStore()
	c := hostileClient(store)
	s := h.login(t, c)
	before := snapshot(t, store)
	h.on(pToken, status(400, `{"error":"invalid_grant"}`))
	ts := c.TokenSource(context.Background(), s)
	ts.MinValidity = time.Hour
	err := timed(t, func() error { _, err := ts.Token(); return err })
	wantCode(t, err, autherr.SessionExpired)
	sameStore(t, before, rememberedIn(t, snapshot(t, store), s), sessionKey(s.ID()), currentSessionKey)
}

// Revocation: Logout reports the failure and still forgets the session
// (CONTRACT.md logout); nothing else in the Store changes.
var hostileRevocation = []hostileCase{
	{"500 burst", answer(pRevoke, status(500, `{"error":"server_error"}`)), autherr.ServerError, nil},
	{"502 from the proxy", answer(pRevoke, htmlPage(502)), autherr.ServerError, nil},
	{"401 invalid_client", answer(pRevoke, status(401, `{"error":"invalid_client"}`)), autherr.Forbidden, nil},
	{"429 without retry_after_ms", answer(pRevoke, rateLimited(0)), autherr.RateLimited, nil},
	{"never answers", answer(pRevoke, silent()), autherr.Timeout, nil},
	{"redirect loop", answer(pRevoke, redirect(307, pRevoke)), autherr.Network, nil},
	{"307 to another host", func(h, other *hostileHS) { h.on(pRevoke, redirect(307, other.URL+pRevoke)) }, autherr.Network, refusedRedirect},
	{"50 MiB", answer(pRevoke, huge(200)), autherr.ServerError, nil},
}

func TestHostileRevocation(t *testing.T) {
	for _, tc := range hostileRevocation {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, other := newHostile(t), newHostile(t)
			store := NewMemoryStore()
			c := tc.client(store)
			s := h.login(t, c)
			tc.setup(h, other)
			before := snapshot(t, store)
			err := timed(t, func() error { return c.Logout(context.Background(), nil) })
			e := wantCode(t, err, tc.code)
			if e.Details["sessionForgotten"] != "true" || e.Details["refreshToken"] != "failed" || e.Details["accessToken"] == "revoked" {
				t.Errorf("details %v", e.Details)
			}
			if tc.check != nil {
				tc.check(t, e, h, other)
			}
			sameStore(t, before, rememberedIn(t, snapshot(t, store), s), sessionKey(s.ID()), currentSessionKey)
		})
	}
}

// An https server that redirects to http is refused: only a server named
// by a loopback URL may use (loopback) http. (fakeNet: a public name.)
func TestHostileRedirectHTTPSToHTTP(t *testing.T) {
	f := &fakeNet{hosts: map[string]http.Handler{
		"hs.example.org": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Scheme == "http" {
				t.Errorf("followed to %s", r.URL)
			}
			redirect(302, "http://hs.example.org"+r.URL.Path)(w, r)
		}),
	}}
	store := NewMemoryStore()
	c := testClient(f)
	c.Store = store
	err := timed(t, func() error { _, err := c.Discover(context.Background(), "hs.example.org"); return err })
	e := wantCode(t, err, autherr.Network)
	if !strings.Contains(e.Error(), "refused redirect") {
		t.Errorf("error %v", e)
	}
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "GET http:") {
			t.Errorf("asked %s", r)
		}
	}
	sameStore(t, map[string]string{}, snapshot(t, store))
}
