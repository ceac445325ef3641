//go:build goexperiment.simd && (amd64 || wasm)

package kernels

import "simd/archsimd"

// The stem's SIMD kernels (AVX2/AVX-512, VNNI, wasm SIMD128) gather each
// output pixel's 3×3 patch the same way; they differ in what they widen it
// to. These two helpers are the shared part.

// stemInterior reports whether the patch of the output pixel whose top-left
// input is (iy0, ix0) lies inside an H×W image of K = 3 channels: its three
// rows are then 9 contiguous bytes each, at ((iy0+ky)·W + ix0)·3, which
// patchRow loads. Other pixels are gathered tap by tap.
func stemInterior(K, iy0, ix0, H, W int) bool {
	return K == 3 && iy0 >= 0 && iy0+2 < H && ix0 >= 0 && ix0+2 < W
}

// patchRow loads the 16 bytes of src at off, whose first 9 are one patch
// row; at the end of src, fewer, the rest zero.
func patchRow(src []uint8, off int) archsimd.Uint8x16 {
	if off+16 <= len(src) {
		return archsimd.LoadUint8x16(src[off : off+16])
	}
	v, _ := archsimd.LoadUint8x16Part(src[off:])
	return v
}
