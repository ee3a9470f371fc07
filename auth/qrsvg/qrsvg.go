// Package qrsvg draws a text as a QR code (ISO/IEC 18004) in an SVG
// document: the device login's verification_uri_complete for a phone
// camera, in the browser build, where an image encoder (PNG) would cost
// more bytes than the code itself. The encoding is rsc.io/qr/coding's (no
// image packages); this package picks the version and draws the modules.
package qrsvg

import (
	"errors"
	"fmt"
	"strings"

	"rsc.io/qr/coding"
)

// quiet is the light border around the code, in modules (ISO/IEC 18004
// §6.3.8 asks for 4).
const quiet = 4

// SVG returns an SVG document of text as a QR code with error correction
// level M, dark modules on a white square (cameras need the contrast
// whatever the page's theme). label is the accessible name (role="img"),
// escaped here. The document has a viewBox and no size: CSS sizes it.
func SVG(text, label string) (string, error) {
	code, err := encode(text)
	if err != nil {
		return "", err
	}
	n := code.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		n, n, escape(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	// One horizontal run of dark modules per subpath keeps the path short.
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < code.Size && code.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// encode picks the smallest encoding and version that hold text at level
// M, as rsc.io/qr's Encode does, without its image packages.
func encode(text string) (*coding.Code, error) {
	var enc coding.Encoding = coding.String(text)
	switch {
	case coding.Num(text).Check() == nil:
		enc = coding.Num(text)
	case coding.Alpha(text).Check() == nil:
		enc = coding.Alpha(text)
	}
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		if enc.Bits(v) > v.DataBytes(coding.M)*8 {
			continue
		}
		p, err := coding.NewPlan(v, coding.M, 0)
		if err != nil {
			return nil, err
		}
		return p.Encode(enc)
	}
	return nil, errors.New("the text is too long for a QR code")
}

// escape makes s safe inside a double-quoted XML attribute.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
