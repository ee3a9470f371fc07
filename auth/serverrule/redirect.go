package serverrule

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
)

// MaxRedirects is how many redirects one request may follow. Discovery
// documents move once or twice at most (a www host, a trailing slash).
const MaxRedirects = 5

// CheckRedirect decides whether a request first sent to from may follow
// its hops-th redirect (1 for the first) to to. Refused, with a
// *autherr.Error of code network:
//   - more than MaxRedirects hops;
//   - any move from https to another scheme: Go keeps the Authorization
//     header on a redirect to the same host, so a token would travel in
//     clear text;
//   - a target that breaks the URL rule every base URL is held to
//     (CheckURL: https, or plain http to loopback when insecure);
//   - for a request that carries a secret (a token in a header, a code or
//     a refresh token in a POST body), any other origin: a 307/308 would
//     replay it there (Details "reason" autherr.ReasonRedirectRefused).
//     Public GETs (well-known, versions, metadata, public room summaries)
//     may move.
func CheckRedirect(from, to *url.URL, hops int, carriesSecret, insecure bool) error {
	refuse := func(reason string, err error) error {
		e := &autherr.Error{Code: autherr.Network, Op: "redirect", Err: err}
		if reason != "" {
			e.Details = map[string]string{"reason": reason}
		}
		return e
	}
	if from == nil || to == nil {
		return refuse("", errors.New("redirect without a URL"))
	}
	if hops > MaxRedirects {
		return refuse("", fmt.Errorf("more than %d redirects", MaxRedirects))
	}
	if from.Scheme == "https" && to.Scheme != "https" {
		return refuse("", fmt.Errorf("refused redirect: %q is not https (a request sent over https stays on https)", ClipURL(to.String())))
	}
	if err := CheckURL(to.String(), insecure); err != nil {
		return refuse("", fmt.Errorf("refused redirect: %w", err))
	}
	if carriesSecret && (to.Scheme != from.Scheme || !strings.EqualFold(to.Host, from.Host)) {
		return refuse(autherr.ReasonRedirectRefused, fmt.Errorf("refused redirect of a request with credentials from %s to %s", ClipURL(from.Host), ClipURL(to.Host)))
	}
	return nil
}
