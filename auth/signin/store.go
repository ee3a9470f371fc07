package signin

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Store keeps mxauth's state: sessions, pending logins, the discovery cache
// and the client-registration cache. Keys are slash-separated paths such as
// "session/<id>" or "discovery/<server name>". Values are opaque bytes.
//
// Put must be atomic: after a crash a reader sees the old value or the new
// one, never a mix. Get of a missing key returns (nil, nil).
//
// MemoryStore is the in-process implementation; the browser build keeps the
// same interface on IndexedDB.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	// Keys lists the keys that start with prefix, sorted.
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// MemoryStore is a Store in memory, safe for concurrent use. The zero value
// is ready to use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Get returns a copy of the value at key, or nil.
func (s *MemoryStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return append([]byte{}, v...), nil // an empty value is there: not nil
}

// Put stores a copy of value at key.
func (s *MemoryStore) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string][]byte)
	}
	s.m[key] = append([]byte{}, value...)
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// Keys lists the keys under prefix, sorted.
func (s *MemoryStore) Keys(_ context.Context, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}
