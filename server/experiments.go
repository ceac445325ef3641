package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"posterity/model/mobilenet"
	"posterity/model/pipeline"
	"posterity/model/report"
	"posterity/model/train"
)

// experiment changes one thing about the default training run.
type experiment struct {
	note string
	cfg  func(*train.Config)
	data func(*dataFlags) // a different feature variant: re-extracts (cached)
}

func experimentTable() map[string]experiment {
	return map[string]experiment{
		"softf1":      {note: "macro soft-F1 loss (the article's)", cfg: func(c *train.Config) { c.Loss = train.LossSoftF1 }},
		"bce+softf1":  {note: "BCE + macro soft-F1", cfg: func(c *train.Config) { c.Loss = train.LossBCESoftF1 }},
		"hidden256":   {note: "256 hidden units", cfg: func(c *train.Config) { c.Hidden = 256 }},
		"hidden2048":  {note: "2048 hidden units", cfg: func(c *train.Config) { c.Hidden = 2048 }},
		"dropout0":    {note: "no dropout", cfg: func(c *train.Config) { c.Dropout = 0 }},
		"dropout0.5":  {note: "dropout 0.5", cfg: func(c *train.Config) { c.Dropout = 0.5 }},
		"classweight": {note: "positives weighted by sqrt(neg/pos)", cfg: func(c *train.Config) { c.ClassWeighting = true }},
		"lr1e-5":      {note: "Adam lr 1e-5 (the article's)", cfg: func(c *train.Config) { c.LR = 1e-5; c.Epochs = 150 }},
		"lr1e-3":      {note: "Adam lr 1e-3", cfg: func(c *train.Config) { c.LR = 1e-3 }},
		"decay":       {note: "weight decay 1e-2 (AdamW)", cfg: func(c *train.Config) { c.WeightDecay = 1e-2 }},
		"flip":        {note: "features averaged with the mirrored poster's (2 passes per poster)", data: func(d *dataFlags) { d.flip = !d.flip }},
		"flipaug":     {note: "mirrored posters as extra training examples (1 pass per poster)", data: func(d *dataFlags) { d.flipAugment = !d.flipAugment }},
		"crop":        {note: "centre-square crop instead of squash", data: func(d *dataFlags) { d.resize = "crop" }},
		"pad":         {note: "letterbox pad instead of squash", data: func(d *dataFlags) { d.resize = "pad" }},
	}
}

func experimentNames() []string {
	var names []string
	for n := range experimentTable() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// runExperiments trains each named variant on the same split as the main
// run (the split depends only on the labels and the seed) and returns one
// row per run, the main run first. Every number is on the test split at
// thresholds tuned on validation.
func runExperiments(ctx context.Context, base *pipeline.Data, sp pipeline.Splits, cfg train.Config, main *pipeline.Fit,
	names []string, df dataFlags, net *mobilenet.Net, log io.Writer) ([]report.Experiment, error) {
	table := experimentTable()
	row := func(name, note string, f *pipeline.Fit) report.Experiment {
		return report.Experiment{Name: name, MicroF1: f.TestTuned.MicroF1, MacroF1: f.TestTuned.MacroF1,
			Note: fmt.Sprintf("%s; val macro-F1 %.3f; ECE %.3f; %d epochs", note, f.ValTuned.MacroF1, f.Calibration.ECE, len(f.History.Epochs))}
	}
	rows := []report.Experiment{row("default", fmt.Sprintf("%s, %d hidden, dropout %g, lr %g", cfg.Loss, cfg.Hidden, cfg.Dropout, cfg.LR), main)}
	for _, name := range names {
		e, ok := table[name]
		if !ok {
			return nil, fmt.Errorf("unknown experiment %q (have %v)", name, experimentNames())
		}
		c, data := cfg, base
		if e.cfg != nil {
			e.cfg(&c)
		}
		if e.data != nil {
			d := df
			e.data(&d)
			var err error
			if data, _, err = d.load(ctx, net, log); err != nil {
				return nil, fmt.Errorf("experiment %s: %w", name, err)
			}
			if data.N() != base.N() {
				return nil, fmt.Errorf("experiment %s: %d posters usable, the main run had %d: splits would differ", name, data.N(), base.N())
			}
		}
		fmt.Fprintf(log, "experiment %s: %s\n", name, e.note)
		f, err := data.Train(c, sp, io.Discard)
		if err != nil {
			return nil, fmt.Errorf("experiment %s: %w", name, err)
		}
		r := row(name, e.note, f)
		fmt.Fprintf(log, "experiment %s: test micro-F1 %.3f macro-F1 %.3f (%s)\n", name, r.MicroF1, r.MacroF1, r.Note)
		rows = append(rows, r)
	}
	return rows, nil
}
