package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	const versions = "/_matrix/client/versions"
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, r reply)
	}{
		{"429 with retry_after_ms", Fault{Path: versions, Status: 429, RetryAfterMs: 1500}, func(t *testing.T, r reply) {
			m := r.json(t)
			if r.status != 429 || m["errcode"] != "M_LIMIT_EXCEEDED" || m["retry_after_ms"] != float64(1500) {
				t.Errorf("got %d %s want 429 M_LIMIT_EXCEEDED retry_after_ms 1500", r.status, r.body)
			}
			if got := r.header.Get("Retry-After"); got != "2" {
				t.Errorf("got Retry-After %q want 2 (seconds, rounded up)", got)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("got no CORS on the 429; browsers could not read it")
			}
		}},
		{"429 without retry_after_ms", Fault{Path: versions, Status: 429}, func(t *testing.T, r reply) {
			if _, ok := r.json(t)["retry_after_ms"]; ok || r.header.Get("Retry-After") != "" {
				t.Errorf("got retry hints %s / %q want none", r.body, r.header.Get("Retry-After"))
			}
		}},
		{"500 Matrix body", Fault{Path: "/_matrix/*", Status: 500}, func(t *testing.T, r reply) {
			if r.status != 500 || r.json(t)["errcode"] != "M_UNKNOWN" {
				t.Errorf("got %d %s want 500 M_UNKNOWN", r.status, r.body)
			}
		}},
		{"502 proxy page", Fault{Status: 502}, func(t *testing.T, r reply) {
			if r.status != 502 || json.Valid(r.body) {
				t.Errorf("got %d %s want 502 with a non-JSON body", r.status, r.body)
			}
		}},
		{"malformed", Fault{Path: versions, Malformed: true}, func(t *testing.T, r reply) {
			if r.status != 200 || json.Valid(r.body) {
				t.Errorf("got %d %s want 200 with a body that is not JSON", r.status, r.body)
			}
		}},
		{"other path untouched", Fault{Path: "/_matrix/client/v3/login", Status: 500}, func(t *testing.T, r reply) {
			if r.status != 200 {
				t.Errorf("got %d want 200", r.status)
			}
		}},
		{"other method untouched", Fault{Path: versions, Method: "POST", Status: 500}, func(t *testing.T, r reply) {
			if r.status != 200 {
				t.Errorf("got %d want 200", r.status)
			}
		}},
	}
	s := newSandbox(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ClearFaults()
			s.SetFault(tc.fault)
			tc.check(t, do(t, "GET", s.URL()+versions, nil, ""))
		})
	}
}

// TestFaultRedirect: a redirect fault answers its status (307 by default)
// with the Location and the CORS headers, and the route does not run: a
// refresh redirected this way rotates nothing.
func TestFaultRedirect(t *testing.T) {
	s := newSandbox(t, Config{})
	const to = "http://127.0.0.1:9/elsewhere"
	tests := []struct {
		name   string
		status int
		want   int
	}{
		{"default", 0, 307},
		{"308", 308, 308},
		{"not a redirect status", 500, 307},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ClearFaults()
			s.SetFault(Fault{Path: "/oauth2/token", Method: "POST", Status: tc.status, Redirect: to})
			r := do(t, "POST", s.URL()+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"mar_x"}}, "")
			if r.status != tc.want || r.header.Get("Location") != to {
				t.Errorf("got %d to %q, want %d to %q", r.status, r.header.Get("Location"), tc.want, to)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("got no CORS on the redirect; a browser would see a network error instead")
			}
			if len(r.body) != 0 {
				t.Errorf("got body %q, want none (the route must not run)", r.body)
			}
		})
	}
}

func TestFaultCountAndPercent(t *testing.T) {
	s := newSandbox(t, Config{})
	s.SetFault(Fault{Path: "/_matrix/client/versions", Status: 503, Count: 2})
	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, do(t, "GET", s.URL()+"/_matrix/client/versions", nil, "").status)
	}
	if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
		t.Errorf("got statuses %v want %v", got, want)
	}

	s.ClearFaults()
	s.SetFault(Fault{Status: 500, Percent: 50})
	hits := 0
	for i := 0; i < 60; i++ {
		if do(t, "GET", s.URL()+"/_matrix/client/versions", nil, "").status == 500 {
			hits++
		}
	}
	if hits < 10 || hits > 50 {
		t.Errorf("got %d of 60 hit at 50%% want about half", hits)
	}
	// The PRNG is seeded: a second sandbox with the same seed hits the same.
	s2 := newSandbox(t, Config{})
	s2.SetFault(Fault{Status: 500, Percent: 50})
	hits2 := 0
	for i := 0; i < 60; i++ {
		if do(t, "GET", s2.URL()+"/_matrix/client/versions", nil, "").status == 500 {
			hits2++
		}
	}
	if hits2 != hits {
		t.Errorf("got %d then %d hits with the same seed; want the same", hits, hits2)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultLatency(t *testing.T) {
	s := newSandbox(t, Config{})
	const d = 40 * time.Millisecond
	s.SetFault(Fault{Path: "/_matrix/client/versions", Latency: d, Count: 1})
	start := time.Now()
	r := do(t, "GET", s.URL()+"/_matrix/client/versions", nil, "")
	if el := time.Since(start); el < d || r.status != 200 {
		t.Errorf("got %d after %s want 200 after at least %s", r.status, el, d)
	}
	log := s.Log()
	if last := log[len(log)-1]; !last.Fault || last.Duration < d {
		t.Errorf("got log entry %+v want a fault of at least %s", last, d)
	}
	// A client timeout shorter than the latency sees a timeout.
	s.SetFault(Fault{Path: "/_matrix/client/versions", Latency: time.Second, Count: 1})
	c := &http.Client{Timeout: 50 * time.Millisecond}
	if resp, err := c.Get(s.URL() + "/_matrix/client/versions"); err == nil {
		resp.Body.Close()
		t.Errorf("got %d want a client timeout", resp.StatusCode)
	}
}

// TestFaultDrop: the token endpoint does the refresh, the client never hears
// back, and the lost-response grace lets it retry with the old token.
func TestFaultDrop(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	clientID := registerNative(t, s)
	m := login(t, s, clientID, "d")
	rt := m["refresh_token"].(string)

	s.SetFault(Fault{Path: pathToken, Method: "POST", Drop: true, Count: 1})
	resp, err := http.PostForm(s.URL()+pathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID},
	})
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d want none", resp.StatusCode)
	}
	log := s.Log()
	last := log[len(log)-1]
	if !last.Dropped || last.Status != 200 {
		t.Errorf("got log entry %+v want a dropped 200", last)
	}
	// The work was done: the old access token is revoked already.
	if st, _ := whoamiStatus(t, s, m["access_token"].(string)); st != 401 {
		t.Errorf("old access token after the dropped refresh: got %d want 401", st)
	}
	if r := refresh(t, s, clientID, rt); r.status != 200 {
		t.Errorf("retry after the dropped answer: got %d %s want 200", r.status, r.body)
	}
}

func TestRequestLog(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{Now: clock.Now})
	req, _ := http.NewRequest("GET", s.URL()+"/_matrix/client/versions?x=1", nil)
	req.Header.Set("Origin", "http://127.0.0.1:3000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, "GET", s.URL()+"/nope", nil, "")
	log := s.Log()
	if len(log) != 2 {
		t.Fatalf("got %d entries want 2", len(log))
	}
	want := Request{Method: "GET", Path: "/_matrix/client/versions", Query: "x=1", Status: 200, Origin: "http://127.0.0.1:3000", Time: clock.Now()}
	got := log[0]
	got.Duration = 0
	if got != want {
		t.Errorf("got %+v want %+v", got, want)
	}
	if log[1].Status != 404 || !strings.HasPrefix(log[1].Path, "/nope") {
		t.Errorf("got %+v want the 404", log[1])
	}
	s.ResetLog()
	if n := len(s.Log()); n != 0 {
		t.Errorf("got %d entries after ResetLog want 0", n)
	}
}
