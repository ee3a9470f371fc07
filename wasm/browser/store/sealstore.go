package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/digest"
	"github.com/mxauth/mxauth/auth/signin"
)

// Sealer encrypts values at rest, authenticating ad (associated data) with
// them: Open fails unless given the ad Seal was given. A nil ad is none.
// The browser's is AES-GCM under a non-extractable WebCrypto key
// (WebCryptoSealer); tests inject a Go one.
type Sealer interface {
	Seal(ctx context.Context, plain, ad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, ad []byte) ([]byte, error)
}

// Store keys whose values SessionStore seals: sessions (the refresh token)
// and pending logins (the PKCE verifier and nonce). Discovery and
// registration caches are public and stay plain.
const (
	sessionPrefix     = "sessions/"
	pendingPrefix     = "pending/"
	currentSessionKey = "current-session"
)

// sealedMagic starts every sealed value, so a plain value left by an older
// build is recognised and never handed to the Sealer. Values of version 2
// are sealed with their store key as associated data (keyAD), so a value
// copied to another key does not open there: a pending login cannot be
// replayed as another, nor one session's record stand in for another's.
var sealedMagic = []byte("mxseal2:")

// legacyMagic starts values sealed by older builds, with no associated
// data. They are still read, once: a value that opens and names its own
// key (namesKey) is sealed again as version 2 in place, so an upgrade never
// signs anyone out; one that names another key was moved, and reads as
// missing.
var legacyMagic = []byte("mxseal1:")

// keyAD is the associated data of the value at key.
func keyAD(key string) []byte { return []byte("mxauth store key\n" + key) }

// namesKey reports whether plain, a legacy value read at key, belongs
// there: a session's key is the ID of its issuer, user and device
// (signin.SessionID), a pending login's is its state.
func namesKey(key string, plain []byte) bool {
	switch {
	case strings.HasPrefix(key, sessionPrefix):
		var s signin.StoredSession
		if err := json.Unmarshal(plain, &s); err != nil {
			return false
		}
		return sessionPrefix+s.ID() == key
	case strings.HasPrefix(key, pendingPrefix):
		var p struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal(plain, &p); err != nil {
			return false
		}
		return p.State != "" && pendingPrefix+p.State == key
	}
	return false
}

// Change is what one tab tells the others after it wrote or deleted a
// session (issue 5, "Storage and tabs"): the session's key, and for a write
// the new access token (kept in memory only, never stored) with a hash of
// the refresh token it belongs to. The refresh token itself never leaves
// the Store.
type Change struct {
	Key         string `json:"key"`
	Deleted     bool   `json:"deleted,omitempty"`
	AccessToken string `json:"accessToken,omitempty"`
	RefreshHash string `json:"refreshHash,omitempty"`
}

// SessionStore is the auth.Store of the browser build around a persistent
// Store (the IndexedDB one): session and pending-login values are sealed
// before they are written, and a session's access token is taken out and
// kept in this memory only. A session read back gets its access token from
// memory when that token belongs to the stored refresh token (same hash);
// otherwise it comes back with none, and the token source refreshes it.
// So no tab ever sends a refresh token another tab rotated away: it always
// reads the newest one from the Store under the lock.
type SessionStore struct {
	// Store holds the sealed values. Required.
	Store signin.Store
	// Sealer seals and opens them. Required.
	Sealer Sealer
	// OnChange, when set, is called after this store wrote or deleted a
	// session or the current-session mark, to announce it to other tabs.
	OnChange func(Change)
	// HandoffWait is how long Get waits for another tab's announcement
	// (Remember) of an access token when it reads a session whose refresh
	// token changed since this store last saw it and whose access token it
	// does not have. The writer announces before it gives up the refresh
	// lock, but the BroadcastChannel message and the lock grant reach this
	// tab in either order; without the wait the second tab of a
	// simultaneous refresh would spend the new refresh token at once (a
	// second refresh for one rotation). Zero: no wait (no channel).
	HandoffWait time.Duration

	mu      sync.Mutex
	tokens  map[string]memToken // session key → access token in memory
	seen    map[string]string   // session key → refresh hash last seen here
	arrived chan struct{}       // closed and replaced by every Remember
}

type memToken struct {
	access      string
	refreshHash string
}

// RefreshHash is the hash Change carries for a refresh token.
func RefreshHash(refresh string) string {
	h := digest.Sum256([]byte("mxauth refresh\n" + refresh))
	return hex.EncodeToString(h[:16])
}

func sealed(key string) bool {
	return strings.HasPrefix(key, sessionPrefix) || strings.HasPrefix(key, pendingPrefix)
}

// Get reads key, opening sealed values. A value that no longer opens (the
// key in IndexedDB was cleared, or it was copied here from another key) is
// deleted and reads as missing: the person signs in again rather than being
// stuck. A legacy value (legacyMagic) that opens and belongs here is sealed
// again with its key on the way.
func (s *SessionStore) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.Store.Get(ctx, key)
	if err != nil || b == nil || !sealed(key) {
		return b, err
	}
	var plain []byte
	switch {
	case bytes.HasPrefix(b, sealedMagic):
		plain, err = s.Sealer.Open(ctx, b[len(sealedMagic):], keyAD(key))
	case bytes.HasPrefix(b, legacyMagic):
		plain, err = s.Sealer.Open(ctx, b[len(legacyMagic):], nil)
		if err == nil && !namesKey(key, plain) {
			err = errors.New("browser: a legacy sealed value names another key")
		}
		if err == nil {
			// Best effort: a failed write leaves the legacy value, which
			// the next read migrates again.
			if ct, serr := s.Sealer.Seal(ctx, plain, keyAD(key)); serr == nil {
				_ = s.Store.Put(ctx, key, append(append([]byte{}, sealedMagic...), ct...))
			}
		}
	default:
		err = errors.New("browser: a value that must be sealed is not")
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		_ = s.Store.Delete(ctx, key)
		return nil, nil
	}
	if !strings.HasPrefix(key, sessionPrefix) {
		return plain, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(plain, &m); err != nil {
		return plain, nil // auth reports the damage
	}
	delete(m, "accessToken")
	if access, ok := s.accessFor(ctx, key, RefreshHash(stringField(m, "refreshToken"))); ok {
		m["accessToken"], _ = json.Marshal(access)
	}
	return json.Marshal(m)
}

// accessFor returns the access token in memory that belongs to the
// refresh token hashed h, waiting up to HandoffWait for another tab's
// announcement when the refresh token rotated since this store last saw
// it.
func (s *SessionStore) accessFor(ctx context.Context, key, h string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.seen[key]
	if s.seen == nil {
		s.seen = map[string]string{}
	}
	s.seen[key] = h
	var timeout <-chan time.Time
	for {
		if t, ok := s.tokens[key]; ok && t.refreshHash == h {
			return t.access, true
		}
		if last == "" || last == h || s.HandoffWait <= 0 {
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

// Put seals and writes value; for a session it keeps the access token in
// memory and writes the rest.
func (s *SessionStore) Put(ctx context.Context, key string, value []byte) error {
	if !sealed(key) {
		if err := s.Store.Put(ctx, key, value); err != nil {
			return err
		}
		if key == currentSessionKey {
			s.announce(Change{Key: key})
		}
		return nil
	}
	var change *Change
	if strings.HasPrefix(key, sessionPrefix) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(value, &m); err != nil {
			return errors.New("browser: a session value is not a JSON object")
		}
		c := Change{Key: key, AccessToken: stringField(m, "accessToken"), RefreshHash: RefreshHash(stringField(m, "refreshToken"))}
		change = &c
		delete(m, "accessToken")
		v, err := json.Marshal(m)
		if err != nil {
			return err
		}
		value = v
	}
	ct, err := s.Sealer.Seal(ctx, value, keyAD(key))
	if err != nil {
		return err
	}
	if err := s.Store.Put(ctx, key, append(append([]byte{}, sealedMagic...), ct...)); err != nil {
		return err
	}
	if change != nil {
		s.Remember(*change)
		s.announce(*change)
	}
	return nil
}

// Delete removes key and, for a session, its access token in memory.
func (s *SessionStore) Delete(ctx context.Context, key string) error {
	if err := s.Store.Delete(ctx, key); err != nil {
		return err
	}
	if strings.HasPrefix(key, sessionPrefix) || key == currentSessionKey {
		c := Change{Key: key, Deleted: true}
		s.Remember(c)
		s.announce(c)
	}
	return nil
}

// Keys lists the keys under prefix.
func (s *SessionStore) Keys(ctx context.Context, prefix string) ([]string, error) {
	return s.Store.Keys(ctx, prefix)
}

// Remember applies a Change, one of this store's or another tab's, to the
// access tokens in memory.
func (s *SessionStore) Remember(c Change) {
	if !strings.HasPrefix(c.Key, sessionPrefix) {
		return
	}
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

func (s *SessionStore) announce(c Change) {
	if s.OnChange != nil {
		s.OnChange(c)
	}
}

// stringField returns m[name] when it is a JSON string, else "".
func stringField(m map[string]json.RawMessage, name string) string {
	var v string
	if raw, ok := m[name]; ok {
		_ = json.Unmarshal(raw, &v)
	}
	return v
}
