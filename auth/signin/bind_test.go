package signin

import (
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/serverrule"
)

func TestUserServerName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"@alice:example.org", "example.org", true},
		{"@Alice:Example.ORG:8448", "example.org:8448", true},
		{"@a!\"#$%&'()*+,-./09;<=>?@[\\]^_`{|}~:example.org", "example.org", true}, // historical characters
		{"@alice:[::1]:8008", "[::1]:8008", true},
		{"alice:example.org", "", false},
		{"@:example.org", "", false},
		{"@alice", "", false},
		{"@alice:", "", false},
		{"@al ice:example.org", "", false},
		{"@al\tice:example.org", "", false},
		{"@al\u202Eice:example.org", "", false},
		{"@alïce:example.org", "", false},
		{"@alice:exa\u202Emple.org", "", false},
		// The spec's grammar: a port is 1 to 5 digits, labels may be empty.
		{"@alice:example.org:99999", "example.org:99999", true},
		{"@alice:a..b", "a..b", true},
		{"@alice:example.org:100000", "", false},
		{"@" + strings.Repeat("a", 250) + ":example.org", "", false},
	}
	for _, tt := range tests {
		got, err := UserServerName(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("UserServerName(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzUserID(f *testing.F) {
	for _, s := range []string{"@alice:example.org", "@a:[::1]:8448", "@\u202E:x", "@a:b:c", "@ :x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		name, err := UserServerName(id)
		if err != nil {
			return
		}
		if len(id) > 255 || !strings.HasPrefix(id, "@") {
			t.Fatalf("accepted %q", id)
		}
		for i := 0; i < len(id); i++ {
			if id[i] <= 0x20 || id[i] >= 0x7f {
				t.Fatalf("accepted %q with byte %#x", id, id[i])
			}
		}
		if _, err := serverrule.ParseName(name); err != nil {
			t.Fatalf("server name %q of %q: %v", name, id, err)
		}
	})
}
