//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

// QLinearAdd and QuantizeLinear on wasm SIMD128: each float32 operation of
// AddRef and QuantizeRef is one f32x4 instruction with round-to-nearest-
// even in the same order (wasm has no fused multiply-add in SIMD128), and
// rounding and saturation are as in requant4.

// u8x16to4 widens 16 bytes to four Int32x4.
func u8x16to4(v archsimd.Uint8x16) (a, b, c, d archsimd.Int32x4) {
	lo, hi := v.ExtendLo8ToUint16(), v.ExtendHi8ToUint16()
	return lo.ExtendLo4ToUint32().BitsToInt32(), lo.ExtendHi4ToUint32().BitsToInt32(),
		hi.ExtendLo4ToUint32().BitsToInt32(), hi.ExtendHi4ToUint32().BitsToInt32()
}

func addFast(dst, a, b []uint8, p AddParams) {
	n := len(dst)
	a, b = a[:n], b[:n]
	ra, rb, k := archsimd.BroadcastFloat32x4(p.RA), archsimd.BroadcastFloat32x4(p.RB), archsimd.BroadcastFloat32x4(p.K)
	lo, hi := archsimd.BroadcastFloat32x4(0), archsimd.BroadcastFloat32x4(255)
	f := func(x, y archsimd.Int32x4) archsimd.Int32x4 {
		v := k.Add(x.ConvertToFloat32().Mul(ra)).Add(y.ConvertToFloat32().Mul(rb))
		return v.Round().Max(lo).Min(hi).ConvertToInt32()
	}
	i := 0
	for ; i+16 <= n; i += 16 {
		a0, a1, a2, a3 := u8x16to4(archsimd.LoadUint8x16(a[i : i+16]))
		b0, b1, b2, b3 := u8x16to4(archsimd.LoadUint8x16(b[i : i+16]))
		narrow16(f(a0, b0), f(a1, b1), f(a2, b2), f(a3, b3)).Store(dst[i : i+16])
	}
	if i < n {
		AddRef(dst[i:], a[i:], b[i:], p)
	}
}

func quantizeFast(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	P := H * W
	_ = dst[P*C-1]
	_ = src[P*C-1]
	sv := archsimd.BroadcastFloat32x4(scale)
	lo, hi := archsimd.BroadcastFloat32x4(float32(-zp)), archsimd.BroadcastFloat32x4(float32(255-zp))
	zpv := archsimd.BroadcastInt32x4(zp)
	f := func(s []float32) archsimd.Int32x4 {
		v := archsimd.LoadFloat32x4(s).Div(sv).Round().Max(lo).Min(hi)
		return v.ConvertToInt32().Add(zpv)
	}
	var t [16]uint8
	p := 0
	if C == 3 {
		p = quantizeModule(dst, src, P, scale, zp)
	}
	for ; p+16 <= P; p += 16 {
		// One channel plane at a time (NCHW in), 16 pixels, interleaved
		// into NHWC through t.
		for c := 0; c < C; c++ {
			s := src[c*P+p : c*P+p+16]
			narrow16(f(s[0:4]), f(s[4:8]), f(s[8:12]), f(s[12:16])).Store(t[:])
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
