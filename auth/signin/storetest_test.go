package signin

import (
	"testing"

	"github.com/mxauth/mxauth/auth/signin/storetest"
)

// The memory and the hackpadfs (mem) Stores keep the same promises; the
// browser's IndexedDB one runs the suite in wasm/browser/store.
func TestStoreConformance(t *testing.T) {
	t.Run("MemoryStore", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) storetest.Store { return NewMemoryStore() })
	})
	t.Run("MemoryStoreZero", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) storetest.Store { return &MemoryStore{} })
	})
	t.Run("FSStore", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store { return NewFSStore(newMemFS(t), "mxauth/state") })
	})
	t.Run("FSStoreRoot", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store { return NewFSStore(newMemFS(t), ".") })
	})
}
