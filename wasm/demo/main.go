//go:build !js

// Command demo is app.wasm's main (main_js.go) and, run natively, the
// static-site generator and a small dev server of the demo site
// (DESIGN.md: wasm/demo):
//
//	go run ./wasm/demo -out dist/site [-client-uri https://…] [-version v]
//	go run ./wasm/demo -serve 127.0.0.1:8080 -out dist/site
//
// Generating writes the pages, go-app's scripts and the styles; app.wasm
// (GOOS=js GOARCH=wasm go build ./wasm/demo) and the toolchain's
// wasm_exec.js are put beside them by `make site`. Serving serves the
// folder as a static host would, with the site's CSP; `mxauth demo` does the
// same next to the sandbox homeserver.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	mxapp "github.com/mxauth/mxauth/app"
)

func main() {
	out := flag.String("out", "dist/site", "the site folder")
	clientURI := flag.String("client-uri", mxapp.DefaultClientURI, "client_uri a loopback page registers with (a public https URL)")
	version := flag.String("version", "dev", "the build's version")
	serve := flag.String("serve", "", "serve the folder on this address instead of generating it")
	flag.Parse()

	if *serve != "" {
		log.Printf("serving %s on http://%s/", *out, *serve)
		log.Fatal(http.ListenAndServe(*serve, mxapp.SiteHandler(*out)))
	}
	mxapp.Routes(&mxapp.Env{})
	if err := mxapp.GenerateSite(*out, mxapp.SiteOptions{ClientURI: *clientURI, Version: *version}); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s\n", *out)
}
