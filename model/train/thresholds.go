package train

import (
	"fmt"
	"math"
	"sort"
)

// TuneThresholds chooses, for each of the N labels, the probability threshold
// that maximises F1 on the given validation predictions. probs and y are n×N
// row-major; label j is predicted when probs[r*N+j] >= threshold[j].
//
// Candidates: with p_1 > p_2 > … > p_m the distinct probabilities of a label,
// the candidate between p_k and p_{k+1} is their midpoint (p_{m+1} = 0), plus
// 0.5 itself. A midpoint gives the same validation F1 as the sorted
// probabilities themselves would, but leaves a margin on both sides, so a test
// probability a hair below a validation one is not flipped. Ties in F1
// (compared exactly, as fractions) go to the candidate closest to 0.5. A label
// with no positives in the validation set keeps 0.5.
//
// It panics if the slices do not hold n×N values.
func TuneThresholds(probs []float32, y []uint8, n, N int) []float32 {
	if n < 0 || N < 0 || len(probs) != n*N || len(y) != n*N {
		panic(fmt.Sprintf("train: TuneThresholds: len(probs)=%d, len(y)=%d, want n·N = %d·%d", len(probs), len(y), n, N))
	}
	out := make([]float32, N)
	for j := range N {
		out[j] = 0.5
		s := sweep(probs, y, n, N, j)
		if s.pos == 0 {
			continue
		}
		// The state at 0.5: everything with p >= 0.5 predicted.
		best := f1Frac{}
		for r := range n {
			if probs[r*N+j] >= 0.5 {
				best.tp += int(y[r*N+j])
				best.pred++
			}
		}
		best.pos = s.pos
		bestT := float32(0.5)
		for k, st := range s.states {
			next := float32(0)
			if k+1 < len(s.states) {
				next = s.states[k+1].p
			}
			t := midpoint(st.p, next)
			c := f1Frac{tp: st.tp, pred: st.tp + st.fp, pos: s.pos}
			switch cmp := c.cmp(best); {
			case cmp > 0, cmp == 0 && math.Abs(float64(t)-0.5) < math.Abs(float64(bestT)-0.5):
				best, bestT = c, t
			}
		}
		out[j] = bestT
	}
	return out
}

// midpoint returns a threshold t with next < t <= p, halfway when float32
// rounding allows (p > next >= 0).
func midpoint(p, next float32) float32 {
	t := float32((float64(p) + float64(next)) / 2)
	if t <= next || t > p {
		return p
	}
	return t
}

// f1Frac is F1 = 2tp/(pred+pos) kept as integers for exact comparison.
type f1Frac struct{ tp, pred, pos int }

// cmp returns the sign of F1(a) − F1(b).
func (a f1Frac) cmp(b f1Frac) int {
	l := int64(a.tp) * int64(b.pred+b.pos)
	r := int64(b.tp) * int64(a.pred+a.pos)
	switch {
	case l > r:
		return 1
	case l < r:
		return -1
	}
	return 0
}

// sweepState is the confusion count when every row with probability >= p is
// predicted positive.
type sweepState struct {
	p      float32
	tp, fp int
}

type labelSweep struct {
	pos    int
	states []sweepState // by decreasing p, one per distinct probability
}

// sweep sorts label j's probabilities in decreasing order and accumulates
// tp and fp at each distinct value.
func sweep(probs []float32, y []uint8, n, N, j int) labelSweep {
	idx := make([]int, n)
	for r := range idx {
		idx[r] = r
	}
	sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]*N+j] > probs[idx[b]*N+j] })
	var s labelSweep
	tp, fp := 0, 0
	for k, r := range idx {
		if y[r*N+j] == 1 {
			tp++
			s.pos++
		} else {
			fp++
		}
		p := probs[r*N+j]
		if k+1 == n || probs[idx[k+1]*N+j] != p {
			s.states = append(s.states, sweepState{p: p, tp: tp, fp: fp})
		}
	}
	return s
}
