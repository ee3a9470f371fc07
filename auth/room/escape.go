package room

import "strings"

const upperHex = "0123456789ABCDEF"

// escapeComponent percent-encodes s like JavaScript's encodeURIComponent:
// everything but letters, digits and -_.!~*'() is encoded. matrix.to links
// and request paths use it: it is what matrix.to and matrix-js-sdk produce
// (`#` → %23, `:` → %3A, `/` → %2F, `!` kept), and every homeserver
// decodes it.
func escapeComponent(s string) string {
	return escape(s, func(c byte) bool {
		return isUnreserved(c) || strings.IndexByte("!*'()", c) >= 0
	})
}

// escapeSegment percent-encodes an id for a matrix: URI path segment. The
// spec (appendices, "Matrix URI scheme") keeps unreserved characters,
// sub-delims, ":" and "@" as they are; "/" must become %2F so the segment
// count stays right.
func escapeSegment(s string) string {
	return escape(s, func(c byte) bool {
		return isUnreserved(c) || strings.IndexByte("!$&'()*+,;=:@", c) >= 0
	})
}

// escapeQueryValue percent-encodes a query value, keeping ":" readable in
// via=example.org:8448.
func escapeQueryValue(s string) string {
	return escape(s, func(c byte) bool { return isUnreserved(c) || c == ':' })
}

func escape(s string, keep func(byte) bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// isUnreserved is RFC 3986 §2.3.
func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
