//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

// Pointwise convolution as a GEMM, dst[P×M] = src[P×K]·W[K×M] (NHWC). The
// input is widened once per layer to int16 (x−zp), K rounded up to even
// (evenK) so that inputs pair up for the module kernel; the weight of the
// padding input is 0. gemm is this build's: SIMD128 through simd/archsimd
// (gemm_simd128_wasm.go), or the generated module with the wasmkernels
// tag (gemm_module_wasm.go).

// pwRows is the pixel padding of the widened input, a multiple of the
// kernels' pixel blocks (4 in gemm_simd128_wasm.go, gemmMR in
// wasmkern/gen.go).
const pwRows = 12

// evenK is K rounded up to even: the row length of the widened input.
func evenK(K int) int { return (K + 1) &^ 1 }

// widen writes x[i]−zp as int16 into dst (len(dst) == len(x)).
func widen(dst []int16, x []uint8, zp int32) {
	n := len(x)
	dst = dst[:n]
	zpv := archsimd.BroadcastInt16x8(int16(zp))
	i := widenModule(dst, x, zp)
	for ; i+16 <= n; i += 16 {
		v := archsimd.LoadUint8x16(x[i : i+16])
		v.ExtendLo8ToUint16().BitsToInt16().Sub(zpv).Store(dst[i : i+8])
		v.ExtendHi8ToUint16().BitsToInt16().Sub(zpv).Store(dst[i+8 : i+16])
	}
	for ; i < n; i++ {
		dst[i] = int16(int32(x[i]) - zp)
	}
}

// pointwiseSIMD computes PointwiseRef.
func pointwiseSIMD(dst, src []uint8, P int, c *Conv, s *Scratch) {
	K, Ke := c.K, evenK(c.K)
	rows := (P + pwRows - 1) / pwRows * pwRows
	xs := s.int16Buf(rows * Ke)
	if K == Ke {
		widen(xs[:P*K], src[:P*K], c.XZP)
	} else {
		for p := 0; p < P; p++ {
			widen(xs[p*Ke:p*Ke+K], src[p*K:(p+1)*K], c.XZP)
			xs[p*Ke+K] = 0
		}
	}
	clear(xs[P*Ke:])
	gemm(dst, xs, P, c.M, c.packed, c.YZP, s)
}
