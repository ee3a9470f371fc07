//go:build unix

package signin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFileLocker: two FileLockers on one directory stand for two processes
// (each opens its own file, so flock(2) keeps them apart as it would
// processes): the second waits while the first holds a key, ctx ends the
// wait, other keys are free, and a release lets the waiter in.
func TestFileLocker(t *testing.T) {
	dir := t.TempDir()
	a := &FileLocker{Dir: dir, Poll: 5 * time.Millisecond}
	b := &FileLocker{Dir: dir, Poll: 5 * time.Millisecond} // another "process": its own locker
	unlock, err := a.Lock(context.Background(), "refresh/abc")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx, "refresh/abc"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second locker got %v while the first holds the key, want to wait until ctx ends", err)
	}
	if u, err := b.Lock(context.Background(), "refresh/other"); err != nil {
		t.Fatalf("another key: %v", err)
	} else {
		u()
	}
	got := make(chan time.Time, 1)
	go func() {
		u, err := b.Lock(context.Background(), "refresh/abc")
		if err != nil {
			t.Error(err)
			return
		}
		got <- time.Now()
		u()
	}()
	time.Sleep(50 * time.Millisecond)
	released := time.Now()
	unlock()
	unlock() // twice is harmless
	select {
	case at := <-got:
		if at.Before(released) {
			t.Error("the second locker got the key before it was released")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the second locker never got the key")
	}
	if fi, err := os.Stat(filepath.Join(dir, escapeKey("refresh/abc")+".lock")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", fi.Mode(), err)
	}
}
