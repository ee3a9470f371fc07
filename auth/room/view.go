package room

//go:generate go run ../../wasm/internal/roomwords -o ../../web/npm/roomwords.js

import (
	"strconv"

	"github.com/mxauth/mxauth/auth/autherr"
)

// CardView is what a room card shows, decided here once for every
// renderer: the npm package's <mxauth-room-card> receives it with
// roomSummary (as "view"), the demo site draws it with go-app, so the two
// never disagree. Every field is text, to be drawn as text.
type CardView struct {
	// Title is the room's name, else its canonical alias, else its id.
	Title string `json:"title"`
	// Initials are the placeholder avatar's letters (see Initials).
	Initials string `json:"initials"`
	// Color is the placeholder avatar's "#rrggbb" (see Color).
	Color string `json:"color"`
	// Members is the short member count, as the badge writes it
	// ("12k members").
	Members string `json:"members"`
	// MembersTitle is the exact count ("12,345 joined").
	MembersTitle string `json:"membersTitle"`
}

// Card is the view of a summary; a nil summary has none.
func Card(s *Summary) CardView {
	if s == nil {
		return CardView{}
	}
	title := s.Name
	if title == "" {
		title = s.CanonicalAlias
	}
	if title == "" {
		title = s.RoomID
	}
	return CardView{
		Title:        title,
		Initials:     Initials(title),
		Color:        Color(s.RoomID),
		Members:      FormatMembers(s.NumJoinedMembers),
		MembersTitle: groupThousands(s.NumJoinedMembers) + " joined",
	}
}

// CardErrors are the words a card shows a person when its summary fails, by
// error code; every other code gets CardErrorDefault. Which URL failed and
// why is the developer's (the error's message and details, the console).
// web/npm/roomwords.js is generated from this table (go generate).
var CardErrors = map[autherr.Code]string{
	autherr.NotFound:  "This room is private or does not exist.",
	autherr.Forbidden: "This room cannot be previewed without joining it.",
	autherr.Network:   "Can't reach the room's server. Try again later.",
	autherr.Timeout:   "Can't reach the room's server. Try again later.",
}

// CardErrorDefault is a card's words for a failure CardErrors does not name.
const CardErrorDefault = "This room cannot be previewed right now."

// CardError is a card's words for a failed summary.
func CardError(err error) string {
	if s, ok := CardErrors[autherr.CodeOf(err)]; ok {
		return s
	}
	return CardErrorDefault
}

// groupThousands writes n with a comma between groups of three digits, as
// English does ("1,234,567").
func groupThousands(n int64) string {
	if n < 0 {
		n = 0
	}
	s := strconv.FormatInt(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
