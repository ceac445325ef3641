//go:build goexperiment.simd && wasm && !wasmkernels

package kernels

import "simd/archsimd"

// The GEMM on SIMD128 through simd/archsimd. The weights are packed
// (Prepare) in blocks of 8 output channels, for each input channel k the
// block's 8 W[m][k] as int16, so one 128-bit load feeds
// i32x4.extmul_{low,high}_i16x8_s against a splat of x[k]. Register
// blocking: 4 pixels × 8 channels, eight Int32x4 accumulators (Go's wasm
// back end has 16 vector registers); weight block outer, pixels inner, so
// a block's weights (16·K bytes) stay in cache. Results are requantized
// and narrowed in registers (requant4, narrow16).

// gemmKernel names this build's GEMM, for SIMD.
const gemmKernel = "simd/archsimd"

// packGemm lays out weights w(m, k) (M outputs × K inputs) in blocks of 8
// output channels (the last one zero padded), K padded to Ke = evenK(K)
// with zeros: value (m, k) is at ((m/8)·Ke + k)·8 + m%8.
func packGemm(M, K int, w func(m, k int) int8) *packed {
	Ke := evenK(K)
	nb := (M + 7) / 8
	out := make([]int16, nb*Ke*8)
	for m := 0; m < M; m++ {
		for k := 0; k < K; k++ {
			out[((m/8)*Ke+k)*8+m%8] = int16(w(m, k))
		}
	}
	return &packed{w: out, k: Ke}
}

// gemm computes dst[P×M] from the widened inputs xs (P rounded up to 4
// rows of evenK) and the packed weights.
func gemm(dst []uint8, xs []int16, P, M int, pk *packed, yzp int32, _ *Scratch) {
	K := pk.k
	q := newRQ4(yzp)
	for m0 := 0; m0 < M; m0 += 8 {
		w := pk.w[m0*K : (m0+8)*K]
		b0 := archsimd.LoadInt32x4(pk.bias[m0 : m0+4])
		b1 := archsimd.LoadInt32x4(pk.bias[m0+4 : m0+8])
		mu0 := archsimd.LoadFloat32x4(pk.mult[m0 : m0+4])
		mu1 := archsimd.LoadFloat32x4(pk.mult[m0+4 : m0+8])
		mn := min(8, M-m0)
		for p0 := 0; p0 < P; p0 += 4 {
			x0 := xs[p0*K : (p0+1)*K]
			x1 := xs[(p0+1)*K : (p0+2)*K][:len(x0)]
			x2 := xs[(p0+2)*K : (p0+3)*K][:len(x0)]
			x3 := xs[(p0+3)*K : (p0+4)*K][:len(x0)]
			a0l, a0h, a1l, a1h := b0, b1, b0, b1
			a2l, a2h, a3l, a3h := b0, b1, b0, b1
			for k := range x0 {
				wv := archsimd.LoadInt16x8(w[k*8 : k*8+8])
				v := archsimd.BroadcastInt16x8(x0[k])
				a0l = a0l.Add(v.MulWidenLo(wv))
				a0h = a0h.Add(v.MulWidenHi(wv))
				v = archsimd.BroadcastInt16x8(x1[k])
				a1l = a1l.Add(v.MulWidenLo(wv))
				a1h = a1h.Add(v.MulWidenHi(wv))
				v = archsimd.BroadcastInt16x8(x2[k])
				a2l = a2l.Add(v.MulWidenLo(wv))
				a2h = a2h.Add(v.MulWidenHi(wv))
				v = archsimd.BroadcastInt16x8(x3[k])
				a3l = a3l.Add(v.MulWidenLo(wv))
				a3h = a3h.Add(v.MulWidenHi(wv))
			}
			r01 := narrow16(requant4(a0l, mu0, &q), requant4(a0h, mu1, &q), requant4(a1l, mu0, &q), requant4(a1h, mu1, &q))
			r23 := narrow16(requant4(a2l, mu0, &q), requant4(a2h, mu1, &q), requant4(a3l, mu0, &q), requant4(a3h, mu1, &q))
			out := dst[p0*M+m0:]
			if mn == 8 && p0+4 <= P {
				store8x2(out, out[M:], r01)
				store8x2(out[2*M:], out[3*M:], r23)
				continue
			}
			var t [32]uint8 // a partial block: 8 channels × 4 pixels
			r01.Store(t[:16])
			r23.Store(t[16:])
			for i := 0; i < 4 && p0+i < P; i++ {
				copy(out[i*M:i*M+mn], t[i*8:])
			}
		}
	}
}
