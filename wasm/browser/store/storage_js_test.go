//go:build js && wasm

package store

import (
	"bytes"
	"context"
	"fmt"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs/indexeddb"

	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/auth/signin/storetest"
)

// needIndexedDB skips where there is none: Node runs the package's other
// tests; web/test/e2e/gotest.test.mjs runs these in Chromium.
func needIndexedDB(t *testing.T) {
	t.Helper()
	if !js.Global().Get("indexedDB").Truthy() {
		t.Skip("no IndexedDB here (Node): web/test/e2e/gotest.test.mjs runs this test in Chromium")
	}
}

// TestIndexedDBStoreConformance: the browser's Store (FSStore on
// hackpadfs's IndexedDB file system, as OpenStorage makes it) keeps the
// promises the memory and file Stores keep.
func TestIndexedDBStoreConformance(t *testing.T) {
	needIndexedDB(t)
	n := 0
	storetest.Run(t, func(t *testing.T) storetest.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n++
		fsys, err := indexeddb.NewFS(ctx, fmt.Sprintf("mxauth-conformance-%d-%d", time.Now().UnixNano(), n), indexeddb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return signin.NewFSStore(fsys, ".")
	})
}

// TestOpenStorageIndexedDB: OpenStorage gives the sign-in core a Store
// and a WebCrypto Sealer with its key in IndexedDB: a secret value is
// sealed in the Store and opens again, also through a second OpenStorage
// (a reload, the same key).
func TestOpenStorageIndexedDB(t *testing.T) {
	needIndexedDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := OpenStorage(ctx, StorageIndexedDB)
	if err != nil || st.Warning != nil || st.Mode != StorageIndexedDB || st.Sealer == nil || st.Tokens == nil {
		t.Fatalf("OpenStorage = %+v, %v", st, err)
	}
	c := &signin.Client{Store: st.Store, Sealer: st.Sealer}
	secret := []byte(`{"state":"S1","verifier":"very secret verifier"}`)
	if err := c.PutSecret(ctx, "pending/S1", secret); err != nil {
		t.Fatal(err)
	}
	raw, err := st.Store.Get(ctx, "pending/S1")
	if err != nil || bytes.Contains(raw, []byte("very secret")) || !bytes.HasPrefix(raw, []byte("mxseal2:")) {
		t.Errorf("stored %q, %v; want it sealed", raw, err)
	}
	again, err := OpenStorage(ctx, StorageIndexedDB)
	if err != nil {
		t.Fatal(err)
	}
	c2 := &signin.Client{Store: again.Store, Sealer: again.Sealer}
	if got, err := c2.GetSecret(ctx, "pending/S1"); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("after a second OpenStorage GetSecret = %q, %v", got, err)
	}
	_ = c2.Store.Delete(ctx, "pending/S1")
}
