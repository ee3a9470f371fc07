#!/usr/bin/env bash
# notices.sh PKG... — the licences of everything compiled into the given
# js/wasm main packages, for THIRD-PARTY-NOTICES.txt of the npm package:
# Go's own licence (runtime, standard library and wasm_exec.js), then each
# module's LICENSE and, where it has one, its NOTICE (Apache-2.0 §4(d)).
# Read from the module cache at build time, so the list follows go.mod.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "mxauth's WebAssembly builds contain code of the Go project and of the modules below."
echo "Their licences follow. mxauth itself is under the Apache License 2.0 (LICENSE)."
echo
echo "==== Go (runtime, standard library, wasm_exec.js) — $(go env GOVERSION)"
cat "$(go env GOROOT)/LICENSE"
GOOS=js GOARCH=wasm go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$@" |
  sort -u | while read -r path version dir; do
    [ -n "$path" ] || continue
    echo
    echo "==== $path $version"
    found=
    for f in LICENSE LICENSE.md LICENSE.txt COPYING NOTICE NOTICE.md NOTICE.txt; do
      if [ -f "$dir/$f" ]; then
        [ "$f" = "${f#NOTICE}" ] || echo "---- $f"
        cat "$dir/$f"
        found=1
      fi
    done
    if [ -z "$found" ]; then
      echo "notices.sh: $path has no licence file in $dir" >&2
      exit 1
    fi
  done
