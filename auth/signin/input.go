package signin

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
)

// target is what the user's input names: where to look for the well-known,
// and which base URL to use when there is none.
type target struct {
	serverName   string // "matrix.org", "example.org:8448", "127.0.0.1:8008"
	wellKnownURL string
	fallbackBase string // used when the well-known answers 404 (IGNORE)
	insecure     bool   // the named server is loopback: http allowed for loopback hosts
	named        bool   // the input was a server name or user id, not a URL
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
		name := s[i+1:]
		if _, _, err := splitServerName(name); err != nil {
			return fail("user id %q: %v", s, err)
		}
		t := targetForName(name)
		t.named = true
		return t, nil
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return fail("not a URL: %v", err)
		}
		if u.Scheme != "https" && u.Scheme != "http" {
			return fail("URL scheme %q is not http or https", u.Scheme)
		}
		if u.User != nil {
			return fail("URL must not carry a user name or password")
		}
		if _, _, err := splitServerName(u.Host); err != nil {
			return fail("URL host: %v", err)
		}
		insecure := IsLoopbackHost(u.Hostname())
		if u.Scheme == "http" && !insecure {
			return fail("plain http is only allowed for loopback servers; use https://%s", u.Host)
		}
		origin := u.Scheme + "://" + strings.ToLower(u.Host)
		base := origin + strings.TrimRight(u.EscapedPath(), "/")
		return target{
			serverName:   strings.ToLower(u.Host),
			wellKnownURL: origin + "/.well-known/matrix/client",
			fallbackBase: base,
			insecure:     insecure,
		}, nil
	}
	if _, _, err := splitServerName(s); err != nil {
		return fail("%v", err)
	}
	t := targetForName(s)
	t.named = true
	return t, nil
}

// targetForName builds the target of a bare server name. The spec looks up
// the well-known on the hostname without the port; a loopback server keeps
// its port (and uses http), as the sandbox serves everything on one port.
func targetForName(name string) target {
	name = strings.ToLower(name)
	host, port, _ := splitServerName(name)
	if IsLoopbackHost(host) {
		origin := "http://" + name
		return target{serverName: name, wellKnownURL: origin + "/.well-known/matrix/client", fallbackBase: origin, insecure: true}
	}
	hostOnly := host
	if strings.Contains(host, ":") {
		hostOnly = "[" + host + "]"
	}
	fallback := "https://" + hostOnly
	if port != "" {
		fallback += ":" + port
	}
	return target{serverName: name, wellKnownURL: "https://" + hostOnly + "/.well-known/matrix/client", fallbackBase: fallback}
}

// splitServerName checks the spec's server name grammar (appendices,
// "Server Name"): a DNS name, an IPv4 literal or a bracketed IPv6 literal,
// then an optional port. It returns the host without brackets.
func splitServerName(name string) (host, port string, err error) {
	if name == "" {
		return "", "", fmt.Errorf("empty server name")
	}
	if len(name) > 255 {
		return "", "", fmt.Errorf("server name longer than 255 bytes")
	}
	hostPart := name
	if strings.HasPrefix(name, "[") {
		end := strings.IndexByte(name, ']')
		if end < 0 {
			return "", "", fmt.Errorf("server name %q: unclosed IPv6 literal", name)
		}
		host = name[1:end]
		if ip, ok := parseIP(host); !ok || ip.Is4() || ip.Is4In6() {
			return "", "", fmt.Errorf("server name %q: bad IPv6 literal", name)
		}
		rest := name[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", "", fmt.Errorf("server name %q: junk after IPv6 literal", name)
			}
			port = rest[1:]
		}
	} else {
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			hostPart, port = name[:i], name[i+1:]
		}
		host = hostPart
		if host == "" {
			return "", "", fmt.Errorf("server name %q has no host", name)
		}
		for _, r := range host {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
				return "", "", fmt.Errorf("server name %q: %q is not allowed in a host name", name, r)
			}
		}
		if strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
			return "", "", fmt.Errorf("server name %q: empty label", name)
		}
	}
	if port != "" || strings.HasSuffix(name, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || len(port) > 5 {
			return "", "", fmt.Errorf("server name %q: bad port", name)
		}
	}
	return host, port, nil
}

// parseIP reads a literal IPv4 or IPv6 address as net.ParseIP does: no
// zone, no leading zeros. It uses net/netip, which is far smaller than net
// in the browser build.
func parseIP(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}
