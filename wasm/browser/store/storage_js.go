//go:build js && wasm

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/hackpadfs/indexeddb"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Storage modes (CONTRACT.md load({storage})).
const (
	StorageIndexedDB = "indexeddb"
	StorageMemory    = "memory"
)

// fsDBName is the IndexedDB database of the hackpadfs file system.
const fsDBName = "mxauth"

// Storage is what OpenStorage chose.
type Storage struct {
	// Store is the signin.Store to use.
	Store signin.Store
	// Mode is StorageIndexedDB or StorageMemory: what is really in use.
	Mode string
	// Sealer seals what package auth keeps secret when Mode is
	// StorageIndexedDB; nil in memory mode, where nothing outlives the
	// page.
	Sealer Sealer
	// Tokens keeps access tokens in memory, out of IndexedDB, and carries
	// them across tabs when Mode is StorageIndexedDB; nil in memory mode,
	// where nothing is shared.
	Tokens *Tokens
	// Warning is set when IndexedDB was asked for and memory is used
	// instead: a storage error saying why, for the page's one warning.
	Warning error
}

// OpenStorage opens the Store for mode: for "indexeddb" (or "") an FSStore
// on hackpadfs's IndexedDB file system, with a WebCryptoSealer for the
// values auth keeps secret and access tokens in memory only; for "memory"
// a signin.MemoryStore. When
// IndexedDB or WebCrypto is missing it falls back to memory and says so in
// Warning: never to plaintext localStorage.
func OpenStorage(ctx context.Context, mode string) (*Storage, error) {
	switch mode {
	case StorageMemory:
		return &Storage{Store: signin.NewMemoryStore(), Mode: StorageMemory}, nil
	case "", StorageIndexedDB:
	default:
		return nil, autherr.New(autherr.InvalidInput, "storage", "storage must be %q or %q, not %q", StorageIndexedDB, StorageMemory, mode)
	}
	st, err := openIndexedDB(ctx)
	if err != nil {
		return &Storage{
			Store: signin.NewMemoryStore(),
			Mode:  StorageMemory,
			Warning: &autherr.Error{Code: autherr.Storage, Op: "storage",
				Details: map[string]string{"fallback": StorageMemory, "warning": "true"},
				Err:     fmt.Errorf("IndexedDB storage is not available, the session is kept in memory only: %w", err)},
		}, nil
	}
	return st, nil
}

func openIndexedDB(ctx context.Context) (st *Storage, err error) {
	// hackpadfs and go-indexeddb report through panics in a few corners
	// (a blocked or half-available IndexedDB); those are a fallback too.
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("indexeddb: %v", r)
		}
	}()
	sealer, err := NewWebCryptoSealer(ctx)
	if err != nil {
		return nil, err
	}
	fsys, err := indexeddb.NewFS(ctx, fsDBName, indexeddb.Options{})
	if err != nil {
		return nil, err
	}
	if fsys == nil {
		return nil, errors.New("indexeddb: no file system")
	}
	return &Storage{Store: signin.NewFSStore(fsys, "."), Mode: StorageIndexedDB, Sealer: sealer, Tokens: &Tokens{}}, nil
}
