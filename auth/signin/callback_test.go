package signin

import (
	"errors"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

func TestParseCallback(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Callback
		bad  bool
	}{
		{"fragment", "https://app.example.org/cb#code=c1&state=s1&iss=https%3A%2F%2Fauth.example.org%2F",
			Callback{Code: "c1", State: "s1", Issuer: "https://auth.example.org/"}, false},
		{"query", "https://app.example.org/cb?code=c1&state=s1", Callback{Code: "c1", State: "s1"}, false},
		{"fragment wins over app query", "https://app.example.org/cb?page=2#code=c1&state=s1", Callback{Code: "c1", State: "s1"}, false},
		{"query with app fragment", "https://app.example.org/cb?code=c1&state=s1#/route", Callback{Code: "c1", State: "s1"}, false},
		{"error", "https://app.example.org/cb#error=access_denied&error_description=no%20thanks&error_uri=https%3A%2F%2Fx&state=s",
			Callback{Error: "access_denied", ErrorDescription: "no thanks", ErrorURI: "https://x", State: "s"}, false},
		{"bare fragment", "#code=c&state=s", Callback{Code: "c", State: "s"}, false},
		{"bare query", "?code=c&state=s", Callback{Code: "c", State: "s"}, false},
		{"nothing", "https://app.example.org/cb", Callback{}, true},
		{"duplicate state", "https://app.example.org/cb?code=c&state=a&state=b", Callback{}, true},
		{"not a URL", "http://[::1", Callback{}, true},
		{"too long", "https://x/#code=" + strings.Repeat("a", maxCallback), Callback{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCallback(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("accepted: %+v", got)
				}
				if autherr.CodeOf(err) != autherr.InvalidInput {
					t.Fatalf("got %v, want invalid_input", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// FuzzCallbackURL: ParseCallback never panics, fails only with
// invalid_input, and what it accepts has a code or an error.
func FuzzCallbackURL(f *testing.F) {
	for _, s := range []string{
		"https://app.example.org/cb#code=c1&state=s1&iss=https%3A%2F%2Fauth.example.org%2F",
		"http://127.0.0.1:9/callback?code=abc&state=def",
		"#error=access_denied&state=x",
		"?code=%zz",
		"https://x/#code=a&code=b",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cb, err := ParseCallback(raw)
		if err != nil {
			var e *autherr.Error
			if !errors.As(err, &e) || e.Code != autherr.InvalidInput {
				t.Fatalf("error %v is not invalid_input", err)
			}
			return
		}
		if cb.Code == "" && cb.Error == "" {
			t.Fatalf("accepted %q with neither code nor error", raw)
		}
	})
}
