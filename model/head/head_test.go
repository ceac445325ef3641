package head

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomHead returns a head with He-initialised random weights (the scale a
// trained head has) and small random biases.
func randomHead(r *rand.Rand, in, hidden, out int, mode Mode) *Head {
	h := New(in, hidden, out, mode)
	s1 := math.Sqrt(2 / float64(in))
	for i := range h.W1 {
		h.W1[i] = float32(r.NormFloat64() * s1)
	}
	s2 := math.Sqrt(2 / float64(hidden))
	for i := range h.W2 {
		h.W2[i] = float32(r.NormFloat64() * s2)
	}
	for i := range h.B1 {
		h.B1[i] = float32(r.NormFloat64() * 0.1)
	}
	for i := range h.B2 {
		h.B2[i] = float32(r.NormFloat64() * 0.1)
	}
	return h
}

// randomFeature mimics a pooled MobileNetV2 feature: non-negative (ReLU6
// then average pooling), mostly below 1.
func randomFeature(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Abs(r.NormFloat64()) * 0.5)
	}
	return x
}

// naiveProbs is the textbook float64 forward pass.
func naiveProbs(h *Head, x []float32) []float64 {
	a1 := make([]float64, h.Hidden)
	for i := range a1 {
		s := float64(h.B1[i])
		for d := range h.In {
			s += float64(h.W1[i*h.In+d]) * float64(x[d])
		}
		a1[i] = math.Max(s, 0)
	}
	z := make([]float64, h.Out)
	for j := range z {
		s := float64(h.B2[j])
		for i := range h.Hidden {
			s += float64(h.W2[j*h.Hidden+i]) * a1[i]
		}
		z[j] = s
	}
	if h.Mode == MultiClass {
		m := math.Inf(-1)
		for _, v := range z {
			m = math.Max(m, v)
		}
		var sum float64
		for j := range z {
			z[j] = math.Exp(z[j] - m)
			sum += z[j]
		}
		for j := range z {
			z[j] /= sum
		}
		return z
	}
	for j := range z {
		z[j] = 1 / (1 + math.Exp(-z[j]))
	}
	return z
}

func TestProbsMatchesNaive(t *testing.T) {
	cases := []struct {
		in, hidden, out int
		mode            Mode
	}{
		{1, 1, 1, MultiLabel},
		{7, 5, 3, MultiLabel},
		{7, 5, 3, MultiClass},
		{1280, 64, 18, MultiLabel},
		{1280, 64, 18, MultiClass},
	}
	r := rand.New(rand.NewPCG(1, 1))
	for i, c := range cases {
		h := randomHead(r, c.in, c.hidden, c.out, c.mode)
		for range 5 {
			x := randomFeature(r, c.in)
			got := h.Probs(x, nil, nil)
			want := naiveProbs(h, x)
			var sum float64
			for j := range want {
				// float32 accumulation of ≤1280 terms against float64:
				// measured ≤ 2e-7 here; 1e-5 leaves room.
				if d := math.Abs(float64(got[j]) - want[j]); d > 1e-5 {
					t.Errorf("case %d: p[%d] = %v, want %v", i, j, got[j], want[j])
				}
				sum += float64(got[j])
			}
			if c.mode == MultiClass && math.Abs(sum-1) > 1e-5 {
				t.Errorf("case %d: softmax sums to %v", i, sum)
			}
		}
	}
}

func TestProbsNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	h := randomHead(r, 64, 32, 5, MultiLabel)
	x := randomFeature(r, 64)
	dst, scratch, g := make([]float32, 5), make([]float32, 32), make([]float32, 64)
	if n := testing.AllocsPerRun(20, func() { h.Probs(x, dst, scratch) }); n != 0 {
		t.Errorf("Probs allocates %v times", n)
	}
	if n := testing.AllocsPerRun(20, func() { h.ScoreGradient(x, 3, g) }); n != 0 {
		t.Errorf("ScoreGradient allocates %v times", n)
	}
}

func TestSigmoidSoftmaxExtremes(t *testing.T) {
	for _, z := range []float32{-1e30, -100, 0, 100, 1e30} {
		s := Sigmoid(z)
		if math.IsNaN(float64(s)) || s < 0 || s > 1 {
			t.Errorf("Sigmoid(%v) = %v", z, s)
		}
	}
	p := []float32{1e30, 0, -1e30}
	Softmax(p)
	if p[0] != 1 || p[1] != 0 || p[2] != 0 {
		t.Errorf("Softmax extremes = %v", p)
	}
}

func TestScoreGradientFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	h := randomHead(r, 12, 9, 4, MultiLabel)
	// Make the logit a float64 function of x for the finite differences.
	logit := func(x []float64, class int) float64 {
		s := float64(h.B2[class])
		for i := range h.Hidden {
			z := float64(h.B1[i])
			for d := range h.In {
				z += float64(h.W1[i*h.In+d]) * x[d]
			}
			s += float64(h.W2[class*h.Hidden+i]) * math.Max(z, 0)
		}
		return s
	}
	for class := range h.Out {
		x := randomFeature(r, h.In)
		g := h.ScoreGradient(x, class, nil)
		x64 := make([]float64, h.In)
		for d := range x {
			x64[d] = float64(x[d])
		}
		const eps = 1e-6 // central differences: error O(eps²) away from ReLU kinks
		for d := range x {
			old := x64[d]
			x64[d] = old + eps
			up := logit(x64, class)
			x64[d] = old - eps
			down := logit(x64, class)
			x64[d] = old
			fd := (up - down) / (2 * eps)
			if math.Abs(fd-float64(g[d])) > 1e-4*(1+math.Abs(fd)) {
				t.Errorf("class %d: g[%d] = %v, finite difference %v", class, d, g[d], fd)
			}
		}
	}
}

func TestModeText(t *testing.T) {
	for _, m := range []Mode{MultiLabel, MultiClass} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMode("multi"); err == nil {
		t.Error("ParseMode(\"multi\") succeeded")
	}
	if s := Mode(7).String(); s != "Mode(7)" {
		t.Errorf("Mode(7).String() = %q", s)
	}
}

func TestPanicsOnProgrammerErrors(t *testing.T) {
	h := New(4, 3, 2, MultiLabel)
	for name, f := range map[string]func(){
		"short feature": func() { h.Probs(make([]float32, 3), nil, nil) },
		"bad class":     func() { h.ScoreGradient(make([]float32, 4), 2, nil) },
		"zero size":     func() { New(0, 1, 1, MultiLabel) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
