package signin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"github.com/mxauth/mxauth/auth/digest"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// The same device on re-login (issue 16). A login asks MAS for a device
// by its scope (urn:matrix:client:device:<id>, MSC2967); a fresh random id
// each time makes a new device each time, so the devices of a person who
// signs out and in again pile up (E2EE device lists grow, MAS's session
// limit answers too-many-sessions). The rule:
//
//   - Where a session ends — Logout, and a refresh answered invalid_grant
//     (session_expired), both in package auth — its user and device are
//     remembered per issuer: one small record, no secret, under
//     LastDevicePrefix, replaced by the next ended session of that issuer
//     and ignored (and deleted) after LastDeviceTTL.
//   - StartLogin with LoginOptions.DeviceID "" asks for the remembered
//     device, unless LoginHint names someone else (a user id other than the
//     remembered one, or a hint that is no user id, such as an email
//     address: nobody can tell whose it is), or a session of that user and
//     device is still stored (a live session is never disturbed: two MAS
//     sessions would share one homeserver device, and MAS deletes the
//     device when either ends — crates/handlers/src/oauth2/revoke.rs
//     schedules a DeleteDeviceJob for each device scope of the revoked
//     session). DeviceID "new" always asks for a fresh random id; an
//     explicit id is used as it is.
//   - A login that completes on the remembered device forgets the record:
//     the device is live again (its end will write the record anew), or it
//     went to another user than remembered (the person signed in as someone
//     else without a hint), whose device id it now is.
//
// What the same id buys: after a Logout, MAS has deleted the device
// (revoke.rs, above) and upserts it again under the same id, so the
// person's device list keeps one entry per browser rather than one per
// sign-in; after an invalid_grant the device may still exist (a refresh
// token lost or replayed, a session the server still holds), and the new
// login takes it over instead of leaving it beside a new one.
//
// A login while signed in does not reuse the signed-in session's device:
// the issue asks for the previous device after the session ended, and
// sharing a live device would disturb it.
//
// Asking for a device id that belongs to another user is harmless: MAS
// keeps the device scope with the OAuth 2.0 session and, at the code
// exchange, provisions the device for the user who signed in
// (element-hq/matrix-authentication-service,
// crates/handlers/src/oauth2/token.rs, authorization_code_grant: "Look for
// device to provision" calls upsert_device with browser_session.user's
// username and the scope's device id). Homeserver devices are per user, so
// the other user gets a new device of that id and the first user's device
// is untouched.

// LastDevicePrefix is the Store key prefix of the remembered devices, one
// per issuer ("last-device/<hash of the issuer>").
const LastDevicePrefix = "last-device/"

// LastDeviceTTL is how long a remembered device is asked for again.
const LastDeviceTTL = 90 * 24 * time.Hour

// DeviceIDNew is LoginOptions.DeviceID's opt-out: ask for a fresh device
// even when one is remembered.
const DeviceIDNew = "new"

// LastDevice is the record of the last ended session of an issuer.
type LastDevice struct {
	Issuer   string    `json:"issuer"`
	UserID   string    `json:"userId"`
	DeviceID string    `json:"deviceId"`
	EndedAt  time.Time `json:"endedAt"`
}

func lastDeviceKey(issuer string) string {
	h := digest.Sum256([]byte(issuer))
	return LastDevicePrefix + hex.EncodeToString(h[:12])
}

// RememberDevice records that the session of userID on deviceID at issuer
// ended, so that the next login there asks for the same device. It is
// housekeeping: callers may ignore its error.
func (c *Client) RememberDevice(ctx context.Context, issuer, userID, deviceID string) error {
	c.init()
	if issuer == "" || userID == "" || !ValidDeviceID(deviceID) {
		return nil
	}
	b, err := json.Marshal(LastDevice{Issuer: issuer, UserID: userID, DeviceID: deviceID, EndedAt: c.now().UTC()})
	if err != nil {
		return &autherr.Error{Code: autherr.Storage, Op: "remember device", Err: err}
	}
	if err := c.store.Put(ctx, lastDeviceKey(issuer), b); err != nil {
		return storageError("remember device", err)
	}
	return nil
}

// RememberedDevice returns the remembered device of issuer, or nil when
// there is none, it is damaged or it is older than LastDeviceTTL (both
// then deleted).
func (c *Client) RememberedDevice(ctx context.Context, issuer string) (*LastDevice, error) {
	c.init()
	key := lastDeviceKey(issuer)
	b, err := c.store.Get(ctx, key)
	if err != nil {
		return nil, storageError("remembered device", err)
	}
	if b == nil {
		return nil, nil
	}
	var rec LastDevice
	if json.Unmarshal(b, &rec) != nil || rec.Issuer != issuer || !ValidDeviceID(rec.DeviceID) ||
		c.now().Sub(rec.EndedAt) > LastDeviceTTL {
		_ = c.store.Delete(ctx, key)
		return nil, nil
	}
	return &rec, nil
}

// DeviceUsed is called when a login at issuer completed on deviceID: the
// remembered device is forgotten when it is that one (see the rule above).
// It is housekeeping: callers may ignore its error.
func (c *Client) DeviceUsed(ctx context.Context, issuer, deviceID string) error {
	rec, err := c.RememberedDevice(ctx, issuer)
	if err != nil || rec == nil || rec.DeviceID != deviceID {
		return err
	}
	if err := c.store.Delete(ctx, lastDeviceKey(issuer)); err != nil {
		return storageError("remembered device", err)
	}
	return nil
}

// loginDeviceID is the device id a login asks for: opts.DeviceID when it
// names one (checked), a fresh one for "new", else the remembered device
// of issuer when the rule above allows it, else a fresh one.
func (c *Client) loginDeviceID(ctx context.Context, op, issuer string, opts LoginOptions) (string, error) {
	switch id := opts.DeviceID; {
	case id == DeviceIDNew:
		return c.RandomString(10)
	case id != "":
		if !ValidDeviceID(id) {
			return "", autherr.New(autherr.InvalidInput, op, "device id %q must be %q or at least 10 characters of [A-Za-z0-9._~!$&'()*+,;=:@/-]", id, DeviceIDNew)
		}
		return id, nil
	}
	// A Store that cannot be read only costs a new device.
	if rec, _ := c.RememberedDevice(ctx, issuer); rec != nil && hintAllows(opts.LoginHint, rec.UserID) {
		live, err := c.store.Get(ctx, SessionPrefix+SessionID(issuer, rec.UserID, rec.DeviceID))
		if err == nil && live == nil {
			return rec.DeviceID, nil
		}
	}
	return c.RandomString(10)
}

// hintAllows reports whether a login hint leaves room for userID: no hint,
// or the same user id (bare or in MAS's mxid: form).
func hintAllows(hint, userID string) bool {
	h := strings.TrimSpace(hint)
	if h == "" {
		return true
	}
	return strings.TrimPrefix(h, "mxid:") == userID
}
