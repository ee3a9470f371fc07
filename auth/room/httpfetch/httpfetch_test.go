package httpfetch_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
)

func TestFetch(t *testing.T) {
	var gotHeader http.Header
	var gotBody string
	var gotMethod string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader, gotMethod = r.Header.Clone(), r.Method
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Retry-After", "3")
		w.Header().Set("X-Custom-Thing", "v")
		w.WriteHeader(429)
		io.WriteString(w, `{"errcode":"M_LIMIT_EXCEEDED"}`)
	}))
	defer srv.Close()
	fetch := httpfetch.New(srv.Client())
	resp, err := fetch(context.Background(), room.Request{Method: "POST", URL: srv.URL + "/x",
		Header: map[string]string{"Authorization": "Bearer tok", "Content-Type": "application/json"}, Body: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 429 || string(resp.Body) != `{"errcode":"M_LIMIT_EXCEEDED"}` {
		t.Errorf("got %d %q", resp.Status, resp.Body)
	}
	if resp.Header["retry-after"] != "3" || resp.Header["x-custom-thing"] != "v" {
		t.Errorf("headers got %v, want lower-case names", resp.Header)
	}
	if gotMethod != "POST" || gotBody != "{}" || gotHeader.Get("Authorization") != "Bearer tok" || gotHeader.Get("Content-Type") != "application/json" {
		t.Errorf("server saw %s %q %v", gotMethod, gotBody, gotHeader)
	}
	for k := range gotHeader {
		switch k {
		case "Authorization", "Content-Type", "Content-Length", "User-Agent", "Accept-Encoding":
		default:
			t.Errorf("custom request header %q", k)
		}
	}
}

func TestFetchLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	fetch := httpfetch.New(nil)
	tests := []struct {
		name    string
		max     int64
		tooLong bool
	}{
		{name: "exactly the limit", max: 100},
		{name: "one byte over", max: 99, tooLong: true},
		{name: "default limit", max: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := fetch(context.Background(), room.Request{URL: srv.URL, MaxBytes: tt.max})
			if tt.tooLong {
				if !errors.Is(err, room.ErrBodyTooLarge) {
					t.Fatalf("got %v, want ErrBodyTooLarge", err)
				}
				return
			}
			if err != nil || len(resp.Body) != 100 {
				t.Fatalf("got %v, %v", resp, err)
			}
		})
	}
}

func TestFetchTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	if _, err := httpfetch.New(nil)(context.Background(), room.Request{URL: u}); err == nil {
		t.Error("got no error from a closed server")
	}
	if _, err := httpfetch.New(nil)(context.Background(), room.Request{URL: "::bad"}); err == nil {
		t.Error("got no error for a bad URL")
	}
}

// TestFetchRedirectRule: a redirect is held to the URL rule of every base
// URL (https, or plain http to a loopback host), and never goes from https
// down to http.
func TestFetchRedirectRule(t *testing.T) {
	for _, tt := range []struct {
		name, to string
		ok       bool
	}{
		{"loopback to loopback", "http://127.0.0.1:1/x", false}, // followed, then refused by the dial
		{"loopback to a public http host", "http://example.org/x", false},
		{"loopback to credentials", "https://user:pw@example.org/x", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var dialled []string
			srv := httptest.NewServer(http.RedirectHandler(tt.to, http.StatusFound))
			defer srv.Close()
			client := &http.Client{Transport: &recordTransport{next: http.DefaultTransport, seen: &dialled}}
			_, err := httpfetch.New(client)(context.Background(), room.Request{Method: "GET", URL: srv.URL})
			if err == nil {
				t.Fatal("the redirect went through")
			}
			refused := strings.Contains(err.Error(), "refused redirect")
			if tt.to == "http://127.0.0.1:1/x" {
				if refused {
					t.Errorf("a loopback redirect was refused by the rule: %v", err)
				}
				return
			}
			if !refused || len(dialled) != 1 {
				t.Errorf("got %v after %v, want the redirect refused before it is asked", err, dialled)
			}
		})
	}
}

type recordTransport struct {
	next http.RoundTripper
	seen *[]string
}

func (r *recordTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	*r.seen = append(*r.seen, req.URL.String())
	return r.next.RoundTrip(req)
}
