//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// Depthwise 3×3 convolution on NHWC (H×W×C in, OH×OW×C out): channels are
// contiguous, so the kernel vectorises across them, 16 channels per
// Int32x16 (AVX-512) or two Int32x8 (AVX2): for each of the 9 taps, load
// 16 input bytes, zero-extend to int32 (VPMOVZXBD), multiply by the tap's
// int32 weights (VPMULLD) and add. Products are exact in int32.
//
// The input zero point is folded into the bias at Prepare:
//
//	bias[c] + Σ_taps (x−zp)·w = (bias[c] − zp·Σ_t w[t][c]) + Σ_taps x·w
//
// which holds when a tap outside the image reads the value zp (its term
// then cancels), so border taps read from a row of zp bytes instead of
// being skipped: every output pixel runs the same straight-line code, and
// the subtraction per tap disappears.

// packDepthwise builds the depthwise layout: the weights as int32, 9 rows
// (taps, ky·3+kx) of C rounded up to 16, and the folded bias.
func packDepthwise(c *Conv) *packed {
	C := c.M
	c16 := (C + 15) &^ 15
	w := make([]int32, 9*c16)
	bias := make([]int32, c16)
	for ch := 0; ch < C; ch++ {
		var sum int32
		for t := 0; t < 9; t++ {
			v := int32(c.W[t*C+ch])
			w[t*c16+ch] = v
			sum += v
		}
		bias[ch] = c.Bias[ch] - c.XZP*sum
	}
	return &packed{dw: w, c16: c16, bias: bias}
}

// depthwiseSIMD computes DepthwiseRef (see the comment above).
func depthwiseSIMD(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	C, st := c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	zpRow := s.byteBuf(C)
	for i := range zpRow {
		zpRow[i] = uint8(c.XZP)
	}
	var taps [9][]uint8
	q16, q8 := newRQ16(c.YZP), newRQ8(c.YZP)
	for oy := 0; oy < OH; oy++ {
		for ox := 0; ox < OW; ox++ {
			for ky := 0; ky < 3; ky++ {
				iy := oy*st - 1 + ky
				for kx := 0; kx < 3; kx++ {
					ix := ox*st - 1 + kx
					if iy < 0 || iy >= H || ix < 0 || ix >= W {
						taps[ky*3+kx] = zpRow
					} else {
						taps[ky*3+kx] = src[(iy*W+ix)*C : (iy*W+ix+1)*C]
					}
				}
			}
			out := dst[(oy*OW+ox)*C : (oy*OW+ox+1)*C]
			if haveAVX512 {
				dwPixel512(out, &taps, c.packed, c.Mult, &q16)
			} else {
				dwPixel256(out, &taps, c.packed, c.Mult, &q8)
			}
		}
	}
}

// dwPixel512 computes one output pixel's C channels from its 9 tap rows
// (each C bytes), 16 channels at a time.
func dwPixel512(out []uint8, taps *[9][]uint8, pk *packed, mult []float32, q *rq16) {
	C, c16 := len(out), pk.c16
	w := pk.dw[:9*c16]
	for c := 0; c < C; c += 16 {
		acc := archsimd.LoadInt32x16(pk.bias[c : c+16])
		for t := 0; t < 9; t++ {
			var x archsimd.Uint8x16
			if c+16 <= C {
				x = archsimd.LoadUint8x16(taps[t][c : c+16])
			} else {
				x, _ = archsimd.LoadUint8x16Part(taps[t][c:C])
			}
			acc = acc.Add(x.ExtendToUint32().BitsToInt32().Mul(archsimd.LoadInt32x16(w[t*c16+c : t*c16+c+16])))
		}
		var m archsimd.Float32x16
		if c+16 <= C {
			m = archsimd.LoadFloat32x16(mult[c : c+16])
		} else {
			m, _ = archsimd.LoadFloat32x16Part(mult[c:C])
		}
		store16(out[c:], requant16(acc, m, q), min(16, C-c))
	}
}

// dwPixel256 is dwPixel512 on AVX2: 8 channels per vector.
func dwPixel256(out []uint8, taps *[9][]uint8, pk *packed, mult []float32, q *rq8) {
	C, c16 := len(out), pk.c16
	w := pk.dw[:9*c16]
	for c := 0; c < C; c += 8 {
		acc := archsimd.LoadInt32x8(pk.bias[c : c+8])
		for t := 0; t < 9; t++ {
			var x archsimd.Uint8x16
			if c+16 <= C {
				x = archsimd.LoadUint8x16(taps[t][c : c+16])
			} else {
				x, _ = archsimd.LoadUint8x16Part(taps[t][c:C])
			}
			acc = acc.Add(x.ExtendLo8ToUint32().BitsToInt32().Mul(archsimd.LoadInt32x8(w[t*c16+c : t*c16+c+8])))
		}
		var m archsimd.Float32x8
		if c+8 <= C {
			m = archsimd.LoadFloat32x8(mult[c : c+8])
		} else {
			m, _ = archsimd.LoadFloat32x8Part(mult[c:C])
		}
		storeBytes8(out[c:], requant8(acc, m, q), min(8, C-c))
	}
}
