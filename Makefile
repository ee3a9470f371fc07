# mxauth — the front door. `make demo` runs the demo, `make test` runs every test.
# Both work on a fresh Debian machine as root and install what they need.

GO       ?= go
FUZZTIME ?= 30s
PKGS_FUZZ = ./auth ./auth/digest ./auth/signin ./auth/autherr ./auth/serverrule ./auth/room ./wasm/browser
DEVTOOLS  = web/test/node_modules/.package-lock.json
CONSUMERS = web/test/consumers/node_modules/.package-lock.json

.PHONY: demo test test-go test-browser test-consumers vet fuzz devtools npm clean

## demo: build the demo site, then serve it on 127.0.0.1 next to the loopback
## sandbox homeserver (sign in, room previews, server check; no network needed)
demo: site
	$(GO) run ./cmd/mxauth demo --site $(SITEDIR)

## site: the static demo site in dist/site (go-app pages, app.wasm with .br
## and .gz beside it); any static host serves it as is, from any sub-path.
## CLIENT_URI is the client_uri a loopback page registers with.
.PHONY: site test-site
SITEDIR        = dist/site
CLIENT_URI    ?= https://mxauth.example/
SITE_WASMFLAGS = -trimpath -ldflags='-s -w' -tags nethttpomithttp2
site:
	@command -v brotli >/dev/null || { echo "installing Debian package: brotli"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >/dev/null; }
	@rm -rf $(SITEDIR)
	$(GO) run ./wasm/demo -out $(SITEDIR) -client-uri '$(CLIENT_URI)' -version "$$(git rev-parse --short HEAD 2>/dev/null || echo dev)"
	GOOS=js GOARCH=wasm $(GO) build $(SITE_WASMFLAGS) -o $(SITEDIR)/web/app.wasm ./wasm/demo
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(SITEDIR)/wasm_exec.js
	cp LICENSE $(SITEDIR)/LICENSE.txt
	bash web/npm/notices.sh ./wasm/demo > $(SITEDIR)/THIRD-PARTY-NOTICES.txt
	brotli -q 11 -f -k $(SITEDIR)/web/app.wasm && gzip -9 -n -k -f $(SITEDIR)/web/app.wasm
	@ls -l $(SITEDIR)/web/app.wasm*

## test-site: the built site in Debian's Chromium, served under a sub-path with
## the CSP: sign in and out through the sandbox, server check, hostile room,
## axe-core, screenshots in test-results/
test-site: site devtools
	cd web/test && MXAUTH_SITE_DIR="$(CURDIR)/$(SITEDIR)" node --test --test-concurrency=1 e2e/site.test.mjs

## test: vet, then every test (Go unit and fuzz seeds, the OpenID peer chain, the npm package in Chromium)
test: vet devtools test-go test-browser test-consumers test-site

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/test/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...

## test-go: every Go test, the Dendrite peer included (built once per
## machine by .ci/dendrite into the user's cache; required here, so a
## missing build fails instead of skipping)
test-go: dendrite
	MXAUTH_REQUIRE_DENDRITE=1 $(GO) test -count=1 ./...

## dendrite: the Dendrite test peer's binaries (Go module proxy, cached)
.PHONY: dendrite
dendrite:
	bash .ci/dendrite

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

## npm: build mxauth.wasm (small, no net/http) and session.wasm, compress them,
## assemble the npm package in dist/npm and pack it to dist/mxauth-<version>.tgz.
## SMALLFLAGS: mxauth.wasm is built without inlining (-l): 10 % fewer
## brotli bytes (no inlined copies, no inline trees in the pc tables) for a
## build whose work is waiting on fetch and IndexedDB; start-up is the same.
## wasm/mxauth/size_test.go builds with the same flags. wasmpack then joins
## the ~100,000 data segments Go's linker writes, whose headers brotli
## cannot predict (-80 KB brotli for mxauth.wasm, -120 KB for session.wasm;
## the memory they start with is the same).
WASMFLAGS  = -trimpath -ldflags='-s -w' -tags nethttpomithttp2
SMALLFLAGS = $(WASMFLAGS) -gcflags=all=-l
NPMDIR     = dist/npm
npm: devtools
	@rm -rf $(NPMDIR) && mkdir -p $(NPMDIR)
	GOOS=js GOARCH=wasm $(GO) build $(SMALLFLAGS) -o $(NPMDIR)/mxauth.wasm ./wasm/mxauth
	GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(NPMDIR)/session.wasm ./wasm/session
	$(GO) run ./wasm/internal/wasmpack/wasmpack $(NPMDIR)/mxauth.wasm $(NPMDIR)/session.wasm
	@for w in $(NPMDIR)/*.wasm; do brotli -q 11 -f -k -o $$w.br $$w && gzip -9 -n -k -f $$w; done
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(NPMDIR)/wasm_exec.js
	cp "$$($(GO) env GOROOT)/LICENSE" $(NPMDIR)/wasm_exec.LICENSE
	cp LICENSE web/npm/package.json web/npm/README.md web/npm/*.js web/npm/*.d.ts web/npm/callback.html $(NPMDIR)/
	bash web/npm/notices.sh $$(for w in $(NPMDIR)/*.wasm; do echo ./wasm/$$(basename $$w .wasm); done) > $(NPMDIR)/THIRD-PARTY-NOTICES.txt
	cd $(NPMDIR) && npm pack --silent --pack-destination .. >/dev/null
	@ls -l dist/*.tgz $(NPMDIR)/*.wasm*

## test-browser: the npm package end to end in Debian's Chromium (playwright-core);
## the demo site's suite (site.test.mjs) runs in test-site, against `make site`
test-browser: npm devtools
	cd web/test && node --test --test-concurrency=1 $$(ls e2e/*.test.mjs | grep -v '/site\.test\.mjs$$')

## test-consumers: the consumer matrix: the packed tarball in Vite 8 and 7
## (build, dev server), webpack 5, esbuild, React 19 + TypeScript, a plain
## page, an SSR build, publint and attw (toolchains: web/test/consumers, npm ci)
test-consumers: npm devtools $(CONSUMERS)
	cd web/test && node --test --test-concurrency=1 consumers/consumers.test.mjs
$(CONSUMERS): web/test/consumers/package.json web/test/consumers/package-lock.json
	cd web/test/consumers && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## fuzz: run every Fuzz target for FUZZTIME each (make fuzz FUZZTIME=10s)
fuzz:
	bash .ci/fuzz $(FUZZTIME) $(PKGS_FUZZ)

## bench: sizes, start-up, round trips and memory in Debian's Chromium beside
## matrix-js-sdk and oidc-client-ts, and the Go core benchmarks; prints
## markdown tables and writes bench/results/latest.json. Never fails on a
## number. BENCHFLAGS=--quick for one run of each.
.PHONY: bench
BENCHFLAGS ?=
bench: npm devtools
	@if $(MAKE) -n site >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory site >/dev/null || echo "bench: make site failed; the app.wasm row is n/a" >&2; \
	fi
	node web/bench/run.mjs $(BENCHFLAGS)

## soak: the long multi-tab refresh test (4 tabs × 200 refreshes, 10 % of answers dropped)
.PHONY: soak
soak:
	MXAUTH_SOAK=1 $(GO) test -count=1 -run '^TestTabsRefreshUnderDrops$$' -timeout 20m -v ./auth

clean:
	rm -rf dist test-results bench/results
