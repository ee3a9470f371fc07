package sandbox

import "time"

// Request is one entry of the request log, so tests and benchmarks can count
// round trips (and preflights) and see when each happened.
type Request struct {
	Method string
	Path   string // URL path, unescaped
	Query  string // raw query
	// Time is when the request arrived, by Config.Now.
	Time time.Time
	// Duration is the wall time spent answering, faults' latency included.
	Duration time.Duration
	// Status is the status sent; for a dropped response, the status the
	// handler produced and the client never saw.
	Status int
	// Origin is the request's Origin header ("" for non-browser clients).
	Origin string
	// Fault says a fault rule hit this request; Dropped that its response
	// was never delivered.
	Fault   bool
	Dropped bool
}

// Log is a copy of the request log, oldest first.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// maxLog bounds the log so a long-running `mxauth sandbox` does not grow
// without limit; the oldest entries go first.
const maxLog = 10000

func (s *Server) appendLog(e Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxLog {
		s.log = append(s.log[:0], s.log[len(s.log)-maxLog/2:]...)
	}
	s.log = append(s.log, e)
	s.logf("sandbox: %s %s -> %d", e.Method, e.Path, e.Status)
}
