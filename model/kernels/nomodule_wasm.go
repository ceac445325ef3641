//go:build goexperiment.simd && wasm && !wasmkernels

package kernels

// Without the wasmkernels tag there is no module: depthwise runs dwRow.

func packDepthwiseModule(c *Conv, pk *packed) {}

func dwRowModule(out []uint8, rows *[3][]uint8, zpRow []uint8, W, C, st int, pk *packed, yzp int32) bool {
	return false
}
