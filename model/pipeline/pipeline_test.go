package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"posterity/internal/testshared"
	"posterity/model/backbone"
	"posterity/model/dataset"
	"posterity/model/features"
	"posterity/model/head"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
	"posterity/model/train"
)

func testNet(t *testing.T) *mobilenet.Net {
	t.Helper()
	b, err := os.ReadFile(testshared.Path(t, "models/"+backbone.FileName))
	if err != nil {
		t.Fatal(err)
	}
	n, err := backbone.Convert(b)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeFolder makes a labelled folder of n generated posters: "Red" posters
// are mostly red, "Blue" mostly blue, and some are both (striped), so a
// head can learn the labels from the backbone's features. One corrupt file
// checks that bad images are skipped, not fatal.
func writeFolder(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "images"), 0o755)
	var posters []dataset.Poster
	for i := 0; i < n; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 60, 90))
		var genres []string
		for y := 0; y < 90; y++ {
			for x := 0; x < 60; x++ {
				c := color.RGBA{uint8(x * 4), uint8(y * 2), uint8(i * 7), 255}
				switch i % 3 {
				case 0:
					c.R = 230
				case 1:
					c.B = 230
				case 2:
					if (y/10)%2 == 0 {
						c.R = 230
					} else {
						c.B = 230
					}
				}
				img.Set(x, y, c)
			}
		}
		switch i % 3 {
		case 0:
			genres = []string{"Red"}
		case 1:
			genres = []string{"Blue"}
		case 2:
			genres = []string{"Blue", "Red"}
		}
		id := fmt.Sprint(100 + i)
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		os.WriteFile(filepath.Join(dir, "images", id+".jpg"), buf.Bytes(), 0o644)
		posters = append(posters, dataset.Poster{ID: id, Title: "t" + id, Year: 2000, Genres: genres})
	}
	posters = append(posters, dataset.Poster{ID: "999", Title: "broken", Year: 2000, Genres: []string{"Red"}})
	os.WriteFile(filepath.Join(dir, "images", "999.jpg"), []byte("not a jpeg"), 0o644)
	if err := dataset.WriteLabels(dir, posters); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPipeline runs load → split → train → export on generated posters:
// the second load comes entirely from the cache, the corrupt image is
// skipped with its reason, the head learns the colours, and the exported
// file round-trips with its metadata.
func TestPipeline(t *testing.T) {
	net := testNet(t)
	dir := writeFolder(t, 60)
	cache := t.TempDir()
	opt := LoadOptions{Mode: head.MultiLabel, Genres: []string{"Blue", "Red"},
		Features: features.Options{CacheDir: cache, Policy: imageprep.Squash, Flip: true}}
	var log bytes.Buffer
	d, err := Load(context.Background(), net, dir, opt, &log)
	if err != nil {
		t.Fatal(err)
	}
	if d.N() != 60 || len(d.Failed) != 1 || !strings.Contains(d.Failed[0].Error(), "999.jpg") {
		t.Fatalf("%d posters, failures %v", d.N(), d.Failed)
	}
	again, err := Load(context.Background(), net, dir, opt, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "features: 61 from the cache, 0 computed") && !strings.Contains(log.String(), "60 from the cache, 0 computed") {
		t.Errorf("second load did not come from the cache:\n%s", log.String())
	}
	for i := range d.X {
		if d.X[i] != again.X[i] {
			t.Fatalf("cached feature %d differs", i)
		}
	}
	spec := SplitSpec{Seed: 3, ValFrac: 0.25, TestFrac: 0.25}
	sp, err := d.Split(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Train)+len(sp.Val)+len(sp.Test) != 60 {
		t.Fatalf("split sizes %d+%d+%d", len(sp.Train), len(sp.Val), len(sp.Test))
	}
	sp2, _ := d.Split(spec)
	if fmt.Sprint(sp) != fmt.Sprint(sp2) {
		t.Fatal("split is not deterministic")
	}
	cfg := train.DefaultConfig()
	cfg.Hidden, cfg.Epochs, cfg.Patience, cfg.BatchSize, cfg.LR = 32, 60, 0, 16, 3e-3
	f, err := d.Train(cfg, sp, &log)
	if err != nil {
		t.Fatal(err)
	}
	if f.TestTuned.MicroF1 < 0.9 {
		t.Errorf("test micro-F1 %.3f on separable colours, want ≥ 0.9", f.TestTuned.MicroF1)
	}
	// Mirrored posters as extra training rows: twice the training set,
	// the same validation and test rows.
	aopt := opt
	aopt.FlipAugment = true
	aug, err := Load(context.Background(), net, dir, aopt, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(aug.Mirrored) != len(aug.X) {
		t.Fatalf("%d mirrored values for %d", len(aug.Mirrored), len(aug.X))
	}
	if af, err := aug.Train(cfg, sp, io.Discard); err != nil {
		t.Fatal(err)
	} else if af.TestTuned.N != len(sp.Test) {
		t.Errorf("augmented run scored %d test posters, want %d", af.TestTuned.N, len(sp.Test))
	}
	so, line, err := d.Finish(f, net, imageprep.Squash, spec, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(line)
	path := filepath.Join(t.TempDir(), "head.bin")
	if err := f.Head.WriteFile(path, so); err != nil {
		t.Fatal(err)
	}
	h, err := head.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if h.BackboneSHA256 != net.SourceSHA256 || h.Preprocess != "squash" || h.Metrics["split_seed"] != 3 || h.Metrics["flip_average"] != 1 || len(h.PerLabel) != 2 {
		t.Errorf("metadata not recorded: %+v", h.Metrics)
	}
	// The recorded metrics are the stored head's own (make eval agrees).
	r := d.evaluate(d.probs(h, sp.Test), d.Subset(sp.Test).Y, h.Thresholds, len(sp.Test))
	if r.MicroF1 != h.Metrics["micro_f1"] || r.MacroF1 != h.Metrics["macro_f1"] {
		t.Errorf("stored head scores micro %v macro %v, metadata says %v %v", r.MicroF1, r.MacroF1, h.Metrics["micro_f1"], h.Metrics["macro_f1"])
	}
	if h.Int4Group != so.Int4Group || h.Quantized != (so.Quantize8 || so.Int4Group > 0) {
		t.Errorf("stored as %v, read back Quantized=%v Int4Group=%d", so, h.Quantized, h.Int4Group)
	}
}
