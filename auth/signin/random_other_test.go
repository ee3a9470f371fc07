//go:build !(js && wasm)

package signin

import "testing"

// Natively a nil Rand means crypto/rand.
func TestNilRandIsCryptoRand(t *testing.T) {
	c := &Client{}
	a, err := c.newVerifier()
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.newVerifier()
	if err != nil || a == b {
		t.Fatalf("two verifiers from crypto/rand: %q, %q, %v", a, b, err)
	}
	if _, err := c.RandomString(32); err != nil {
		t.Fatal(err)
	}
}
