//go:build js && wasm

package digest

// Sum256 returns the SHA-256 sum of b, computed here (see the package doc).
func Sum256(b []byte) [Size]byte { return sum256(b) }
