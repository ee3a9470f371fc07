//go:build js && wasm

package browser

import (
	"context"
	"syscall/js"
)

// rejection is a JavaScript Promise's rejection reason as a Go error.
type rejection struct {
	name    string // the Error's name: "TypeError", "AbortError", …
	message string
	value   js.Value // the reason itself, for callers that read more of it
}

func (r *rejection) Error() string {
	if r.name == "" {
		return r.message
	}
	return r.name + ": " + r.message
}

// newRejection reads a rejection reason. Browsers reject fetch with a bare
// TypeError ("Failed to fetch"); Node adds the real reason as cause
// ("ECONNREFUSED"), which is kept for test logs.
func newRejection(v js.Value) *rejection {
	if v.Type() != js.TypeObject {
		if v.Type() == js.TypeString {
			return &rejection{message: v.String(), value: v}
		}
		return &rejection{message: v.Type().String(), value: v}
	}
	r := &rejection{name: stringProp(v, "name"), message: stringProp(v, "message"), value: v}
	if c := v.Get("cause"); c.Type() == js.TypeObject {
		if m := stringProp(c, "message"); m != "" {
			r.message += " (" + m + ")"
		}
	}
	return r
}

// stringProp returns v[name] if it is a string, else "".
func stringProp(v js.Value, name string) string {
	p := v.Get(name)
	if p.Type() != js.TypeString {
		return ""
	}
	return p.String()
}

// await waits for the JavaScript promise p to settle, or for ctx to end.
// It returns the fulfilled value, a *rejection, or ctx.Err().
//
// When ctx ends first, onCancel runs (it aborts the underlying fetch) and
// await returns at once. The two js.Funcs release themselves when the
// promise settles, which an abort makes happen promptly; so no Func
// outlives its promise and no caller waits on JavaScript after its
// deadline. The channel is buffered because the callbacks run on the JS
// event loop and must never block.
func await(ctx context.Context, p js.Value, onCancel func()) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onFulfil, onReject js.Func
	release := func() {
		onFulfil.Release()
		onReject.Release()
	}
	onFulfil = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		ch <- result{v: Arg(args, 0)}
		return nil
	})
	onReject = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		ch <- result{err: newRejection(Arg(args, 0))}
		return nil
	})
	p.Call("then", onFulfil, onReject)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		if onCancel != nil {
			onCancel()
		}
		return js.Undefined(), ctx.Err()
	}
}

// Arg returns args[i], or undefined when JavaScript passed fewer: every
// method of the JS API reads its arguments through it.
func Arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}
