package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"posterity/model/metrics"
)

// sampleOut, when set, makes TestSample write the realistic sample report
// there, for a person to look at:
//
//	go test ./model/report -run TestSample -sample /tmp/sample_report.html
var sampleOut = flag.String("sample", "", "write the sample report to this path")

// genres and their rough prevalence, Drama/Comedy heavy as in the
// Posterity data; one name carries HTML metacharacters on purpose.
var sampleGenres = []struct {
	name string
	prev float64
}{
	{"Drama", 0.46}, {"Comedy", 0.33}, {"Thriller", 0.18}, {"Romance", 0.16},
	{"Action", 0.15}, {"Horror", 0.11}, {"Crime", 0.11}, {"Documentary", 0.09},
	{"Adventure", 0.08}, {"Sci-Fi & <Fantasy>", 0.07}, {"Family", 0.06}, {"Mystery", 0.06},
	{"Biography", 0.04}, {"Animation", 0.04}, {"Music", 0.03}, {"War", 0.02},
	{"History", 0.02}, {"Western", 0.01},
}

// fakeSplit draws n posters: truth from the genre prevalences, scores from
// a noisy sigmoid whose separation varies by genre (quality).
func fakeSplit(rng *rand.Rand, n int, quality float64) ([]float32, []uint8) {
	L := len(sampleGenres)
	probs := make([]float32, n*L)
	truth := make([]uint8, n*L)
	for i := 0; i < n; i++ {
		for j, g := range sampleGenres {
			y := rng.Float64() < g.prev
			sep := quality * (0.6 + 1.4*float64(j%5)/4)
			z := math.Log(g.prev/(1-g.prev)) + rng.NormFloat64()*1.2
			if y {
				truth[i*L+j] = 1
				z += sep
			}
			probs[i*L+j] = float32(1 / (1 + math.Exp(-z)))
		}
	}
	return probs, truth
}

func sampleData(tb testing.TB) Data {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	const nTrain, nVal = 4000, 800
	L := len(sampleGenres)
	labels := make([]string, L)
	for j, g := range sampleGenres {
		labels[j] = g.name
	}
	_, trainTruth := fakeSplit(rng, nTrain, 2.2)
	probs, truth := fakeSplit(rng, nVal, 2.2)
	trainCounts := metrics.LabelCounts(trainTruth, nTrain, L)

	atHalf := metrics.EvaluateAt(probs, truth, metrics.UniformThresholds(0.5, L), nVal, labels)
	thr := metrics.BestF1Thresholds(probs, truth, nVal, L)
	tuned := metrics.EvaluateAt(probs, truth, thr, nVal, labels)
	d := Data{
		Title:    "Posterity genre head — run 2024-05-17a",
		Subtitle: "MobileNetV2 features, sigmoid head; fake data for tests",
		Dataset: Dataset{
			Description: "Movie posters with 1–4 genres each, split 80/20 by title.",
			NTrain:      nTrain, NVal: nVal, Labels: labels,
			TrainCounts: trainCounts, ValCounts: metrics.LabelCounts(truth, nVal, L),
		},
		Config: []KV{{"optimizer", "Adam"}, {"learning rate", "3e-4"}, {"batch size", "64"},
			{"epochs", "12"}, {"loss", "binary cross-entropy, pos_weight = clip(neg/pos, 1, 10)"}},
		ModelSummary: "layer            output     params\n" +
			"features (frozen) 1280      2,257,984\n" +
			"dropout 0.2       1280      0\n" +
			"dense + sigmoid   18        23,058\n",
		Results: StandardResults(atHalf, tuned,
			metrics.BaselineTopK(truth, nVal, labels, trainCounts, 2),
			metrics.BaselineAll(truth, nVal, labels), true),
		PerGenre: tuned.PerLabel,
		Experiments: []Experiment{
			{Name: "linear head, no class weights", MicroF1: 0.551, MacroF1: 0.281, Note: "rare genres never predicted"},
			{Name: "linear head, pos_weight", MicroF1: 0.572, MacroF1: 0.362, Params: []KV{{"pos_weight", "clip(neg/pos,1,10)"}}},
			{Name: "MLP head 256", MicroF1: 0.569, MacroF1: 0.355, Note: "overfits after epoch 6", Params: []KV{{"hidden", "256"}, {"dropout", "0.5"}}},
			{Name: "+ horizontal flip TTA", MicroF1: 0.578, MacroF1: 0.366, Params: []KV{{"tta", "flip"}}},
		},
	}
	for e := 1; e <= 12; e++ {
		k := float64(e)
		d.Epochs = append(d.Epochs, Epoch{
			Epoch:      e,
			TrainLoss:  0.20 + 0.25*math.Exp(-k/3),
			ValLoss:    0.23 + 0.22*math.Exp(-k/3) + 0.002*k,
			ValMicroF1: 0.58 - 0.25*math.Exp(-k/2.5),
			ValMacroF1: 0.40 - 0.30*math.Exp(-k/3),
		})
	}
	for j, l := range labels {
		d.Curves = append(d.Curves, NewCurve(probs, truth, j, nVal, L, l, thr[j], 120))
	}
	return d
}

var (
	svgRE     = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
	nonFinite = regexp.MustCompile(`\bNaN\b|\bInf\b`)
)

// checkPage asserts what every rendered page must satisfy: each <svg>
// fragment is well-formed XML, there is no NaN or Inf anywhere, nothing is
// loaded from elsewhere, and the main containers are balanced.
func checkPage(t *testing.T, page string) {
	t.Helper()
	svgs := svgRE.FindAllString(page, -1)
	for i, s := range svgs {
		dec := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("svg %d is not well-formed XML: %v\n%s", i, err, s)
			}
		}
	}
	if m := nonFinite.FindString(page); m != "" {
		i := strings.Index(page, m)
		t.Errorf("output contains %q near %q", m, page[max(0, i-80):min(len(page), i+80)])
	}
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url(http", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q; it must be self-contained", bad)
		}
	}
	if strings.Count(page, "http") != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("page mentions http other than the SVG namespace")
	}
	for _, tag := range []string{"section", "table", "tr", "svg", "figure", "div"} {
		open := len(regexp.MustCompile(`<`+tag+`\b`).FindAllString(page, -1))
		if closed := strings.Count(page, "</"+tag+">"); open != closed {
			t.Errorf("<%s> opened %d times, closed %d", tag, open, closed)
		}
	}
}

func render(t *testing.T, d Data) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteRealistic(t *testing.T) {
	d := sampleData(t)
	page := render(t, d)
	checkPage(t, page)

	// 2 learning charts + 18 PR curves + bars (4 results × 2, 18 genres,
	// 4 experiments × 2, 18 dataset rows) + 3 swatches in the curve key.
	if got, want := len(svgRE.FindAllString(page, -1)), 2+18+8+18+8+18+3; got != want {
		t.Errorf("%d svg elements, want %d", got, want)
	}
	for _, s := range []string{
		"<!DOCTYPE html>", `<meta name="viewport"`,
		"Posterity genre head — run 2024-05-17a",
		"model, threshold 0.5", "model, tuned thresholds",
		"baseline: two most frequent genres", "baseline: all genres",
		"Drama · AP 0.", "Western · AP 0.",
		"Sci-Fi &amp; &lt;Fantasy&gt;",
		"linear head, pos_weight", "pos_weight=clip(neg/pos,1,10)",
		"dense &#43; sigmoid   18" /* html/template escapes + */, "learning rate",
		"two most frequent genres, micro-F1 0.", // baseline line on the F1 chart
		"train loss", "validation loss", "macro-F1",
		"Every row is scored on the same 800 posters.",
		fmt.Sprintf("%d training posters · %d validation posters · 18 genres", 4000, 800),
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(page, "<Fantasy>") {
		t.Error("genre name reached the page unescaped")
	}
	// The tuned row is the best model; its micro-F1 must appear formatted.
	if s := fmt.Sprintf("%.3f", d.Results[1].Report.MicroF1); !strings.Contains(page, s) {
		t.Errorf("tuned micro-F1 %s missing", s)
	}
}

func TestEscaping(t *testing.T) {
	evil := `<script>alert("x")</script> & "Q" 'A'`
	r := metrics.Evaluate([]uint8{1, 0}, []uint8{1, 1}, 1, []string{evil, "ok"})
	d := Data{
		Title:        evil,
		Subtitle:     evil,
		Dataset:      Dataset{Description: evil, Labels: []string{evil}, TrainCounts: []int{3}},
		Config:       []KV{{evil, evil}},
		ModelSummary: evil,
		Results:      []Result{{Name: evil, Note: evil, Report: r}, {Name: evil, Baseline: true, Report: r}},
		PerGenre:     r.PerLabel,
		Curves:       []Curve{{Label: evil, Points: []metrics.Point{{Threshold: 0.5, Precision: 1, Recall: 1}}, Precision: 1, Recall: 1}},
		Experiments:  []Experiment{{Name: evil, Note: evil, Params: []KV{{evil, evil}}}},
		Epochs:       []Epoch{{Epoch: 1}, {Epoch: 2}},
	}
	page := render(t, d)
	if strings.Contains(page, "<script") || strings.Contains(page, `"x"`) {
		t.Error("unescaped text in page")
	}
	checkPage(t, page)

	ch := LineChart{Title: evil, XLabel: evil, YLabel: evil,
		Series: []Series{{Name: evil, X: []float64{1, 2}, Y: []float64{1, 2}}},
		Marks:  []Mark{{X: 1, Y: 1, Label: evil}}, HLines: []HLine{{Y: 1.5, Label: evil}}}
	checkPage(t, string(ch.SVG()))
}

func TestDegenerateData(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for i, d := range []Data{
		{}, // 0: nothing at all
		{ // 1: a single epoch, empty curve, curve without positives
			Epochs: []Epoch{{Epoch: 1, TrainLoss: 0.3, ValLoss: 0.4, ValMicroF1: 0.5, ValMacroF1: 0.2}},
			Curves: []Curve{{Label: "empty"}, {Label: "flat", Points: []metrics.Point{{Threshold: 0.3, Precision: 0, Recall: 1}}, Prevalence: 0}},
		},
		{ // 2: non-finite values everywhere
			Epochs: []Epoch{{1, nan, inf, -inf, nan}, {2, 0.5, nan, 0.3, inf}, {3, 0.4, 0.45, 0.35, 0.1}},
			Results: []Result{{Name: "m", Report: metrics.Report{MicroF1: nan}},
				{Name: "b", Baseline: true, Report: metrics.Report{MicroF1: inf, MacroF1: nan}}},
			Curves:      []Curve{{Label: "x", AP: nan, Precision: nan, Recall: inf, Prevalence: nan, Points: []metrics.Point{{Threshold: 1, Precision: 1, Recall: 1}}}},
			Experiments: []Experiment{{Name: "e", MicroF1: nan, MacroF1: inf}},
		},
		{ // 3: all epochs identical, counts shorter than labels
			Epochs:  []Epoch{{3, 1, 1, 1, 1}, {3, 1, 1, 1, 1}},
			Dataset: Dataset{Labels: []string{"a", "b"}, TrainCounts: []int{0}, NVal: 0},
		},
		{ // 4: huge values
			Epochs: []Epoch{{1, math.MaxFloat64, -math.MaxFloat64, 1e300, -1e300}, {2, 0, 0, 0, 0}},
		},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkPage(t, render(t, d)) })
	}
}

func TestHeadline(t *testing.T) {
	rep := func(micro, macro float64) metrics.Report { return metrics.Report{MicroF1: micro, MacroF1: macro} }
	for i, tc := range []struct {
		results []Result
		bad     bool
		want    []string
	}{
		{ // 0: model beats both baselines
			[]Result{{Name: "m", Report: rep(0.6, 0.4)}, {Name: "b1", Baseline: true, Report: rep(0.5, 0.2)},
				{Name: "b2", Baseline: true, Report: rep(0.3, 0.35)}},
			false,
			[]string{"micro-F1: best model 0.600 (m); best trivial baseline 0.500 (b1); the model beats it by +0.100.",
				"macro-F1: best model 0.400 (m); best trivial baseline 0.350 (b2); the model beats it by +0.050."},
		},
		{ // 1: the all-genres baseline wins on macro-F1
			[]Result{{Name: "m", Report: rep(0.6, 0.3)}, {Name: "b", Baseline: true, Report: rep(0.4, 0.35)}},
			true,
			[]string{"micro-F1: best model 0.600 (m); best trivial baseline 0.400 (b); the model beats it by +0.200.",
				"macro-F1: best model 0.300 (m); best trivial baseline 0.350 (b); the model does NOT beat it (-0.050)."},
		},
		{ // 2: no baseline
			[]Result{{Name: "m", Report: rep(0.6, 0.3)}}, false,
			[]string{"micro-F1: best model 0.600 (m); no baseline given to compare with.",
				"macro-F1: best model 0.300 (m); no baseline given to compare with."},
		},
		{nil, false, nil}, // 3
	} {
		lines, bad := headline(tc.results)
		if bad != tc.bad || strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%d: headline = %q, %v; want %q, %v", i, lines, bad, tc.want, tc.bad)
		}
	}
}

func TestScoredOn(t *testing.T) {
	a := Result{Name: "a", Report: metrics.Report{N: 10}}
	b := Result{Name: "b", Report: metrics.Report{N: 9}}
	for i, tc := range []struct {
		results []Result
		want    string
	}{
		{nil, ""},
		{[]Result{a, a}, "Every row is scored on the same 10 posters."},
		{[]Result{a, b}, "Warning: rows were scored on different numbers of posters (a: 10; b: 9), so they are not comparable."},
	} {
		if got := scoredOn(tc.results); got != tc.want {
			t.Errorf("%d: scoredOn = %q, want %q", i, got, tc.want)
		}
	}
}

func TestNewCurve(t *testing.T) {
	// Column 1 of a 4×2 problem is scikit-learn's precision_recall_curve
	// docstring example (y_true=[0,0,1,1], scores=[0.1,0.4,0.35,0.8]);
	// at threshold 0.35 two of three predicted are right and both positives
	// are found (precision 2/3, recall 1); AP is 5/6 (docstring 0.83).
	probs := []float32{0, 0.1, 0, 0.4, 0, 0.35, 0, 0.8}
	truth := []uint8{0, 0, 0, 0, 0, 1, 0, 1}
	c := NewCurve(probs, truth, 1, 4, 2, "x", 0.35, 0)
	if len(c.Points) != 4 || math.Abs(c.AP-5.0/6) > 1e-12 || math.Abs(c.Precision-2.0/3) > 1e-12 ||
		c.Recall != 1 || c.Support != 2 || c.Prevalence != 0.5 {
		t.Errorf("NewCurve = %+v", c)
	}
	r := metrics.EvaluateAt(probs, truth, []float32{0.5, 0.35}, 4, []string{"a", "x"}).PerLabel[1]
	if r.Precision != c.Precision || r.Recall != c.Recall {
		t.Errorf("operating point %v,%v differs from metrics.EvaluateAt %v,%v", c.Precision, c.Recall, r.Precision, r.Recall)
	}
	if got := NewCurve(probs, truth, 1, 4, 2, "x", 0.35, 2); len(got.Points) != 2 || got.AP != c.AP {
		t.Errorf("downsampled curve: %d points, AP %v", len(got.Points), got.AP)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	d := sampleData(t)
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := render(t, d); string(got) != want {
		t.Error("file differs from Write output")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the report", len(ents))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "r.html"), d); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

// TestSample writes the sample report when -sample is given.
func TestSample(t *testing.T) {
	if *sampleOut == "" {
		t.Skip("no -sample path")
	}
	if err := WriteFile(*sampleOut, sampleData(t)); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", *sampleOut)
}
