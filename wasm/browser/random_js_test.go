//go:build js && wasm

package browser

import (
	"bytes"
	"testing"
)

// Random fills every byte, also beyond one getRandomValues call's 65536,
// and two reads differ.
func TestRandom(t *testing.T) {
	for _, n := range []int{0, 1, 32, maxRandom, maxRandom + 17, 3*maxRandom + 1} {
		a, b := make([]byte, n), make([]byte, n)
		if got, err := Random.Read(a); err != nil || got != n {
			t.Fatalf("Read(%d) = %d, %v", n, got, err)
		}
		if _, err := Random.Read(b); err != nil {
			t.Fatal(err)
		}
		if n >= 32 && bytes.Equal(a, b) {
			t.Fatalf("two reads of %d bytes are equal", n)
		}
		// No 4 KiB run left zero: every chunk was filled (a 4096-byte
		// run of zeros from a CSPRNG has probability 2^-32768).
		for off := 0; off+4096 <= n; off += 4096 {
			if bytes.Equal(a[off:off+4096], make([]byte, 4096)) {
				t.Fatalf("Read(%d): bytes %d.. were not filled", n, off)
			}
		}
	}
}
