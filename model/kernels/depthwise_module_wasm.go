//go:build goexperiment.simd && wasm && wasmkernels

package kernels

import (
	"runtime"
	"unsafe"
)

//go:wasmimport posterity_kernels dwrow
//go:noescape
func moduleDWRow(out, r0, r1, r2, zprow unsafe.Pointer, OW, W, C, st int32, w, bias, mult unsafe.Pointer, yzp int32)

// packDepthwiseModule adds the module's depthwise layout to pk when the
// module can run c (C a multiple of 16): for each block of 8 channels, the
// 5 tap pairs (0,1) (2,3) (4,5) (6,7) (8,–), each as 8 int16 (w_a[c],
// w_b[c]) for channels c..c+3, then 8 for c+4..c+7; 80 int16 per block.
func packDepthwiseModule(c *Conv, pk *packed) {
	C := c.M
	if C%16 != 0 {
		return
	}
	pairs := [5][2]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, -1}}
	w := make([]int16, C/8*80)
	for ch := 0; ch < C; ch++ {
		b, j := ch/8, ch%8
		for q, pr := range pairs {
			i := b*80 + q*16 + (j/4)*8 + 2*(j%4)
			w[i] = int16(c.W[pr[0]*C+ch])
			if pr[1] >= 0 {
				w[i+1] = int16(c.W[pr[1]*C+ch])
			}
		}
	}
	pk.dwm = w
}

// dwRowModule computes one depthwise output row in the module, if pk has
// its layout, and reports whether it did.
func dwRowModule(out []uint8, rows *[3][]uint8, zpRow []uint8, W, C, st int, pk *packed, yzp int32) bool {
	if pk.dwm == nil {
		return false
	}
	OW := len(out) / C
	_ = out[OW*C-1]
	for _, r := range rows {
		_ = r[W*C-1]
	}
	_ = zpRow[W*C-1]
	_ = pk.bias[C-1]
	_ = pk.mult[C-1]
	moduleDWRow(unsafe.Pointer(&out[0]), unsafe.Pointer(&rows[0][0]), unsafe.Pointer(&rows[1][0]), unsafe.Pointer(&rows[2][0]),
		unsafe.Pointer(&zpRow[0]), int32(OW), int32(W), int32(C), int32(st),
		unsafe.Pointer(&pk.dwm[0]), unsafe.Pointer(&pk.bias[0]), unsafe.Pointer(&pk.mult[0]), yzp)
	runtime.KeepAlive(rows)
	runtime.KeepAlive(zpRow)
	runtime.KeepAlive(pk)
	return true
}
