//go:build js && wasm

package store

import (
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Node 20 has no navigator.locks: the locker is the in-process one.
func TestNewLockerFallback(t *testing.T) {
	if _, ok := NewLocker().(*signin.MutexLocker); !ok {
		t.Fatalf("NewLocker() = %T, want *signin.MutexLocker without navigator.locks", NewLocker())
	}
}

// fakeLocks is a LockManager with one exclusive lock per name, enough of
// the Web Locks API for WebLocker: request(name, {signal}, callback). Its
// log records each step; waitLog waits for it to reach a length.
func fakeLocks(t *testing.T) (js.Value, *[]string, func(n int)) {
	var log []string
	grew := make(chan struct{}, 1)
	add := func(entry string) {
		log = append(log, entry)
		select {
		case grew <- struct{}{}:
		default:
		}
	}
	waitLog := func(n int) {
		t.Helper()
		for len(log) < n {
			select {
			case <-grew:
			case <-time.After(5 * time.Second):
				t.Fatalf("the lock log stopped at %v, want %d entries", log, n)
			}
		}
	}
	held := map[string]bool{}
	queue := map[string][]func(){}
	var request js.Func
	request = js.FuncOf(func(_ js.Value, args []js.Value) any {
		name, opts, cb := args[0].String(), args[1], args[2]
		add("request " + name)
		var resolve, reject js.Value
		exec := js.FuncOf(func(_ js.Value, a []js.Value) any { resolve, reject = a[0], a[1]; return nil })
		p := js.Global().Get("Promise").New(exec)
		exec.Release()
		done := false
		var grant func()
		grant = func() {
			if done { // aborted while queued: pass the turn on
				if q := queue[name]; len(q) > 0 {
					queue[name] = q[1:]
					q[0]()
				}
				return
			}
			done = true
			held[name] = true
			add("granted " + name)
			r := cb.Invoke()
			var after js.Func
			after = js.FuncOf(func(js.Value, []js.Value) any {
				after.Release()
				held[name] = false
				add("released " + name)
				resolve.Invoke()
				if q := queue[name]; len(q) > 0 {
					queue[name] = q[1:]
					q[0]()
				}
				return nil
			})
			js.Global().Get("Promise").Call("resolve", r).Call("then", after)
		}
		var onAbort js.Func
		onAbort = js.FuncOf(func(js.Value, []js.Value) any {
			onAbort.Release()
			if !done {
				done = true
				add("aborted " + name)
				reject.Invoke(js.Global().Get("Error").New("AbortError"))
			}
			return nil
		})
		opts.Get("signal").Call("addEventListener", "abort", onAbort)
		if held[name] {
			queue[name] = append(queue[name], grant)
		} else {
			grant()
		}
		return p
	})
	t.Cleanup(request.Release)
	lm := js.Global().Get("Object").New()
	lm.Set("request", request)
	return lm, &log, waitLog
}

func TestWebLocker(t *testing.T) {
	lm, log, waitLog := fakeLocks(t)
	l := &WebLocker{Locks: lm}
	ctx := context.Background()

	unlock, err := l.Lock(ctx, "refresh/a")
	if err != nil {
		t.Fatal(err)
	}
	// A second holder waits; with a deadline it gives up and its request
	// is aborted.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(short, "refresh/a"); err == nil {
		t.Fatal("a second Lock of a held lock succeeded")
	} else if ae, ok := err.(*autherr.Error); !ok || ae.Code != autherr.Timeout {
		t.Errorf("err = %v, want a timeout", err)
	}
	// A waiting holder gets the lock once the first unlocks.
	got := make(chan func(), 1)
	go func() {
		u, err := l.Lock(ctx, "refresh/a")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	waitLog(5) // the waiting holder's request is in
	unlock()
	unlock() // a second call is harmless
	select {
	case u := <-got:
		u()
	case <-time.After(5 * time.Second):
		t.Fatalf("the waiting Lock was never granted; log %v", *log)
	}
	waitLog(8) // and its release
	want := []string{"request mxauth:refresh/a", "granted mxauth:refresh/a", "request mxauth:refresh/a", "aborted mxauth:refresh/a",
		"request mxauth:refresh/a", "released mxauth:refresh/a", "granted mxauth:refresh/a", "released mxauth:refresh/a"}
	if len(*log) != len(want) {
		t.Fatalf("log %v, want %v", *log, want)
	}
	for i := range want {
		if (*log)[i] != want[i] {
			t.Errorf("log[%d] = %q, want %q (log %v)", i, (*log)[i], want[i], *log)
		}
	}
}
