package serverrule

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

func TestCheckRedirect(t *testing.T) {
	tests := []struct {
		name, from, to   string
		hops             int
		secret, insecure bool
		want             string // "" allowed; else "refused" or the Details reason
	}{
		{"public GET to another host", "https://example.org/.well-known/matrix/client", "https://www.example.org/.well-known/matrix/client", 1, false, false, ""},
		{"secret on the same origin", "https://hs.example/_matrix/client/v3/account/whoami", "https://hs.example/other", 1, true, false, ""},
		{"secret to another host", "https://auth.example/token", "https://evil.example/token", 1, true, false, autherr.ReasonRedirectRefused},
		{"secret to another port", "https://auth.example/token", "https://auth.example:8443/token", 1, true, false, autherr.ReasonRedirectRefused},
		{"host case is not another origin", "https://auth.example/token", "https://AUTH.example/t", 1, true, false, ""},
		{"https to http", "https://example.org/x", "http://example.org/x", 1, false, false, "refused"},
		{"https to loopback http, even insecure", "https://127.0.0.1:8448/x", "http://127.0.0.1:8008/x", 1, false, true, "refused"},
		{"loopback http to loopback http when insecure", "http://127.0.0.1:8008/x", "http://127.0.0.1:8008/y", 1, false, true, ""},
		{"loopback http to public http", "http://127.0.0.1:8008/x", "http://example.org/y", 1, false, true, "refused"},
		{"credentials in the target", "https://example.org/x", "https://a:b@example.org/x", 1, false, false, "refused"},
		{"the fifth redirect", "https://example.org/x", "https://example.org/y", MaxRedirects, false, false, ""},
		{"the sixth redirect", "https://example.org/x", "https://example.org/y", MaxRedirects + 1, false, false, "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := url.Parse(tt.from)
			to, _ := url.Parse(tt.to)
			err := CheckRedirect(from, to, tt.hops, tt.secret, tt.insecure)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != autherr.Network || e.Op != "redirect" {
				t.Fatalf("got %v, want a network error of op redirect", err)
			}
			if tt.want != "refused" && e.Details["reason"] != tt.want {
				t.Errorf("reason %q, want %q", e.Details["reason"], tt.want)
			}
		})
	}
	if CheckRedirect(nil, nil, 1, false, false) == nil {
		t.Error("a redirect without URLs was followed")
	}
}

// FuzzCheckRedirect: whatever the URLs, a followed redirect lands on a URL
// CheckURL accepts, never leaves https once on it, and a secret never
// changes origin.
func FuzzCheckRedirect(f *testing.F) {
	f.Add("https://auth.example/token", "https://evil.example/token", 1, true, false)
	f.Add("https://example.org/x", "http://example.org/x", 2, false, true)
	f.Add("http://127.0.0.1:8008/x", "http://[::1]:8008/y", 1, false, true)
	f.Fuzz(func(t *testing.T, from, to string, hops int, secret, insecure bool) {
		fu, err1 := url.Parse(from)
		tu, err2 := url.Parse(to)
		if err1 != nil || err2 != nil {
			return
		}
		if CheckRedirect(fu, tu, hops, secret, insecure) != nil {
			return
		}
		if hops > MaxRedirects {
			t.Fatalf("redirect %d followed", hops)
		}
		if CheckURL(tu.String(), insecure) != nil {
			t.Fatalf("followed to %q, which CheckURL refuses", tu)
		}
		if fu.Scheme == "https" && tu.Scheme != "https" {
			t.Fatalf("left https for %q", tu)
		}
		if secret && (fu.Scheme != tu.Scheme || !strings.EqualFold(fu.Host, tu.Host)) {
			t.Fatalf("a secret went from %q to %q", fu, tu)
		}
	})
}
