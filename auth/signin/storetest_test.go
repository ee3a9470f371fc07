package signin_test

import (
	"testing"

	"github.com/hack-pad/hackpadfs/mem"

	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/auth/signin/storetest"
)

// The memory and the hackpadfs (mem) Stores keep the same promises; the
// browser's IndexedDB one runs the suite in wasm/browser/store.
func TestStoreConformance(t *testing.T) {
	memFS := func(t *testing.T) *mem.FS {
		fs, err := mem.NewFS()
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	t.Run("MemoryStore", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) storetest.Store { return signin.NewMemoryStore() })
	})
	t.Run("MemoryStoreZero", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) storetest.Store { return &signin.MemoryStore{} })
	})
	t.Run("FSStore", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store { return signin.NewFSStore(memFS(t), "mxauth/state") })
	})
	t.Run("FSStoreRoot", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store { return signin.NewFSStore(memFS(t), ".") })
	})
}
