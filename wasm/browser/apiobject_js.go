//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Work is a method's asynchronous part, run under the Promise bridge.
type Work = func(context.Context) (any, error)

// Method reads a method's arguments synchronously (so a page that changes
// its options object after the call does not change the call) and returns
// the AbortSignal, or undefined, and the work.
type Method = func(args []js.Value) (signal js.Value, work Work)

// Funcs holds the js.Funcs of one API object, so that a program that ends
// (a failed handshake, tests) can release them.
type Funcs struct{ funcs []js.Func }

// Method sets obj[name] to a function returning a Promise of fn's work.
func (f *Funcs) Method(obj js.Value, name string, fn Method) {
	jf := js.FuncOf(func(_ js.Value, args []js.Value) any {
		signal, work := fn(args)
		return PromiseSignal(signal, work)
	})
	f.funcs = append(f.funcs, jf)
	obj.Set(name, jf)
}

// Sync sets obj[name] to a plain function (no Promise).
func (f *Funcs) Sync(obj js.Value, name string, fn func(args []js.Value)) {
	jf := js.FuncOf(func(_ js.Value, args []js.Value) any {
		fn(args)
		return js.Undefined()
	})
	f.funcs = append(f.funcs, jf)
	obj.Set(name, jf)
}

// Release frees the functions; after it they must not be called.
func (f *Funcs) Release() {
	for _, jf := range f.funcs {
		jf.Release()
	}
	f.funcs = nil
}

// None is a method without an AbortSignal.
func None(work Work) (js.Value, Work) { return js.Undefined(), work }

// Fail is work that fails with err, for arguments refused before any work.
func Fail(err error) Work {
	return func(context.Context) (any, error) { return nil, err }
}

// Listeners are the event listeners of one API object
// (addEventListener/removeEventListener), called with {type, detail}.
type Listeners struct {
	mu sync.Mutex
	m  map[string][]js.Value
}

// Add keeps fn for typ until Remove; adding the same fn twice keeps one,
// as the DOM does. It reports the type and function added, and false for
// arguments that are not (string, function) or a function already there.
func (l *Listeners) Add(args []js.Value) (typ string, fn js.Value, added bool) {
	t, f := Arg(args, 0), Arg(args, 1)
	if t.Type() != js.TypeString || f.Type() != js.TypeFunction {
		return "", js.Undefined(), false
	}
	typ = t.String()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.m[typ] {
		if g.Equal(f) {
			return typ, f, false
		}
	}
	if l.m == nil {
		l.m = map[string][]js.Value{}
	}
	l.m[typ] = append(l.m[typ], f)
	return typ, f, true
}

// Remove forgets (type, fn).
func (l *Listeners) Remove(args []js.Value) {
	t, f := Arg(args, 0), Arg(args, 1)
	if t.Type() != js.TypeString {
		return
	}
	typ := t.String()
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.m[typ]
	for i, g := range fs {
		if g.Equal(f) {
			l.m[typ] = append(fs[:i:i], fs[i+1:]...)
			return
		}
	}
}

// Clear forgets every listener.
func (l *Listeners) Clear() {
	l.mu.Lock()
	l.m = nil
	l.mu.Unlock()
}

// Dispatch calls the listeners of typ with {type, detail}.
func (l *Listeners) Dispatch(typ string, detail js.Value) {
	l.mu.Lock()
	fs := append([]js.Value(nil), l.m[typ]...)
	l.mu.Unlock()
	e := Event(typ, detail)
	for _, f := range fs {
		CallListener(f, e)
	}
}

// Event is the object a listener gets: {type, detail}.
func Event(typ string, detail js.Value) js.Value {
	e := js.Global().Get("Object").New()
	e.Set("type", typ)
	e.Set("detail", detail)
	return e
}

// CallListener invokes a listener; one that throws does not stop the
// others.
func CallListener(fn, e js.Value) {
	defer func() {
		if r := recover(); r != nil {
			js.Global().Get("console").Call("error", "mxauth: an event listener threw")
		}
	}()
	fn.Invoke(e)
}

// loginOptions are startLogin's opts as JavaScript gives them: server is a
// string or a ServerInfo object.
type loginOptions struct {
	Server       json.RawMessage       `json:"server"`
	RedirectURI  string                `json:"redirectUri"`
	Client       signin.ClientMetadata `json:"client"`
	ClientID     string                `json:"clientId"`
	Action       string                `json:"action"`
	DeviceID     string                `json:"deviceId"`
	LoginHint    string                `json:"loginHint"`
	UILocales    Strings               `json:"uiLocales"`
	ResponseMode string                `json:"responseMode"`
	State        json.RawMessage       `json:"state"`
	IDP          string                `json:"idp"`
}

// LoginOptionsFrom maps CONTRACT.md's startLogin opts to
// signin.LoginOptions (auth.LoginOptions is the same type).
func LoginOptionsFrom(v js.Value) (signin.LoginOptions, error) {
	var o loginOptions
	if v.Type() != js.TypeObject {
		return signin.LoginOptions{}, autherr.New(autherr.InvalidInput, "start login", "options must be an object with server, redirectUri and client")
	}
	if err := FromJS(v, &o); err != nil {
		return signin.LoginOptions{}, err
	}
	lo := signin.LoginOptions{
		RedirectURI: o.RedirectURI, Client: o.Client, ClientID: o.ClientID, Action: signin.Action(o.Action),
		DeviceID: o.DeviceID, LoginHint: o.LoginHint, UILocales: o.UILocales, ResponseMode: signin.ResponseMode(o.ResponseMode),
		State: o.State, IDP: o.IDP,
	}
	raw := strings.TrimSpace(string(o.Server))
	switch {
	case raw == "" || raw == "null":
	case raw[0] == '"':
		_ = json.Unmarshal(o.Server, &lo.Server)
	case raw[0] == '{':
		var info signin.ServerInfo
		if err := json.Unmarshal(o.Server, &info); err != nil {
			return lo, autherr.New(autherr.InvalidInput, "start login", "option \"server\" is not a ServerInfo: %v", err)
		}
		lo.ServerInfo = &info
	default:
		return lo, autherr.New(autherr.InvalidInput, "start login", "option \"server\" must be a server name or a ServerInfo")
	}
	return lo, nil
}

// LocationHref is location.href, or "" outside a page (Node).
func LocationHref() string {
	loc := js.Global().Get("location")
	if loc.Type() != js.TypeObject || loc.Get("href").Type() != js.TypeString {
		return ""
	}
	return loc.Get("href").String()
}

// SignIn is what discover, startLogin and login call: a *signin.Client in
// the small build, an *auth.Client in the session build.
type SignIn interface {
	Discover(ctx context.Context, input string) (*signin.ServerInfo, error)
	StartLogin(ctx context.Context, opts signin.LoginOptions) (*signin.PendingLogin, error)
}

// SignInMethods sets discover(input, {signal}?), startLogin(opts) → {url}
// and login(opts) on obj, working on the SignIn that get returns (get may
// open the storage first).
func (f *Funcs) SignInMethods(obj js.Value, get func(context.Context) (SignIn, error)) {
	f.Method(obj, "discover", func(args []js.Value) (js.Value, Work) {
		signal := SignalOption(Arg(args, 1))
		input, err := StringArg(args, 0, "input")
		if err != nil {
			return signal, Fail(err)
		}
		return signal, func(ctx context.Context) (any, error) {
			c, err := get(ctx)
			if err != nil {
				return nil, err
			}
			info, err := c.Discover(ctx, input)
			if err != nil {
				return nil, err
			}
			return info, nil
		}
	})
	start := func(opts signin.LoginOptions) func(context.Context) (*signin.PendingLogin, error) {
		return func(ctx context.Context) (*signin.PendingLogin, error) {
			c, err := get(ctx)
			if err != nil {
				return nil, err
			}
			return c.StartLogin(ctx, opts)
		}
	}
	f.Method(obj, "startLogin", func(args []js.Value) (js.Value, Work) {
		opts, err := LoginOptionsFrom(Arg(args, 0))
		if err != nil {
			return None(Fail(err))
		}
		start := start(opts)
		return None(func(ctx context.Context) (any, error) {
			p, err := start(ctx)
			if err != nil {
				return nil, err
			}
			return map[string]string{"url": p.URL}, nil
		})
	})
	f.Method(obj, "login", func(args []js.Value) (js.Value, Work) {
		opts, err := LoginOptionsFrom(Arg(args, 0))
		if err != nil {
			return None(Fail(err))
		}
		return None(loginWork(start(opts)))
	})
}

// loginWork is login(opts)'s work (CONTRACT §1): startLogin through
// start, then the page goes to the authorization URL. It settles only on
// failure: on success the page is leaving, and the goroutine waits with it.
func loginWork(start func(context.Context) (*signin.PendingLogin, error)) Work {
	return func(ctx context.Context) (any, error) {
		loc := js.Global().Get("location")
		if loc.IsUndefined() || loc.IsNull() {
			return nil, autherr.New(autherr.InvalidInput, "login", "this page has no location to navigate; use startLogin and open the URL yourself")
		}
		p, err := start(ctx)
		if err != nil {
			return nil, err
		}
		loc.Call("assign", p.URL)
		<-ctx.Done()
		return nil, ctx.Err()
	}
}
