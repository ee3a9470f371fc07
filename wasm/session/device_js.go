//go:build js && wasm

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/qrsvg"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser"
)

// devices holds the started device logins of this page by handle: the
// device code they carry is a secret and never leaves Go (the page gets a
// random handle instead). A login leaves when its wait ends or it expires.
type devices struct {
	mu sync.Mutex
	m  map[string]*auth.DeviceLogin
}

func (d *devices) add(l *auth.DeviceLogin) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*auth.DeviceLogin{}
	}
	now := time.Now()
	for k, v := range d.m {
		if now.After(v.ExpiresAt) {
			delete(d.m, k)
		}
	}
	d.m[h] = l
	return h
}

func (d *devices) get(h string) *auth.DeviceLogin {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m[h]
}

func (d *devices) drop(h string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, h)
}

// deviceStart is what startDeviceLogin resolves to.
type deviceStart struct {
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete,omitempty"`
	// ExpiresAt and IntervalMs in milliseconds (since the epoch).
	ExpiresAt  int64  `json:"expiresAt"`
	IntervalMs int64  `json:"intervalMs"`
	DeviceID   string `json:"deviceId"`
	ServerName string `json:"serverName"`
	// QRSVG is an SVG document of VerificationURIComplete (or of
	// VerificationURI when the server gives no complete one).
	QRSVG string `json:"qrSvg"`
	// Handle names the login for waitDeviceLogin.
	Handle string `json:"handle"`
}

// deviceOptions are startDeviceLogin's opts.
type deviceOptions struct {
	Server   json.RawMessage       `json:"server"`
	Client   signin.ClientMetadata `json:"client"`
	ClientID string                `json:"clientId"`
	Action   string                `json:"action"`
	DeviceID string                `json:"deviceId"`
}

// startDeviceLogin(opts) → {userCode, verificationUri,
// verificationUriComplete, expiresAt, intervalMs, qrSvg, handle, …}: the
// device authorization grant (RFC 8628, spec v1.18) for a TV, kiosk or
// shared screen.
func (a *api) startDeviceLogin(args []js.Value) (js.Value, browser.Work) {
	const op = "start device login"
	var o deviceOptions
	if v := browser.Arg(args, 0); v.Type() != js.TypeObject {
		return browser.None(browser.Fail(autherr.New(autherr.InvalidInput, op, "options must be an object with server and client")))
	} else if err := browser.FromJS(v, &o); err != nil {
		return browser.None(browser.Fail(err))
	}
	opts := auth.DeviceLoginOptions{Client: o.Client, ClientID: o.ClientID, Action: auth.Action(o.Action), DeviceID: o.DeviceID}
	raw := strings.TrimSpace(string(o.Server))
	switch {
	case raw == "" || raw == "null":
	case raw[0] == '"':
		_ = json.Unmarshal(o.Server, &opts.Server)
	case raw[0] == '{':
		var info signin.ServerInfo
		if err := json.Unmarshal(o.Server, &info); err != nil {
			return browser.None(browser.Fail(autherr.New(autherr.InvalidInput, op, "option \"server\" is not a ServerInfo: %v", err)))
		}
		opts.ServerInfo = &info
	default:
		return browser.None(browser.Fail(autherr.New(autherr.InvalidInput, op, "option \"server\" must be a server name or a ServerInfo")))
	}
	return browser.None(func(ctx context.Context) (any, error) {
		d, err := a.client.StartDeviceLogin(ctx, opts)
		if err != nil {
			return nil, err
		}
		target := d.VerificationURIComplete
		if target == "" {
			target = d.VerificationURI
		}
		svg, err := qrsvg.SVG(target, "QR code to sign in to "+d.ServerName+" on your phone")
		if err != nil {
			svg = "" // a URL too long for a QR code: the page shows the code and URL
		}
		return deviceStart{
			UserCode: d.UserCode, VerificationURI: d.VerificationURI, VerificationURIComplete: d.VerificationURIComplete,
			ExpiresAt: d.ExpiresAt.UnixMilli(), IntervalMs: d.Interval.Milliseconds(), DeviceID: d.DeviceID,
			ServerName: d.ServerName, QRSVG: svg, Handle: a.devices.add(d),
		}, nil
	})
}

// waitDeviceLogin(handle, {signal}?) → Session: polls until the person
// approves (then the session is stored and announced as after
// completeLogin), refuses (authorization_denied) or the code expires
// (device_code_expired). handle is startDeviceLogin's result or its
// handle string; a signal's abort stops the polling.
func (a *api) waitDeviceLogin(args []js.Value) (js.Value, browser.Work) {
	const op = "device login"
	signal := browser.SignalOption(browser.Arg(args, 1))
	h := browser.Arg(args, 0)
	if h.Type() == js.TypeObject {
		h = h.Get("handle")
	}
	if h.Type() != js.TypeString {
		return signal, browser.Fail(autherr.New(autherr.InvalidInput, op, "waitDeviceLogin needs what startDeviceLogin resolved to"))
	}
	handle := h.String()
	return signal, func(ctx context.Context) (any, error) {
		d := a.devices.get(handle)
		if d == nil {
			return nil, &autherr.Error{Code: autherr.DeviceCodeExpired, Op: op, Details: map[string]string{"reason": "unknown_handle"},
				Err: errNoDeviceLogin}
		}
		s, err := a.client.WaitDeviceLogin(ctx, d)
		if ctx.Err() == nil {
			// Approved, refused or expired: the code is spent. An abort
			// keeps it, so the page may wait again.
			a.devices.drop(handle)
		}
		if err != nil {
			return nil, err
		}
		a.notify(ctx)
		return s.View(), nil
	}
}

var errNoDeviceLogin = errorString("no device login is waiting under this handle in this page (it ended, expired, or was started by another page)")

type errorString string

func (e errorString) Error() string { return string(e) }
