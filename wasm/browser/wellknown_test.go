package browser

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

// fakeFetch answers from a table of URL → response and counts requests.
type fakeFetch struct {
	mu    sync.Mutex
	calls []string
	reply func(url string) (*room.Response, error)
}

func (f *fakeFetch) fetch(ctx context.Context, req room.Request) (*room.Response, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req.Method+" "+req.URL)
	f.mu.Unlock()
	if len(req.Header) != 0 {
		return nil, errors.New("the resolver sent headers")
	}
	return f.reply(req.URL)
}

func answer(status int, body string) func(string) (*room.Response, error) {
	return func(string) (*room.Response, error) {
		return &room.Response{Status: status, Body: []byte(body)}, nil
	}
}

// httpsRefused fails every https request as a refused connection does in a
// browser (a network error), and answers plain http with next.
func httpsRefused(next func(string) (*room.Response, error)) func(string) (*room.Response, error) {
	return func(u string) (*room.Response, error) {
		if strings.HasPrefix(u, "https:") {
			return nil, &autherr.Error{Code: autherr.Network, Op: "fetch", Err: errors.New("TypeError: Failed to fetch (connection refused)")}
		}
		return next(u)
	}
}

func TestResolve(t *testing.T) {
	netErr := &autherr.Error{Code: autherr.Network, Op: "fetch", Err: errors.New("TypeError: Failed to fetch; CORS")}
	tests := []struct {
		name     string
		server   string
		reply    func(string) (*room.Response, error)
		wantURL  string   // the well-known asked
		wantURLs []string // the requests made, when more than one
		want     string
		wantCode autherr.Code
		wantMsg  string
	}{
		{name: "delegated", server: "example.org",
			reply:   answer(200, `{"m.homeserver":{"base_url":"https://matrix-client.example.org/"}}`),
			wantURL: "GET https://example.org/.well-known/matrix/client", want: "https://matrix-client.example.org"},
		{name: "base URL with path", server: "example.org",
			reply: answer(200, `{"m.homeserver":{"base_url":"https://example.org/matrix/"}}`), want: "https://example.org/matrix"},
		{name: "no well-known means the name itself", server: "example.org:8448",
			reply: answer(404, `<html>not found</html>`), wantURL: "GET https://example.org/.well-known/matrix/client",
			want: "https://example.org:8448"},
		{name: "loopback asks https on the host first", server: "127.0.0.1:8008", reply: answer(404, ``),
			wantURL: "GET https://127.0.0.1/.well-known/matrix/client", want: "https://127.0.0.1:8008"},
		{name: "loopback without https uses http on its port", server: "127.0.0.1:8008", reply: httpsRefused(answer(404, ``)),
			wantURLs: []string{"GET https://127.0.0.1/.well-known/matrix/client", "GET http://127.0.0.1:8008/.well-known/matrix/client"},
			want:     "http://127.0.0.1:8008"},
		{name: "localhost without https", server: "localhost:8008", reply: httpsRefused(answer(404, ``)), want: "http://localhost:8008"},
		{name: "IPv6 loopback without https", server: "[::1]:8008", reply: httpsRefused(answer(404, ``)), want: "http://[::1]:8008"},
		{name: "an https failure of a loopback name keeps to https", server: "127.0.0.1:8008", reply: answer(502, ``),
			wantCode: autherr.DiscoveryFailed, wantMsg: "HTTP 502"},
		{name: "loopback base_url over http", server: "127.0.0.1:8008",
			reply: answer(200, `{"m.homeserver":{"base_url":"http://127.0.0.1:9000"}}`), want: "http://127.0.0.1:9000"},
		{name: "a public name never falls back to http", server: "example.org:8008",
			reply: httpsRefused(answer(404, ``)), wantCode: autherr.DiscoveryFailed, wantMsg: "refused"},
		{name: "http base_url for a public host", server: "example.org",
			reply: answer(200, `{"m.homeserver":{"base_url":"http://example.org"}}`), wantCode: autherr.DiscoveryFailed, wantMsg: "not https"},
		{name: "a public well-known cannot send a card to loopback http", server: "example.org",
			reply: answer(200, `{"m.homeserver":{"base_url":"http://127.0.0.1:8008"}}`), wantCode: autherr.DiscoveryFailed, wantMsg: "not https"},
		{name: "not a URL", server: "example.org",
			reply: answer(200, `{"m.homeserver":{"base_url":"matrix"}}`), wantCode: autherr.DiscoveryFailed, wantMsg: "not an absolute URL"},
		{name: "no base_url", server: "example.org",
			reply: answer(200, `{"m.identity_server":{}}`), wantCode: autherr.DiscoveryFailed, wantMsg: "m.homeserver is missing"},
		{name: "base_url not a string", server: "example.org",
			reply: answer(200, `{"m.homeserver":{"base_url":3}}`), wantCode: autherr.DiscoveryFailed},
		{name: "not JSON", server: "example.org",
			reply: answer(200, `<html>`), wantCode: autherr.DiscoveryFailed, wantMsg: "not a JSON object"},
		{name: "server error", server: "example.org",
			reply: answer(502, `bad gateway`), wantCode: autherr.DiscoveryFailed, wantMsg: "HTTP 502"},
		{name: "network failure keeps the CORS hint", server: "example.org",
			reply:    func(string) (*room.Response, error) { return nil, netErr },
			wantCode: autherr.DiscoveryFailed, wantMsg: "CORS"},
		{name: "not a server name", server: "example.org/path", reply: answer(404, ``), wantCode: autherr.InvalidInput},
		{name: "empty", server: "", reply: answer(404, ``), wantCode: autherr.InvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFetch{reply: tt.reply}
			r := &Resolver{Fetch: f.fetch}
			got, err := r.Resolve(context.Background(), tt.server)
			if tt.wantCode != "" {
				if c := autherr.CodeOf(err); c != tt.wantCode || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("got %q, %v; want code %s with %q", got, err, tt.wantCode, tt.wantMsg)
				}
				if strings.Count(err.Error(), "auth:") > 1 {
					t.Errorf("message repeats the prefix: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if tt.wantURL != "" && (len(f.calls) != 1 || f.calls[0] != tt.wantURL) {
				t.Errorf("got requests %v, want [%s]", f.calls, tt.wantURL)
			}
			if tt.wantURLs != nil && strings.Join(f.calls, " ") != strings.Join(tt.wantURLs, " ") {
				t.Errorf("got requests %v, want %v", f.calls, tt.wantURLs)
			}
		})
	}
}

func TestResolveRemembers(t *testing.T) {
	f := &fakeFetch{reply: answer(200, `{"m.homeserver":{"base_url":"https://hs.example.org"}}`)}
	now := time.Unix(1_700_000_000, 0)
	r := &Resolver{Fetch: f.fetch, Now: func() time.Time { return now }}
	for i := 0; i < 3; i++ {
		if _, err := r.Resolve(context.Background(), "example.org"); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.calls) != 1 {
		t.Errorf("got %d requests for three lookups, want 1", len(f.calls))
	}
	now = now.Add(resolveRemember + time.Second)
	if _, err := r.Resolve(context.Background(), "example.org"); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 2 {
		t.Errorf("got %d requests after the memory expired, want 2", len(f.calls))
	}
}

func TestResolveForgetsFailures(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	f := &fakeFetch{reply: func(string) (*room.Response, error) {
		if fail.Load() {
			return &room.Response{Status: 503}, nil
		}
		return &room.Response{Status: 404}, nil
	}}
	r := &Resolver{Fetch: f.fetch}
	if _, err := r.Resolve(context.Background(), "example.org"); err == nil {
		t.Fatal("want the 503")
	}
	fail.Store(false)
	if got, err := r.Resolve(context.Background(), "example.org"); err != nil || got != "https://example.org" {
		t.Fatalf("got %q, %v after the server recovered", got, err)
	}
}

// arrival is a context that reports on arrived when its Done is first
// asked for. Resolve asks it when a caller starts to wait for a lookup in
// flight, or starts its own (context.WithTimeout asks the parent), so a
// test knows every caller has joined without sleeping.
type arrival struct {
	context.Context
	once    sync.Once
	arrived chan<- struct{}
}

func (a *arrival) Done() <-chan struct{} {
	a.once.Do(func() { a.arrived <- struct{}{} })
	return a.Context.Done()
}

// TestResolveShares proves concurrent lookups of one name cost one
// request. The answer is a failure, which is not remembered: only sharing
// the one request in flight keeps the count at one.
func TestResolveShares(t *testing.T) {
	const callers = 5
	release := make(chan struct{})
	f := &fakeFetch{reply: func(string) (*room.Response, error) {
		<-release
		return &room.Response{Status: 503}, nil
	}}
	r := &Resolver{Fetch: f.fetch}
	arrived := make(chan struct{}, callers)
	errs := make(chan error, callers)
	for i := 0; i < callers; i++ {
		go func() {
			_, err := r.Resolve(&arrival{Context: context.Background(), arrived: arrived}, "example.org")
			errs <- err
		}()
	}
	for i := 0; i < callers; i++ {
		<-arrived
	}
	close(release)
	for i := 0; i < callers; i++ {
		if err := <-errs; autherr.CodeOf(err) != autherr.DiscoveryFailed {
			t.Errorf("got %v, want the shared 503 (discovery_failed)", err)
		}
	}
	if len(f.calls) != 1 {
		t.Errorf("got %d requests, want 1", len(f.calls))
	}
}

// TestResolveWaiterOutlivesLeader: when the caller whose request is in
// flight gives up, a waiting caller with a live context asks again instead
// of inheriting the cancellation.
func TestResolveWaiterOutlivesLeader(t *testing.T) {
	var n atomic.Int32
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	started := make(chan struct{})
	r := &Resolver{Fetch: func(ctx context.Context, req room.Request) (*room.Response, error) {
		if n.Add(1) == 1 {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &room.Response{Status: 404}, nil
	}}
	leaderErr := make(chan error, 1)
	go func() {
		_, err := r.Resolve(leaderCtx, "example.org")
		leaderErr <- err
	}()
	<-started
	arrived := make(chan struct{}, 1)
	waiter := make(chan string, 1)
	go func() {
		got, _ := r.Resolve(&arrival{Context: context.Background(), arrived: arrived}, "example.org")
		waiter <- got
	}()
	<-arrived // the waiter waits on the leader's lookup
	cancelLeader()
	if err := <-leaderErr; autherr.CodeOf(err) != autherr.Network {
		t.Errorf("leader: got %v, want network (cancelled)", err)
	}
	if got := <-waiter; got != "https://example.org" {
		t.Errorf("waiter: got %q, want a fresh lookup's answer", got)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("got %d requests, want the leader's and the waiter's own", got)
	}
}

func TestResolveTimeout(t *testing.T) {
	r := &Resolver{Timeout: 20 * time.Millisecond, Fetch: func(ctx context.Context, req room.Request) (*room.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	_, err := r.Resolve(context.Background(), "example.org")
	if autherr.CodeOf(err) != autherr.Timeout {
		t.Errorf("got %v, want timeout", err)
	}
}
