package room

import (
	"net/netip"
	"strings"
)

// validServerName reports whether s follows the server name grammar of the
// spec (appendices, "Server Name"): hostname [":" port], where hostname is an
// IPv4 literal, a bracketed IPv6 literal or a DNS name of letters, digits,
// "-" and ".". Ports are 1 to 5 digits.
func validServerName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		host, port = s[:end+1], s[end+1:]
		if port != "" {
			if port[0] != ':' {
				return false
			}
			port = port[1:]
			if port == "" {
				return false
			}
		}
		inner := host[1 : len(host)-1]
		if len(inner) < 2 || len(inner) > 45 {
			return false
		}
		for i := 0; i < len(inner); i++ {
			c := inner[i]
			if !isHexDigit(c) && c != ':' && c != '.' {
				return false
			}
		}
		if _, err := netip.ParseAddr(inner); err != nil {
			return false
		}
	} else {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			host, port = s[:i], s[i+1:]
			if port == "" {
				return false
			}
		}
		if host == "" {
			return false
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if !isAlnum(c) && c != '-' && c != '.' {
				return false
			}
		}
	}
	if len(port) > 5 {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// serverHost returns the host part of a valid server name, without port and
// without IPv6 brackets.
func serverHost(name string) string {
	if strings.HasPrefix(name, "[") {
		if end := strings.IndexByte(name, ']'); end > 0 {
			return name[1:end]
		}
		return name
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i]
	}
	return name
}

// isLoopbackHost reports whether host (no port, no brackets) is a loopback
// name: localhost, 127.0.0.0/8 or ::1. Only these may be reached over plain
// http (DESIGN.md, "Untrusted input is bounded").
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
