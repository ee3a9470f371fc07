package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
)

func TestDiscoverCommand(t *testing.T) {
	hs, err := sandbox.New(sandbox.Config{PromptCreate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"discover", hs.URL()}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var info auth.ServerInfo
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatalf("output is not ServerInfo JSON: %v\n%s", err, out.String())
	}
	if info.BaseURL != hs.URL() || info.OAuth == nil || !info.Hints.ShowCreateAccount {
		t.Errorf("got %+v", info)
	}
	// The JSON names are CONTRACT.md's JavaScript names.
	for _, name := range []string{`"serverName"`, `"baseUrl"`, `"unstableFeatures"`, `"authorizationEndpoint"`, `"continueWith"`, `"showPasswordForm"`} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("output lacks %s", name)
		}
	}
}

func TestDiscoverCommandErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"discover", "http://example.org"}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "invalid_input") {
		t.Errorf("stderr: %q lacks the error code", errOut.String())
	}
	if code := run(context.Background(), []string{"nope"}, &out, &errOut); code != 2 {
		t.Errorf("unknown command: exit %d want 2", code)
	}
}
