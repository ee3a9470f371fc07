//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"os"
	"syscall/js"
	"testing"
	"time"
)

// env returns a URL the native TestJS passes in, or skips: these tests need
// a server and WebAssembly cannot start one.
func env(t *testing.T, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Skipf("%s is not set: run `go test ./wasm/browser` natively, which serves and runs this", key)
	}
	return v
}

// settle waits for a Promise and returns its value or its raw rejection
// reason.
func settle(t *testing.T, p js.Value) (value, reason js.Value, rejected bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := await(ctx, p, nil)
	var rej *rejection
	switch {
	case err == nil:
		return v, js.Undefined(), false
	case errors.As(err, &rej):
		return js.Undefined(), rej.value, true
	default:
		t.Fatalf("promise did not settle: %v", err)
		return
	}
}

// jsonOf is JSON.stringify(v), for comparing JS values in messages.
func jsonOf(v js.Value) string {
	return js.Global().Get("JSON").Call("stringify", v).String()
}

// parse is JSON.parse(s).
func parse(s string) js.Value {
	return js.Global().Get("JSON").Call("parse", s)
}
