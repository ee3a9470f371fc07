package sandbox

import (
	"net/url"
	"regexp"
	"strings"
)

// This file holds MAS's client registration rules (spec §2.2; MAS
// policies/client_registration with the default data: no insecure URIs, no
// host mismatch, client_uri required). The sandbox runs on loopback but
// enforces them as written, so a client that passes here passes on MAS.

// policyURIRE is the URL shape the policy accepts: lowercase scheme; host of
// [a-z0-9-] labels or a loopback; optional port; a path of plain characters;
// a query of a limited set. Anything else (uppercase host, "%" or "@" in a
// path, userinfo) does not parse and so fails every rule that needs a URL.
var policyURIRE = regexp.MustCompile(`^([a-z][a-z0-9+.-]*):(?://(((?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::([0-9]+))?))?(/[A-Za-z0-9/._~-]*)?(\?[-a-zA-Z0-9()@:%_+.~#?&/=]*)?$`)

type policyURI struct {
	scheme, authority, host, port, path, query string
}

// parsePolicyURI matches u against policyURIRE after the normalisation MAS's
// URL type applies before the policy sees it (lowercase scheme and host, "/"
// for an empty http(s) path).
func parsePolicyURI(u string) (policyURI, bool) {
	if pu, err := url.Parse(u); err == nil && pu.Scheme != "" {
		pu.Scheme = strings.ToLower(pu.Scheme)
		if pu.Scheme == "http" || pu.Scheme == "https" {
			pu.Host = strings.ToLower(pu.Host)
			if pu.Path == "" && pu.Opaque == "" {
				pu.Path = "/"
			}
		}
		u = pu.String()
	}
	m := policyURIRE.FindStringSubmatch(u)
	if m == nil {
		return policyURI{}, false
	}
	return policyURI{scheme: m[1], authority: m[2], host: m[3], port: m[4], path: m[5], query: m[6]}, true
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "::1"
}

// secureURL: https, not a loopback or unspecified host.
func secureURL(u string) bool {
	p, ok := parsePolicyURI(u)
	return ok && p.scheme == "https" && !isLoopbackHost(p.host) && p.host != "0.0.0.0"
}

// isSubdomain reports whether sub is host or a subdomain of it, label-wise.
func isSubdomain(host, sub string) bool {
	h := strings.Split(host, ".")
	s := strings.Split(sub, ".")
	if len(s) < len(h) {
		return false
	}
	for i := 1; i <= len(h); i++ {
		if h[len(h)-i] != s[len(s)-i] {
			return false
		}
	}
	return true
}

// reverseDNSMatch reports whether scheme, read as reversed DNS labels,
// starts with host's labels: com.example.app for example.com.
func reverseDNSMatch(host, scheme string) bool {
	h := strings.Split(host, ".")
	d := strings.Split(scheme, ".")
	if len(d) < len(h) {
		return false
	}
	for i := range h {
		if d[i] != h[len(h)-1-i] {
			return false
		}
	}
	return true
}

func (m registration) hostMatchesClientURI(u string) bool {
	c, ok1 := parsePolicyURI(m.clientURI)
	p, ok2 := parsePolicyURI(u)
	return m.hasClientURI && ok1 && ok2 && isSubdomain(c.host, p.host)
}

// validNativeRedirect: loopback http on any port (RFC 8252 §7.3), or a
// private-use scheme that is client_uri's host reversed, with no authority
// (RFC 8252 §7.1).
func (m registration) validNativeRedirect(u string) bool {
	p, ok := parsePolicyURI(u)
	if !ok {
		return false
	}
	if p.scheme == "http" {
		return isLoopbackHost(p.host)
	}
	if p.scheme == "https" || p.authority != "" {
		return false
	}
	c, ok := parsePolicyURI(m.clientURI)
	return ok && m.hasClientURI && reverseDNSMatch(c.host, p.scheme)
}

func (m registration) validRedirect(u string) bool {
	if m.applicationType == "native" && m.validNativeRedirect(u) {
		return true
	}
	return secureURL(u) && m.hostMatchesClientURI(u)
}

// policyViolations lists the messages of every rule broken, in MAS's order.
func (m registration) policyViolations() []string {
	var v []string
	if !m.hasClientURI {
		v = append(v, "missing client_uri")
	} else if !secureURL(m.clientURI) {
		v = append(v, "invalid client_uri")
	}
	for _, f := range []struct {
		name string
		val  *string
	}{{"tos_uri", m.tosURI}, {"policy_uri", m.policyURI}, {"logo_uri", m.logoURI}} {
		if f.val == nil {
			continue
		}
		if !secureURL(*f.val) {
			v = append(v, "invalid "+f.name)
		}
		if !m.hostMatchesClientURI(*f.val) {
			v = append(v, f.name+" not on the same host as the client_uri")
		}
	}
	if m.uses("client_credentials") && m.authMethod == "none" {
		v = append(v, "client_credentials grant_type requires some form of client authentication")
	}
	for _, u := range m.redirectURIs {
		if !m.validRedirect(u) {
			v = append(v, "invalid redirect_uri")
		}
	}
	return v
}

// publicSuffixes is a small part of the Public Suffix List: enough for the
// hosts people try (github.io, co.uk…). MAS checks the whole list.
var publicSuffixes = map[string]bool{
	"com": true, "org": true, "net": true, "io": true, "dev": true, "app": true,
	"eu": true, "de": true, "fr": true, "nl": true, "uk": true, "co.uk": true,
	"org.uk": true, "github.io": true, "gitlab.io": true, "pages.dev": true,
	"netlify.app": true, "vercel.app": true, "herokuapp.com": true,
	"codeberg.page": true, "workers.dev": true, "web.app": true,
	"firebaseapp.com": true, "azurewebsites.net": true, "cloudfront.net": true,
}

func hostIsPublicSuffix(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(u.Hostname()), "."), ".")
	return h != "" && publicSuffixes[h]
}

// checkPublicSuffixes refuses URIs whose host is itself a public suffix
// (MAS registration.rs, before the policy).
func (m registration) checkPublicSuffixes() (code, desc string, ok bool) {
	fields := []struct {
		name string
		val  *string
	}{{"client_uri", nil}, {"logo_uri", m.logoURI}, {"policy_uri", m.policyURI}, {"tos_uri", m.tosURI}}
	if m.hasClientURI {
		fields[0].val = &m.clientURI
	}
	for _, f := range fields {
		if f.val != nil && hostIsPublicSuffix(*f.val) {
			return "invalid_client_metadata", f.name + " is not using a valid domain", false
		}
	}
	for _, u := range m.redirectURIs {
		if hostIsPublicSuffix(u) {
			return "invalid_redirect_uri", "redirect_uri is not using a valid domain", false
		}
	}
	return "", "", true
}
