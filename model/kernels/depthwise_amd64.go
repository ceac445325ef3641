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
	pk := &packed{dw: w, c16: c16, bias: bias}
	packDepthwisePairs(c, pk)
	return pk
}

// packDepthwisePairs builds the layout of the 32-channel groups of
// dwRow512Pairs (the first C&^31 channels): per group, for each tap pair
// q of (0,1) (2,3) (4,5) (6,7) (8,–), two Int16x32 weight vectors matching
// VPUNPCKLWD/VPUNPCKHWD of the two taps' inputs: in the "lo" vector,
// 128-bit lane g holds (w_a, w_b) of channels 8g..8g+3, in "hi" of
// 8g+4..8g+7. The folded bias and the multipliers are permuted the same
// way (lane 4g+j of lo is channel 8g+j, of hi 8g+4+j).
func packDepthwisePairs(c *Conv, pk *packed) {
	C := c.M
	ng := C / 32
	pairs := [5][2]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, -1}}
	pk.dwp = make([]int16, ng*320)
	pk.dwpBias = make([]int32, ng*32)
	pk.dwpMult = make([]float32, ng*32)
	for ch := 0; ch < ng*32; ch++ {
		G, r := ch/32, ch%32
		g, half, j := r/8, (r%8)/4, r%4
		for q, pr := range pairs {
			i := G*320 + q*64 + half*32 + g*8 + 2*j
			pk.dwp[i] = int16(c.W[pr[0]*C+ch])
			if pr[1] >= 0 {
				pk.dwp[i+1] = int16(c.W[pr[1]*C+ch])
			}
		}
		pk.dwpBias[G*32+half*16+4*g+j] = pk.bias[ch]
		pk.dwpMult[G*32+half*16+4*g+j] = c.Mult[ch]
	}
}

// depthwiseSIMD computes DepthwiseRef (see the comment above).
func depthwiseSIMD(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	C, st := c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	zpRow := s.byteBuf(W * C)
	for i := range zpRow {
		zpRow[i] = uint8(c.XZP)
	}
	q16, q8 := newRQ16(c.YZP), newRQ8(c.YZP)
	var rows [3][]uint8
	var taps [9][]uint8
	for oy := 0; oy < OH; oy++ {
		for ky := range rows {
			iy := oy*st - 1 + ky
			if iy < 0 || iy >= H {
				rows[ky] = zpRow
			} else {
				rows[ky] = src[iy*W*C : (iy+1)*W*C]
			}
		}
		out := dst[oy*OW*C : (oy+1)*OW*C]
		if haveAVX512 {
			dwRow512(out, &rows, W, C, st, c.XZP, c.packed, c.Mult, &q16)
			continue
		}
		for ox := 0; ox < OW; ox++ {
			for ky := 0; ky < 3; ky++ {
				for kx := 0; kx < 3; kx++ {
					ix := ox*st - 1 + kx
					if ix < 0 || ix >= W {
						taps[ky*3+kx] = zpRow[:C]
					} else {
						taps[ky*3+kx] = rows[ky][ix*C : (ix+1)*C]
					}
				}
			}
			dwPixel256(out[ox*C:(ox+1)*C], &taps, c.packed, c.Mult, &q8)
		}
	}
}

// ld16 loads 16 bytes of r at o, zero-extended to int32 lanes.
func ld16(r []uint8, o int) archsimd.Int32x16 {
	return archsimd.LoadUint8x16(r[o : o+16]).ExtendToUint32().BitsToInt32()
}

// dwRow512 computes one output row (OW pixels × C channels) from its three
// input rows (W×C bytes each; a row of zero points outside the image).
// Channel groups of 16 are the outer loop, so the group's 9 weight
// vectors, bias and multiplier stay in registers along the row; interior
// pixels need no border test per tap, and the first and last pixel use
// the zero point in registers for their taps outside the image.
func dwRow512(out []uint8, rows *[3][]uint8, W, C, st int, xzp int32, pk *packed, mult []float32, q *rq16) {
	OW := len(out) / C
	c16 := pk.c16
	w := pk.dw[:9*c16]
	r0, r1, r2 := rows[0], rows[1], rows[2]
	r1, r2 = r1[:len(r0)], r2[:len(r0)]
	zx := archsimd.BroadcastInt32x16(xzp)
	c := 0
	if C >= 32 {
		c = dwRow512Pairs(out, rows, W, C, st, xzp, pk, q)
	}
	for ; c+16 <= C; c += 16 {
		w0 := archsimd.LoadInt32x16(w[0*c16+c : 0*c16+c+16])
		w1 := archsimd.LoadInt32x16(w[1*c16+c : 1*c16+c+16])
		w2 := archsimd.LoadInt32x16(w[2*c16+c : 2*c16+c+16])
		w3 := archsimd.LoadInt32x16(w[3*c16+c : 3*c16+c+16])
		w4 := archsimd.LoadInt32x16(w[4*c16+c : 4*c16+c+16])
		w5 := archsimd.LoadInt32x16(w[5*c16+c : 5*c16+c+16])
		w6 := archsimd.LoadInt32x16(w[6*c16+c : 6*c16+c+16])
		w7 := archsimd.LoadInt32x16(w[7*c16+c : 7*c16+c+16])
		w8 := archsimd.LoadInt32x16(w[8*c16+c : 8*c16+c+16])
		b := archsimd.LoadInt32x16(pk.bias[c : c+16])
		m := archsimd.LoadFloat32x16(mult[c : c+16])
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			var acc archsimd.Int32x16
			if ix0 >= 0 && ix0+2 < W {
				o := ix0*C + c
				acc = b.Add(ld16(r0, o).Mul(w0)).Add(ld16(r0, o+C).Mul(w1)).Add(ld16(r0, o+2*C).Mul(w2))
				acc = acc.Add(ld16(r1, o).Mul(w3)).Add(ld16(r1, o+C).Mul(w4)).Add(ld16(r1, o+2*C).Mul(w5))
				acc = acc.Add(ld16(r2, o).Mul(w6)).Add(ld16(r2, o+C).Mul(w7)).Add(ld16(r2, o+2*C).Mul(w8))
			} else {
				// A border pixel: taps outside the row read the zero point.
				x0, x1, x2 := zx, zx, zx
				x3, x4, x5 := zx, zx, zx
				x6, x7, x8 := zx, zx, zx
				if ix0 >= 0 {
					o := ix0*C + c
					x0, x3, x6 = ld16(r0, o), ld16(r1, o), ld16(r2, o)
				}
				if ix0+1 < W {
					o := (ix0+1)*C + c
					x1, x4, x7 = ld16(r0, o), ld16(r1, o), ld16(r2, o)
				}
				if ix0+2 < W {
					o := (ix0+2)*C + c
					x2, x5, x8 = ld16(r0, o), ld16(r1, o), ld16(r2, o)
				}
				acc = b.Add(x0.Mul(w0)).Add(x1.Mul(w1)).Add(x2.Mul(w2))
				acc = acc.Add(x3.Mul(w3)).Add(x4.Mul(w4)).Add(x5.Mul(w5))
				acc = acc.Add(x6.Mul(w6)).Add(x7.Mul(w7)).Add(x8.Mul(w8))
			}
			requant16(acc, m, q).Store(out[ox*C+c : ox*C+c+16])
		}
	}
	if c < C { // a last group of fewer than 16 channels (not in MobileNetV2)
		var taps [9][]uint8
		zpRow := make([]uint8, C-c) // test shapes only; allocation is fine here
		for i := range zpRow {
			zpRow[i] = uint8(xzp)
		}
		for ox := 0; ox < OW; ox++ {
			for ky, r := range rows {
				for kx := 0; kx < 3; kx++ {
					ix := ox*st - 1 + kx
					if ix < 0 || ix >= W {
						taps[ky*3+kx] = zpRow
					} else {
						taps[ky*3+kx] = r[ix*C+c : (ix+1)*C]
					}
				}
			}
			dwPixel512(out[ox*C+c:(ox+1)*C], &taps, c, pk, mult, q)
		}
	}
}

// ld32 loads 32 bytes of r at o, zero-extended to int16 lanes.
func ld32(r []uint8, o int) archsimd.Int16x32 {
	return archsimd.LoadUint8x32(r[o : o+32]).ExtendToUint16().BitsToInt16()
}

// requant32 is requant16 without the narrowing: int32 lanes in 0..255.
func requant32(acc archsimd.Int32x16, mult archsimd.Float32x16, q *rq16) archsimd.Int32x16 {
	f := acc.ConvertToFloat32().Mul(mult).RoundScaled(0).Max(q.lo).Min(q.hi)
	return f.ConvertToInt32().Add(q.zp)
}

// dwRow512Pairs computes the channel groups of 32 of one output row (the
// first C&^31 channels) and returns how many channels it did. Per pixel,
// two taps' 32 inputs (zero-extended to int16) are interleaved with
// VPUNPCKLWD/VPUNPCKHWD into (x_a, x_b) pairs and multiplied by the pair's
// weights with one VPMADDWD each: 5 instead of 9 multiplies per 16
// outputs, and no widening of the inputs to int32. The unpacks work within
// 128-bit lanes, so the accumulators hold channels in the order of
// packDepthwisePairs; VPACKUSDW of the two (also per 128-bit lane)
// restores the natural order, and VPMOVWB narrows to 32 bytes.
func dwRow512Pairs(out []uint8, rows *[3][]uint8, W, C, st int, xzp int32, pk *packed, q *rq16) int {
	OW := len(out) / C
	r0, r1, r2 := rows[0], rows[1], rows[2]
	r1, r2 = r1[:len(r0)], r2[:len(r0)]
	zx := archsimd.BroadcastInt16x32(int16(xzp))
	var zero archsimd.Int16x32
	c := 0
	for g := 0; c+32 <= C; c, g = c+32, g+1 {
		wv := pk.dwp[g*320 : (g+1)*320]
		w01l, w01h := archsimd.LoadInt16x32(wv[0:32]), archsimd.LoadInt16x32(wv[32:64])
		w23l, w23h := archsimd.LoadInt16x32(wv[64:96]), archsimd.LoadInt16x32(wv[96:128])
		w45l, w45h := archsimd.LoadInt16x32(wv[128:160]), archsimd.LoadInt16x32(wv[160:192])
		w67l, w67h := archsimd.LoadInt16x32(wv[192:224]), archsimd.LoadInt16x32(wv[224:256])
		w8l, w8h := archsimd.LoadInt16x32(wv[256:288]), archsimd.LoadInt16x32(wv[288:320])
		bl := archsimd.LoadInt32x16(pk.dwpBias[g*32 : g*32+16])
		bh := archsimd.LoadInt32x16(pk.dwpBias[g*32+16 : g*32+32])
		ml := archsimd.LoadFloat32x16(pk.dwpMult[g*32 : g*32+16])
		mh := archsimd.LoadFloat32x16(pk.dwpMult[g*32+16 : g*32+32])
		// acc computes the two accumulators from the 9 taps' inputs.
		acc := func(x0, x1, x2, x3, x4, x5, x6, x7, x8 archsimd.Int16x32) archsimd.Uint16x32 {
			al := bl.Add(x0.InterleaveLoGrouped(x1).DotProductPairs(w01l))
			ah := bh.Add(x0.InterleaveHiGrouped(x1).DotProductPairs(w01h))
			al = al.Add(x2.InterleaveLoGrouped(x3).DotProductPairs(w23l))
			ah = ah.Add(x2.InterleaveHiGrouped(x3).DotProductPairs(w23h))
			al = al.Add(x4.InterleaveLoGrouped(x5).DotProductPairs(w45l))
			ah = ah.Add(x4.InterleaveHiGrouped(x5).DotProductPairs(w45h))
			al = al.Add(x6.InterleaveLoGrouped(x7).DotProductPairs(w67l))
			ah = ah.Add(x6.InterleaveHiGrouped(x7).DotProductPairs(w67h))
			al = al.Add(x8.InterleaveLoGrouped(zero).DotProductPairs(w8l))
			ah = ah.Add(x8.InterleaveHiGrouped(zero).DotProductPairs(w8h))
			return requant32(al, ml, q).SaturateToUint16ConcatGrouped(requant32(ah, mh, q))
		}
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			var v archsimd.Uint16x32
			if ix0 >= 0 && ix0+2 < W {
				// Interior: the loads feed the multiplies directly (with
				// the border cases merged in, Go spills all nine inputs).
				o := ix0*C + c
				v = acc(ld32(r0, o), ld32(r0, o+C), ld32(r0, o+2*C),
					ld32(r1, o), ld32(r1, o+C), ld32(r1, o+2*C),
					ld32(r2, o), ld32(r2, o+C), ld32(r2, o+2*C))
			} else {
				x0, x1, x2 := zx, zx, zx
				x3, x4, x5 := zx, zx, zx
				x6, x7, x8 := zx, zx, zx
				if ix0 >= 0 {
					o := ix0*C + c
					x0, x3, x6 = ld32(r0, o), ld32(r1, o), ld32(r2, o)
				}
				if ix0+1 < W {
					o := (ix0+1)*C + c
					x1, x4, x7 = ld32(r0, o), ld32(r1, o), ld32(r2, o)
				}
				if ix0+2 < W {
					o := (ix0+2)*C + c
					x2, x5, x8 = ld32(r0, o), ld32(r1, o), ld32(r2, o)
				}
				v = acc(x0, x1, x2, x3, x4, x5, x6, x7, x8)
			}
			v.TruncToUint8().Store(out[ox*C+c : ox*C+c+32])
		}
	}
	return c
}

// dwPixel512 computes channels c0… of one output pixel from its 9 taps,
// each holding the channels from c0 on, 16 channels at a time.
func dwPixel512(out []uint8, taps *[9][]uint8, c0 int, pk *packed, mult []float32, q *rq16) {
	C, c16 := len(out), pk.c16
	w := pk.dw[:9*c16]
	for c := 0; c < C; c += 16 {
		acc := archsimd.LoadInt32x16(pk.bias[c0+c : c0+c+16])
		for t := 0; t < 9; t++ {
			var x archsimd.Uint8x16
			if c+16 <= C {
				x = archsimd.LoadUint8x16(taps[t][c : c+16])
			} else {
				x, _ = archsimd.LoadUint8x16Part(taps[t][c:C])
			}
			acc = acc.Add(x.ExtendToUint32().BitsToInt32().Mul(archsimd.LoadInt32x16(w[t*c16+c0+c : t*c16+c0+c+16])))
		}
		var m archsimd.Float32x16
		if c+16 <= C {
			m = archsimd.LoadFloat32x16(mult[c0+c : c0+c+16])
		} else {
			m, _ = archsimd.LoadFloat32x16Part(mult[c0+c : c0+C])
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
