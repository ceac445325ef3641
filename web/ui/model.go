package ui

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Model describes the loaded classifier as the worker reports it (the JSON of
// wasm/classifier.go's modelInfo).
type Model struct {
	Labels         []string           `json:"labels"`
	Thresholds     []float64          `json:"thresholds"`
	Mode           string             `json:"mode"`
	Metrics        map[string]float64 `json:"metrics"`
	Created        string             `json:"created"`
	Notes          string             `json:"notes"`
	Preprocess     string             `json:"preprocess"`
	BackboneSHA256 string             `json:"backboneSHA256"`
	HeadSHA256     string             `json:"headSHA256"`
	Quantized      bool               `json:"quantized"`
	FlipAverage    bool               `json:"flipAverage"`
	Kernels        string             `json:"kernels"`
	PerLabel       []LabelMetrics     `json:"perLabel"`
	Curves         []Curve            `json:"curves"`
}

// LabelMetrics are one genre's test-split metrics at its threshold (the
// head's per_label metadata, head.LabelMetrics).
type LabelMetrics struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
	Threshold float64 `json:"threshold"`
}

// Curve is one genre's downsampled precision–recall curve on the test
// split: points {recall, precision} in order of decreasing threshold
// (head.Curve).
type Curve struct {
	Label  string       `json:"label"`
	Points [][2]float64 `json:"points"`
}

// ParseModel decodes the worker's model description and checks that it has
// one threshold per label.
func ParseModel(s string) (*Model, error) {
	var m Model
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("ui: model description: %w", err)
	}
	if len(m.Labels) == 0 || len(m.Labels) != len(m.Thresholds) {
		return nil, fmt.Errorf("ui: model description has %d labels and %d thresholds", len(m.Labels), len(m.Thresholds))
	}
	return &m, nil
}

// Score is one genre of a classified poster.
type Score struct {
	Label     string
	Prob      float64
	Threshold float64
	Predicted bool
}

// Rank returns every genre of probs (in the model's label order), sorted by
// descending probability with ties in label order, and marks the predicted
// ones: in multi-label mode each genre at or above its threshold, in
// multi-class mode the most probable one. It returns nil when probs does not
// have one value per label.
func (m *Model) Rank(probs []float64) []Score { return m.RankShift(probs, 0) }

// RankShift is Rank with every threshold moved by shift in logit space (see
// Shifted): shift > 0 is more generous, shift < 0 stricter.
func (m *Model) RankShift(probs []float64, shift float64) []Score {
	if m == nil || len(probs) != len(m.Labels) {
		return nil
	}
	out := make([]Score, len(probs))
	for i, p := range probs {
		t := Shifted(m.Thresholds[i], shift)
		out[i] = Score{Label: m.Labels[i], Prob: p, Threshold: t, Predicted: p >= t}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Prob > out[b].Prob })
	if m.Mode == "multi-class" {
		for i := range out {
			out[i].Predicted = i == 0
			out[i].Threshold = 0
		}
	}
	return out
}

// MaxShift bounds the threshold control: shifts run from −MaxShift
// (strict) to +MaxShift (generous) in logit units, i.e. a genre's odds must
// clear its tuned odds threshold times e^−shift. e^1.5 ≈ 4.5: the most
// generous setting predicts a genre at 4.5 times lower odds than tuned, the
// strictest asks for 4.5 times higher. The worker computes heatmaps for
// every genre predicted at +MaxShift, so every toggle has its map.
const MaxShift = 1.5

// ShiftStep is the control's step.
const ShiftStep = 0.25

// Shifted moves threshold t by shift in logit space:
//
//	t' = σ(logit(t) − shift)
//
// so the odds threshold t/(1−t) is divided by e^shift. Unlike adding to t,
// this keeps every threshold inside (0, 1) and moves small and large
// thresholds by the same factor of odds. shift 0 returns t unchanged
// (exactly, so that the default agrees bit for bit with the head); t ≤ 0
// or t ≥ 1 are returned unchanged.
func Shifted(t, shift float64) float64 {
	if shift == 0 || t <= 0 || t >= 1 {
		return t
	}
	return 1 / (1 + math.Exp(-(math.Log(t/(1-t)) - shift)))
}

// ShiftText describes a threshold shift for people.
func ShiftText(shift float64) string {
	f := math.Exp(math.Abs(shift))
	switch {
	case shift == 0:
		return "Thresholds as tuned on the validation posters."
	case shift > 0:
		return fmt.Sprintf("Generous: a genre needs %.1f× lower odds than its tuned threshold.", f)
	default:
		return fmt.Sprintf("Strict: a genre needs %.1f× higher odds than its tuned threshold.", f)
	}
}

// GenresAttr is the data-genres value: the predicted genres of ranked (as
// returned by Rank), in descending probability, joined by "|".
func GenresAttr(ranked []Score) string {
	var b strings.Builder
	for _, s := range ranked {
		if !s.Predicted {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(s.Label)
	}
	return b.String()
}

// ProbsAttr is the data-probs value: a JSON object mapping every label to
// its probability, in label order. Probabilities are float32 values from the
// engine and are written with the shortest decimal that reads back as the
// same float32.
func (m *Model) ProbsAttr(probs []float64) string {
	if m == nil || len(probs) != len(m.Labels) {
		return "{}"
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range m.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(l)
		b.Write(k)
		b.WriteByte(':')
		p := probs[i]
		if math.IsNaN(p) || math.IsInf(p, 0) {
			p = 0
		}
		b.WriteString(strconv.FormatFloat(float64(float32(p)), 'g', -1, 32))
	}
	b.WriteByte('}')
	return b.String()
}

// Summary is the footer's line about the model's quality, from the head's
// metrics. The head stores test-split metrics under micro_f1 and macro_f1
// (thresholds tuned on a separate validation split) and the validation
// split's under val_micro_f1 and val_macro_f1; it gives both, says which is
// which (the validation numbers are optimistic: the thresholds were tuned
// on them), and says nothing it does not know.
func (m *Model) Summary() string {
	if m == nil {
		return ""
	}
	micro, okMicro := m.Metrics["micro_f1"]
	macro, okMacro := m.Metrics["macro_f1"]
	if !okMicro && !okMacro {
		return "No evaluation metrics are stored with this model."
	}
	var parts []string
	if okMicro {
		parts = append(parts, fmt.Sprintf("micro-F1 %.2f", micro))
	}
	if okMacro {
		parts = append(parts, fmt.Sprintf("macro-F1 %.2f", macro))
	}
	where := "on held-out posters"
	if n, ok := m.Metrics["n_test"]; ok && n > 0 {
		where = fmt.Sprintf("on a held-out test split of %d posters", int(n))
	}
	s := strings.Join(parts, ", ") + " " + where
	if _, ok := m.Metrics["n_val"]; ok {
		s += " (thresholds tuned on a separate validation split"
		vMicro, okVMicro := m.Metrics["val_micro_f1"]
		vMacro, okVMacro := m.Metrics["val_macro_f1"]
		if okVMicro && okVMacro {
			s += fmt.Sprintf(": there, micro-F1 %.2f, macro-F1 %.2f, optimistic", vMicro, vMacro)
		}
		s += ")"
	}
	return s + "."
}

// Version is the footer's short model identity: the head's and the
// backbone's checksums, abbreviated, and the head's creation date.
func (m *Model) Version() string {
	if m == nil {
		return ""
	}
	s := "head " + short(m.HeadSHA256)
	if d, _, ok := strings.Cut(m.Created, "T"); ok {
		s += " (" + d + ")"
	}
	return s + " · MobileNetV2 int8 backbone " + short(m.BackboneSHA256)
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// FormatBytes writes n bytes for people: "812 kB", "3.6 MB" (SI units, as
// browsers' download UIs show).
func FormatBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// Percent writes a probability as a whole percentage, but never rounds a
// nonzero value to "0%" or a value below one to "100%".
func Percent(p float64) string {
	v := math.Round(p * 100)
	switch {
	case v == 0 && p > 0:
		return "<1%"
	case v == 100 && p < 1:
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", v)
}
