//go:build unix

package signin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// FileLocker is a Locker across the processes of one machine that share a
// Store on disk, such as two runs of `mxauth token` at once: each key is an
// advisory flock(2) on a file in Dir (made 0700, files 0600). Within one
// process a MutexLocker orders the callers first, since flock locks belong
// to an open file and two opens in one process would each wait for the
// other. A process that dies releases its locks with its files.
//
// Its zero value is not usable: set Dir, a directory of its own (the
// FSStore lists the files of its own directory as keys).
type FileLocker struct {
	Dir string
	// Poll is how often a held lock is tried again; zero means 50 ms.
	Poll time.Duration

	local MutexLocker
}

// Lock takes key, waiting while another holder in this or another process
// has it, or until ctx ends.
func (l *FileLocker) Lock(ctx context.Context, key string) (func(), error) {
	const op = "lock"
	if l.Dir == "" {
		return nil, autherr.New(autherr.Storage, op, "FileLocker has no Dir")
	}
	unlockLocal, err := l.local.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		unlockLocal()
		return nil, storageError(op, err)
	}
	f, err := os.OpenFile(filepath.Join(l.Dir, escapeKey(key)+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		unlockLocal()
		return nil, storageError(op, err)
	}
	poll := l.Poll
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			unlockLocal()
			return nil, storageError(op, fmt.Errorf("flock %s: %w", f.Name(), err))
		}
		t := time.NewTimer(poll)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			f.Close()
			unlockLocal()
			return nil, ctxError(op, ctx.Err())
		}
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		unlockLocal()
	}, nil
}

var _ Locker = (*FileLocker)(nil)
