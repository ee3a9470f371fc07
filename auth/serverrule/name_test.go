package serverrule

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// checkErr fails unless err is nil or an *autherr.Error with a code.
func checkErr(t *testing.T, err error) {
	t.Helper()
	var e *autherr.Error
	if err != nil && (!errors.As(err, &e) || e.Code == "") {
		t.Fatalf("error without a code: %v (%T)", err, err)
	}
}

// TestParseName pins the spec's grammar (appendices, "Server Name"),
// including the names the copies this package replaced disagreed on.
func TestParseName(t *testing.T) {
	tests := []struct {
		name, in   string
		ok         bool
		host, port string
	}{
		{"dns name", "matrix.org", true, "matrix.org", ""},
		{"upper case kept as a name, lower-cased", "Matrix.ORG", true, "matrix.org", ""},
		{"port", "matrix.org:8448", true, "matrix.org", "8448"},
		{"ipv4", "1.2.3.4", true, "1.2.3.4", ""},
		{"ipv4 port", "1.2.3.4:1234", true, "1.2.3.4", "1234"},
		{"ipv6", "[1234:5678::abcd]", true, "1234:5678::abcd", ""},
		{"ipv6 port", "[1234:5678::abcd]:5678", true, "1234:5678::abcd", "5678"},
		{"ipv6 with a dotted tail", "[::ffff:127.0.0.1]", true, "::ffff:127.0.0.1", ""},
		{"empty labels are dns-chars", "a..b", true, "a..b", ""},
		{"trailing dot", "matrix.org.", true, "matrix.org.", ""},
		{"port zero has one digit", "example.org:0", true, "example.org", "0"},
		{"five digits even above 65535", "example.org:99999", true, "example.org", "99999"},
		{"leading zeros are digits", "matrix.org:00443", true, "matrix.org", "00443"},
		{"255 characters", strings.Repeat("a", 255), true, strings.Repeat("a", 255), ""},
		{"empty", "", false, "", ""},
		{"256 characters", strings.Repeat("a", 256), false, "", ""},
		{"six-digit port", "example.org:100000", false, "", ""},
		{"empty port", "example.org:", false, "", ""},
		{"no host", ":8448", false, "", ""},
		{"two ports", "a:1:2", false, "", ""},
		{"underscore", "my_server.org", false, "", ""},
		{"non-ascii", "mätrix.org", false, "", ""},
		{"space", "matrix .org", false, "", ""},
		{"path", "matrix.org/x", false, "", ""},
		{"unclosed ipv6", "[::1", false, "", ""},
		{"ipv6 letter", "[::g]", false, "", ""},
		{"ipv6 one char", "[:]", false, "", ""},
		{"ipv6 characters but no address", "[.00]", false, "", ""},
		{"ipv4 in brackets", "[127.0.0.1]", false, "", ""},
		{"ipv6 junk after", "[::1]x", false, "", ""},
		{"ipv6 empty port", "[::1]:", false, "", ""},
		{"bare ipv6", "::1", false, "", ""},
		{"user id", "@alice:matrix.org", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseName(tt.in)
			checkErr(t, err)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseName(%q) error %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err == nil && (n.Host != tt.host || n.Port != tt.port) {
				t.Errorf("ParseName(%q) = %+v, want host %q port %q", tt.in, n, tt.host, tt.port)
			}
			if err != nil && autherr.CodeOf(err) != autherr.InvalidInput {
				t.Errorf("ParseName(%q) code %s, want invalid_input", tt.in, autherr.CodeOf(err))
			}
		})
	}
}

// FuzzParseName: the grammar never panics, a name it accepts prints back to
// a name it accepts as the same, and its host goes into a URL unchanged.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"matrix.org", "127.0.0.1:8008", "[::1]:8448", "a..b", "[", "a:b:c", "x:00443"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseName(in)
		checkErr(t, err)
		if err != nil {
			return
		}
		if !strings.EqualFold(n.String(), in) {
			t.Fatalf("ParseName(%q).String() = %q", in, n.String())
		}
		again, err := ParseName(n.String())
		if err != nil || again != n {
			t.Fatalf("ParseName(%q) = %+v, its String parses as %+v, %v", in, n, again, err)
		}
		if strings.ContainsAny(n.Host, "/?#@%[] ") {
			t.Fatalf("host %q would change a URL's shape", n.Host)
		}
		// Every name is the authority of a URL that reads back the same.
		u, err := url.Parse("https://" + n.String() + "/")
		if err != nil || u.Hostname() != n.Host || u.Port() != n.Port {
			t.Fatalf("https://%s/ reads as %v, %v", n, u, err)
		}
	})
}

// TestIsLoopback pins which hosts may be reached over plain http, and that
// the decision is net.IP.IsLoopback's, which the small build cannot link.
func TestIsLoopback(t *testing.T) {
	for _, tt := range []struct {
		host string
		want bool
	}{
		{"localhost", true}, {"LocalHost", true}, {"127.0.0.1", true}, {"127.1.2.3", true},
		{"::1", true}, {"[::1]", true}, {"::ffff:127.0.0.1", true}, {"0:0:0:0:0:0:0:1", true},
		{"localhost.example.org", false}, {"128.0.0.1", false}, {"::", false}, {"::1%lo", false},
		{"127.000.0.1", false}, {"", false}, {"example.org", false}, {"0.0.0.0", false},
	} {
		if got := IsLoopback(tt.host); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

// FuzzIsLoopback: an address is loopback exactly when net says so.
func FuzzIsLoopback(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "1.2.3", "fe80::1%eth0", "localhost"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		got := IsLoopback(host)
		bare := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if strings.EqualFold(bare, "localhost") {
			if !got {
				t.Fatalf("IsLoopback(%q) = false", host)
			}
			return
		}
		ip := net.ParseIP(bare)
		if want := ip != nil && ip.IsLoopback(); got != want {
			t.Fatalf("IsLoopback(%q) = %v, net says %v", host, got, want)
		}
	})
}

// parseIP must read what net.ParseIP reads, and IsLoopback decide as
// net.IP.IsLoopback does, since both replaced them.
func TestParseIPAsNet(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::", "0:0:0:0:0:0:0:1",
		"::1%lo", "fe80::1%eth0", "127.000.0.1", "1.2.3", "", "[::1]", "2001:db8::1", "::ffff:1.2.3.4", "1.2.3.4.5"} {
		nip := net.ParseIP(s)
		ip, ok := parseIP(s)
		if ok != (nip != nil) {
			t.Errorf("%q: parseIP ok=%v, net.ParseIP %v", s, ok, nip)
			continue
		}
		if ok && (ip.IsLoopback() != nip.IsLoopback() || (ip.Is4() || ip.Is4In6()) != (nip.To4() != nil)) {
			t.Errorf("%q: netip and net disagree", s)
		}
	}
}
