//go:build js && wasm

package browser

import (
	"context"
	"runtime/debug"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Promise runs fn in its own goroutine and returns a JavaScript Promise of
// its result: fulfilled with ToJS of the value, rejected with an
// MxAuthError (see ErrorValue). A panic in fn is recovered into a rejection
// with code server_error and details.reason "internal" (CodeInternal), and
// its stack goes to console.error; no panic reaches the page.
//
// fn runs in a goroutine because a js.Func that blocks (on a fetch, say)
// would stall the JavaScript event loop that must deliver the answer.
func Promise(fn func(ctx context.Context) (any, error)) js.Value {
	return PromiseSignal(js.Undefined(), fn)
}

// PromiseSignal is Promise with the caller's AbortSignal (the signal
// option of CONTRACT.md; undefined or null for none). The signal's abort
// cancels fn's context and the Promise rejects with code network and
// details.reason "aborted", whatever fn returns; an already-aborted signal
// rejects without running fn. The listener on the signal is removed and
// released when fn returns. Something that is not an AbortSignal rejects
// with invalid_input.
func PromiseSignal(signal js.Value, fn func(ctx context.Context) (any, error)) js.Value {
	var resolve, reject js.Value
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = Arg(args, 0), Arg(args, 1)
		return nil
	})
	// The executor runs synchronously inside the constructor, so it can be
	// released at once.
	p := js.Global().Get("Promise").New(executor)
	executor.Release()

	ctx, cancel := context.WithCancelCause(context.Background())
	var onAbort js.Func
	listening := false
	switch {
	case signal.IsUndefined() || signal.IsNull():
	case !isAbortSignal(signal):
		cancel(nil)
		reject.Invoke(ErrorValue(autherr.New(autherr.InvalidInput, "options", "signal must be an AbortSignal")))
		return p
	case signal.Get("aborted").Truthy():
		cancel(nil)
		reject.Invoke(ErrorValue(abortError()))
		return p
	default:
		onAbort = js.FuncOf(func(js.Value, []js.Value) any {
			cancel(errAborted)
			return nil
		})
		signal.Call("addEventListener", "abort", onAbort)
		listening = true
	}

	go func() {
		defer cancel(nil)
		v, err := protect(func() (js.Value, error) {
			v, err := fn(ctx)
			if err != nil {
				return js.Undefined(), err
			}
			return ToJS(v)
		})
		if listening {
			signal.Call("removeEventListener", "abort", onAbort)
			onAbort.Release()
		}
		if context.Cause(ctx) == errAborted {
			err = abortError()
		}
		if err != nil {
			reject.Invoke(ErrorValue(err))
			return
		}
		resolve.Invoke(v)
	}()
	return p
}

// protect runs work and turns a panic into an internal error.
func protect(work func() (js.Value, error)) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = js.Undefined(), panicError(r)
			// The stack helps a bug report; it stays in the console, out
			// of the error a page may show.
			js.Global().Get("console").Call("error", "mxauth: Go panic: "+err.Error()+"\n"+string(debug.Stack()))
		}
	}()
	return work()
}

// isAbortSignal reports whether v looks like an AbortSignal: an object with
// aborted and addEventListener. Duck typing keeps polyfills working.
func isAbortSignal(v js.Value) bool {
	return v.Type() == js.TypeObject &&
		v.Get("addEventListener").Type() == js.TypeFunction &&
		v.Get("removeEventListener").Type() == js.TypeFunction &&
		v.Get("aborted").Type() == js.TypeBoolean
}

// SignalOption returns opts.signal, or undefined when opts is not an object.
func SignalOption(opts js.Value) js.Value {
	if opts.Type() != js.TypeObject {
		return js.Undefined()
	}
	return opts.Get("signal")
}

// ErrorValue makes the MxAuthError of CONTRACT.md §1 for err: a JavaScript
// Error (so stack, instanceof Error and console output work) with name
// "MxAuthError", code, message, and, where known, status, errcode,
// retryAfterMs and details (an object of strings).
func ErrorValue(err error) js.Value {
	info := describe(err)
	e := js.Global().Get("Error").New(info.Message)
	e.Set("name", "MxAuthError")
	e.Set("code", string(info.Code))
	if info.Status != 0 {
		e.Set("status", info.Status)
	}
	if info.Errcode != "" {
		e.Set("errcode", info.Errcode)
	}
	if info.RetryAfterMs > 0 {
		e.Set("retryAfterMs", info.RetryAfterMs)
	}
	if len(info.Details) > 0 {
		d := js.Global().Get("Object").New()
		for k, v := range info.Details {
			d.Set(k, v)
		}
		e.Set("details", d)
	}
	return e
}
