//go:build js && wasm

package browser

import (
	"errors"
	"syscall/js"
)

// Random reads the page's crypto.getRandomValues (WebCrypto's CSPRNG, as
// crypto/rand does on js/wasm). The small build hands it to signin.Client
// and the WebCrypto sealer so that it links no crypto/rand: that package
// brings Go's FIPS 140 module (DRBG, AES, SHA-3, …), ~40 KB brotli
// (issue 11).
var Random randomReader

type randomReader struct{}

// maxRandom is what one getRandomValues call may fill (WebCrypto's
// QuotaExceededError beyond 65536 bytes).
const maxRandom = 65536

// Read fills b entirely or fails.
func (randomReader) Read(b []byte) (n int, err error) {
	c := js.Global().Get("crypto")
	if c.IsUndefined() || c.Get("getRandomValues").IsUndefined() {
		return 0, errors.New("crypto.getRandomValues is not available")
	}
	defer func() {
		// A JS exception thrown through Call panics with a js.Error.
		if r := recover(); r != nil {
			n, err = 0, errors.New("crypto.getRandomValues failed")
		}
	}()
	for n < len(b) {
		chunk := min(len(b)-n, maxRandom)
		u := js.Global().Get("Uint8Array").New(chunk)
		c.Call("getRandomValues", u)
		js.CopyBytesToGo(b[n:n+chunk], u)
		n += chunk
	}
	return n, nil
}
