//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// The amd64 kernels come in two widths, picked once from the CPU:
//   - AVX-512 (this project's CPU): 512-bit vectors, 32 registers, and the
//     32→8-bit narrowing store (VPMOVDB).
//   - AVX2: 256-bit vectors and 16 registers, so smaller register blocks;
//     simd/archsimd has no AVX2 instruction that packs int32 lanes to
//     bytes, so results go through a small array.
//
// Without AVX2, Run uses the plain-Go kernels. The tests clear these flags
// to run every path this CPU can.
var (
	haveAVX2   = archsimd.X86.AVX2()
	haveAVX512 = archsimd.X86.AVX512()
)

// SIMD reports which optimised kernels this build uses.
func SIMD() string {
	switch {
	case haveVNNI:
		return "amd64 AVX-512 (simd/archsimd), VNNI pointwise GEMM (assembly)"
	case haveAVX512:
		return "amd64 AVX-512 (simd/archsimd)"
	case haveAVX2:
		return "amd64 AVX2 (simd/archsimd)"
	}
	return "none (CPU lacks AVX2)"
}

// packed holds a Conv's weights in the layout of its SIMD kernel, and the
// per-channel bias and multiplier zero padded to a multiple of 16 channels
// so the kernels load them as whole vectors.
type packed struct {
	w       []int16 // pointwise and stem: packPairs
	k2      int     // pointwise and stem: input pairs per output channel
	dw      []int32 // depthwise: packDepthwise
	c16     int     // depthwise: channels rounded up to 16
	dwp     []int16 // depthwise 32-channel groups: packDepthwisePairs
	dwpBias []int32
	dwpMult []float32
	bias    []int32   // M rounded up to 16 (depthwise: zero point folded in)
	mult    []float32 // likewise (unused by depthwise)

	// Pointwise and stem with VNNI (packVNNIWeights); when vw is set, w,
	// k2 and bias are unused.
	vw     []int8      // packed weights
	vk4    int         // input quads per output channel
	vbias  []int32     // bias − xzp·Σw, M rounded up to 16
	vxzp   int32       // the input zero point folded into vbias
	blocks []vnniBlock // output channel blocks
}

// Prepare builds the optimised kernels' weight layout. Call it once after
// the weights are set; without it Run uses the plain-Go kernels.
func (c *Conv) Prepare() {
	c.packed = nil
	if !haveAVX2 {
		return
	}
	var pk *packed
	switch c.Kind {
	case Pointwise:
		if haveVNNI && c.YZP >= 0 && c.YZP <= 255 { // see requantization in pointwise_vnni_amd64.go
			c.packed = packVNNI(c)
			return
		}
		pk = packPairs(c.M, c.K, func(m, k int) int8 { return c.W[m*c.K+k] })
	case Depthwise:
		c.packed = packDepthwise(c)
		return
	case Full3x3:
		if c.K > 21 { // full3x3SIMD gathers a patch row of 3K ≤ 63 values
			return
		}
		if haveVNNI && c.YZP >= 0 && c.YZP <= 255 && c.XZP >= 0 && c.XZP <= 255 {
			c.packed = packStemVNNI(c) // stem_vnni_amd64.go
			return
		}
		pk = packStem(c)
	default:
		return
	}
	mp := (c.M + 15) &^ 15
	pk.bias = make([]int32, mp)
	pk.mult = make([]float32, mp)
	copy(pk.bias, c.Bias)
	copy(pk.mult, c.Mult)
	c.packed = pk
}

// runSIMD runs c with its SIMD kernel and reports whether it had one.
func (c *Conv) runSIMD(dst, src []uint8, H, W int, s *Scratch) bool {
	if c.packed == nil || !haveAVX2 {
		return false
	}
	switch c.Kind {
	case Pointwise:
		pointwiseSIMD(dst, src, H*W, c, s)
		return true
	case Depthwise:
		depthwiseSIMD(dst, src, H, W, c, s)
		return true
	case Full3x3:
		full3x3SIMD(dst, src, H, W, c, s)
		return true
	}
	return false
}

// Requantization on vectors. Requantize is
//
//	q = sat(rne(float32(float32(acc)·mult)) + zp)
//
// and each step has an exact vector twin: VCVTDQ2PS and VMULPS round to
// nearest even like Go's float32 conversions; VROUNDPS/VRNDSCALEPS with
// immediate 0 round half to even; and since the rounded value r is an
// integer, clamping it to [−zp, 255−zp] (exact float32 bounds) and then
// adding zp equals saturating r+zp. The truncating VCVTTPS2DQ is exact on
// the integral, clamped value. TestRequantVectors holds this against
// Requantize on ties and out-of-range values.

// rq8 and rq16 hold one layer's requantization constants as vectors.
type rq8 struct {
	lo, hi archsimd.Float32x8 // −zp and 255−zp
	zp     archsimd.Int32x8
}

type rq16 struct {
	lo, hi archsimd.Float32x16
	zp     archsimd.Int32x16
}

func newRQ8(zp int32) rq8 {
	return rq8{
		lo: archsimd.BroadcastFloat32x8(float32(-zp)),
		hi: archsimd.BroadcastFloat32x8(float32(255 - zp)),
		zp: archsimd.BroadcastInt32x8(zp),
	}
}

func newRQ16(zp int32) rq16 {
	return rq16{
		lo: archsimd.BroadcastFloat32x16(float32(-zp)),
		hi: archsimd.BroadcastFloat32x16(float32(255 - zp)),
		zp: archsimd.BroadcastInt32x16(zp),
	}
}

// requant8 requantizes 8 accumulators to int32 lanes in 0..255.
func requant8(acc archsimd.Int32x8, mult archsimd.Float32x8, q *rq8) archsimd.Int32x8 {
	f := acc.ConvertToFloat32().Mul(mult).Round().Max(q.lo).Min(q.hi)
	return f.ConvertToInt32().Add(q.zp)
}

// requant16 requantizes 16 accumulators to bytes (AVX-512).
func requant16(acc archsimd.Int32x16, mult archsimd.Float32x16, q *rq16) archsimd.Uint8x16 {
	f := acc.ConvertToFloat32().Mul(mult).RoundScaled(0).Max(q.lo).Min(q.hi)
	return f.ConvertToInt32().Add(q.zp).ToBits().TruncToUint8()
}

// storeBytes8 writes 8 int32 lanes in 0..255 as bytes to dst[:n], n ≤ 8,
// without AVX-512's narrowing instructions.
func storeBytes8(dst []uint8, a archsimd.Int32x8, n int) {
	var t [8]int32
	a.Store(t[:])
	for i := range dst[:n] {
		dst[i] = uint8(t[i])
	}
}
