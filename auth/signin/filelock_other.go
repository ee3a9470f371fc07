//go:build !unix

package signin

import (
	"context"
	"time"
)

// FileLocker is a Locker across the processes of one machine where
// flock(2) exists (see filelock_unix.go). Here there is none, so it orders
// the callers of this process only, as a MutexLocker; concurrent processes
// may each refresh, and the loser's refresh token is then refused
// (invalid_grant) and it must sign in again.
type FileLocker struct {
	Dir  string
	Poll time.Duration

	local MutexLocker
}

// Lock takes key within this process.
func (l *FileLocker) Lock(ctx context.Context, key string) (func(), error) {
	return l.local.Lock(ctx, key)
}

var _ Locker = (*FileLocker)(nil)
