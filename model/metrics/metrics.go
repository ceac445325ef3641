package metrics

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Predict thresholds an n×L matrix of scores: cell (i, j) of the result is 1
// when probs[i*L+j] >= thresholds[j] and 0 otherwise (also for NaN scores).
// It panics unless len(probs) == n*L and len(thresholds) == L.
func Predict(probs []float32, thresholds []float32, n, L int) []uint8 {
	checkShape("Predict", "probs", len(probs), n, L)
	if len(thresholds) != L {
		panic(fmt.Sprintf("metrics: Predict: len(thresholds) = %d, want L = %d", len(thresholds), L))
	}
	pred := make([]uint8, n*L)
	for i := 0; i < n; i++ {
		row := probs[i*L : (i+1)*L]
		for j, p := range row {
			if p >= thresholds[j] { // false for NaN
				pred[i*L+j] = 1
			}
		}
	}
	return pred
}

// UniformThresholds returns L copies of t, for example the untuned
// thresholds 0.5 that the tuned ones are compared against.
func UniformThresholds(t float32, L int) []float32 {
	th := make([]float32, L)
	for j := range th {
		th[j] = t
	}
	return th
}

// LabelStats holds the confusion counts and scores of one label (genre).
// Support is the number of true positives plus false negatives, i.e. the
// number of posters that truly have the genre. Threshold is the decision
// threshold that produced the predictions when known (see EvaluateAt); it is
// 0 and omitted from JSON when the predictions were given directly.
type LabelStats struct {
	Label     string  `json:"label"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
	Threshold float32 `json:"threshold,omitempty"`
}

// Report holds the scores of one n×L prediction matrix against the truth.
//
// Micro scores pool the confusion counts of all labels before dividing;
// macro scores are the unweighted mean of the per-label scores. LabelAccuracy
// is the fraction of the n×L cells predicted right and HammingLoss is
// 1-LabelAccuracy; with sparse labels both look good for a model that
// predicts nothing, so read them next to the baselines. SubsetAccuracy is
// the fraction of posters whose whole genre set is exactly right. SamplesF1
// is the mean over posters of the F1 between predicted and true genre sets
// (scikit-learn's average='samples').
//
// A Report encodes to JSON with snake_case keys; see MarshalJSON.
type Report struct {
	N              int          `json:"n_posters"`
	Labels         []string     `json:"labels"`
	MicroPrecision float64      `json:"micro_precision"`
	MicroRecall    float64      `json:"micro_recall"`
	MicroF1        float64      `json:"micro_f1"`
	MacroPrecision float64      `json:"macro_precision"`
	MacroRecall    float64      `json:"macro_recall"`
	MacroF1        float64      `json:"macro_f1"`
	LabelAccuracy  float64      `json:"label_accuracy"`
	SubsetAccuracy float64      `json:"subset_accuracy"`
	HammingLoss    float64      `json:"hamming_loss"`
	SamplesF1      float64      `json:"samples_f1"`
	PerLabel       []LabelStats `json:"-"` // encoded as "per_genre"
}

// Evaluate scores the n×L prediction matrix pred against truth, with one
// column per entry of labels (so L = len(labels)). See the package
// documentation for the conventions on undefined ratios.
// It panics unless len(pred) == len(truth) == n*L.
func Evaluate(pred []uint8, truth []uint8, n int, labels []string) Report {
	L := len(labels)
	checkShape("Evaluate", "pred", len(pred), n, L)
	checkShape("Evaluate", "truth", len(truth), n, L)

	r := Report{N: n, Labels: append([]string(nil), labels...), PerLabel: make([]LabelStats, L)}
	for j := range r.PerLabel {
		r.PerLabel[j].Label = labels[j]
	}
	exact := 0
	samplesF1 := 0.0
	for i := 0; i < n; i++ {
		rowTP, rowPred, rowTrue := 0, 0, 0
		for j := 0; j < L; j++ {
			p, t := pred[i*L+j] != 0, truth[i*L+j] != 0
			s := &r.PerLabel[j]
			switch {
			case p && t:
				s.TP++
			case p && !t:
				s.FP++
			case !p && t:
				s.FN++
			default:
				s.TN++
			}
			if p && t {
				rowTP++
			}
			if p {
				rowPred++
			}
			if t {
				rowTrue++
			}
		}
		if rowPred == rowTrue && rowTP == rowTrue {
			exact++
		}
		// F1 of the two genre sets: 2|T∩P| / (|T|+|P|); 0 when both are empty.
		samplesF1 += ratio(2*rowTP, rowTrue+rowPred)
	}

	var tp, fp, fn, tn int
	for j := range r.PerLabel {
		s := &r.PerLabel[j]
		s.Support = s.TP + s.FN
		s.Precision, s.Recall, s.F1 = prf(s.TP, s.FP, s.FN)
		tp, fp, fn, tn = tp+s.TP, fp+s.FP, fn+s.FN, tn+s.TN
		r.MacroPrecision += s.Precision
		r.MacroRecall += s.Recall
		r.MacroF1 += s.F1
	}
	if L > 0 {
		r.MacroPrecision /= float64(L)
		r.MacroRecall /= float64(L)
		r.MacroF1 /= float64(L)
	}
	r.MicroPrecision, r.MicroRecall, r.MicroF1 = prf(tp, fp, fn)
	if cells := n * L; cells > 0 {
		r.LabelAccuracy = ratio(tp+tn, cells)
		r.HammingLoss = ratio(fp+fn, cells)
	}
	if n > 0 {
		r.SubsetAccuracy = ratio(exact, n)
		r.SamplesF1 = samplesF1 / float64(n)
	}
	return r
}

// EvaluateAt thresholds probs with one threshold per label (see Predict),
// scores the result with Evaluate and records each label's threshold in
// PerLabel.
func EvaluateAt(probs []float32, truth []uint8, thresholds []float32, n int, labels []string) Report {
	r := Evaluate(Predict(probs, thresholds, n, len(labels)), truth, n, labels)
	for j := range r.PerLabel {
		r.PerLabel[j].Threshold = thresholds[j]
	}
	return r
}

// Thresholds returns the per-label thresholds recorded by EvaluateAt, in
// label order.
func (r Report) Thresholds() []float32 {
	th := make([]float32, len(r.PerLabel))
	for j, s := range r.PerLabel {
		th[j] = s.Threshold
	}
	return th
}

// reportFields has Report's fields without its methods, so that MarshalJSON
// and UnmarshalJSON can use the default encoding without recursing.
type reportFields Report

// reportJSON is the wire form of a Report.
type reportJSON struct {
	reportFields
	PerGenre map[string]LabelStats `json:"per_genre"`
}

// MarshalJSON encodes r as one JSON object with snake_case keys: n_posters,
// labels (in column order), micro_* and macro_* precision/recall/f1,
// label_accuracy, subset_accuracy, hamming_loss, samples_f1, and per_genre,
// an object from genre name to its label, tp, fp, fn, tn, precision,
// recall, f1, support and (when known) threshold. This is the output of
// "posterity eval --json". It fails if two labels share a name.
func (r Report) MarshalJSON() ([]byte, error) {
	w := reportJSON{reportFields: reportFields(r), PerGenre: make(map[string]LabelStats, len(r.PerLabel))}
	for _, s := range r.PerLabel {
		if _, dup := w.PerGenre[s.Label]; dup {
			return nil, fmt.Errorf("metrics: duplicate label %q cannot be encoded in per_genre", s.Label)
		}
		w.PerGenre[s.Label] = s
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the form written by MarshalJSON. PerLabel follows
// the order of "labels"; genres present only in per_genre are appended in
// name order.
func (r *Report) UnmarshalJSON(b []byte) error {
	var w reportJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Report(w.reportFields)
	r.PerLabel = nil
	seen := make(map[string]bool, len(w.PerGenre))
	for _, name := range r.Labels {
		s, ok := w.PerGenre[name]
		if !ok {
			return fmt.Errorf("metrics: label %q has no per_genre entry", name)
		}
		s.Label = name
		r.PerLabel = append(r.PerLabel, s)
		seen[name] = true
	}
	var extra []string
	for name := range w.PerGenre {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		s := w.PerGenre[name]
		s.Label = name
		r.PerLabel = append(r.PerLabel, s)
		r.Labels = append(r.Labels, name)
	}
	return nil
}

// LabelCounts returns, for each of the L columns of the n×L matrix truth,
// the number of nonzero cells: the number of posters per genre.
func LabelCounts(truth []uint8, n, L int) []int {
	checkShape("LabelCounts", "truth", len(truth), n, L)
	counts := make([]int, L)
	for i := 0; i < n; i++ {
		for j, t := range truth[i*L : (i+1)*L] {
			if t != 0 {
				counts[j]++
			}
		}
	}
	return counts
}

// prf returns precision, recall and F1 from confusion counts, with
// scikit-learn's zero_division=0 convention.
func prf(tp, fp, fn int) (p, r, f1 float64) {
	p = ratio(tp, tp+fp)
	r = ratio(tp, tp+fn)
	// 2PR/(P+R) equals 2TP/(2TP+FP+FN) and is exact in integers.
	f1 = ratio(2*tp, 2*tp+fp+fn)
	return p, r, f1
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func checkShape(fn, name string, got, n, L int) {
	if n < 0 || L < 0 || got != n*L {
		panic(fmt.Sprintf("metrics: %s: len(%s) = %d, want n*L = %d*%d", fn, name, got, n, L))
	}
}
