package serverrule

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
)

// CheckURL accepts an absolute https URL without credentials, or plain
// http to a loopback host when insecure is set (local development only).
// It is applied to every URL a server hands over, so a public well-known or
// metadata document can never send a client to plain http. The error says
// why, for the caller to classify.
func CheckURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", ClipURL(raw))
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("not an absolute URL: %q", ClipURL(raw))
	}
	if u.User != nil {
		return fmt.Errorf("URL carries credentials: %q", ClipURL(raw))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if insecure && IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q is not https (plain http only for loopback hosts)", ClipURL(raw))
	}
	return fmt.Errorf("%q is not an https URL", ClipURL(raw))
}

// BaseURL checks a homeserver base URL by CheckURL, refuses a query or
// fragment (a base URL is a prefix for paths), and returns it normalised:
// surrounding spaces and trailing slashes dropped (the spec's base_url
// "may or may not end in /"), host lower-cased, path prefix kept.
func BaseURL(raw string, insecure bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if err := CheckURL(raw, insecure); err != nil {
		return "", err
	}
	u, _ := url.Parse(raw)
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%q has a query or fragment", ClipURL(raw))
	}
	return u.Scheme + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// ClipURL shortens a URL a server sent for an error message.
func ClipURL(s string) string {
	if len(s) > 200 {
		i := 200
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		return s[:i] + "…"
	}
	return s
}

// WellKnownPath is where a server publishes its client discovery document.
const WellKnownPath = "/.well-known/matrix/client"

// Lookup is where the spec's client discovery ("Server Discovery") looks
// for a server name: the well-known on the hostname over https (port 443,
// whatever port the name carries), and the name itself over https as the
// base URL when the well-known is absent (the spec's IGNORE).
//
// A loopback name has a second place, for local development: when nothing
// answers https on the loopback host at all (the connection fails), the
// well-known and the base URL are looked up over plain http on the name's
// own port. A loopback server that speaks TLS (a dev setup with a local
// CA) is found by name like any other.
type Lookup struct {
	Name      Name
	WellKnown string // https://host/.well-known/matrix/client
	Base      string // https://host[:port]
	// LocalWellKnown and LocalBase are the plain http places of a loopback
	// name ("" for any other name).
	LocalWellKnown, LocalBase string
}

// LookupOf returns where discovery looks for n.
func LookupOf(n Name) Lookup {
	l := Lookup{
		Name:      n,
		WellKnown: "https://" + n.URLHost() + WellKnownPath,
		Base:      "https://" + n.String(),
	}
	if n.IsLoopback() {
		l.LocalBase = "http://" + n.String()
		l.LocalWellKnown = l.LocalBase + WellKnownPath
	}
	return l
}

// TryLocal reports whether the https well-known request of l, failed with
// err, lets discovery look again over plain http: only for a loopback
// name, and only when nothing could be reached over https at all (a
// network error, or a transport failure nobody classified). An https
// answer of any status, a timeout or the end of ctx (the caller's
// context of the request) keeps to https.
func (l Lookup) TryLocal(ctx context.Context, err error) bool {
	if l.LocalWellKnown == "" || err == nil || ctx.Err() != nil {
		return false
	}
	c := autherr.CodeOf(err)
	return c == autherr.Network || c == ""
}
