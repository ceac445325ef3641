//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// packed is the pointwise weights in the layout of pointwiseAVX2: blocks
// of 16 output channels; within a block, for each pair of input channels
// (k, k+1), the 16 channels' (W[m][k], W[m][k+1]) as int16 pairs. One
// 256-bit load then holds 8 channels' pairs, ready for VPMADDWD against a
// broadcast (x[k]−zp, x[k+1]−zp) pair, and a block's weights are read
// front to back.
type packed struct {
	w    []int16
	k2   int // (K+1)/2 input-channel pairs
	nblk int // ⌈M/16⌉ blocks of 16 output channels
}

var haveAVX2 = archsimd.X86.AVX2()

// SIMD reports which optimised pointwise kernel this build uses.
func SIMD() string {
	if haveAVX2 {
		return "amd64 AVX2 (simd/archsimd)"
	}
	return "none (CPU lacks AVX2)"
}

// Prepare builds the optimised kernels' weight layout.
func (c *Conv) Prepare() {
	if c.Kind != Pointwise || !haveAVX2 {
		return
	}
	k2 := (c.K + 1) / 2
	nblk := (c.M + 15) / 16
	w := make([]int16, nblk*k2*32)
	for m := 0; m < c.M; m++ {
		blk, lane := m/16, m%16
		for k := 0; k < c.K; k++ {
			w[(blk*k2+k/2)*32+lane*2+k%2] = int16(c.W[m*c.K+k])
		}
	}
	c.packed = &packed{w: w, k2: k2, nblk: nblk}
}

// pointwiseFast computes PointwiseRef with AVX2: 4 pixels × 16 output
// channels per step, eight Int32x8 accumulators held in registers; each
// step loads two weight vectors and reuses each across the 4 pixels, and
// each broadcast input pair across 16 channels. int16 products summed in
// int32 pairs (VPMADDWD) are exact: |x−zp| ≤ 255, |w| ≤ 128.
func pointwiseFast(dst, src []uint8, P int, c *Conv, s *Scratch) {
	pk := c.packed
	K, M, k2 := c.K, c.M, pk.k2
	xs := s.pairBuf(4 * k2)
	acc := s.accBuf(4 * 16)
	zp := c.XZP
	for p0 := 0; p0 < P; p0 += 4 {
		n := min(4, P-p0)
		for i := 0; i < 4; i++ {
			row := xs[i*k2 : (i+1)*k2]
			if i >= n {
				clear(row)
				continue
			}
			packPairs(row, src[(p0+i)*K:(p0+i+1)*K], zp)
		}
		x0, x1, x2, x3 := xs[:k2], xs[k2:2*k2], xs[2*k2:3*k2], xs[3*k2:4*k2]
		for b := 0; b < pk.nblk; b++ {
			w := pk.w[b*k2*32 : (b+1)*k2*32]
			var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Int32x8
			for kk := 0; kk < k2; kk++ {
				wv := w[kk*32 : kk*32+32]
				w0 := archsimd.LoadInt16x16(wv[:16])
				w1 := archsimd.LoadInt16x16(wv[16:])
				v := archsimd.BroadcastInt32x8(int32(x0[kk])).AsInt16x16()
				a00 = a00.Add(v.DotProductPairs(w0))
				a01 = a01.Add(v.DotProductPairs(w1))
				v = archsimd.BroadcastInt32x8(int32(x1[kk])).AsInt16x16()
				a10 = a10.Add(v.DotProductPairs(w0))
				a11 = a11.Add(v.DotProductPairs(w1))
				v = archsimd.BroadcastInt32x8(int32(x2[kk])).AsInt16x16()
				a20 = a20.Add(v.DotProductPairs(w0))
				a21 = a21.Add(v.DotProductPairs(w1))
				v = archsimd.BroadcastInt32x8(int32(x3[kk])).AsInt16x16()
				a30 = a30.Add(v.DotProductPairs(w0))
				a31 = a31.Add(v.DotProductPairs(w1))
			}
			a00.Store(acc[0:8])
			a01.Store(acc[8:16])
			a10.Store(acc[16:24])
			a11.Store(acc[24:32])
			a20.Store(acc[32:40])
			a21.Store(acc[40:48])
			a30.Store(acc[48:56])
			a31.Store(acc[56:64])
			m0 := b * 16
			mn := min(16, M-m0)
			for i := 0; i < n; i++ {
				out := dst[(p0+i)*M+m0 : (p0+i)*M+m0+mn]
				a := acc[i*16 : i*16+mn]
				for j := range out {
					out[j] = Requantize(a[j]+c.Bias[m0+j], c.Mult[m0+j], c.YZP)
				}
			}
		}
	}
}

// packPairs writes (x[2i]−zp, x[2i+1]−zp) as two int16 halves of one
// uint32, low half first, so that a broadcast of it is the VPMADDWD operand.
func packPairs(dst []uint32, x []uint8, zp int32) {
	k := len(x)
	for i := range dst {
		lo := int32(x[2*i]) - zp
		var hi int32
		if 2*i+1 < k {
			hi = int32(x[2*i+1]) - zp
		}
		dst[i] = uint32(uint16(int16(lo))) | uint32(uint16(int16(hi)))<<16
	}
}

func addFast(dst, a, b []uint8, p AddParams) { AddRef(dst, a, b, p) }

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	QuantizeRef(dst, src, C, H, W, scale, zp)
}
