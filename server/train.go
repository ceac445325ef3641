package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"posterity/model/features"
	"posterity/model/head"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
	"posterity/model/pipeline"
	"posterity/model/report"
	"posterity/model/train"
)

// dataFlags are the flags train and eval share: where the posters are and
// how they become features.
type dataFlags struct {
	data, backbone, cache, genres, mode, resize string
	minCount, workers                           int
	flip, flipAugment                           bool
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", "", "poster folder: labels.csv + images/<imdbId>.jpg (or, with --mode multi-class, a folder per class)")
	fs.StringVar(&d.backbone, "backbone", defaultBackbone, "backbone weight file (make model)")
	fs.StringVar(&d.cache, "cache", "cache/features", "feature cache folder (\"\" to disable)")
	fs.StringVar(&d.genres, "genres", "", "comma-separated genres to learn (default: the reference notebook's 18)")
	fs.IntVar(&d.minCount, "min-count", 0, "without --genres: learn every genre with at least this many posters")
	fs.StringVar(&d.mode, "mode", "multi-label", "multi-label (sigmoid per genre) or multi-class (softmax, one label per poster)")
	fs.StringVar(&d.resize, "resize", "pad", "resize policy: pad (whole poster letterboxed on black, measured best), squash (whole poster stretched) or crop (centre square)")
	fs.BoolVar(&d.flip, "flip", false, "average each poster's feature with its mirror image's (training and inference: two backbone passes per poster)")
	fs.BoolVar(&d.flipAugment, "flip-augment", false, "train on each poster's mirror image too (inference stays one pass)")
	fs.IntVar(&d.workers, "workers", 0, "feature-extraction workers (0: one per core)")
}

func (d *dataFlags) load(ctx context.Context, net *mobilenet.Net, stderr io.Writer) (*pipeline.Data, imageprep.Policy, error) {
	if d.data == "" {
		return nil, 0, fmt.Errorf("--data is required")
	}
	policy, err := imageprep.ParsePolicy(d.resize)
	if err != nil {
		return nil, 0, err
	}
	mode, err := head.ParseMode(d.mode)
	if err != nil {
		return nil, 0, err
	}
	var genres []string
	if d.genres != "" {
		genres = splitList(d.genres)
	}
	data, err := pipeline.Load(ctx, net, d.data, pipeline.LoadOptions{
		Mode: mode, Genres: genres, MinCount: d.minCount, FlipAugment: d.flipAugment,
		Features: features.Options{CacheDir: d.cache, Policy: policy, Flip: d.flip, Workers: d.workers, Progress: stderr},
	}, stderr)
	return data, policy, err
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "--data DIR [flags]", stderr)
	var df dataFlags
	df.register(fs)
	cfg := train.DefaultConfig()
	out := fs.String("out", defaultHead, "head file to write")
	reportPath := fs.String("report", "training/report.html", "HTML report to write (\"\" for none)")
	fs.IntVar(&cfg.Hidden, "hidden", cfg.Hidden, "hidden units")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "maximum epochs")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "batch size")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate")
	fs.StringVar(&cfg.Loss, "loss", cfg.Loss, "bce, softf1, bce+softf1 (multi-label) or ce (multi-class)")
	fs.Float64Var(&cfg.Dropout, "dropout", cfg.Dropout, "dropout on the hidden layer")
	fs.BoolVar(&cfg.ClassWeighting, "class-weighting", cfg.ClassWeighting, "weight positives by sqrt(neg/pos) per genre (BCE)")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", cfg.WeightDecay, "decoupled weight decay")
	fs.IntVar(&cfg.Patience, "patience", cfg.Patience, "early stopping: epochs without a better --monitor score on validation")
	fs.StringVar(&cfg.Monitor, "monitor", train.MonitorMAP, "early-stopping score: map (macro average precision), macro_f1 (at 0.5) or loss")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed for the split, initialisation and shuffling")
	val := fs.Float64("val", 0.15, "share of posters for validation (early stopping, thresholds)")
	test := fs.Float64("test", 0.15, "share of posters held out for the reported metrics")
	quant := fs.String("quantize", "auto", "head storage: auto (int4 or int8 unless it costs test F1; see model/pipeline), int4, int8 or float32")
	experiments := fs.String("experiments", "", "also train these variants on the same split and tabulate them: comma-separated from "+strings.Join(experimentNames(), ","))
	if err := parse(fs, args); err != nil {
		return err
	}
	var force *head.SaveOptions
	switch *quant {
	case "auto":
	case "int4":
		force = &head.SaveOptions{Quantize8: true, Int4Group: head.DefaultInt4Group}
	case "int8":
		force = &head.SaveOptions{Quantize8: true}
	case "float32":
		force = &head.SaveOptions{}
	default:
		return fmt.Errorf("--quantize %q: want auto, int4, int8 or float32", *quant)
	}
	net, err := mobilenet.LoadFile(df.backbone)
	if err != nil {
		return err
	}
	data, policy, err := df.load(ctx, net, stderr)
	if err != nil {
		return err
	}
	spec := pipeline.SplitSpec{Seed: cfg.Seed, ValFrac: *val, TestFrac: *test}
	sp, err := data.Split(spec)
	if err != nil {
		return err
	}
	if data.Mode == head.MultiClass {
		cfg.Loss = train.LossCE
	}
	fmt.Fprintf(stderr, "split: %d train, %d validation, %d test\n", len(sp.Train), len(sp.Val), len(sp.Test))
	fit, err := data.Train(cfg, sp, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, train.Summary(fit.Head, train.MobileNetV2Params))
	// The experiments compare float32 heads, the default's included, so
	// they run before Finish re-measures the default with its stored
	// weights.
	var rows []report.Experiment
	if *experiments != "" {
		rows, err = runExperiments(ctx, data, sp, cfg, fit, splitList(*experiments), df, net, stderr)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, pipeline.Table(rows))
	}
	opt, qline, err := data.Finish(fit, net, policy, spec, df.flip, force)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, qline)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := fit.Head.WriteFile(*out, opt); err != nil {
		return fmt.Errorf("writing the head (the previous one, if any, is untouched): %w", err)
	}
	printSummary(stdout, fit, *out)
	if *reportPath != "" {
		rd := data.Report(fit, pipeline.ConfigKVs(cfg, policy, df.flip, spec, opt.String()+"; "+qline), rows)
		if err := os.MkdirAll(filepath.Dir(*reportPath), 0o755); err != nil {
			return err
		}
		if err := report.WriteFile(*reportPath, rd); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report: %s\n", *reportPath)
	}
	return nil
}

func printSummary(w io.Writer, f *pipeline.Fit, out string) {
	fmt.Fprintf(w, "wrote %s: %d epochs (best %d), trained in %s\n", out, len(f.History.Epochs), f.History.Best+1, f.Elapsed.Round(1e9))
	fmt.Fprintf(w, "%-42s %9s %9s\n", "", "micro-F1", "macro-F1")
	row := func(name string, mi, ma float64) { fmt.Fprintf(w, "%-42s %9.3f %9.3f\n", name, mi, ma) }
	row("test, tuned thresholds", f.TestTuned.MicroF1, f.TestTuned.MacroF1)
	row("test, threshold 0.5", f.TestAtHalf.MicroF1, f.TestAtHalf.MacroF1)
	row("validation, tuned thresholds (optimistic)", f.ValTuned.MicroF1, f.ValTuned.MacroF1)
	row("validation, threshold 0.5", f.ValAtHalf.MicroF1, f.ValAtHalf.MacroF1)
	row("baseline: two most frequent genres (test)", f.TopTwo.MicroF1, f.TopTwo.MacroF1)
	row("baseline: all genres (test)", f.All.MicroF1, f.All.MacroF1)
	fmt.Fprintf(w, "calibration (test, all genres pooled): expected calibration error %.3f\n", f.Calibration.ECE)
}
