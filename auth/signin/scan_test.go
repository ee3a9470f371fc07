package signin

import (
	"fmt"
	"testing"
)

// claimsVersionBySscanf is the fmt reading that leadingInt replaced; the
// fuzz target holds the two to the same answers.
func claimsVersionBySscanf(v string, major, minor int) bool {
	var a, b int
	n, _ := fmt.Sscanf(v, "v%d.%d", &a, &b)
	return n == 2 && (a > major || a == major && b >= minor)
}

var scanSeeds = []string{"", "0", "5", "+5", "-5", "120 s", "12abc", " 7 ", "abc", "99999999999999999999", "1.5",
	"v1.15", "v1.2", "v2.0", "v1.15.2", "r0.6.1", "v1", "v1.", "v-1.20", "v+1.16", "V1.15", " v1.15", "v1.x", "v01.015"}

func FuzzClaimsVersionAsSscanf(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, mm := range [][2]int{{1, 15}, {1, 2}, {0, 0}} {
			if got, want := claimsVersion([]string{v}, mm[0], mm[1]), claimsVersionBySscanf(v, mm[0], mm[1]); got != want {
				t.Fatalf("%q v%d.%d: got %v, Sscanf %v", v, mm[0], mm[1], got, want)
			}
		}
	})
}
