package auth

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// dialMap is a Transport that dials port 443 of 127.0.0.1 and localhost (where the spec looks up
// a loopback name's well-known) at another loopback address, so a test
// needs no privileged port; every other address is dialled as it is.
type dialMap struct {
	port443 string // "" dials an address where nothing listens
	mu      sync.Mutex
	log     []string
}

func (d *dialMap) transport(tlsConf *tls.Config) *http.Transport {
	return &http.Transport{
		TLSClientConfig: tlsConf,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d.mu.Lock()
			d.log = append(d.log, addr)
			d.mu.Unlock()
			if addr == "127.0.0.1:443" || addr == "localhost:443" {
				addr = d.port443
			}
			var nd net.Dialer
			return nd.DialContext(ctx, network, addr)
		},
	}
}

// closedAddr is a loopback address where nothing listens: a connect is
// refused at once.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// homeserverRoutes answers /versions and nothing else (no OAuth), and a
// well-known when wellKnown is set.
func homeserverRoutes(wellKnown string) routes {
	rt := routes{"/_matrix/client/versions": jsonHandler(200, versionsOK)}
	if wellKnown != "" {
		rt["/.well-known/matrix/client"] = jsonHandler(200, wellKnown)
	}
	return rt
}

// TestDiscoverLoopbackName: a bare loopback server name follows the spec
// (well-known over https on the host, port 443) and falls back to plain
// http on its own port only when https cannot connect.
func TestDiscoverLoopbackName(t *testing.T) {
	plain := httptest.NewServer(homeserverRoutes(""))
	t.Cleanup(plain.Close)
	plainPort := plain.Listener.Addr().(*net.TCPAddr).Port

	t.Run("https on the host answers: TLS all the way", func(t *testing.T) {
		tlsSrv := httptest.NewTLSServer(homeserverRoutes(""))
		t.Cleanup(tlsSrv.Close)
		_, port, _ := net.SplitHostPort(tlsSrv.Listener.Addr().String())
		d := &dialMap{port443: tlsSrv.Listener.Addr().String()}
		c := &Client{HTTPClient: &http.Client{Transport: d.transport(tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig)},
			Timeout: 5 * time.Second}
		// Well-known 404 on https://127.0.0.1/: the name itself over https.
		info, err := c.Discover(context.Background(), "127.0.0.1:"+port)
		mustNotFail(t, err)
		if want := "https://127.0.0.1:" + port; info.BaseURL != want {
			t.Errorf("base URL %q, want %q", info.BaseURL, want)
		}
		for _, st := range info.Steps {
			if strings.HasPrefix(st.URL, "http:") {
				t.Errorf("asked %s over plain http", st.URL)
			}
		}
		if info.Steps[0].URL != "https://127.0.0.1/.well-known/matrix/client" {
			t.Errorf("first step %s, want the well-known on the host over https", info.Steps[0].URL)
		}
	})

	t.Run("https well-known delegates to a plain loopback server", func(t *testing.T) {
		tlsSrv := httptest.NewTLSServer(homeserverRoutes(`{"m.homeserver":{"base_url":"` + plain.URL + `"}}`))
		t.Cleanup(tlsSrv.Close)
		d := &dialMap{port443: tlsSrv.Listener.Addr().String()}
		c := &Client{HTTPClient: &http.Client{Transport: d.transport(tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig)},
			Timeout: 5 * time.Second}
		info, err := c.Discover(context.Background(), "127.0.0.1:9")
		mustNotFail(t, err)
		if info.BaseURL != plain.URL {
			t.Errorf("base URL %q, want %q", info.BaseURL, plain.URL)
		}
	})

	t.Run("nothing on https: plain http on the name's port", func(t *testing.T) {
		d := &dialMap{port443: closedAddr(t)}
		c := &Client{HTTPClient: &http.Client{Transport: d.transport(nil)}, Timeout: 5 * time.Second}
		start := time.Now()
		name := "127.0.0.1:" + strconv.Itoa(plainPort)
		info, err := c.Discover(context.Background(), name)
		mustNotFail(t, err)
		if want := "http://" + name; info.BaseURL != want {
			t.Errorf("base URL %q, want %q", info.BaseURL, want)
		}
		if len(info.Steps) < 2 || info.Steps[0].URL != "https://127.0.0.1/.well-known/matrix/client" || info.Steps[0].Result != "network" ||
			info.Steps[1].URL != "http://"+name+"/.well-known/matrix/client" {
			t.Errorf("steps %+v: want the https well-known refused, then the http one", info.Steps)
		}
		// A refused connect on loopback is instant: the fallback costs
		// no waiting.
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("discovery took %v", el)
		}
	})

	t.Run("a public name never falls back to http", func(t *testing.T) {
		f := &fakeNet{hosts: map[string]http.Handler{}}
		_, err := testClient(f).Discover(context.Background(), "example.org:8008")
		if autherr.CodeOf(err) != autherr.Network {
			t.Fatalf("got %v, want network", err)
		}
		for _, r := range f.requests() {
			if strings.Contains(r, "http://") {
				t.Errorf("asked %s", r)
			}
		}
	})

	t.Run("an https answer keeps to https", func(t *testing.T) {
		// The https well-known is there and fails: no second try over http.
		tlsSrv := httptest.NewTLSServer(jsonHandler(500, `{"errcode":"M_UNKNOWN","error":"x"}`))
		t.Cleanup(tlsSrv.Close)
		d := &dialMap{port443: tlsSrv.Listener.Addr().String()}
		c := &Client{HTTPClient: &http.Client{Transport: d.transport(tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig)},
			Timeout: 5 * time.Second, Retry: instantRetry()}
		_, err := c.Discover(context.Background(), "127.0.0.1:"+strconv.Itoa(plainPort))
		if autherr.CodeOf(err) != autherr.ServerError {
			t.Fatalf("got %v, want server_error", err)
		}
		for _, a := range d.log {
			if a != "127.0.0.1:443" && a != "localhost:443" {
				t.Errorf("dialled %s after https answered", a)
			}
		}
	})
}
