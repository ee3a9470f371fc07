package signin

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// target is what the user's input names: where to look for the well-known,
// and which base URL to use when there is none.
//
// A typed URL is the base URL the person chose (issue 13): with a path it
// is used as is and never looked up ("" wellKnownURL); a bare origin is
// asked for /versions first and its well-known is read only when it has
// none (originFirst). Server names and user ids go through the spec's
// client discovery, well-known first.
type target struct {
	serverName   string // "matrix.org", "example.org:8448", "127.0.0.1:8008"
	wellKnownURL string // "" for a typed URL with a path
	fallbackBase string // used when the well-known answers 404 (IGNORE), or the typed URL
	insecure     bool   // the named server is loopback: http allowed for loopback hosts
	named        bool   // the input was a server name or user id, not a URL
	originFirst  bool   // a typed bare origin: /versions there before the well-known
	// local is the lookup of a loopback name, whose plain http places are
	// tried when nothing answers https (serverrule.Lookup.TryLocal).
	local serverrule.Lookup
}

// maxInput bounds the text we parse (server names are at most 255 bytes by
// the spec's grammar; URLs get some room for a path prefix).
const maxInput = 2048

// parseInput reads a server name ("example.org", "example.org:8448"), a user
// id ("@alice:example.org") or a URL ("https://matrix.example.org/prefix").
func parseInput(input string) (target, error) {
	s := strings.TrimSpace(input)
	fail := func(format string, args ...any) (target, error) {
		return target{}, &autherr.Error{Code: autherr.InvalidInput, Op: "discover", Err: fmt.Errorf(format, args...)}
	}
	if s == "" {
		return fail("empty server name")
	}
	if len(s) > maxInput {
		return fail("input longer than %d bytes", maxInput)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return fail("input contains a space or control character")
		}
	}
	if strings.HasPrefix(s, "@") {
		i := strings.IndexByte(s, ':')
		if i <= 1 {
			return fail("user id %q has no server name (expected @user:server)", s)
		}
		n, err := serverrule.ParseName(s[i+1:])
		if err != nil {
			return fail("user id %q: %v", s, errors.Unwrap(err))
		}
		return targetForName(n), nil
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return fail("not a URL: %v", err)
		}
		if _, err := serverrule.ParseName(u.Host); err != nil {
			return fail("URL host: %v", errors.Unwrap(err))
		}
		// A typed loopback URL may be plain http, for local development.
		insecure := serverrule.IsLoopback(u.Hostname())
		if err := serverrule.CheckURL(s, insecure); err != nil {
			return fail("%v", err)
		}
		origin := u.Scheme + "://" + strings.ToLower(u.Host)
		base := origin + strings.TrimRight(u.EscapedPath(), "/")
		t := target{serverName: strings.ToLower(u.Host), fallbackBase: base, insecure: insecure}
		if base == origin {
			t.wellKnownURL, t.originFirst = origin+"/.well-known/matrix/client", true
		}
		return t, nil
	}
	n, err := serverrule.ParseName(s)
	if err != nil {
		return fail("%v", errors.Unwrap(err))
	}
	return targetForName(n), nil
}

// targetForName builds the target of a bare server name n.
func targetForName(n serverrule.Name) target {
	l := serverrule.LookupOf(n)
	t := target{serverName: n.String(), wellKnownURL: l.WellKnown, fallbackBase: l.Base, named: true}
	if l.LocalBase != "" {
		// A loopback name may name a development server: plain http is
		// allowed for loopback hosts, and its own port over http is the
		// second place to look.
		t.insecure, t.local = true, l
	}
	return t
}
