package signin

// Store keys of sessions, written by package auth's session part and read
// by both builds (the small one only for display, never for tokens).
const (
	// SessionPrefix is followed by a session's ID.
	SessionPrefix = "sessions/"
	// CurrentSessionKey holds the ID of the session the last login stored.
	CurrentSessionKey = "current-session"
)
