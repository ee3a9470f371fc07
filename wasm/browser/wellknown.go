package browser

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/serverrule"
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
// GET https://<host>/.well-known/matrix/client (the name without its port)
// and its m.homeserver.base_url; a 404 means "no delegation", so the name
// itself is the base URL (the spec's IGNORE). A loopback name whose host
// answers nothing over https is looked up again over plain http on its
// port (serverrule.Lookup), so the sandbox and local development work.
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
	n, err := serverrule.ParseName(name)
	if err != nil {
		return "", autherr.New(autherr.InvalidInput, opResolve, "%q is not a server name", clip(name, 80))
	}
	l := serverrule.LookupOf(n)
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = room.DefaultTimeout
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	origin := l.Base
	resp, err := r.Fetch(lctx, room.Request{Method: "GET", URL: l.WellKnown, MaxBytes: wellKnownMaxBytes})
	if l.TryLocal(lctx, err) {
		// Nothing answers https on this loopback host: a development
		// server on plain http at the name's port.
		origin = l.LocalBase
		resp, err = r.Fetch(lctx, room.Request{Method: "GET", URL: l.LocalWellKnown, MaxBytes: wellKnownMaxBytes})
	}
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
	wk, err := serverrule.ParseWellKnown(resp.Body, n.IsLoopback())
	if err != nil {
		return "", &autherr.Error{Code: autherr.DiscoveryFailed, Op: opResolve, Details: details, Err: unwrapAuth(err)}
	}
	return wk.BaseURL, nil
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
