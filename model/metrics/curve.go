package metrics

import (
	"fmt"
	"math"
	"sort"
)

// Point is one operating point of a precision-recall curve: predicting
// positive every poster whose score is >= Threshold gives Precision and
// Recall.
type Point struct {
	Threshold float32 `json:"threshold"`
	Precision float32 `json:"precision"`
	Recall    float32 `json:"recall"`
}

// binaryCurve holds the confusion counts of one label at each distinct
// score, in decreasing score order: predicting score >= thr[k] gives tp[k]
// true and fp[k] false positives. pos is the number of true positives in
// the column (including rows whose score is NaN, which are never predicted).
type binaryCurve struct {
	thr    []float32
	tp, fp []int
	pos    int
}

// column computes the binaryCurve of column label of the n×L matrices. It
// is scikit-learn's _binary_clf_curve: sort by decreasing score, take
// cumulative counts, keep the last index of each run of tied scores.
func column(fn string, probs []float32, truth []uint8, label, n, L int) binaryCurve {
	checkShape(fn, "probs", len(probs), n, L)
	checkShape(fn, "truth", len(truth), n, L)
	if label < 0 || label >= L {
		panic(fmt.Sprintf("metrics: %s: label %d outside [0, %d)", fn, label, L))
	}
	var c binaryCurve
	rows := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if truth[i*L+label] != 0 {
			c.pos++
		}
		if !math.IsNaN(float64(probs[i*L+label])) {
			rows = append(rows, i)
		}
	}
	sort.Slice(rows, func(a, b int) bool { return probs[rows[a]*L+label] > probs[rows[b]*L+label] })
	tp, fp := 0, 0
	for k, i := range rows {
		if truth[i*L+label] != 0 {
			tp++
		} else {
			fp++
		}
		s := probs[i*L+label]
		if k+1 < len(rows) && probs[rows[k+1]*L+label] == s {
			continue // not the last of a run of tied scores
		}
		c.thr = append(c.thr, s)
		c.tp = append(c.tp, tp)
		c.fp = append(c.fp, fp)
	}
	return c
}

// precisionRecall returns the operating point at index k of c, in float64.
func (c binaryCurve) precisionRecall(k int) (p, r float64) {
	p = ratio(c.tp[k], c.tp[k]+c.fp[k]) // tp+fp >= 1 at every distinct score
	if c.pos == 0 {
		return p, 1 // scikit-learn's convention for a column without positives
	}
	return p, ratio(c.tp[k], c.pos)
}

// PRCurve returns the precision-recall curve of column label of the n×L
// matrices probs and truth: one Point per distinct non-NaN score, sorted by
// decreasing threshold (so recall is non-decreasing). It matches
// scikit-learn's precision_recall_curve (drop_intermediate=False) read
// backwards, without the final (precision 1, recall 0) entry that has no
// threshold. When the column has no positives every recall is 1, as in
// scikit-learn. NaN scores are never predicted positive but still count in
// the recall denominator.
func PRCurve(probs []float32, truth []uint8, label, n, L int) []Point {
	c := column("PRCurve", probs, truth, label, n, L)
	pts := make([]Point, len(c.thr))
	for k := range pts {
		p, r := c.precisionRecall(k)
		pts[k] = Point{Threshold: c.thr[k], Precision: float32(p), Recall: float32(r)}
	}
	return pts
}

// AveragePrecision returns scikit-learn's average_precision_score of column
// label: the step-wise (not interpolated, not trapezoidal) area
//
//	AP = Σ_k (R_k − R_{k−1}) · P_k,  R_{−1} = 0,
//
// over the points of PRCurve in decreasing-threshold order. It is computed
// from the exact counts in float64. A column without positives, or without
// any non-NaN score, has AP 0.
func AveragePrecision(probs []float32, truth []uint8, label, n, L int) float64 {
	return averagePrecision(column("AveragePrecision", probs, truth, label, n, L))
}

func averagePrecision(c binaryCurve) float64 {
	ap, prevR := 0.0, 0.0
	for k := range c.thr {
		p, r := c.precisionRecall(k)
		ap += (r - prevR) * p
		prevR = r
	}
	return max(0, ap)
}

// MeanAveragePrecision returns the unweighted mean of AveragePrecision over
// the L labels (scikit-learn's average_precision_score with
// average='macro'), or 0 when L is 0.
func MeanAveragePrecision(probs []float32, truth []uint8, n, L int) float64 {
	if L == 0 {
		return 0
	}
	sum := 0.0
	for j := 0; j < L; j++ {
		sum += averagePrecision(column("MeanAveragePrecision", probs, truth, j, n, L))
	}
	return sum / float64(L)
}

// BestF1Threshold returns the threshold that maximises the F1 of column
// label on the given data, and that F1.
//
// The candidate set is the distinct non-NaN scores of the column, i.e. the
// thresholds of PRCurve, so the returned threshold reproduces the returned
// F1 exactly through Predict (which uses >=). Ties go to the higher
// threshold, which predicts fewer positives. If no candidate reaches an F1
// above 0 (for instance the column has no positives) the threshold returned
// is just above the largest score, so nothing is predicted; if there are no
// scores at all it is 1.
//
// Tuning on the same data that is reported overstates F1; tune on one split
// and report on another.
func BestF1Threshold(probs []float32, truth []uint8, label, n, L int) (threshold float32, f1 float64) {
	c := column("BestF1Threshold", probs, truth, label, n, L)
	if len(c.thr) == 0 {
		return 1, 0
	}
	best := -1
	for k := range c.thr {
		f := ratio(2*c.tp[k], c.tp[k]+c.fp[k]+c.pos) // 2TP/(2TP+FP+FN), FN = pos−TP
		if f > f1 {
			best, f1 = k, f
		}
	}
	if best < 0 {
		return min(math.Nextafter32(c.thr[0], float32(math.Inf(1))), math.MaxFloat32), 0
	}
	return c.thr[best], f1
}

// BestF1Thresholds returns BestF1Threshold for each of the L labels.
func BestF1Thresholds(probs []float32, truth []uint8, n, L int) []float32 {
	th := make([]float32, L)
	for j := range th {
		th[j], _ = BestF1Threshold(probs, truth, j, n, L)
	}
	return th
}

// Downsample returns at most maxPoints points of a curve in the order of PRCurve,
// for plotting. It always keeps the first and last points. It first drops
// every point whose recall equals that of both neighbours (scikit-learn's
// drop_intermediate, which does not change the plotted step shape); if more
// than maxPoints remain, it keeps the points nearest to maxPoints positions
// evenly spaced along the curve's length in the (recall, precision) plane,
// which spends points where the curve moves rather than where scores are
// dense. The result may hold fewer than maxPoints points. The input is not
// modified. It panics if maxPoints < 2.
func Downsample(points []Point, maxPoints int) []Point {
	if maxPoints < 2 {
		panic(fmt.Sprintf("metrics: Downsample: maxPoints = %d, want at least 2", maxPoints))
	}
	if len(points) <= maxPoints {
		return append([]Point(nil), points...)
	}
	kept := make([]Point, 0, len(points))
	last := len(points) - 1
	for i, p := range points {
		if i == 0 || i == last || points[i-1].Recall != p.Recall || points[i+1].Recall != p.Recall {
			kept = append(kept, p)
		}
	}
	if len(kept) <= maxPoints {
		return kept
	}

	// cum[i] is the path length from kept[0] to kept[i].
	cum := make([]float64, len(kept))
	for i := 1; i < len(kept); i++ {
		dx := float64(kept[i].Recall - kept[i-1].Recall)
		dy := float64(kept[i].Precision - kept[i-1].Precision)
		cum[i] = cum[i-1] + math.Hypot(dx, dy)
	}
	total := cum[len(cum)-1]
	out := make([]Point, 0, maxPoints)
	out = append(out, kept[0])
	prev := 0
	for k := 1; k < maxPoints-1; k++ {
		target := total * float64(k) / float64(maxPoints-1)
		i := sort.SearchFloat64s(cum, target) // first i with cum[i] >= target
		if i > 0 && target-cum[i-1] < cum[i]-target {
			i--
		}
		if i > prev && i < len(kept)-1 {
			out = append(out, kept[i])
			prev = i
		}
	}
	return append(out, kept[len(kept)-1])
}
