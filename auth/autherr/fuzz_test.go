package autherr

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseReply: any error body, of either dialect or none, parses without
// panic into bounded fields, and FromReply keeps the caller's code and Classify always gives one.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		`{"errcode":"M_LIMIT_EXCEEDED","error":"slow","retry_after_ms":1500}`,
		`{"error":"invalid_grant","error_description":"used"}`,
		`{"errcode":5,"error":{"x":1},"retry_after_ms":"soon"}`,
		`{"retry_after_ms":1e308}`,
		`{"retry_after_ms":-5}`,
		`<html>502</html>`,
		`null`,
	} {
		f.Add(429, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r := ParseReply(body)
		if len(r.Errcode) > 64+len("…") || len(r.Message) > maxMessage+len("…") {
			t.Fatalf("unbounded: %d %d", len(r.Errcode), len(r.Message))
		}
		if r.RetryAfter < 0 || r.RetryAfter > MaxRetryAfter {
			t.Fatalf("retry after %v", r.RetryAfter)
		}
		if utf8.ValidString(string(body)) && (!utf8.ValidString(r.Errcode) || !utf8.ValidString(r.Message)) {
			t.Fatalf("clipping broke UTF-8: %q %q", r.Errcode, r.Message)
		}
		e := FromReply("op", InvalidInput, status, body)
		if e.Code != InvalidInput {
			t.Fatalf("code %s", e.Code)
		}
		if Classify(status, body, InvalidInput) == "" {
			t.Fatal("no code")
		}
		_ = e.Error()
	})
}
