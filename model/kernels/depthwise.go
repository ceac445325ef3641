package kernels

// depthwiseFast is DepthwiseRef restructured for speed in plain Go: the
// interior of the image needs no bounds tests, so the nine taps become
// straight-line code over a channel row, and the accumulators for one output
// pixel live in a small reused array (C ≤ 960 in MobileNetV2). Borders fall
// back to the reference formula.
func depthwiseFast(dst, src []uint8, H, W int, c *Conv) {
	C, s := c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	var accBuf [1024]int32
	if C > len(accBuf) {
		DepthwiseRef(dst, src, H, W, c)
		return
	}
	acc := accBuf[:C]
	xzp := c.XZP
	for oy := 0; oy < OH; oy++ {
		for ox := 0; ox < OW; ox++ {
			iy0, ix0 := oy*s-1, ox*s-1
			copy(acc, c.Bias)
			for ky := 0; ky < 3; ky++ {
				iy := iy0 + ky
				if iy < 0 || iy >= H {
					continue
				}
				for kx := 0; kx < 3; kx++ {
					ix := ix0 + kx
					if ix < 0 || ix >= W {
						continue
					}
					x := src[(iy*W+ix)*C : (iy*W+ix)*C+C]
					w := c.W[(ky*3+kx)*C : (ky*3+kx)*C+C]
					x, w = x[:len(acc)], w[:len(acc)] // lets the compiler drop bounds checks
					for ch := range acc {
						acc[ch] += (int32(x[ch]) - xzp) * int32(w[ch])
					}
				}
			}
			out := dst[(oy*OW+ox)*C : (oy*OW+ox)*C+C]
			for ch, a := range acc {
				out[ch] = Requantize(a, c.Mult[ch], c.YZP)
			}
		}
	}
}
