//go:build js && wasm

package browser

import (
	"context"
	"syscall/js"
)

// Await waits for the JavaScript Promise p to settle or ctx to end, for
// the glue packages beside this one (wasm/browser/store). A rejection is an
// error whose message is the reason's name and message.
func Await(ctx context.Context, p js.Value) (js.Value, error) {
	return await(ctx, p, nil)
}
