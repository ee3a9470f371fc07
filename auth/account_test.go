package auth

import "testing"

func TestAccountURL(t *testing.T) {
	mas := []string{"org.matrix.profile", "org.matrix.devices_list", "org.matrix.device_view", "org.matrix.device_delete",
		"org.matrix.cross_signing_reset", "org.matrix.sessions_list", "org.matrix.session_view", "org.matrix.session_end"}
	old := []string{"org.matrix.profile", "org.matrix.sessions_list", "org.matrix.session_view", "org.matrix.session_end"}
	const base = "https://account.example.org/account/"
	tests := []struct {
		name, uri string
		supported []string
		action    AccountAction
		device    string
		want      string
	}{
		{"no uri", "", mas, "org.matrix.profile", "", ""},
		{"no action", base, mas, "", "", base},
		{"stable listed", base, mas, "org.matrix.device_view", "DEV", base + "?action=org.matrix.device_view&device_id=DEV"},
		{"old name asked, server lists it", base, mas, "org.matrix.session_end", "DEV", base + "?action=org.matrix.session_end&device_id=DEV"},
		{"stable asked, server lists only old", base, old, "org.matrix.device_delete", "DEV", base + "?action=org.matrix.session_end&device_id=DEV"},
		{"old asked, server lists only stable", base, []string{"org.matrix.devices_list"}, "org.matrix.sessions_list", "", base + "?action=org.matrix.devices_list"},
		{"prototype name", base, mas, "sessions_list", "", base + "?action=org.matrix.devices_list"},
		{"not offered", base, mas, "org.matrix.account_deactivate", "", base},
		{"unknown", base, mas, "org.example.nope", "", base},
		{"list has no device", base, mas, "org.matrix.devices_list", "DEV", base + "?action=org.matrix.devices_list"},
		// A server that lists no actions gets the stable name (MSC4191:
		// an unknown action is ignored), whatever name was asked.
		{"none listed: stable name", base, nil, "org.matrix.device_delete", "DEV", base + "?action=org.matrix.device_delete&device_id=DEV"},
		{"empty list: stable name for an old one", base, []string{}, "org.matrix.session_view", "DEV", base + "?action=org.matrix.device_view&device_id=DEV"},
		{"none listed: prototype name", base, nil, "sessions_list", "DEV", base + "?action=org.matrix.devices_list"},
		{"none listed: no action asked", base, nil, "", "DEV", base},
		{"none listed: unknown sent as is", base, nil, "org.example.nope", "", base + "?action=org.example.nope"},
		{"listed without this one under any name", base, old, "org.matrix.cross_signing_reset", "", base},
		{"listed, only an unrelated one", base, []string{"org.matrix.profile"}, "org.matrix.device_delete", "DEV", base},
		{"existing query kept", base + "?lang=fr", mas, "org.matrix.profile", "", base + "?action=org.matrix.profile&lang=fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := accountURL(tt.uri, tt.supported, tt.action, tt.device); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	s := &Session{DeviceID: "MINE", AccountManagementURI: base, AccountManagementActions: mas}
	if got, want := s.AccountURL("org.matrix.session_view", ""), base+"?action=org.matrix.session_view&device_id=MINE"; got != want {
		t.Errorf("session default device: got %q, want %q", got, want)
	}
}
