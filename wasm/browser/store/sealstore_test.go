package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
)

// gcmSealer is the native stand-in for WebCryptoSealer: AES-GCM with a
// random 12-byte nonce in front, the same layout.
type gcmSealer struct{ aead cipher.AEAD }

func newGCMSealer(t *testing.T) *gcmSealer {
	key := make([]byte, 32)
	rand.Read(key)
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return &gcmSealer{a}
}

func (g *gcmSealer) Seal(_ context.Context, plain, ad []byte) ([]byte, error) {
	iv := make([]byte, g.aead.NonceSize())
	rand.Read(iv)
	return g.aead.Seal(iv, iv, plain, ad), nil
}

func (g *gcmSealer) Open(_ context.Context, sealed, ad []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("short")
	}
	return g.aead.Open(nil, sealed[:n], sealed[n:], ad)
}

const testSession = `{"userId":"@alice:example.org","deviceId":"DEVICEID01","accessToken":"mat_ACCESS","refreshToken":"mar_REFRESH","expiresAt":123}`

func TestSessionStoreSealsAndStrips(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	var changes []Change
	s := &SessionStore{Store: backing, Sealer: newGCMSealer(t), OnChange: func(c Change) { changes = append(changes, c) }}

	if err := s.Put(ctx, "sessions/abc", []byte(testSession)); err != nil {
		t.Fatal(err)
	}
	raw, _ := backing.Get(ctx, "sessions/abc")
	for _, secret := range []string{"mat_ACCESS", "mar_REFRESH", "alice"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("stored value holds %q in plain text", secret)
		}
	}
	if !bytes.HasPrefix(raw, sealedMagic) {
		t.Errorf("stored value does not start with the seal marker")
	}
	got, err := s.Get(ctx, "sessions/abc")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(got, &m)
	if m["accessToken"] != "mat_ACCESS" || m["refreshToken"] != "mar_REFRESH" {
		t.Errorf("got %s, want both tokens back", got)
	}
	if len(changes) != 1 || changes[0].AccessToken != "mat_ACCESS" || changes[0].RefreshHash != RefreshHash("mar_REFRESH") {
		t.Errorf("changes = %+v", changes)
	}

	// Another tab over the same backing store (a reload, or a second tab
	// before the broadcast) has no access token in memory: the session
	// comes back without one.
	other := &SessionStore{Store: backing, Sealer: s.Sealer}
	got, _ = other.Get(ctx, "sessions/abc")
	m = nil
	json.Unmarshal(got, &m)
	if _, ok := m["accessToken"]; ok || m["refreshToken"] != "mar_REFRESH" {
		t.Errorf("other tab got %s, want the refresh token and no access token", got)
	}
	// The broadcast arrives: now it has it.
	other.Remember(changes[0])
	got, _ = other.Get(ctx, "sessions/abc")
	m = nil
	json.Unmarshal(got, &m)
	if m["accessToken"] != "mat_ACCESS" {
		t.Errorf("after Remember got %s", got)
	}
	// A rotation by the first tab: the other's memory token belongs to the
	// old refresh token and is not handed out with the new one.
	rotated := `{"userId":"@alice:example.org","accessToken":"mat_NEW","refreshToken":"mar_NEW"}`
	if err := s.Put(ctx, "sessions/abc", []byte(rotated)); err != nil {
		t.Fatal(err)
	}
	got, _ = other.Get(ctx, "sessions/abc")
	m = nil
	json.Unmarshal(got, &m)
	if _, ok := m["accessToken"]; ok || m["refreshToken"] != "mar_NEW" {
		t.Errorf("after rotation the other tab got %s", got)
	}

	if err := s.Delete(ctx, "sessions/abc"); err != nil {
		t.Fatal(err)
	}
	if last := changes[len(changes)-1]; !last.Deleted || last.Key != "sessions/abc" {
		t.Errorf("last change = %+v, want the deletion", last)
	}
	if got, _ := s.Get(ctx, "sessions/abc"); got != nil {
		t.Errorf("deleted session reads %s", got)
	}
}

func TestSessionStorePlainKeysAndDamage(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	s := &SessionStore{Store: backing, Sealer: newGCMSealer(t)}
	tests := []struct {
		name, key string
		sealed    bool
	}{
		{"discovery cache", "discovery/example.org", false},
		{"pending login", "pending/STATE", true},
		{"current session", "current-session", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(ctx, tt.key, []byte(`{"secret":"v"}`)); err != nil {
				t.Fatal(err)
			}
			raw, _ := backing.Get(ctx, tt.key)
			if got := !bytes.Contains(raw, []byte("secret")); got != tt.sealed {
				t.Errorf("sealed = %v, want %v", got, tt.sealed)
			}
			got, _ := s.Get(ctx, tt.key)
			if string(got) != `{"secret":"v"}` {
				t.Errorf("got %s", got)
			}
		})
	}

	// A value sealed under a lost key, or left in plain text, reads as
	// missing and is removed.
	for _, v := range []string{"mxseal1:garbage", testSession} {
		backing.Put(ctx, "sessions/x", []byte(v))
		if got, err := s.Get(ctx, "sessions/x"); got != nil || err != nil {
			t.Errorf("Get(%q) = %s, %v; want nil, nil", v, got, err)
		}
		if raw, _ := backing.Get(ctx, "sessions/x"); raw != nil {
			t.Errorf("the unreadable value %q was kept", v)
		}
	}
}

// Two tabs refresh at once: the second gets the lock after the first wrote
// the rotated session, but the first's announcement may arrive after that.
// With HandoffWait the second waits for it instead of refreshing again.
func TestSessionStoreHandoffWait(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	sealer := newGCMSealer(t)
	var announced []Change
	a := &SessionStore{Store: backing, Sealer: sealer, OnChange: func(c Change) { announced = append(announced, c) }}
	b := &SessionStore{Store: backing, Sealer: sealer, HandoffWait: 2 * time.Second}
	if err := a.Put(ctx, "sessions/abc", []byte(testSession)); err != nil {
		t.Fatal(err)
	}
	b.Remember(announced[0])
	if got, _ := b.Get(ctx, "sessions/abc"); !bytes.Contains(got, []byte("mat_ACCESS")) {
		t.Fatalf("b got %s, want the first access token", got)
	}

	rotated := `{"userId":"@alice:example.org","accessToken":"mat_NEW","refreshToken":"mar_NEW"}`
	if err := a.Put(ctx, "sessions/abc", []byte(rotated)); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		b.Remember(announced[1])
	}()
	start := time.Now()
	got, err := b.Get(ctx, "sessions/abc")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte("mat_NEW")) {
		t.Errorf("b got %s, want the rotated access token announced late", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("b waited %v, want about 50ms", d)
	}

	// No announcement comes: after HandoffWait the session reads without
	// an access token (the token source then refreshes).
	b.HandoffWait = 100 * time.Millisecond
	third := `{"userId":"@alice:example.org","accessToken":"mat_3","refreshToken":"mar_3"}`
	if err := a.Put(ctx, "sessions/abc", []byte(third)); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	got, _ = b.Get(ctx, "sessions/abc")
	if bytes.Contains(got, []byte("accessToken")) || !bytes.Contains(got, []byte("mar_3")) {
		t.Errorf("b got %s, want the refresh token and no access token", got)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > time.Second {
		t.Errorf("b waited %v, want HandoffWait", d)
	}
	// A store that never saw the session (a reload) does not wait.
	fresh := &SessionStore{Store: backing, Sealer: sealer, HandoffWait: time.Minute}
	start = time.Now()
	if got, _ := fresh.Get(ctx, "sessions/abc"); !bytes.Contains(got, []byte("mar_3")) {
		t.Errorf("fresh got %s", got)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a fresh store waited %v", d)
	}
}

// sessionAt returns a session value and the key it is stored under
// (signin.SessionID), as package auth writes it.
func sessionAt(t *testing.T, user string) (string, []byte) {
	t.Helper()
	const issuer, device = "https://auth.example.org/", "DEVICEID01"
	b, err := json.Marshal(map[string]string{"userId": user, "deviceId": device, "issuer": issuer, "refreshToken": "mar_" + user})
	if err != nil {
		t.Fatal(err)
	}
	return "sessions/" + signin.SessionID(issuer, user, device), b
}

// TestSessionStoreBindsValuesToKeys (issue 12): a sealed value copied to
// another key does not open there: it reads as missing and is removed,
// while the original still opens.
func TestSessionStoreBindsValuesToKeys(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	s := &SessionStore{Store: backing, Sealer: newGCMSealer(t)}
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
			if err := s.Put(ctx, tt.from, tt.value); err != nil {
				t.Fatal(err)
			}
			raw, _ := backing.Get(ctx, tt.from)
			if !bytes.HasPrefix(raw, sealedMagic) {
				t.Fatalf("stored %q, want the version 2 seal", raw[:8])
			}
			backing.Put(ctx, tt.to, raw)
			if got, err := s.Get(ctx, tt.to); got != nil || err != nil {
				t.Errorf("the copy at %s opened: %s, %v", tt.to, got, err)
			}
			if raw, _ := backing.Get(ctx, tt.to); raw != nil {
				t.Errorf("the copy at %s was kept", tt.to)
			}
			if got, _ := s.Get(ctx, tt.from); got == nil {
				t.Errorf("the original at %s no longer opens", tt.from)
			}
		})
	}
}

// TestSessionStoreMigratesLegacySeal: a value an older build sealed without
// associated data ("mxseal1:") still opens once, where it belongs, and is
// sealed again with its key in place, so an upgrade signs nobody out. A
// legacy value that names another key (copied there) reads as missing.
func TestSessionStoreMigratesLegacySeal(t *testing.T) {
	ctx := context.Background()
	backing := signin.NewMemoryStore()
	sealer := newGCMSealer(t)
	s := &SessionStore{Store: backing, Sealer: sealer}
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backing.Put(ctx, tt.key, legacy(tt.value))
			got, err := s.Get(ctx, tt.key)
			raw, _ := backing.Get(ctx, tt.key)
			if !tt.opens {
				if got != nil || err != nil || raw != nil {
					t.Errorf("got %s, %v (stored %q); want missing and removed", got, err, raw)
				}
				return
			}
			var want, have map[string]any
			json.Unmarshal(tt.value, &want)
			json.Unmarshal(got, &have)
			if err != nil || have["verifier"] != want["verifier"] || have["userId"] != want["userId"] || have["refreshToken"] != want["refreshToken"] {
				t.Fatalf("got %s, %v; want %s", got, err, tt.value)
			}
			if !bytes.HasPrefix(raw, sealedMagic) {
				t.Errorf("stored %q after the read, want it sealed again as version 2", raw[:8])
			}
			if plain, err := sealer.Open(ctx, raw[len(sealedMagic):], keyAD(tt.key)); err != nil || !bytes.Contains(plain, []byte(`"verifier":"v"`)) && !bytes.Contains(plain, []byte("mar_@alice")) {
				t.Errorf("the migrated value does not open with its key: %s, %v", plain, err)
			}
			if again, _ := s.Get(ctx, tt.key); !bytes.Equal(again, got) {
				t.Errorf("second read %s, want %s", again, got)
			}
		})
	}
}
