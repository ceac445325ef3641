//go:build !(goexperiment.simd && amd64)

package kernels

// packed is empty without SIMD: Conv.Run uses the plain-Go kernels.
type packed struct{}

// Prepare builds the optimised kernels' weight layout; without
// GOEXPERIMENT=simd on amd64 there is none to build.
func (c *Conv) Prepare() {}

// SIMD reports which optimised pointwise kernel this build uses.
func SIMD() string { return "none (plain Go)" }

func pointwiseFast(dst, src []uint8, P int, c *Conv, s *Scratch) { PointwiseRef(dst, src, P, c) }
