//go:build goexperiment.simd && amd64

package kernels

// The stem (dense 3×3) on the VNNI GEMM: im2col as in stem_amd64.go, but
// the patch rows stay uint8, since VPDPBUSD takes the activations as they
// are and the input zero point is folded into the bias (packVNNIWeights).
//
// Patch layout: for each ky, the 3 pixels × K channels of input row iy
// (3K contiguous bytes in NHWC) padded to a multiple of 4 bytes
// ("stemQuadLen", 12 for K = 3), so the patch is 3 such segments (36
// bytes, 9 quads). The padding has zero weights, so what it holds does not
// matter. Taps outside the image hold the input zero point: with the
// folded bias they contribute (xzp−xzp)·w = 0, like the reference's
// skipped taps. For K = 3 an interior segment is one 16-byte load and
// store; the store runs past the segment into the next one, which is
// written afterwards (the buffer has 16 bytes of slack for the last).

func stemQuadLen(K int) int { return (3*K + 3) &^ 3 }

// packStemVNNI packs the Full3x3 weights W[M][9K] ((ky, kx, c) order) in
// the patch layout.
func packStemVNNI(c *Conv) *packed {
	K, rl := c.K, stemQuadLen(c.K)
	return packVNNIWeights(c.M, 3*rl, func(m, k int) int8 {
		ky, j := k/rl, k%rl
		if j >= 3*K {
			return 0
		}
		return c.W[m*9*K+ky*3*K+j]
	}, c)
}

// full3x3VNNI computes Full3x3Ref with the VNNI GEMM (see above).
// (Gathering and multiplying a few output rows at a time, so that the
// patches stay in L1, measured no faster.)
func full3x3VNNI(dst, src []uint8, H, W int, c *Conv, s *Scratch) {
	K, st := c.K, c.Stride
	OH, OW := c.OutSize(H, W)
	P := OH * OW
	rl := stemQuadLen(K)
	stride := 3 * rl
	xs := s.byteBuf(P*stride + 16)
	zp := uint8(c.XZP)
	for oy := 0; oy < OH; oy++ {
		iy0 := oy*st - 1
		for ox := 0; ox < OW; ox++ {
			ix0 := ox*st - 1
			row := xs[(oy*OW+ox)*stride:]
			if stemInterior(K, iy0, ix0, H, W) {
				for ky := 0; ky < 3; ky++ {
					off := ((iy0+ky)*W + ix0) * 3
					v := patchRow(src, off)
					v.Store(row[ky*rl : ky*rl+16])
				}
				continue
			}
			// Border pixel, or K ≠ 3: tap by tap.
			for ky := 0; ky < 3; ky++ {
				iy := iy0 + ky
				seg := row[ky*rl : ky*rl+3*K]
				for kx := 0; kx < 3; kx++ {
					ix := ix0 + kx
					tap := seg[kx*K : (kx+1)*K]
					if iy < 0 || iy >= H || ix < 0 || ix >= W {
						for i := range tap {
							tap[i] = zp
						}
						continue
					}
					copy(tap, src[(iy*W+ix)*K:])
				}
			}
		}
	}
	vnniGEMM(dst, xs, P, c.M, c.packed, c.YZP)
}
