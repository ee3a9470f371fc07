package qrsvg

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"
)

var (
	viewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	runs    = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// raster draws the SVG's path back into an image, scale pixels per module:
// what a camera sees, read from the document itself.
func raster(t *testing.T, svg string, scale int) image.Image {
	t.Helper()
	m := viewBox.FindStringSubmatch(svg)
	if m == nil || m[1] != m[2] {
		t.Fatalf("no square viewBox in %.200s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	d := svg[strings.Index(svg, ` d="`)+4:]
	d = d[:strings.IndexByte(d, '"')]
	if rest := runs.ReplaceAllString(d, ""); rest != "" {
		t.Fatalf("the path has more than runs: %.100q", rest)
	}
	for _, r := range runs.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

// Every code is read back by another library's decoder (go-qr, which the
// CLI uses to draw its terminal codes) from the SVG's own path.
func TestSVGReadsBack(t *testing.T) {
	for _, text := range []string{
		"https://account.example.org/device?code=ABCD-EFGH",
		"https://auth.matrix.org/link?user_code=WDJB-MJHT&extra=" + strings.Repeat("x", 200),
		"12345678",
		"HELLO WORLD",
		"https://ä.example/ü?q=é",
	} {
		svg, err := SVG(text, `Scan to sign in "here" <now>`)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !strings.HasPrefix(svg, "<svg ") || !strings.Contains(svg, `aria-label="Scan to sign in &quot;here&quot; &lt;now&gt;"`) {
			t.Errorf("%q: header %.300s", text, svg)
		}
		got, err := goqr.Decode(raster(t, svg, 4))
		if err != nil || got != text {
			t.Errorf("decoded %q, %v; want %q", got, err, text)
		}
	}
}

func TestSVGTooLong(t *testing.T) {
	if _, err := SVG(strings.Repeat("x", 4000), ""); err == nil {
		t.Error("4000 bytes made a QR code")
	}
}
