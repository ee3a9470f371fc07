package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a rule that makes matching requests slow or failing, to test
// retries, timeouts and error mapping. Rules are checked in the order they
// were added; the first one that matches and has hits left applies.
//
// A note on Drop: Go's http.Transport (and browsers) silently retry an
// idempotent request (GET, HEAD, OPTIONS) once when a reused connection closes
// before any response byte. A Drop with Count 1 on a GET can therefore go
// unseen by the client; give Count 2, or use a fresh connection. POST (token,
// refresh, revocation) is never retried that way, which is what makes the
// lost-response refresh case testable.
type Fault struct {
	// Path is an exact path, or a prefix ending in "*"; "" matches every path.
	Path string
	// Method is the method to match; "" matches any method except OPTIONS
	// (preflights stay fast unless a rule names OPTIONS).
	Method string
	// Count is how many requests the rule hits; 0 is unlimited.
	Count int
	// Latency delays the request before anything else happens.
	Latency time.Duration
	// Status answers with this status instead of the route: 429 carries
	// M_LIMIT_EXCEEDED (with RetryAfterMs in the body and a Retry-After
	// header, as Synapse sends both), 502/503/504 a proxy's HTML page, other
	// statuses a Matrix M_UNKNOWN body.
	Status int
	// RetryAfterMs goes into the 429 body as retry_after_ms; 0 leaves it out
	// (and the Retry-After header too).
	RetryAfterMs int
	// Malformed answers 200 with a body that is not JSON.
	Malformed bool
	// Drop does the work (the route runs and its effects stay), then never
	// delivers the response: the connection is hijacked and closed.
	Drop bool
	// Redirect answers with Status (307 when Status is 0 or not a redirect
	// status) and Location: Redirect, without running the route: a server
	// that sends a token, refresh or revocation request elsewhere, to test
	// that a client never follows with the secret. It carries the CORS
	// headers like every answer, so a browser sees the redirect itself.
	Redirect string
	// Percent, between 1 and 99, hits only that share of matching requests,
	// decided by a PRNG seeded with Config.FaultSeed; 0 or 100 hits all.
	Percent int
}

type faultRule struct {
	Fault
	left int // hits left when Count > 0
}

// SetFault adds a fault rule.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{Fault: f, left: f.Count})
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault finds the rule for r and spends one of its hits.
func (s *Server) matchFault(r *http.Request, preflight bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Count > 0 && f.left <= 0 {
			continue
		}
		if f.Method == "" && preflight {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if !pathMatches(f.Path, r.URL.Path) {
			continue
		}
		if f.Percent > 0 && f.Percent < 100 && s.rng.IntN(100) >= f.Percent {
			continue
		}
		if f.Count > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		fc := f.Fault
		return &fc
	}
	return nil
}

func pathMatches(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, p)
	}
	return pattern == path
}

// applyFault answers r according to f. next is the route to run for latency-
// only and Drop rules (nil for preflights: 204). For a Drop it returns the
// function that closes the hijacked connection, to call after logging.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, next http.Handler) (drop func()) {
	sleep(r.Context(), f.Latency)
	if r.Context().Err() != nil {
		return nil
	}
	if next == nil {
		next = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})
	}
	switch {
	case f.Drop:
		// Do the work into a buffer, so its effects (a rotated refresh token,
		// a consumed code) happen, then close the connection unanswered.
		buf := &bufferWriter{header: http.Header{}}
		next.ServeHTTP(buf, r)
		if sw, ok := w.(*statusWriter); ok {
			sw.status = buf.status
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// HTTP/2 or a test recorder: nothing to hijack. Aborting the
			// handler is net/http's own way to drop a response there.
			return func() { panic(http.ErrAbortHandler) }
		}
		return func() { _ = conn.Close() }
	case f.Redirect != "":
		code := f.Status
		switch code {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			code = http.StatusTemporaryRedirect
		}
		w.Header().Set("Location", f.Redirect)
		w.WriteHeader(code)
	case f.Status == http.StatusTooManyRequests:
		extra := map[string]any{}
		if f.RetryAfterMs > 0 {
			extra["retry_after_ms"] = f.RetryAfterMs
			// Header in whole seconds, rounded up, as Synapse does.
			w.Header().Set("Retry-After", strconv.Itoa((f.RetryAfterMs+999)/1000))
		}
		matrixError(w, http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", "Too Many Requests", extra)
	case f.Status == http.StatusBadGateway || f.Status == http.StatusServiceUnavailable || f.Status == http.StatusGatewayTimeout:
		// What a reverse proxy in front of a homeserver sends: HTML, not JSON.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center><hr><center>nginx</center></body></html>\n",
			f.Status, http.StatusText(f.Status), f.Status, http.StatusText(f.Status))
	case f.Status != 0:
		matrixError(w, f.Status, "M_UNKNOWN", "Internal server error (sandbox fault)", nil)
	case f.Malformed:
		// Claims JSON, is not: a truncated object after an HTML prefix.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<html>not json {\"versions\": ["))
	default:
		next.ServeHTTP(w, r)
	}
	return nil
}

// bufferWriter is a ResponseWriter that keeps the response in memory.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
