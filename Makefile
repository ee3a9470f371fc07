# mxauth — the front door. `make demo` runs the demo, `make test` runs every test.
# Both work on a fresh Debian machine as root and install what they need.

GO       ?= go
FUZZTIME ?= 30s
PKGS_FUZZ = ./auth ./auth/room
DEVTOOLS  = web/test/node_modules/.package-lock.json

.PHONY: demo test test-go vet fuzz devtools clean

## demo: start the loopback sandbox homeserver and show what discovery finds
demo:
	$(GO) run ./cmd/mxauth demo

## test: vet, then every test (Go unit and fuzz seeds, the OpenID peer chain)
test: vet devtools test-go

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/test/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

## devtools: what the tests need beyond Go: Debian's brotli (wasm size budgets)
## and the npm dev tools (oidc-provider peer). Installs only what is missing.
APT_NEEDS = $(if $(shell command -v brotli),,brotli)
devtools: $(DEVTOOLS)
	@if [ -n "$(APT_NEEDS)" ]; then \
	  echo "installing Debian packages: $(APT_NEEDS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_NEEDS) >/dev/null; \
	fi
$(DEVTOOLS): web/test/package.json web/test/package-lock.json
	cd web/test && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

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
