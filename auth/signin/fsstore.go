package signin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/hackpadfs"
)

// FSStore is a Store on a hackpadfs.FS: the browser build puts it on
// IndexedDB, tests on hackpadfs/mem, Go programs on hackpadfs/os. Each key is
// one file in Dir, its name the key with every byte outside [A-Za-z0-9_-]
// percent-escaped (the dot too, so no key looks like a temporary file),
// so keys need no directories.
//
// Put writes a temporary file and renames it over the old one: a crash
// leaves the old value or the new one (the FS's rename must be atomic, as
// the os, mem and indexeddb ones are).
type FSStore struct {
	FS  hackpadfs.FS
	Dir string

	// mu orders Puts and keeps Gets from reading a file a Put of this
	// process is renaming: hackpadfs's IndexedDB file system reads a file
	// in more than one transaction, so a read during a rename can see part
	// of the new value (the Store conformance suite's AtomicPut, in
	// Chromium). Readers in other tabs are covered by GetSecret, which
	// reads again before it calls a value damaged.
	mu      sync.RWMutex
	mkdirOK bool
	now     func() time.Time // the clock of staleness; nil is time.Now
}

// NewFSStore returns a Store keeping its files in dir of fsys ("." for the
// root). The directory is made on first write.
func NewFSStore(fsys hackpadfs.FS, dir string) *FSStore {
	if dir == "" {
		dir = "."
	}
	return &FSStore{FS: fsys, Dir: dir}
}

// tmpSuffix marks files being written. Keys skips them, and removes those
// older than staleTemp: a Put that crashed or was killed (a closed tab)
// between writing and renaming left them, and their random names are never
// written again.
const tmpSuffix = ".tmp"

// staleTemp is the age past which a temporary file is a leftover. A Put
// in progress (another tab's) renames its file within milliseconds; a
// minute leaves a wide margin for a slow IndexedDB.
const staleTemp = time.Minute

func escapeKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		ch := key[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	if b.Len() == 0 {
		return "%"
	}
	return b.String()
}

func unescapeKey(name string) (string, bool) {
	if name == "%" {
		return "", true
	}
	k, err := url.PathUnescape(name)
	return k, err == nil
}

func (s *FSStore) file(key string) string { return path.Join(s.Dir, escapeKey(key)) }

func (s *FSStore) ensureDir() error {
	if s.mkdirOK || s.Dir == "." {
		return nil
	}
	if err := hackpadfs.MkdirAll(s.FS, s.Dir, 0o700); err != nil {
		return err
	}
	s.mkdirOK = true
	return nil
}

// Get reads key; a missing key is (nil, nil).
func (s *FSStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, storageError("store get", err)
	}
	s.mu.RLock()
	b, err := hackpadfs.ReadFile(s.FS, s.file(key))
	s.mu.RUnlock()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("store get", err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// Put writes value at key atomically: temporary file, then rename.
func (s *FSStore) Put(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return storageError("store put", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureDir(); err != nil {
		return storageError("store put", err)
	}
	final := s.file(key)
	// The temporary name only has to differ from those of concurrent
	// writers (other tabs); it is no secret, so math/rand/v2's generator
	// will do (crypto/rand would link Go's FIPS module into the small
	// build: issue 11).
	tmp := fmt.Sprintf("%s.%012x%s", final, rand.Uint64()>>16, tmpSuffix)
	if err := hackpadfs.WriteFullFile(s.FS, tmp, value, 0o600); err != nil {
		_ = hackpadfs.Remove(s.FS, tmp)
		return storageError("store put", err)
	}
	if err := hackpadfs.Rename(s.FS, tmp, final); err != nil {
		_ = hackpadfs.Remove(s.FS, tmp)
		return storageError("store put", err)
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *FSStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return storageError("store delete", err)
	}
	err := hackpadfs.Remove(s.FS, s.file(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return storageError("store delete", err)
	}
	return nil
}

// Keys lists the keys starting with prefix, sorted. Temporary files are not
// keys; leftovers of interrupted Puts (older than staleTemp) are removed on
// the way, best effort.
func (s *FSStore) Keys(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, storageError("store keys", err)
	}
	entries, err := hackpadfs.ReadDir(s.FS, s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("store keys", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, tmpSuffix) && !e.IsDir() {
			s.removeStale(name, e)
			continue
		}
		if e.IsDir() {
			continue
		}
		k, ok := unescapeKey(name)
		if ok && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// removeStale removes the temporary file name when it is older than
// staleTemp.
func (s *FSStore) removeStale(name string, e fs.DirEntry) {
	info, err := e.Info()
	if err != nil {
		return
	}
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	if now().Sub(info.ModTime()) > staleTemp {
		_ = hackpadfs.Remove(s.FS, path.Join(s.Dir, name))
	}
}

var _ Store = (*FSStore)(nil)
