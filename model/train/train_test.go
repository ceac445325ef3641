package train

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"posterity/model/head"
)

// synthetic returns a learnable data set: label j is 1 when x·w_j exceeds a
// per-label cut chosen for prevalences from 10% to 50% (multi-label), or the
// argmax of x·w_j (multi-class). The same generator and seed give the same
// hidden rule, so train and validation sets come from one distribution.
func synthetic(seed uint64, n, D, N int, multiClass bool) Dataset {
	rule := rand.New(rand.NewPCG(99, 99))
	w := make([]float64, N*D)
	for i := range w {
		w[i] = rule.NormFloat64()
	}
	r := rand.New(rand.NewPCG(seed, seed))
	d := Dataset{X: make([]float32, n*D), Y: make([]uint8, n*N), N: N, D: D}
	for row := range n {
		x := d.X[row*D : (row+1)*D]
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		best, bestS := 0, math.Inf(-1)
		for j := range N {
			var s float64
			for i, v := range x {
				s += w[j*D+i] * float64(v)
			}
			s /= math.Sqrt(float64(D))
			if s > bestS {
				best, bestS = j, s
			}
			// Cut at the (1−prevalence) normal quantile, prevalence 10%..50%.
			cuts := []float64{1.28, 0.84, 0.52, 0.25, 0}
			if !multiClass && s > cuts[j%len(cuts)] {
				d.Y[row*N+j] = 1
			}
		}
		if multiClass {
			d.Y[row*N+best] = 1
		}
	}
	return d
}

func labelNames(n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = "L" + string(rune('a'+i))
	}
	return l
}

func TestTrainLearns(t *testing.T) {
	const D, N = 16, 4
	cases := []struct {
		cfg  Config
		min  float64 // macro-F1 at the stored thresholds on a fresh test set
		mode head.Mode
	}{
		{Config{Hidden: 32, Epochs: 40, BatchSize: 64, LR: 3e-3, Seed: 1}, 0.85, head.MultiLabel},
		{Config{Hidden: 32, Epochs: 40, BatchSize: 64, LR: 3e-3, Seed: 1, Loss: LossSoftF1, Dropout: 0.1}, 0.85, head.MultiLabel},
		{Config{Hidden: 32, Epochs: 40, BatchSize: 64, LR: 3e-3, Seed: 1, Loss: LossBCESoftF1, ClassWeighting: true, WeightDecay: 1e-2}, 0.85, head.MultiLabel},
		{Config{Hidden: 32, Epochs: 40, BatchSize: 64, LR: 3e-3, Seed: 1, Loss: LossCE, Patience: 5}, 0.80, head.MultiClass},
	}
	for _, c := range cases {
		t.Run(c.cfg.Loss, func(t *testing.T) {
			mc := c.cfg.Loss == LossCE
			tr, val, test := synthetic(1, 2000, D, N, mc), synthetic(2, 500, D, N, mc), synthetic(3, 500, D, N, mc)
			var log bytes.Buffer
			h, hist, err := Train(c.cfg, tr, val, labelNames(N), &log)
			if err != nil {
				t.Fatal(err)
			}
			if h.Mode != c.mode {
				t.Errorf("mode %v, want %v", h.Mode, c.mode)
			}
			if err := h.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(log.String(), "  val_macro_f1 "); got != len(hist.Epochs) {
				t.Errorf("%d log lines for %d epochs", got, len(hist.Epochs))
			}
			first, last := hist.Epochs[0], hist.Epochs[len(hist.Epochs)-1]
			if !(last.TrainLoss < first.TrainLoss) {
				t.Errorf("train loss did not fall: %v → %v", first.TrainLoss, last.TrainLoss)
			}
			// Honest check: macro-F1 with the head's own inference on data
			// neither training nor threshold tuning saw.
			probs := make([]float32, test.Len()*N)
			for row := range test.Len() {
				h.Probs(test.X[row*D:(row+1)*D], probs[row*N:(row+1)*N], nil)
			}
			_, macro := confusion(probs, test.Y, test.Len(), N, h.Thresholds, mc).f1()
			t.Logf("test macro-F1 %.3f, val (tuned) %.3f, epochs %d", macro, h.Metrics["macro_f1"], len(hist.Epochs))
			if macro < c.min {
				t.Errorf("test macro-F1 %.3f < %.2f\n%s", macro, c.min, log.String())
			}
			if len(h.PerLabel) != N || len(h.Curves) != N {
				t.Errorf("%d per-label metrics, %d curves, want %d", len(h.PerLabel), len(h.Curves), N)
			}
			if _, err := h.Marshal(head.SaveOptions{}); err != nil {
				t.Errorf("trained head does not marshal: %v", err)
			}
		})
	}
}

func weightsOf(h *head.Head) [][]float32 { return [][]float32{h.W1, h.B1, h.W2, h.B2} }

func bitsEqual(a, b *head.Head) bool {
	wa, wb := weightsOf(a), weightsOf(b)
	for i := range wa {
		for k := range wa[i] {
			if math.Float32bits(wa[i][k]) != math.Float32bits(wb[i][k]) {
				return false
			}
		}
	}
	return true
}

func TestTrainDeterministic(t *testing.T) {
	const D, N = 12, 3
	tr, val := synthetic(4, 700, D, N, false), synthetic(5, 200, D, N, false)
	base := Config{Hidden: 40, Epochs: 3, BatchSize: 50, LR: 1e-3, Dropout: 0.3, WeightDecay: 1e-3, Seed: 7}
	run := func(mod func(*Config)) *head.Head {
		cfg := base
		mod(&cfg)
		h, _, err := Train(cfg, tr, val, labelNames(N), nil)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, kern := range []struct {
		name string
		f    gemmFunc
	}{{"gonum", gemmNTGonum}, {"blocked", gemmNT}} {
		ref := run(func(c *Config) { c.gemm = kern.f; c.Workers = 1 })
		for _, w := range []int{1, 2, 3} {
			if h := run(func(c *Config) { c.gemm = kern.f; c.Workers = w }); !bitsEqual(h, ref) {
				t.Errorf("%s: Workers=%d weights differ from Workers=1", kern.name, w)
			}
		}
		if h := run(func(c *Config) { c.gemm = kern.f; c.Seed = 8 }); bitsEqual(h, ref) {
			t.Errorf("%s: a different seed gave identical weights", kern.name)
		}
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	const D, N = 8, 3
	tr := synthetic(6, 400, D, N, false)
	// Validation labels unrelated to the features: val F1 wanders, so
	// patience runs out.
	val := synthetic(7, 200, D, N, false)
	r := rand.New(rand.NewPCG(1, 1))
	r.Shuffle(val.Len(), func(i, j int) {
		for k := range N {
			val.Y[i*N+k], val.Y[j*N+k] = val.Y[j*N+k], val.Y[i*N+k]
		}
	})
	cfg := Config{Hidden: 16, Epochs: 60, BatchSize: 32, LR: 1e-2, Patience: 2, Seed: 3, Monitor: MonitorMacroF1}
	// The default monitor, macro average precision, must pick its own best.
	mcfg := cfg
	mcfg.Monitor = ""
	_, mh, err := Train(mcfg, tr, val, labelNames(N), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range mh.Epochs {
		if e.ValMAP > mh.Epochs[mh.Best].ValMAP {
			t.Errorf("epoch with mAP %v beats the best %v", e.ValMAP, mh.Epochs[mh.Best].ValMAP)
		}
	}
	h, hist, err := Train(cfg, tr, val, labelNames(N), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Epochs) == cfg.Epochs {
		t.Fatalf("no early stop in %d epochs", cfg.Epochs)
	}
	if len(hist.Epochs) != hist.Best+1+cfg.Patience {
		t.Errorf("stopped after %d epochs, best %d, patience %d", len(hist.Epochs), hist.Best+1, cfg.Patience)
	}
	for _, e := range hist.Epochs {
		if e.ValMacroF1 > hist.Epochs[hist.Best].ValMacroF1 {
			t.Errorf("epoch with macro-F1 %v beats the best %v", e.ValMacroF1, hist.Epochs[hist.Best].ValMacroF1)
		}
	}
	// The restored weights reproduce the best epoch's validation numbers.
	if got, want := h.Metrics["macro_f1_at_0.5"], hist.Epochs[hist.Best].ValMacroF1; got != want {
		t.Errorf("restored macro-F1@0.5 = %v, best epoch had %v", got, want)
	}
	if got, want := h.Metrics["best_epoch"], float64(hist.Best+1); got != want {
		t.Errorf("best_epoch = %v, want %v", got, want)
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	const D, N = 4, 2
	good := synthetic(8, 20, D, N, false)
	labels := labelNames(N)
	nanX := synthetic(8, 20, D, N, false)
	nanX.X[5] = float32(math.NaN())
	cases := []struct {
		name   string
		cfg    Config
		tr     Dataset
		labels []string
		msg    string
	}{
		{"unknown loss", Config{Loss: "hinge"}, good, labels, "unknown loss"},
		{"dropout 1", Config{Dropout: 1}, good, labels, "Dropout"},
		{"negative LR", Config{LR: -1}, good, labels, "LR"},
		{"weighting with ce", Config{Loss: LossCE, ClassWeighting: true}, good, labels, "ClassWeighting"},
		{"multi-label data with ce", Config{Loss: LossCE}, good, labels, "exactly 1"},
		{"label count", Config{}, good, labels[:1], "label names"},
		{"duplicate labels", Config{}, good, []string{"a", "a"}, "duplicate"},
		{"NaN feature", Config{}, nanX, labels, "NaN"},
		{"ragged X", Config{}, Dataset{X: make([]float32, 7), Y: make([]uint8, 2), D: D, N: N}, labels, "multiple"},
		{"target 2", Config{}, Dataset{X: make([]float32, 4), Y: []uint8{2, 0}, D: D, N: N}, labels, "0 or 1"},
		{"empty", Config{}, Dataset{D: D, N: N}, labels, "at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Epochs = 1
			_, _, err := Train(c.cfg, c.tr, good, c.labels, nil)
			if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "train: ") {
				t.Errorf("err = %v, want it to mention %q", err, c.msg)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	h := head.New(1280, 1024, 18, head.MultiLabel)
	// Parameter counts match the article's Keras summary: Dense(1024) on
	// 1280 inputs has 1280·1024+1024 = 1,311,744; Dense(18) has 18,450.
	want := `Model: "posterity_head"
________________________________________________________________________
 Layer (type)                        Output Shape          Param #
========================================================================
 feature_extractor (MobileNetV2)     (None, 1280)          2257984

 hidden_layer (Dense, relu)          (None, 1024)          1311744

 output (Dense, sigmoid)             (None, 18)            18450
========================================================================
Total params: 3,588,178
Trainable params: 1,330,194
Non-trainable params: 2,257,984
________________________________________________________________________
`
	if got := Summary(h, MobileNetV2Params); got != want {
		t.Errorf("Summary =\n%s\nwant\n%s", got, want)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkEpoch times one training epoch at production size: n = 10,000,
// D = 1280, H = 1024, N = 18, batch 256, for each kernel, plus a 256-row
// validation pass and threshold tuning. Run with -benchtime 1x.
func BenchmarkEpoch(b *testing.B) {
	const n, D, N = 10000, 1280, 18
	r := rand.New(rand.NewPCG(1, 2))
	mk := func(rows int) Dataset {
		d := Dataset{X: make([]float32, rows*D), Y: make([]uint8, rows*N), D: D, N: N}
		for i := range d.X {
			d.X[i] = float32(math.Abs(r.NormFloat64()) * 0.5) // like pooled ReLU6 features
		}
		for i := range d.Y {
			d.Y[i] = b2u(r.Float64() < 0.1)
		}
		return d
	}
	tr, val := mk(n), mk(256)
	for _, kern := range []struct {
		name string
		f    gemmFunc
	}{{"gonum", gemmNTGonum}, {"blocked", gemmNT}} {
		b.Run(kern.name, func(b *testing.B) {
			cfg := Config{Epochs: 1, Dropout: 0.2, gemm: kern.f}
			for b.Loop() {
				if _, _, err := Train(cfg, tr, val, labelNames(N), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
