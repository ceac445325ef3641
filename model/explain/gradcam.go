// Package explain answers "why this genre": a Grad-CAM heatmap over the
// poster for one genre, from the backbone's last 7×7×1280 feature map and
// the head's gradient. It runs in the browser worker (no extra network:
// the map is already computed for the feature) and natively.
//
// Grad-CAM (Selvaraju et al., 2017): the channel weights are the gradient
// of the genre's score (its logit) with respect to the feature map,
// averaged over the 7×7 positions. The feature is the spatial mean of the
// dequantized map, so d score/d A[p][c] = g[c]/49 for every position p,
// where g is the gradient with respect to the pooled feature
// (head.ScoreGradient); its spatial average is g[c]/49 too. The map is
// ReLU(Σ_c weight[c]·A[p][c]), here normalized to [0, 1] by its maximum.
package explain

import (
	"fmt"

	"posterity/model/head"
)

// Grid is the side of the backbone's feature map.
const Grid = 7

// GradCAM computes the 7×7 heatmap (row-major, values in [0, 1]; all zero
// when nothing in the poster raises the score) for class. fmap is the
// uint8 NHWC map from mobilenet.Engine.Features with its scale and zero
// point, feature the pooled feature the head saw. grad, if not nil, is
// reused as scratch (len ≥ h.In).
func GradCAM(h *head.Head, fmap []uint8, scale float32, zp int32, feature []float32, class int, grad []float32) ([Grid * Grid]float32, error) {
	var out [Grid * Grid]float32
	C := h.In
	if len(fmap) != Grid*Grid*C || len(feature) != C {
		return out, fmt.Errorf("explain: map of %d values and feature of %d for a %d-input head", len(fmap), len(feature), C)
	}
	if class < 0 || class >= h.Out {
		return out, fmt.Errorf("explain: class %d out of range [0, %d)", class, h.Out)
	}
	return camOf(h.ScoreGradient(feature, class, grad), fmap, scale, zp), nil
}

// Upsample bilinearly resizes the 7×7 map to w×h (row-major into dst,
// len w·h), with the same pixel-centre alignment as image preprocessing,
// so cell (i, j) covers the poster region the backbone saw there (the
// poster is squashed to a square, so the map stretches back with it).
func Upsample(m [Grid * Grid]float32, w, h int, dst []float32) error {
	if w <= 0 || h <= 0 || len(dst) != w*h {
		return fmt.Errorf("explain: %d×%d upsample into %d values", w, h, len(dst))
	}
	coord := func(d, n int) (int, int, float32) {
		s := (float32(d)+0.5)*Grid/float32(n) - 0.5
		s = max(0, min(s, Grid-1))
		i0 := int(s)
		i1 := min(i0+1, Grid-1)
		return i0, i1, s - float32(i0)
	}
	for y := 0; y < h; y++ {
		y0, y1, fy := coord(y, h)
		for x := 0; x < w; x++ {
			x0, x1, fx := coord(x, w)
			top := m[y0*Grid+x0]*(1-fx) + m[y0*Grid+x1]*fx
			bot := m[y1*Grid+x0]*(1-fx) + m[y1*Grid+x1]*fx
			dst[y*w+x] = top*(1-fy) + bot*fy
		}
	}
	return nil
}
