package main

import (
	"io"
	"strings"

	qr "github.com/piglig/go-qr"
)

// qrQuiet is the quiet zone around the code, in modules (ISO/IEC 18004
// asks for 4).
const qrQuiet = 4

// drawQR writes text as a QR code (piglig/go-qr encodes it) drawn with
// half-block characters, two module rows per line. It assumes a light
// foreground on a dark terminal: a light module is a drawn block, a dark one
// a blank, which phone cameras read either way round.
func drawQR(w io.Writer, text string) error {
	code, err := qr.EncodeText(text, qr.Low)
	if err != nil {
		return err
	}
	n := code.Size()
	light := func(x, y int) bool {
		if x < 0 || y < 0 || x >= n || y >= n {
			return true // quiet zone
		}
		return !code.Module(x, y)
	}
	var b strings.Builder
	for y := -qrQuiet; y < n+qrQuiet; y += 2 {
		for x := -qrQuiet; x < n+qrQuiet; x++ {
			top, bottom := light(x, y), light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}
