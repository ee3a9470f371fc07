//go:build js && wasm

// Command session is the main of session.wasm, the session build
// (DESIGN.md, "The WASM builds, on purpose"): package auth over the page's
// fetch (x/oauth2 for the code exchange and refresh, go-oidc for the ID
// token), sessions in IndexedDB, Web Locks and a BroadcastChannel across
// tabs, and the whole JS API of CONTRACT.md §1: what the small mxauth.wasm
// (wasm/mxauth) serves, on the same Store records, and completeLogin,
// accessToken, logout, accountUrl. No go-app (a guard test proves it).
//
// # Handshake with the loader
//
// As in mxauth.wasm: the loader names a ready callback on globalThis
// before it runs the program; Go opens the storage, calls it once with the
// API object and deletes the property:
//
//	const api = await new Promise((ready, fail) => {
//	  globalThis.__mxauthReady = ready;
//	  go.env = { MXAUTH_STORAGE: "indexeddb", MXAUTH_TIMEOUT_MS: "15000" };
//	  go.run(instance).then(() => fail(new Error("session.wasm exited")));
//	});
//
// The default name is __mxauthReady; MXAUTH_READY picks another.
// MXAUTH_STORAGE is "indexeddb" (default) or "memory" (load()'s storage);
// MXAUTH_TIMEOUT_MS the per-request timeout (default 15000). When the
// callback is missing, or MXAUTH_STORAGE is not one of the two, the program
// writes why to console.error and exits with status 1.
//
// # The API object
//
// Every method returns a Promise that rejects with an MxAuthError:
//
//	discover(input, {signal}?)                 → ServerInfo
//	startLogin(opts)                           → {url}
//	completeLogin(url?)                        → {session, state} (default location.href)
//	session()                                  → Session | null
//
// A Session here is auth.Session.View(): no access or refresh token, no token or
// revocation endpoint (accessToken() is the one way to a token).
//
//	accessToken({minValidityMs}?)              → string
//	logout()                                   → undefined
//	accountUrl({action, deviceId}?)            → string | null
//	startDeviceLogin(opts)                     → {userCode, verificationUri, verificationUriComplete, expiresAt, intervalMs, qrSvg, handle}
//	waitDeviceLogin(handle, {signal}?)         → Session
//	roomSummary(room, {server, via, signal}?)  → RoomSummary
//	roomBadge(room, {label, style, server, via, signal}?) → string (SVG)
//	thumbnail(mxc, {width, height, server}?)   → Blob | null
//	addEventListener(type, fn), removeEventListener(type, fn)
//
// thumbnail fetches an avatar through the session's homeserver with its
// token (authenticated media) and resolves to a Blob of the image, for
// URL.createObjectURL: the token stays in Go, never in an <img src>. It
// resolves to null when nobody is signed in or server names another
// homeserver than the session's (the token goes only there).
//
// and two plain properties: storage, the storage really in use
// ("indexeddb" or "memory"), and storageWarning, the MxAuthError (code
// storage) that explains a fallback to memory, or null.
//
// Listeners are called with one object {type, detail}:
//
//	"session"  detail: Session | null — after a login, refresh or logout in
//	           this tab or another one (only when the session changed)
//	"error"    detail: MxAuthError — a failure outside any call (a change
//	           announced by another tab that could not be read)
//	"storage"  detail: MxAuthError — IndexedDB was asked for and memory is
//	           used; sent once to each "storage" listener, also to those
//	           added after the fact
//
// completeLogin, when given the page's own address (or nothing), removes
// code, state and iss from the address bar with history.replaceState: after
// a sign-in, and after a failure no retry can mend (no_pending_login,
// state_mismatch, authorization_denied).
// roomSummary and roomBadge send the session's access token only to the
// session's own homeserver, which they then ask (it federates); a room
// asked of another server goes anonymously.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser"
	"github.com/mxauth/mxauth/wasm/browser/fetchhttp"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// readyDefault is the global the loader sets before go.run.
const readyDefault = "__mxauthReady"

// channelName is the BroadcastChannel of the tabs of an origin.
const channelName = "mxauth"

// handoffWait bounds how long a tab waits for another tab's announcement
// of the tokens it just rotated (store.Tokens.HandoffWait).
const handoffWait = 2 * time.Second

func main() {
	fail := func(msg string) {
		js.Global().Get("console").Call("error", "mxauth: "+msg)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	st, err := store.OpenStorage(ctx, os.Getenv("MXAUTH_STORAGE"))
	cancel()
	if err != nil {
		fail(err.Error())
	}
	a := newAPI(config{Timeout: browser.TimeoutFromEnv(), Storage: st, Locker: store.NewLocker(), Channel: channelName})
	if err := browser.Handshake(js.Global(), browser.ReadyName(readyDefault), a.value()); err != nil {
		a.release()
		fail(err.Error())
	}
	select {}
}

// config is what one API instance is made of; tests make two "tabs" over
// one backing store.
type config struct {
	Timeout time.Duration
	Storage *store.Storage
	Locker  auth.Locker
	// Channel is the BroadcastChannel name; empty means none. It is used
	// only when Storage.Tokens is set (persistent storage is shared
	// between tabs; memory is not).
	Channel string
}

// api is one instance's JS API.
type api struct {
	client  *auth.Client
	anon    *room.Client // rooms asked anonymously
	authed  *room.Client // rooms asked of the session's homeserver with its token
	storage *store.Storage
	channel *store.Channel
	funcs   browser.Funcs
	lis     browser.Listeners

	devices devices // started device logins, by handle

	mu          sync.Mutex
	lastSession string // JSON of the session last announced, "" before any
	lastToken   string // signin.Fingerprint of the token accessToken handed out last
}

func newAPI(cfg config) *api {
	a := &api{storage: cfg.Storage}
	a.client = &auth.Client{
		HTTPClient: &http.Client{Transport: fetchhttp.Transport{}},
		Store:      cfg.Storage.Store,
		Sealer:     cfg.Storage.Sealer,
		Timeout:    cfg.Timeout,
		Locker:     cfg.Locker,
	}
	if cfg.Storage.Tokens != nil {
		a.client.AccessTokens = cfg.Storage.Tokens
	}
	resolver := &browser.Resolver{Fetch: browser.Fetch, Timeout: cfg.Timeout}
	a.anon = &room.Client{Fetch: browser.Fetch, Timeout: cfg.Timeout, Resolve: resolver.Resolve}
	a.authed = &room.Client{Fetch: browser.Fetch, Timeout: cfg.Timeout, Resolve: resolver.Resolve,
		AccessToken: func(ctx context.Context) (string, error) {
			tok, err := a.client.AccessToken(ctx, 0)
			if err != nil {
				return "", nil // an ended session previews anonymously
			}
			return tok, nil
		}}
	if cfg.Storage.Tokens != nil && cfg.Channel != "" {
		a.channel = store.OpenChannel(cfg.Channel, a.remoteChange)
		if a.channel != nil {
			cfg.Storage.Tokens.OnChange = a.channel.Post
			cfg.Storage.Tokens.HandoffWait = handoffWait
		}
	}
	// The state at start is what later changes are compared with.
	if s, err := a.client.Session(context.Background()); err == nil {
		a.lastSession = sessionJSON(s)
	}
	return a
}

// value builds the JS object handed to the loader.
func (a *api) value() js.Value {
	obj := js.Global().Get("Object").New()
	a.funcs.SignInMethods(obj, func(context.Context) (browser.SignIn, error) { return a.client, nil })
	a.funcs.Method(obj, "completeLogin", a.completeLogin)
	a.funcs.Method(obj, "session", a.session)
	a.funcs.Method(obj, "accessToken", a.accessToken)
	a.funcs.Method(obj, "logout", a.logout)
	a.funcs.Method(obj, "accountUrl", a.accountURL)
	a.funcs.Method(obj, "startDeviceLogin", a.startDeviceLogin)
	a.funcs.Method(obj, "waitDeviceLogin", a.waitDeviceLogin)
	a.funcs.Method(obj, "thumbnail", a.thumbnail)
	a.funcs.RoomMethods(obj, a.summarize)
	a.funcs.Sync(obj, "addEventListener", a.addEventListener)
	a.funcs.Sync(obj, "removeEventListener", a.lis.Remove)
	obj.Set("storage", a.storage.Mode)
	if a.storage.Warning != nil {
		obj.Set("storageWarning", browser.ErrorValue(a.storage.Warning))
	} else {
		obj.Set("storageWarning", js.Null())
	}
	return obj
}

// release frees the methods' js.Funcs and closes the channel. Only a
// program that ends calls it (a failed handshake, tests).
func (a *api) release() {
	a.funcs.Release()
	if a.channel != nil {
		a.channel.Close()
		a.channel = nil
	}
	a.lis.Clear()
}

// completion is what completeLogin resolves to: the session and the
// state login({state}) carried (null when none).
type completion struct {
	Session *signin.StoredSession `json:"session"`
	State   json.RawMessage       `json:"state"`
}

// completeLogin(url?) → {session, state}
func (a *api) completeLogin(args []js.Value) (js.Value, browser.Work) {
	href := browser.LocationHref()
	u := href
	if v := browser.Arg(args, 0); !v.IsUndefined() && !v.IsNull() {
		s, err := browser.StringArg(args, 0, "url")
		if err != nil {
			return browser.None(browser.Fail(err))
		}
		u = s
	}
	if u == "" {
		return browser.None(browser.Fail(autherr.New(autherr.InvalidInput, "complete login", "no url given and the page has no location")))
	}
	return browser.None(func(ctx context.Context) (any, error) {
		s, state, err := a.client.CompleteLoginWithState(ctx, u)
		if href != "" && u == href && (err == nil || spent(err)) {
			replaceAddress(href)
		}
		if err != nil {
			return nil, err
		}
		a.notify(ctx)
		return completion{Session: s.View(), State: state}, nil
	})
}

// spent says whether a failed completeLogin's answer can never succeed
// later (replayed, foreign or refused): then it leaves the address bar
// too, so a reload does not repeat the failure. After a network error the
// answer stays, to try again.
func spent(err error) bool {
	switch autherr.CodeOf(err) {
	case autherr.NoPendingLogin, autherr.StateMismatch, autherr.AuthorizationDenied:
		return true
	}
	return false
}

// replaceAddress removes the spent authorization response from the address
// bar, keeping history.state and adding no history entry.
func replaceAddress(href string) {
	h := js.Global().Get("history")
	if h.Type() != js.TypeObject || h.Get("replaceState").Type() != js.TypeFunction {
		return
	}
	clean := browser.CleanCallbackURL(href)
	if clean == href {
		return
	}
	defer func() { recover() }() // a sandboxed frame may refuse; the login stands
	h.Call("replaceState", h.Get("state"), "", clean)
}

// session() → Session | null
func (a *api) session(args []js.Value) (js.Value, browser.Work) {
	return browser.None(func(ctx context.Context) (any, error) {
		s, err := a.client.Session(ctx)
		if err != nil || s == nil {
			return nil, err
		}
		return s.View(), nil
	})
}

// accessToken({minValidityMs}?) → string
func (a *api) accessToken(args []js.Value) (js.Value, browser.Work) {
	var o struct {
		MinValidityMs *float64 `json:"minValidityMs"`
	}
	if err := browser.FromJS(browser.Arg(args, 0), &o); err != nil {
		return browser.None(browser.Fail(err))
	}
	var min time.Duration
	if o.MinValidityMs != nil {
		if *o.MinValidityMs < 0 {
			return browser.None(browser.Fail(autherr.New(autherr.InvalidInput, "access token", "minValidityMs must not be negative")))
		}
		min = time.Duration(*o.MinValidityMs * float64(time.Millisecond))
		if min == 0 {
			min = time.Nanosecond // 0 asks for any valid token, not the default
		}
	}
	return browser.None(func(ctx context.Context) (any, error) {
		tok, err := a.client.AccessToken(ctx, min)
		// A refresh or an ended session changes what session() says. The
		// token this instance handed out last means neither, and reading
		// the session again would cost IndexedDB reads on every call
		// (another tab's change arrives through remoteChange).
		if err != nil || a.newToken(tok) {
			a.notify(ctx)
		}
		if err != nil {
			return nil, err
		}
		return tok, nil
	})
}

// newToken says whether tok differs from the token accessToken handed out
// last, and remembers it (as a fingerprint: no further copy of the secret).
func (a *api) newToken(tok string) bool {
	h := signin.Fingerprint(tok)
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := h != a.lastToken
	a.lastToken = h
	return changed
}

// logout() → undefined
func (a *api) logout(args []js.Value) (js.Value, browser.Work) {
	return browser.None(func(ctx context.Context) (any, error) {
		err := a.client.Logout(ctx, nil)
		a.notify(ctx)
		if err != nil {
			return nil, err
		}
		return js.Undefined(), nil
	})
}

// accountUrl({action, deviceId}?) → string | null
func (a *api) accountURL(args []js.Value) (js.Value, browser.Work) {
	var o struct {
		Action   string `json:"action"`
		DeviceID string `json:"deviceId"`
	}
	if err := browser.FromJS(browser.Arg(args, 0), &o); err != nil {
		return browser.None(browser.Fail(err))
	}
	return browser.None(func(ctx context.Context) (any, error) {
		u, err := a.client.AccountURL(ctx, auth.AccountAction(o.Action), o.DeviceID)
		if err != nil || u == "" {
			return nil, err
		}
		return u, nil
	})
}

// summarize asks for a room's summary: with the session's token when the
// room is asked of the session's own homeserver, anonymously otherwise.
func (a *api) summarize(ctx context.Context, ref room.Ref, opts *browser.RoomOptions) (*room.Summary, error) {
	c, ro := a.anon, room.Options{Server: opts.Server, Via: opts.Via}
	// The token goes only to the session's own homeserver.
	if s, _ := a.client.Session(ctx); s != nil {
		server := strings.TrimRight(opts.Server, "/")
		if server == "" || server == s.ServerName || server == s.BaseURL {
			c, ro.Server = a.authed, s.BaseURL
		}
	}
	return c.Summary(ctx, ref, ro)
}

// Event types.
const (
	eventSession = "session"
	eventError   = "error"
	eventStorage = "storage"
)

// addEventListener(type, fn): fn is kept (a JS function, no js.Func is
// made for it) until removeEventListener. Adding the same fn twice keeps
// one, as the DOM does. A "storage" listener gets the fallback warning at
// once (asynchronously) when there was one.
func (a *api) addEventListener(args []js.Value) {
	typ, fn, added := a.lis.Add(args)
	if added && typ == eventStorage && a.storage.Warning != nil {
		go browser.CallListener(fn, browser.Event(eventStorage, browser.ErrorValue(a.storage.Warning)))
	}
}

// sessionJSON is the comparable form of a session (or none). It is the
// whole auth.Session, tokens included, so a refresh is a change; it never
// leaves Go.
func sessionJSON(s *auth.Session) string {
	if s == nil {
		return "null"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// notify reads the current session and sends a "session" event when it
// differs from the last one announced.
func (a *api) notify(ctx context.Context) {
	s, err := a.client.Session(context.WithoutCancel(ctx))
	if err != nil {
		return
	}
	j := sessionJSON(s)
	a.mu.Lock()
	same := j == a.lastSession
	a.lastSession = j
	a.mu.Unlock()
	if same {
		return
	}
	detail := js.Null()
	if s != nil {
		v, err := browser.ToJS(s.View())
		if err != nil {
			return
		}
		detail = v
	}
	a.lis.Dispatch(eventSession, detail)
}

// remoteChange applies another tab's announcement: the access token it
// got goes into memory, then listeners hear of the new state.
func (a *api) remoteChange(c store.Change) {
	if a.storage.Tokens == nil {
		return
	}
	a.storage.Tokens.Remember(c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.client.Session(ctx); err != nil {
		a.lis.Dispatch(eventError, browser.ErrorValue(err))
		return
	}
	a.notify(ctx)
}
