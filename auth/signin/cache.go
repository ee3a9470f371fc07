package signin

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// discoveryCache keeps discovery results per server, in memory and in the
// Client's Store, and revalidates stale ones in the background
// (stale-while-revalidate, RFC 5861) so a returning visitor's login screen
// is ready without a round trip.
type discoveryCache struct {
	mu       sync.Mutex
	mem      map[string]*cacheEntry
	inflight map[string]*inflight
}

type inflight struct {
	done chan struct{}
	info *ServerInfo
	err  error
}

// cacheEntry is what the Store holds under "discovery/<server>".
type cacheEntry struct {
	Info      *ServerInfo   `json:"info"`
	FetchedAt time.Time     `json:"fetchedAt"`
	FreshFor  time.Duration `json:"freshFor"`
	StaleFor  time.Duration `json:"staleFor"`
}

// discoveryKey names the cache entry of t. A typed URL is not looked up
// as a name is (target), so "https://example.org" typed and "example.org"
// may end at different base URLs: they do not share an entry.
func discoveryKey(t target) string {
	if !t.named {
		return "discovery/url/" + url.QueryEscape(t.fallbackBase)
	}
	return "discovery/" + url.QueryEscape(t.fallbackBase)
}

// get answers from the cache when it can, else runs a discovery. Concurrent
// calls for one server share one discovery.
func (dc *discoveryCache) get(ctx context.Context, c *Client, t target) (*ServerInfo, error) {
	key := discoveryKey(t)
	now := c.now()
	if e := dc.lookup(ctx, c, key); e != nil {
		age := now.Sub(e.FetchedAt)
		if age >= 0 && age < e.FreshFor {
			return cachedCopy(e.Info), nil
		}
		if age >= 0 && age < e.FreshFor+e.StaleFor {
			go dc.revalidate(c, t, key)
			return cachedCopy(e.Info), nil
		}
	}
	return dc.fetch(ctx, c, t, key)
}

func (dc *discoveryCache) lookup(ctx context.Context, c *Client, key string) *cacheEntry {
	dc.mu.Lock()
	e := dc.mem[key]
	dc.mu.Unlock()
	if e != nil {
		return e
	}
	b, err := c.store.Get(ctx, key)
	if err != nil || b == nil {
		return nil
	}
	var stored cacheEntry
	if json.Unmarshal(b, &stored) != nil || stored.Info == nil {
		// A damaged cache entry is only a cache miss.
		return nil
	}
	// An entry another version of mxauth wrote (a page that updated the
	// package) is shown as this version decides: the hints are derived,
	// never read back.
	stored.Info.Hints = DecideHints(stored.Info)
	dc.mu.Lock()
	if dc.mem == nil {
		dc.mem = map[string]*cacheEntry{}
	}
	dc.mem[key] = &stored
	dc.mu.Unlock()
	return &stored
}

// revalidate refreshes a stale entry; a failure keeps the stale one.
func (dc *discoveryCache) revalidate(c *Client, t target, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*c.timeout())
	defer cancel()
	_, _ = dc.fetch(ctx, c, t, key)
}

func (dc *discoveryCache) fetch(ctx context.Context, c *Client, t target, key string) (*ServerInfo, error) {
	dc.mu.Lock()
	if f, ok := dc.inflight[key]; ok {
		dc.mu.Unlock()
		select {
		case <-f.done:
			if f.err != nil {
				return nil, f.err
			}
			return cachedCopy(f.info), nil
		case <-ctx.Done():
			return nil, ctxError("discover", ctx.Err())
		}
	}
	if dc.inflight == nil {
		dc.inflight = map[string]*inflight{}
	}
	f := &inflight{done: make(chan struct{})}
	dc.inflight[key] = f
	dc.mu.Unlock()

	d := &discovery{c: c, t: t}
	f.info, f.err = d.run(ctx)
	if f.err != nil {
		f.info = nil // Discover answers an info or an error, never both
	}
	var stored []byte
	dc.mu.Lock()
	if f.err == nil && !d.noStore {
		fresh := c.CacheTTL
		if fresh <= 0 {
			fresh = 10 * time.Minute
		}
		if d.maxAge >= 0 {
			fresh = d.maxAge
		}
		stale := c.StaleWhileRevalidate
		if stale <= 0 {
			stale = time.Hour
		}
		if d.swr >= 0 {
			stale = d.swr
		}
		e := &cacheEntry{Info: f.info, FetchedAt: c.now(), FreshFor: fresh, StaleFor: stale}
		if dc.mem == nil {
			dc.mem = map[string]*cacheEntry{}
		}
		dc.mem[key] = e
		stored, _ = json.Marshal(e)
	}
	// The answer is in memory before the lookup stops being in flight, and
	// both before the store sees it: whoever reads the store's entry (a
	// reload, a test) finds this lookup finished.
	delete(dc.inflight, key)
	dc.mu.Unlock()
	if stored != nil {
		// A store that cannot write costs only the cache.
		_ = c.store.Put(ctx, key, stored)
	}
	close(f.done)
	if f.err != nil {
		return nil, f.err
	}
	return cachedCopy(f.info), nil
}

// cachedCopy returns a deep copy so callers cannot change the cache.
func cachedCopy(in *ServerInfo) *ServerInfo {
	b, err := json.Marshal(in)
	if err != nil {
		return in
	}
	var out ServerInfo
	if json.Unmarshal(b, &out) != nil {
		return in
	}
	return &out
}

// parseCacheControl reads max-age, stale-while-revalidate and no-store.
// Absent values are -1.
func parseCacheControl(v string) (maxAge, swr time.Duration, noStore bool) {
	maxAge, swr = -1, -1
	for _, part := range strings.Split(v, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		secs := func() time.Duration {
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err != nil || n < 0 {
				return -1
			}
			if n > 7*24*3600 {
				n = 7 * 24 * 3600
			}
			return time.Duration(n) * time.Second
		}
		switch name {
		case "no-store", "no-cache":
			noStore = true
		case "max-age":
			maxAge = secs()
		case "stale-while-revalidate":
			swr = secs()
		}
	}
	return maxAge, swr, noStore
}
