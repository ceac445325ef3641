package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"posterity/model/backbone"
	"posterity/model/explain"
	"posterity/model/head"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
)

// repoFile returns a path relative to the repository root (this package is
// one folder down).
func repoFile(parts ...string) string {
	return filepath.Join(append([]string{".."}, parts...)...)
}

// testBackbone returns the backbone weight file: static/web/backbone.pstb
// when "make model" made it, else one built from ../shared's ONNX file.
func testBackbone(t *testing.T) []byte {
	t.Helper()
	bb, _ := testWeights(t)
	return bb
}

// testWeights returns the backbone and ImageNet classifier files:
// static/web's when "make model" made them, else a pair built from
// ../shared's ONNX file.
func testWeights(t *testing.T) (bb, in []byte) {
	t.Helper()
	bb, err1 := os.ReadFile(repoFile("static", "web", "backbone.pstb"))
	in, err2 := os.ReadFile(repoFile("static", "web", "imagenet.pstb"))
	if err1 == nil && err2 == nil {
		return bb, in
	}
	shared := repoFile("..", "shared", "models")
	if _, err := os.Stat(filepath.Join(shared, backbone.FileName)); err != nil {
		t.Fatalf("no backbone: run \"make model\", or put shared/ beside the repository (%v)", err)
	}
	out := filepath.Join(t.TempDir(), "backbone.pstb")
	if err := backbone.Build(context.Background(), []string{shared}, nil, out, backbone.ImageNetPath(out), io.Discard); err != nil {
		t.Fatal(err)
	}
	var err error
	if bb, err = os.ReadFile(out); err != nil {
		t.Fatal(err)
	}
	if in, err = os.ReadFile(backbone.ImageNetPath(out)); err != nil {
		t.Fatal(err)
	}
	return bb, in
}

// testHead returns a small head with fixed weights, trained (so it says) on
// the backbone with the given source checksum.
func testHead(t *testing.T, backboneSHA string, metrics map[string]float64) []byte {
	t.Helper()
	h := head.New(mobilenet.FeatureDim, 16, 3, head.MultiLabel)
	for i := range h.W1 {
		h.W1[i] = float32((i*37)%101-50) / 500
	}
	for i := range h.W2 {
		h.W2[i] = float32((i*13)%29-14) / 10
	}
	h.Labels = []string{"Comedy", "Drama", "Horror"}
	h.Thresholds = []float32{0.5, 0.4, 0.6}
	h.BackboneSHA256 = backboneSHA
	h.Preprocess = "squash"
	for k, v := range metrics {
		h.Metrics[k] = v
	}
	b, err := h.Marshal(head.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// posters returns a few posters from ../shared.
func posters(t *testing.T, n int) []string {
	t.Helper()
	names, _ := filepath.Glob(repoFile("..", "shared", "data", "posters", "images", "*.jpg"))
	if len(names) < n {
		t.Fatalf("want ../shared/data/posters/images beside the repository, found %d posters", len(names))
	}
	sort.Strings(names)
	out := make([]string, n)
	for i := range out {
		out[i] = names[i*len(names)/n]
	}
	return out
}

// reference is the classify command's computation, step by step.
func reference(t *testing.T, net *mobilenet.Net, h *head.Head, file []byte, flip bool) []float32 {
	t.Helper()
	img, _, err := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	rgb := make([]uint8, 3*imageprep.Size*imageprep.Size)
	if err := imageprep.Resize(img, imageprep.Squash, rgb); err != nil {
		t.Fatal(err)
	}
	in := make([]float32, mobilenet.InputLen)
	imageprep.Normalize(rgb, in)
	f := make([]float32, mobilenet.FeatureDim)
	if _, err := net.NewReferenceEngine().Features(in, f); err != nil {
		t.Fatal(err)
	}
	if flip {
		imageprep.FlipHorizontal(rgb)
		imageprep.Normalize(rgb, in)
		g := make([]float32, mobilenet.FeatureDim)
		if _, err := net.NewReferenceEngine().Features(in, g); err != nil {
			t.Fatal(err)
		}
		for j := range f {
			f[j] = float32(float32(f[j]+g[j]) * 0.5)
		}
	}
	return h.Probs(f, nil, nil)
}

func TestClassifyMatchesTheCLI(t *testing.T) {
	bb := testBackbone(t)
	net, err := mobilenet.Decode(bb)
	if err != nil {
		t.Fatal(err)
	}
	files := posters(t, 3)
	for _, flip := range []bool{false, true} {
		metrics := map[string]float64{}
		if flip {
			metrics["flip_average"] = 1
		}
		hb := testHead(t, net.SourceSHA256, metrics)
		h, err := head.Parse(hb)
		if err != nil {
			t.Fatal(err)
		}
		c, err := newClassifier(bb, hb)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			file, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, net, h, file, flip)
			got, w, hh, err := c.classifyEncoded(file)
			if err != nil {
				t.Fatal(err)
			}
			if w <= 0 || hh <= 0 {
				t.Errorf("%s: size %d×%d", p, w, hh)
			}
			for j := range want {
				if got[j] != want[j] {
					t.Errorf("flip=%v %s: %s = %v, want %v (bit for bit)", flip, filepath.Base(p), h.Labels[j], got[j], want[j])
				}
			}
			// The RGBA entry point (browser-decoded pixels) runs the same rule.
			img, _, _ := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
			pix, err := c.pixels(img.W, img.H)
			if err != nil {
				t.Fatal(err)
			}
			copy(pix, img.Pix)
			got2, err := c.classify(img.W, img.H, pix)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want {
				if got2[j] != want[j] {
					t.Errorf("flip=%v %s via RGBA: %s = %v, want %v", flip, filepath.Base(p), h.Labels[j], got2[j], want[j])
				}
			}
		}
	}
}

func TestClassifierErrors(t *testing.T) {
	bb := testBackbone(t)
	net, err := mobilenet.Decode(bb)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClassifier(bb, testHead(t, net.SourceSHA256, nil))
	if err != nil {
		t.Fatal(err)
	}
	jpeg, err := os.ReadFile(posters(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want error
	}{
		{"text renamed .jpg", []byte("This is a text file.\n"), imageprep.ErrUnsupportedFormat},
		{"BMP", append([]byte("BM"), make([]byte, 64)...), imageprep.ErrUnsupportedFormat},
		{"empty", nil, imageprep.ErrCorrupt},
		{"truncated JPEG", jpeg[:len(jpeg)/3], imageprep.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := c.classifyEncoded(tc.file)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if msg := userMessage(err); msg == "" || bytes.Contains([]byte(msg), []byte("imageprep: ")) {
				t.Errorf("message for people %q", msg)
			}
		})
	}
	if _, err := c.pixels(10000, 6000); !errors.Is(err, imageprep.ErrTooLarge) {
		t.Errorf("60 Mpixel: %v, want ErrTooLarge", err)
	}
	if _, err := c.pixels(0, 10); err == nil {
		t.Errorf("an empty image was accepted")
	}
	a, _ := c.pixels(100, 100)
	b, _ := c.pixels(50, 50)
	if &a[0] != &b[0] {
		t.Errorf("the pixel buffer was not reused")
	}

	for _, tc := range []struct {
		name string
		head []byte
	}{
		{"head of another backbone", testHead(t, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", nil)},
		{"not a head", []byte("PSTYHEAD garbage")},
	} {
		if _, err := newClassifier(bb, tc.head); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := newClassifier([]byte("not a backbone"), testHead(t, net.SourceSHA256, nil)); err == nil {
		t.Errorf("a bad backbone was accepted")
	}
}

func TestInfo(t *testing.T) {
	bb := testBackbone(t)
	net, _ := mobilenet.Decode(bb)
	c, err := newClassifier(bb, testHead(t, net.SourceSHA256, map[string]float64{"micro_f1": 0.5}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.infoJSON()
	if err != nil {
		t.Fatal(err)
	}
	var info modelInfo
	if err := json.Unmarshal([]byte(s), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Labels) != 3 || info.Labels[1] != "Drama" || len(info.Thresholds) != 3 || info.Metrics["micro_f1"] != 0.5 ||
		info.BackboneSHA256 != net.SourceSHA256 || len(info.HeadSHA256) != 64 || info.Limits.MaxPixels != imageprep.DefaultLimits().MaxPixels {
		t.Errorf("info %s", s)
	}
}

// TestHeatmapsAndImageNet: the heatmaps the worker returns are GradCAM's for
// every label (the head's gradient at the same feature), and the ImageNet
// top-5 from the backbone's remaining ops equals Engine.Logits's full pass.
// With the default head (static/web/head.bin) when present, it also logs
// what the heatmaps and the top-5 cost next to a plain classification.
func TestHeatmapsAndImageNet(t *testing.T) {
	bb, inFile := testWeights(t)
	backboneOnly, err := mobilenet.Decode(bb)
	if err != nil {
		t.Fatal(err)
	}
	net, err := backboneOnly.AttachImageNet(inFile)
	if err != nil {
		t.Fatal(err)
	}
	hb := testHead(t, net.SourceSHA256, nil)
	if b, err := os.ReadFile(repoFile("static", "web", "head.bin")); err == nil {
		hb = b
	}
	h, err := head.Parse(hb)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClassifier(bb, hb)
	if err != nil {
		t.Fatal(err)
	}
	// The worker starts without the ImageNet classifier: asked for the
	// top-5, it gives the genres and no top-5 until the file is attached.
	c.imagenet = true
	first, _ := os.ReadFile(posters(t, 1)[0])
	if _, _, _, err := c.classifyEncoded(first); err != nil || c.top != nil {
		t.Fatalf("without imagenet.pstb: err %v, top-5 %v", err, c.top)
	}
	bad := append([]byte(nil), inFile...)
	bad[len(bad)/2] ^= 1
	if err := c.attachImageNet(bad); err == nil || !strings.Contains(err.Error(), "make model") {
		t.Errorf("a corrupted imagenet.pstb: %v", err)
	}
	if err := c.attachImageNet(bb); err == nil || !strings.Contains(err.Error(), "this is the backbone file") {
		t.Errorf("the backbone as imagenet.pstb: %v", err)
	}
	if err := c.attachImageNet(inFile); err != nil {
		t.Fatal(err)
	}
	if err := c.attachImageNet(inFile); err != nil {
		t.Errorf("attaching again: %v", err)
	}
	ref := net.NewEngine()
	scale, zp := net.FeatureMapScale()
	for _, p := range posters(t, 2) {
		file, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c.imagenet, c.camShift = true, 100 // every label
		if _, _, _, err := c.classifyEncoded(file); err != nil {
			t.Fatal(err)
		}
		// The reference: a fresh feature pass, GradCAM per label.
		img, _, _ := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
		in := make([]float32, mobilenet.InputLen)
		if err := imageprep.Preprocess(img, c.policy, in); err != nil {
			t.Fatal(err)
		}
		feat := make([]float32, mobilenet.FeatureDim)
		m, err := ref.Features(in, feat)
		if err != nil {
			t.Fatal(err)
		}
		for j := range h.Labels {
			want, err := explain.GradCAM(h, m, scale, zp, feat, j, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.cams[j] != want {
				t.Errorf("%s %s: heatmap differs from GradCAM's", filepath.Base(p), h.Labels[j])
			}
		}
		logits := make([]float32, mobilenet.NumClasses)
		if err := ref.Logits(in, logits); err != nil {
			t.Fatal(err)
		}
		head.Softmax(logits)
		if len(c.top) != 5 {
			t.Fatalf("top-5 has %d entries", len(c.top))
		}
		for k, e := range c.top {
			if float32(e.Prob) != logits[e.Index] {
				t.Errorf("top %d: %s %v, the full pass gives %v", k, e.Label, e.Prob, logits[e.Index])
			}
			if k > 0 && e.Prob > c.top[k-1].Prob {
				t.Errorf("top-5 not in descending order: %+v", c.top)
			}
		}
		t.Logf("%s: ImageNet top-1 %s (%.3f)", filepath.Base(p), c.top[0].Label, c.top[0].Prob)
		c.imagenet = false
		if _, _, _, err := c.classifyEncoded(file); err != nil {
			t.Fatal(err)
		}
		if c.top != nil {
			t.Error("top-5 computed though not asked for")
		}
	}
	// Cost, natively (wasm in a browser is slower, by a similar factor for
	// each part): a whole classification with the heatmaps, and the
	// heatmaps alone.
	file, _ := os.ReadFile(posters(t, 1)[0])
	img, _, _ := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
	best := func(f func()) time.Duration {
		d := time.Duration(math.MaxInt64)
		for range 3 {
			t0 := time.Now()
			f()
			d = min(d, time.Since(t0))
		}
		return d
	}
	in := make([]float32, mobilenet.InputLen)
	imageprep.Preprocess(img, c.policy, in)
	feat := make([]float32, mobilenet.FeatureDim)
	m, _ := ref.Features(in, feat)
	hidden := make([]float32, h.Hidden)
	h.Logits(feat, nil, hidden)
	whole := best(func() { c.classify(img.W, img.H, img.Pix) })
	cams := best(func() { explain.All(h, m, scale, zp, hidden, nil, c.grads, c.cams) })
	c.camShift = 2
	c.labelsToExplain(c.probs)
	n := 0
	for _, w := range c.want {
		if w {
			n++
		}
	}
	t.Logf("a classification with heatmaps of every label %v, of which the %d heatmaps %v; %d labels qualify at a shift of 2", whole, len(h.Labels), cams, n)
}
