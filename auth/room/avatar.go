package room

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Avatars after authenticated media (MSC3916, spec v1.11): media lives under
// /_matrix/client/v1/media/… and needs a Bearer token, so an <img src>
// cannot load it and the legacy /_matrix/media/r0|v3 URLs are frozen. A card
// shows Initials on Color, and fetches ThumbnailURL with a token into a
// blob only when the user is signed in.

// avatarColors keep white initials at a contrast of at least 4.5:1.
var avatarColors = [...]string{
	"#0969da", "#8250df", "#bf3989", "#cf222e",
	"#9a6700", "#1b7c83", "#1a7f37", "#c2410c",
}

// Color returns a colour for a room's placeholder avatar, the same for the
// same room id everywhere (FNV-1a of the id picks from a fixed palette).
func Color(roomID string) string {
	h := fnv.New32a()
	h.Write([]byte(roomID))
	return avatarColors[h.Sum32()%uint32(len(avatarColors))]
}

// Initials returns up to two upper-case initials of a room name: the first
// letter or digit of the first word and of the last one ("Matrix Go Chat"
// gives "MC"), skipping a leading sigil ("#room:server" gives "R"). A name
// without letters gives its first character (an emoji, say); an empty name
// "#". Each initial is one grapheme: the letter with at most maxMarks
// combining marks after it, so a hostile name of ten thousand marks
// draws one letter, not ten thousand bytes.
func Initials(name string) string {
	name = strings.TrimLeft(strings.TrimSpace(name), "#!@+")
	if i := strings.IndexByte(name, ':'); i > 0 && !strings.ContainsRune(name[:i], ' ') {
		// An alias or id without sigil: its localpart is the name.
		name = name[:i]
	}
	first, last := "", ""
	for _, word := range strings.Fields(name) {
		if in := wordInitial(word); in != "" {
			if first == "" {
				first = in
			} else {
				last = in
			}
		}
	}
	if first != "" {
		return first + last
	}
	for i, r := range name {
		if !unicode.IsSpace(r) && !unicode.IsControl(r) {
			return grapheme(name[i:])
		}
	}
	return "#"
}

// maxMarks caps the combining marks kept after an initial's base
// character (Unicode's stream-safe format allows 30; two draw every real
// script's letters), and maxClusterRunes the runes of one emoji sequence
// (a family of four with its joiners is seven).
const (
	maxMarks        = 2
	maxClusterRunes = 8
)

// wordInitial is the first letter or digit of word, upper-cased, as one
// grapheme.
func wordInitial(word string) string {
	for i, r := range word {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			g := grapheme(word[i:])
			return string(unicode.ToUpper(r)) + g[utf8.RuneLen(r):]
		}
	}
	return ""
}

// grapheme returns the first user-perceived character of s, simplified
// from UAX #29: a base rune with the combining marks, variation selectors
// and emoji modifiers after it, emoji joined by ZERO WIDTH JOINER, or a
// pair of regional indicators (a flag); capped by maxMarks and
// maxClusterRunes.
func grapheme(s string) string {
	base, n := utf8.DecodeRuneInString(s)
	end, runes, marks := n, 1, 0
	if isRegionalIndicator(base) {
		if r, m := utf8.DecodeRuneInString(s[end:]); isRegionalIndicator(r) {
			end += m
		}
		return s[:end]
	}
	for end < len(s) && runes < maxClusterRunes {
		r, m := utf8.DecodeRuneInString(s[end:])
		switch {
		case r == '\u200d':
			next, k := utf8.DecodeRuneInString(s[end+m:])
			if k == 0 || !unicode.Is(unicode.So, next) || runes+2 > maxClusterRunes {
				return s[:end]
			}
			end, runes = end+m+k, runes+2
		case isEmojiModifier(r) || unicode.Is(unicode.Variation_Selector, r):
			end, runes = end+m, runes+1
		case unicode.Is(unicode.M, r):
			if marks == maxMarks {
				return s[:end]
			}
			end, runes, marks = end+m, runes+1, marks+1
		default:
			return s[:end]
		}
	}
	return s[:end]
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// maxThumbnail bounds the requested thumbnail size in pixels.
const maxThumbnail = 2048

// ThumbnailURL returns the authenticated-media thumbnail URL of an mxc://
// avatar (GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId},
// spec v1.11, MSC3916) on the homeserver at baseURL, cropped to w×h. It
// needs a Bearer token to load. It never returns the legacy
// /_matrix/media/r0|v3 URLs.
func ThumbnailURL(baseURL, mxc string, w, h int) (string, error) {
	const op = "room: thumbnail"
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return "", autherr.New(autherr.InvalidInput, op, "base URL %q is not usable", clip(baseURL))
	}
	server, mediaID, err := parseMXC(mxc)
	if err != nil {
		return "", &autherr.Error{Code: autherr.InvalidInput, Op: op, Err: err}
	}
	if w < 1 || h < 1 || w > maxThumbnail || h > maxThumbnail {
		return "", autherr.New(autherr.InvalidInput, op, "thumbnail size %dx%d outside 1..%d", w, h, maxThumbnail)
	}
	return base + "/_matrix/client/v1/media/thumbnail/" + escapeSegment(server) + "/" + mediaID +
		"?width=" + strconv.Itoa(w) + "&height=" + strconv.Itoa(h) + "&method=crop", nil
}

// parseMXC splits mxc://<server-name>/<media-id> (spec "Content
// repository"): the media id is [A-Za-z0-9_-]+.
func parseMXC(mxc string) (server, mediaID string, err error) {
	if !hasPrefixFold(mxc, "mxc://") {
		return "", "", fmt.Errorf("avatar %q is not an mxc:// URI", clip(mxc))
	}
	server, mediaID, ok := strings.Cut(mxc[len("mxc://"):], "/")
	if !ok || !validServerName(server) {
		return "", "", fmt.Errorf("mxc URI %q has a bad server name", clip(mxc))
	}
	if mediaID == "" || len(mediaID) > 255 || !isURLSafeBase64(mediaID) {
		return "", "", fmt.Errorf("mxc URI %q has a bad media id", clip(mxc))
	}
	return server, mediaID, nil
}
