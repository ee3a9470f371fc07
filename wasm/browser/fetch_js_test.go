//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

type echoed struct {
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// rawHeaders is what the JavaScript runtime sends on its own for a bare
// fetch(url): Node's undici adds accept, user-agent and more; a browser
// others. Fetch may add nothing beyond these and the request's own.
func rawHeaders(t *testing.T, url string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := await(ctx, js.Global().Call("fetch", url), nil)
	if err != nil {
		t.Fatalf("raw fetch: %v", err)
	}
	text, err := await(ctx, r.Call("text"), nil)
	if err != nil {
		t.Fatalf("raw fetch body: %v", err)
	}
	var e echoed
	if err := json.Unmarshal([]byte(text.String()), &e); err != nil {
		t.Fatalf("raw fetch: %v", err)
	}
	return e.Headers
}

func TestFetchSendsOnlyTheGivenHeaders(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	baseline := rawHeaders(t, base+"/echo")
	tests := []struct {
		name   string
		req    room.Request
		extra  []string // header names beyond the baseline, exactly
		method string
	}{
		{name: "bare GET", req: room.Request{URL: base + "/echo"}, method: "GET"},
		{name: "GET with token",
			req:    room.Request{Method: "GET", URL: base + "/echo", Header: map[string]string{"Authorization": "Bearer tok"}},
			extra:  []string{"authorization"},
			method: "GET"},
		{name: "POST JSON",
			req: room.Request{Method: "POST", URL: base + "/echo", Body: []byte(`{"a":1}`),
				Header: map[string]string{"Authorization": "Bearer tok", "Content-Type": "application/json"}},
			extra:  []string{"authorization", "content-length", "content-type"},
			method: "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Fetch(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if resp.Status != 200 {
				t.Fatalf("got status %d, want 200: %s", resp.Status, resp.Body)
			}
			var e echoed
			if err := json.Unmarshal(resp.Body, &e); err != nil {
				t.Fatalf("echo body: %v", err)
			}
			if e.Method != tt.method {
				t.Errorf("got method %s, want %s", e.Method, tt.method)
			}
			var extra []string
			for k := range e.Headers {
				if _, ok := baseline[k]; !ok {
					extra = append(extra, k)
				}
			}
			if got, want := strings.Join(sorted(extra), ","), strings.Join(tt.extra, ","); got != want {
				t.Errorf("got extra request headers [%s], want [%s] (baseline %v)", got, want, baseline)
			}
			for k, v := range tt.req.Header {
				if got := e.Headers[strings.ToLower(k)]; got != v {
					t.Errorf("got %s %q, want %q", k, got, v)
				}
			}
			if e.Body != string(tt.req.Body) {
				t.Errorf("got body %q, want %q", e.Body, tt.req.Body)
			}
		})
	}
}

func sorted(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestFetchLowerCasesResponseHeaders(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	resp, err := Fetch(context.Background(), room.Request{URL: base + "/echo"})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if got := resp.Header["x-mixed-case"]; got != "Yes" {
		t.Errorf("got x-mixed-case %q, want %q (headers %v)", got, "Yes", resp.Header)
	}
	if got := resp.Header["content-type"]; got != "application/json" {
		t.Errorf("got content-type %q, want application/json", got)
	}
	for k := range resp.Header {
		if k != strings.ToLower(k) {
			t.Errorf("header name %q is not lower-case", k)
		}
	}
}

func TestFetchKeepsErrorBodies(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	for _, code := range []int{404, 429, 500} {
		resp, err := Fetch(context.Background(), room.Request{URL: base + "/status/" + strconv.Itoa(code)})
		if err != nil {
			t.Fatalf("Fetch %d: got error %v, want the answer", code, err)
		}
		if resp.Status != code {
			t.Errorf("got status %d, want %d", resp.Status, code)
		}
		if r := autherr.ParseReply(resp.Body); r.Errcode != "M_NOT_FOUND" {
			t.Errorf("status %d: got body %q, want the Matrix error", code, resp.Body)
		}
	}
}

func TestFetchFollowsRedirects(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	resp, err := Fetch(context.Background(), room.Request{URL: base + "/redirect"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("got %v, %v; want the echo after the redirect", resp, err)
	}
}

// TestFetchRefusesRedirectsWithSecrets: a request that carries a secret
// (a POST body, an Authorization header) follows no redirect, 301 to 308:
// the target receives nothing, and the error is network with reason
// redirect_refused. A public GET still follows (TestFetchFollowsRedirects
// and the "public GET" row here).
func TestFetchRefusesRedirectsWithSecrets(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	bearer := map[string]string{"Authorization": "Bearer mat_SECRET"}
	tests := []struct {
		name    string
		method  string
		header  map[string]string
		body    string
		status  int
		refused bool
	}{
		{name: "refresh POST, 307", method: "POST", header: form, body: "grant_type=refresh_token&refresh_token=mar_SECRET", status: 307, refused: true},
		{name: "revocation POST, 308", method: "POST", header: form, body: "token=mar_SECRET", status: 308, refused: true},
		{name: "registration POST, 302", method: "POST", header: map[string]string{"Content-Type": "application/json"}, body: "{}", status: 302, refused: true},
		{name: "Bearer GET, 301", method: "GET", header: bearer, status: 301, refused: true},
		{name: "Bearer GET, 303", method: "GET", header: bearer, status: 303, refused: true},
		{name: "lower-case authorization", method: "GET", header: map[string]string{"authorization": "Bearer mat_SECRET"}, status: 307, refused: true},
		{name: "public GET, 307", method: "GET", status: 307, refused: false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "secret-" + strconv.Itoa(i)
			req := room.Request{Method: tt.method, Header: tt.header,
				URL: base + "/redirect307?id=" + id + "&status=" + strconv.Itoa(tt.status)}
			if tt.body != "" {
				req.Body = []byte(tt.body)
			}
			resp, err := Fetch(context.Background(), req)
			seen, serr := Fetch(context.Background(), room.Request{URL: base + "/seen?id=" + id})
			if serr != nil {
				t.Fatalf("asking the echo server: %v", serr)
			}
			if !tt.refused {
				if err != nil || resp.Status != 200 || seen.Status != 200 {
					t.Fatalf("got %v, %v (target saw it: %v); want the redirect followed", resp, err, seen.Status == 200)
				}
				return
			}
			var ae *autherr.Error
			if !errors.As(err, &ae) || ae.Code != autherr.Network || ae.Details["reason"] != autherr.ReasonRedirectRefused {
				t.Fatalf("got %v, %v; want network with reason %s", resp, err, autherr.ReasonRedirectRefused)
			}
			if seen.Status != 404 {
				t.Errorf("the redirect's target received the request")
			}
			for _, secret := range []string{"mar_SECRET", "mat_SECRET"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error %q holds the secret", err)
				}
			}
		})
	}
}

func TestFetchSizeLimit(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	tests := []struct {
		name     string
		n        int
		maxBytes int64
		wantErr  bool
	}{
		{name: "exactly the limit", n: 5000, maxBytes: 5000},
		{name: "one byte over", n: 5001, maxBytes: 5000, wantErr: true},
		{name: "far over", n: 200000, maxBytes: 5000, wantErr: true},
		{name: "default limit, under", n: room.DefaultMaxBytes},
		{name: "default limit, over", n: room.DefaultMaxBytes + 1, wantErr: true},
		{name: "empty", n: 0, maxBytes: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Fetch(context.Background(), room.Request{URL: base + "/big?n=" + strconv.Itoa(tt.n), MaxBytes: tt.maxBytes})
			if tt.wantErr {
				if !errors.Is(err, room.ErrBodyTooLarge) {
					t.Fatalf("got %v, want ErrBodyTooLarge", err)
				}
				if c := autherr.CodeOf(err); c != autherr.ServerError {
					t.Errorf("got code %s, want server_error", c)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if len(resp.Body) != tt.n {
				t.Errorf("got %d bytes, want %d", len(resp.Body), tt.n)
			}
		})
	}
}

// TestFetchAbort proves ctx reaches the network: Fetch returns in time with
// the right code, and the server sees the connection go away.
func TestFetchAbort(t *testing.T) {
	base := env(t, "MXAUTH_TEST_ECHO")
	tests := []struct {
		name     string
		path     string
		cancel   bool // cancel instead of a deadline
		wantCode autherr.Code
		wantIs   error
	}{
		{name: "deadline before the answer", path: "/slow", wantCode: autherr.Timeout, wantIs: context.DeadlineExceeded},
		{name: "cancel before the answer", path: "/slow", cancel: true, wantCode: autherr.Network, wantIs: context.Canceled},
		{name: "deadline while reading the body", path: "/trickle", wantCode: autherr.Timeout, wantIs: context.DeadlineExceeded},
		{name: "cancel while reading the body", path: "/trickle", cancel: true, wantCode: autherr.Network, wantIs: context.Canceled},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "abort" + strconv.Itoa(i)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if tt.cancel {
				ctx, cancel = context.WithCancel(context.Background())
				defer cancel()
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			start := time.Now()
			_, err := Fetch(ctx, room.Request{URL: base + tt.path + "?id=" + id})
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Fetch took %v after the context ended", took)
			}
			if c := autherr.CodeOf(err); c != tt.wantCode {
				t.Errorf("got %v (code %q), want code %s", err, c, tt.wantCode)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("got %v, want it to wrap %v", err, tt.wantIs)
			}
			resp, err := Fetch(context.Background(), room.Request{URL: base + "/aborted?id=" + id})
			if err != nil || resp.Status != 200 {
				t.Errorf("the server never saw the request aborted (%v, %v)", resp, err)
			}
		})
	}
}

func TestFetchContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fetch(ctx, room.Request{URL: "http://127.0.0.1:9/never"})
	if c := autherr.CodeOf(err); c != autherr.Network || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want network wrapping context.Canceled", err)
	}
}

func TestFetchNetworkError(t *testing.T) {
	closed := env(t, "MXAUTH_TEST_CLOSED")
	_, err := Fetch(context.Background(), room.Request{URL: closed + "/x"})
	var e *autherr.Error
	if !errors.As(err, &e) || e.Code != autherr.Network {
		t.Fatalf("got %v, want a network *autherr.Error", err)
	}
	if !strings.Contains(err.Error(), "CORS") {
		t.Errorf("got message %q, want it to name a missing CORS header as the usual cause", err)
	}
	if e.Details["url"] != closed+"/x" {
		t.Errorf("got details %v, want the url", e.Details)
	}
}
