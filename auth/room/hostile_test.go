package room_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
)

// Hostile room summary answers over real loopback connections: each ends
// in its code within the timeout, never panics, and yields no summary.
func TestHostileSummary(t *testing.T) {
	const timeout = 300 * time.Millisecond
	jsonAnswer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		code    autherr.Code
	}{
		{"num_joined_members is a string", jsonAnswer(200, `{"room_id":"!abc:example.org","num_joined_members":"many","world_readable":true,"guest_can_join":false}`), autherr.ServerError},
		{"room_id is a number", jsonAnswer(200, `{"room_id":5,"num_joined_members":1}`), autherr.ServerError},
		{"name is an object", jsonAnswer(200, `{"room_id":"!abc:example.org","num_joined_members":1,"name":{"en":"x"}}`), autherr.ServerError},
		{"world_readable is a string", jsonAnswer(200, `{"room_id":"!abc:example.org","num_joined_members":1,"world_readable":"yes"}`), autherr.ServerError},
		{"the answer is an array", jsonAnswer(200, `[{"room_id":"!abc:example.org"}]`), autherr.ServerError},
		{"Content-Type lie", jsonAnswer(200, `<!doctype html><html>Welcome to nginx!</html>`), autherr.ServerError},
		{"50 MiB", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"room_id":"!abc:example.org","topic":"`)
			chunk := strings.Repeat("a", 64<<10)
			for i := 0; i < 800; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}, autherr.ServerError},
		{"body never ends", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"room_id":"`)
			w.(http.Flusher).Flush()
			hang(w, r)
		}, autherr.Timeout},
		{"accepts and never answers", hang, autherr.Timeout},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		}, autherr.Network},
		{"429 with retry_after_ms", jsonAnswer(429, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow","retry_after_ms":20}`), autherr.RateLimited},
		{"429 without retry_after_ms", jsonAnswer(429, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow"}`), autherr.RateLimited},
		{"500 burst", jsonAnswer(500, `{"errcode":"M_UNKNOWN","error":"boom"}`), autherr.ServerError},
		{"502 from the proxy", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html><h1>502 Bad Gateway</h1></html>")
		}, autherr.ServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
			c := &room.Client{Fetch: httpfetch.New(nil), Timeout: timeout,
				Retry: autherr.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}}
			start := time.Now()
			var s *room.Summary
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				s, err = c.Summary(context.Background(), room.Ref{Alias: "#room:example.org"}, room.Options{Server: srv.URL})
			}()
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v: the timeout did not hold", d)
			}
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("got %v (%v), want %s", err, s, tt.code)
			}
			if s != nil {
				t.Errorf("a summary came back with the error: %+v", s)
			}
		})
	}
}

// A redirect from https to http is refused by httpfetch: Go would keep the
// Authorization header for the same host name, in clear text.
func TestHostileSummaryRedirectToHTTP(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Error("the token travelled over http")
		}
		w.WriteHeader(404)
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer tlsSrv.Close()
	c := &room.Client{Fetch: httpfetch.New(tlsSrv.Client()), Timeout: 300 * time.Millisecond,
		AccessToken: func(context.Context) (string, error) { return "secret-token", nil }}
	_, err := c.Summary(context.Background(), room.Ref{Alias: "#room:example.org"}, room.Options{Server: tlsSrv.URL})
	var e *autherr.Error
	if !errors.As(err, &e) || e.Code != autherr.Network {
		t.Fatalf("got %v, want network", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the http server was asked %d times", n)
	}
}
