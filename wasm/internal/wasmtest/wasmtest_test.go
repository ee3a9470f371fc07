//go:build !js

package wasmtest

import "testing"

func TestRanAll(t *testing.T) {
	const a, b = "example.org/m/a", "example.org/m/b"
	tests := []struct {
		name, out string
		ok        bool
	}{
		{"both ran", "ok  \texample.org/m/a\t1.2s\nok  \texample.org/m/b\t0.3s\n", true},
		{"verbose", "=== RUN   TestX\n--- PASS: TestX (0.00s)\nPASS\nok  \texample.org/m/a\t1.2s\nok  \texample.org/m/b\t(cached)\n", true},
		{"an ok inside a word is no proof", "token refreshed\nlooks ok\n", false},
		{"one missing", "ok  \texample.org/m/a\t1.2s\n", false},
		{"no test files", "ok  \texample.org/m/a\t1.2s\n?   \texample.org/m/b\t[no test files]\n", false},
		{"no tests to run", "ok  \texample.org/m/a\t1.2s [no tests to run]\nok  \texample.org/m/b\t1s\n", false},
		{"a prefix of another package", "ok  \texample.org/m/ab\t1s\nok  \texample.org/m/b\t1s\n", false},
		{"warning", "testing: warning: no tests to run\nok  \texample.org/m/a\t1s\nok  \texample.org/m/b\t1s\n", false},
	}
	for _, tt := range tests {
		err := ranAll([]byte(tt.out), []string{a, b})
		if (err == nil) != tt.ok {
			t.Errorf("%s: ranAll = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if ranAll([]byte("ok x 1s"), nil) == nil {
		t.Error("no packages passed")
	}
}
