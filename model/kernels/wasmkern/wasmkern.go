// Package wasmkern holds kernels.wasm, a small hand-scheduled WebAssembly
// SIMD128 module with the GEMM kernel of Posterity's int8 MobileNetV2, and
// the program that generates it (gen.go; run `go generate` here after
// changing it).
//
// The module imports the Go instance's memory and works on Go slices in
// place. A Go wasm binary built with the wasmkernels tag imports its
// functions as module "posterity_kernels"; the page or worker that runs it
// forwards them to this module, created once the Go instance exists:
//
//	let kern; // set below, before go.run
//	go.importObject.posterity_kernels = new Proxy({}, {get: (_, f) => (...a) => kern.exports[f](...a)});
//	const {instance} = await WebAssembly.instantiate(goWasm, go.importObject);
//	kern = new WebAssembly.Instance(await WebAssembly.compile(kernelsWasm), {go: {mem: instance.exports.mem}});
//	go.run(instance);
//
// exec_node.js does exactly this to run the package's tests under node.
package wasmkern

import _ "embed"

//go:generate go run gen.go

// Module is the bytes of kernels.wasm, for a server to serve beside the
// engine's wasm.
//
//go:embed kernels.wasm
var Module []byte
