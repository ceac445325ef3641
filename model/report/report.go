package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"posterity/internal/atomicfile"
	"posterity/model/metrics"
)

// Data is everything one report shows. Every field may be empty; the
// corresponding section then says so instead of failing.
type Data struct {
	// Title heads the page; Subtitle is a line under it, for example the
	// run name and date (the package never reads the clock, so output is
	// reproducible).
	Title    string
	Subtitle string

	Dataset Dataset

	// Config lists the training settings, in order.
	Config []KV
	// ModelSummary is preformatted text, for example a layer table.
	ModelSummary string

	// Epochs holds one entry per training epoch, in order; they are drawn
	// as a loss chart and an F1 chart.
	Epochs []Epoch

	// Results are the rows of the headline metrics table, typically
	// StandardResults. Rows with Baseline set are drawn muted, and their
	// micro-F1 appears as a reference line on the F1 learning curve.
	Results []Result

	// PerGenre is the per-genre table, in display order; usually the
	// PerLabel of the tuned-threshold result.
	PerGenre []metrics.LabelStats

	// Curves are the per-genre precision-recall curves, drawn as small
	// multiples in order; see NewCurve. Their AP also fills the AP column
	// of the per-genre table (matched by label).
	Curves []Curve

	// Experiments lists the ablations tried, one row each.
	Experiments []Experiment
}

// Dataset describes the data the model was trained and validated on.
// TrainCounts and ValCounts are the number of posters per genre, in the
// order of Labels.
type Dataset struct {
	Description string
	NTrain      int
	NVal        int
	// EvalSplit names the split NVal, ValCounts, Results and PerGenre
	// are measured on; empty means "validation".
	EvalSplit   string
	Labels      []string
	TrainCounts []int
	ValCounts   []int
}

// KV is one key/value line.
type KV struct {
	Key, Value string
}

// Epoch is one point of the learning curves. NaN values (for example a
// validation pass that was skipped) are left out of the charts.
type Epoch struct {
	Epoch      int
	TrainLoss  float64
	ValLoss    float64
	ValMicroF1 float64
	ValMacroF1 float64
}

// Result is one row of the metrics table: a named evaluation, a model's
// or a baseline's.
type Result struct {
	Name     string
	Note     string
	Baseline bool
	Report   metrics.Report
}

// StandardResults returns the four rows every report should show, in this
// order: the model at threshold 0.5, the model at its tuned per-genre
// thresholds, and the baselines "always the two most frequent genres"
// (metrics.BaselineTopK with k = 2) and "always every genre"
// (metrics.BaselineAll). The tuned row carries a note that thresholds tuned
// on the reported split make it optimistic; pass tunedOnVal = false when
// they were tuned on a separate split.
func StandardResults(atHalf, tuned, topTwo, all metrics.Report, tunedOnVal bool) []Result {
	note := "thresholds tuned on a separate split"
	if tunedOnVal {
		note = "thresholds tuned on this same split: optimistic"
	}
	return []Result{
		{Name: "model, threshold 0.5", Report: atHalf},
		{Name: "model, tuned thresholds", Note: note, Report: tuned},
		{Name: "baseline: two most frequent genres", Note: "same two genres for every poster", Baseline: true, Report: topTwo},
		{Name: "baseline: all genres", Note: "every genre for every poster", Baseline: true, Report: all},
	}
}

// Curve is one genre's precision-recall curve with its chosen operating
// point. Points are in metrics.PRCurve order (decreasing threshold).
// Precision and Recall are the scores at Threshold, and Prevalence is the
// fraction of posters with the genre: the precision of a classifier that
// guesses.
type Curve struct {
	Label      string
	Points     []metrics.Point
	AP         float64
	Threshold  float32
	Precision  float64
	Recall     float64
	Prevalence float64
	Support    int
}

// NewCurve computes the Curve of column label of the n×L matrices probs and
// truth (see package metrics for the layout) at the given threshold, keeping
// at most maxPoints points (metrics.Downsample; maxPoints < 2 keeps all).
// The operating point and AP are computed from all scores, not from the
// kept points.
func NewCurve(probs []float32, truth []uint8, label, n, L int, name string, threshold float32, maxPoints int) Curve {
	pts := metrics.PRCurve(probs, truth, label, n, L)
	if maxPoints >= 2 {
		pts = metrics.Downsample(pts, maxPoints)
	}
	c := Curve{
		Label:     name,
		Points:    pts,
		AP:        metrics.AveragePrecision(probs, truth, label, n, L),
		Threshold: threshold,
	}
	tp, fp := 0, 0
	for i := 0; i < n; i++ {
		pos := truth[i*L+label] != 0
		if pos {
			c.Support++
		}
		if probs[i*L+label] >= threshold {
			if pos {
				tp++
			} else {
				fp++
			}
		}
	}
	if tp+fp > 0 {
		c.Precision = float64(tp) / float64(tp+fp)
	}
	if c.Support > 0 {
		c.Recall = float64(tp) / float64(c.Support)
	}
	if n > 0 {
		c.Prevalence = float64(c.Support) / float64(n)
	}
	return c
}

// Experiment is one row of the experiments table: an ablation or variant
// that was tried, its scores, a note, and optionally its settings.
type Experiment struct {
	Name    string
	MicroF1 float64
	MacroF1 float64
	Note    string
	Params  []KV
}

// Write renders d as one self-contained HTML page to w: inline CSS and SVG,
// no scripts, no external resources, readable on a phone. Nothing is
// written if rendering fails.
func Write(w io.Writer, d Data) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newView(d)); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile renders d like Write and stores it at path atomically: it
// writes a temporary file in the same directory and renames it over path,
// so a reader never sees a half-written report. The file is mode 0644.
func WriteFile(path string, d Data) error {
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// fmtScore formats a score in [0, 1] with three decimals, or "—" when it is
// not finite.
func fmtScore(v float64) string {
	if !finite(v) {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}

func fmtPct(v float64) string {
	if !finite(v) {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// bar renders a tiny inline bar for v in [0, 1], with an optional dark tick
// at ref (drawn when ref is finite) marking a baseline.
func bar(v, ref float64, col string) template.HTML {
	if !finite(v) {
		v = 0
	}
	v = clamp(v, 0, 1)
	tick := ""
	if finite(ref) {
		x := num(clamp(ref, 0, 1) * 100)
		tick = fmt.Sprintf(`<line x1="%s" y1="0" x2="%s" y2="12" stroke="#1a1a1a" stroke-width="2.5"/>`, x, x)
	}
	return template.HTML(fmt.Sprintf(
		`<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 100 12" width="52" height="10" aria-hidden="true">`+
			`<rect x="0" y="1" width="100" height="10" fill="#e3e6eb"/>`+
			`<rect x="0" y="1" width="%s" height="10" fill="%s"/>%s</svg>`,
		num(v*100), esc(col), tick))
}
