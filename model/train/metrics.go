package train

import (
	"posterity/model/head"
)

// counts holds per-label confusion counts.
type counts struct{ tp, fp, fn []int }

// confusion counts predictions of n rows of probs (n×N) against y: label j is
// predicted when probs >= thr[j] or, when argmax is set, for the single
// highest-probability label of the row (the first on ties).
func confusion(probs []float32, y []uint8, n, N int, thr []float32, argmax bool) counts {
	c := counts{make([]int, N), make([]int, N), make([]int, N)}
	for r := range n {
		row, yr := probs[r*N:(r+1)*N], y[r*N:(r+1)*N]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		for j, p := range row {
			pred := p >= thr[j]
			if argmax {
				pred = j == best
			}
			switch {
			case pred && yr[j] == 1:
				c.tp[j]++
			case pred:
				c.fp[j]++
			case yr[j] == 1:
				c.fn[j]++
			}
		}
	}
	return c
}

// ratio is a/b, or 0 when b is 0 (scikit-learn's zero_division=0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// f1 returns micro-F1 (pooled counts) and macro-F1 (mean of per-label F1,
// a label with 2tp+fp+fn = 0 counting as 0 as in scikit-learn's default).
func (c counts) f1() (micro, macro float64) {
	var tp, fp, fn int
	for j := range c.tp {
		tp += c.tp[j]
		fp += c.fp[j]
		fn += c.fn[j]
		macro += ratio(2*c.tp[j], 2*c.tp[j]+c.fp[j]+c.fn[j])
	}
	if len(c.tp) > 0 {
		macro /= float64(len(c.tp))
	}
	return ratio(2*tp, 2*tp+fp+fn), macro
}

func (c counts) perLabel(labels []string, thr []float32) []head.LabelMetrics {
	out := make([]head.LabelMetrics, len(labels))
	for j, l := range labels {
		out[j] = head.LabelMetrics{
			Label:     l,
			Precision: ratio(c.tp[j], c.tp[j]+c.fp[j]),
			Recall:    ratio(c.tp[j], c.tp[j]+c.fn[j]),
			F1:        ratio(2*c.tp[j], 2*c.tp[j]+c.fp[j]+c.fn[j]),
			Support:   c.tp[j] + c.fn[j],
			Threshold: thr[j],
		}
	}
	return out
}

// maxCurvePoints bounds each stored precision–recall curve.
const maxCurvePoints = 32

// prCurves returns, for each label with positives, its precision–recall
// curve ({recall, precision} by decreasing threshold) downsampled to at most
// maxCurvePoints points, first and last kept.
func prCurves(probs []float32, y []uint8, n, N int, labels []string) []head.Curve {
	var out []head.Curve
	for j := range N {
		s := sweep(probs, y, n, N, j)
		if s.pos == 0 {
			continue
		}
		m := len(s.states)
		k := min(m, maxCurvePoints)
		c := head.Curve{Label: labels[j], Points: make([][2]float32, k)}
		for i := range k {
			st := s.states[0]
			if k > 1 {
				st = s.states[i*(m-1)/(k-1)]
			}
			c.Points[i] = [2]float32{float32(ratio(st.tp, s.pos)), float32(ratio(st.tp, st.tp+st.fp))}
		}
		out = append(out, c)
	}
	return out
}
