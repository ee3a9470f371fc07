package signin

// MAS's client registration policy, checked before registering so that a
// page gets a precise error (which rule, which field) instead of the
// server's bare invalid_client_metadata. register.go is the RFC 7591
// client that sends the registration.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// ApplicationType is a client's application_type (OpenID Connect Dynamic
// Client Registration §2, which RFC 7591 clients of MAS send).
type ApplicationType string

// Application types.
const (
	ApplicationTypeWeb    ApplicationType = "web"
	ApplicationTypeNative ApplicationType = "native"
)

// Rule names a check of MAS's client registration policy that a client's
// metadata failed: the "rule" of a registration_failed error's Details.
type Rule string

// Registration rules.
const (
	RuleRequired       Rule = "required"        // the field must be present
	RuleHTTPS          Rule = "https"           // must be an https URL
	RuleNotLoopback    Rule = "not_loopback"    // an https URL may not point at localhost
	RuleSameHost       Rule = "same_host"       // host must be client_uri's host or a subdomain of it
	RuleNoFragment     Rule = "no_fragment"     // no '#'
	RuleURLCharacters  Rule = "url_characters"  // outside the characters MAS's URL check allows
	RulePublicSuffix   Rule = "public_suffix"   // the host is a public suffix (github.io itself)
	RuleNativeRedirect Rule = "native_redirect" // a private-use scheme must be client_uri's host reversed, with no authority
	RuleLanguageTag    Rule = "language_tag"    // a localisation key is not a language tag
)

// registrationError is a local refusal naming the rule and the field.
func registrationError(rule Rule, field, format string, args ...any) *autherr.Error {
	return &autherr.Error{
		Code:    autherr.RegistrationFailed,
		Op:      "register",
		Details: map[string]string{"rule": string(rule), "field": field},
		Err:     fmt.Errorf("%s: "+format, append([]any{field}, args...)...),
	}
}

// ApplicationTypeOf is "native" when redirectURI is a loopback http
// address (RFC 8252 §7.3) or a private-use scheme (§7.1), else "web". MAS
// accepts loopback redirects only from native clients.
func ApplicationTypeOf(redirectURI string) ApplicationType {
	p, ok := splitPolicyURL(redirectURI)
	if !ok {
		return ApplicationTypeWeb
	}
	switch {
	case p.scheme == "http" && isPolicyLoopback(p.host):
		return ApplicationTypeNative
	case p.scheme != "http" && p.scheme != "https":
		return ApplicationTypeNative
	}
	return ApplicationTypeWeb
}

// CheckClientMetadata checks meta and redirectURI against the rules MAS's
// registration policy enforces (policies/client_registration, spec
// "Client registration"), so that a refusal is explained before anything is
// sent. The error is registration_failed with Details "rule" and "field".
// The server has the last word: some checks (the full public-suffix list)
// only it makes.
func CheckClientMetadata(meta ClientMetadata, redirectURI string) error {
	client, err := checkClientURIs(meta)
	if err != nil {
		return err
	}
	return checkRedirectURI(client, redirectURI)
}

// checkClientURIs checks client_uri and the URIs that must share its host,
// every rule but the redirect's.
func checkClientURIs(meta ClientMetadata) (policyURL, error) {
	if meta.URI == "" {
		return policyURL{}, registrationError(RuleRequired, "client_uri", "missing")
	}
	client, err := checkSecureURI("client_uri", meta.URI)
	if err != nil {
		return client, err
	}
	sameHost := func(field, raw string) error {
		if raw == "" {
			return nil
		}
		p, err := checkSecureURI(field, raw)
		if err != nil {
			return err
		}
		if !isSubdomain(client.host, p.host) {
			return registrationError(RuleSameHost, field, "host %q is not %q or a subdomain of it", p.host, client.host)
		}
		return nil
	}
	for _, f := range []struct{ name, val string }{
		{"logo_uri", meta.LogoURI}, {"tos_uri", meta.TOSURI}, {"policy_uri", meta.PolicyURI},
	} {
		if err := sameHost(f.name, f.val); err != nil {
			return client, err
		}
	}
	for _, tag := range sortedKeys(meta.Localized) {
		if !validLanguageTag(tag) {
			return client, registrationError(RuleLanguageTag, "client_name#"+tag, "%q is not a BCP 47 language tag", tag)
		}
		l := meta.Localized[tag]
		for _, f := range []struct{ name, val string }{
			{"logo_uri#" + tag, l.LogoURI}, {"tos_uri#" + tag, l.TOSURI}, {"policy_uri#" + tag, l.PolicyURI},
		} {
			if err := sameHost(f.name, f.val); err != nil {
				return client, err
			}
		}
	}
	return client, nil
}

// checkRedirectURI applies the web or native redirect rules.
func checkRedirectURI(client policyURL, raw string) error {
	const field = "redirect_uris"
	if raw == "" {
		return registrationError(RuleRequired, field, "missing")
	}
	if strings.Contains(raw, "#") {
		return registrationError(RuleNoFragment, field, "%q has a fragment", serverrule.ClipURL(raw))
	}
	p, ok := splitPolicyURL(raw)
	if !ok {
		return registrationError(RuleURLCharacters, field, "%q has characters MAS's URL check refuses (hosts [a-z0-9-], paths [A-Za-z0-9/._~-])", serverrule.ClipURL(raw))
	}
	switch ApplicationTypeOf(raw) {
	case ApplicationTypeNative:
		if p.scheme == "http" {
			return nil // loopback, any port (RFC 8252 §7.3)
		}
		if p.hasAuthority {
			return registrationError(RuleNativeRedirect, field, "a private-use scheme URI takes no authority (%s:/path, not %s://…)", p.scheme, p.scheme)
		}
		if !reverseDNSMatch(client.host, p.scheme) {
			return registrationError(RuleNativeRedirect, field, "scheme %q is not the client_uri host %q reversed", p.scheme, client.host)
		}
		return nil
	}
	if p.scheme != "https" {
		return registrationError(RuleHTTPS, field, "%q is not https (plain http is only for localhost, 127.0.0.1 or [::1])", serverrule.ClipURL(raw))
	}
	if isPolicyLoopback(p.host) || p.host == "0.0.0.0" {
		return registrationError(RuleNotLoopback, field, "https redirect to %s", p.host)
	}
	if isPublicSuffix(p.host) {
		return registrationError(RulePublicSuffix, field, "%q is a public suffix, not a domain of its own", p.host)
	}
	if !isSubdomain(client.host, p.host) {
		return registrationError(RuleSameHost, field, "host %q is not %q or a subdomain of it", p.host, client.host)
	}
	return nil
}

// checkSecureURI is MAS's secure-URL rule: https, the allowed characters, no
// loopback host, no fragment, not a public suffix.
func checkSecureURI(field, raw string) (policyURL, error) {
	if strings.Contains(raw, "#") {
		return policyURL{}, registrationError(RuleNoFragment, field, "%q has a fragment", serverrule.ClipURL(raw))
	}
	p, ok := splitPolicyURL(raw)
	if !ok {
		return p, registrationError(RuleURLCharacters, field, "%q has characters MAS's URL check refuses (hosts [a-z0-9-], paths [A-Za-z0-9/._~-])", serverrule.ClipURL(raw))
	}
	if p.scheme != "https" || !p.hasAuthority {
		return p, registrationError(RuleHTTPS, field, "%q is not an https URL", serverrule.ClipURL(raw))
	}
	if isPolicyLoopback(p.host) || p.host == "0.0.0.0" {
		return p, registrationError(RuleNotLoopback, field, "%s is a loopback host", p.host)
	}
	if isPublicSuffix(p.host) {
		return p, registrationError(RulePublicSuffix, field, "%q is a public suffix, not a domain of its own", p.host)
	}
	return p, nil
}

// policyURL is a URL split the way MAS's policy reads it.
type policyURL struct {
	scheme, host, port, path, query string
	hasAuthority                    bool
}

// splitPolicyURL accepts what MAS's registration policy accepts:
// scheme ":" ["//" host [":" port]] [path] ["?" query], where the scheme is
// lowercase [a-z][a-z0-9+.-]*, the host lowercase DNS labels of [a-z0-9-]
// (no leading or trailing '-') or one of 127.0.0.1, 0.0.0.0, [::1], the path
// [A-Za-z0-9/._~-] starting with '/', the query [-a-zA-Z0-9()@:%_+.~#?&/=].
// No user info, no percent-escapes in the path.
func splitPolicyURL(raw string) (policyURL, bool) {
	var p policyURL
	i := strings.IndexByte(raw, ':')
	if i <= 0 {
		return p, false
	}
	p.scheme = raw[:i]
	for j := 0; j < len(p.scheme); j++ {
		ch := p.scheme[j]
		if !(ch >= 'a' && ch <= 'z' || j > 0 && (ch >= '0' && ch <= '9' || ch == '+' || ch == '.' || ch == '-')) {
			return p, false
		}
	}
	rest := raw[i+1:]
	if strings.HasPrefix(rest, "//") {
		p.hasAuthority = true
		rest = rest[2:]
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		rest = rest[end:]
		host := auth
		if strings.HasPrefix(auth, "[::1]") {
			host, auth = "[::1]", auth[len("[::1]"):]
		} else if k := strings.LastIndexByte(auth, ':'); k >= 0 {
			host, auth = auth[:k], auth[k:]
		} else {
			auth = ""
		}
		if auth != "" {
			if len(auth) < 2 || auth[0] != ':' || !allIn(auth[1:], "0123456789") {
				return p, false
			}
			p.port = auth[1:]
		}
		if !validPolicyHost(host) {
			return p, false
		}
		p.host = host
	}
	q := strings.IndexByte(rest, '?')
	if q >= 0 {
		p.path, p.query = rest[:q], rest[q+1:]
		if !allIn(p.query, "-()@:%_+.~#?&/=") {
			return p, false
		}
	} else {
		p.path = rest
	}
	if p.path != "" && (p.path[0] != '/' || !allIn(p.path, "/._~-")) {
		return p, false
	}
	if !p.hasAuthority && p.path == "" {
		return p, false
	}
	return p, true
}

// allIn reports whether every byte of s is an ASCII letter, a digit or one
// of extra.
func allIn(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(extra, ch) >= 0 {
			continue
		}
		return false
	}
	return true
}

func validPolicyHost(h string) bool {
	switch h {
	case "127.0.0.1", "0.0.0.0", "[::1]":
		return true
	case "":
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}

// isPolicyLoopback is MAS's notion of localhost for native redirects:
// exactly localhost, 127.0.0.1 or [::1].
func isPolicyLoopback(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "[::1]"
}

// isSubdomain reports whether sub is host or a subdomain of it, label by
// label (so "evilexample.com" is not under "example.com").
func isSubdomain(host, sub string) bool {
	return sub == host || strings.HasSuffix(sub, "."+host)
}

// reverseDNSMatch reports whether scheme is host reversed, or a longer name
// under it ("com.example.app" for "example.com").
func reverseDNSMatch(host, scheme string) bool {
	labels := strings.Split(host, ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	rev := strings.Join(labels, ".")
	return scheme == rev || strings.HasPrefix(scheme, rev+".")
}

// publicSuffixes is a short list of the suffixes people most often try to
// register as their own host (the hosting platforms); single-label hosts are
// refused too. MAS checks the full Public Suffix List; this list only
// catches the common mistake before a round trip.
var publicSuffixes = map[string]bool{
	"github.io": true, "gitlab.io": true, "codeberg.page": true, "netlify.app": true,
	"vercel.app": true, "pages.dev": true, "workers.dev": true, "herokuapp.com": true,
	"web.app": true, "firebaseapp.com": true, "appspot.com": true, "azurewebsites.net": true,
	"cloudfront.net": true, "onrender.com": true, "fly.dev": true, "surge.sh": true,
	"glitch.me": true, "blogspot.com": true, "s3.amazonaws.com": true, "ngrok.io": true,
	"ngrok-free.app": true, "co.uk": true, "org.uk": true, "com.au": true, "co.jp": true,
}

func isPublicSuffix(host string) bool {
	if host == "" || strings.HasPrefix(host, "[") || host == "127.0.0.1" || host == "0.0.0.0" {
		return false
	}
	return !strings.Contains(host, ".") && host != "localhost" || publicSuffixes[host]
}

func validLanguageTag(tag string) bool {
	if tag == "" || len(tag) > 35 || tag[0] == '-' || tag[len(tag)-1] == '-' || strings.Contains(tag, "--") {
		return false
	}
	return allIn(tag, "-")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
