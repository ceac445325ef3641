package pipeline

import (
	"fmt"
	"strings"
	"time"

	"posterity/model/head"
	"posterity/model/imageprep"
	"posterity/model/metrics"
	"posterity/model/mobilenet"
	"posterity/model/report"
	"posterity/model/train"
)

// Storage rule: the export keeps the smallest encoding whose cost against
// float32, measured on the test split at the validation-tuned thresholds
// with the file round-tripped, is within its tolerance:
//
//   - int4 W1 (groups of head.DefaultInt4Group inputs) + int8 W2, when it
//     costs at most int4MicroTolerance test micro-F1 and int4MacroTolerance
//     test macro-F1 (the default head: 0.63 MB gzip instead of 1.23 MB);
//   - else int8 per output row, when it costs less than int8Tolerance of
//     both;
//   - else float32.
const (
	int4MicroTolerance = 0.003
	int4MacroTolerance = 0.005
	int8Tolerance      = 0.002
)

// Finish decides how to store the head's weights (the storage rule above),
// re-measures the fit with the weights as stored — so the head's metadata,
// the report and make eval all show the shipped head's numbers; the
// thresholds stay those tuned on validation with the float32 weights — and
// fills the head's metadata. It returns the save options and a line saying
// what was measured. A non-nil force skips the rule and stores the weights
// that way (still re-measured).
func (d *Data) Finish(f *Fit, net *mobilenet.Net, policy imageprep.Policy, spec SplitSpec, flip bool, force *head.SaveOptions) (head.SaveOptions, string, error) {
	h := f.Head
	var (
		opt    head.SaveOptions
		line   string
		stored *head.Head
		err    error
	)
	if force != nil {
		opt, line = *force, "storage chosen by the caller: "+force.String()
		stored, _, err = readBack(h, opt)
	} else {
		opt, line, stored, err = d.chooseStorage(f)
	}
	if err != nil {
		return head.SaveOptions{}, "", err
	}
	if stored != nil {
		d.remeasure(f, stored)
	}
	h.BackboneSHA256 = net.SourceSHA256
	h.Preprocess = policy.String()
	h.PreprocessVersion = imageprep.Version
	h.Created = time.Now().UTC().Format(time.RFC3339)
	m := map[string]float64{
		"micro_f1": f.TestTuned.MicroF1, "macro_f1": f.TestTuned.MacroF1,
		"micro_precision": f.TestTuned.MicroPrecision, "micro_recall": f.TestTuned.MicroRecall,
		"label_accuracy":  f.TestTuned.LabelAccuracy,
		"micro_f1_at_0.5": f.TestAtHalf.MicroF1, "macro_f1_at_0.5": f.TestAtHalf.MacroF1,
		"val_micro_f1": f.ValTuned.MicroF1, "val_macro_f1": f.ValTuned.MacroF1,
		"val_micro_f1_at_0.5": f.ValAtHalf.MicroF1, "val_macro_f1_at_0.5": f.ValAtHalf.MacroF1,
		"baseline_top2_micro_f1": f.TopTwo.MicroF1, "baseline_top2_macro_f1": f.TopTwo.MacroF1,
		"baseline_all_micro_f1": f.All.MicroF1, "baseline_all_macro_f1": f.All.MacroF1,
		"n_train": float64(len(f.Splits.Train)), "n_val": float64(len(f.Splits.Val)), "n_test": float64(len(f.Splits.Test)),
		"split_seed": float64(spec.Seed), "val_frac": spec.ValFrac, "test_frac": spec.TestFrac,
		"epochs": float64(len(f.History.Epochs)), "best_epoch": float64(f.History.Best + 1),
		"ece": f.Calibration.ECE,
	}
	if flip {
		m["flip_average"] = 1
	}
	if d.Mirrored != nil {
		m["flip_augment"] = 1
	}
	h.Metrics = m
	h.PerLabel = make([]head.LabelMetrics, len(d.Labels))
	h.Curves = make([]head.Curve, len(d.Labels))
	test := f.testIdx()
	testY := d.Subset(test).Y
	for j, s := range f.TestTuned.PerLabel {
		h.PerLabel[j] = head.LabelMetrics{Label: s.Label, Precision: s.Precision, Recall: s.Recall, F1: s.F1, Support: s.Support, Threshold: f.Thresholds[j]}
		pts := metrics.Downsample(metrics.PRCurve(f.TestProbs, testY, j, len(test), len(d.Labels)), 32)
		c := head.Curve{Label: s.Label}
		for _, p := range pts {
			c.Points = append(c.Points, [2]float32{p.Recall, p.Precision})
		}
		h.Curves[j] = c
	}
	h.Notes = fmt.Sprintf("Metrics are on a held-out test split of %d posters (seed %d), at thresholds tuned on a separate validation split of %d; keys with val_ are on that validation split and are optimistic.",
		len(test), spec.Seed, len(f.Splits.Val))

	return opt, line, nil
}

// chooseStorage applies the storage rule. stored is the head as read back
// from the chosen encoding (nil for float32).
func (d *Data) chooseStorage(f *Fit) (opt head.SaveOptions, line string, stored *head.Head, err error) {
	test := f.testIdx()
	testY := d.Subset(test).Y
	_, size, err := readBack(f.Head, head.SaveOptions{})
	if err != nil {
		return opt, "", nil, err
	}
	line = fmt.Sprintf("float32 head %d bytes", size)
	for _, c := range []struct {
		opt        head.SaveOptions
		name       string
		micro, mac float64
		strict     bool // the int8 rule is "less than", as it always was
	}{
		{head.SaveOptions{Quantize8: true, Int4Group: head.DefaultInt4Group}, fmt.Sprintf("int4-g%d", head.DefaultInt4Group), int4MicroTolerance, int4MacroTolerance, false},
		{head.SaveOptions{Quantize8: true}, "int8", int8Tolerance, int8Tolerance, true},
	} {
		q, size, err := readBack(f.Head, c.opt)
		if err != nil {
			return opt, "", nil, err
		}
		r := d.evaluate(d.probs(q, test), testY, f.Thresholds, len(test))
		dMicro, dMacro := f.TestTuned.MicroF1-r.MicroF1, f.TestTuned.MacroF1-r.MacroF1
		line += fmt.Sprintf("; %s %d bytes: test micro-F1 %+.4f, macro-F1 %+.4f", c.name, size, -dMicro, -dMacro)
		ok := dMicro <= c.micro && dMacro <= c.mac
		if c.strict {
			ok = dMicro < c.micro && dMacro < c.mac
		}
		if ok {
			return c.opt, line + " → storing " + c.name, q, nil
		}
	}
	return head.SaveOptions{}, line + " → storing float32", nil, nil
}

// readBack is h as a file stored with opt reads it, and the file's size;
// the head is nil for float32, which stores the weights exactly.
func readBack(h *head.Head, opt head.SaveOptions) (*head.Head, int, error) {
	b, err := h.Marshal(opt)
	if err != nil {
		return nil, 0, err
	}
	if !opt.Quantize8 && opt.Int4Group == 0 {
		return nil, len(b), nil
	}
	q, err := head.Parse(b)
	return q, len(b), err
}

// remeasure replaces the fit's probabilities and metrics by those of the
// stored head q, at the same thresholds.
func (d *Data) remeasure(f *Fit, q *head.Head) {
	L := len(d.Labels)
	half := metrics.UniformThresholds(0.5, L)
	test := f.testIdx()
	valY, testY := d.Subset(f.Splits.Val).Y, d.Subset(test).Y
	f.ValProbs, f.TestProbs = d.probs(q, f.Splits.Val), d.probs(q, test)
	f.ValAtHalf = d.evaluate(f.ValProbs, valY, half, len(f.Splits.Val))
	f.ValTuned = d.evaluate(f.ValProbs, valY, f.Thresholds, len(f.Splits.Val))
	f.TestAtHalf = d.evaluate(f.TestProbs, testY, half, len(test))
	f.TestTuned = d.evaluate(f.TestProbs, testY, f.Thresholds, len(test))
	f.Calibration = metrics.Calibrate(f.TestProbs, testY, len(test), L, 10)
}

func (f *Fit) testIdx() []int {
	if len(f.Splits.Test) > 0 {
		return f.Splits.Test
	}
	return f.Splits.Val
}

// Report builds the HTML report's data.
func (d *Data) Report(f *Fit, cfg []report.KV, experiments []report.Experiment) report.Data {
	L := len(d.Labels)
	trainY := d.Subset(f.Splits.Train).Y
	test := f.testIdx()
	testY := d.Subset(test).Y
	rd := report.Data{
		Title:    "Posterity genre head: training report",
		Subtitle: fmt.Sprintf("%s · %d posters · %d labels · trained in %s", f.Head.Created, d.N(), L, f.Elapsed.Round(time.Second)),
		Dataset: report.Dataset{
			Description: fmt.Sprintf("%d train / %d validation (early stopping, thresholds) / %d test (the numbers below). %d posters skipped for having no selected genre, %d for unreadable images.",
				len(f.Splits.Train), len(f.Splits.Val), len(f.Splits.Test), d.Dropped, len(d.Failed)),
			NTrain: len(f.Splits.Train), NVal: len(test), Labels: d.Labels,
			EvalSplit:   map[bool]string{true: "test", false: "validation"}[len(f.Splits.Test) > 0],
			TrainCounts: metrics.LabelCounts(trainY, len(f.Splits.Train), L),
			ValCounts:   metrics.LabelCounts(testY, len(test), L),
		},
		Config:       cfg,
		ModelSummary: train.Summary(f.Head, train.MobileNetV2Params),
		Results:      report.StandardResults(f.TestAtHalf, f.TestTuned, f.TopTwo, f.All, len(f.Splits.Test) == 0),
		PerGenre:     f.TestTuned.PerLabel,
		Experiments:  experiments,
	}
	for i, e := range f.History.Epochs {
		rd.Epochs = append(rd.Epochs, report.Epoch{Epoch: i + 1, TrainLoss: e.TrainLoss, ValLoss: e.ValLoss, ValMicroF1: e.ValMicroF1, ValMacroF1: e.ValMacroF1})
	}
	for j, name := range d.Labels {
		rd.Curves = append(rd.Curves, report.NewCurve(f.TestProbs, testY, j, len(test), L, name, f.Thresholds[j], 120))
	}
	return rd
}

// ConfigKVs lists a training configuration for the report.
func ConfigKVs(cfg train.Config, policy imageprep.Policy, flip bool, spec SplitSpec, quant string) []report.KV {
	kv := func(k string, v any) report.KV { return report.KV{Key: k, Value: fmt.Sprint(v)} }
	return []report.KV{
		kv("loss", cfg.Loss), kv("hidden units", cfg.Hidden), kv("dropout", cfg.Dropout),
		kv("class weighting", cfg.ClassWeighting), kv("optimizer", fmt.Sprintf("Adam lr %g, batch %d", cfg.LR, cfg.BatchSize)),
		kv("weight decay", cfg.WeightDecay), kv("epochs (max) / patience", fmt.Sprintf("%d / %d", cfg.Epochs, cfg.Patience)),
		kv("resize policy", policy), kv("flip-averaged features", flip),
		kv("split", fmt.Sprintf("seed %d, validation %.0f%%, test %.0f%%", spec.Seed, 100*spec.ValFrac, 100*spec.TestFrac)),
		kv("head storage", quant),
	}
}

// Table renders experiments as a Markdown table (for the README).
func Table(rows []report.Experiment) string {
	var b strings.Builder
	b.WriteString("| experiment | test micro-F1 | test macro-F1 | note |\n|---|---:|---:|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %s |\n", r.Name, r.MicroF1, r.MacroF1, r.Note)
	}
	return b.String()
}
