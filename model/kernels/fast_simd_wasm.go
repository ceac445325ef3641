//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

// packed is the pointwise weights in the layout of the wasm kernel: blocks
// of 8 output channels; within a block, for each input channel k, the 8
// channels' W[m][k] as int16, so one 128-bit load feeds i32x4.extmul
// against a broadcast input value.
type packed struct {
	w    []int16
	nblk int // ⌈M/8⌉
}

// SIMD reports which optimised pointwise kernel this build uses.
func SIMD() string { return "wasm SIMD128 (simd/archsimd)" }

// Prepare builds the optimised kernels' weight layout.
func (c *Conv) Prepare() {
	if c.Kind != Pointwise {
		return
	}
	nblk := (c.M + 7) / 8
	w := make([]int16, nblk*c.K*8)
	for m := 0; m < c.M; m++ {
		for k := 0; k < c.K; k++ {
			w[((m/8)*c.K+k)*8+m%8] = int16(c.W[m*c.K+k])
		}
	}
	c.packed = &packed{w: w, nblk: nblk}
}

// runSIMD runs c with its SIMD kernel and reports whether it had one.
func (c *Conv) runSIMD(dst, src []uint8, H, W int, s *Scratch) bool {
	if c.packed == nil || c.Kind != Pointwise {
		return false
	}
	pointwiseFast(dst, src, H*W, c, s)
	return true
}

// pointwiseFast computes PointwiseRef with wasm SIMD128: 4 pixels × 8
// output channels per step, eight i32x4 accumulators; each weight vector
// is loaded once and reused across the 4 pixels. wasm SIMD has no 16-bit
// pair dot product in archsimd, so products are widened with extmul
// low/high (exact: |x−zp| ≤ 255, |w| ≤ 128).
func pointwiseFast(dst, src []uint8, P int, c *Conv, s *Scratch) {
	pk := c.packed
	K, M := c.K, c.M
	xs := s.int16Buf(4 * K)
	acc := s.accBuf(4 * 8)
	zp := c.XZP
	for p0 := 0; p0 < P; p0 += 4 {
		n := min(4, P-p0)
		for i := 0; i < 4; i++ {
			row := xs[i*K : (i+1)*K]
			if i >= n {
				clear(row)
				continue
			}
			x := src[(p0+i)*K : (p0+i+1)*K]
			for k, v := range x {
				row[k] = int16(int32(v) - zp)
			}
		}
		x0, x1, x2, x3 := xs[:K], xs[K:2*K], xs[2*K:3*K], xs[3*K:4*K]
		for b := 0; b < pk.nblk; b++ {
			w := pk.w[b*K*8 : (b+1)*K*8]
			var a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h archsimd.Int32x4
			for k := 0; k < K; k++ {
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
			a0l.Store(acc[0:4])
			a0h.Store(acc[4:8])
			a1l.Store(acc[8:12])
			a1h.Store(acc[12:16])
			a2l.Store(acc[16:20])
			a2h.Store(acc[20:24])
			a3l.Store(acc[24:28])
			a3h.Store(acc[28:32])
			m0 := b * 8
			mn := min(8, M-m0)
			for i := 0; i < n; i++ {
				out := dst[(p0+i)*M+m0 : (p0+i)*M+m0+mn]
				a := acc[i*8 : i*8+mn]
				for j := range out {
					out[j] = Requantize(a[j]+c.Bias[m0+j], c.Mult[m0+j], c.YZP)
				}
			}
		}
	}
}

func addFast(dst, a, b []uint8, p AddParams) { AddRef(dst, a, b, p) }

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	QuantizeRef(dst, src, C, H, W, scale, zp)
}
