package room

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// Client fetches room summaries. Its zero value needs only Fetch. A Client
// remembers per homeserver which endpoint answered, so it must not be
// copied after first use; share one per program or page.
type Client struct {
	// Fetch does the HTTP requests. Required.
	Fetch Fetch
	// Timeout bounds each request; zero means 15 s (CONTRACT.md timeoutMs).
	Timeout time.Duration
	// Retry governs waiting out 429 answers (retry_after_ms or
	// Retry-After); the zero value is autherr's default.
	Retry autherr.RetryPolicy
	// AccessToken returns the signed-in user's token, or "" when there is
	// none. Nil means anonymous. It is called at most once per Summary;
	// the token goes with every request but the alias lookup, so private
	// rooms the user has joined preview too and membership is filled in.
	AccessToken func(ctx context.Context) (string, error)
	// Resolve turns a server name into the client-server base URL (the
	// .well-known lookup of spec "Server Discovery"). Nil means
	// https://<name> (http for loopback hosts). Package auth and the
	// browser build plug their discovery in here.
	Resolve func(ctx context.Context, serverName string) (baseURL string, err error)
	// Now is the clock; nil means time.Now. It ages the per-server memory
	// and reads HTTP-date Retry-After headers.
	Now func() time.Time

	mu       sync.Mutex
	memo     map[string]memo          // base URL → the step that answered there
	learning map[string]chan struct{} // base URL → closed when its first lookup ends
}

// Options says where to ask.
type Options struct {
	// Server is the homeserver to ask: a base URL such as
	// "https://matrix-client.matrix.org", or a server name resolved through
	// Client.Resolve. Empty means the alias's server, else the first via.
	Server string
	// Via adds servers that may know the room, before the ref's own.
	Via []string
}

// DefaultTimeout is the per-request timeout when Client.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// rememberFor is how long a server's working step is trusted: long enough
// that a page of cards asks once each, short enough to notice an upgrade.
const rememberFor = time.Hour

type memo struct {
	step  step
	until time.Time
}

const opSummary = "room: summary"

// Summary returns the summary of the room ref names, without a guest
// account. It asks, in order, until one answers (issue 4; spec §4 of
// matrix-auth.md): the stable room_summary endpoint (MSC3266, spec v1.15),
// the two unstable im.nheko.summary paths, the space hierarchy (signed in
// only, what Dendrite offers), then the public room directory. It moves on
// only when an endpoint is not there (serverrule.Absent) or wants a
// token the Client does not have; M_NOT_FOUND is not_found and
// M_FORBIDDEN is forbidden. Note that continuwuity answers 403 M_FORBIDDEN
// for rooms that do not exist, so forbidden may mean "unknown" there.
//
// The step that answered is remembered per server, so the next call costs
// one request.
func (c *Client) Summary(ctx context.Context, ref Ref, opts Options) (*Summary, error) {
	if c.Fetch == nil {
		return nil, autherr.New(autherr.InvalidInput, opSummary, "client has no Fetch")
	}
	if ref.ID == "" && ref.Alias == "" {
		return nil, autherr.New(autherr.InvalidInput, opSummary, "empty room reference")
	}
	if ref.ID != "" && ref.Alias != "" {
		return nil, autherr.New(autherr.InvalidInput, opSummary, "room reference has both an id and an alias")
	}
	var via []string
	for _, v := range opts.Via {
		if !validServerName(v) {
			return nil, autherr.New(autherr.InvalidInput, opSummary, "via %q is not a server name", clip(v))
		}
		via = appendUnique(via, v)
	}
	for _, v := range ref.Via {
		via = appendUnique(via, v)
	}
	base, err := c.baseURL(ctx, ref, opts.Server, via)
	if err != nil {
		return nil, err
	}
	k := &call{c: c, base: base, ref: ref, via: via}
	first, done, err := c.learn(ctx, base)
	if err != nil {
		return nil, err
	}
	defer done()
	for i := range numSteps {
		st := (first + step(i)) % numSteps
		s, err := k.run(ctx, st)
		if errors.Is(err, errSkip) {
			continue
		}
		if k.answered {
			c.remember(base, st)
		}
		if err != nil {
			return nil, err
		}
		k.finish(s)
		return s, nil
	}
	c.forget(base)
	if k.authErr != nil {
		return nil, k.authErr
	}
	return nil, &autherr.Error{Code: autherr.ServerError, Op: opSummary,
		Details: map[string]string{"reason": "unsupported"},
		Err:     errors.New("the server offers none of the room preview endpoints")}
}

// baseURL picks the server to ask: the caller's, else the alias's server,
// else the first via, else (last resort) the server that created the room.
func (c *Client) baseURL(ctx context.Context, ref Ref, server string, via []string) (string, error) {
	if server == "" {
		switch {
		case ref.Alias != "":
			server = ref.ServerName()
		case len(via) > 0:
			server = via[0]
		default:
			server = ref.ServerName()
		}
	}
	if server == "" {
		return "", autherr.New(autherr.InvalidInput, opSummary, "no server to ask: give a server or a via for %s", ref.ID)
	}
	if strings.Contains(server, "://") {
		return checkBaseURL(server)
	}
	if !validServerName(server) {
		return "", autherr.New(autherr.InvalidInput, opSummary, "%q is neither a base URL nor a server name", clip(server))
	}
	if c.Resolve != nil {
		base, err := c.Resolve(ctx, server)
		if err != nil {
			return "", autherr.Wrap(autherr.DiscoveryFailed, opSummary, err)
		}
		return checkBaseURL(base)
	}
	// No lookup: the name itself is the base URL, as after the spec's
	// IGNORE; a loopback name uses plain http on its port (local development).
	n, _ := serverrule.ParseName(server)
	l := serverrule.LookupOf(n)
	if l.LocalBase != "" {
		return l.LocalBase, nil
	}
	return l.Base, nil
}

// checkBaseURL applies the URL rule to a base URL: https, or plain http to
// a loopback host (DESIGN.md: untrusted input is bounded).
func checkBaseURL(s string) (string, error) {
	base, err := serverrule.BaseURL(s, true)
	if err != nil {
		return "", &autherr.Error{Code: autherr.InvalidInput, Op: opSummary, Err: err}
	}
	return base, nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// learn returns the step to start with at base. While nothing is
// remembered for base, one lookup at a time learns which step answers
// there and the others wait for it (single flight): a page of five cards
// of one server probes the missing endpoints once, not five times. done
// ends the caller's turn.
func (c *Client) learn(ctx context.Context, base string) (first step, done func(), err error) {
	for {
		c.mu.Lock()
		if m, ok := c.memo[base]; ok && !c.now().After(m.until) {
			c.mu.Unlock()
			return m.step, func() {}, nil
		}
		wait, busy := c.learning[base]
		if !busy {
			if c.learning == nil {
				c.learning = map[string]chan struct{}{}
			}
			mine := make(chan struct{})
			c.learning[base] = mine
			c.mu.Unlock()
			return stepStable, func() {
				c.mu.Lock()
				delete(c.learning, base)
				c.mu.Unlock()
				close(mine)
			}, nil
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return 0, nil, autherr.FromContext(opSummary, ctx.Err())
		}
	}
}

func (c *Client) remember(base string, st step) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memo == nil {
		c.memo = map[string]memo{}
	}
	c.memo[base] = memo{step: st, until: c.now().Add(rememberFor)}
}

func (c *Client) forget(base string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.memo, base)
}

// send does one request with the per-request timeout, waiting out 429s
// within c.Retry. Every status but 429 comes back as a Response; transport
// failures are network or timeout errors, an oversized body server_error.
func (c *Client) send(ctx context.Context, op string, req Request) (*Response, error) {
	if req.MaxBytes == 0 {
		req.MaxBytes = DefaultMaxBytes
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var resp *Response
	err := c.Retry.Do(ctx, func() error {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		r, err := c.Fetch(rctx, req)
		// A Fetch may fail with an *autherr.Error of its own (the browser's
		// does): keep its cause and details, classify it here once, so the
		// message does not say "auth: … auth: …".
		var details map[string]string
		if fe := (*autherr.Error)(nil); errors.As(err, &fe) && fe.Err != nil {
			details, err = fe.Details, fe.Err
		}
		switch {
		case err != nil && errors.Is(err, ErrBodyTooLarge):
			return &autherr.Error{Code: autherr.ServerError, Op: op, Err: err}
		case err != nil && ctx.Err() != nil:
			return autherr.FromContext(op, ctx.Err())
		case err != nil && (rctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)):
			return &autherr.Error{Code: autherr.Timeout, Op: op, Err: err, Details: details}
		case err != nil:
			return &autherr.Error{Code: autherr.Network, Op: op, Err: err, Details: details}
		case r == nil:
			return &autherr.Error{Code: autherr.Network, Op: op, Err: errors.New("fetch returned no response")}
		}
		if r.Status == 429 {
			e := autherr.FromReply(op, autherr.RateLimited, r.Status, r.Body)
			if e.RetryAfter == 0 {
				e.RetryAfter = serverrule.RetryAfter(r.Header["retry-after"], c.now())
			}
			return e
		}
		resp = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}
