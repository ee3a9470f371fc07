//go:build js && wasm

package browser

import (
	"strings"
	"syscall/js"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

type testOptions struct {
	Server string   `json:"server"`
	Via    []string `json:"via"`
	Limit  int      `json:"limit"`
}

func TestFromJS(t *testing.T) {
	withSignal := parse(`{"server":"example.org"}`)
	withSignal.Set("signal", js.Global().Get("AbortController").New().Get("signal"))
	withSignal.Set("callback", js.Global().Get("Function").New("return 1"))
	tests := []struct {
		name    string
		v       js.Value
		want    testOptions
		wantErr string // substring of the invalid_input message
	}{
		{name: "undefined", v: js.Undefined()},
		{name: "null", v: js.Null()},
		{name: "fields", v: parse(`{"server":"example.org","via":["a.org","b.org"],"limit":3,"other":true}`),
			want: testOptions{Server: "example.org", Via: []string{"a.org", "b.org"}, Limit: 3}},
		{name: "signal and function ignored", v: withSignal, want: testOptions{Server: "example.org"}},
		{name: "not an object", v: js.ValueOf("example.org"), wantErr: "must be an object"},
		{name: "wrong field type", v: parse(`{"limit":"three"}`), wantErr: `"limit"`},
		{name: "cycle", v: js.Global().Get("Function").New("const o = {}; o.self = o; return o;").Invoke(), wantErr: "cannot be read"},
		{name: "bigint", v: js.Global().Get("Function").New("return {limit: 1n};").Invoke(), wantErr: "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testOptions
			err := FromJS(tt.v, &got)
			if tt.wantErr != "" {
				if autherr.CodeOf(err) != autherr.InvalidInput || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want invalid_input containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromJS: %v", err)
			}
			if got.Server != tt.want.Server || strings.Join(got.Via, ",") != strings.Join(tt.want.Via, ",") || got.Limit != tt.want.Limit {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestToJSNumbers(t *testing.T) {
	v, err := ToJS(struct {
		N int64 `json:"n"`
	}{1<<53 - 1})
	if err != nil || v.Get("n").Float() != 1<<53-1 {
		t.Errorf("got %v, %v; want n = 2^53-1", jsonOf(v), err)
	}
}

func TestStringArg(t *testing.T) {
	args := []js.Value{js.ValueOf("#a:b"), js.ValueOf(3)}
	if s, err := StringArg(args, 0, "room"); err != nil || s != "#a:b" {
		t.Errorf("got %q, %v", s, err)
	}
	for _, i := range []int{1, 2} {
		if _, err := StringArg(args, i, "room"); autherr.CodeOf(err) != autherr.InvalidInput {
			t.Errorf("arg %d: got %v, want invalid_input", i, err)
		}
	}
}
