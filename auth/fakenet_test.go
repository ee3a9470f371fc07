package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// fakeNet routes requests to handlers by host, in memory, so tests can use
// public-looking names (example.org) without any network.
type fakeNet struct {
	mu    sync.Mutex
	hosts map[string]http.Handler
	log   []string
}

func (f *fakeNet) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	h := f.hosts[req.URL.Host]
	f.log = append(f.log, req.Method+" "+req.URL.String())
	f.mu.Unlock()
	if h == nil {
		return nil, &netErr{"dial tcp: lookup " + req.URL.Host + ": no such host"}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	res.Request = req
	return res, nil
}

type netErr struct{ s string }

func (e *netErr) Error() string   { return e.s }
func (e *netErr) Timeout() bool   { return false }
func (e *netErr) Temporary() bool { return false }

func (f *fakeNet) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// testClient returns a Client on the fake network with instant retries.
func testClient(f *fakeNet) *Client {
	return &Client{
		HTTPClient: &http.Client{Transport: f},
		Timeout:    2 * time.Second,
		Retry:      instantRetry(),
	}
}

func instantRetry() (p autherr.RetryPolicy) {
	p.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return p
}

// jsonHandler answers every request with status and body.
func jsonHandler(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// routes is a small mux keyed by exact path; unknown paths answer Synapse's
// 404 M_UNRECOGNIZED.
type routes map[string]http.Handler

func (rt routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := rt[r.URL.Path]; ok {
		h.ServeHTTP(w, r)
		return
	}
	jsonHandler(404, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`).ServeHTTP(w, r)
}

func mustNotFail(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
