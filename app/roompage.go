package mxapp

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth/room"
)

// RoomPage previews a room from any reference (id, alias, matrix.to link,
// matrix: URI) without a guest account: the card as text, the badge, which
// summary path answered, and what to paste to embed it.
type RoomPage struct {
	app.Compo
	env *Env

	input   string
	ref     string // the reference last asked, as typed
	busy    bool
	summary *room.Summary
	err     error
	copied  string
}

// OnNav starts with ?room=, else the configured room.
func (c *RoomPage) OnNav(ctx app.Context) {
	c.input = c.env.defaultRoom()
	if u := c.env.pageURL(ctx); u != nil {
		if r := u.Query().Get("room"); r != "" {
			c.input = r
		}
	}
	if app.IsServer {
		return
	}
	c.look(ctx)
}

func (c *RoomPage) look(ctx app.Context) {
	input := c.input
	c.ref, c.busy, c.summary, c.err, c.copied = input, true, nil, nil, ""
	ref, err := room.ParseRoomRef(input)
	if err != nil {
		c.busy, c.err = false, err
		return
	}
	ctx.Async(func() {
		rctx, cancel := context.WithTimeout(ctx, discoverTimeout)
		defer cancel()
		s, err := c.env.Rooms.Summary(rctx, ref, room.Options{})
		ctx.Dispatch(func(app.Context) {
			if input != c.ref {
				return
			}
			c.busy, c.summary, c.err = false, s, err
		})
	})
}

// Render draws the page.
func (c *RoomPage) Render() app.UI {
	return layout(RouteRoom, "Room preview",
		app.Form().Class("field-row").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			c.look(ctx)
		}).Body(
			app.Label().For("room").Text("Room"),
			app.Input().ID("room").Name("room").Type("text").Value(c.input).Spellcheck(false).
				Placeholder("#room:example.org, !id:example.org, https://matrix.to/#/…, matrix:r/…").
				OnInput(c.ValueTo(&c.input)),
			app.Button().Type("submit").Text("Preview"),
		),
		app.Div().Aria("live", "polite").Aria("busy", c.busy).Body(
			app.If(c.busy, func() app.UI { return app.P().Class("muted").Text("Asking for " + c.ref + "…") }),
			app.If(c.err != nil, func() app.UI {
				// The words a room card shows, then the diagnosis.
				return app.Div().Body(app.P().Class("room-error").Text(room.CardError(c.err)), errorBox(c.err))
			}),
			app.If(c.summary != nil, func() app.UI { return c.card() }),
		),
	)
}

func (c *RoomPage) card() app.UI {
	card := CardFor(c.summary)
	badge := room.Badge(c.summary, room.BadgeOptions{})
	snippet := EmbedSnippet(c.ref)
	command := BadgeCommand(c.ref)
	return app.Div().Body(
		app.Article().Class("card room").ID("room-card").Aria("label", "Room").Body(
			app.Div().Class("room-head").Body(
				// The avatar and badge are SVG drawn by our own code, whose
				// text is XML-escaped; everything the server sent is text.
				app.Raw(AvatarSVG(card)),
				app.Div().Body(
					app.H2().Class("room-name").Text(card.Title),
					app.If(card.Alias != "" && card.Alias != card.Title, func() app.UI {
						return app.P().Class("muted room-alias").Text(card.Alias)
					}),
				),
			),
			app.If(card.Topic != "", func() app.UI { return app.P().Class("room-topic").Text(card.Topic) }),
			app.P().Class("room-members").Title(card.MembersTitle).Text(card.Members),
			app.Ul().Class("tags").Body(app.Range(card.Facts).Slice(func(i int) app.UI {
				return app.Li().Text(card.Facts[i])
			})),
			app.P().Body(app.A().Href(card.MatrixTo).Target("_blank").Rel("noopener").Text("Open in a Matrix client")),
		),
		app.Section().Class("card").Aria("label", "Details").Body(
			app.Dl().Class("facts").Body(
				app.Dt().Text("Room id"), app.Dd().Text(card.RoomID),
				app.Dt().Text("Answered by"), app.Dd().ID("source").DataSet("source", card.Source).Text(card.SourceLabel),
				app.Dt().Text("Badge"), app.Dd().Class("badge").Body(app.Raw(`<span>`+badge+`</span>`)),
			),
		),
		app.Section().Class("card").Aria("label", "Embed").Body(
			app.H2().Text("Embed it"),
			app.P().Text("On any page with the mxauth npm package loaded:"),
			app.Pre().Body(app.Code().ID("snippet").Text(snippet)),
			copyButton("Copy snippet", snippet, func() { c.copied = "Snippet copied." }),
			app.P().Text("A static badge for a README (the mxauth command line):"),
			app.Pre().Body(app.Code().ID("badge-command").Text(command)),
			copyButton("Copy command", command, func() { c.copied = "Command copied." }),
			app.P().Class("muted").Aria("live", "polite").Text(c.copied),
		),
	)
}
