// Package storetest checks that a Store keeps the promises of
// signin.Store, as hackpadfs's fstest does for its file systems: every
// implementation (memory, hackpadfs files, the browser's IndexedDB) runs
// the one suite, so they cannot drift apart. It also has the Sealer the
// tests of sealed values share.
package storetest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/mxauth/mxauth/auth/signin"
)

// Store is the interface under test.
type Store = signin.Store

// Run runs the suite; open returns a new, empty Store for each subtest.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Missing", testMissing},
		{"RoundTrip", testRoundTrip},
		{"Copies", testCopies},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"Keys", testKeys},
		{"ConcurrentPuts", testConcurrentPuts},
		{"AtomicPut", testAtomicPut},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// keys are the kinds of key mxauth writes, and some it does not but a
// Store must still keep apart: a temporary file's suffix, dots, a
// percent sign, non-ASCII, the empty key.
var keys = []string{
	"sessions/3bb5dfaa8e86411701060701", "pending/STATE", "current-session",
	"discovery/example.org:8448", "discovery/https%3A%2F%2Fm.org", "clients/https://auth.example.org/",
	"odd key/with ünïcode.tmp", ".hidden", "a.b", "", "%", "%25",
}

func mustGet(t *testing.T, s Store, key string) []byte {
	t.Helper()
	v, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v
}

func mustPut(t *testing.T, s Store, key string, value []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, value); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustKeys(t *testing.T, s Store, prefix string) []string {
	t.Helper()
	k, err := s.Keys(context.Background(), prefix)
	if err != nil {
		t.Fatalf("Keys(%q): %v", prefix, err)
	}
	return k
}

func testMissing(t *testing.T, s Store) {
	if v, err := s.Get(context.Background(), "sessions/missing"); v != nil || err != nil {
		t.Errorf("Get of a missing key = %q, %v; want nil, nil", v, err)
	}
	if k := mustKeys(t, s, ""); len(k) != 0 {
		t.Errorf("Keys of an empty Store = %q", k)
	}
	if err := s.Delete(context.Background(), "sessions/missing"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
}

func testRoundTrip(t *testing.T, s Store) {
	values := map[string][]byte{}
	for i, k := range keys {
		v := []byte(fmt.Sprintf("value %d of %q", i, k))
		switch i {
		case 0:
			v = []byte{} // empty, but there: not missing
		case 1:
			v = []byte{0, 1, 2, 0xff, '\n', 0} // not text
		case 2:
			v = bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
		}
		values[k] = v
		mustPut(t, s, k, v)
	}
	for k, want := range values {
		got := mustGet(t, s, k)
		if got == nil {
			t.Errorf("Get(%q) = nil after Put of %d bytes; only a missing key is nil", k, len(want))
		} else if !bytes.Equal(got, want) {
			t.Errorf("Get(%q) = %.40q (%d bytes), want %.40q (%d bytes)", k, got, len(got), want, len(want))
		}
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if got := mustKeys(t, s, ""); !slices.Equal(got, want) {
		t.Errorf("Keys(\"\") = %q, want %q", got, want)
	}
}

func testCopies(t *testing.T, s Store) {
	v := []byte("original")
	mustPut(t, s, "k", v)
	copy(v, "CHANGED!")
	got := mustGet(t, s, "k")
	if string(got) != "original" {
		t.Fatalf("a change to the slice after Put reached the Store: %q", got)
	}
	copy(got, "CHANGED!")
	if again := mustGet(t, s, "k"); string(again) != "original" {
		t.Errorf("a change to the slice Get returned reached the Store: %q", again)
	}
}

func testOverwrite(t *testing.T, s Store) {
	mustPut(t, s, "sessions/a", []byte("a much longer first value"))
	mustPut(t, s, "sessions/a", []byte("second"))
	if got := mustGet(t, s, "sessions/a"); string(got) != "second" {
		t.Errorf("after two Puts Get = %q, want the second value whole", got)
	}
	if got := mustKeys(t, s, ""); !slices.Equal(got, []string{"sessions/a"}) {
		t.Errorf("after two Puts Keys = %q, want one key", got)
	}
}

func testDelete(t *testing.T, s Store) {
	mustPut(t, s, "sessions/a", []byte("a"))
	mustPut(t, s, "sessions/b", []byte("b"))
	if err := s.Delete(context.Background(), "sessions/a"); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "sessions/a"); got != nil {
		t.Errorf("Get of a deleted key = %q", got)
	}
	if got := mustGet(t, s, "sessions/b"); string(got) != "b" {
		t.Errorf("Delete of another key changed this one: %q", got)
	}
	if got := mustKeys(t, s, ""); !slices.Equal(got, []string{"sessions/b"}) {
		t.Errorf("Keys after Delete = %q", got)
	}
	if err := s.Delete(context.Background(), "sessions/a"); err != nil {
		t.Errorf("a second Delete: %v", err)
	}
	mustPut(t, s, "sessions/a", []byte("again"))
	if got := mustGet(t, s, "sessions/a"); string(got) != "again" {
		t.Errorf("Put after Delete: Get = %q", got)
	}
}

func testKeys(t *testing.T, s Store) {
	for _, k := range []string{"sessions/b", "sessions/a", "sessions", "session-x", "pending/z", "sessions/a/b", "sessionsX"} {
		mustPut(t, s, k, []byte(k))
	}
	for _, tt := range []struct {
		prefix string
		want   []string
	}{
		{"sessions/", []string{"sessions/a", "sessions/a/b", "sessions/b"}},
		{"sessions", []string{"sessions", "sessions/a", "sessions/a/b", "sessions/b", "sessionsX"}},
		{"pending/", []string{"pending/z"}},
		{"sessions/a", []string{"sessions/a", "sessions/a/b"}},
		{"nothing/", nil},
	} {
		got := mustKeys(t, s, tt.prefix)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Keys(%q) = %q, want %q (sorted)", tt.prefix, got, tt.want)
		}
	}
}

// testConcurrentPuts: Puts of many keys at once all land.
func testConcurrentPuts(t *testing.T, s Store) {
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Put(context.Background(), fmt.Sprintf("discovery/%02d", i), []byte{byte(i)})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := mustKeys(t, s, "discovery/")
	if len(got) != n {
		t.Errorf("after %d concurrent Puts Keys = %q", n, got)
	}
	for i := range n {
		if v := mustGet(t, s, fmt.Sprintf("discovery/%02d", i)); !bytes.Equal(v, []byte{byte(i)}) {
			t.Errorf("key %d = %v", i, v)
		}
	}
}

// testAtomicPut: while writers replace a value, a reader sees one of the
// values whole, never a mix, a truncation or a missing key (signin.Store:
// "Put must be atomic").
func testAtomicPut(t *testing.T, s Store) {
	ctx := context.Background()
	value := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 4096+i*512) }
	mustPut(t, s, "sessions/x", value(0))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := s.Put(ctx, "sessions/x", value(w)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			v, err := s.Get(ctx, "sessions/x")
			if err != nil {
				t.Error(err)
				return
			}
			if !whole(v, value) {
				t.Errorf("a reader saw %d bytes starting %.8q: not one value whole", len(v), v)
				return
			}
			// js/wasm has one thread and no preemption: a reader that
			// never blocks would keep the writers from ever running.
			runtime.Gosched()
		}
	}()
	wg.Wait()
	close(stop)
	<-readerDone
	if k := mustKeys(t, s, ""); !slices.Equal(k, []string{"sessions/x"}) {
		t.Errorf("after concurrent Puts of one key Keys = %q", k)
	}
	if v := mustGet(t, s, "sessions/x"); !whole(v, value) || bytes.Equal(v, value(0)) {
		t.Errorf("the final value (%d bytes) is not one of the values the writers wrote", len(v))
	}
}

func whole(v []byte, value func(int) []byte) bool {
	for i := range 4 {
		if bytes.Equal(v, value(i)) {
			return true
		}
	}
	return false
}

// Sealer is a signin.Sealer as the browser's WebCrypto one: AES-GCM, the
// 12-byte random nonce in front of the ciphertext.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer with key (16 or 32 bytes), or a random
// 256-bit key when key is nil.
func NewSealer(t testing.TB, key []byte) *Sealer {
	t.Helper()
	if key == nil {
		key = make([]byte, 32)
		rand.Read(key)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return &Sealer{a}
}

// Seal encrypts plain with ad.
func (g *Sealer) Seal(_ context.Context, plain, ad []byte) ([]byte, error) {
	iv := make([]byte, g.aead.NonceSize())
	rand.Read(iv)
	return g.aead.Seal(iv, iv, plain, ad), nil
}

// Open decrypts what Seal made with the same ad.
func (g *Sealer) Open(_ context.Context, sealed, ad []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed value too short")
	}
	return g.aead.Open(nil, sealed[:n], sealed[n:], ad)
}
