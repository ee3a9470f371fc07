//go:build !(js && wasm)

package digest

import "crypto/sha256"

// Sum256 returns the SHA-256 sum of b: crypto/sha256's.
func Sum256(b []byte) [Size]byte { return sha256.Sum256(b) }
