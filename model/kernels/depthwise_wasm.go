//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

// Depthwise 3×3 convolution on NHWC with wasm SIMD128, 16 channels per
// step: a tap's 16 input bytes are widened to two Int16x8 (x, not x−zp)
// and multiplied by the tap's int16 weights with extmul into four Int32x4
// accumulators. As on amd64 the input zero point is folded into the bias
// (bias − zp·Σ_t w), border taps read the zero point, and the loop runs by
// output rows with the channel groups outer.

// packDepthwise builds the depthwise layout: the weights as int16, 9 rows
// (taps, ky·3+kx) of C rounded up to 16, and the folded bias.
func packDepthwise(c *Conv) *packed {
	C := c.M
	c16 := (C + 15) &^ 15
	w := make([]int16, 9*c16)
	bias := make([]int32, c16)
	for ch := 0; ch < C; ch++ {
		var sum int32
		for t := 0; t < 9; t++ {
			v := int32(c.W[t*C+ch])
			w[t*c16+ch] = int16(v)
			sum += v
		}
		bias[ch] = c.Bias[ch] - c.XZP*sum
	}
	pk := &packed{dw: w, c16: c16, bias: bias}
	packDepthwiseModule(c, pk)
	return pk
}

// depthwiseSIMD computes DepthwiseRef.
func depthwiseSIMD(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	C, st := c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	// A row of zero points stands for the rows outside the image; the
	// padding past C lets the last channel group load 16 bytes.
	zpRow := s.byteBuf(W*C + 16)
	for i := range zpRow {
		zpRow[i] = uint8(c.XZP)
	}
	q := newRQ4(c.YZP)
	var rows [3][]uint8
	for oy := 0; oy < OH; oy++ {
		for ky := range rows {
			iy := oy*st - 1 + ky
			if iy < 0 || iy >= H {
				rows[ky] = zpRow[:W*C]
			} else {
				rows[ky] = src[iy*W*C : (iy+1)*W*C]
			}
		}
		out := dst[oy*OW*C : (oy+1)*OW*C]
		if !dwRowModule(out, &rows, zpRow, W, C, st, c.packed, c.YZP) {
			dwRow(out, &rows, W, C, st, c.XZP, c.packed, &q)
		}
	}
}

// tap16 loads 16 bytes of r at o (fewer at the end of r, zero filled) as
// two Int16x8.
func tap16(r []uint8, o int) (archsimd.Int16x8, archsimd.Int16x8) {
	var v archsimd.Uint8x16
	if o+16 <= len(r) {
		v = archsimd.LoadUint8x16(r[o : o+16])
	} else {
		v, _ = archsimd.LoadUint8x16Part(r[o:])
	}
	return v.ExtendLo8ToUint16().BitsToInt16(), v.ExtendHi8ToUint16().BitsToInt16()
}

// dwRow computes one output row (OW pixels × C channels) from its three
// input rows (W×C bytes each).
func dwRow(out []uint8, rows *[3][]uint8, W, C, st int, xzp int32, pk *packed, q *rq4) {
	OW := len(out) / C
	c16 := pk.c16
	w := pk.dw[:9*c16]
	zx := archsimd.BroadcastInt16x8(int16(xzp))
	for c := 0; c < C; c += 16 {
		b0 := archsimd.LoadInt32x4(pk.bias[c : c+4])
		b1 := archsimd.LoadInt32x4(pk.bias[c+4 : c+8])
		b2 := archsimd.LoadInt32x4(pk.bias[c+8 : c+12])
		b3 := archsimd.LoadInt32x4(pk.bias[c+12 : c+16])
		mu0 := archsimd.LoadFloat32x4(pk.mult[c : c+4])
		mu1 := archsimd.LoadFloat32x4(pk.mult[c+4 : c+8])
		mu2 := archsimd.LoadFloat32x4(pk.mult[c+8 : c+12])
		mu3 := archsimd.LoadFloat32x4(pk.mult[c+12 : c+16])
		n := min(16, C-c)
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			a0, a1, a2, a3 := b0, b1, b2, b3
			for kx := 0; kx < 3; kx++ {
				ix := ix0 + kx
				for ky, r := range rows {
					xl, xh := zx, zx
					if ix >= 0 && ix < W {
						xl, xh = tap16(r, ix*C+c)
					}
					t := (ky*3 + kx) * c16
					wl := archsimd.LoadInt16x8(w[t+c : t+c+8])
					wh := archsimd.LoadInt16x8(w[t+c+8 : t+c+16])
					a0 = a0.Add(xl.MulWidenLo(wl))
					a1 = a1.Add(xl.MulWidenHi(wl))
					a2 = a2.Add(xh.MulWidenLo(wh))
					a3 = a3.Add(xh.MulWidenHi(wh))
				}
			}
			v := narrow16(requant4(a0, mu0, q), requant4(a1, mu1, q), requant4(a2, mu2, q), requant4(a3, mu3, q))
			storeN(out[ox*C+c:], v, n)
		}
	}
}
