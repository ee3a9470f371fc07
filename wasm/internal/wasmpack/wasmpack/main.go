// Command wasmpack packs the data segments of Go js/wasm modules in place
// (package wasmpack): `go run ./wasm/internal/wasmpack/wasmpack a.wasm …`.
// `make npm` runs it on mxauth.wasm and session.wasm before compressing
// them.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/mxauth/mxauth/wasm/internal/wasmpack"
)

func main() {
	for _, name := range os.Args[1:] {
		if err := pack(name); err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
	}
}

// pack rewrites name and checks that the memory it starts with is unchanged.
func pack(name string) error {
	mod, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	packed, err := wasmpack.Pack(mod)
	if err != nil {
		return err
	}
	before, err := wasmpack.Segments(mod)
	if err != nil {
		return err
	}
	after, err := wasmpack.Segments(packed)
	if err != nil {
		return err
	}
	if !bytes.Equal(wasmpack.Image(before), wasmpack.Image(after)) {
		return fmt.Errorf("packed memory image differs")
	}
	fmt.Printf("%s: %d data segments -> %d\n", name, len(before), len(after))
	return os.WriteFile(name, packed, 0o644)
}
