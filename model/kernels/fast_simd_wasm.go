//go:build goexperiment.simd && wasm

package kernels

import (
	"encoding/binary"
	"simd/archsimd"
)

// The wasm kernels use SIMD128 through simd/archsimd. Its wasm API differs
// from amd64's: there is no 16-bit pair dot product (i32x4.dot_i16x8_s is
// not exposed) and no narrowing conversion, so multiplies widen with
// extmul (MulWidenLo/Hi, exact: |x−zp| ≤ 255 and |w| ≤ 128) and results
// are narrowed to bytes with a byte shuffle (narrow16).

// SIMD reports which optimised kernels this build uses.
func SIMD() string { return "wasm SIMD128 (GEMM: " + gemmKernel + ")" }

// packed holds a Conv's weights in the layout of its SIMD kernel, with the
// per-channel bias and multiplier zero padded to whole vectors.
type packed struct {
	w    []int16   // pointwise and stem: packGemm
	k    int       // pointwise and stem: inputs per output channel, rounded up to even
	dw   []int16   // depthwise: 9 rows (taps) of C rounded up to 16
	dwm  []int16   // depthwise, wasmkernels module layout (depthwise_module_wasm.go)
	c16  int       // depthwise: channels rounded up to 16
	bias []int32   // M rounded up to 16 (depthwise: zero point folded in)
	mult []float32 // likewise
}

// Prepare builds the optimised kernels' weight layout. Call it once after
// the weights are set; without it Run uses the plain-Go kernels.
func (c *Conv) Prepare() {
	var pk *packed
	switch c.Kind {
	case Pointwise:
		pk = packGemm(c.M, c.K, func(m, k int) int8 { return c.W[m*c.K+k] })
	case Depthwise:
		pk = packDepthwise(c)
	case Full3x3:
		pk = packGemm(c.M, 9*c.K, func(m, k int) int8 { return c.W[m*9*c.K+k] })
	}
	mp := (c.M + 15) &^ 15
	if pk.bias == nil {
		pk.bias = make([]int32, mp)
		copy(pk.bias, c.Bias)
	}
	pk.mult = make([]float32, mp)
	copy(pk.mult, c.Mult)
	c.packed = pk
}

// runSIMD runs c with its SIMD kernel and reports whether it had one.
func (c *Conv) runSIMD(dst, src []uint8, H, W int, s *Scratch) bool {
	if c.packed == nil {
		return false
	}
	switch c.Kind {
	case Pointwise:
		pointwiseSIMD(dst, src, H*W, c, s)
	case Depthwise:
		depthwiseSIMD(dst, src, H, W, c, s)
	case Full3x3:
		full3x3SIMD(dst, src, H, W, c, s)
	default:
		return false
	}
	return true
}

// rq4 holds one layer's requantization constants as vectors.
type rq4 struct {
	lo, hi archsimd.Float32x4 // −zp and 255−zp
	zp     archsimd.Int32x4
}

func newRQ4(zp int32) rq4 {
	return rq4{
		lo: archsimd.BroadcastFloat32x4(float32(-zp)),
		hi: archsimd.BroadcastFloat32x4(float32(255 - zp)),
		zp: archsimd.BroadcastInt32x4(zp),
	}
}

// requant4 is Requantize on 4 lanes, to int32 lanes in 0..255. As on
// amd64, each step is the exact vector twin of the scalar one:
// f32x4.convert_i32x4_s and f32x4.mul round to nearest even, f32x4.nearest
// rounds half to even, and clamping the integral value to [−zp, 255−zp]
// before adding zp equals saturating after it; i32x4.trunc_sat is exact on
// it.
func requant4(acc archsimd.Int32x4, mult archsimd.Float32x4, q *rq4) archsimd.Int32x4 {
	f := acc.ConvertToFloat32().Mul(mult).Round().Max(q.lo).Min(q.hi)
	return f.ConvertToInt32().Add(q.zp)
}

// narrowIdx gathers byte 0 of each int32 lane of four vectors combined by
// narrow16 (vector v in byte v of each lane) into v's 4 consecutive bytes.
var narrowIdx = archsimd.LoadInt8x16Array(&[16]int8{0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15})

// narrow16 packs four vectors of int32 lanes in 0..255 into 16 bytes, a's
// four lanes first: the lanes are merged with shifts (lane i of the result
// holds a[i], b[i], c[i], d[i] in its 4 bytes) and one i8x16.swizzle puts
// the bytes in order.
func narrow16(a, b, c, d archsimd.Int32x4) archsimd.Uint8x16 {
	v := a.Or(b.ShiftAllLeft(8)).Or(c.ShiftAllLeft(16)).Or(d.ShiftAllLeft(24))
	return v.ToBits().ReshapeToUint8s().BitsToInt8().LookupOrZero(narrowIdx).ToBits()
}

// store8x2 writes the low 8 bytes of v to d0 and the high 8 to d1.
func store8x2(d0, d1 []uint8, v archsimd.Uint8x16) {
	u := v.ReshapeToUint64s()
	binary.LittleEndian.PutUint64(d0, u.GetElem(0))
	binary.LittleEndian.PutUint64(d1, u.GetElem(1))
}

// storeN writes the first n ≤ 16 bytes of v to dst.
func storeN(dst []uint8, v archsimd.Uint8x16, n int) {
	if n == 16 {
		v.Store(dst[:16])
		return
	}
	var t [16]uint8
	v.Store(t[:])
	copy(dst[:n], t[:n])
}
