//go:build js && wasm

package browser

import (
	"errors"
	"os"
	"strconv"
	"syscall/js"
	"time"
)

// Handshake hands api to the loader's ready callback globalThis[name] and
// deletes that property, so nothing of ours stays on globalThis. The
// loader sets the callback before go.run; a missing or throwing callback
// is a loader bug, reported as an error rather than a crash.
func Handshake(global js.Value, name string, api js.Value) (err error) {
	cb := global.Get(name)
	if cb.Type() != js.TypeFunction {
		return errors.New("no ready callback: set globalThis." + name + " to a function before go.run")
	}
	global.Delete(name)
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("the ready callback threw")
		}
	}()
	cb.Invoke(api)
	return nil
}

// ReadyName is the ready callback's name: go.env MXAUTH_READY, else def.
func ReadyName(def string) string {
	if v := os.Getenv("MXAUTH_READY"); v != "" {
		return v
	}
	return def
}

// TimeoutFromEnv reads go.env MXAUTH_TIMEOUT_MS (the loader's timeoutMs);
// zero, meaning the library's default, when unset or not a positive number.
func TimeoutFromEnv() time.Duration {
	ms, err := strconv.Atoi(os.Getenv("MXAUTH_TIMEOUT_MS"))
	if err != nil || ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}
