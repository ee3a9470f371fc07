//go:build !(js && wasm)

package signin

import (
	"crypto/rand"
	"io"
)

// defaultRandom is what a nil Client.Rand means natively.
func defaultRandom() io.Reader { return rand.Reader }
