//go:build js && wasm

package store

import (
	"encoding/json"
	"syscall/js"
)

// Channel is a BroadcastChannel carrying Changes between the tabs of an
// origin. A message a tab posts reaches every other Channel of that name
// (other tabs, other instances in this tab), never its sender.
type Channel struct {
	bc      js.Value
	handler js.Func
}

// OpenChannel opens the BroadcastChannel name and calls fn with every
// Change another Channel posts. It returns nil when BroadcastChannel is
// missing; a nil *Channel's methods do nothing.
func OpenChannel(name string, fn func(Change)) *Channel {
	ctor := js.Global().Get("BroadcastChannel")
	if ctor.Type() != js.TypeFunction {
		return nil
	}
	c := &Channel{bc: ctor.New(name)}
	c.handler = js.FuncOf(func(_ js.Value, args []js.Value) any {
		data := args[0].Get("data")
		if data.Type() != js.TypeString {
			return nil
		}
		var ch Change
		if err := json.Unmarshal([]byte(data.String()), &ch); err != nil || ch.Key == "" {
			return nil
		}
		// Off the event loop: fn may read the Store.
		go fn(ch)
		return nil
	})
	c.bc.Call("addEventListener", "message", c.handler)
	// Node keeps a process alive while a channel is open; a page does not
	// care. unref is Node's.
	if c.bc.Get("unref").Type() == js.TypeFunction {
		c.bc.Call("unref")
	}
	return c
}

// Post sends ch to the other Channels of the name.
func (c *Channel) Post(ch Change) {
	if c == nil {
		return
	}
	b, err := json.Marshal(ch)
	if err != nil {
		return
	}
	c.bc.Call("postMessage", string(b))
}

// Close closes the channel and releases its handler.
func (c *Channel) Close() {
	if c == nil {
		return
	}
	c.bc.Call("removeEventListener", "message", c.handler)
	c.bc.Call("close")
	c.handler.Release()
}
