//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin/storetest"
	"github.com/mxauth/mxauth/wasm/browser"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

const (
	testRedirect  = "http://127.0.0.1:9/callback"
	testClientURI = "https://app.example.org/"
)

// sandboxURL is the base URL of the sandbox the native TestJS starts
// (AutoApprove alice).
func sandboxURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("MXAUTH_TEST_SANDBOX")
	if base == "" {
		t.Skip("MXAUTH_TEST_SANDBOX is not set: run `go test ./wasm/session` natively, which serves and runs this")
	}
	return base
}

// settle awaits a Promise and returns its value or its rejection reason.
func settle(t *testing.T, p js.Value) (value, reason js.Value, rejected bool) {
	t.Helper()
	if p.Type() != js.TypeObject || p.Get("then").Type() != js.TypeFunction {
		t.Fatalf("got %s, want a Promise", p.Type())
	}
	type result struct {
		v        js.Value
		rejected bool
	}
	ch := make(chan result, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: browser.Arg(a, 0)}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: browser.Arg(a, 0), rejected: true}; return nil })
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	select {
	case r := <-ch:
		if r.rejected {
			return js.Undefined(), r.v, true
		}
		return r.v, js.Undefined(), false
	case <-time.After(20 * time.Second):
		t.Fatal("the Promise did not settle")
		return
	}
}

// must settles p and fails the test on a rejection.
func must(t *testing.T, what string, p js.Value) js.Value {
	t.Helper()
	v, reason, rejected := settle(t, p)
	if rejected {
		t.Fatalf("%s rejected: %s: %s", what, reason.Get("code"), reason.Get("message"))
	}
	return v
}

// rejection settles p and wants a rejection with code.
func rejection(t *testing.T, what string, p js.Value, code string) js.Value {
	t.Helper()
	v, reason, rejected := settle(t, p)
	if !rejected {
		t.Fatalf("%s resolved with %s, want a %s rejection", what, jsonOf(v), code)
	}
	if !reason.InstanceOf(js.Global().Get("Error")) || reason.Get("name").String() != "MxAuthError" {
		t.Errorf("%s: rejection is not an MxAuthError Error: %s", what, jsonOf(reason))
	}
	if got := reason.Get("code").String(); got != code {
		t.Errorf("%s: code %q (%s), want %q", what, got, reason.Get("message"), code)
	}
	return reason
}

func jsonOf(v js.Value) string { return js.Global().Get("JSON").Call("stringify", v).String() }

func obj(kv ...any) js.Value {
	o := js.Global().Get("Object").New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func memoryStorage() *store.Storage {
	return &store.Storage{Store: auth.NewMemoryStore(), Mode: store.StorageMemory}
}

// newTestAPI is an API object as the loader receives it.
func newTestAPI(t *testing.T, cfg config) (*api, js.Value) {
	if cfg.Storage == nil {
		cfg.Storage = memoryStorage()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	a := newAPI(cfg)
	t.Cleanup(a.release)
	return a, a.value()
}

// events records the listener calls of one event type.
type events struct {
	mu  sync.Mutex
	got []js.Value
	ch  chan js.Value
	fn  js.Func
}

func listen(t *testing.T, api js.Value, typ string) *events {
	e := &events{ch: make(chan js.Value, 16)}
	e.fn = js.FuncOf(func(_ js.Value, args []js.Value) any {
		e.mu.Lock()
		e.got = append(e.got, args[0])
		e.mu.Unlock()
		e.ch <- args[0]
		return nil
	})
	api.Call("addEventListener", typ, e.fn)
	t.Cleanup(func() {
		api.Call("removeEventListener", typ, e.fn)
		e.fn.Release()
	})
	return e
}

// next waits for the next event.
func (e *events) next(t *testing.T, what string) js.Value {
	t.Helper()
	select {
	case v := <-e.ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s event", what)
		return js.Undefined()
	}
}

// callbackURL follows the sandbox's auto-approving authorize endpoint with
// fetch redirect "manual": Node, unlike a browser, shows the Location.
func callbackURL(t *testing.T, authorize string) string {
	t.Helper()
	resp := must(t, "fetch authorize", js.Global().Call("fetch", authorize, obj("redirect", "manual")))
	loc := resp.Get("headers").Call("get", "location")
	if loc.Type() != js.TypeString || !strings.HasPrefix(loc.String(), testRedirect) {
		t.Fatalf("authorize answered %d with Location %s, want a redirect to %s", resp.Get("status").Int(), jsonOf(loc), testRedirect)
	}
	return loc.String()
}

func loginOpts(server any) js.Value {
	return obj("server", server, "redirectUri", testRedirect,
		"client", obj("name", "mxauth wasm test", "uri", testClientURI, "contacts", js.ValueOf([]any{"ops@app.example.org"})))
}

// issuedTokens lists every access and refresh token the sandbox issued
// so far (its control plane, /_sandbox/tokens).
func issuedTokens(t *testing.T, base string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := browser.Fetch(ctx, room.Request{URL: base + "/_sandbox/tokens"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("tokens: %v %v", resp, err)
	}
	var got sandbox.Issued
	if err := json.Unmarshal(resp.Body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Access) == 0 || len(got.Refresh) == 0 {
		t.Fatalf("the sandbox issued no tokens yet: %s", resp.Body)
	}
	return append(got.Access, got.Refresh...)
}

// noToken fails when JSON.stringify(v) holds any of tokens, or names a
// field a page must not get (CONTRACT.md Session: never a token).
func noToken(t *testing.T, what string, v js.Value, tokens []string) {
	t.Helper()
	j := jsonOf(v)
	for _, tok := range tokens {
		if strings.Contains(j, tok) {
			t.Errorf("%s holds the token %s…: %s", what, tok[:8], j)
		}
	}
	for _, field := range []string{"accessToken", "refreshToken", "tokenEndpoint", "revocationEndpoint"} {
		if strings.Contains(j, `"`+field+`"`) {
			t.Errorf("%s has the field %s: %s", what, field, j)
		}
	}
}

func TestHandshake(t *testing.T) {
	const name = "__mxauthTestReady"
	global := js.Global()
	var got js.Value
	calls := 0
	ready := js.FuncOf(func(_ js.Value, args []js.Value) any {
		calls++
		got = browser.Arg(args, 0)
		return nil
	})
	defer ready.Release()
	global.Set(name, ready)

	a, _ := newTestAPI(t, config{})
	if err := browser.Handshake(global, name, a.value()); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if calls != 1 {
		t.Fatalf("ready called %d times, want 1", calls)
	}
	for _, m := range []string{"discover", "startLogin", "completeLogin", "session", "accessToken", "logout",
		"accountUrl", "roomSummary", "roomBadge", "addEventListener", "removeEventListener"} {
		if got.Get(m).Type() != js.TypeFunction {
			t.Errorf("api.%s is %s, want a function", m, got.Get(m).Type())
		}
	}
	if got.Get("storage").String() != "memory" || !got.Get("storageWarning").IsNull() {
		t.Errorf("storage = %s, storageWarning = %s", jsonOf(got.Get("storage")), jsonOf(got.Get("storageWarning")))
	}
	if !global.Get(name).IsUndefined() {
		t.Error("the ready callback is still on globalThis")
	}
	if err := browser.Handshake(global, name, a.value()); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("got %v, want an error naming %s", err, name)
	}
}

// TestLogin is the whole life of a session through the JS API.
func TestLogin(t *testing.T) {
	base := sandboxURL(t)
	_, api := newTestAPI(t, config{})
	sessions := listen(t, api, "session")

	info := must(t, "discover", api.Call("discover", base))
	if info.Get("baseUrl").String() != base || info.Get("oauth").IsNull() {
		t.Fatalf("discover = %s", jsonOf(info))
	}
	// server as a ServerInfo object: no second discovery needed; the
	// page's state goes through the redirect beside the login.
	opts := loginOpts(info)
	opts.Set("state", obj("returnTo", "/rooms/42", "draft", js.ValueOf([]any{"hi", 1})))
	start := must(t, "startLogin", api.Call("startLogin", opts))
	authorize := start.Get("url").String()
	if !strings.Contains(authorize, "code_challenge=") {
		t.Fatalf("startLogin url = %s", authorize)
	}
	cb := callbackURL(t, authorize)

	done := must(t, "completeLogin", api.Call("completeLogin", cb))
	if st := done.Get("state"); jsonOf(st) != `{"returnTo":"/rooms/42","draft":["hi",1]}` {
		t.Errorf("completeLogin state = %s", jsonOf(st))
	}
	if strings.Contains(authorize, "rooms") {
		t.Errorf("the page's state travels in the authorization URL: %s", authorize)
	}
	s := done.Get("session")
	user := s.Get("userId").String()
	if !strings.HasPrefix(user, "@alice:") || s.Get("deviceId").String() == "" || s.Get("expiresAt").Int() == 0 ||
		!strings.HasPrefix(s.Get("accountUrl").String(), base) {
		t.Fatalf("session = %s", jsonOf(s))
	}
	if ev := sessions.next(t, "login session"); ev.Get("type").String() != "session" || ev.Get("detail").Get("userId").String() != user {
		t.Errorf("login event = %s", jsonOf(ev))
	}
	// A replayed callback URL finds no pending login.
	rejection(t, "completeLogin replay", api.Call("completeLogin", cb), "no_pending_login")

	got := must(t, "session", api.Call("session"))
	if got.Get("userId").String() != user || got.Get("deviceId").String() != s.Get("deviceId").String() {
		t.Errorf("session() = %s", jsonOf(got))
	}
	tok := must(t, "accessToken", api.Call("accessToken"))
	if !strings.HasPrefix(tok.String(), "mat_") {
		t.Errorf("accessToken() = %q, want the sandbox's access token", tok.String())
	}
	// Asking for more validity than the token has refreshes it.
	fresh := must(t, "accessToken refresh", api.Call("accessToken", obj("minValidityMs", 24*3600*1000)))
	if fresh.String() == "" || fresh.String() == tok.String() {
		t.Errorf("refresh gave %q (old %q), want a new token", fresh.String(), tok.String())
	}
	if ev := sessions.next(t, "refresh session"); ev.Get("detail").Get("expiresAt").Int() <= s.Get("expiresAt").Int() {
		t.Errorf("refresh event = %s, want a later expiresAt than %d", jsonOf(ev), s.Get("expiresAt").Int())
	}
	// Issue 12: what a page sees of a session holds no token: not the
	// one completeLogin resolved to, not session(), not any event.
	issued := issuedTokens(t, base)
	noToken(t, "completeLogin's session", s, issued)
	noToken(t, "session()", must(t, "session", api.Call("session")), issued)
	sessions.mu.Lock()
	for i, ev := range sessions.got {
		noToken(t, "session event "+strconv.Itoa(i), ev, issued)
	}
	sessions.mu.Unlock()

	acct := must(t, "accountUrl", api.Call("accountUrl", obj("action", "org.matrix.sessions_list")))
	if acct.Type() != js.TypeString || !strings.Contains(acct.String(), "action=") {
		t.Errorf("accountUrl = %s", jsonOf(acct))
	}

	// The private room is visible to alice only: the token went along.
	name := strings.TrimPrefix(base, "http://")
	sum := must(t, "roomSummary", api.Call("roomSummary", sandbox.RoomID(sandbox.RoomPrivate, name)))
	if sum.Get("roomId").String() != sandbox.RoomID(sandbox.RoomPrivate, name) {
		t.Errorf("roomSummary = %s", jsonOf(sum))
	}
	svg := must(t, "roomBadge", api.Call("roomBadge", sandbox.RoomID(sandbox.RoomPublic, name), obj("label", "chat")))
	if !strings.HasPrefix(svg.String(), "<svg") {
		t.Errorf("roomBadge = %.80s", svg.String())
	}

	if v := must(t, "logout", api.Call("logout")); !v.IsUndefined() {
		t.Errorf("logout resolved with %s, want undefined", jsonOf(v))
	}
	if ev := sessions.next(t, "logout session"); !ev.Get("detail").IsNull() {
		t.Errorf("logout event = %s", jsonOf(ev))
	}
	if got := must(t, "session after logout", api.Call("session")); !got.IsNull() {
		t.Errorf("session() after logout = %s", jsonOf(got))
	}
	if got := must(t, "accountUrl after logout", api.Call("accountUrl")); !got.IsNull() {
		t.Errorf("accountUrl() after logout = %s", jsonOf(got))
	}
	rejection(t, "accessToken after logout", api.Call("accessToken"), "session_expired")
	// Anonymous again: the private room is hidden.
	rejection(t, "private room after logout", api.Call("roomSummary", sandbox.RoomID(sandbox.RoomPrivate, name), obj("server", base)), "not_found")
}

func TestRejections(t *testing.T) {
	_, api := newTestAPI(t, config{})
	tests := []struct {
		name string
		call func() js.Value
		code string
	}{
		{"discover without input", func() js.Value { return api.Call("discover") }, "invalid_input"},
		{"discover a number", func() js.Value { return api.Call("discover", 42) }, "invalid_input"},
		{"startLogin without opts", func() js.Value { return api.Call("startLogin") }, "invalid_input"},
		{"startLogin server a number", func() js.Value { return api.Call("startLogin", obj("server", 7)) }, "invalid_input"},
		{"startLogin client uri http", func() js.Value {
			return api.Call("startLogin", obj("server", obj("serverName", "x"), "redirectUri", testRedirect, "client", obj("uri", "http://app.example.org/")))
		}, "invalid_input"},
		{"login in Node, which has no location", func() js.Value {
			return api.Call("login", obj("server", "127.0.0.1:9", "redirectUri", testRedirect, "client", obj("name", "T", "uri", "https://app.example.org/")))
		}, "invalid_input"},
		{"completeLogin in Node without url", func() js.Value { return api.Call("completeLogin") }, "invalid_input"},
		{"completeLogin unknown state", func() js.Value { return api.Call("completeLogin", testRedirect+"#code=c&state=nope") }, "no_pending_login"},
		{"accessToken signed out", func() js.Value { return api.Call("accessToken") }, "session_expired"},
		{"accessToken negative", func() js.Value { return api.Call("accessToken", obj("minValidityMs", -1)) }, "invalid_input"},
		{"roomSummary bad ref", func() js.Value { return api.Call("roomSummary", "not a room") }, "invalid_input"},
		{"roomSummary bad signal", func() js.Value { return api.Call("roomSummary", "!a:b", obj("signal", 1)) }, "invalid_input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, reason, rejected := settle(t, tt.call())
			if !rejected {
				t.Fatalf("resolved with %s", jsonOf(v))
			}
			if reason.Get("name").String() != "MxAuthError" || !reason.InstanceOf(js.Global().Get("Error")) {
				t.Errorf("not an MxAuthError: %s", jsonOf(reason))
			}
			// A ServerInfo without oauth may fail as oauth_unsupported
			// before the client check; both are input the page must fix.
			if got := reason.Get("code").String(); got != tt.code && !(tt.name == "startLogin client uri http" && (got == "registration_failed" || got == "oauth_unsupported")) {
				t.Errorf("code %q (%s), want %q", got, reason.Get("message"), tt.code)
			}
		})
	}
	if got := must(t, "session", api.Call("session")); !got.IsNull() {
		t.Errorf("session() = %s, want null", jsonOf(got))
	}
}

// TestMemoryFallback: Node has no IndexedDB, so the default storage falls
// back to memory and says so once per "storage" listener.
func TestMemoryFallback(t *testing.T) {
	st, err := store.OpenStorage(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != store.StorageMemory || st.Warning == nil || st.Tokens != nil || st.Sealer != nil {
		t.Fatalf("OpenStorage in Node: mode %q, warning %v", st.Mode, st.Warning)
	}
	var ae *auth.Error
	if !errors.As(st.Warning, &ae) || ae.Code != autherr.Storage {
		t.Errorf("warning = %v, want a storage error", st.Warning)
	}
	_, api := newTestAPI(t, config{Storage: st})
	if api.Get("storage").String() != "memory" || api.Get("storageWarning").Get("code").String() != "storage" {
		t.Errorf("storage %s, storageWarning %s", jsonOf(api.Get("storage")), jsonOf(api.Get("storageWarning")))
	}
	e := listen(t, api, "storage")
	ev := e.next(t, "storage")
	if ev.Get("type").String() != "storage" || ev.Get("detail").Get("code").String() != "storage" ||
		ev.Get("detail").Get("details").Get("fallback").String() != "memory" {
		t.Errorf("storage event = %s", jsonOf(ev))
	}
	select {
	case v := <-e.ch:
		t.Errorf("a second storage event: %s", jsonOf(v))
	case <-time.After(100 * time.Millisecond):
	}

	if st, err := store.OpenStorage(context.Background(), "memory"); err != nil || st.Warning != nil || st.Mode != "memory" {
		t.Errorf("OpenStorage(memory) = %+v, %v", st, err)
	}
	if _, err := store.OpenStorage(context.Background(), "localStorage"); err == nil {
		t.Error("OpenStorage(localStorage) did not fail")
	}
}

// TestTabs runs two "tabs" over one backing store (IndexedDB's stand-in),
// one BroadcastChannel name and one lock: a login, a refresh and a logout
// in one reach the other.
func TestTabs(t *testing.T) {
	base := sandboxURL(t)
	backing, sealer, locker := auth.NewMemoryStore(), storetest.NewSealer(t, nil), &auth.MutexLocker{}
	channel := "mxauth-test-" + time.Now().Format("150405.000000")
	tab := func() js.Value {
		st := &store.Storage{Store: backing, Mode: store.StorageIndexedDB, Sealer: sealer, Tokens: &store.Tokens{}}
		_, api := newTestAPI(t, config{Storage: st, Locker: locker, Channel: channel})
		return api
	}
	one, two := tab(), tab()
	seen := listen(t, two, "session")

	start := must(t, "startLogin", one.Call("startLogin", loginOpts(base)))
	done := must(t, "completeLogin", one.Call("completeLogin", callbackURL(t, start.Get("url").String())))
	if !done.Get("state").IsNull() {
		t.Errorf("completeLogin without state: state = %s, want null", jsonOf(done.Get("state")))
	}
	s := done.Get("session")

	ev := seen.next(t, "login in the other tab")
	if ev.Get("detail").Get("userId").String() != s.Get("userId").String() {
		t.Errorf("tab two's login event = %s", jsonOf(ev))
	}
	// Tab two got the access token by broadcast: no refresh needed.
	first := must(t, "tab one accessToken", one.Call("accessToken")).String()
	if tok := must(t, "tab two accessToken", two.Call("accessToken")); tok.String() != first {
		t.Errorf("tab two's token %q, want tab one's %q", tok.String(), first)
	}
	// No token is anywhere in the backing store in plain text.
	issued := issuedTokens(t, base)
	keys, _ := backing.Keys(context.Background(), "")
	for _, k := range keys {
		v, _ := backing.Get(context.Background(), k)
		for _, tok := range issued {
			if strings.Contains(string(v), tok) {
				t.Errorf("store key %s holds a token in plain text", k)
			}
		}
	}

	// A refresh in tab one: tab two hears of the rotated token and uses it.
	fresh := must(t, "tab one refresh", one.Call("accessToken", obj("minValidityMs", 24*3600*1000))).String()
	for {
		ev = seen.next(t, "refresh in the other tab")
		if d := ev.Get("detail"); !d.IsNull() && d.Get("expiresAt").Int() > s.Get("expiresAt").Int() {
			break
		}
	}
	issued = issuedTokens(t, base)
	seen.mu.Lock()
	for i, ev := range seen.got {
		noToken(t, "tab two's session event "+strconv.Itoa(i), ev, issued)
	}
	seen.mu.Unlock()
	if tok := must(t, "tab two accessToken after refresh", two.Call("accessToken")); tok.String() != fresh {
		t.Errorf("tab two's token %q, want the rotated %q", tok.String(), fresh)
	}

	must(t, "logout in tab one", one.Call("logout"))
	for {
		ev = seen.next(t, "logout in the other tab")
		if ev.Get("detail").IsNull() {
			break
		}
	}
	if got := must(t, "tab two session", two.Call("session")); !got.IsNull() {
		t.Errorf("tab two still has %s", jsonOf(got))
	}
}

// control sends a request to the sandbox's control plane.
func control(t *testing.T, base, method, path string, body any) []byte {
	t.Helper()
	req := room.Request{Method: method, URL: base + "/_sandbox/" + path}
	if body != nil {
		b, _ := json.Marshal(body)
		req.Body, req.Header = b, map[string]string{"Content-Type": "application/json"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := browser.Fetch(ctx, req)
	if err != nil || resp.Status != 200 {
		t.Fatalf("control %s %s: %v %v", method, path, resp, err)
	}
	return resp.Body
}

// TestRedirectedSecrets (issue 12): a token endpoint that answers a refresh
// with a 307, and a revocation endpoint that answers logout with one, get
// a network error with reason redirect_refused; nothing reaches the
// redirect's target. The refresh keeps the session; logout still forgets
// it and says the revocation failed.
func TestRedirectedSecrets(t *testing.T) {
	base := sandboxURL(t)
	_, api := newTestAPI(t, config{})
	info := must(t, "discover", api.Call("discover", base))
	start := must(t, "startLogin", api.Call("startLogin", loginOpts(info)))
	must(t, "completeLogin", api.Call("completeLogin", callbackURL(t, start.Get("url").String())))
	path := func(endpoint string) string {
		u := info.Get("oauth").Get(endpoint).String()
		return strings.TrimPrefix(u, base)
	}
	t.Cleanup(func() { control(t, base, "DELETE", "faults", nil) })
	control(t, base, "DELETE", "log", nil)

	control(t, base, "POST", "faults", map[string]any{"path": path("tokenEndpoint"), "method": "POST", "redirect": base + "/stolen/token"})
	e := rejection(t, "refresh redirected", api.Call("accessToken", obj("minValidityMs", 24*3600*1000)), "network")
	if e.Get("details").Get("reason").String() != "redirect_refused" {
		t.Errorf("refresh redirected: details %s, want reason redirect_refused", jsonOf(e.Get("details")))
	}
	if s := must(t, "session after the refused refresh", api.Call("session")); s.IsNull() {
		t.Errorf("a refused redirect ended the session")
	}

	control(t, base, "DELETE", "faults", nil)
	control(t, base, "POST", "faults", map[string]any{"path": path("revocationEndpoint"), "method": "POST", "redirect": base + "/stolen/revoke"})
	e = rejection(t, "logout redirected", api.Call("logout"), "network")
	d := e.Get("details")
	if d.Get("reason").String() != "redirect_refused" || d.Get("sessionForgotten").String() != "true" || d.Get("refreshToken").String() != "failed" {
		t.Errorf("logout redirected: details %s, want reason redirect_refused, sessionForgotten, refreshToken failed", jsonOf(d))
	}
	if s := must(t, "session after logout", api.Call("session")); !s.IsNull() {
		t.Errorf("session() after logout = %s", jsonOf(s))
	}

	var log []sandbox.Request
	if err := json.Unmarshal(control(t, base, "GET", "log", nil), &log); err != nil {
		t.Fatal(err)
	}
	posts := map[string]int{}
	for _, r := range log {
		if strings.HasPrefix(r.Path, "/stolen/") {
			t.Errorf("the redirect's target got %s %s", r.Method, r.Path)
		}
		if r.Method == "POST" {
			posts[r.Path]++
		}
	}
	// One refresh POST: a refused redirect is not retried.
	if posts[path("tokenEndpoint")] != 1 {
		t.Errorf("token endpoint POSTs %d, want 1 (log %v)", posts[path("tokenEndpoint")], posts)
	}
}

// countingStore counts Gets: each is an IndexedDB read in the browser.
type countingStore struct {
	auth.Store
	mu   sync.Mutex
	gets int
}

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Store.Get(ctx, key)
}

func (c *countingStore) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets
}

// TestAccessTokenUnchanged: a call that hands out the same token as the
// last one reads no session for an event (issue 11: every read is an
// IndexedDB round trip); a refresh still announces the new session.
func TestAccessTokenUnchanged(t *testing.T) {
	base := sandboxURL(t)
	cs := &countingStore{Store: auth.NewMemoryStore()}
	_, api := newTestAPI(t, config{Storage: &store.Storage{Store: cs, Mode: store.StorageMemory}})
	start := must(t, "startLogin", api.Call("startLogin", loginOpts(base)))
	must(t, "completeLogin", api.Call("completeLogin", callbackURL(t, start.Get("url").String())))
	sessions := listen(t, api, "session")

	reads := func(what string, args ...any) (string, int) {
		before := cs.count()
		tok := must(t, what, api.Call("accessToken", args...)).String()
		return tok, cs.count() - before
	}
	first, n1 := reads("accessToken")
	second, n2 := reads("accessToken again")
	if second != first {
		t.Fatalf("the token changed between two calls without a refresh")
	}
	if n2 >= n1 {
		t.Errorf("the call with the same token read the store %d times, the first %d: want fewer", n2, n1)
	}
	select {
	case v := <-sessions.ch:
		t.Errorf("a session event without a change: %s", jsonOf(v))
	case <-time.After(100 * time.Millisecond):
	}
	fresh, _ := reads("accessToken refresh", obj("minValidityMs", 24*3600*1000))
	if fresh == first {
		t.Fatal("no refresh")
	}
	if ev := sessions.next(t, "refresh"); ev.Get("detail").Get("userId").String() == "" {
		t.Errorf("refresh event = %s", jsonOf(ev))
	}
}
