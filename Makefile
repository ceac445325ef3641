# Posterity — movie-poster genres in the browser, in Go.
# Run "make help" for the targets.

export GOTOOLCHAIN := go1.27.3
GO          ?= go
SIMD        := GOEXPERIMENT=simd
SHARED      ?= ../shared
DATA        ?= $(SHARED)/data/posters
BIN         := bin/posterity
WASM_EXEC   = $(shell $(GO) env GOROOT)/lib/wasm
# Packages whose tests also run under GOOS=js GOARCH=wasm (node): the engine
# and everything the browser worker links.
WASM_PKGS   := ./model/onnx/ ./model/kernels/ ./model/mobilenet/ ./model/imageprep/ ./model/head/ ./model/metrics/ ./model/imagenet/

.PHONY: help model build static test test-native test-wasm test-e2e vet train experiments eval bench run serve clean loadtest fuzz-short

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN): FORCE
	$(SIMD) $(GO) build -o $(BIN) ./server

build: $(BIN) ## build the posterity command (with the SIMD kernels)

# Two weight files: backbone.pstb (up to the 1280-d feature, every visit
# needs it) and imagenet.pstb (the ImageNet classifier, fetched by the page
# only when "Show what the backbone sees" is turned on).
model: $(BIN) ## obtain and verify the MobileNetV2 backbone, write static/web/backbone.pstb and imagenet.pstb
	$(BIN) model --shared $(SHARED)/models --out static/web/backbone.pstb --imagenet-out static/web/imagenet.pstb

vet: ## go vet, with and without the SIMD experiment, and for wasm
	$(GO) vet ./...
	$(SIMD) $(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet $(WASM_PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./web/ ./web/ui/
	GOOS=js GOARCH=wasm $(SIMD) $(GO) vet ./wasm/
	GOOS=js GOARCH=wasm $(SIMD) $(GO) vet -tags 'wasmkernels benchstages' ./wasm/

test-native: ## the native tests, plain-Go kernels and SIMD kernels
	$(GO) test ./...
	$(SIMD) $(GO) test ./...

test-wasm: ## the engine's tests under GOOS=js GOARCH=wasm in node
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(GO) test $(WASM_PKGS)
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(SIMD) $(GO) test ./model/kernels/ ./model/mobilenet/

test: vet test-native test-wasm test-e2e ## everything CI runs: vet, native, wasm and browser tests

train: model ## train the genre head on $(DATA), write static/web/head.bin and training/report.html
	$(BIN) train --data $(DATA) --out static/web/head.bin --report training/report.html

experiments: model ## train the README's ablations on the same split; prints the table, writes training/experiments.html
	$(BIN) train --data $(DATA) --out build/experiments-head.bin --report training/experiments.html \
		--experiments softf1,bce+softf1,hidden256,hidden2048,dropout0,dropout0.5,classweight,decay,flip,crop,pad

eval: model ## evaluate static/web/head.bin on $(DATA)'s held-out test split (the README's numbers)
	$(BIN) eval --data $(DATA) --split test

# make bench (bench/doc.go, issue #5): our engine against ONNX Runtime in the
# same run — browser (headless Chromium), native, first-visit bytes, worker
# memory — then BENCHMARKS.md and one TARGET line per goal. It measures the
# app "make static" built (static/web) and two labelled bench copies of the
# worker with the benchstages hook: plain (these flags, no tag) and
# wasmkernels (with the kernel module). The anchors come from npm into
# bench/node_modules (gitignored).
BENCH_ENGINES := build/bench/engines
bench: static ## speed, bytes and memory against onnxruntime-web/-node in the same run; writes BENCHMARKS.md
	GOOS=js GOARCH=wasm $(SIMD) $(GO) build -trimpath -ldflags=-s -tags benchstages -o $(BENCH_ENGINES)/plain/classifier.wasm ./wasm
	GOOS=js GOARCH=wasm $(SIMD) $(GO) build -trimpath -ldflags=-s -tags 'wasmkernels benchstages' -o $(BENCH_ENGINES)/wasmkernels/classifier.wasm ./wasm
	install -m 0644 model/kernels/wasmkern/kernels.wasm $(BENCH_ENGINES)/wasmkernels/kernels.wasm
	cd bench && npm install --no-audit --no-fund --ignore-scripts
	$(SIMD) $(GO) run ./bench --shared $(SHARED) --static static --engines $(BENCH_ENGINES)

# The web app: app.wasm (the go-app page, web/), classifier.wasm (the engine
# in a Web Worker, wasm/, with the SIMD kernels), the worker's script (source:
# wasm/worker.js) and Go's wasm_exec.js, all under static/web beside the
# model; then the same app as a static site in build/site. By default the
# engine is built against the generated wasm SIMD kernel module
# (model/kernels/wasmkern, 3 KB, served beside it): make bench measured the
# backbone at 12.4 ms with it against 77.7 ms with archsimd alone.
# WASM_TAGS= (empty) builds the archsimd-only engine.
WASM_TAGS   ?= wasmkernels
static: model ## build the web app into static/web and a static copy of the site into build/site
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags=-s -o static/web/app.wasm ./web
	GOOS=js GOARCH=wasm $(SIMD) $(GO) build -trimpath -ldflags=-s -tags '$(WASM_TAGS)' -o static/web/classifier.wasm ./wasm
	$(if $(findstring wasmkernels,$(WASM_TAGS)),install -m 0644 model/kernels/wasmkern/kernels.wasm static/web/kernels.wasm,rm -f static/web/kernels.wasm)
	install -m 0644 wasm/worker.js static/web/worker.js
	install -m 0644 $(WASM_EXEC)/wasm_exec.js static/web/wasm_exec.js
	rm -rf build/site
	$(BIN) serve --static static --write-site build/site

run: static ## build everything and serve the web app on http://127.0.0.1:8080/
	$(BIN) serve --addr 127.0.0.1:8080 --static static

# Browser tests: Debian's Chromium (chromedp) against "posterity serve", with
# posters from $(DATA)/images.
test-e2e: static ## the end-to-end tests of the web app in headless Chromium
	$(GO) vet -tags e2e ./web/e2e/
	POSTERITY_BIN=$(abspath $(BIN)) POSTERITY_SHARED=$(abspath $(SHARED)) $(GO) test -tags e2e -count=1 -timeout 15m ./web/e2e/

# The server under load (server/serve_load_test.go, issue #6): 20,000 GETs
# over 64 kept-alive connections on 127.0.0.1 against the built app; 0
# errors or it fails; p50/p99 go into BENCHMARKS.md's "Server under load"
# section (between its markers; the rest of the file is make bench's).
# "go test ./server/" runs the same test with 2,000 requests on a fixture.
LOAD_REQUESTS ?= 20000
LOAD_CONNS    ?= 64
loadtest: static ## 20,000 requests over 64 connections to posterity serve on loopback; writes its section of BENCHMARKS.md
	$(GO) test -count=1 -run '^TestServeLoad$$' -timeout 20m -v ./server/ -args \
		-load.requests $(LOAD_REQUESTS) -load.conns $(LOAD_CONNS) -load.static $(abspath static) -load.report $(abspath BENCHMARKS.md)

# Every fuzz target (func Fuzz… in a _test.go file) for FUZZ_TIME each, after
# its seed corpus and testdata/fuzz regressions; CI runs it after make test.
# A finding fails the run and is written to the package's testdata/fuzz/.
FUZZ_TIME ?= 6s
fuzz-short: ## run each fuzz target briefly (FUZZ_TIME=6s each), as CI does
	@set -e; for d in $$(grep -rl --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$d/*_test.go | cut -d' ' -f2); do \
			echo "fuzz $$d $$f for $(FUZZ_TIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZ_TIME) $$d/; \
		done; \
	done

clean: ## remove build outputs (not the committed model)
	rm -rf bin build static/web/backbone.pstb static/web/imagenet.pstb static/web/*.wasm static/web/worker.js static/web/wasm_exec.js

FORCE:
