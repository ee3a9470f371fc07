# mxauth — the front door. `make demo` runs the demo, `make test` runs every test.
# Both work on a fresh Debian machine as root and install what they need.

GO       ?= go
FUZZTIME ?= 30s
PKGS_FUZZ = ./auth ./auth/room
DEVTOOLS  = web/test/node_modules/.package-lock.json

.PHONY: demo test test-go test-browser vet fuzz devtools npm clean

## demo: start the loopback sandbox homeserver and show what discovery finds
demo:
	$(GO) run ./cmd/mxauth demo

## test: vet, then every test (Go unit and fuzz seeds, the OpenID peer chain, the npm package in Chromium)
test: vet devtools test-go test-browser

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/test/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

## devtools: what the tests need beyond Go: Debian's brotli (wasm size budgets)
## and the npm dev tools (oidc-provider peer). Installs only what is missing.
## Debian's chromium drives the browser suite (playwright-core never downloads one).
APT_NEEDS = $(if $(shell command -v brotli),,brotli) $(if $(wildcard /usr/bin/chromium),,chromium)
devtools: $(DEVTOOLS)
	@if [ -n "$(strip $(APT_NEEDS))" ]; then \
	  echo "installing Debian packages: $(APT_NEEDS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_NEEDS) >/dev/null; \
	fi
$(DEVTOOLS): web/test/package.json web/test/package-lock.json
	cd web/test && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## npm: build preview.wasm and mxauth.wasm, compress them, assemble the npm
## package in dist/npm and pack it to dist/mxauth-<version>.tgz.
WASMFLAGS = -trimpath -ldflags='-s -w' -tags nethttpomithttp2
NPMDIR    = dist/npm
npm: devtools
	@rm -rf $(NPMDIR) && mkdir -p $(NPMDIR)
	GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(NPMDIR)/preview.wasm ./wasm/preview
	@if [ -d wasm/mxauth ] && GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(NPMDIR)/mxauth.wasm ./wasm/mxauth; then \
	  echo "built mxauth.wasm"; \
	else \
	  echo "warning: ./wasm/mxauth does not build yet; the package has no mxauth.wasm" >&2; rm -f $(NPMDIR)/mxauth.wasm; \
	fi
	@for w in $(NPMDIR)/*.wasm; do brotli -q 11 -f -k -o $$w.br $$w && gzip -9 -n -k -f $$w; done
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(NPMDIR)/wasm_exec.js
	cp web/npm/package.json web/npm/README.md web/npm/*.js web/npm/*.d.ts $(NPMDIR)/
	cd $(NPMDIR) && npm pack --silent --pack-destination .. >/dev/null
	@ls -l dist/*.tgz $(NPMDIR)/*.wasm*

## test-browser: the npm package end to end in Debian's Chromium (playwright-core)
test-browser: npm devtools
	cd web/test && node --test --test-concurrency=1 e2e/*.test.mjs

## fuzz: run every Fuzz target for FUZZTIME each (make fuzz FUZZTIME=10s)
fuzz:
	@set -e; for pkg in $(PKGS_FUZZ); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf dist test-results bench/results
