//go:build !(goexperiment.simd && (amd64 || wasm))

package kernels

// packed is empty without SIMD: Conv.Run uses the plain-Go kernels.
type packed struct{}

// Prepare builds the optimised kernels' weight layout; without
// GOEXPERIMENT=simd on amd64 there is none to build.
func (c *Conv) Prepare() {}

// SIMD reports which optimised pointwise kernel this build uses.
func SIMD() string { return "none (plain Go)" }

func pointwiseFast(dst, src []uint8, P int, c *Conv, s *Scratch) { PointwiseRef(dst, src, P, c) }

func addFast(dst, a, b []uint8, p AddParams) { AddRef(dst, a, b, p) }

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	QuantizeRef(dst, src, C, H, W, scale, zp)
}
