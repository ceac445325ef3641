// Runs a Go js/wasm binary built with the wasmkernels tag under node, with
// its posterity_kernels imports forwarded to kernels.wasm: the same glue a
// page or worker needs (see wasmkern.go). Use it as the test runner:
//
//	GOOS=js GOARCH=wasm GOEXPERIMENT=simd go test -tags wasmkernels \
//	    -exec "$PWD/model/kernels/wasmkern/exec_node.sh" ./model/kernels/ ./model/mobilenet/
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

globalThis.require = require;
globalThis.fs = fs;
globalThis.path = path;
globalThis.TextEncoder = require("util").TextEncoder;
globalThis.TextDecoder = require("util").TextDecoder;
globalThis.performance ??= require("performance");
globalThis.crypto ??= require("crypto");

const goroot = process.env.GOROOT || execFileSync("go", ["env", "GOROOT"]).toString().trim();
require(path.join(goroot, "lib", "wasm", "wasm_exec.js"));

const go = new Go();
go.argv = process.argv.slice(2);
go.env = Object.assign({ TMPDIR: require("os").tmpdir() }, process.env);
go.exit = process.exit;

let kern; // the kernel module's instance, created once Go's memory exists
go.importObject.posterity_kernels = new Proxy({}, { get: (_, f) => (...a) => kern.exports[f](...a) });

const kernels = new WebAssembly.Module(fs.readFileSync(path.join(__dirname, "kernels.wasm")));
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then((result) => {
	kern = new WebAssembly.Instance(kernels, { go: { mem: result.instance.exports.mem } });
	process.on("exit", (code) => {
		if (code === 0 && !go.exited) {
			go._pendingEvent = { id: 0 };
			go._resume();
		}
	});
	return go.run(result.instance);
}).catch((err) => {
	console.error(err);
	process.exit(1);
});
