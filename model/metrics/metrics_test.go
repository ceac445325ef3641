package metrics

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// tol is the tolerance for values that are exact fractions computed in
// float64 (a few ulps of accumulated rounding).
const tol = 1e-12

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

// oneHot turns class indices into an n×L indicator matrix.
func oneHot(classes []int, L int) []uint8 {
	m := make([]uint8, len(classes)*L)
	for i, c := range classes {
		m[i*L+c] = 1
	}
	return m
}

func flat(rows [][]uint8) []uint8 {
	var m []uint8
	for _, r := range rows {
		m = append(m, r...)
	}
	return m
}

// want lists expected Report values; per-label slices are in label order.
type want struct {
	microP, microR, microF1 float64
	macroP, macroR, macroF1 float64
	labelAcc, subsetAcc     float64
	hamming, samplesF1      float64
	p, r, f1                []float64
	support                 []int
}

func checkReport(t *testing.T, got Report, w want) {
	t.Helper()
	scalars := []struct {
		name      string
		got, want float64
	}{
		{"MicroPrecision", got.MicroPrecision, w.microP},
		{"MicroRecall", got.MicroRecall, w.microR},
		{"MicroF1", got.MicroF1, w.microF1},
		{"MacroPrecision", got.MacroPrecision, w.macroP},
		{"MacroRecall", got.MacroRecall, w.macroR},
		{"MacroF1", got.MacroF1, w.macroF1},
		{"LabelAccuracy", got.LabelAccuracy, w.labelAcc},
		{"SubsetAccuracy", got.SubsetAccuracy, w.subsetAcc},
		{"HammingLoss", got.HammingLoss, w.hamming},
		{"SamplesF1", got.SamplesF1, w.samplesF1},
	}
	for _, s := range scalars {
		if !near(s.got, s.want, tol) {
			t.Errorf("%s = %.15g, want %.15g", s.name, s.got, s.want)
		}
	}
	if len(got.PerLabel) != len(w.f1) {
		t.Fatalf("len(PerLabel) = %d, want %d", len(got.PerLabel), len(w.f1))
	}
	for j, s := range got.PerLabel {
		if !near(s.Precision, w.p[j], tol) || !near(s.Recall, w.r[j], tol) || !near(s.F1, w.f1[j], tol) {
			t.Errorf("label %d (%s): P,R,F1 = %.6g,%.6g,%.6g, want %.6g,%.6g,%.6g",
				j, s.Label, s.Precision, s.Recall, s.F1, w.p[j], w.r[j], w.f1[j])
		}
		if s.Support != w.support[j] {
			t.Errorf("label %d support = %d, want %d", j, s.Support, w.support[j])
		}
		if s.TP+s.FP+s.FN+s.TN != got.N {
			t.Errorf("label %d counts sum to %d, want n = %d", j, s.TP+s.FP+s.FN+s.TN, got.N)
		}
	}
}

func TestEvaluate(t *testing.T) {
	for i, tc := range []struct {
		name        string
		pred, truth []uint8
		n           int
		labels      []string
		want        want
	}{
		{
			// 0: scikit-learn f1_score / precision_score / recall_score docstring
			// example, y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1], one-hot encoded.
			// Docs: f1 macro 0.26..., micro 0.33..., None [0.8, 0, 0];
			// precision macro 0.22..., micro 0.33...; recall macro 0.33..., micro 0.33....
			// By hand: class 0 has TP=2 FP=1 FN=0, classes 1 and 2 have TP=0, so
			// P=[2/3,0,0], R=[1,0,0], F1=[0.8,0,0]; micro TP=2 FP=4 FN=4 → 1/3.
			// Exact match = accuracy = 2/6; 8 of 18 cells wrong (2 per error);
			// samples F1 is 1 for a right row and 0 for a wrong one → 2/6.
			name:   "sklearn multiclass doc example",
			pred:   oneHot([]int{0, 2, 1, 0, 0, 1}, 3),
			truth:  oneHot([]int{0, 1, 2, 0, 1, 2}, 3),
			n:      6,
			labels: []string{"a", "b", "c"},
			want: want{
				microP: 1.0 / 3, microR: 1.0 / 3, microF1: 1.0 / 3,
				macroP: 2.0 / 9, macroR: 1.0 / 3, macroF1: 0.8 / 3,
				labelAcc: 10.0 / 18, subsetAcc: 2.0 / 6, hamming: 8.0 / 18, samplesF1: 2.0 / 6,
				p: []float64{2.0 / 3, 0, 0}, r: []float64{1, 0, 0}, f1: []float64{0.8, 0, 0},
				support: []int{2, 2, 2},
			},
		},
		{
			// 1: scikit-learn multilabel docstring example,
			// y_true=[[0,0,0],[1,1,1],[0,1,1]], y_pred=[[0,0,0],[1,1,1],[1,1,0]].
			// Docs: precision_score(average=None) = [0.5, 1, 1],
			// f1_score(average=None) = [0.667, 1, 0.667].
			// By hand: recall [1, 1, 0.5]; micro TP=4 FP=1 FN=1 → 0.8 each;
			// rows 0 and 1 exact → 2/3; 2 of 9 cells wrong; samples F1 per row:
			// row 0 empty/empty → 0 (zero_division=0), row 1 → 1,
			// row 2 2·1/(2+2) = 0.5 → mean 0.5.
			name:   "sklearn multilabel doc example",
			pred:   flat([][]uint8{{0, 0, 0}, {1, 1, 1}, {1, 1, 0}}),
			truth:  flat([][]uint8{{0, 0, 0}, {1, 1, 1}, {0, 1, 1}}),
			n:      3,
			labels: []string{"a", "b", "c"},
			want: want{
				microP: 0.8, microR: 0.8, microF1: 0.8,
				macroP: 2.5 / 3, macroR: 2.5 / 3, macroF1: (2.0/3 + 1 + 2.0/3) / 3,
				labelAcc: 7.0 / 9, subsetAcc: 2.0 / 3, hamming: 2.0 / 9, samplesF1: 0.5,
				p: []float64{0.5, 1, 1}, r: []float64{1, 1, 0.5}, f1: []float64{2.0 / 3, 1, 2.0 / 3},
				support: []int{1, 2, 2},
			},
		},
		{
			// 2: scikit-learn hamming_loss docstring: truth [[0,1],[1,1]],
			// pred zeros → 0.75. Everything else is 0: nothing is predicted.
			name:   "sklearn hamming_loss doc example",
			pred:   make([]uint8, 4),
			truth:  flat([][]uint8{{0, 1}, {1, 1}}),
			n:      2,
			labels: []string{"a", "b"},
			want: want{
				labelAcc: 0.25, hamming: 0.75,
				p: []float64{0, 0}, r: []float64{0, 0}, f1: []float64{0, 0},
				support: []int{1, 2},
			},
		},
		{
			// 3: scikit-learn accuracy_score docstring: truth [[0,1],[1,1]],
			// pred ones → subset accuracy 0.5. By hand: label a TP=1 FP=1,
			// label b TP=2; micro TP=3 FP=1 → P=0.75, F1=6/7; samples F1 per
			// row 2·1/(1+2) = 2/3 and 1 → 5/6.
			name:   "sklearn accuracy_score doc example",
			pred:   []uint8{1, 1, 1, 1},
			truth:  flat([][]uint8{{0, 1}, {1, 1}}),
			n:      2,
			labels: []string{"a", "b"},
			want: want{
				microP: 0.75, microR: 1, microF1: 6.0 / 7,
				macroP: 0.75, macroR: 1, macroF1: (2.0/3 + 1) / 2,
				labelAcc: 0.75, subsetAcc: 0.5, hamming: 0.25, samplesF1: 5.0 / 6,
				p: []float64{0.5, 1}, r: []float64{1, 1}, f1: []float64{2.0 / 3, 1},
				support: []int{1, 2},
			},
		},
		{
			// 4: no posters: every ratio is 0, nothing is NaN.
			name:   "empty",
			n:      0,
			labels: []string{"a"},
			want: want{
				p: []float64{0}, r: []float64{0}, f1: []float64{0}, support: []int{0},
			},
		},
		{
			// 5: nonzero values other than 1 count as positive.
			name:   "nonzero is positive",
			pred:   []uint8{255, 0},
			truth:  []uint8{7, 0},
			n:      2,
			labels: []string{"a"},
			want: want{
				microP: 1, microR: 1, microF1: 1, macroP: 1, macroR: 1, macroF1: 1,
				labelAcc: 1, subsetAcc: 1, samplesF1: 0.5, // row 1 is empty/empty → 0
				p: []float64{1}, r: []float64{1}, f1: []float64{1}, support: []int{1},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.pred, tc.truth, tc.n, tc.labels)
			if got.N != tc.n || !reflect.DeepEqual(got.Labels, tc.labels) {
				t.Errorf("case %d: N, Labels = %d, %v", i, got.N, got.Labels)
			}
			checkReport(t, got, tc.want)
		})
	}
}

func TestBaselines(t *testing.T) {
	// Four validation posters, by hand:
	//   p0 Drama+Romance, p1 Comedy, p2 Horror, p3 Drama+Comedy.
	// Training counts put Drama first and tie Comedy with Romance; the tie
	// goes to the earlier label, so top-2 predicts {Drama, Comedy} for all.
	labels := []string{"Drama", "Comedy", "Horror", "Romance"}
	truth := flat([][]uint8{{1, 0, 0, 1}, {0, 1, 0, 0}, {0, 0, 1, 0}, {1, 1, 0, 0}})
	train := []int{50, 40, 10, 40}

	if got := TopLabels(train, 2); !reflect.DeepEqual(got, []int{0, 1}) {
		t.Fatalf("TopLabels = %v, want [0 1]", got)
	}

	t.Run("top2", func(t *testing.T) {
		// Drama: TP 2 (p0,p3) FP 2 → P .5 R 1 F1 2/3; Comedy likewise;
		// Horror and Romance are never predicted → 0.
		// Micro TP 4 FP 4 FN 2 → P .5, R 4/6, F1 8/14. 6 of 16 cells wrong.
		// Only p3 is exact. Samples F1: p0 2·1/4, p1 2·1/3, p2 0, p3 1.
		checkReport(t, BaselineTopK(truth, 4, labels, train, 2), want{
			microP: 0.5, microR: 4.0 / 6, microF1: 8.0 / 14,
			macroP: 0.25, macroR: 0.5, macroF1: (4.0 / 3) / 4,
			labelAcc: 10.0 / 16, subsetAcc: 0.25, hamming: 6.0 / 16,
			samplesF1: (0.5 + 2.0/3 + 0 + 1) / 4,
			p:         []float64{0.5, 0.5, 0, 0}, r: []float64{1, 1, 0, 0},
			f1: []float64{2.0 / 3, 2.0 / 3, 0, 0}, support: []int{2, 2, 1, 1},
		})
	})
	t.Run("all", func(t *testing.T) {
		// Every label predicted: precision = prevalence, recall = 1,
		// F1 = 2p/(1+p): 2/3, 2/3, 0.4, 0.4. Micro TP 6 FP 10 → P 6/16,
		// F1 12/22. Samples F1: 2·2/(2+4), 2/5, 2/5, 2·2/(2+4).
		checkReport(t, BaselineAll(truth, 4, labels), want{
			microP: 6.0 / 16, microR: 1, microF1: 12.0 / 22,
			macroP: (0.5 + 0.5 + 0.25 + 0.25) / 4, macroR: 1, macroF1: (2.0/3 + 2.0/3 + 0.4 + 0.4) / 4,
			labelAcc: 6.0 / 16, subsetAcc: 0, hamming: 10.0 / 16,
			samplesF1: (2.0/3 + 0.4 + 0.4 + 2.0/3) / 4,
			p:         []float64{0.5, 0.5, 0.25, 0.25}, r: []float64{1, 1, 1, 1},
			f1: []float64{2.0 / 3, 2.0 / 3, 0.4, 0.4}, support: []int{2, 2, 1, 1},
		})
	})
}

func TestTopLabels(t *testing.T) {
	for i, tc := range []struct {
		counts []int
		k      int
		want   []int
	}{
		{[]int{3, 9, 9, 1}, 2, []int{1, 2}}, // 0: tie → lower index first
		{[]int{3, 9, 9, 1}, 9, []int{1, 2, 0, 3}},
		{[]int{3, 9}, 0, []int{}},
		{[]int{3, 9}, -1, []int{}},
		{nil, 2, []int{}},
	} {
		if got := TopLabels(tc.counts, tc.k); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d: TopLabels(%v, %d) = %v, want %v", i, tc.counts, tc.k, got, tc.want)
		}
	}
}

func TestPredict(t *testing.T) {
	nan := float32(math.NaN())
	probs := []float32{
		0.5, 0.49, 0.9,
		0.3, 0.3, nan,
	}
	// Column thresholds 0.5, 0.3, 0.95; equality predicts positive, NaN never.
	got := Predict(probs, []float32{0.5, 0.3, 0.95}, 2, 3)
	want := []uint8{1, 1, 0, 0, 1, 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Predict = %v, want %v", got, want)
	}

	r := EvaluateAt(probs, []uint8{1, 1, 0, 0, 1, 1}, []float32{0.5, 0.3, 0.95}, 2, []string{"a", "b", "c"})
	if th := r.Thresholds(); !reflect.DeepEqual(th, []float32{0.5, 0.3, 0.95}) {
		t.Errorf("Thresholds = %v", th)
	}
	// Same predictions as above: a TP, b TP TP, c FN → micro TP 3 FN 1.
	if !near(r.MicroRecall, 0.75, tol) || !near(r.MicroPrecision, 1, tol) {
		t.Errorf("micro P, R = %v, %v, want 1, 0.75", r.MicroPrecision, r.MicroRecall)
	}
}

func TestLabelCounts(t *testing.T) {
	got := LabelCounts(flat([][]uint8{{1, 0, 0, 1}, {0, 1, 0, 0}, {0, 0, 1, 0}, {1, 1, 0, 0}}), 4, 4)
	if want := []int{2, 2, 1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("LabelCounts = %v, want %v", got, want)
	}
}

func TestPanics(t *testing.T) {
	for i, f := range []func(){
		func() { Predict(make([]float32, 5), make([]float32, 3), 2, 3) },
		func() { Predict(make([]float32, 6), make([]float32, 2), 2, 3) },
		func() { Evaluate(make([]uint8, 6), make([]uint8, 5), 2, []string{"a", "b", "c"}) },
		func() { BaselineTopK(make([]uint8, 6), 2, []string{"a", "b", "c"}, []int{1, 2}, 1) },
		func() { PRCurve(make([]float32, 6), make([]uint8, 6), 3, 2, 3) },
		func() { Downsample(nil, 1) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "metrics: ") {
					t.Errorf("%d: recovered %v, want a panic prefixed %q", i, r, "metrics: ")
				}
			}()
			f()
		}()
	}
}

func TestReportJSON(t *testing.T) {
	labels := []string{"Drama", "Comedy", "Sci-Fi & <Fantasy>"}
	truth := flat([][]uint8{{1, 0, 1}, {0, 1, 0}, {1, 1, 0}})
	r := EvaluateAt([]float32{0.9, 0.2, 0.6, 0.1, 0.8, 0.4, 0.7, 0.3, 0.1}, truth,
		[]float32{0.5, 0.25, 0.5}, 3, labels)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}

	// The shape printed by "posterity eval --json".
	var shape struct {
		MicroF1  *float64 `json:"micro_f1"`
		MacroF1  *float64 `json:"macro_f1"`
		NPosters *int     `json:"n_posters"`
		PerGenre map[string]struct {
			Precision, Recall, F1 *float64
			Support               *int
		} `json:"per_genre"`
	}
	if err := json.Unmarshal(b, &shape); err != nil {
		t.Fatal(err)
	}
	if shape.MicroF1 == nil || *shape.MicroF1 != r.MicroF1 || shape.MacroF1 == nil || *shape.MacroF1 != r.MacroF1 ||
		shape.NPosters == nil || *shape.NPosters != 3 {
		t.Errorf("top-level keys wrong in %s", b)
	}
	if len(shape.PerGenre) != 3 {
		t.Fatalf("per_genre has %d entries, want 3: %s", len(shape.PerGenre), b)
	}
	for _, s := range r.PerLabel {
		g, ok := shape.PerGenre[s.Label]
		if !ok || g.Precision == nil || g.Recall == nil || g.F1 == nil || g.Support == nil {
			t.Fatalf("per_genre[%q] missing fields: %s", s.Label, b)
		}
		if *g.Precision != s.Precision || *g.Recall != s.Recall || *g.F1 != s.F1 || *g.Support != s.Support {
			t.Errorf("per_genre[%q] = %+v, want %+v", s.Label, g, s)
		}
	}
	for _, key := range []string{`"micro_precision"`, `"label_accuracy"`, `"subset_accuracy"`, `"samples_f1"`, `"threshold":0.25`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}

	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, r)
	}

	dup := Evaluate([]uint8{0, 0}, []uint8{0, 0}, 1, []string{"x", "x"})
	if _, err := json.Marshal(dup); err == nil {
		t.Error("duplicate labels encoded without error")
	}
}
