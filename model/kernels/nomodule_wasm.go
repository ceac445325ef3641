//go:build goexperiment.simd && wasm && !wasmkernels

package kernels

// Without the wasmkernels tag there is no module: the kernels that would
// call it run in Go.

func packDepthwiseModule(c *Conv, pk *packed) {}

func dwRowModule(out []uint8, rows *[3][]uint8, zpRow []uint8, W, C, st int, pk *packed, yzp int32) bool {
	return false
}

func widenModule(dst []int16, x []uint8, zp int32) int { return 0 }

func quantizeModule(dst []uint8, src []float32, P int, scale float32, zp int32) int { return 0 }
