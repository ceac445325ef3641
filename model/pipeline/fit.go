package pipeline

import (
	"fmt"
	"io"
	"time"

	"posterity/model/head"
	"posterity/model/metrics"
	"posterity/model/train"
)

// Fit is one trained head with everything measured about it.
type Fit struct {
	Head    *head.Head
	History train.History
	Config  train.Config
	Splits  Splits
	Elapsed time.Duration

	// Probabilities of the validation and test posters (n×L).
	ValProbs, TestProbs []float32
	// Thresholds tuned on validation (multi-label), 0.5 elsewhere.
	Thresholds []float32

	ValAtHalf, ValTuned   metrics.Report
	TestAtHalf, TestTuned metrics.Report
	TopTwo, All           metrics.Report // baselines on the test split

	// Calibration of the test probabilities (10 bins, all genres pooled).
	Calibration metrics.Calibration
}

// Train fits a head on sp.Train, stops early and tunes thresholds on
// sp.Val, and measures everything on sp.Test (or on sp.Val when there is
// no test split, flagged as optimistic by the caller).
func (d *Data) Train(cfg train.Config, sp Splits, log io.Writer) (*Fit, error) {
	start := time.Now()
	if d.Mode == head.MultiClass && cfg.Loss != train.LossCE {
		cfg.Loss = train.LossCE
	}
	trainSet, valSet := d.Subset(sp.Train), d.Subset(sp.Val)
	if d.Mirrored != nil {
		trainSet = d.withMirrors(trainSet, sp.Train)
	}
	h, hist, err := train.Train(cfg, trainSet, valSet, d.Labels, log)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	f := &Fit{Head: h, History: hist, Config: cfg, Splits: sp}
	L := len(d.Labels)
	f.ValProbs = d.probs(h, sp.Val)
	half := metrics.UniformThresholds(0.5, L)
	f.Thresholds = half
	if d.Mode == head.MultiLabel {
		f.Thresholds = train.TuneThresholds(f.ValProbs, valSet.Y, len(sp.Val), L)
	}
	h.Thresholds = f.Thresholds
	test := sp.Test
	if len(test) == 0 {
		test = sp.Val
	}
	testY := d.Subset(test).Y
	f.TestProbs = d.probs(h, test)
	f.ValAtHalf = d.evaluate(f.ValProbs, valSet.Y, half, len(sp.Val))
	f.ValTuned = d.evaluate(f.ValProbs, valSet.Y, f.Thresholds, len(sp.Val))
	f.TestAtHalf = d.evaluate(f.TestProbs, testY, half, len(test))
	f.TestTuned = d.evaluate(f.TestProbs, testY, f.Thresholds, len(test))
	trainCounts := metrics.LabelCounts(trainSet.Y[:len(sp.Train)*L], len(sp.Train), L) // originals only, not mirrors
	f.TopTwo = metrics.BaselineTopK(testY, len(test), d.Labels, trainCounts, 2)
	f.All = metrics.BaselineAll(testY, len(test), d.Labels)
	f.Calibration = metrics.Calibrate(f.TestProbs, testY, len(test), L, 10)
	f.Elapsed = time.Since(start)
	return f, nil
}

// withMirrors appends the mirror images of rows idx to ds as extra
// examples with the same labels.
func (d *Data) withMirrors(ds train.Dataset, idx []int) train.Dataset {
	const D = 1280
	L := len(d.Labels)
	for _, i := range idx {
		ds.X = append(ds.X, d.Mirrored[i*D:(i+1)*D]...)
		ds.Y = append(ds.Y, d.Y[i*L:(i+1)*L]...)
	}
	return ds
}

func (d *Data) probs(h *head.Head, idx []int) []float32 {
	const D = 1280
	L := len(d.Labels)
	out := make([]float32, len(idx)*L)
	scratch := make([]float32, h.Hidden)
	for r, i := range idx {
		h.Probs(d.X[i*D:(i+1)*D], out[r*L:(r+1)*L], scratch)
	}
	return out
}

// evaluate scores probabilities: per-label thresholds for multi-label, the
// arg-max for multi-class.
func (d *Data) evaluate(probs []float32, y []uint8, thresholds []float32, n int) metrics.Report {
	L := len(d.Labels)
	if d.Mode == head.MultiLabel {
		return metrics.EvaluateAt(probs, y, thresholds, n, d.Labels)
	}
	pred := make([]uint8, n*L)
	for r := 0; r < n; r++ {
		best := 0
		for j := 1; j < L; j++ {
			if probs[r*L+j] > probs[r*L+best] {
				best = j
			}
		}
		pred[r*L+best] = 1
	}
	return metrics.Evaluate(pred, y, n, d.Labels)
}
