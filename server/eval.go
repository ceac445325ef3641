package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"posterity/model/metrics"
	"posterity/model/mobilenet"
	"posterity/model/pipeline"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "--data DIR [--json] [flags]", stderr)
	var df dataFlags
	df.register(fs)
	headPath := fs.String("head", defaultHead, "head file to evaluate")
	asJSON := fs.Bool("json", false, "print one JSON object")
	split := fs.String("split", "all", "which posters: all, or the head's own test or val split (recomputed from the seed and fractions it records)")
	if err := parse(fs, args); err != nil {
		return err
	}
	net, err := mobilenet.LoadFile(df.backbone)
	if err != nil {
		return err
	}
	h, err := loadHead(*headPath, net)
	if err != nil {
		return err
	}
	// Features must be made the way the head was trained.
	df.resize = h.Preprocess
	df.flip = h.Metrics["flip_average"] == 1
	df.mode = h.Mode.String()
	if df.genres == "" && df.minCount == 0 {
		df.genres = joinList(h.Labels)
	}
	data, _, err := df.load(ctx, net, stderr)
	if err != nil {
		return err
	}
	if fmt.Sprint(data.Labels) != fmt.Sprint(h.Labels) {
		return fmt.Errorf("the data's labels %v differ from the head's %v", data.Labels, h.Labels)
	}
	idx := make([]int, data.N())
	for i := range idx {
		idx[i] = i
	}
	if *split != "all" {
		sp, err := data.Split(pipeline.SplitSpec{Seed: int64(h.Metrics["split_seed"]), ValFrac: h.Metrics["val_frac"], TestFrac: h.Metrics["test_frac"]})
		if err != nil {
			return err
		}
		switch *split {
		case "test":
			idx = sp.Test
		case "val":
			idx = sp.Val
		default:
			return fmt.Errorf("--split %q: want all, test or val", *split)
		}
	}
	sub := data.Subset(idx)
	L := len(h.Labels)
	probs := make([]float32, len(idx)*L)
	scratch := make([]float32, h.Hidden)
	for r := range idx {
		h.Probs(sub.X[r*mobilenet.FeatureDim:(r+1)*mobilenet.FeatureDim], probs[r*L:(r+1)*L], scratch)
	}
	rep := metrics.EvaluateAt(probs, sub.Y, h.Thresholds, len(idx), h.Labels)
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(stdout, "%d posters (%s), %d genres, thresholds from %s\n", rep.N, *split, L, *headPath)
	fmt.Fprintf(stdout, "micro-F1 %.3f (P %.3f R %.3f)  macro-F1 %.3f  label accuracy %.3f\n",
		rep.MicroF1, rep.MicroPrecision, rep.MicroRecall, rep.MacroF1, rep.LabelAccuracy)
	fmt.Fprintf(stdout, "%-12s %9s %9s %9s %8s %9s\n", "genre", "precision", "recall", "f1", "support", "threshold")
	for _, s := range rep.PerLabel {
		fmt.Fprintf(stdout, "%-12s %9.3f %9.3f %9.3f %8d %9.3f\n", s.Label, s.Precision, s.Recall, s.F1, s.Support, s.Threshold)
	}
	return nil
}

func joinList(v []string) string {
	out := ""
	for i, s := range v {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
