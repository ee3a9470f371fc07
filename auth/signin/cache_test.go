package signin

import (
	"testing"
	"time"
)

func TestParseCacheControl(t *testing.T) {
	tests := []struct {
		in          string
		maxAge, swr time.Duration
		noStore     bool
	}{
		{"", -1, -1, false},
		{"public, max-age=600, s-maxage=3600, stale-while-revalidate=600", 600 * time.Second, 600 * time.Second, false},
		{"no-store", -1, -1, true},
		{"max-age=abc", -1, -1, false},
		{"max-age=-5", -1, -1, false},
		{`max-age="60"`, time.Minute, -1, false},
		{"max-age=99999999999", 7 * 24 * time.Hour, -1, false},
	}
	for _, tt := range tests {
		m, s, n := parseCacheControl(tt.in)
		if m != tt.maxAge || s != tt.swr || n != tt.noStore {
			t.Errorf("parseCacheControl(%q) = %v, %v, %v; want %v, %v, %v", tt.in, m, s, n, tt.maxAge, tt.swr, tt.noStore)
		}
	}
}

// FuzzCacheControl: any header value gives bounded, non-negative-or-absent
// durations.
func FuzzCacheControl(f *testing.F) {
	for _, s := range []string{"max-age=300", "no-store", `max-age="60", stale-while-revalidate=3600`, "max-age=-1", "max-age=99999999999999999999", "MAX-AGE=5,,=,", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		maxAge, swr, _ := parseCacheControl(v)
		for _, d := range []time.Duration{maxAge, swr} {
			if d < -1 || d > 7*24*time.Hour {
				t.Fatalf("%q gave %v", v, d)
			}
		}
	})
}
