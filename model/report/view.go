package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// view is Data digested for the template: every number formatted, every
// chart rendered, so the template holds no logic beyond loops.
type view struct {
	Title, Subtitle string
	Description     string
	DatasetLine     string
	EvalSplit       string // "validation" unless the caller names another split

	Headline    []string
	HeadlineBad bool

	Results  []resultRow
	ScoredOn string

	HasEpochs          bool
	LossChart, F1Chart template.HTML

	Genres   []genreRow
	Curves   []curveView
	Exps     []expRow
	Labels   []labelRow
	Config   []KV
	Summary  string
	CurveKey template.HTML
}

type resultRow struct {
	Name, Note                     string
	Baseline                       bool
	MicroF1, MacroF1               string
	MicroBar, MacroBar             template.HTML
	MicroP, MicroR, MacroP, MacroR string
	LabelAcc, SubsetAcc, SamplesF1 string
}

type genreRow struct {
	Label, Train, Support, Threshold string
	P, R, F1, AllF1, AP              string
	F1Bar                            template.HTML
}

type curveView struct {
	Chart   template.HTML
	Caption string
}

type expRow struct {
	Name, MicroF1, MacroF1, Note string
	MicroBar, MacroBar           template.HTML
	Params                       []KV
	Best                         bool
}

type labelRow struct {
	Label, Train, TrainPct, Val, ValPct string
	Bar                                 template.HTML
}

func newView(d Data) view {
	v := view{
		Title:       d.Title,
		Subtitle:    d.Subtitle,
		Description: d.Dataset.Description,
		Config:      d.Config,
		Summary:     d.ModelSummary,
	}
	if v.Title == "" {
		v.Title = "Posterity model report"
	}
	v.EvalSplit = d.Dataset.EvalSplit
	if v.EvalSplit == "" {
		v.EvalSplit = "validation"
	}
	v.DatasetLine = fmt.Sprintf("%d training posters · %d %s posters · %d genres",
		d.Dataset.NTrain, d.Dataset.NVal, v.EvalSplit, len(d.Dataset.Labels))
	v.Headline, v.HeadlineBad = headline(d.Results)

	for _, r := range d.Results {
		m := r.Report
		v.Results = append(v.Results, resultRow{
			Name: r.Name, Note: r.Note, Baseline: r.Baseline,
			MicroF1: fmtScore(m.MicroF1), MacroF1: fmtScore(m.MacroF1),
			MicroBar: bar(m.MicroF1, math.NaN(), barColor(r.Baseline)),
			MacroBar: bar(m.MacroF1, math.NaN(), barColor(r.Baseline)),
			MicroP:   fmtScore(m.MicroPrecision), MicroR: fmtScore(m.MicroRecall),
			MacroP: fmtScore(m.MacroPrecision), MacroR: fmtScore(m.MacroRecall),
			LabelAcc: fmtScore(m.LabelAccuracy), SubsetAcc: fmtScore(m.SubsetAccuracy),
			SamplesF1: fmtScore(m.SamplesF1),
		})
	}

	v.ScoredOn = scoredOn(d.Results)

	v.HasEpochs = len(d.Epochs) > 0
	v.LossChart, v.F1Chart = learningCharts(d.Epochs, d.Results)

	ap := map[string]float64{}
	for _, c := range d.Curves {
		ap[c.Label] = c.AP
	}
	trainCount := map[string]int{}
	for j, l := range d.Dataset.Labels {
		if j < len(d.Dataset.TrainCounts) {
			trainCount[l] = d.Dataset.TrainCounts[j]
		}
	}
	for _, s := range d.PerGenre {
		row := genreRow{
			Label: s.Label, Support: fmt.Sprint(s.Support), Threshold: "—",
			P: fmtScore(s.Precision), R: fmtScore(s.Recall), F1: fmtScore(s.F1),
			Train: "—", AP: "—", AllF1: "—",
		}
		if s.Threshold != 0 {
			row.Threshold = fmtScore(float64(s.Threshold))
		}
		if c, ok := trainCount[s.Label]; ok {
			row.Train = fmt.Sprint(c)
		}
		if a, ok := ap[s.Label]; ok {
			row.AP = fmtScore(a)
		}
		// F1 of predicting the genre for every poster: 2p/(1+p) with p the
		// prevalence (precision p, recall 1).
		allF1 := math.NaN()
		if n := s.TP + s.FP + s.FN + s.TN; n > 0 {
			p := float64(s.Support) / float64(n)
			allF1 = 2 * p / (1 + p)
			row.AllF1 = fmtScore(allF1)
		}
		row.F1Bar = bar(s.F1, allF1, Color(0))
		v.Genres = append(v.Genres, row)
	}

	for _, c := range d.Curves {
		v.Curves = append(v.Curves, curveView{
			Chart: prChart(c),
			Caption: fmt.Sprintf("threshold %s → precision %s, recall %s · %d positives (%s)",
				fmtScore(float64(c.Threshold)), fmtScore(c.Precision), fmtScore(c.Recall), c.Support, fmtPct(c.Prevalence)),
		})
	}
	v.CurveKey = curveKey()

	best := -1
	for i, e := range d.Experiments {
		if finite(e.MicroF1) && (best < 0 || e.MicroF1 > d.Experiments[best].MicroF1) {
			best = i
		}
	}
	for i, e := range d.Experiments {
		v.Exps = append(v.Exps, expRow{
			Name: e.Name, Note: e.Note, Params: e.Params, Best: i == best,
			MicroF1: fmtScore(e.MicroF1), MacroF1: fmtScore(e.MacroF1),
			MicroBar: bar(e.MicroF1, math.NaN(), Color(0)),
			MacroBar: bar(e.MacroF1, math.NaN(), Color(0)),
		})
	}

	maxCount := 1
	for _, c := range d.Dataset.TrainCounts {
		maxCount = max(maxCount, c)
	}
	for j, l := range d.Dataset.Labels {
		row := labelRow{Label: l, Train: "—", TrainPct: "—", Val: "—", ValPct: "—", Bar: bar(0, math.NaN(), Color(0))}
		if j < len(d.Dataset.TrainCounts) {
			c := d.Dataset.TrainCounts[j]
			row.Train = fmt.Sprint(c)
			row.Bar = bar(float64(c)/float64(maxCount), math.NaN(), Color(0))
			if d.Dataset.NTrain > 0 {
				row.TrainPct = fmtPct(float64(c) / float64(d.Dataset.NTrain))
			}
		}
		if j < len(d.Dataset.ValCounts) {
			c := d.Dataset.ValCounts[j]
			row.Val = fmt.Sprint(c)
			if d.Dataset.NVal > 0 {
				row.ValPct = fmtPct(float64(c) / float64(d.Dataset.NVal))
			}
		}
		v.Labels = append(v.Labels, row)
	}
	return v
}

func barColor(baseline bool) string {
	if baseline {
		return "#6b6b6b"
	}
	return Color(0)
}

// headline compares the best model row with the best baseline row, for
// micro-F1 and macro-F1 separately (different baselines may win each).
// bad reports that the model does not beat a baseline on one of them.
func headline(results []Result) (lines []string, bad bool) {
	bestOf := func(baseline bool, score func(Result) float64) (Result, bool) {
		var best Result
		found := false
		for _, r := range results {
			if r.Baseline == baseline && finite(score(r)) && (!found || score(r) > score(best)) {
				best, found = r, true
			}
		}
		return best, found
	}
	for _, m := range []struct {
		name  string
		score func(Result) float64
	}{
		{"micro-F1", func(r Result) float64 { return r.Report.MicroF1 }},
		{"macro-F1", func(r Result) float64 { return r.Report.MacroF1 }},
	} {
		model, okM := bestOf(false, m.score)
		base, okB := bestOf(true, m.score)
		switch {
		case okM && okB:
			diff := m.score(model) - m.score(base)
			verdict := fmt.Sprintf("beats it by %+.3f", diff)
			if diff <= 0 {
				verdict = fmt.Sprintf("does NOT beat it (%+.3f)", diff)
				bad = true
			}
			lines = append(lines, fmt.Sprintf("%s: best model %.3f (%s); best trivial baseline %.3f (%s); the model %s.",
				m.name, m.score(model), model.Name, m.score(base), base.Name, verdict))
		case okM:
			lines = append(lines, fmt.Sprintf("%s: best model %.3f (%s); no baseline given to compare with.",
				m.name, m.score(model), model.Name))
		}
	}
	return lines, bad
}

// learningCharts draws the loss and F1 learning curves.
func learningCharts(epochs []Epoch, results []Result) (loss, f1 template.HTML) {
	x := make([]float64, len(epochs))
	tl, vl := make([]float64, len(epochs)), make([]float64, len(epochs))
	mi, ma := make([]float64, len(epochs)), make([]float64, len(epochs))
	for i, e := range epochs {
		x[i] = float64(e.Epoch)
		tl[i], vl[i], mi[i], ma[i] = e.TrainLoss, e.ValLoss, e.ValMicroF1, e.ValMacroF1
	}
	loss = LineChart{
		Title: "Loss", XLabel: "epoch", YLabel: "loss", XInteger: true,
		Series: []Series{
			{Name: "train loss", X: x, Y: tl, Color: Color(0)},
			{Name: "validation loss", X: x, Y: vl, Color: Color(1), Dashed: true},
		},
	}.SVG()
	fc := LineChart{
		Title: "Validation F1", XLabel: "epoch", YLabel: "F1", XInteger: true,
		Series: []Series{
			{Name: "micro-F1", X: x, Y: mi, Color: Color(2)},
			{Name: "macro-F1", X: x, Y: ma, Color: Color(3), Dashed: true},
		},
	}
	for _, r := range results {
		if r.Baseline {
			fc.HLines = append(fc.HLines, HLine{
				Y:     r.Report.MicroF1,
				Label: fmt.Sprintf("%s, micro-F1 %s", strings.TrimPrefix(r.Name, "baseline: "), fmtScore(r.Report.MicroF1)),
			})
		}
	}
	return loss, fc.SVG()
}

// prChart draws one small-multiple precision-recall curve. It starts at
// scikit-learn's sentinel (recall 0, precision 1) and steps so that the
// area under the drawn line is the average precision.
func prChart(c Curve) template.HTML {
	apPart := " · AP " + fmtScore(c.AP)
	xs := []float64{0}
	ys := []float64{1}
	for _, p := range c.Points {
		xs = append(xs, float64(p.Recall))
		ys = append(ys, float64(p.Precision))
	}
	if len(c.Points) == 0 {
		xs, ys = nil, nil
	}
	ch := LineChart{
		// Shorten long genre names, never the AP.
		Title:  fmt.Sprintf("%s%s", fitText(c.Label, 260-10-textWidth(apPart)), apPart),
		XLabel: "recall", YLabel: "precision",
		Width: 260, Height: 230,
		XDomain: [2]float64{0, 1}, YDomain: [2]float64{0, 1},
		Series:     []Series{{X: xs, Y: ys, Color: Color(0), Step: true}},
		HideLegend: true,
		HLines:     []HLine{{Y: c.Prevalence, Label: "guessing"}},
	}
	if len(c.Points) > 0 {
		ch.Marks = []Mark{{X: c.Recall, Y: c.Precision, Color: Color(1),
			Label: fmt.Sprintf("threshold %s: precision %s, recall %s",
				fmtScore(float64(c.Threshold)), fmtScore(c.Precision), fmtScore(c.Recall))}}
	}
	return ch.SVG()
}

// curveKey is the legend shared by all precision-recall small multiples.
func curveKey() template.HTML {
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" class="key" viewBox="0 0 24 12" width="24" height="12" aria-hidden="true">%s</svg>`
	line := fmt.Sprintf(svg, fmt.Sprintf(`<line x1="0" y1="6" x2="24" y2="6" stroke="%s" stroke-width="2"/>`, esc(Color(0))))
	dot := fmt.Sprintf(svg, fmt.Sprintf(`<circle cx="12" cy="6" r="5" fill="%s" stroke="#fff" stroke-width="2"/>`, esc(Color(1))))
	ref := fmt.Sprintf(svg, `<line x1="0" y1="6" x2="24" y2="6" stroke="#6b6b6b" stroke-width="1.5" stroke-dasharray="2 3"/>`)
	return template.HTML(line + ` precision against recall as the threshold falls; ` +
		dot + ` the chosen threshold; ` +
		ref + ` precision of guessing (the genre's prevalence). Hover a dot for its numbers.`)
}

// scoredOn says how many posters the result rows were scored on, and warns
// when rows were scored on different sets, which makes them incomparable.
func scoredOn(results []Result) string {
	if len(results) == 0 {
		return ""
	}
	n := results[0].Report.N
	for _, r := range results[1:] {
		if r.Report.N != n {
			var parts []string
			for _, r := range results {
				parts = append(parts, fmt.Sprintf("%s: %d", r.Name, r.Report.N))
			}
			return "Warning: rows were scored on different numbers of posters (" + strings.Join(parts, "; ") + "), so they are not comparable."
		}
	}
	return fmt.Sprintf("Every row is scored on the same %d posters.", n)
}
