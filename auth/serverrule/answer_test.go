package serverrule

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

func TestParseWellKnown(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		insecure bool
		want     WellKnown // zero BaseURL: refused
	}{
		{"base", `{"m.homeserver":{"base_url":"https://matrix-client.matrix.org/"}}`, false,
			WellKnown{BaseURL: "https://matrix-client.matrix.org"}},
		{"identity server and issuer hint", `{"m.homeserver":{"base_url":"https://hs.example.org/x"},"m.identity_server":{"base_url":"https://vector.im/"},"org.matrix.msc2965.authentication":{"issuer":"https://account.example.org/"}}`, false,
			WellKnown{BaseURL: "https://hs.example.org/x", IdentityServer: "https://vector.im", IssuerHint: "https://account.example.org/"}},
		{"older hint key", `{"m.homeserver":{"base_url":"https://hs"},"m.authentication":{"issuer":"https://i/"}}`, false,
			WellKnown{BaseURL: "https://hs", IssuerHint: "https://i/"}},
		{"unusable identity server dropped", `{"m.homeserver":{"base_url":"https://hs"},"m.identity_server":{"base_url":"http://vector.im"}}`, false,
			WellKnown{BaseURL: "https://hs"}},
		{"loopback http when insecure", `{"m.homeserver":{"base_url":"http://127.0.0.1:8008"}}`, true,
			WellKnown{BaseURL: "http://127.0.0.1:8008"}},
		{"loopback http from a public name", `{"m.homeserver":{"base_url":"http://127.0.0.1:8008"}}`, false, WellKnown{}},
		{"keys are exact", `{"M.HOMESERVER":{"base_url":"https://hs"}}`, false, WellKnown{}},
		{"no base_url", `{"m.homeserver":{}}`, false, WellKnown{}},
		{"empty base_url", `{"m.homeserver":{"base_url":""}}`, false, WellKnown{}},
		{"base_url not a string", `{"m.homeserver":{"base_url":1}}`, false, WellKnown{}},
		{"m.homeserver not an object", `{"m.homeserver":"https://hs"}`, false, WellKnown{}},
		{"not an object", `[]`, false, WellKnown{}},
		{"null", `null`, false, WellKnown{}},
		{"empty", ``, false, WellKnown{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWellKnown([]byte(tt.body), tt.insecure)
			if tt.want.BaseURL == "" {
				if err == nil {
					t.Fatalf("got %+v, want refused", got)
				}
				if autherr.CodeOf(err) != autherr.DiscoveryFailed {
					t.Fatalf("code %s, want discovery_failed", autherr.CodeOf(err))
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// FuzzParseWellKnown: a body never panics the parser, every failure has a
// code, and every URL it returns passes the URL rule.
func FuzzParseWellKnown(f *testing.F) {
	f.Add([]byte(`{"m.homeserver":{"base_url":"https://matrix-client.matrix.org"}}`), false)
	f.Add([]byte(`{"m.homeserver":{"base_url":"http://127.0.0.1:8008/"},"m.identity_server":{"base_url":"https://vector.im"}}`), true)
	if b, err := os.ReadFile("testdata/matrix-org-well-known-client.reported.json"); err == nil {
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, body []byte, insecure bool) {
		wk, err := ParseWellKnown(body, insecure)
		checkErr(t, err)
		if err != nil {
			return
		}
		for i, u := range []string{wk.BaseURL, wk.IdentityServer} {
			if u == "" && i == 1 {
				continue // no usable identity server
			}
			if strings.HasSuffix(u, "/") || CheckURL(u, insecure) != nil {
				t.Fatalf("unusable URL %q from %q", u, body)
			}
		}
	})
}

func TestAbsent(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"404 M_UNRECOGNIZED", 404, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`, true},
		{"405 M_UNRECOGNIZED", 405, `{"errcode":"M_UNRECOGNIZED","error":"x"}`, true},
		{"400 M_UNRECOGNIZED (older Synapse)", 400, `{"errcode":"M_UNRECOGNIZED","error":"x"}`, true},
		{"404 from a plain web server", 404, `<html>Not Found</html>`, true},
		{"404 empty", 404, ``, true},
		{"405 empty", 405, ``, true},
		{"404 M_NOT_FOUND answers", 404, `{"errcode":"M_NOT_FOUND","error":"Room not found"}`, false},
		{"404 M_UNKNOWN answers", 404, `{"errcode":"M_UNKNOWN","error":"x"}`, false},
		{"400 plain", 400, ``, false},
		{"401", 401, `{"errcode":"M_MISSING_TOKEN","error":"x"}`, false},
		{"403", 403, `{"errcode":"M_FORBIDDEN","error":"x"}`, false},
		{"500 M_UNRECOGNIZED", 500, `{"errcode":"M_UNRECOGNIZED","error":"x"}`, false},
		{"200", 200, `{}`, false},
	}
	for _, tt := range tests {
		if got := Absent(tt.status, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: Absent(%d, %s) = %v, want %v", tt.name, tt.status, tt.body, got, tt.want)
		}
	}
}

// FuzzAbsent: only a 4xx is ever absent, and a 404/405 that is not a
// Matrix error always is.
func FuzzAbsent(f *testing.F) {
	f.Add(404, []byte(`{"errcode":"M_UNRECOGNIZED"}`))
	f.Add(400, []byte(`{"errcode":"M_UNRECOGNIZED","error":"x"}`))
	f.Add(404, []byte(`{"errcode":"M_NOT_FOUND","error":"x"}`))
	f.Add(405, []byte(`nope`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		got := Absent(status, body)
		if got && (status < 400 || status > 499) {
			t.Fatalf("Absent(%d) = true", status)
		}
		if (status == 404 || status == 405) && !autherr.ParseReply(body).Matrix && !got {
			t.Fatalf("Absent(%d, %q) = false for a non-Matrix body", status, body)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"7", 7 * time.Second},
		{" 120 ", 120 * time.Second},
		{"301", autherr.MaxRetryAfter},
		{"99999999999999999999999", autherr.MaxRetryAfter},
		{"Thu, 03 Dec 2026 04:00:30 GMT", 30 * time.Second},
		{"Thursday, 03-Dec-26 04:01:00 GMT", time.Minute},
		{"Thu Dec  3 04:00:05 2026", 5 * time.Second},
		{"Thu, 03 Dec 2026 03:59:00 GMT", 0},
		{"Thu, 03 Dec 2026 05:00:00 GMT", autherr.MaxRetryAfter},
		{"-5", 0},
		{"1.5", 0},
		{"12abc", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzRetryAfter: a wait is never negative nor above the cap.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "Thu, 03 Dec 2026 04:00:30 GMT", "Thursday, 03-Dec-26 04:01:00 GMT", "Thu Dec  3 04:00:05 2026", "-1", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := RetryAfter(v, now); d < 0 || d > autherr.MaxRetryAfter {
			t.Fatalf("RetryAfter(%q) = %v", v, d)
		}
	})
}

// BenchmarkParseWellKnown is a figure for make bench, never an assertion.
func BenchmarkParseWellKnown(b *testing.B) {
	body, err := os.ReadFile("testdata/matrix-org-well-known-client.reported.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseWellKnown(body, false); err != nil {
			b.Fatal(err)
		}
	}
}
