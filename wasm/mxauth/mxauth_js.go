//go:build js && wasm

// Command mxauth is the main of mxauth.wasm, the small build (DESIGN.md,
// "The WASM builds, on purpose"): everything a signed-out page needs —
// discovery, the start of a login, room previews, who is signed in — on
// auth/signin and auth/room over the page's fetch. It links no net/http,
// x/oauth2 or go-oidc (a guard test proves it). The session build
// (wasm/session, session.wasm) serves what needs them: completeLogin,
// accessToken, logout, accountUrl. Both read and write the same Store
// records, so a login this build starts completes there.
//
// # Handshake with the loader
//
// As in session.wasm: the loader names a ready callback on globalThis
// before it runs the program; Go calls it once with the API object and
// deletes the property:
//
//	const api = await new Promise((ready, fail) => {
//	  globalThis.__mxauthReady = ready;
//	  go.env = { MXAUTH_STORAGE: "indexeddb", MXAUTH_TIMEOUT_MS: "15000" };
//	  go.run(instance).then(() => fail(new Error("mxauth.wasm exited")));
//	});
//
// The default name is __mxauthReady; MXAUTH_READY picks another.
// MXAUTH_STORAGE is "indexeddb" (default) or "memory"; MXAUTH_TIMEOUT_MS
// the per-request timeout (default 15000). When the callback is missing,
// or MXAUTH_STORAGE is not one of the two, the program writes why to
// console.error and exits with status 1.
//
// The storage (IndexedDB and the WebCrypto key) is opened by the first
// method that needs it (discover, startLogin, login, session), not before
// the program is ready: a page with only room cards never opens it.
//
// # The API object
//
// Every method returns a Promise that rejects with an MxAuthError:
//
//	discover(input, {signal}?)                 → ServerInfo
//	startLogin(opts)                           → {url}
//	login(opts)                                → (the page leaves)
//	session()                                  → Session | null  (never a token)
//	roomSummary(room, {server, via, signal}?)  → RoomSummary
//	roomBadge(room, {label, style, server, via, signal}?) → string (SVG)
//	addEventListener(type, fn), removeEventListener(type, fn)
//
// and two plain properties, set when the storage opens: storage, the
// storage really in use ("indexeddb" or "memory"; before it opens, the one
// asked for), and storageWarning, the MxAuthError (code storage) that
// explains a fallback to memory, or null.
//
// Listeners are called with one object {type, detail}: "session" (detail
// Session | null, after another tab signed in, refreshed or signed out),
// "error" (a change announced by another tab that could not be read) and
// "storage" (IndexedDB was asked for and memory is used; sent once to each
// "storage" listener, also to those added after the fact). Rooms are asked
// anonymously: this build holds no token.
package main

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"syscall/js"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// readyDefault is the global the loader sets before go.run.
const readyDefault = "__mxauthReady"

// channelName is the BroadcastChannel of the tabs of an origin; the
// session build announces its session changes there.
const channelName = "mxauth"

func main() {
	fail := func(msg string) {
		js.Global().Get("console").Call("error", "mxauth: "+msg)
		os.Exit(1)
	}
	mode := os.Getenv("MXAUTH_STORAGE")
	switch mode {
	case "", store.StorageIndexedDB, store.StorageMemory:
	default:
		fail(autherr.New(autherr.InvalidInput, "storage", "storage must be %q or %q, not %q", store.StorageIndexedDB, store.StorageMemory, mode).Error())
	}
	a := newAPI(config{
		Timeout: browser.TimeoutFromEnv(),
		Open:    func(ctx context.Context) (*store.Storage, error) { return store.OpenStorage(ctx, mode) },
		Mode:    mode,
		Channel: channelName,
	})
	if err := browser.Handshake(js.Global(), browser.ReadyName(readyDefault), a.value()); err != nil {
		a.release()
		fail(err.Error())
	}
	select {}
}

// config is what one API instance is made of.
type config struct {
	Timeout time.Duration
	// Open opens the storage; called once, by the first method that needs
	// it.
	Open func(context.Context) (*store.Storage, error)
	// Mode is the storage asked for ("" means indexeddb), the storage
	// property until Open has run.
	Mode string
	// Channel is the BroadcastChannel name; empty means none. It is used
	// only when the storage is persistent (shared between tabs).
	Channel string
}

// api is one instance's JS API.
type api struct {
	cfg   config
	rooms *room.Client
	funcs browser.Funcs
	lis   browser.Listeners
	obj   js.Value

	openOnce sync.Once
	storage  *store.Storage
	openErr  error
	client   *signin.Client
	channel  *store.Channel

	mu          sync.Mutex
	lastSession string // JSON of the session last announced, "" before any
}

func newAPI(cfg config) *api {
	resolver := &browser.Resolver{Fetch: browser.Fetch, Timeout: cfg.Timeout}
	return &api{cfg: cfg, rooms: &room.Client{Fetch: browser.Fetch, Timeout: cfg.Timeout, Resolve: resolver.Resolve}}
}

// open opens the storage once and makes the sign-in client on it.
func (a *api) open(ctx context.Context) (*signin.Client, error) {
	a.openOnce.Do(func() {
		// The open outlives the first caller's cancellation: it is shared.
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		st, err := a.cfg.Open(octx)
		if err != nil {
			a.openErr = err
			return
		}
		a.storage = st
		a.client = &signin.Client{Fetch: browser.Fetch, Store: st.Store, Sealer: st.Sealer, Timeout: a.cfg.Timeout, Rand: browser.Random}
		a.obj.Set("storage", st.Mode)
		if st.Warning != nil {
			a.obj.Set("storageWarning", browser.ErrorValue(st.Warning))
			a.lis.Dispatch(eventStorage, browser.ErrorValue(st.Warning))
		}
		if st.Tokens != nil && a.cfg.Channel != "" {
			a.channel = store.OpenChannel(a.cfg.Channel, a.remoteChange)
		}
		// The state at open is what later changes are compared with.
		if s, err := a.client.StoredSession(octx); err == nil {
			a.lastSession = sessionJSON(s)
		}
	})
	return a.client, a.openErr
}

// value builds the JS object handed to the loader.
func (a *api) value() js.Value {
	obj := js.Global().Get("Object").New()
	a.obj = obj
	a.funcs.SignInMethods(obj, func(ctx context.Context) (browser.SignIn, error) { return a.open(ctx) })
	a.funcs.Method(obj, "session", a.session)
	a.funcs.RoomMethods(obj, a.summarize)
	a.funcs.Sync(obj, "addEventListener", a.addEventListener)
	a.funcs.Sync(obj, "removeEventListener", a.lis.Remove)
	mode := a.cfg.Mode
	if mode == "" {
		mode = store.StorageIndexedDB
	}
	obj.Set("storage", mode)
	obj.Set("storageWarning", js.Null())
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

// session() → Session | null, read from the Store without its tokens.
func (a *api) session(args []js.Value) (js.Value, browser.Work) {
	return browser.None(func(ctx context.Context) (any, error) {
		c, err := a.open(ctx)
		if err != nil {
			return nil, err
		}
		s, err := c.StoredSession(ctx)
		if err != nil || s == nil {
			return nil, err
		}
		return s, nil
	})
}

// summarize asks the room's server, anonymously: this build holds no token.
func (a *api) summarize(ctx context.Context, ref room.Ref, opts *browser.RoomOptions) (*room.Summary, error) {
	return a.rooms.Summary(ctx, ref, room.Options{Server: opts.Server, Via: opts.Via})
}

// Event types.
const (
	eventSession = "session"
	eventError   = "error"
	eventStorage = "storage"
)

// addEventListener(type, fn). A "storage" listener gets the fallback
// warning at once (asynchronously) when there was one.
func (a *api) addEventListener(args []js.Value) {
	typ, fn, added := a.lis.Add(args)
	if added && typ == eventStorage && a.storage != nil && a.storage.Warning != nil {
		go browser.CallListener(fn, browser.Event(eventStorage, browser.ErrorValue(a.storage.Warning)))
	}
}

// sessionJSON is the comparable form of a session (or none).
func sessionJSON(s *signin.StoredSession) string {
	if s == nil {
		return "null"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// remoteChange follows another tab's announcement: listeners hear of the
// new state when the stored session changed.
func (a *api) remoteChange(store.Change) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := a.client.StoredSession(ctx)
	if err != nil {
		a.lis.Dispatch(eventError, browser.ErrorValue(err))
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
		v, err := browser.ToJS(s)
		if err != nil {
			return
		}
		detail = v
	}
	a.lis.Dispatch(eventSession, detail)
}
