package explain

import (
	"fmt"

	"posterity/model/head"
)

// All computes the Grad-CAM maps of several classes at once, into dst (len
// h.Out, label order), each map exactly as GradCAM computes it: class j's
// when want[j] is true (or want is nil); the other maps are set to zero. hidden is
// the head's hidden activation for the same feature, a1 = max(z1, 0) (the
// scratch that head.Logits and head.Probs leave behind), so the forward
// pass is not repeated. grads is scratch of at least h.Out·h.In values.
//
// Why it is cheaper than h.Out calls of GradCAM: each call of
// head.ScoreGradient recomputes z1 (H·D multiply-adds) to find the active
// hidden units, and reads W1 once. Here z1 comes from hidden, and each active
// row of W1 is read once for all N gradients:
//
//	g[j][d] = Σ_h W2[j,h] · 1[a1[h] > 0] · W1[h,d]     j < N, d < D
//
// summed over h in the same ascending order as ScoreGradient, so every
// g[j] (and hence every map) is bit-identical to GradCAM's. Cost: about
// N·H_active·D multiply-adds plus N·49·D for the maps.
func All(h *head.Head, fmap []uint8, scale float32, zp int32, hidden []float32, want []bool, grads []float32, dst [][Grid * Grid]float32) error {
	D, N := h.In, h.Out
	if want != nil && len(want) != N {
		return fmt.Errorf("explain: %d class flags for %d classes", len(want), N)
	}
	wanted := func(j int) bool { return want == nil || want[j] }
	if len(fmap) != Grid*Grid*D {
		return fmt.Errorf("explain: map of %d values for a %d-input head", len(fmap), D)
	}
	if len(hidden) != h.Hidden || len(dst) != N || len(grads) < N*D {
		return fmt.Errorf("explain: %d hidden values (want %d), %d maps (want %d), %d gradient values (want ≥ %d)",
			len(hidden), h.Hidden, len(dst), N, len(grads), N*D)
	}
	g := grads[:N*D]
	clear(g)
	for i, a := range hidden {
		if !(a > 0) {
			continue // inactive unit: zero derivative
		}
		row := h.W1[i*D : (i+1)*D]
		for j := 0; j < N; j++ {
			c := h.W2[j*h.Hidden+i]
			if c == 0 || !wanted(j) {
				continue
			}
			axpy(c, row, g[j*D:(j+1)*D])
		}
	}
	for j := 0; j < N; j++ {
		if wanted(j) {
			dst[j] = camOf(g[j*D:(j+1)*D], fmap, scale, zp)
		} else {
			dst[j] = [Grid * Grid]float32{}
		}
	}
	return nil
}

// axpy is "for d, w := range x { y[d] += a * w }", unrolled by four (each
// y[d] still gets one rounded multiply-add per call, so sums are unchanged).
func axpy(a float32, x, y []float32) {
	y = y[:len(x)]
	d := 0
	for ; d+4 <= len(x); d += 4 {
		xs, ys := x[d:d+4:d+4], y[d:d+4:d+4]
		ys[0] += a * xs[0]
		ys[1] += a * xs[1]
		ys[2] += a * xs[2]
		ys[3] += a * xs[3]
	}
	for ; d < len(x); d++ {
		y[d] += a * x[d]
	}
}

// camOf is GradCAM's map for the gradient g: ReLU of the positions'
// g-weighted sums, normalized by the peak (see the package comment).
func camOf(g []float32, fmap []uint8, scale float32, zp int32) [Grid * Grid]float32 {
	var out [Grid * Grid]float32
	C := len(g)
	var peak float32
	for p := 0; p < Grid*Grid; p++ {
		row := fmap[p*C : (p+1)*C]
		var s float32
		for c, q := range row {
			if q == uint8(zp) {
				continue // zero activation (ReLU6 output is mostly zeros)
			}
			s += g[c] * float32(int32(q)-zp) * scale
		}
		s /= Grid * Grid
		if s > 0 {
			out[p] = s
			peak = max(peak, s)
		}
	}
	if peak > 0 {
		for p := range out {
			out[p] /= peak
		}
	}
	return out
}

// MirrorAverage writes into dst the map of a poster whose feature was
// averaged with its mirror image's (a flip-averaged head): the mean of a
// and b mirrored left to right, b's column x going to column Grid−1−x,
// rounded to the nearest level. a and b are uint8 NHWC maps of the same
// tensor (one scale and zero point), of len Grid·Grid·C.
func MirrorAverage(dst, a, b []uint8, C int) {
	for y := 0; y < Grid; y++ {
		for x := 0; x < Grid; x++ {
			da := dst[(y*Grid+x)*C : (y*Grid+x+1)*C]
			ra := a[(y*Grid+x)*C : (y*Grid+x+1)*C]
			rb := b[(y*Grid+Grid-1-x)*C : (y*Grid+Grid-x)*C]
			for c := range da {
				da[c] = uint8((uint16(ra[c]) + uint16(rb[c]) + 1) / 2)
			}
		}
	}
}
