package head

import (
	"errors"
	"fmt"
	"math"
)

// Head is a trained classification head and everything the app needs to know
// about it. Shapes use the letters of the package documentation.
type Head struct {
	In, Hidden, Out int // D, H, N

	W1 []float32 // H×D row-major: W1[h*In+d]
	B1 []float32 // H
	W2 []float32 // N×H row-major: W2[j*Hidden+h]
	B2 []float32 // N

	Labels []string // N label names, in output order
	// Thresholds holds, per label, the probability at or above which the
	// label is predicted (MultiLabel mode), chosen on the validation set.
	Thresholds []float32
	Mode       Mode

	// Metrics holds summary metrics of training, e.g. "micro_f1",
	// "macro_f1", "n_train", "n_val".
	Metrics  map[string]float64
	PerLabel []LabelMetrics // optional; N entries when present
	Curves   []Curve        // optional precision–recall curves, small

	BackboneSHA256    string // hex SHA-256 of the backbone weights it was trained on
	Preprocess        string // name of the image resize policy
	PreprocessVersion int
	Created           string // creation time, RFC 3339
	Notes             string

	// Quantized is set by Parse when the file stored quantised weights,
	// int8 or int4 (they are dequantised in memory). Int4Group is the group
	// size when W1 was stored as int4 (0 otherwise). Save ignores both; see
	// SaveOptions.
	Quantized bool
	Int4Group int
}

// LabelMetrics are validation metrics of one label at its threshold.
type LabelMetrics struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // positives in the split the metrics were measured on (make train: the held-out test split)
	Threshold float32 `json:"threshold"`
}

// Curve is a downsampled precision–recall curve of one label. Each point is
// {recall, precision}, in order of decreasing threshold.
type Curve struct {
	Label  string       `json:"label"`
	Points [][2]float32 `json:"points"`
}

// New returns a head with zero weights and biases of the given sizes, labels
// "0".."out-1", thresholds 0.5 and an empty Metrics map. It panics if a size
// is not positive.
func New(in, hidden, out int, mode Mode) *Head {
	if in <= 0 || hidden <= 0 || out <= 0 {
		panic(fmt.Sprintf("head: New(%d, %d, %d): sizes must be positive", in, hidden, out))
	}
	h := &Head{
		In: in, Hidden: hidden, Out: out,
		W1: make([]float32, hidden*in), B1: make([]float32, hidden),
		W2: make([]float32, out*hidden), B2: make([]float32, out),
		Labels: make([]string, out), Thresholds: make([]float32, out),
		Mode: mode, Metrics: map[string]float64{},
	}
	for j := range out {
		h.Labels[j] = fmt.Sprint(j)
		h.Thresholds[j] = 0.5
	}
	return h
}

// Validate reports whether the sizes, slices and values of h are consistent:
// positive sizes, slice lengths matching them, finite weights, one label and
// one threshold in [0, 1] per output, and PerLabel and Curves no longer than
// Out.
func (h *Head) Validate() error {
	if h.In <= 0 || h.Hidden <= 0 || h.Out <= 0 {
		return fmt.Errorf("head: sizes In=%d Hidden=%d Out=%d must be positive", h.In, h.Hidden, h.Out)
	}
	if h.In > MaxDim || h.Hidden > MaxDim || h.Out > MaxDim {
		return fmt.Errorf("head: sizes In=%d Hidden=%d Out=%d exceed %d", h.In, h.Hidden, h.Out, MaxDim)
	}
	if h.Mode > MultiClass {
		return fmt.Errorf("head: invalid mode %d", uint8(h.Mode))
	}
	for _, t := range []struct {
		name string
		v    []float32
		n    int
	}{{"W1", h.W1, h.Hidden * h.In}, {"B1", h.B1, h.Hidden}, {"W2", h.W2, h.Out * h.Hidden}, {"B2", h.B2, h.Out}} {
		if len(t.v) != t.n {
			return fmt.Errorf("head: len(%s) = %d, want %d", t.name, len(t.v), t.n)
		}
		for i, x := range t.v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("head: %s[%d] = %v is not finite", t.name, i, x)
			}
		}
	}
	if len(h.Labels) != h.Out {
		return fmt.Errorf("head: %d labels for %d outputs", len(h.Labels), h.Out)
	}
	if len(h.Thresholds) != h.Out {
		return fmt.Errorf("head: %d thresholds for %d outputs", len(h.Thresholds), h.Out)
	}
	for j, t := range h.Thresholds {
		if !(t >= 0 && t <= 1) {
			return fmt.Errorf("head: threshold of %q = %v, want a value in [0, 1]", h.Labels[j], t)
		}
	}
	if len(h.PerLabel) > h.Out || len(h.Curves) > h.Out {
		return errors.New("head: more per-label metrics or curves than outputs")
	}
	return nil
}

// Logits computes the N logits z2 for one feature vector x of length In and
// returns them in dst[:Out]. scratch holds the H hidden activations. When dst
// and scratch have capacity for Out and Hidden values Logits does not
// allocate; otherwise it allocates what is missing. It panics if
// len(x) != In.
func (h *Head) Logits(x, dst, scratch []float32) []float32 {
	if len(x) != h.In {
		panic(fmt.Sprintf("head: feature has %d values, want %d", len(x), h.In))
	}
	dst = grow(dst, h.Out)
	a1 := grow(scratch, h.Hidden)
	// a1[h] = max(0, b1[h] + Σ_d W1[h,d]·x[d])
	for i := range a1 {
		z := h.B1[i] + dot4(h.W1[i*h.In:(i+1)*h.In], x)
		a1[i] = max(z, 0)
	}
	// z2[j] = b2[j] + Σ_h W2[j,h]·a1[h]
	for j := range dst {
		dst[j] = h.B2[j] + dot4(h.W2[j*h.Hidden:(j+1)*h.Hidden], a1)
	}
	return dst
}

// Probs is Logits followed by the mode's activation: an element-wise sigmoid
// (MultiLabel) or a softmax over the N outputs (MultiClass). The same buffer
// rules apply.
func (h *Head) Probs(x, dst, scratch []float32) []float32 {
	p := h.Logits(x, dst, scratch)
	if h.Mode == MultiClass {
		Softmax(p)
	} else {
		for j, z := range p {
			p[j] = Sigmoid(z)
		}
	}
	return p
}

// ScoreGradient returns ∂z2[class]/∂x, the gradient of one logit with respect
// to the feature vector x (length In), in dst[:In]:
//
//	g[d] = Σ_h W2[class,h] · 1[z1[h] > 0] · W1[h,d]
//
// The ReLU derivative at exactly 0 is taken as 0. This is the quantity Grad-CAM
// projects back onto the backbone's last feature map. It does not allocate
// when cap(dst) >= In. It panics if len(x) != In or class is out of range.
func (h *Head) ScoreGradient(x []float32, class int, dst []float32) []float32 {
	if len(x) != h.In {
		panic(fmt.Sprintf("head: feature has %d values, want %d", len(x), h.In))
	}
	if class < 0 || class >= h.Out {
		panic(fmt.Sprintf("head: class %d out of range [0, %d)", class, h.Out))
	}
	g := grow(dst, h.In)
	clear(g)
	w2 := h.W2[class*h.Hidden : (class+1)*h.Hidden]
	for i, c := range w2 {
		if c == 0 {
			continue
		}
		row := h.W1[i*h.In : (i+1)*h.In]
		if h.B1[i]+dot4(row, x) > 0 {
			for d, w := range row {
				g[d] += c * w
			}
		}
	}
	return g
}

// Sigmoid is 1/(1+e^-z), computed without overflow for any z.
func Sigmoid(z float32) float32 {
	if z >= 0 {
		return float32(1 / (1 + math.Exp(-float64(z))))
	}
	e := math.Exp(float64(z))
	return float32(e / (1 + e))
}

// Softmax replaces z by softmax(z) in place, subtracting max(z) first so that
// no exponential overflows.
func Softmax(z []float32) {
	if len(z) == 0 {
		return
	}
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for j, v := range z {
		e := math.Exp(float64(v - m))
		z[j] = float32(e)
		s += e
	}
	for j := range z {
		z[j] = float32(float64(z[j]) / s)
	}
}

// dot4 is Σ x[i]·y[i] over len(x) with four independent partial sums, which
// lets the CPU overlap the additions; y must be at least as long as x.
func dot4(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
