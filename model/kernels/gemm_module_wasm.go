//go:build goexperiment.simd && wasm && wasmkernels

package kernels

import (
	"runtime"
	"unsafe"
)

// With the wasmkernels tag the GEMM runs in the generated module
// wasmkern/kernels.wasm (see its package doc: why, and the JS glue the
// host needs). Its kernel multiplies with i32x4.dot_i16x8_s, so the
// weights are packed in pairs: blocks of 8 output channels; block b, input
// pair kk, channel j, half h at int16 index (b·k2 + kk)·16 + 2j + h, k2 =
// Ke/2.

// gemmKernel names this build's GEMM, for SIMD.
const gemmKernel = "wasmkern module"

//go:wasmimport posterity_kernels gemm
//go:noescape
func moduleGemm(dst, xs unsafe.Pointer, P, M int32, w, bias, mult unsafe.Pointer, k2, yzp int32)

// packGemm lays out weights w(m, k) (M outputs × K inputs) for the
// module's GEMM, K padded to Ke = evenK(K) and M to a multiple of 8 with
// zeros.
func packGemm(M, K int, w func(m, k int) int8) *packed {
	Ke := evenK(K)
	k2 := Ke / 2
	nb := (M + 7) / 8
	out := make([]int16, nb*k2*16)
	for m := 0; m < M; m++ {
		for k := 0; k < K; k++ {
			out[((m/8)*k2+k/2)*16+2*(m%8)+k%2] = int16(w(m, k))
		}
	}
	return &packed{w: out, k: Ke}
}

// gemm computes dst[P×M] from the widened inputs xs (P rounded up to 4
// rows of evenK) and the packed weights, in the module. The module stores
// whole blocks of 8 channels; for an M that is not a multiple of 8 (not in
// MobileNetV2) it writes to a scratch matrix first.
func gemm(dst []uint8, xs []int16, P, M int, pk *packed, yzp int32, s *Scratch) {
	_ = xs[(P+pwRows-1)/pwRows*pwRows*pk.k-1]
	_ = pk.bias[(M+7)&^7-1]
	out, M8 := dst, (M+7)&^7
	if M8 != M {
		out = s.byteBuf(P * M8)
	}
	_ = out[P*M8-1]
	moduleGemm(unsafe.Pointer(&out[0]), unsafe.Pointer(&xs[0]), int32(P), int32(M8),
		unsafe.Pointer(&pk.w[0]), unsafe.Pointer(&pk.bias[0]), unsafe.Pointer(&pk.mult[0]),
		int32(pk.k/2), yzp)
	runtime.KeepAlive(xs)
	runtime.KeepAlive(pk)
	if M8 != M {
		for p := 0; p < P; p++ {
			copy(dst[p*M:(p+1)*M], out[p*M8:])
		}
	}
}
