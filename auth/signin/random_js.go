//go:build js && wasm

package signin

import (
	"errors"
	"io"
)

// defaultRandom is what a nil Client.Rand means in a js/wasm build: no
// source. Naming crypto/rand here would link Go's FIPS 140 module (DRBG,
// AES, SHA-3, …) into the small build, ~40 KB brotli (issue 11); the
// builds hand in the page's crypto.getRandomValues instead.
func defaultRandom() io.Reader { return noRandom{} }

type noRandom struct{}

func (noRandom) Read([]byte) (int, error) {
	return 0, errors.New("no random source: a js/wasm build sets Client.Rand")
}
