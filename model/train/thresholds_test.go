package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTuneThresholds(t *testing.T) {
	// Expected values worked out by hand from the candidate rule in the doc
	// comment (midpoints of consecutive distinct probabilities, plus 0.5).
	cases := []struct {
		name  string
		probs []float32
		y     []uint8
		want  float32
	}{
		{"separable around 0.5 keeps 0.5", []float32{0.9, 0.8, 0.3, 0.2}, []uint8{1, 1, 0, 0}, 0.5},
		{"separable at low probabilities", []float32{0.3, 0.2, 0.1, 0.05}, []uint8{1, 1, 0, 0}, 0.15},
		{"no positives keeps 0.5", []float32{0.9, 0.1}, []uint8{0, 0}, 0.5},
		{"all positive predicts all", []float32{0.2, 0.4}, []uint8{1, 1}, 0.1},
		// F1: {0.95}: 2/3, {0.95,0.9}: 1/2, +0.1: 2/5, all: 2/3; tie between
		// 0.925 and 0.025 goes to the one closer to 0.5.
		{"tie goes closer to 0.5", []float32{0.95, 0.9, 0.1, 0.05}, []uint8{1, 0, 0, 1}, 0.925},
		// One distinct value: predicting all (t=0.35) ties with t=0.5.
		{"equal probabilities", []float32{0.7, 0.7, 0.7}, []uint8{1, 0, 1}, 0.5},
		{"best in the middle", []float32{0.9, 0.8, 0.7, 0.6}, []uint8{1, 0, 1, 0}, 0.65},
		{"saturated probabilities", []float32{1, 1, 0, 0}, []uint8{1, 1, 0, 0}, 0.5},
		{"empty", nil, nil, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TuneThresholds(c.probs, c.y, len(c.probs), 1)
			if math.Abs(float64(got[0]-c.want)) > 1e-6 {
				t.Errorf("threshold = %v, want %v", got[0], c.want)
			}
		})
	}
}

// TestTuneThresholdsIsOptimal compares against a brute force over every
// threshold that can change the predictions, on random multi-label data.
func TestTuneThresholdsIsOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	const n, N = 300, 5
	probs := make([]float32, n*N)
	y := make([]uint8, n*N)
	for i := range probs {
		y[i] = b2u(r.Float64() < 0.2)
		// Coarse probabilities so that ties occur; informative but noisy.
		probs[i] = float32(math.Round((0.3*float64(y[i])+0.7*r.Float64())*50) / 50)
	}
	thr := TuneThresholds(probs, y, n, N)
	f1At := func(j int, t float32) float64 {
		var tp, fp, fn int
		for row := range n {
			pred, pos := probs[row*N+j] >= t, y[row*N+j] == 1
			switch {
			case pred && pos:
				tp++
			case pred:
				fp++
			case pos:
				fn++
			}
		}
		return ratio(2*tp, 2*tp+fp+fn)
	}
	for j := range N {
		var best float64
		for row := range n {
			best = math.Max(best, f1At(j, probs[row*N+j]))
		}
		if got := f1At(j, thr[j]); math.Abs(got-best) > 1e-12 {
			t.Errorf("label %d: F1 at tuned %v = %v, brute-force best %v", j, thr[j], got, best)
		}
	}
}

func TestTuneThresholdsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic on mismatched sizes")
		}
	}()
	TuneThresholds(make([]float32, 5), make([]uint8, 6), 3, 2)
}
