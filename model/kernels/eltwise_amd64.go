//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// QLinearAdd and QuantizeLinear on vectors. Each float32 operation of the
// reference (AddRef, QuantizeRef) is one IEEE float32 vector instruction
// with round-to-nearest-even (VCVTDQ2PS, VMULPS, VADDPS, VDIVPS), in the
// same order, so the values are identical; simd/archsimd does not fuse a
// Mul and an Add into an FMA (checked in the generated code), and
// rounding and saturation are as in requant8/requant16.

func addFast(dst, a, b []uint8, p AddParams) {
	if !haveAVX2 {
		AddRef(dst, a, b, p)
		return
	}
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	if haveAVX512 {
		ra, rb, k := archsimd.BroadcastFloat32x16(p.RA), archsimd.BroadcastFloat32x16(p.RB), archsimd.BroadcastFloat32x16(p.K)
		lo, hi := archsimd.BroadcastFloat32x16(0), archsimd.BroadcastFloat32x16(255)
		for ; i+16 <= n; i += 16 {
			fa := archsimd.LoadUint8x16(a[i : i+16]).ExtendToUint32().BitsToInt32().ConvertToFloat32()
			fb := archsimd.LoadUint8x16(b[i : i+16]).ExtendToUint32().BitsToInt32().ConvertToFloat32()
			v := k.Add(fa.Mul(ra)).Add(fb.Mul(rb)).RoundScaled(0).Max(lo).Min(hi)
			v.ConvertToInt32().ToBits().TruncToUint8().Store(dst[i : i+16])
		}
	} else {
		ra, rb, k := archsimd.BroadcastFloat32x8(p.RA), archsimd.BroadcastFloat32x8(p.RB), archsimd.BroadcastFloat32x8(p.K)
		lo, hi := archsimd.BroadcastFloat32x8(0), archsimd.BroadcastFloat32x8(255)
		for ; i+16 <= n; i += 8 {
			fa := archsimd.LoadUint8x16(a[i : i+16]).ExtendLo8ToUint32().BitsToInt32().ConvertToFloat32()
			fb := archsimd.LoadUint8x16(b[i : i+16]).ExtendLo8ToUint32().BitsToInt32().ConvertToFloat32()
			v := k.Add(fa.Mul(ra)).Add(fb.Mul(rb)).Round().Max(lo).Min(hi)
			storeBytes8(dst[i:], v.ConvertToInt32(), 8)
		}
	}
	if i < n {
		AddRef(dst[i:], a[i:], b[i:], p)
	}
}

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	if !haveAVX512 {
		QuantizeRef(dst, src, C, H, W, scale, zp)
		return
	}
	P := H * W
	_ = dst[P*C-1]
	_ = src[P*C-1]
	sv := archsimd.BroadcastFloat32x16(scale)
	lo, hi := archsimd.BroadcastFloat32x16(float32(-zp)), archsimd.BroadcastFloat32x16(float32(255-zp))
	zpv := archsimd.BroadcastInt32x16(zp)
	var t [16]uint8
	p := 0
	for ; p+16 <= P; p += 16 {
		// One channel plane at a time (NCHW in), 16 pixels; the bytes
		// are interleaved into NHWC through t.
		for c := 0; c < C; c++ {
			v := archsimd.LoadFloat32x16(src[c*P+p : c*P+p+16]).Div(sv).RoundScaled(0).Max(lo).Min(hi)
			v.ConvertToInt32().Add(zpv).ToBits().TruncToUint8().Store(t[:])
			out := dst[p*C+c:]
			for i, q := range t {
				out[i*C] = q
			}
		}
	}
	for ; p < P; p++ {
		for c := 0; c < C; c++ {
			dst[p*C+c] = saturate(roundEven(float32(src[c*P+p]/scale)) + zp)
		}
	}
}
