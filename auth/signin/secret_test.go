package signin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/auth/signin/storetest"
)

// The sealed format the browser has stored since issue 12: a marker, then
// the signin.Sealer's output for the value with its store key as associated data.
var sealedMagic = []byte("mxseal2:")

func keyAD(key string) []byte { return []byte("mxauth store key\n" + key) }

// sessionAt returns a session value and the key it is stored under
// (signin.SessionID), as package auth writes it.
func sessionAt(t *testing.T, user string) (string, []byte) {
	t.Helper()
	const issuer, device = "https://auth.example.org/", "DEVICEID01"
	b, err := json.Marshal(map[string]string{"userId": user, "deviceId": device, "issuer": issuer, "refreshToken": "mar_" + user})
	if err != nil {
		t.Fatal(err)
	}
	return signin.SessionPrefix + signin.SessionID(issuer, user, device), b
}

// TestSecretsSealed: with a signin.Sealer, what PutSecret writes holds nothing in
// plain text and reads back; without one it is stored as it is. Values
// the signin.Client does not mark secret never meet the signin.Sealer.
func TestSecretsSealed(t *testing.T) {
	ctx := context.Background()
	_, value := sessionAt(t, "@alice:example.org")
	for _, tt := range []struct {
		name   string
		sealer signin.Sealer
	}{{"sealer", storetest.NewSealer(t, nil)}, {"none", nil}} {
		t.Run(tt.name, func(t *testing.T) {
			backing := signin.NewMemoryStore()
			c := &signin.Client{Store: backing, Sealer: tt.sealer}
			if err := c.PutSecret(ctx, "sessions/abc", value); err != nil {
				t.Fatal(err)
			}
			raw, _ := backing.Get(ctx, "sessions/abc")
			plain := bytes.Contains(raw, []byte("mar_@alice"))
			if plain != (tt.sealer == nil) {
				t.Errorf("stored %q: plain = %v", raw, plain)
			}
			if tt.sealer != nil && !bytes.HasPrefix(raw, sealedMagic) {
				t.Errorf("stored value does not start with the seal marker")
			}
			if got, err := c.GetSecret(ctx, "sessions/abc"); err != nil || !bytes.Equal(got, value) {
				t.Errorf("GetSecret = %s, %v; want %s", got, err, value)
			}
			if got, err := c.GetSecret(ctx, "sessions/missing"); got != nil || err != nil {
				t.Errorf("GetSecret of a missing key = %s, %v", got, err)
			}
		})
	}
}

// TestSecretsDamaged: a value sealed under a lost key, or left in plain
// text, reads as missing and is removed.
func TestSecretsDamaged(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	c := &signin.Client{Store: backing, Sealer: storetest.NewSealer(t, nil)}
	other := &signin.Client{Store: backing, Sealer: storetest.NewSealer(t, nil)}
	_, value := sessionAt(t, "@alice:example.org")
	if err := other.PutSecret(ctx, "sessions/lost", value); err != nil {
		t.Fatal(err)
	}
	lost, _ := backing.Get(ctx, "sessions/lost")
	for name, v := range map[string][]byte{
		"another key's seal": lost,
		"legacy garbage":     []byte("mxseal1:garbage"),
		"version 2 garbage":  []byte("mxseal2:garbage"),
		"plain text":         value,
	} {
		backing.Put(ctx, "sessions/x", v)
		if got, err := c.GetSecret(ctx, "sessions/x"); got != nil || err != nil {
			t.Errorf("%s: GetSecret = %s, %v; want nil, nil", name, got, err)
		}
		if raw, _ := backing.Get(ctx, "sessions/x"); raw != nil {
			t.Errorf("%s: the unreadable value was kept", name)
		}
	}
}

// TestSecretsBoundToKeys (issue 12): a sealed value copied to another key
// does not open there: it reads as missing and is removed, while the
// original still opens.
func TestSecretsBoundToKeys(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	c := &signin.Client{Store: backing, Sealer: storetest.NewSealer(t, nil)}
	alice, aliceValue := sessionAt(t, "@alice:example.org")
	bob, _ := sessionAt(t, "@bob:example.org")
	tests := []struct {
		name     string
		from, to string
		value    []byte
	}{
		{"session to another session", alice, bob, aliceValue},
		{"pending login to another state", "pending/STATE1", "pending/STATE2", []byte(`{"state":"STATE1","verifier":"v"}`)},
		{"pending login to a session", "pending/STATE1", bob, []byte(`{"state":"STATE1","verifier":"v"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.PutSecret(ctx, tt.from, tt.value); err != nil {
				t.Fatal(err)
			}
			raw, _ := backing.Get(ctx, tt.from)
			backing.Put(ctx, tt.to, raw)
			if got, err := c.GetSecret(ctx, tt.to); got != nil || err != nil {
				t.Errorf("the copy at %s opened: %s, %v", tt.to, got, err)
			}
			if raw, _ := backing.Get(ctx, tt.to); raw != nil {
				t.Errorf("the copy at %s was kept", tt.to)
			}
			if got, _ := c.GetSecret(ctx, tt.from); got == nil {
				t.Errorf("the original at %s no longer opens", tt.from)
			}
		})
	}
}

// TestSecretsMigrateLegacySeal: a value an older build sealed without
// associated data ("mxseal1:") still opens once, where it belongs, and is
// sealed again with its key in place, so an upgrade signs nobody out. A
// legacy value that names another key (copied there) reads as missing.
func TestSecretsMigrateLegacySeal(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	sealer := storetest.NewSealer(t, nil)
	c := &signin.Client{Store: backing, Sealer: sealer}
	legacy := func(plain []byte) []byte {
		ct, err := sealer.Seal(ctx, plain, nil)
		if err != nil {
			t.Fatal(err)
		}
		return append([]byte("mxseal1:"), ct...)
	}
	alice, aliceValue := sessionAt(t, "@alice:example.org")
	bob, _ := sessionAt(t, "@bob:example.org")
	pending := []byte(`{"state":"STATE1","verifier":"v"}`)
	tests := []struct {
		name  string
		key   string
		value []byte
		opens bool
	}{
		{"a session at its key", alice, aliceValue, true},
		{"a pending login at its state", "pending/STATE1", pending, true},
		{"a session copied to another's key", bob, aliceValue, false},
		{"a pending login copied to another state", "pending/STATE2", pending, false},
		{"a pending login without a state", "pending/STATE3", []byte(`{"verifier":"v"}`), false},
		{"not JSON", alice, []byte("nope"), false},
		{"another kind of key", "discovery/example.org", pending, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backing.Put(ctx, tt.key, legacy(tt.value))
			got, err := c.GetSecret(ctx, tt.key)
			raw, _ := backing.Get(ctx, tt.key)
			if !tt.opens {
				if got != nil || err != nil || raw != nil {
					t.Errorf("got %s, %v (stored %q); want missing and removed", got, err, raw)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.value) {
				t.Fatalf("got %s, %v; want %s", got, err, tt.value)
			}
			if !bytes.HasPrefix(raw, sealedMagic) {
				t.Errorf("stored %q after the read, want it sealed again as version 2", raw[:8])
			}
			if plain, err := sealer.Open(ctx, raw[len(sealedMagic):], keyAD(tt.key)); err != nil || !bytes.Equal(plain, tt.value) {
				t.Errorf("the migrated value does not open with its key: %s, %v", plain, err)
			}
			if again, _ := c.GetSecret(ctx, tt.key); !bytes.Equal(again, got) {
				t.Errorf("second read %s, want %s", again, got)
			}
		})
	}
}

// TestSecretsCancelled: a read cancelled while the signin.Sealer opens a value
// keeps the value (it is not damaged, the caller went away).
func TestSecretsCancelled(t *testing.T) {
	backing := signin.NewMemoryStore()
	c := &signin.Client{Store: backing, Sealer: cancelSealer{}}
	backing.Put(context.Background(), "pending/S", append([]byte("mxseal2:"), "x"...))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetSecret(ctx, "pending/S"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetSecret = %v, want context.Canceled", err)
	}
	if raw, _ := backing.Get(context.Background(), "pending/S"); raw == nil {
		t.Errorf("a cancelled read removed the value")
	}
}

type cancelSealer struct{}

func (cancelSealer) Seal(ctx context.Context, p, _ []byte) ([]byte, error) { return p, ctx.Err() }
func (cancelSealer) Open(ctx context.Context, s, _ []byte) ([]byte, error) { return nil, ctx.Err() }

// tornStore answers the first Get of a key with a torn value, as
// hackpadfs's IndexedDB file system can while another tab renames a file
// over it.
type tornStore struct {
	*signin.MemoryStore
	torn []byte
}

func (s *tornStore) Get(ctx context.Context, key string) ([]byte, error) {
	if t := s.torn; t != nil {
		s.torn = nil
		return t, nil
	}
	return s.MemoryStore.Get(ctx, key)
}

// TestSecretsTornRead: a value that does not open but reads differently
// the second time was being written: it is read again, not deleted.
func TestSecretsTornRead(t *testing.T) {
	ctx := context.Background()
	backing := &tornStore{MemoryStore: signin.NewMemoryStore()}
	c := &signin.Client{Store: backing, Sealer: storetest.NewSealer(t, nil)}
	key, value := sessionAt(t, "@alice:example.org")
	if err := c.PutSecret(ctx, key, value); err != nil {
		t.Fatal(err)
	}
	whole, _ := backing.MemoryStore.Get(ctx, key)
	backing.torn = whole[:len(whole)/2]
	if got, err := c.GetSecret(ctx, key); err != nil || !bytes.Equal(got, value) {
		t.Errorf("GetSecret after a torn read = %s, %v; want the value", got, err)
	}
	if raw, _ := backing.MemoryStore.Get(ctx, key); !bytes.Equal(raw, whole) {
		t.Errorf("a torn read changed the stored value")
	}
}

// TestFingerprint: the same token, the same fingerprint; another token,
// another; never the token itself, and short enough to keep around.
func TestFingerprint(t *testing.T) {
	a, b := signin.Fingerprint("mar_ONE"), signin.Fingerprint("mar_TWO")
	if a != signin.Fingerprint("mar_ONE") || a == b || a == signin.Fingerprint("") {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if len(a) != 32 || bytes.Contains([]byte(a), []byte("ONE")) {
		t.Errorf("fingerprint %q", a)
	}
}
