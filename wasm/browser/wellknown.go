package browser

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

const opResolve = "resolve"

// wellKnownMaxBytes bounds the well-known body: it is a few lines of JSON.
const wellKnownMaxBytes = 64 << 10

// resolveRemember is how long a resolved base URL is reused: a page of room
// cards for one server asks once, and a moved homeserver is noticed within
// the hour (the same horizon as room.Client's per-server memory).
const resolveRemember = time.Hour

// Resolver turns a Matrix server name into its client-server base URL with
// the well-known lookup of the spec ("Server Discovery", client-server API):
// GET https://<name>/.well-known/matrix/client and its m.homeserver.base_url;
// a 404 means "no delegation", so the name itself is the base URL (the
// spec's IGNORE). Loopback names use http, so the sandbox and local
// development work; every other name https.
//
// It skips the spec's optional /versions check: the caller's next request
// to the base URL fails just as clearly, and a preview should cost as few
// round trips as possible. It is a room.Client's Resolve. Successful
// answers are remembered for an hour and concurrent lookups of one name
// share one request; failures are not remembered.
type Resolver struct {
	// Fetch does the request. Required.
	Fetch room.Fetch
	// Timeout bounds the lookup; zero means room.DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	known map[string]*resolution
}

// resolution is one lookup, finished when done is closed.
type resolution struct {
	done  chan struct{}
	base  string
	err   error
	until time.Time
}

// Resolve returns the base URL of serverName, without trailing slash.
// Failures are *autherr.Error: discovery_failed (with the status or the
// network cause), or timeout/network when ctx ends.
func (r *Resolver) Resolve(ctx context.Context, serverName string) (string, error) {
	for {
		r.mu.Lock()
		res, ok := r.known[serverName]
		if ok && (res.until.IsZero() || r.now().Before(res.until)) {
			r.mu.Unlock()
			select {
			case <-res.done:
			case <-ctx.Done():
				return "", autherr.FromContext(opResolve, ctx.Err())
			}
			// Another caller's lookup ended with its own context: ours is
			// still live, so look again rather than fail with its reason.
			if res.err != nil && isContextError(res.err) && ctx.Err() == nil {
				continue
			}
			return res.base, res.err
		}
		res = &resolution{done: make(chan struct{})}
		if r.known == nil {
			r.known = map[string]*resolution{}
		}
		r.known[serverName] = res
		r.mu.Unlock()

		res.base, res.err = r.lookup(ctx, serverName)
		r.mu.Lock()
		if res.err != nil {
			delete(r.known, serverName)
		} else {
			res.until = r.now().Add(resolveRemember)
		}
		r.mu.Unlock()
		close(res.done)
		return res.base, res.err
	}
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// lookup does the spec's steps for one name.
func (r *Resolver) lookup(ctx context.Context, name string) (string, error) {
	if r.Fetch == nil {
		return "", autherr.New(autherr.InvalidInput, opResolve, "resolver has no Fetch")
	}
	host, ok := serverHost(name)
	if !ok {
		return "", autherr.New(autherr.InvalidInput, opResolve, "%q is not a server name", clip(name, 80))
	}
	origin := "https://" + name
	if isLoopback(host) {
		origin = "http://" + name
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = room.DefaultTimeout
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := r.Fetch(lctx, room.Request{
		Method:   "GET",
		URL:      origin + "/.well-known/matrix/client",
		MaxBytes: wellKnownMaxBytes,
	})
	details := map[string]string{"server": name}
	switch {
	case err != nil && lctx.Err() != nil:
		e := autherr.FromContext(opResolve, lctx.Err())
		e.Details = details
		return "", e
	case err != nil:
		return "", &autherr.Error{Code: autherr.DiscoveryFailed, Op: opResolve, Details: details,
			Err: unwrapAuth(err)}
	case resp.Status == 404:
		return origin, nil
	case resp.Status != 200:
		e := autherr.FromReply(opResolve, autherr.DiscoveryFailed, resp.Status, resp.Body)
		e.Details = details
		return "", e
	}
	base, err := ParseWellKnownBase(resp.Body, isLoopback(host))
	if err != nil {
		return "", &autherr.Error{Code: autherr.DiscoveryFailed, Op: opResolve, Details: details, Err: err}
	}
	return base, nil
}

// ParseWellKnownBase reads m.homeserver.base_url from a
// /.well-known/matrix/client body. Plain http is accepted only for a
// loopback host, and only when the server named was itself loopback
// (insecure), so a public well-known can never send a card to plain http.
func ParseWellKnownBase(body []byte, insecure bool) (string, error) {
	var wk struct {
		Homeserver *struct {
			BaseURL *string `json:"base_url"`
		} `json:"m.homeserver"`
	}
	if err := json.Unmarshal(body, &wk); err != nil {
		return "", errors.New("the well-known is not a JSON object")
	}
	if wk.Homeserver == nil || wk.Homeserver.BaseURL == nil || *wk.Homeserver.BaseURL == "" {
		return "", errors.New("the well-known has no m.homeserver.base_url")
	}
	return checkBase(*wk.Homeserver.BaseURL, insecure)
}

// unwrapAuth returns the cause inside an *autherr.Error, so a
// discovery_failed error does not print two codes ("discovery_failed:
// auth: fetch: network: …"); other errors come back as they are.
func unwrapAuth(err error) error {
	var e *autherr.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err
	}
	return err
}

// checkBase accepts an https base URL, or http for a loopback host when
// insecure (DESIGN.md: untrusted input is bounded), and drops a trailing
// slash.
func checkBase(s string, insecure bool) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("m.homeserver.base_url " + quote(s) + " is not a usable URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && insecure && isLoopback(u.Hostname()):
	default:
		return "", errors.New("m.homeserver.base_url " + quote(s) + " is not https (plain http only for loopback hosts)")
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

func quote(s string) string { return `"` + clip(s, 80) + `"` }

// serverHost returns the host of a server name (hostname[:port], IPv6 in
// brackets) and whether the name has that shape at all. It checks only what
// keeps the URL we build well-formed; room.Client validates names fully
// before it calls Resolve.
func serverHost(name string) (string, bool) {
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "/?#@\\ %") {
		return "", false
	}
	if strings.HasPrefix(name, "[") {
		end := strings.IndexByte(name, ']')
		if end < 0 {
			return "", false
		}
		return name[1:end], true
	}
	host, _, _ := strings.Cut(name, ":")
	return host, host != ""
}

// isLoopback reports whether host (no port, no brackets) is localhost or a
// loopback address: only these may be reached over plain http.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
