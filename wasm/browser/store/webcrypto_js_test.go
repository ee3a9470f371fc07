//go:build js && wasm

package store

import (
	"bytes"
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/wasm/browser"
)

// TestWebCryptoSealerAssociatedData: the browser's sealer authenticates
// the associated data with WebCrypto's additionalData: a value opens only
// with the ad it was sealed with (a nil ad is none, the legacy form), and
// a changed byte fails. Node has crypto.subtle but no IndexedDB, so the key
// is made here rather than by NewWebCryptoSealer.
func TestWebCryptoSealerAssociatedData(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	subtle := js.Global().Get("crypto").Get("subtle")
	params := js.Global().Get("Object").New()
	params.Set("name", "AES-GCM")
	params.Set("length", 256)
	key, err := browser.Await(ctx, subtle.Call("generateKey", params, false, js.Global().Get("Array").New("encrypt", "decrypt")))
	if err != nil {
		t.Fatal(err)
	}
	w := &WebCryptoSealer{subtle: subtle, key: key}
	plain := []byte(`{"refreshToken":"mar_X"}`)
	a, b := []byte("mxauth store key\nsessions/a"), []byte("mxauth store key\nsessions/b")

	sealed, err := w.Seal(ctx, plain, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Open(ctx, sealed, a); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("Open with its ad = %q, %v", got, err)
	}
	for name, ad := range map[string][]byte{"another key's ad": b, "no ad": nil} {
		if got, err := w.Open(ctx, sealed, ad); err == nil {
			t.Errorf("Open with %s = %q, want a failure", name, got)
		}
	}
	flipped := append([]byte{}, sealed...)
	flipped[len(flipped)-1] ^= 1
	if _, err := w.Open(ctx, flipped, a); err == nil {
		t.Errorf("a changed byte opened")
	}
	legacy, err := w.Seal(ctx, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Open(ctx, legacy, nil); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("legacy Open = %q, %v", got, err)
	}
}
