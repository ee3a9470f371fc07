package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// newSandbox starts a sandbox for one test and closes it after.
func newSandbox(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, r.body)
	}
	return m
}

// do sends one request; body may be nil, url.Values (form) or anything else
// (JSON). token, when set, goes in the Authorization header.
func do(t *testing.T, method, u string, body any, token string) reply {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ctype = strings.NewReader(string(j)), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// pkcePair is a fixed RFC 7636 verifier and its S256 challenge.
func pkcePair(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 64)[:64]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

const testRedirect = "http://127.0.0.1:9999/callback"

// registerNative registers a public native client with a loopback redirect.
func registerNative(t *testing.T, s *Server, grants ...string) string {
	t.Helper()
	if grants == nil {
		grants = []string{"authorization_code", "refresh_token"}
	}
	r := do(t, "POST", s.URL()+pathRegistration, map[string]any{
		"client_name":                "Test client",
		"client_uri":                 "https://client.example.com/",
		"redirect_uris":              []string{testRedirect},
		"application_type":           "native",
		"token_endpoint_auth_method": "none",
		"grant_types":                grants,
		"response_types":             []string{"code"},
	}, "")
	if r.status != http.StatusCreated {
		t.Fatalf("register: got %d %s want 201", r.status, r.body)
	}
	return r.json(t)["client_id"].(string)
}

// authorizeURL builds an authorization request with sane defaults; extra
// overrides or, with an empty value, removes parameters.
func authorizeURL(s *Server, clientID, challenge string, extra map[string]string) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {testRedirect},
		"scope":                 {"openid urn:matrix:client:api:* urn:matrix:client:device:ABCDEFGHIJ"},
		"state":                 {"st4te"},
		"nonce":                 {"n0nce"},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return s.URL() + pathAuthorize + "?" + q.Encode()
}

// redirectParams reads the parameters of an authorization response from a
// redirect's Location (query or fragment).
func redirectParams(t *testing.T, r reply) url.Values {
	t.Helper()
	if r.status != http.StatusFound && r.status != http.StatusSeeOther {
		t.Fatalf("got status %d want a redirect; body %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Fragment != "" {
		v, _ := url.ParseQuery(u.Fragment)
		return v
	}
	return u.Query()
}

// login runs the code flow in AutoApprove mode and returns the token answer.
func login(t *testing.T, s *Server, clientID, seed string) map[string]any {
	t.Helper()
	verifier, challenge := pkcePair(seed)
	code := redirectParams(t, do(t, "GET", authorizeURL(s, clientID, challenge, nil), nil, "")).Get("code")
	if code == "" {
		t.Fatal("no code in the redirect")
	}
	r := do(t, "POST", s.URL()+pathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {clientID}, "code_verifier": {verifier},
	}, "")
	if r.status != http.StatusOK {
		t.Fatalf("token: got %d %s want 200", r.status, r.body)
	}
	return r.json(t)
}

func refresh(t *testing.T, s *Server, clientID, rt string) reply {
	t.Helper()
	return do(t, "POST", s.URL()+pathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID},
	}, "")
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
