//go:build !(goexperiment.simd && (amd64 || wasm))

package kernels

// packed is empty without SIMD: Conv.Run uses the plain-Go kernels.
type packed struct{}

// Prepare builds the optimised kernels' weight layout; without
// GOEXPERIMENT=simd on amd64 there is none to build.
func (c *Conv) Prepare() {}

// SIMD reports which optimised pointwise kernel this build uses.
func SIMD() string { return "none (plain Go)" }

// runSIMD reports that this build has no SIMD kernels.
func (c *Conv) runSIMD(dst, src []uint8, H, W int, s *Scratch) bool { return false }

func addFast(dst, a, b []uint8, p AddParams) { AddRef(dst, a, b, p) }

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	QuantizeRef(dst, src, C, H, W, scale, zp)
}
