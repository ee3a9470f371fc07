package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// The examples of FIPS 180-2 Appendix B and NIST's published SHA-256
// values, on both paths (sum256 and Sum256, which is crypto/sha256
// natively and sum256 in a js/wasm build).
func TestKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"a million a", strings.Repeat("a", 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
	} {
		for _, f := range []struct {
			name string
			fn   func([]byte) [Size]byte
		}{{"sum256", sum256}, {"Sum256", Sum256}} {
			got := f.fn([]byte(tc.in))
			if h := hex.EncodeToString(got[:]); h != tc.want {
				t.Errorf("%s %s: got %s, want %s", f.name, tc.name, h, tc.want)
			}
		}
	}
}

// Every length around the padding boundaries (55, 56, 63, 64 octets and
// their multiples) and random contents equal crypto/sha256.
func TestEqualsCryptoSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := sum256(b), sha256.Sum256(b); got != want {
			t.Fatalf("length %d: sum256 %x, crypto/sha256 %x", n, got, want)
		}
		if got, want := Sum256(b), sha256.Sum256(b); got != want {
			t.Fatalf("length %d: Sum256 %x, crypto/sha256 %x", n, got, want)
		}
	}
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("abc"))
	f.Add(bytes.Repeat([]byte{0xff}, 55))
	f.Add(bytes.Repeat([]byte{0x80}, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := sum256(b), sha256.Sum256(b); got != want {
			t.Fatalf("sum256(%x) = %x, crypto/sha256 %x", b, got, want)
		}
	})
}
