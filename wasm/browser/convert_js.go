//go:build js && wasm

package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
)

// ToJS converts a Go value to JavaScript. A js.Value passes through; nil,
// strings, booleans and numbers convert directly (an SVG badge is not
// worth a JSON round trip); everything else goes through encoding/json and
// JSON.parse, so a struct reaches JavaScript with exactly its json names
// (the CONTRACT.md types are defined that way in Go) and nothing that JSON
// cannot say (no functions, no cycles). Failure is an internal error.
func ToJS(v any) (js.Value, error) {
	switch x := v.(type) {
	case nil:
		return js.Null(), nil
	case js.Value:
		return x, nil
	case string, bool, int, int32, int64, uint32, float64:
		return js.ValueOf(x), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return js.Undefined(), &autherr.Error{Code: CodeInternal, Op: "to js",
			Details: map[string]string{"reason": ReasonInternal}, Err: err}
	}
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}

// FromJS fills dst (a pointer to a struct with json tags) from a JavaScript
// options object, through JSON.stringify and encoding/json: fields JSON
// cannot carry (an AbortSignal, functions) are left for the caller to read
// with Get, unknown fields are ignored, and undefined or null leave dst as
// it is. Anything else is invalid_input naming the field, never a panic,
// even when JSON.stringify throws (a cycle, a BigInt).
func FromJS(v js.Value, dst any) (err error) {
	if v.IsUndefined() || v.IsNull() {
		return nil
	}
	if v.Type() != js.TypeObject {
		return autherr.New(autherr.InvalidInput, "options", "options must be an object, not a %s", v.Type())
	}
	defer func() {
		if r := recover(); r != nil {
			err = autherr.New(autherr.InvalidInput, "options", "options cannot be read as JSON: %s", clip(fmt.Sprint(r), 200))
		}
	}()
	s := js.Global().Get("JSON").Call("stringify", v).String()
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		var ae *autherr.Error
		if errors.As(err, &ae) {
			return ae // from a field's own UnmarshalJSON
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return autherr.New(autherr.InvalidInput, "options", "option %q must be a %s, not a JSON %s", te.Field, te.Type, te.Value)
		}
		return autherr.New(autherr.InvalidInput, "options", "%v", err)
	}
	return nil
}

// StringArg returns args[i] as a string, or invalid_input naming what is
// missing, so a method can reject instead of throwing.
func StringArg(args []js.Value, i int, what string) (string, error) {
	v := Arg(args, i)
	if v.Type() != js.TypeString {
		return "", autherr.New(autherr.InvalidInput, "arguments", "%s must be a string, not %s", what, v.Type())
	}
	return v.String(), nil
}
