//go:build js && wasm

package main

import (
	"context"
	"strings"
	"syscall/js"

	"github.com/mxauth/mxauth/wasm/browser"
)

// thumbnail(mxc, {width, height, server}?) → Blob | null: an avatar
// fetched with the session's token (auth.Client.Thumbnail), handed to the
// page as bytes in a Blob so the token never reaches page JS. width and
// height default to 96.
func (a *api) thumbnail(args []js.Value) (js.Value, browser.Work) {
	mxc, err := browser.StringArg(args, 0, "mxc")
	if err != nil {
		return browser.None(browser.Fail(err))
	}
	o := struct {
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Server string `json:"server"`
	}{Width: 96, Height: 96}
	if err := browser.FromJS(browser.Arg(args, 1), &o); err != nil {
		return browser.None(browser.Fail(err))
	}
	return browser.None(func(ctx context.Context) (any, error) {
		s, err := a.client.Session(ctx)
		if err != nil || s == nil {
			return nil, err
		}
		// The same rule as summarize: the token goes to the session's own
		// homeserver, asked for it by name, base URL or not at all.
		if server := strings.TrimRight(o.Server, "/"); server != "" && server != s.ServerName && server != s.BaseURL {
			return nil, nil
		}
		m, err := a.client.Thumbnail(ctx, mxc, o.Width, o.Height)
		if err != nil {
			a.notify(ctx) // a refused token may have ended the session
			return nil, err
		}
		bytes := js.Global().Get("Uint8Array").New(len(m.Body))
		js.CopyBytesToJS(bytes, m.Body)
		opts := js.Global().Get("Object").New()
		opts.Set("type", m.ContentType)
		return js.Global().Get("Blob").New([]any{bytes}, opts), nil
	})
}
