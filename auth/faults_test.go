package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Faults on real loopback connections: each must end with its code within
// the configured timeout, never hang.
func TestDiscoverTransportFaults(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		code    Code
	}{
		{"server accepts and never answers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}, autherr.Timeout},
		{"body that never ends", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"m.homeserver":{"base_url":"`))
			w.(http.Flusher).Flush()
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}, autherr.Timeout},
		{"huge body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			chunk := make([]byte, 64<<10)
			for i := 0; i < 800; i++ { // 50 MiB if we read it all
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, autherr.DiscoveryFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The origin has no /versions, so its well-known is read
			// (a typed origin is asked /versions first, issue 13) and
			// the fault hits both.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/_matrix/client/versions" {
					http.NotFound(w, r)
					return
				}
				tt.handler(w, r)
			}))
			defer srv.Close()
			c := &Client{Timeout: 300 * time.Millisecond}
			start := time.Now()
			_, err := c.Discover(context.Background(), srv.URL)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: the timeout did not hold", d)
			}
		})
	}
}

func TestDiscoverConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	mustNotFail(t, err)
	addr := l.Addr().String()
	l.Close()
	_, err = (&Client{Timeout: time.Second}).Discover(context.Background(), addr)
	var e *Error
	if !errors.As(err, &e) || e.Code != autherr.Network {
		t.Fatalf("got %v, want network", err)
	}
}

func TestDiscoverCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := (&Client{}).Discover(ctx, srv.URL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled inside", err)
	}
}
