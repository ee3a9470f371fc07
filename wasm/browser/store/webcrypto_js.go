//go:build js && wasm

package store

import (
	"context"
	"errors"
	"github.com/mxauth/mxauth/wasm/browser"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// Names of the IndexedDB database that holds the sealing key. It is apart
// from the file system's database so that clearing one is visible.
const (
	keyDBName    = "mxauth-keys"
	keyStoreName = "keys"
	keyRecord    = "session-seal-v1"
	gcmNonceSize = 12
)

// WebCryptoSealer seals with AES-GCM (256-bit key, 96-bit random nonce in
// front of the ciphertext) under a non-extractable CryptoKey: script on
// the page can use the key but never read it, and the ciphertext in
// IndexedDB is useless without it. The key is kept as a CryptoKey in its own
// IndexedDB database (CryptoKeys are structured-cloneable).
type WebCryptoSealer struct {
	subtle js.Value
	key    js.Value
}

// NewWebCryptoSealer loads the sealing key from IndexedDB, making it on
// first use. It fails when IndexedDB or crypto.subtle is missing (an
// insecure context, some private modes).
func NewWebCryptoSealer(ctx context.Context) (*WebCryptoSealer, error) {
	subtle := js.Global().Get("crypto")
	if subtle.Type() != js.TypeObject || subtle.Get("subtle").Type() != js.TypeObject {
		return nil, errors.New("crypto.subtle is not available (not a secure context?)")
	}
	subtle = subtle.Get("subtle")
	if t := js.Global().Get("indexedDB"); !t.Truthy() {
		return nil, errors.New("indexedDB is not available")
	}
	open, err := idb.Global().Open(ctx, keyDBName, 1, func(db *idb.Database, _, _ uint) error {
		_, err := db.CreateObjectStore(keyStoreName, idb.ObjectStoreOptions{})
		return err
	})
	if err != nil {
		return nil, err
	}
	db, err := open.Await(ctx)
	if err != nil {
		return nil, err
	}
	key, err := readKey(ctx, db)
	if err != nil {
		return nil, err
	}
	if !key.Truthy() {
		params := js.Global().Get("Object").New()
		params.Set("name", "AES-GCM")
		params.Set("length", 256)
		usages := js.Global().Get("Array").New("encrypt", "decrypt")
		key, err = browser.Await(ctx, subtle.Call("generateKey", params, false, usages))
		if err != nil {
			return nil, err
		}
		// add, not put: when two tabs make a key at once, the first one
		// stored wins and the other tab reads it back.
		if err := addKey(ctx, db, key); err != nil {
			if key, err = readKey(ctx, db); err != nil || !key.Truthy() {
				return nil, errors.New("browser: cannot store the sealing key")
			}
		}
	}
	return &WebCryptoSealer{subtle: subtle, key: key}, nil
}

func readKey(ctx context.Context, db *idb.Database) (js.Value, error) {
	txn, err := db.Transaction(idb.TransactionReadOnly, keyStoreName)
	if err != nil {
		return js.Undefined(), err
	}
	st, err := txn.ObjectStore(keyStoreName)
	if err != nil {
		return js.Undefined(), err
	}
	req, err := st.Get(js.ValueOf(keyRecord))
	if err != nil {
		return js.Undefined(), err
	}
	return req.Await(ctx)
}

func addKey(ctx context.Context, db *idb.Database, key js.Value) error {
	txn, err := db.Transaction(idb.TransactionReadWrite, keyStoreName)
	if err != nil {
		return err
	}
	st, err := txn.ObjectStore(keyStoreName)
	if err != nil {
		return err
	}
	req, err := st.AddKey(js.ValueOf(keyRecord), key)
	if err != nil {
		return err
	}
	return req.Await(ctx)
}

// algorithm is AesGcmParams: the nonce, and ad as additionalData (the GCM
// tag covers it, NIST SP 800-38D §7) when there is one.
func (w *WebCryptoSealer) algorithm(iv, ad []byte) js.Value {
	p := js.Global().Get("Object").New()
	p.Set("name", "AES-GCM")
	p.Set("iv", bytesToJS(iv))
	if ad != nil {
		p.Set("additionalData", bytesToJS(ad))
	}
	return p
}

// Seal encrypts plain with ad: nonce || ciphertext-with-tag.
func (w *WebCryptoSealer) Seal(ctx context.Context, plain, ad []byte) ([]byte, error) {
	iv := make([]byte, gcmNonceSize)
	if _, err := browser.Random.Read(iv); err != nil {
		return nil, err
	}
	ct, err := browser.Await(ctx, w.subtle.Call("encrypt", w.algorithm(iv, ad), w.key, bytesToJS(plain)))
	if err != nil {
		return nil, err
	}
	return append(iv, bytesFromJS(ct)...), nil
}

// Open decrypts what Seal made with the same ad; a wrong key, another ad
// or a changed byte fails.
func (w *WebCryptoSealer) Open(ctx context.Context, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < gcmNonceSize+16 {
		return nil, errors.New("browser: sealed value too short")
	}
	pt, err := browser.Await(ctx, w.subtle.Call("decrypt", w.algorithm(sealed[:gcmNonceSize], ad), w.key, bytesToJS(sealed[gcmNonceSize:])))
	if err != nil {
		return nil, err
	}
	return bytesFromJS(pt), nil
}

func bytesToJS(b []byte) js.Value {
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// bytesFromJS copies an ArrayBuffer (or a Uint8Array) into Go.
func bytesFromJS(v js.Value) []byte {
	u := v
	if !v.InstanceOf(js.Global().Get("Uint8Array")) {
		u = js.Global().Get("Uint8Array").New(v)
	}
	b := make([]byte, u.Get("length").Int())
	js.CopyBytesToGo(b, u)
	return b
}
