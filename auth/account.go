package auth

import (
	"context"
	"net/url"
	"slices"

	"github.com/mxauth/mxauth/auth/signin"
)

// AccountAction is what the account page should open at (MSC4191, spec
// v1.18 "Account management").
type AccountAction string

// Account management actions, by their stable names.
const (
	AccountActionProfile           AccountAction = "org.matrix.profile"
	AccountActionDevicesList       AccountAction = "org.matrix.devices_list"
	AccountActionDeviceView        AccountAction = "org.matrix.device_view"
	AccountActionDeviceDelete      AccountAction = "org.matrix.device_delete"
	AccountActionAccountDeactivate AccountAction = "org.matrix.account_deactivate"
	AccountActionCrossSigningReset AccountAction = "org.matrix.cross_signing_reset"
)

// accountActionAliases groups each action with its older names, newest
// first: the stable name, MSC4191's unstable org.matrix.session_* names,
// then the prototypes' bare names.
var accountActionAliases = [][]AccountAction{
	{AccountActionProfile, "profile"},
	{AccountActionDevicesList, "org.matrix.sessions_list", "sessions_list"},
	{AccountActionDeviceView, "org.matrix.session_view", "session_view"},
	{AccountActionDeviceDelete, "org.matrix.session_end", "session_end"},
	{AccountActionAccountDeactivate},
	{AccountActionCrossSigningReset},
}

// actionTakesDevice lists the actions that take device_id.
var actionTakesDevice = map[AccountAction]bool{
	AccountActionDeviceView: true, AccountActionDeviceDelete: true,
}

// accountURL builds the account management URL (MSC4191): accountURI with
// action=… when the server lists that action under any of its names (an
// old name asked for maps to the new one the server lists, and back), and
// device_id for the device actions. A server that lists no actions at all
// gets the stable name: MSC4191 has servers ignore an action they do not
// know, so it costs nothing and opens the right page where the server just
// did not say. An action left out of a list the server does send is left
// out of the link, which opens the account page. Empty when the server has
// no account management URI.
func accountURL(accountURI string, supported []string, action AccountAction, deviceID string) string {
	if accountURI == "" {
		return ""
	}
	u, err := url.Parse(accountURI)
	if err != nil {
		return ""
	}
	if action == "" {
		return accountURI
	}
	group := []AccountAction{action}
	canonical := action
	for _, g := range accountActionAliases {
		if slices.Contains(g, action) {
			group, canonical = g, g[0]
			break
		}
	}
	chosen := ""
	if len(supported) == 0 {
		chosen = string(canonical)
	} else if slices.Contains(supported, string(action)) {
		chosen = string(action)
	} else {
		for _, name := range group {
			if slices.Contains(supported, string(name)) {
				chosen = string(name)
				break
			}
		}
	}
	if chosen == "" {
		return accountURI
	}
	q := u.Query()
	q.Set("action", chosen)
	if deviceID != "" && actionTakesDevice[canonical] {
		q.Set("device_id", deviceID)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// AccountURL is the account management URL for this session (MSC4191),
// with action when the server lists it under any of its names; deviceID
// defaults to the session's device. Empty when the server has none.
func (s *Session) AccountURL(action AccountAction, deviceID string) string {
	if deviceID == "" {
		deviceID = s.DeviceID
	}
	return accountURL(s.AccountManagementURI, s.AccountManagementActions, action, deviceID)
}

// AccountURL is Session.AccountURL of the current session; "" when nobody
// is signed in. It makes no request.
func (c *Client) AccountURL(ctx context.Context, action AccountAction, deviceID string) (string, error) {
	s, err := c.Session(ctx)
	if err != nil || s == nil {
		return "", err
	}
	return s.AccountURL(action, deviceID), nil
}

// View is what a web page may see of s (CONTRACT.md §1, Session): never a
// token nor an endpoint a token goes to. Nil for nil.
func (s *Session) View() *signin.StoredSession {
	if s == nil {
		return nil
	}
	// session(), completeLogin(), the "session" event and the elements'
	// mxauth-session DOM event carry the view, and any script on the page
	// (analytics, session replay) can read those: the access token is
	// handed out only by accessToken(), the refresh token never leaves the
	// library. The view is the signin.StoredSession the small build reads
	// from the Store. Each field kept is named here, so a field added to
	// Session stays out until someone decides it belongs in the view.
	v := &signin.StoredSession{
		Kind: s.Kind, UserID: s.UserID, DeviceID: s.DeviceID, ServerName: s.ServerName, BaseURL: s.BaseURL,
		Issuer: s.Issuer, ClientID: s.ClientID, Scope: s.Scope,
		AccountURL: s.AccountURL("", ""), IDTokenClaims: s.IDTokenClaims,
		LifetimeMs: s.Lifetime.Milliseconds(), AccountManagementURI: s.AccountManagementURI,
		AccountManagementActions: s.AccountManagementActions, Insecure: s.Insecure,
	}
	if !s.ExpiresAt.IsZero() {
		v.ExpiresAt = s.ExpiresAt.UnixMilli()
	}
	return v
}
