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

.PHONY: help model build test test-native test-wasm vet train experiments eval bench run serve clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN): FORCE
	$(SIMD) $(GO) build -o $(BIN) ./server

build: $(BIN) ## build the posterity command (with the SIMD kernels)

model: $(BIN) ## obtain and verify the MobileNetV2 backbone, write static/web/backbone.pstb
	$(BIN) model --shared $(SHARED)/models --out static/web/backbone.pstb

vet: ## go vet, with and without the SIMD experiment, and for wasm
	$(GO) vet ./...
	$(SIMD) $(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet $(WASM_PKGS)

test-native: ## the native tests, plain-Go kernels and SIMD kernels
	$(GO) test ./...
	$(SIMD) $(GO) test ./...

test-wasm: ## the engine's tests under GOOS=js GOARCH=wasm in node
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(GO) test $(WASM_PKGS)
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(SIMD) $(GO) test ./model/kernels/ ./model/mobilenet/

test: vet test-native test-wasm ## everything CI runs: vet, native and wasm tests

train: model ## train the genre head on $(DATA), write static/web/head.bin and training/report.html
	$(BIN) train --data $(DATA) --out static/web/head.bin --report training/report.html

experiments: model ## train the README's ablations on the same split; prints the table, writes training/experiments.html
	$(BIN) train --data $(DATA) --out build/experiments-head.bin --report training/experiments.html \
		--experiments softf1,bce+softf1,hidden256,hidden2048,dropout0,dropout0.5,classweight,decay,flip,crop,pad

eval: model ## evaluate static/web/head.bin on $(DATA)'s validation split
	$(BIN) eval --data $(DATA)

bench: ## backbone forward-pass benchmarks, native (1 and 2 goroutines) and wasm
	$(SIMD) $(GO) test -run '^$$' -bench Features/optimised -benchtime 30x -count 5 ./model/mobilenet/
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(SIMD) $(GO) test -run '^$$' -bench 'Features/optimised/goroutines=1' -benchtime 10x -count 3 ./model/mobilenet/

run: model ## build and serve the web app (lands with the web issue)
	$(BIN) serve

clean: ## remove build outputs (not the committed model)
	rm -rf bin static/web/backbone.pstb

FORCE:
