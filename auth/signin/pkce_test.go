package signin

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// The PKCE lines written out here (RFC 7636 §4.1–4.2) must give what
// x/oauth2 gives: a verifier of GenerateVerifier's form, and the same S256
// challenge on the same verifier.
func TestPKCEMatchesOAuth2(t *testing.T) {
	form := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	theirs := oauth2.GenerateVerifier()
	if !form.MatchString(theirs) {
		t.Fatalf("oauth2.GenerateVerifier changed its form: %q", theirs)
	}
	c := &Client{Rand: rand.Reader}
	for i := 0; i < 50; i++ {
		v, err := c.newVerifier()
		if err != nil {
			t.Fatal(err)
		}
		if !form.MatchString(v) {
			t.Fatalf("verifier %q is not of GenerateVerifier's form", v)
		}
		// The same input through both.
		if got, want := s256Challenge(v), oauth2.S256ChallengeFromVerifier(v); got != want {
			t.Fatalf("challenge of %q: %q, oauth2 says %q", v, got, want)
		}
		if got, want := s256Challenge(theirs), oauth2.S256ChallengeFromVerifier(theirs); got != want {
			t.Fatalf("challenge of oauth2's %q: %q, oauth2 says %q", theirs, got, want)
		}
	}
	// GenerateVerifier is 32 octets of crypto/rand in base64url without
	// padding; verifierFrom on known octets must be exactly that.
	octets := make([]byte, 32)
	if _, err := rand.Read(octets); err != nil {
		t.Fatal(err)
	}
	v, err := verifierFrom(bytes.NewReader(octets))
	if err != nil || v != base64.RawURLEncoding.EncodeToString(octets) {
		t.Fatalf("verifierFrom = %q, %v", v, err)
	}
	// RFC 7636 Appendix B's example.
	if got := s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("RFC 7636 example: %q", got)
	}
	if _, err := verifierFrom(strings.NewReader("short")); err == nil {
		t.Error("a failing random source went unnoticed")
	}
}
