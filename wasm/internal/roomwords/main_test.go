package main

import (
	"bytes"
	"os"
	"testing"
)

// TestUpToDate: the shipped web/npm/roomwords.js is what auth/room's table
// generates (run go generate ./auth/room after changing the table).
func TestUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../../web/npm/roomwords.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, source()) {
		t.Errorf("web/npm/roomwords.js is stale; run go generate ./auth/room\n got:\n%s\nwant:\n%s", got, source())
	}
}
