// Package serverrule holds the rules mxauth applies to what a Matrix server
// is called and what it answers, written once for every build: the server
// name grammar, which URLs may be used (https, or plain http to a loopback
// host) and which redirects followed, where client discovery looks, the
// well-known body, Retry-After and
// "this endpoint is not here". It is a leaf without net/http, so the small
// WASM build (auth/signin, auth/room, wasm/browser) and the session build
// (auth, app) decide alike.
package serverrule

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Name is a server name split by the grammar of the spec (appendices,
// "Server Name"):
//
//	server_name = hostname [ ":" port ]
//	port        = 1*5DIGIT
//	hostname    = IPv4address / "[" IPv6address "]" / dns-name
//	IPv6address = 2*45IPv6char   ; DIGIT, A-F, a-f, ":" and "."
//	dns-name    = 1*255dns-char  ; DIGIT, ALPHA, "-" and "."
//
// The grammar is the test, and an IPv6 literal must also be an IPv6
// address: "a..b", "matrix.org." (trailing dot), "[::ffff:127.0.0.1]",
// "example.org:0" and "example.org:00443" are server names; whether
// anything answers there is the network's business.
type Name struct {
	// Host is the hostname, lower-cased, without IPv6 brackets.
	Host string
	// Port is the port as written ("8448", "00443"), or "" when absent.
	Port string
	// IPv6 is set for a bracketed IPv6 literal.
	IPv6 bool
}

// maxName is the longest server name: the grammar allows 255 characters of
// dns-name, and a port adds at most 6.
const maxName = 255 + 6

// ParseName reads a server name. Failures are *autherr.Error with code
// invalid_input, saying what is wrong.
func ParseName(s string) (Name, error) {
	fail := func(format string, args ...any) (Name, error) {
		return Name{}, &autherr.Error{Code: autherr.InvalidInput, Op: "server name", Err: fmt.Errorf(format, args...)}
	}
	if s == "" {
		return fail("empty server name")
	}
	if len(s) > maxName {
		return fail("server name longer than %d bytes", maxName)
	}
	var n Name
	rest := ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return fail("server name %q: unclosed IPv6 literal", clip(s))
		}
		n.Host, rest, n.IPv6 = s[1:end], s[end+1:], true
		if len(n.Host) < 2 || len(n.Host) > 45 {
			return fail("server name %q: an IPv6 literal has 2 to 45 characters", clip(s))
		}
		for i := 0; i < len(n.Host); i++ {
			if c := n.Host[i]; !isHex(c) && c != ':' && c != '.' {
				return fail("server name %q: %q is not allowed in an IPv6 literal", clip(s), rune(c))
			}
		}
		// The grammar's characters admit "[.00]"; an IPv6 literal is an
		// IPv6 address (IPv4-mapped ones too), or no URL can carry it.
		if ip, ok := parseIP(n.Host); !ok || !ip.Is6() {
			return fail("server name %q: not an IPv6 address in brackets", clip(s))
		}
	} else {
		n.Host = s
		if i := strings.IndexByte(s, ':'); i >= 0 {
			n.Host, rest = s[:i], s[i:]
		}
		if n.Host == "" {
			return fail("server name %q has no host", clip(s))
		}
		if len(n.Host) > 255 {
			return fail("server name %q: host longer than 255 characters", clip(s))
		}
		for i := 0; i < len(n.Host); i++ {
			if c := n.Host[i]; !isAlnum(c) && c != '-' && c != '.' {
				return fail("server name %q: %q is not allowed in a host name", clip(s), rune(c))
			}
		}
	}
	if rest != "" {
		if rest[0] != ':' {
			return fail("server name %q: junk after the host", clip(s))
		}
		n.Port = rest[1:]
		if n.Port == "" || len(n.Port) > 5 {
			return fail("server name %q: a port has 1 to 5 digits", clip(s))
		}
		for i := 0; i < len(n.Port); i++ {
			if c := n.Port[i]; c < '0' || c > '9' {
				return fail("server name %q: a port has 1 to 5 digits", clip(s))
			}
		}
	}
	n.Host = strings.ToLower(n.Host)
	return n, nil
}

// URLHost is the host as it goes into a URL: brackets around an IPv6
// literal, no port.
func (n Name) URLHost() string {
	if n.IPv6 {
		return "[" + n.Host + "]"
	}
	return n.Host
}

// String is the server name in its canonical spelling (host lower-cased).
func (n Name) String() string {
	if n.Port == "" {
		return n.URLHost()
	}
	return n.URLHost() + ":" + n.Port
}

// IsLoopback reports whether n names this machine (see IsLoopback).
func (n Name) IsLoopback() bool { return IsLoopback(n.Host) }

// IsLoopback reports whether host is localhost, in 127.0.0.0/8 or ::1
// (IPv4-mapped loopback included, as net.IP.IsLoopback decides). IPv6
// brackets are ignored; a port is not expected. Only these hosts may be
// reached over plain http, for local development.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, ok := parseIP(host)
	return ok && ip.IsLoopback()
}

// parseIP reads a literal IPv4 or IPv6 address as net.ParseIP does: no
// zone. It uses net/netip, which is far smaller than net in the browser
// build.
func parseIP(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// clip shortens text a person or a server sent for an error message.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
