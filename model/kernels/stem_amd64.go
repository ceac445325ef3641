//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// The dense 3×3 convolution (the stem: K = 3 input channels, M = 32
// outputs, stride 2) as im2col + the pointwise GEMM: each output pixel's
// 3×3×K receptive field is gathered, zero point subtracted (padding as 0),
// into one row of int16 pairs, and gemm multiplies the rows by the packed
// weights, with the same exactness argument.
//
// Row layout: for each ky, the 3 pixels × K channels of input row iy are
// contiguous in NHWC (3K bytes), so a row of the patch is one load. Each
// of the three is padded to an even length ("stemRowLen", 10 for K = 3) so
// that it starts on a pair; the weights are packed in the same layout with
// zeros in the padding, which makes whatever the padding holds irrelevant.
// For K = 3 an interior pixel's gather is three 16-byte loads, widened and
// stored as 16 int16 each; the stores run 6 values past the row into the
// next one, which that row's own gather overwrites afterwards (xs has a
// little slack for the last row).

func stemRowLen(K int) int { return (3*K + 1) &^ 1 }

// packStem packs the Full3x3 weights W[M][9K] ((ky, kx, c) order) in the
// padded patch layout.
func packStem(c *Conv) *packed {
	K, rl := c.K, stemRowLen(c.K)
	return packPairs(c.M, 3*rl, func(m, k int) int8 {
		ky, j := k/rl, k%rl
		if j >= 3*K {
			return 0
		}
		return c.W[m*9*K+ky*3*K+j]
	})
}

// full3x3SIMD computes Full3x3Ref (see the comment above).
func full3x3SIMD(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	K, st := c.K, c.Stride
	OH, OW := c.OutSize(H, W)
	P := OH * OW
	pk := c.packed
	if pk.vw != nil {
		if pk.vxzp != c.XZP { // XZP changed since Prepare: the folded bias is stale
			Full3x3Ref(dst, src, H, W, c)
			return
		}
		full3x3VNNI(dst, src, H, W, c, s)
		return
	}
	k2, rl := pk.k2, stemRowLen(K)
	rows := (P + pwRows - 1) / pwRows * pwRows
	xs := s.int32Buf(rows*k2 + 8)
	zp := c.XZP
	zpv := archsimd.BroadcastInt16x16(int16(zp))
	for oy := 0; oy < OH; oy++ {
		iy0 := oy*st - 1
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			row := xs[(oy*OW+ox)*k2:]
			if stemInterior(K, iy0, ix0, H, W) {
				for ky := 0; ky < 3; ky++ {
					off := ((iy0+ky)*W + ix0) * 3
					v := patchRow(src, off)
					d := v.ExtendToUint16().BitsToInt16().Sub(zpv)
					d.ToBits().ReshapeToUint32s().BitsToInt32().Store(row[ky*5 : ky*5+8])
				}
				continue
			}
			// Border pixel, or K ≠ 3: gather value by value.
			for ky := 0; ky < 3; ky++ {
				iy := iy0 + ky
				var seg [64]int16 // one patch row: 3K ≤ 63 values
				for kx := 0; kx < 3; kx++ {
					ix := ix0 + kx
					if iy < 0 || iy >= H || ix < 0 || ix >= W {
						continue
					}
					for k := 0; k < K; k++ {
						seg[kx*K+k] = int16(int32(src[(iy*W+ix)*K+k]) - zp)
					}
				}
				for j := 0; j < rl; j += 2 {
					row[(ky*rl+j)/2] = int32(uint32(uint16(seg[j])) | uint32(uint16(seg[j+1]))<<16)
				}
			}
		}
	}
	clear(xs[P*k2 : rows*k2])
	gemm(dst, xs, P, c.M, pk, c.YZP)
}
