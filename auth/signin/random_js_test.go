//go:build js && wasm

package signin

import (
	"errors"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// A js/wasm build has no default random source: a Client without Rand
// fails to make a verifier or an id, and says why, rather than linking
// crypto/rand into the small build.
func TestNilRandFailsInJS(t *testing.T) {
	c := &Client{}
	if v, err := c.newVerifier(); err == nil {
		t.Fatalf("verifier %q from no random source", v)
	}
	_, err := c.RandomString(10)
	var ae *autherr.Error
	if !errors.As(err, &ae) || ae.Op != "random" {
		t.Fatalf("RandomString without Rand: %v", err)
	}
}
