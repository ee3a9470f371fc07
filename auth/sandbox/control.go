package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// controlPrefix is where Config.Control serves the control plane. It is no
// Matrix path, so no client ever asks it by mistake.
const controlPrefix = "/_sandbox/"

// controlFault is Fault as JSON, with the latency in milliseconds.
type controlFault struct {
	Path         string `json:"path"`
	Method       string `json:"method"`
	Count        int    `json:"count"`
	LatencyMs    int    `json:"latencyMs"`
	Status       int    `json:"status"`
	RetryAfterMs int    `json:"retryAfterMs"`
	Malformed    bool   `json:"malformed"`
	Drop         bool   `json:"drop"`
	Percent      int    `json:"percent"`
	Redirect     string `json:"redirect"`
}

// control answers the control plane:
//
//	GET    /_sandbox/log      the request log as JSON
//	DELETE /_sandbox/log      empty the log
//	POST   /_sandbox/faults   add a fault: {"path","method","count","latencyMs","status","retryAfterMs","malformed","drop","percent","redirect"}
//	DELETE /_sandbox/faults   remove every fault
//	POST   /_sandbox/off      {"key": "cors-well-known", "off": true}
//	POST   /_sandbox/device   answer a device code: {"userCode": "…", "user": "alice", "allow": true}
//	GET    /_sandbox/tokens   every access and refresh token issued so far
//	                          (IssuedTokens), for tests that assert a token
//	                          never shows where it must not
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Content-Type", "application/json")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	bad := func(msg string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	switch r.Method + " " + r.URL.Path[len(controlPrefix)-1:] {
	case "OPTIONS /log", "OPTIONS /faults", "OPTIONS /off", "OPTIONS /device", "OPTIONS /tokens":
		w.WriteHeader(http.StatusNoContent)
	case "GET /log":
		log := s.Log()
		if log == nil {
			log = []Request{}
		}
		_ = json.NewEncoder(w).Encode(log)
	case "GET /tokens":
		_ = json.NewEncoder(w).Encode(s.IssuedTokens())
	case "DELETE /log":
		s.ResetLog()
		_, _ = w.Write([]byte("{}"))
	case "POST /faults":
		var f controlFault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			bad("fault: " + err.Error())
			return
		}
		s.SetFault(Fault{Path: f.Path, Method: f.Method, Count: f.Count, Latency: time.Duration(f.LatencyMs) * time.Millisecond,
			Status: f.Status, RetryAfterMs: f.RetryAfterMs, Malformed: f.Malformed, Drop: f.Drop, Percent: f.Percent,
			Redirect: f.Redirect})
		_, _ = w.Write([]byte("{}"))
	case "DELETE /faults":
		s.ClearFaults()
		_, _ = w.Write([]byte("{}"))
	case "POST /off":
		var o struct {
			Key string `json:"key"`
			Off bool   `json:"off"`
		}
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil || !slices.Contains(OffKeys, o.Key) {
			bad(`off: want {"key": "…", "off": true}`)
			return
		}
		s.SetOff(o.Key, o.Off)
		_, _ = w.Write([]byte("{}"))
	case "POST /device":
		var d struct {
			UserCode string `json:"userCode"`
			User     string `json:"user"`
			Allow    bool   `json:"allow"`
		}
		if err := json.NewDecoder(r.Body).Decode(&d); err != nil || d.UserCode == "" {
			bad(`device: want {"userCode": "…", "user": "alice", "allow": true}`)
			return
		}
		if err := s.DecideDevice(d.UserCode, d.User, d.Allow); err != nil {
			bad("device: " + err.Error())
			return
		}
		_, _ = w.Write([]byte("{}"))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"unknown control request"}`))
	}
}
