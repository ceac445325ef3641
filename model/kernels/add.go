package kernels

// AddParams holds com.microsoft QLinearAdd's constants, folded once the way
// MLAS folds them on x86.
type AddParams struct {
	RA, RB float32 // sA/sC, sB/sC
	K      float32 // zC − (RA·zA + RB·zB)
}

// NewAddParams folds the scales and zero points of C = A + B.
func NewAddParams(sA float32, zA int32, sB float32, zB int32, sC float32, zC int32) AddParams {
	ra := float32(sA / sC)
	rb := float32(sB / sC)
	k := float32(float32(zC) - float32(float32(ra*float32(zA))+float32(rb*float32(zB))))
	return AddParams{RA: ra, RB: rb, K: k}
}

// AddRef is QLinearAdd: dst[i] = sat(rne((K + a[i]·RA) + b[i]·RB)), each
// step rounded to float32 (the explicit conversions forbid FMA fusion).
func AddRef(dst, a, b []uint8, p AddParams) {
	_ = a[len(dst)-1]
	_ = b[len(dst)-1]
	for i := range dst {
		v := float32(float32(p.K+float32(float32(a[i])*p.RA)) + float32(float32(b[i])*p.RB))
		dst[i] = saturate(roundEven(v))
	}
}

// GlobalAvgPoolRef is QLinearGlobalAveragePool over P pixels of an NHWC map
// with C channels: q[c] = sat(rne(float32(float32(Σ(x−xzp))·m)) + yzp),
// m = float32(xScale / float32(yScale·P)).
func GlobalAvgPoolRef(dst, src []uint8, P, C int, xScale float32, xzp int32, yScale float32, yzp int32) {
	m := float32(xScale / float32(yScale*float32(P)))
	for c := 0; c < C; c++ {
		var s int32
		for p := 0; p < P; p++ {
			s += int32(src[p*C+c]) - xzp
		}
		dst[c] = saturate(roundEven(float32(float32(s)*m)) + yzp)
	}
}

// Add is AddRef computed by this build's fastest kernel, bit-identical.
func Add(dst, a, b []uint8, p AddParams) { addFast(dst, a, b, p) }
