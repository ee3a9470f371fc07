package auth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileHS is a small homeserver + OAuth server on loopback whose every
// answer a test can replace: the stage for the hostile-answer suite. Unlike
// the sandbox it is written to lie.
type hostileHS struct {
	t   *testing.T
	srv *httptest.Server
	URL string

	mu       sync.Mutex
	over     map[string]http.Handler
	signer   *rsa.PrivateKey      // signs ID tokens; hostileKeys[0] is published
	claims   func(map[string]any) // edits the ID token claims
	answer   func(map[string]any) // edits the token answer
	nonce    string
	n        int
	access   map[string]bool
	hits     map[string]int
	metadata func(map[string]any) // edits the metadata document
}

var (
	hostileKeysOnce sync.Once
	hostileKeys     [2]*rsa.PrivateKey
)

func hostileKey(i int) *rsa.PrivateKey {
	hostileKeysOnce.Do(func() {
		for j := range hostileKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			hostileKeys[j] = k
		}
	})
	return hostileKeys[i]
}

func newHostile(t *testing.T) *hostileHS {
	t.Helper()
	h := &hostileHS{t: t, over: map[string]http.Handler{}, signer: hostileKey(0), access: map[string]bool{}, hits: map[string]int{}}
	h.srv = httptest.NewServer(h)
	h.URL = h.srv.URL
	t.Cleanup(func() {
		h.srv.CloseClientConnections()
		h.srv.Close()
	})
	return h
}

// on replaces the answer of path.
func (h *hostileHS) on(path string, fn http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.over[path] = fn
}

func (h *hostileHS) hitCount(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

func (h *hostileHS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	o := h.over[r.URL.Path]
	h.mu.Unlock()
	if o != nil {
		o.ServeHTTP(w, r)
		return
	}
	switch r.URL.Path {
	case "/.well-known/matrix/client":
		jsonHandler(404, `{"errcode":"M_NOT_FOUND","error":"no"}`)(w, r)
	case "/_matrix/client/versions":
		jsonHandler(200, `{"versions":["v1.15"],"unstable_features":{}}`)(w, r)
	case "/_matrix/client/v3/login":
		jsonHandler(200, `{"flows":[{"type":"m.login.sso","oauth_aware_preferred":true}]}`)(w, r)
	case "/_matrix/client/v1/auth_metadata":
		writeTestJSON(w, 200, h.metadataDoc())
	case "/oauth2/registration":
		jsonHandler(201, `{"client_id":"hostile-client"}`)(w, r)
	case "/oauth2/keys.json":
		k := &hostileKey(0).PublicKey
		writeTestJSON(w, 200, map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k0",
			"n": b64url(k.N.Bytes()), "e": b64url(big.NewInt(int64(k.E)).Bytes()),
		}}})
	case "/oauth2/token":
		h.token(w, r)
	case "/_matrix/client/v3/account/whoami":
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		h.mu.Lock()
		ok := h.access[tok]
		h.mu.Unlock()
		if !ok {
			jsonHandler(401, `{"errcode":"M_UNKNOWN_TOKEN","error":"bad token"}`)(w, r)
			return
		}
		jsonHandler(200, `{"user_id":"@alice:`+strings.TrimPrefix(h.URL, "http://")+`"}`)(w, r)
	case "/oauth2/revoke":
		w.WriteHeader(200)
	default:
		jsonHandler(404, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`)(w, r)
	}
}

func (h *hostileHS) issuer() string { return h.URL + "/" }

func (h *hostileHS) metadataDoc() map[string]any {
	m := map[string]any{
		"issuer":                                h.issuer(),
		"authorization_endpoint":                h.URL + "/oauth2/authorize",
		"token_endpoint":                        h.URL + "/oauth2/token",
		"registration_endpoint":                 h.URL + "/oauth2/registration",
		"revocation_endpoint":                   h.URL + "/oauth2/revoke",
		"jwks_uri":                              h.URL + "/oauth2/keys.json",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "fragment"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "urn:matrix:client:api:*"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"prompt_values_supported":               []string{"login"},
	}
	h.mu.Lock()
	edit := h.metadata
	h.mu.Unlock()
	if edit != nil {
		edit(m)
	}
	return m
}

func (h *hostileHS) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		jsonHandler(400, `{"error":"invalid_request"}`)(w, r)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	at, rt := fmt.Sprintf("at-%d", h.n), fmt.Sprintf("rt-%d", h.n)
	h.access[at] = true
	ans := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 300, "refresh_token": rt,
		"scope": "openid urn:matrix:client:api:*"}
	if r.PostForm.Get("grant_type") == "authorization_code" {
		now := time.Now()
		claims := map[string]any{"iss": h.issuer(), "sub": "alice-sub", "aud": r.PostForm.Get("client_id"),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": h.nonce}
		if h.claims != nil {
			h.claims(claims)
		}
		ans["id_token"] = signTestJWT(h.signer, claims)
	}
	if h.answer != nil {
		h.answer(ans)
	}
	writeTestJSON(w, 200, ans)
}

func writeTestJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signTestJWT signs claims with RS256 (RFC 7515), kid k0.
func signTestJWT(k *rsa.PrivateKey, claims map[string]any) string {
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k0"})
	body, _ := json.Marshal(claims)
	in := b64url(hdr) + "." + b64url(body)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return in + "." + b64url(sig)
}

// hostileClient is a Client with a small timeout and instant 429 waits.
func hostileClient(store Store) *Client {
	if store == nil {
		store = NewMemoryStore()
	}
	return &Client{Store: store, Timeout: hostileTimeout, Retry: instantRetry()}
}

const hostileTimeout = 300 * time.Millisecond

// hostileBound is the generous upper bound on how long a failing call may
// take: a few timeouts plus the retries, never a hang.
const hostileBound = 10 * time.Second

// start begins a login at h and returns the pending login and a callback
// URL carrying a code for it.
func (h *hostileHS) start(t *testing.T, c *Client) (*PendingLogin, string) {
	t.Helper()
	p, err := c.StartLogin(context.Background(), LoginOptions{Server: h.URL, RedirectURI: testRedirect, Client: testApp})
	if err != nil {
		t.Fatalf("StartLogin: %v", err)
	}
	u, _ := url.Parse(p.URL)
	h.mu.Lock()
	h.nonce = u.Query().Get("nonce")
	h.mu.Unlock()
	return p, testRedirect + "#code=code-" + p.State[:6] + "&state=" + p.State
}

// login signs in at h.
func (h *hostileHS) login(t *testing.T, c *Client) *Session {
	t.Helper()
	_, cb := h.start(t, c)
	s, err := c.CompleteLogin(context.Background(), cb)
	if err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
	return s
}

// snapshot copies every key and value of a Store.
func snapshot(t *testing.T, s Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := s.Keys(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		v, err := s.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = string(v)
	}
	return out
}

// sameStore fails unless after equals before, but for the keys in gone,
// which must have disappeared.
func sameStore(t *testing.T, before, after map[string]string, gone ...string) {
	t.Helper()
	want := map[string]string{}
	for k, v := range before {
		want[k] = v
	}
	for _, k := range gone {
		if _, ok := after[k]; ok {
			t.Errorf("store key %q still there", k)
		}
		delete(want, k)
	}
	for k, v := range want {
		if got, ok := after[k]; !ok {
			t.Errorf("store key %q lost", k)
		} else if got != v {
			t.Errorf("store key %q changed:\n got %s\nwant %s", k, got, v)
		}
	}
	for k := range after {
		if _, ok := want[k]; !ok {
			t.Errorf("store key %q appeared", k)
		}
	}
}

// timed runs fn, failing the test on a panic or when it outlasts bound.
func timed(t *testing.T, fn func() error) error {
	t.Helper()
	start := time.Now()
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic: %v", p)
			}
		}()
		err = fn()
	}()
	if d := time.Since(start); d > hostileBound {
		t.Errorf("took %v, more than %v: a timeout did not hold", d, hostileBound)
	}
	return err
}

// Answer makers for the tables.

func status(code int, body string) http.HandlerFunc { return jsonHandler(code, body) }

func htmlPage(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(code) + "</h1></body></html>"))
	}
}

// lyingJSON claims JSON and sends HTML.
func lyingJSON() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("<!doctype html><html><body>Welcome to nginx!</body></html>"))
	}
}

// huge sends a 50 MiB body that starts like JSON, unless the reader stops.
func huge(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"padding":"`))
		chunk := []byte(strings.Repeat("a", 64<<10))
		for i := 0; i < 800; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}`))
	}
}

// endless starts a 200 JSON answer and never finishes it.
func endless() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"access_token":"`))
		w.(http.Flusher).Flush()
		hang(r)
	}
}

// silent accepts the request and never answers.
func silent() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { hang(r) }
}

// hang waits until the client goes away (bounded, so a server can always
// close). The body is read first: net/http notices a closed connection only
// once the handler has consumed the request body.
func hang(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// redirect answers a redirect to target with code.
func redirect(code int, target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target)
		w.WriteHeader(code)
	}
}

func rateLimited(retryAfterMs int) http.HandlerFunc {
	body := `{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests"}`
	if retryAfterMs > 0 {
		body = fmt.Sprintf(`{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":%d}`, retryAfterMs)
	}
	return jsonHandler(429, body)
}

func codeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
