package mxapp

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// navItems are the site's pages in menu order. Links are relative, so the
// site works under any sub-path.
var navItems = []struct{ href, route, label string }{
	{"./", RouteSignIn, "Sign in"},
	{RouteCallback, RouteCallback, "Session"},
	{RouteRoom, RouteRoom, "Room preview"},
	{RouteCheck, RouteCheck, "Server check"},
}

// layout is the frame every page shares: skip link, menu, one main
// landmark with the page's h1, and a footer.
func layout(route, title string, body ...app.UI) app.UI {
	return app.Div().Class("site").Body(
		app.A().Class("skip").Href("#main").Text("Skip to content"),
		app.Header().Class("top").Body(
			app.Span().Class("brand").Text("mxauth"),
			app.Nav().Aria("label", "Pages").Body(
				app.Ul().Body(
					app.Range(navItems).Slice(func(i int) app.UI {
						it := navItems[i]
						a := app.A().Href(it.href).Text(it.label)
						if it.route == route {
							a = a.Aria("current", "page")
						}
						return app.Li().Body(a)
					}),
				),
			),
		),
		app.Main().ID("main").Body(
			append([]app.UI{app.H1().Text(title)}, body...)...,
		),
		app.Footer().Class("foot").Body(
			app.P().Text("mxauth signs people in to Matrix through the homeserver's OAuth 2.0 server (MAS) "+
				"and previews rooms without a guest account. This page is static: every request goes from your browser to the homeserver."),
		),
	)
}

// stepList is the live discovery step list of the sign-in page.
func stepList(rows []StepRow) app.UI {
	return app.Ol().Class("steps").Aria("label", "Discovery steps").Body(
		app.Range(rows).Slice(func(i int) app.UI {
			r := rows[i]
			cls := "step step-fail"
			if r.OK {
				cls = "step step-ok"
			}
			return app.Li().Class(cls).Body(
				app.Span().Class("step-name").Text(r.Label),
				app.Span().Class("step-result").Text(r.Result),
				app.Span().Class("step-time").Text(r.Time),
			)
		}),
	)
}

// errorBox shows a failure as text, announced to screen readers.
func errorBox(err error) app.UI {
	return app.Div().Class("error").Role("alert").Body(
		app.P().Text(ErrorText(err)),
		app.If(ErrorCode(err) != "", func() app.UI {
			return app.P().Class("code").Text("code: " + ErrorCode(err))
		}),
	)
}

// copyButton copies text to the clipboard.
func copyButton(label, text string, done func()) app.UI {
	return app.Button().Type("button").Class("secondary").Text(label).OnClick(func(ctx app.Context, e app.Event) {
		if app.IsServer {
			return
		}
		clip := app.Window().Get("navigator").Get("clipboard")
		if clip.Truthy() {
			clip.Call("writeText", text)
		}
		if done != nil {
			done()
		}
	})
}
