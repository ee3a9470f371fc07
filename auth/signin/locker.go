package signin

import (
	"context"
	"sync"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Locker serialises work on one key (a session's refresh) across everything
// that shares a Store. Lock blocks until the key is free or ctx is done and
// returns the function that frees it. The browser build implements it with
// the Web Locks API so that tabs of one origin take turns; MutexLocker is the
// in-process implementation.
type Locker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// MutexLocker is a Locker inside one process: one mutex per key, waited on
// with the context. The zero value is ready to use.
type MutexLocker struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when the holder unlocks
}

// Lock takes key, waiting while another holder has it.
func (l *MutexLocker) Lock(ctx context.Context, key string) (func(), error) {
	for {
		l.mu.Lock()
		if l.held == nil {
			l.held = map[string]chan struct{}{}
		}
		ch, busy := l.held[key]
		if !busy {
			mine := make(chan struct{})
			l.held[key] = mine
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					delete(l.held, key)
					l.mu.Unlock()
					close(mine)
				})
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, autherr.FromContext("lock", ctx.Err())
		}
	}
}
