package browser

import (
	"net/url"
	"strings"
)

// callbackParams are the authorization response parameters a completed
// login removes from the address bar (RFC 6749 §4.1.2, RFC 9207 iss, and
// the legacy SSO route's loginToken).
var callbackParams = []string{"code", "state", "iss", "loginToken"}

// CleanCallbackURL returns raw without the authorization response
// parameters (code, state, iss) in its query and its fragment, keeping
// every other parameter as written, so that a reload or a shared link does
// not carry a spent code. A query or fragment left empty is dropped.
// A URL that does not parse is returned unchanged.
func CleanCallbackURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = dropParams(u.RawQuery)
	u.ForceQuery = false
	frag := u.EscapedFragment()
	u.Fragment, u.RawFragment = "", ""
	out := u.String()
	if f := dropParams(frag); f != "" {
		out += "#" + f
	}
	return out
}

// dropParams removes callbackParams from an application/x-www-form-
// urlencoded string without re-encoding the rest.
func dropParams(s string) string {
	if s == "" {
		return ""
	}
	var keep []string
	for _, part := range strings.Split(s, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		drop := part == ""
		for _, p := range callbackParams {
			if name == p {
				drop = true
			}
		}
		if !drop {
			keep = append(keep, part)
		}
	}
	return strings.Join(keep, "&")
}
