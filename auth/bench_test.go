package auth

import (
	"os"
	"testing"
)

// Benchmarks of the parsers on the discovery path (make bench prints them
// with allocations per op). They are figures, never assertions.

func BenchmarkParseAuthMetadata(b *testing.B) {
	body, err := os.ReadFile("testdata/matrix-org-auth-metadata.reconstructed.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAuthMetadata(body, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLoginFlows(b *testing.B) {
	body, err := os.ReadFile("testdata/mas-login-flows.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLoginFlows(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecideHints(b *testing.B) {
	info := &ServerInfo{ServerName: "matrix.org",
		OAuth: &OAuthInfo{PromptValues: []string{"login", "create"}},
		Login: &LoginInfo{Flows: []string{"m.login.password", "m.login.sso"}, OAuthAwarePreferred: true}}
	b.ReportAllocs()
	for b.Loop() {
		_ = DecideHints(info)
	}
}
