//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

// The dense 3×3 convolution (the stem) as im2col + the pointwise GEMM:
// each output pixel's receptive field, zero point subtracted (padding as
// 0), becomes one row of 9K int16 (rounded up to even, evenK) in the
// weights' (ky, kx, c) order. For K = 3 a patch row of an interior pixel
// (3 pixels × 3 channels, contiguous in NHWC) is one 16-byte load stored
// as 16 int16; the values past the row's 9 are overwritten by the next
// patch row or pixel (xs has slack for the last), and the padding value
// at the end of a row meets a zero weight.

// full3x3SIMD computes Full3x3Ref.
func full3x3SIMD(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	K, st := c.K, c.Stride
	OH, OW := c.OutSize(H, W)
	P := OH * OW
	n := evenK(9 * K)
	rows := (P + pwRows - 1) / pwRows * pwRows
	xs := s.int16Buf(rows*n + 16)
	zp := c.XZP
	zpv := archsimd.BroadcastInt16x8(int16(zp))
	for oy := 0; oy < OH; oy++ {
		iy0 := oy*st - 1
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			row := xs[(oy*OW+ox)*n:]
			if stemInterior(K, iy0, ix0, H, W) {
				for ky := 0; ky < 3; ky++ {
					off := ((iy0+ky)*W + ix0) * 3
					v := patchRow(src, off)
					v.ExtendLo8ToUint16().BitsToInt16().Sub(zpv).Store(row[ky*9 : ky*9+8])
					v.ExtendHi8ToUint16().BitsToInt16().Sub(zpv).Store(row[ky*9+8 : ky*9+16])
				}
				continue
			}
			for ky := 0; ky < 3; ky++ {
				iy := iy0 + ky
				for kx := 0; kx < 3; kx++ {
					ix := ix0 + kx
					seg := row[(ky*3+kx)*K : (ky*3+kx+1)*K]
					if ky == 2 && kx == 2 && n > 9*K {
						row[9*K] = 0
					}
					if iy < 0 || iy >= H || ix < 0 || ix >= W {
						clear(seg)
						continue
					}
					for k := range seg {
						seg[k] = int16(int32(src[(iy*W+ix)*K+k]) - zp)
					}
				}
			}
		}
	}
	clear(xs[P*n : rows*n])
	gemm(dst, xs, P, c.M, c.packed, c.YZP, s)
}
