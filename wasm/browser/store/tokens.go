package store

import (
	"context"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
)

// Sealer is the sign-in core's: package auth seals the values it keeps
// secret with it. The browser's is WebCryptoSealer.
type Sealer = signin.Sealer

// Change is what one tab tells the others after it stored or ended a
// session (issue 5, "Storage and tabs"): the session's ID, and for a
// stored one the new access token (kept in memory only, never stored)
// with the fingerprint of the refresh token it goes with. The refresh
// token itself never leaves the Store.
type Change struct {
	Key         string `json:"key"`
	Deleted     bool   `json:"deleted,omitempty"`
	AccessToken string `json:"accessToken,omitempty"`
	RefreshHash string `json:"refreshHash,omitempty"`
}

// Tokens is the browser's auth.AccessTokens: a tab's access tokens in
// memory, each with the fingerprint of the refresh token it goes with, and
// what the other tabs announce. A session read back gets its access token
// from here only when it goes with the stored refresh token; otherwise it
// comes back with none, and the token source refreshes it. So no tab ever
// sends a refresh token another tab rotated away: it always reads the
// newest one from the Store under the lock.
//
// Tokens knows nothing of the Store: package auth hands it IDs, tokens and
// fingerprints.
type Tokens struct {
	// OnChange, when set, is called after Keep and Forget, to announce the
	// change to other tabs.
	OnChange func(Change)
	// HandoffWait is how long Recall waits for another tab's announcement
	// (Remember) of an access token when the session's refresh token
	// changed since this tab last saw it and it does not have the access
	// token. The writer announces before it gives up the refresh lock, but
	// the BroadcastChannel message and the lock grant reach this tab in
	// either order; without the wait the second tab of a simultaneous
	// refresh would spend the new refresh token at once (a second refresh
	// for one rotation). Zero: no wait (no channel).
	HandoffWait time.Duration

	mu      sync.Mutex
	tokens  map[string]memToken // session ID → access token in memory
	seen    map[string]string   // session ID → refresh fingerprint last seen here
	arrived chan struct{}       // closed and replaced by every Remember
}

type memToken struct {
	access      string
	refreshHash string
}

// Keep holds the access token of session id that goes with the refresh
// token fingerprinted refresh, and announces it.
func (s *Tokens) Keep(id, access, refresh string) {
	c := Change{Key: id, AccessToken: access, RefreshHash: refresh}
	s.Remember(c)
	s.announce(c)
}

// Forget drops session id's access token and announces that the session
// ended.
func (s *Tokens) Forget(id string) {
	c := Change{Key: id, Deleted: true}
	s.Remember(c)
	s.announce(c)
}

// Recall returns the access token in memory of session id that goes with
// the refresh token fingerprinted refresh, waiting up to HandoffWait for
// another tab's announcement when the refresh token rotated since this tab
// last saw it.
func (s *Tokens) Recall(ctx context.Context, id, refresh string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.seen[id]
	if s.seen == nil {
		s.seen = map[string]string{}
	}
	s.seen[id] = refresh
	var timeout <-chan time.Time
	for {
		if t, ok := s.tokens[id]; ok && t.refreshHash == refresh {
			return t.access, true
		}
		if last == "" || last == refresh || s.HandoffWait <= 0 {
			return "", false
		}
		if timeout == nil {
			timer := time.NewTimer(s.HandoffWait)
			defer timer.Stop()
			timeout = timer.C
		}
		if s.arrived == nil {
			s.arrived = make(chan struct{})
		}
		wait := s.arrived
		s.mu.Unlock()
		select {
		case <-wait:
			s.mu.Lock()
		case <-timeout:
			s.mu.Lock()
			last = "" // one more look, then give up
		case <-ctx.Done():
			s.mu.Lock()
			return "", false
		}
	}
}

// Remember applies a Change, one of this tab's or another tab's, to the
// access tokens in memory.
func (s *Tokens) Remember(c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.arrived != nil {
		close(s.arrived)
		s.arrived = nil
	}
	if c.Deleted {
		delete(s.tokens, c.Key)
		delete(s.seen, c.Key)
		return
	}
	if s.tokens == nil {
		s.tokens = map[string]memToken{}
	}
	if s.seen == nil {
		s.seen = map[string]string{}
	}
	s.tokens[c.Key] = memToken{access: c.AccessToken, refreshHash: c.RefreshHash}
	s.seen[c.Key] = c.RefreshHash
}

func (s *Tokens) announce(c Change) {
	if s.OnChange != nil {
		s.OnChange(c)
	}
}
