//go:build goexperiment.simd && wasm && wasmkernels

package kernels

import (
	"math"
	"runtime"
	"unsafe"
)

//go:wasmimport posterity_kernels widen
//go:noescape
func moduleWiden(dst, src unsafe.Pointer, n, zp int32)

//go:wasmimport posterity_kernels quantize
//go:noescape
func moduleQuantize(dst, src unsafe.Pointer, P int32, scaleBits uint32, zp int32)

// widenModule widens the first len(x)&^15 bytes of x in the module and
// returns how many it did.
func widenModule(dst []int16, x []uint8, zp int32) int {
	n := len(x) &^ 15
	if n == 0 {
		return 0
	}
	_ = dst[n-1]
	moduleWiden(unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0]), int32(n), zp)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(x)
	return n
}

// quantizeModule quantizes the first P&^15 pixels of a 3-channel image in
// the module and returns how many it did.
func quantizeModule(dst []uint8, src []float32, P int, scale float32, zp int32) int {
	n := P &^ 15
	if n == 0 {
		return 0
	}
	_ = dst[3*P-1]
	_ = src[3*P-1]
	moduleQuantize(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), int32(P), math.Float32bits(scale), zp)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(src)
	return n
}
