package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// Sealer encrypts at rest the Store values a Client marks secret: sessions
// (the refresh token) and pending logins (the PKCE verifier and nonce).
// Discovery, registration and device records are public and stay plain.
// Open must fail unless given the ad (associated data) Seal was given; a
// nil ad is none. The browser's is AES-GCM under a non-extractable
// WebCrypto key; a Client without one stores its secrets as they are (a
// Go program keeps its Store where only it can read).
type Sealer interface {
	Seal(ctx context.Context, plain, ad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, ad []byte) ([]byte, error)
}

// sealedMagic starts every sealed value. Version 2 values are sealed with
// their store key as associated data (keyAD), so a value copied to another
// key does not open there: a pending login cannot be replayed as another,
// nor one session's record stand in for another's.
var sealedMagic = []byte("mxseal2:")

// legacyMagic starts values sealed by builds before issue 12, with no
// associated data. They are still read, once: a value that opens and names
// its own key (namesKey) is sealed again as version 2 in place, so an
// upgrade signs nobody out; one that names another key was moved, and
// reads as missing.
var legacyMagic = []byte("mxseal1:")

// keyAD is the associated data of the value at key.
func keyAD(key string) []byte { return []byte("mxauth store key\n" + key) }

// PutSecret writes value at key, sealed when the Client has a Sealer.
func (c *Client) PutSecret(ctx context.Context, key string, value []byte) error {
	c.init()
	if c.Sealer == nil {
		return c.store.Put(ctx, key, value)
	}
	ct, err := c.Sealer.Seal(ctx, value, keyAD(key))
	if err != nil {
		return err
	}
	return c.store.Put(ctx, key, append(append([]byte{}, sealedMagic...), ct...))
}

// GetSecret reads what PutSecret wrote at key; a missing key is (nil, nil).
// With a Sealer, a value that does not open (the sealing key was cleared,
// the value was copied here from another key, or it was left in plain
// text) is deleted and reads as missing: the person signs in again rather
// than being stuck. A value that changes between two reads was being
// written (by another tab, whose write the file system may show half
// done): it is read again, never deleted.
func (c *Client) GetSecret(ctx context.Context, key string) ([]byte, error) {
	c.init()
	b, err := c.store.Get(ctx, key)
	if err != nil || b == nil || c.Sealer == nil {
		return b, err
	}
	for range 3 {
		plain, err := c.open(ctx, key, b)
		if err == nil {
			return plain, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		again, gerr := c.store.Get(ctx, key)
		if gerr != nil || again == nil {
			return nil, gerr
		}
		if bytes.Equal(again, b) {
			_ = c.store.Delete(ctx, key)
			return nil, nil
		}
		b = again
	}
	return nil, errors.New("the value keeps changing under a read")
}

// open opens b, the value read at key, migrating a legacy one in place.
func (c *Client) open(ctx context.Context, key string, b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, sealedMagic):
		return c.Sealer.Open(ctx, b[len(sealedMagic):], keyAD(key))
	case bytes.HasPrefix(b, legacyMagic):
		plain, err := c.Sealer.Open(ctx, b[len(legacyMagic):], nil)
		if err != nil {
			return nil, err
		}
		if !namesKey(key, plain) {
			return nil, errors.New("a legacy sealed value names another key")
		}
		// Best effort: a failed write leaves the legacy value, which the
		// next read migrates again.
		_ = c.PutSecret(ctx, key, plain)
		return plain, nil
	}
	return nil, errors.New("a value that must be sealed is not")
}

// namesKey reports whether plain, a legacy value read at key, belongs
// there: a session's key is the ID of its issuer, user and device
// (SessionID), a pending login's is its state.
func namesKey(key string, plain []byte) bool {
	switch {
	case strings.HasPrefix(key, SessionPrefix):
		var s StoredSession
		if err := json.Unmarshal(plain, &s); err != nil {
			return false
		}
		return SessionPrefix+s.ID() == key
	case strings.HasPrefix(key, PendingPrefix):
		var p struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal(plain, &p); err != nil {
			return false
		}
		return p.State != "" && PendingPrefix+p.State == key
	}
	return false
}
