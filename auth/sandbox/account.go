package sandbox

import (
	"net/http"
	"strconv"
)

// account serves the account management page at account_management_uri
// (MSC4191, spec §2.7). It shows the action and device_id it was given, so
// tests and people can check what a client opened, and offers to sign out
// that device: POST ends every session of the device, as MAS's
// org.matrix.device_delete would, so the client's tokens stop working.
func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	action := r.URL.Query().Get("action")
	deviceID := r.URL.Query().Get("device_id")
	ended := ""
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.renderError(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
			return
		}
		deviceID = r.PostForm.Get("device_id")
		n := 0
		s.mu.Lock()
		for _, sess := range s.sessions {
			if deviceID != "" && sess.deviceID == deviceID && !sess.finished {
				sess.finished = true
				n++
			}
		}
		s.mu.Unlock()
		ended = strconv.Itoa(n)
	}
	known := false
	for _, a := range AccountActions {
		if a == action {
			known = true
		}
	}
	s.render(w, http.StatusOK, "Account", "account", map[string]any{
		"Action": action, "DeviceID": deviceID, "Known": known, "Actions": AccountActions,
		"Ended": ended, "Path": pathAccount,
	})
}
