package browser

import "testing"

func TestCleanCallbackURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"fragment", "https://app.example/cb#code=abc&state=xyz&iss=https%3A%2F%2Fauth", "https://app.example/cb"},
		{"query", "https://app.example/cb?code=abc&state=xyz", "https://app.example/cb"},
		{"keeps others", "https://app.example/cb?lang=fr&code=abc#tab=2&state=x", "https://app.example/cb?lang=fr#tab=2"},
		{"nothing to do", "https://app.example/page?x=1#top", "https://app.example/page?x=1#top"},
		{"escaped name", "https://app.example/cb?%63ode=abc&a=%20b", "https://app.example/cb?a=%20b"},
		{"loopback", "http://127.0.0.1:8080/?state=s&code=c", "http://127.0.0.1:8080/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanCallbackURL(tt.in); got != tt.want {
				t.Errorf("CleanCallbackURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
