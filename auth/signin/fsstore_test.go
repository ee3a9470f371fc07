package signin

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/mem"

	"github.com/mxauth/mxauth/auth/autherr"
)

func newMemFS(t *testing.T) *mem.FS {
	t.Helper()
	fs, err := mem.NewFS()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestFSStore(t *testing.T) {
	ctx := context.Background()
	fs := newMemFS(t)
	s := NewFSStore(fs, "mxauth/state")
	if v, err := s.Get(ctx, "missing"); v != nil || err != nil {
		t.Fatalf("Get missing = %q, %v", v, err)
	}
	if keys, err := s.Keys(ctx, ""); len(keys) != 0 || err != nil {
		t.Fatalf("Keys before any Put = %v, %v", keys, err)
	}
	keys := []string{"sessions/abc", "pending/xyz", "discovery/https%3A%2F%2Fm.org", "clients/1", "odd key/with ünïcode.tmp", "", ".hidden"}
	for i, k := range keys {
		if err := s.Put(ctx, k, []byte(strings.Repeat("v", i+1))); err != nil {
			t.Fatalf("Put %q: %v", k, err)
		}
	}
	for i, k := range keys {
		v, err := s.Get(ctx, k)
		if err != nil || string(v) != strings.Repeat("v", i+1) {
			t.Errorf("Get %q = %q, %v", k, v, err)
		}
	}
	// Overwrite is atomic (rename over the old file) and leaves no temp files.
	if err := s.Put(ctx, "sessions/abc", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "sessions/abc"); string(v) != "new" {
		t.Errorf("after overwrite %q", v)
	}
	entries, _ := hackpadfs.ReadDir(fs, "mxauth/state")
	if len(entries) != len(keys) {
		t.Errorf("%d files for %d keys", len(entries), len(keys))
	}
	got, _ := s.Keys(ctx, "sessions/")
	if len(got) != 1 || got[0] != "sessions/abc" {
		t.Errorf("Keys sessions/ = %v", got)
	}
	all, _ := s.Keys(ctx, "")
	if len(all) != len(keys) {
		t.Errorf("Keys = %v", all)
	}
	// An interrupted Put leaves a temporary file: it is not a key and the
	// old value stays readable.
	_ = hackpadfs.WriteFullFile(fs, "mxauth/state/"+escapeKey("sessions/abc")+".deadbeef"+tmpSuffix, []byte("half"), 0o600)
	if v, _ := s.Get(ctx, "sessions/abc"); string(v) != "new" {
		t.Errorf("old value lost: %q", v)
	}
	if all2, _ := s.Keys(ctx, ""); len(all2) != len(keys) {
		t.Errorf("temporary file listed: %v", all2)
	}
	if err := s.Delete(ctx, "sessions/abc"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "sessions/abc"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if v, _ := s.Get(ctx, "sessions/abc"); v != nil {
		t.Errorf("deleted key reads %q", v)
	}
	// Empty values stay distinguishable from missing keys.
	_ = s.Put(ctx, "empty", nil)
	if v, err := s.Get(ctx, "empty"); v == nil || len(v) != 0 || err != nil {
		t.Errorf("empty value = %v, %v", v, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := s.Put(cctx, "x", nil)
	var e *autherr.Error
	if !errors.As(err, &e) || e.Code != autherr.Storage || !strings.HasPrefix(e.Error(), "auth: ") {
		t.Errorf("Put with a cancelled context: %v, want an *autherr.Error with code storage", err)
	}
}

// TestFSStoreRemovesStaleTemporaryFiles: a Put killed between writing and
// renaming leaves a temporary file under a random name that no later Put
// writes again; Keys removes it once it is older than staleTemp, and
// leaves a fresh one (another tab's Put in progress) alone.
func TestFSStoreRemovesStaleTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	fsys := newMemFS(t)
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	s := NewFSStore(fsys, "state")
	s.now = func() time.Time { return now }
	if err := s.Put(ctx, "sessions/a", []byte("a")); err != nil {
		t.Fatal(err)
	}
	stale := "state/sessions%2Fa.0123456789ab.tmp"
	fresh := "state/sessions%2Fa.ba9876543210.tmp"
	for name, age := range map[string]time.Duration{stale: staleTemp + time.Second, fresh: time.Second} {
		if err := hackpadfs.WriteFullFile(fsys, name, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := hackpadfs.Chtimes(fsys, name, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := s.Keys(ctx, ""); err != nil || len(keys) != 1 || keys[0] != "sessions/a" {
		t.Fatalf("Keys = %q, %v", keys, err)
	}
	if _, err := hackpadfs.Stat(fsys, stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale temporary file is still there (%v)", err)
	}
	if _, err := hackpadfs.Stat(fsys, fresh); err != nil {
		t.Errorf("the fresh temporary file was removed: %v", err)
	}
	if v, _ := s.Get(ctx, "sessions/a"); string(v) != "a" {
		t.Errorf("the value is %q", v)
	}
}
