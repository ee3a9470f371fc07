package room

import "unicode"

// verdana11 holds the advance widths, in pixels, of printable ASCII
// (32 to 126) in Verdana at 11 px, the font and size of shields.io badges:
// the font's advance widths (2048 units per em) scaled by 11/2048. Badge
// sizes its boxes with them, and sets textLength so a renderer with another
// fallback font squeezes or stretches the text into the box instead of
// clipping it.
var verdana11 = [95]float64{
	3.87, 4.33, 5.05, 9.00, 6.99, 11.84, 7.99, 2.95, 4.88, 4.88,
	6.99, 9.00, 4.00, 4.88, 4.00, 4.88, 6.99, 6.99, 6.99, 6.99,
	6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 4.88, 4.88, 9.00, 9.00,
	9.00, 6.00, 11.00, 7.52, 7.55, 7.68, 8.47, 6.95, 6.33, 8.52,
	8.27, 4.63, 5.00, 7.62, 6.13, 9.27, 8.23, 8.66, 6.63, 8.66,
	7.65, 7.52, 6.78, 8.05, 7.52, 10.88, 7.54, 6.77, 7.54, 4.88,
	4.88, 4.88, 9.00, 6.99, 6.99, 6.60, 6.74, 5.73, 6.74, 6.47,
	3.87, 6.74, 6.94, 2.95, 3.64, 6.39, 2.95, 10.67, 6.94, 6.62,
	6.74, 6.74, 4.69, 5.73, 4.33, 6.94, 6.39, 8.94, 6.39, 6.39,
	5.65, 6.98, 4.88, 6.98, 9.00,
}

// textWidth estimates the rendered width of s in Verdana 11 px. Characters
// outside ASCII get a generous width (wide ones, such as CJK and emoji, a
// full em), so the estimate errs towards room to spare.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 32 && r < 127:
			w += verdana11[r-32]
		case isWide(r):
			w += 11
		case unicode.Is(unicode.Mn, r):
			// Combining marks take no advance of their own.
		default:
			w += 7.5
		}
	}
	return w
}

// isWide reports East Asian wide and emoji ranges, roughly.
func isWide(r rune) bool {
	return r >= 0x1100 && r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF ||
		r >= 0xAC00 && r <= 0xD7A3 || r >= 0xF900 && r <= 0xFAFF ||
		r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
		r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x1F300 && r <= 0x1FAFF ||
		r >= 0x20000 && r <= 0x3FFFD
}
