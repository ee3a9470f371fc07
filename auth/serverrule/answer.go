package serverrule

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// WellKnown is what a /.well-known/matrix/client body says.
type WellKnown struct {
	// BaseURL is m.homeserver.base_url, normalised by BaseURL.
	BaseURL string
	// IdentityServer is m.identity_server.base_url when it is a usable URL.
	IdentityServer string
	// IssuerHint is the legacy MSC2965 issuer
	// (org.matrix.msc2965.authentication, earlier m.authentication), read
	// only as the last resort of the auth metadata chain.
	IssuerHint string
}

// ParseWellKnown reads a /.well-known/matrix/client body. insecure allows a
// plain http base URL to a loopback host (only for a server named on
// loopback). Every failure is the spec's FAIL_PROMPT or FAIL_ERROR, an
// *autherr.Error with code discovery_failed.
func ParseWellKnown(body []byte, insecure bool) (*WellKnown, error) {
	fail := func(format string, args ...any) (*WellKnown, error) {
		return nil, &autherr.Error{Code: autherr.DiscoveryFailed, Op: "well-known", Err: fmt.Errorf(format, args...)}
	}
	// Keys are looked up exactly: encoding/json would match a struct
	// field's name in any case.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return fail("the body is not a JSON object")
	}
	raw, ok := doc["m.homeserver"]
	if !ok {
		return fail("m.homeserver is missing")
	}
	var hs struct {
		BaseURL *string `json:"base_url"`
	}
	if err := json.Unmarshal(raw, &hs); err != nil {
		return fail("m.homeserver is not an object with a string base_url")
	}
	if hs.BaseURL == nil || *hs.BaseURL == "" {
		return fail("m.homeserver.base_url is missing")
	}
	base, err := BaseURL(*hs.BaseURL, insecure)
	if err != nil {
		return fail("m.homeserver.base_url: %v", err)
	}
	wk := &WellKnown{BaseURL: base}
	var is struct {
		BaseURL string `json:"base_url"`
	}
	if json.Unmarshal(doc["m.identity_server"], &is) == nil && is.BaseURL != "" {
		wk.IdentityServer, _ = BaseURL(is.BaseURL, insecure)
	}
	for _, key := range []string{"org.matrix.msc2965.authentication", "m.authentication"} {
		var a struct {
			Issuer string `json:"issuer"`
		}
		if json.Unmarshal(doc[key], &a) == nil && a.Issuer != "" {
			wk.IssuerHint = a.Issuer
			break
		}
	}
	return wk, nil
}

// Absent reports an answer that means "this endpoint is not here", so a
// caller moves on to its next fallback: M_UNRECOGNIZED with any 4xx (the
// spec's 404 for an unknown endpoint and 405 for a wrong method; older
// Synapse answered 400), or a 404 or 405 whose body is not a Matrix error
// (a plain web server or proxy in front). A 404 with another Matrix
// errcode (M_NOT_FOUND) is the endpoint answering "no such thing".
func Absent(status int, body []byte) bool {
	if status < 400 || status >= 500 {
		return false
	}
	r := autherr.ParseReply(body)
	if r.Errcode == "M_UNRECOGNIZED" {
		return true
	}
	return (status == 404 || status == 405) && !r.Matrix
}

// httpDates are the three forms of HTTP-date a recipient must accept (RFC
// 9110 §5.6.7): IMF-fixdate, then the obsolete RFC 850 and asctime forms.
var httpDates = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// RetryAfter reads a Retry-After header (RFC 9110 §10.2.3: delay-seconds
// or an HTTP-date, measured from now) as a wait, capped at
// autherr.MaxRetryAfter. An absent, unreadable or past value is 0. Natively
// the header is visible; in a browser usually not (Synapse does not expose
// it cross-origin), so the body's retry_after_ms comes first where both are
// read.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if allDigits(v) {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > uint64(autherr.MaxRetryAfter/time.Second) {
			// Too many digits to parse is a very long wait.
			return autherr.MaxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	for _, layout := range httpDates {
		if t, err := time.Parse(layout, v); err == nil {
			d := t.Sub(now)
			if d <= 0 {
				return 0
			}
			return min(d, autherr.MaxRetryAfter)
		}
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
