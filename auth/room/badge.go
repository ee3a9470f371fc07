package room

import (
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BadgeOptions changes a badge's label and look.
type BadgeOptions struct {
	// Label is the left-hand text; empty means DefaultBadgeLabel, or the
	// room's alias when UseAlias is set.
	Label string
	// UseAlias labels the badge with the room's canonical alias when it has
	// one (and Label is empty).
	UseAlias bool
	// Style is "flat" (the default, light, shields.io's look) or "dark".
	// Unknown styles draw "flat".
	Style string
}

// DefaultBadgeLabel is the label of a badge without one.
const DefaultBadgeLabel = "[matrix]"

// maxLabelRunes keeps a hostile alias or label from making a badge as wide
// as a page.
const maxLabelRunes = 48

type badgeTheme struct {
	label, value, missing, text, shadow string
	gradient                            bool
}

// The colours keep white text at a contrast of at least 4.5:1 (WCAG AA).
var badgeThemes = map[string]badgeTheme{
	"flat": {label: "#555555", value: "#1a7f37", missing: "#6e7781", text: "#fff", shadow: "#010101", gradient: true},
	"dark": {label: "#30363d", value: "#238636", missing: "#6e7781", text: "#fff", shadow: "#010101"},
}

// Badge draws a shields.io-style two-part SVG badge: a label and the
// member count ("1.2k members"). Text is measured with Verdana 11 px
// widths and pinned with textLength, so nothing clips in other fonts; all
// text is XML-escaped; the image carries role="img", an aria-label and a
// <title> for screen readers. The output depends only on its inputs. A nil
// summary draws "unavailable" in grey.
func Badge(s *Summary, opts BadgeOptions) string {
	theme, ok := badgeThemes[opts.Style]
	if !ok {
		theme = badgeThemes["flat"]
	}
	label := opts.Label
	if label == "" && opts.UseAlias && s != nil {
		label = s.CanonicalAlias
	}
	label = badgeText(label)
	if label == "" {
		label = DefaultBadgeLabel
	}
	value, fill := "unavailable", theme.missing
	if s != nil {
		value, fill = FormatMembers(s.NumJoinedMembers), theme.value
	}

	const pad = 5 // px each side of a text, as shields draws it
	lw := int(math.Ceil(textWidth(label)))
	vw := int(math.Ceil(textWidth(value)))
	labelBox, valueBox := lw+2*pad, vw+2*pad
	total := labelBox + valueBox
	title := label + ": " + value
	// Ids unique to this badge's look: badges inlined side by side in one
	// HTML page must not clip each other through a shared url(#r).
	h := fnv.New32a()
	h.Write([]byte(title + "\x00" + opts.Style))
	id := strconv.FormatUint(uint64(h.Sum32()), 36)

	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	n := strconv.Itoa
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="`, n(total), `" height="20" role="img" aria-label="`, xmlEscape(title), `">`)
	w(`<title>`, xmlEscape(title), `</title>`)
	if theme.gradient {
		w(`<linearGradient id="s`, id, `" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	}
	w(`<clipPath id="r`, id, `"><rect width="`, n(total), `" height="20" rx="3" fill="#fff"/></clipPath>`)
	w(`<g clip-path="url(#r`, id, `)">`)
	w(`<rect width="`, n(labelBox), `" height="20" fill="`, theme.label, `"/>`)
	w(`<rect x="`, n(labelBox), `" width="`, n(valueBox), `" height="20" fill="`, fill, `"/>`)
	if theme.gradient {
		w(`<rect width="`, n(total), `" height="20" fill="url(#s`, id, `)"/>`)
	}
	w(`</g>`)
	// Text is drawn at ten times the size and scaled down, as shields does,
	// so positions keep a tenth of a pixel without decimals.
	w(`<g fill="`, theme.text, `" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	text := func(s string, x10, width int) {
		xs, ws := n(x10), n(width*10)
		w(`<text aria-hidden="true" x="`, xs, `" y="150" fill="`, theme.shadow, `" fill-opacity=".3" transform="scale(.1)" textLength="`, ws, `">`, xmlEscape(s), `</text>`)
		w(`<text x="`, xs, `" y="140" transform="scale(.1)" textLength="`, ws, `">`, xmlEscape(s), `</text>`)
	}
	// x is the centre of each box, in tenths of a pixel.
	text(label, labelBox*5, lw)
	text(value, labelBox*10+valueBox*5, vw)
	w(`</g></svg>`)
	return b.String()
}

// FormatMembers writes a member count as badges show it: "1 member",
// "999 members", "1.2k members", "12k members", "1.2M members". Counts
// are rounded down, so a badge never claims more members than the room has.
func FormatMembers(n int64) string {
	if n == 1 {
		return "1 member"
	}
	return compactCount(n) + " members"
}

func compactCount(n int64) string {
	if n < 0 {
		n = 0
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	size, suffix := int64(1_000), "k"
	for _, u := range []struct {
		size   int64
		suffix string
	}{{1_000_000, "M"}, {1_000_000_000, "G"}, {1_000_000_000_000, "T"}} {
		if n >= u.size {
			size, suffix = u.size, u.suffix
		}
	}
	whole, tenth := n/size, (n%size)/(size/10)
	if whole >= 10 || tenth == 0 {
		return strconv.FormatInt(whole, 10) + suffix
	}
	return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(tenth, 10) + suffix
}

// badgeText makes a label drawable: valid UTF-8, no control characters
// (XML 1.0 forbids most), single spaces, at most maxLabelRunes runes.
func badgeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	count := 0
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\uFFFE' || r == '\uFFFF' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			count++
		}
		space = false
		if count >= maxLabelRunes {
			return strings.TrimSpace(b.String()) + "…"
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// xmlEscape escapes text for XML content and attribute values.
func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		case utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
