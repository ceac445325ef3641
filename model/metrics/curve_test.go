package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// column1 builds an n×1 problem from one score and one truth column.
func column1(scores []float32, truth []uint8) ([]float32, []uint8, int) {
	return scores, truth, len(scores)
}

func TestPRCurve(t *testing.T) {
	for i, tc := range []struct {
		name   string
		scores []float32
		truth  []uint8
		want   []Point // decreasing threshold
		ap     float64
	}{
		{
			// 0: scikit-learn precision_recall_curve docstring,
			// y_true=[0,0,1,1], y_scores=[0.1,0.4,0.35,0.8]:
			// precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0],
			// thresholds [0.1, 0.35, 0.4, 0.8]. Reversed, and without the final
			// (1, 0) entry that has no threshold. average_precision_score on the
			// same input: 0.83 (docstring) = 0.5·1 + 0 + 0.5·(2/3) = 5/6.
			name:   "sklearn doc example",
			scores: []float32{0.1, 0.4, 0.35, 0.8},
			truth:  []uint8{0, 0, 1, 1},
			want: []Point{
				{0.8, 1, 0.5},
				{0.4, 0.5, 0.5},
				{0.35, 2.0 / 3, 1},
				{0.1, 0.5, 1},
			},
			ap: 5.0 / 6,
		},
		{
			// 1: ties, by hand. Sorted: 0.9 {+,−}, 0.5 {+,−}, 0.1 {+}.
			// Cumulative TP/FP: 1/1, 2/2, 3/2 of 3 positives.
			// AP = (1/3)·0.5 + (1/3)·0.5 + (1/3)·0.6 = 1.6/3.
			name:   "ties",
			scores: []float32{0.9, 0.9, 0.5, 0.5, 0.1},
			truth:  []uint8{1, 0, 1, 0, 1},
			want: []Point{
				{0.9, 0.5, 1.0 / 3},
				{0.5, 0.5, 2.0 / 3},
				{0.1, 0.6, 1},
			},
			ap: 1.6 / 3,
		},
		{
			// 2: no positives: scikit-learn sets recall to 1 at every threshold
			// (precision_recall_curve source, "No positive class found in
			// y_true"), and AP = 1·0 = 0.
			name:   "no positives",
			scores: []float32{0.2, 0.7},
			truth:  []uint8{0, 0},
			want:   []Point{{0.7, 0, 1}, {0.2, 0, 1}},
			ap:     0,
		},
		{
			// 3: NaN is never predicted but its positive still counts in recall:
			// at 0.6 TP 1 of 2 positives.
			name:   "NaN score",
			scores: []float32{float32(math.NaN()), 0.6, 0.2},
			truth:  []uint8{1, 1, 0},
			want:   []Point{{0.6, 1, 0.5}, {0.2, 0.5, 0.5}},
			ap:     0.5,
		},
		{
			// 4: nothing at all.
			name: "empty",
			want: []Point{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs, truth, n := column1(tc.scores, tc.truth)
			got := PRCurve(probs, truth, 0, n, 1)
			if len(got) != len(tc.want) {
				t.Fatalf("%d: got %d points %v, want %v", i, len(got), got, tc.want)
			}
			for k := range got {
				g, w := got[k], tc.want[k]
				if g.Threshold != w.Threshold || !near(float64(g.Precision), float64(w.Precision), 1e-7) ||
					!near(float64(g.Recall), float64(w.Recall), 1e-7) {
					t.Errorf("%d: point %d = %+v, want %+v", i, k, g, w)
				}
			}
			if ap := AveragePrecision(probs, truth, 0, n, 1); !near(ap, tc.ap, tol) {
				t.Errorf("%d: AP = %.15g, want %.15g", i, ap, tc.ap)
			}
		})
	}
}

func TestMeanAveragePrecision(t *testing.T) {
	// scikit-learn average_precision_score docstring, multiclass example:
	// y_true=[0,0,1,1,2,2] (one-hot), scores below → 0.77 (macro).
	// By hand: class 0 ranks +,{+,−},… → 0.5·1 + 0.5·(2/3) = 5/6;
	// class 1 ranks +,−,{−,+},… → 0.5 + 0.5·0.5 = 3/4; class 2 ranks
	// +,−,−,+,… → 0.5 + 0.5·0.5 = 3/4. Mean 7/9 = 0.777….
	probs := []float32{
		0.7, 0.2, 0.1,
		0.4, 0.3, 0.3,
		0.1, 0.8, 0.1,
		0.2, 0.3, 0.5,
		0.4, 0.4, 0.2,
		0.1, 0.2, 0.7,
	}
	truth := oneHot([]int{0, 0, 1, 1, 2, 2}, 3)
	for j, want := range []float64{5.0 / 6, 0.75, 0.75} {
		if ap := AveragePrecision(probs, truth, j, 6, 3); !near(ap, want, tol) {
			t.Errorf("AP[%d] = %.15g, want %.15g", j, ap, want)
		}
	}
	if got := MeanAveragePrecision(probs, truth, 6, 3); !near(got, 7.0/9, tol) || !near(got, 0.77, 0.01) {
		t.Errorf("mAP = %.15g, want 7/9 (docstring 0.77)", got)
	}
}

// sklearnAP is a literal port of scikit-learn's
// _binary_uninterpolated_average_precision applied to curves in
// precision_recall_curve order: increasing thresholds, then the (1, 0)
// sentinel; AP = max(0, −Σ diff(recall) · precision[:-1]).
func sklearnAP(precision, recall []float64) float64 {
	s := 0.0
	for k := 0; k+1 < len(recall); k++ {
		s += (recall[k+1] - recall[k]) * precision[k]
	}
	return math.Max(0, -s)
}

// TestAgainstBruteForce cross-checks PRCurve, AveragePrecision and
// BestF1Threshold on a larger random problem with many ties against
// independent computations: each curve point is re-derived by thresholding
// with Predict and scoring with Evaluate (scikit-learn's definition
// "element i is the precision of predictions with score >= thresholds[i]"),
// and AP by the literal port of scikit-learn's formula above.
func TestAgainstBruteForce(t *testing.T) {
	const n, L = 300, 6
	rng := rand.New(rand.NewPCG(1, 2))
	probs := make([]float32, n*L)
	truth := make([]uint8, n*L)
	for i := range probs {
		// Scores quantised to 1/40 so that ties are common; positives
		// score higher on average, with per-label prevalence from 3% to 53%.
		prev := 0.03 + 0.1*float64(i%L)
		if rng.Float64() < prev {
			truth[i] = 1
		}
		s := 0.7*rng.Float64() + 0.3*float64(truth[i])
		probs[i] = float32(math.Round(s*40) / 40)
	}
	labels := []string{"a", "b", "c", "d", "e", "f"}

	for j := 0; j < L; j++ {
		pts := PRCurve(probs, truth, j, n, L)
		distinct := map[float32]bool{}
		for i := 0; i < n; i++ {
			distinct[probs[i*L+j]] = true
		}
		if len(pts) != len(distinct) {
			t.Fatalf("label %d: %d points, want one per distinct score (%d)", j, len(pts), len(distinct))
		}
		var skP, skR []float64 // increasing thresholds, as scikit-learn returns them
		bestF1 := 0.0
		for k, p := range pts {
			if k > 0 && !(p.Threshold < pts[k-1].Threshold) {
				t.Fatalf("label %d: thresholds not strictly decreasing at %d", j, k)
			}
			r := Evaluate(Predict(probs, UniformThresholds(p.Threshold, L), n, L), truth, n, labels)
			s := r.PerLabel[j]
			if float32(s.Precision) != p.Precision || float32(s.Recall) != p.Recall {
				t.Errorf("label %d threshold %v: curve P,R = %v,%v; brute force %v,%v",
					j, p.Threshold, p.Precision, p.Recall, s.Precision, s.Recall)
			}
			skP = append([]float64{s.Precision}, skP...)
			skR = append([]float64{s.Recall}, skR...)
			bestF1 = max(bestF1, s.F1)
		}
		skP, skR = append(skP, 1), append(skR, 0)
		if got, want := AveragePrecision(probs, truth, j, n, L), sklearnAP(skP, skR); !near(got, want, 1e-12) {
			t.Errorf("label %d: AP = %.15g, sklearn formula %.15g", j, got, want)
		}

		th, f1 := BestF1Threshold(probs, truth, j, n, L)
		if !near(f1, bestF1, tol) {
			t.Errorf("label %d: BestF1Threshold F1 = %v, brute force max %v", j, f1, bestF1)
		}
		thr := UniformThresholds(0, L)
		thr[j] = th
		if got := EvaluateAt(probs, truth, thr, n, labels).PerLabel[j].F1; !near(got, f1, tol) {
			t.Errorf("label %d: F1 at returned threshold %v = %v, want %v", j, th, got, f1)
		}
	}
}

func TestBestF1Threshold(t *testing.T) {
	for i, tc := range []struct {
		scores []float32
		truth  []uint8
		th     float32
		f1     float64
	}{
		// 0: sklearn curve example. F1 = 2TP/(2TP+FP+FN): at 0.8 2/(2+0+1) = 2/3; at 0.4
		// 2/(2+1+1) = 0.5; at 0.35 4/(4+1+0) = 0.8; at 0.1 4/(4+2+0) = 2/3.
		{[]float32{0.1, 0.4, 0.35, 0.8}, []uint8{0, 0, 1, 1}, 0.35, 0.8},
		// 1: tie between 0.9 (2/(2+0+1)) and 0.5 (4/(4+2+0)): both 2/3,
		// the higher threshold wins.
		{[]float32{0.9, 0.5, 0.5, 0.5}, []uint8{1, 1, 0, 0}, 0.9, 2.0 / 3},
		// 2: no positives: just above the top score, F1 0.
		{[]float32{0.2, 0.7}, []uint8{0, 0}, math.Nextafter32(0.7, 1), 0},
		// 3: no scores.
		{nil, nil, 1, 0},
	} {
		probs, truth, n := column1(tc.scores, tc.truth)
		th, f1 := BestF1Threshold(probs, truth, 0, n, 1)
		if th != tc.th || !near(f1, tc.f1, tol) {
			t.Errorf("%d: BestF1Threshold = %v, %v, want %v, %v", i, th, f1, tc.th, tc.f1)
		}
	}
	if got := BestF1Thresholds([]float32{0.1, 0.9, 0.4, 0.2}, []uint8{0, 1, 1, 0}, 2, 2); !slices.Equal(got, []float32{0.4, 0.9}) {
		t.Errorf("BestF1Thresholds = %v, want [0.4 0.9]", got)
	}
}

func TestDownsample(t *testing.T) {
	// Recall runs: 0.1, then 0.5 ×4, then 1 ×2. drop_intermediate keeps
	// the first and last of each run: indices 0, 1, 4, 5, 6.
	pts := []Point{
		{0.9, 1, 0.1},
		{0.8, 0.9, 0.5}, {0.7, 0.8, 0.5}, {0.6, 0.7, 0.5}, {0.5, 0.6, 0.5},
		{0.4, 0.55, 1}, {0.3, 0.5, 1},
	}
	if got := Downsample(pts, 7); !slices.Equal(got, pts) {
		t.Errorf("Downsample(7) changed a curve that fits")
	}
	want := []Point{pts[0], pts[1], pts[4], pts[5], pts[6]}
	if got := Downsample(pts, 6); !slices.Equal(got, want) {
		t.Errorf("Downsample(6) = %v, want %v", got, want)
	}
	if got := Downsample(pts, 2); !slices.Equal(got, []Point{pts[0], pts[6]}) {
		t.Errorf("Downsample(2) = %v, want endpoints", got)
	}

	// A long random curve: bounded, endpoints kept, order kept.
	const n = 5000
	rng := rand.New(rand.NewPCG(3, 4))
	probs := make([]float32, n)
	truth := make([]uint8, n)
	for i := range probs {
		probs[i] = rng.Float32()
		if rng.Float32() < probs[i]*0.5 {
			truth[i] = 1
		}
	}
	long := PRCurve(probs, truth, 0, n, 1)
	for _, m := range []int{2, 3, 50, 200} {
		got := Downsample(long, m)
		if len(got) > m || len(got) < 2 || got[0] != long[0] || got[len(got)-1] != long[len(long)-1] {
			t.Errorf("Downsample(%d): %d points, endpoints %v %v", m, len(got), got[0], got[len(got)-1])
		}
		for k := 1; k < len(got); k++ {
			if !(got[k].Threshold < got[k-1].Threshold) {
				t.Errorf("Downsample(%d): order broken at %d", m, k)
			}
		}
	}
	if got := Downsample(long, 200); len(got) < 100 { // targets that round to the same point merge
		t.Errorf("Downsample(200) kept only %d points", len(got))
	}
}
