package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sync"
)

// signingKey is the RS256 key that signs ID tokens, with its JWK key id.
type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
}

var (
	processKeyOnce sync.Once
	processKey     *rsa.PrivateKey
	processKeyErr  error
)

// loadSigningKey uses k, or a key generated once per process: RSA key
// generation costs tens of milliseconds, and tests start many sandboxes.
func loadSigningKey(k *rsa.PrivateKey) (*signingKey, error) {
	if k == nil {
		processKeyOnce.Do(func() {
			processKey, processKeyErr = rsa.GenerateKey(rand.Reader, 2048)
		})
		if processKeyErr != nil {
			return nil, fmt.Errorf("sandbox: generate signing key: %w", processKeyErr)
		}
		k = processKey
	}
	// The key id is the RFC 7638 thumbprint, so it is stable per key.
	thumb := sha256.Sum256([]byte(fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`,
		b64(big.NewInt(int64(k.E)).Bytes()), b64(k.N.Bytes()))))
	return &signingKey{priv: k, kid: b64(thumb[:])[:16]}, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwks serves the JSON Web Key Set (RFC 7517) at MAS's /oauth2/keys.json.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	pub := s.key.priv.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{
		"keys": []map[string]string{{
			"kty": "RSA",
			"use": "sig",
			"alg": "RS256",
			"kid": s.key.kid,
			"n":   b64(pub.N.Bytes()),
			"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
		}},
	})
}

// signJWT makes a compact JWS (RFC 7515) over claims with RS256 (RFC 7518
// §3.3) and the key's kid in the header.
func (k *signingKey) signJWT(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": k.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signingInput := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

// halfHash is the at_hash / c_hash of OIDC Core §3.1.3.6: the left half of
// the SHA-256 of the ASCII value, base64url-encoded.
func halfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return b64(sum[:len(sum)/2])
}
