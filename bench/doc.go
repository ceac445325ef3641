// Command bench is "make bench": it measures Posterity's engine side by side
// with ONNX Runtime, in the same run, on this machine, and writes
// BENCHMARKS.md (issue #5). Every number is a median over rounds in which the
// anchor and our engine alternate, because the machine (2 shared cores) is
// noisy; ratios are quoted, not absolute times alone.
//
// What it measures:
//
//  1. Browser, per poster, one worker, headless Chromium (/usr/bin/chromium):
//     Posterity's engine with 224×224 pixels in hand (preprocess + backbone +
//     head, timed inside the worker) and end to end from the file's bytes
//     through the app's own wasm/worker.js (Go decode, its default, and
//     browser decode); onnxruntime-web 1.30 (wasm SIMD, 1 and 2 threads) on
//     mobilenetv2-12-int8.onnx and on a float32 copy of it (package onnxf32);
//     and the per-stage breakdown (decode, preprocess, backbone, head) from a
//     build of the worker with -tags benchstages (wasm/bench_stages.go). Every
//     engine classifies the same poster in a round; the order rotates.
//  2. Native throughput, posters/s on 1 and 2 cores: the engine in this
//     process (built with GOEXPERIMENT=simd) against onnxruntime-node 1.30
//     (intraOpNumThreads 1 and 2, and two 1-thread sessions at once).
//  3. The bytes of a first visit, as the server sends them (gzip), until the
//     first result is on screen, and of a repeat visit; against the gzip of
//     ORT-web's runtime (.mjs + .wasm) plus the model.
//  4. The worker's memory after 10 and after 1,000 classifications.
//
// Which engine builds: "shipped" is static/web exactly as "make static" left
// it (a snapshot is taken at start); the Makefile's bench target also builds
// two labelled bench copies of classifier.wasm into build/bench/engines:
// "plain" (the Makefile's default flags) and "wasmkernels" (-tags
// wasmkernels, with model/kernels/wasmkern/kernels.wasm), both with the
// benchstages hook. The shipped build is the one the TARGET lines judge.
//
// The anchors come from npm (bench/package.json, installed by make into
// bench/node_modules, never committed); the model from ../shared/models,
// checked against its sha256. The harness's page and workers are in
// harness/ and are served by a small server on 127.0.0.1 with
// Cross-Origin-Opener-Policy same-origin and Cross-Origin-Embedder-Policy
// require-corp, which ORT's threads (SharedArrayBuffer) and
// performance.measureUserAgentSpecificMemory need.
//
// The output ends with one line per target of issue #5:
//
//	TARGET <name> <measured> <goal> PASS|MISS
//
// There are no timed assertions in any test; this command only reports.
package main
