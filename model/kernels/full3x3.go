package kernels

// full3x3Fast is Full3x3Ref restructured: an output pixel's 3×3×K receptive
// field is gathered once (zero-point subtracted, padding as 0) into a small
// buffer in the weights' (ky, kx, c) order, then each output channel is one
// contiguous dot product with its weight row. The reference re-tests the
// borders for every output channel; this tests them once per pixel.
func full3x3Fast(dst, src []uint8, H, W int, c *Conv) {
	K, M, s := c.K, c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	n := 9 * K
	var patchBuf [9 * 16]int32
	if n > len(patchBuf) {
		Full3x3Ref(dst, src, H, W, c)
		return
	}
	patch := patchBuf[:n]
	for oy := 0; oy < OH; oy++ {
		for ox := 0; ox < OW; ox++ {
			for ky := 0; ky < 3; ky++ {
				iy := oy*s - 1 + ky
				for kx := 0; kx < 3; kx++ {
					ix := ox*s - 1 + kx
					p := patch[(ky*3+kx)*K : (ky*3+kx+1)*K]
					if iy < 0 || iy >= H || ix < 0 || ix >= W {
						clear(p)
						continue
					}
					x := src[(iy*W+ix)*K : (iy*W+ix+1)*K]
					for k := range p {
						p[k] = int32(x[k]) - c.XZP
					}
				}
			}
			out := dst[(oy*OW+ox)*M : (oy*OW+ox+1)*M]
			for m := range out {
				w := c.W[m*n : (m+1)*n]
				w = w[:len(patch)]
				acc := c.Bias[m]
				for i, v := range patch {
					acc += v * int32(w[i])
				}
				out[m] = Requantize(acc, c.Mult[m], c.YZP)
			}
		}
	}
}
