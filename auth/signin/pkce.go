package signin

import (
	"encoding/base64"
	"io"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/digest"
)

// newVerifier makes a PKCE code verifier (RFC 7636 §4.1): 32 octets from
// the Client's random source (crypto/rand natively, as in
// oauth2.GenerateVerifier), base64url without padding, 43 characters of
// the unreserved set. It is written out here because x/oauth2 links
// net/http; a test holds it to oauth2.GenerateVerifier's form.
func (c *Client) newVerifier() (string, error) {
	return verifierFrom(c.random())
}

func verifierFrom(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", autherr.New(autherr.InvalidInput, "random", "the random source failed: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// s256Challenge is the S256 code challenge of verifier (RFC 7636 §4.2):
// BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), without padding. A test
// holds it equal to oauth2.S256ChallengeFromVerifier.
func s256Challenge(verifier string) string {
	h := digest.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
