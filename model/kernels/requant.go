package kernels

// Requantize maps an int32 accumulator to uint8 exactly as ONNX Runtime's
// MLAS does on x86: q = sat(rne(float32(float32(acc)·mult)) + zp), with
// rne rounding half to even and sat clamping to 0..255.
func Requantize(acc int32, mult float32, zp int32) uint8 {
	v := float32(float32(acc) * mult)
	return saturate(roundEven(v) + zp)
}

// roundEven rounds half to even. Values far outside the uint8 range are
// clamped first: they saturate either way, and the clamp keeps the
// conversion to int32 defined.
//
// Adding and subtracting 1.5·2²³ in float32 leaves no fraction bits, so the
// hardware's round-to-nearest-even does the rounding; it is exact for
// |v| < 2²², far beyond the clamp. This is 4× faster than
// math.RoundToEven through float64 and gives the same result (tested).
func roundEven(v float32) int32 {
	if v > 1024 {
		return 1024
	}
	if v < -1024 {
		return -1024
	}
	const magic = 12582912 // 1.5·2²³
	r := float32(v + magic)
	r = float32(r - magic)
	return int32(r)
}

func saturate(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// Multiplier returns ORT's per-channel requantization multiplier
// float32(float32(xScale·wScale)/yScale).
func Multiplier(xScale, wScale, yScale float32) float32 {
	return float32(float32(xScale*wScale) / yScale)
}

// QuantizeRef is QuantizeLinear from a float32 NCHW image (C×H×W) to uint8
// NHWC: q = sat(rne(float32(x/scale)) + zp).
func QuantizeRef(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	P := H * W
	_ = dst[P*C-1]
	for c := 0; c < C; c++ {
		for p := 0; p < P; p++ {
			dst[p*C+c] = saturate(roundEven(float32(src[c*P+p]/scale)) + zp)
		}
	}
}

// Quantize is QuantizeRef computed by this build's fastest kernel,
// bit-identical.
func Quantize(dst []uint8, src []float32, C, H, W int, scale float32, zp int32) {
	quantizeFast(dst, src, C, H, W, scale, zp)
}
