package auth

import (
	"testing"
)

// Benchmarks of the parsers on the discovery path (make bench prints them
// with allocations per op). They are figures, never assertions.

func BenchmarkDecideHints(b *testing.B) {
	info := &ServerInfo{ServerName: "matrix.org",
		OAuth: &OAuthInfo{PromptValues: []string{"login", "create"}},
		Login: &LoginInfo{Flows: []string{"m.login.password", "m.login.sso"}, OAuthAwarePreferred: true}}
	b.ReportAllocs()
	for b.Loop() {
		_ = DecideHints(info)
	}
}
