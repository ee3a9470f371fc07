//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

// RoomOptions are the option fields of roomSummary and roomBadge
// (CONTRACT §1); the signal is read apart, JSON cannot carry it.
type RoomOptions struct {
	Server string  `json:"server"`
	Via    Strings `json:"via"`
	Label  string  `json:"label"`
	Style  string  `json:"style"`
}

// UnmarshalJSON names the option when via has the wrong type.
func (o *RoomOptions) UnmarshalJSON(b []byte) error {
	type plain RoomOptions
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		if _, ok := err.(*autherr.Error); ok { // from Strings: via is the only list here
			return autherr.New(autherr.InvalidInput, "options", `option "via" must be a server name or a list of them`)
		}
		return err
	}
	*o = RoomOptions(p)
	return nil
}

// Strings is an option that takes one string or a list of them (via,
// uiLocales).
type Strings []string

// UnmarshalJSON reads a string or a list of strings.
func (l *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		if one != "" {
			*l = Strings{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return autherr.New(autherr.InvalidInput, "options", "expected a string or a list of strings")
	}
	*l = many
	return nil
}

// RoomArgs reads the (room, options) arguments of roomSummary and
// roomBadge: the abort signal, the options and the parsed room reference,
// or the error the Promise rejects with.
func RoomArgs(args []js.Value) (signal js.Value, opts *RoomOptions, ref room.Ref, err error) {
	opts = &RoomOptions{}
	signal = SignalOption(Arg(args, 1))
	input, err := StringArg(args, 0, "room")
	if err == nil {
		err = FromJS(Arg(args, 1), opts)
	}
	if err == nil {
		ref, err = room.ParseRoomRef(input)
	}
	return signal, opts, ref, err
}

// Summarize fetches the summary of a parsed room reference with a call's
// options: each build decides which client asks (and with which token).
type Summarize func(ctx context.Context, ref room.Ref, opts *RoomOptions) (*room.Summary, error)

// RoomMethods sets roomSummary and roomBadge on obj, over the build's
// summarize.
func (f *Funcs) RoomMethods(obj js.Value, summarize Summarize) {
	f.Method(obj, "roomSummary", func(args []js.Value) (js.Value, Work) { return SummaryCall(args, summarize) })
	f.Method(obj, "roomBadge", func(args []js.Value) (js.Value, Work) { return BadgeCall(args, summarize) })
}

// SummaryCall is roomSummary(room, {server, via, signal}?) over summarize:
// the abort signal and the work, which resolves with a SummaryView;
// argument errors become the rejection.
func SummaryCall(args []js.Value, summarize Summarize) (js.Value, func(context.Context) (any, error)) {
	return roomCall(args, summarize, func(s *room.Summary, _ *RoomOptions) any { return SummaryView{s, room.Card(s)} })
}

// SummaryView is what roomSummary resolves with: the summary's fields and
// the card's view, decided in Go (room.Card), which <mxauth-room-card>
// draws as it is.
type SummaryView struct {
	*room.Summary
	View room.CardView `json:"view"`
}

// BadgeCall is roomBadge(room, {label, style, server, via, signal}?) over
// summarize. It rejects when the summary fails, like every method; a page
// that wants a grey "unavailable" badge draws its own placeholder.
func BadgeCall(args []js.Value, summarize Summarize) (js.Value, func(context.Context) (any, error)) {
	return roomCall(args, summarize, func(s *room.Summary, opts *RoomOptions) any {
		return room.Badge(s, room.BadgeOptions{Label: opts.Label, Style: opts.Style})
	})
}

// roomCall reads a room method's arguments now and, as its work, fetches
// the summary and hands it to answer.
func roomCall(args []js.Value, summarize Summarize, answer func(*room.Summary, *RoomOptions) any) (js.Value, func(context.Context) (any, error)) {
	signal, opts, ref, err := RoomArgs(args)
	return signal, func(ctx context.Context) (any, error) {
		if err != nil {
			return nil, err
		}
		s, err := summarize(ctx, ref, opts)
		if err != nil {
			return nil, err
		}
		return answer(s, opts), nil
	}
}
