//go:build !js

package browser

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/wasm/internal/wasmtest"
)

// TestJS runs the syscall/js tests of wasm/browser and wasm/mxauth under
// Node (GOOS=js GOARCH=wasm, Go's go_js_wasm_exec), against servers this
// native process starts, since WebAssembly cannot listen: an echo server
// for the fetch tests and the sandbox homeserver for the small build. The
// URLs reach the wasm tests through the environment, which go_js_wasm_exec
// passes on.
//
// Node is needed; without it the test is skipped, unless CI is set.
func TestJS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the wasm tests; skipped in -short")
	}
	echo := newEcho()
	srv := httptest.NewServer(echo)
	defer srv.Close()
	sb, err := sandbox.New(sandbox.Config{})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	defer sb.Close()
	// The space's summary answers after 30 s: wasm/mxauth's abort and
	// timeout tests use it.
	sb.SetFault(sandbox.Fault{
		Path:    "/_matrix/client/v1/room_summary/" + sandbox.RoomID(sandbox.RoomSpace, sb.ServerName()),
		Latency: 30 * time.Second,
	})

	// A loopback port with nothing listening: connection refused, the
	// network error of a fetch.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	// A homeserver without OAuth 2.0 that signs in through SSO (issue
	// 16): the small build starts its logins.
	legacy, err := sandbox.New(sandbox.Config{Legacy: true, IdentityProviders: []sandbox.IdentityProvider{
		{ID: "oidc-github", Name: "GitHub"}, {ID: "saml-corp", Name: "Corp SSO"}}})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	defer legacy.Close()

	wasmtest.RunJS(t, []string{".", "../mxauth"},
		"MXAUTH_TEST_LEGACY="+legacy.URL(),
		"MXAUTH_TEST_ECHO="+srv.URL,
		"MXAUTH_TEST_SANDBOX="+sb.URL(),
		"MXAUTH_TEST_CLOSED="+closed,
	)
}

// echo is the fetch tests' server. Paths:
//
//	/echo          200, JSON {method, headers (lower-case names), body}; sets
//	               the mixed-case response header X-Mixed-Case
//	/status/NNN    NNN with a Matrix error body
//	/big?n=N       N bytes, streamed without Content-Length
//	/slow?id=X     never answers; records X when the client goes away
//	/trickle?id=X  200 and a few bytes, then stalls; records X likewise
//	/aborted?id=X  200 once X was recorded (waits up to 5 s), else 404
//	/redirect      302 to /echo
//	/redirect307?id=X&status=NNN  NNN (default 307) to /record?id=X
//	/record?id=X   records X, then as /echo
//	/seen?id=X     200 "yes" when X was recorded, else 404, at once
//
// It refuses (400) requests carrying an x-* header, so a Fetch that adds
// one fails even where a test forgets to compare headers.
type echo struct {
	mu      sync.Mutex
	gone    map[string]bool
	changed chan struct{}
}

func newEcho() *echo {
	return &echo{gone: map[string]bool{}, changed: make(chan struct{})}
}

func (e *echo) markGone(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gone[id] = true
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Node sends no Origin and ignores CORS; the headers are here so the
	// same server also works from a browser page.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "X-Mixed-Case")
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-") {
			http.Error(w, "unexpected request header "+name, http.StatusBadRequest)
			return
		}
	}
	id := r.URL.Query().Get("id")
	switch {
	case r.URL.Path == "/echo":
		body, _ := io.ReadAll(r.Body)
		h := map[string]string{}
		for k, v := range r.Header {
			h[strings.ToLower(k)] = strings.Join(v, ", ")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Mixed-Case", "Yes")
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "headers": h, "body": string(body)})
	case strings.HasPrefix(r.URL.Path, "/status/"):
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, `{"errcode":"M_NOT_FOUND","error":"Room not found"}`)
	case r.URL.Path == "/big":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		chunk := bytes.Repeat([]byte("a"), 1000)
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			n -= k
		}
	case r.URL.Path == "/slow":
		select {
		case <-r.Context().Done():
			e.markGone(id)
		case <-time.After(30 * time.Second):
		}
	case r.URL.Path == "/trickle":
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			e.markGone(id)
		case <-time.After(30 * time.Second):
		}
	case r.URL.Path == "/aborted":
		deadline := time.After(5 * time.Second)
		for {
			e.mu.Lock()
			gone, changed := e.gone[id], e.changed
			e.mu.Unlock()
			if gone {
				io.WriteString(w, "yes")
				return
			}
			select {
			case <-changed:
			case <-deadline:
				http.Error(w, "no", http.StatusNotFound)
				return
			}
		}
	case r.URL.Path == "/redirect":
		http.Redirect(w, r, "/echo", http.StatusFound)
	case r.URL.Path == "/redirect307":
		code, _ := strconv.Atoi(r.URL.Query().Get("status"))
		if code == 0 {
			code = http.StatusTemporaryRedirect
		}
		http.Redirect(w, r, "/record?id="+id, code)
	case r.URL.Path == "/record":
		e.markGone("record:" + id)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"recorded":true}`)
	case r.URL.Path == "/seen":
		e.mu.Lock()
		seen := e.gone["record:"+id]
		e.mu.Unlock()
		if !seen {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		io.WriteString(w, "yes")
	default:
		http.NotFound(w, r)
	}
}
