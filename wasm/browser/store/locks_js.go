//go:build js && wasm

package store

import (
	"context"
	"github.com/mxauth/mxauth/wasm/browser"
	"sync"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// NewLocker returns the signin.Locker of the browser build: a WebLocker on
// navigator.locks, so that the tabs of an origin take turns refreshing
// (issue 5, "Cross-tab refresh"), or an in-process signin.MutexLocker where
// the Web Locks API is missing (Node, old browsers), which then only
// serialises this tab.
func NewLocker() signin.Locker {
	if nav := js.Global().Get("navigator"); nav.Type() == js.TypeObject {
		if locks := nav.Get("locks"); locks.Type() == js.TypeObject && locks.Get("request").Type() == js.TypeFunction {
			return &WebLocker{Locks: locks}
		}
	}
	return &signin.MutexLocker{}
}

// WebLocker is an signin.Locker on the Web Locks API: Lock asks
// Locks.request(Prefix+key, {signal}, callback) and holds the lock, by
// returning a pending Promise from the callback, until unlock resolves it.
type WebLocker struct {
	// Locks is a LockManager (navigator.locks).
	Locks js.Value
	// Prefix starts every lock name; empty means "mxauth:".
	Prefix string
}

// Lock waits for the named lock or for ctx to end; a cancelled wait aborts
// the request, and a grant that races with it is handed back at once.
func (l *WebLocker) Lock(ctx context.Context, key string) (func(), error) {
	prefix := l.Prefix
	if prefix == "" {
		prefix = "mxauth:"
	}
	var (
		mu        sync.Mutex
		cancelled bool
		release   js.Value // resolves the held Promise
	)
	granted := make(chan struct{}, 1)
	controller := js.Global().Get("AbortController").New()

	var callback js.Func
	callback = js.FuncOf(func(js.Value, []js.Value) any {
		mu.Lock()
		defer mu.Unlock()
		if cancelled {
			return nil // give the lock back at once
		}
		var executor js.Func
		executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
			release = args[0]
			return nil
		})
		held := js.Global().Get("Promise").New(executor)
		executor.Release()
		granted <- struct{}{}
		return held
	})
	opts := js.Global().Get("Object").New()
	opts.Set("signal", controller.Get("signal"))
	request := l.Locks.Call("request", prefix+key, opts, callback)
	// The request settles when the lock is given back or the wait is
	// aborted; only then may the callback be released. The rejection of
	// an aborted request is consumed here.
	go func() {
		_, _ = browser.Await(context.Background(), request)
		callback.Release()
	}()

	select {
	case <-granted:
		var once sync.Once
		return func() {
			once.Do(func() {
				mu.Lock()
				r := release
				mu.Unlock()
				r.Invoke()
			})
		}, nil
	case <-ctx.Done():
		mu.Lock()
		cancelled = true
		mu.Unlock()
		select {
		case <-granted:
			// Granted while we gave up: hand it back.
			mu.Lock()
			r := release
			mu.Unlock()
			r.Invoke()
		default:
			controller.Call("abort")
		}
		return nil, autherr.FromContext("lock", ctx.Err())
	}
}
