package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"posterity/internal/testshared"
	"posterity/model/backbone"
	"posterity/model/head"
)

func sharedDir(t *testing.T) string { return testshared.Dir(t, "models/"+backbone.FileName) }

// fixture builds the backbone and ImageNet classifier files from the shared
// model and a small head with fixed weights in a temporary folder.
func fixture(t *testing.T) (shared, bb, hd string) {
	t.Helper()
	shared = sharedDir(t)
	dir := t.TempDir()
	bb = filepath.Join(dir, "backbone.pstb")
	if err := backbone.Build(context.Background(), []string{filepath.Join(shared, "models")}, nil, bb, backbone.ImageNetPath(bb), io.Discard); err != nil {
		t.Fatal(err)
	}
	h := head.New(1280, 8, 3, head.MultiLabel)
	for i := range h.W1 {
		h.W1[i] = float32((i*37)%101-50) / 500
	}
	for i := range h.W2 {
		h.W2[i] = float32((i*13)%29-14) / 10
	}
	h.Labels = []string{"Comedy", "Drama", "Horror"}
	h.Thresholds = []float32{0.5, 0.4, 0.6}
	h.BackboneSHA256 = backbone.SHA256
	h.Preprocess = "squash"
	hd = filepath.Join(dir, "head.bin")
	if err := h.WriteFile(hd, head.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	return shared, bb, hd
}

func runCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestClassifyImageNetJSON checks the documented JSON shape and that the
// backbone's top-1 for the cycling poster is ORT's (mountain bike, index
// 671, per shared/models/golden/README.md).
func TestClassifyImageNetJSON(t *testing.T) {
	shared, bb, _ := fixture(t)
	bad := filepath.Join(t.TempDir(), "notes.jpg")
	os.WriteFile(bad, []byte("hello"), 0o644)
	poster := filepath.Join(shared, "data", "posters", "images", "3226754.jpg")
	out, _, code := runCmd("classify", "--imagenet", "--json", "--backbone", bb, poster, bad)
	if code != 1 {
		t.Errorf("exit status %d with a bad file, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out)
	}
	var first struct {
		File     string
		ImageNet []struct {
			Index int
			Label string
			Prob  float64
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.File != poster || len(first.ImageNet) != 5 || first.ImageNet[0].Index != 671 || !strings.HasPrefix(first.ImageNet[0].Label, "mountain bike") {
		t.Errorf("first line %s", lines[0])
	}
	var second map[string]string
	json.Unmarshal([]byte(lines[1]), &second)
	if second["file"] != bad || !strings.Contains(second["error"], "not a JPEG") {
		t.Errorf("second line %s", lines[1])
	}
	// The ImageNet classifier is a file of its own: without it, --imagenet
	// says to run make model; genres never read it.
	if err := os.Remove(filepath.Join(filepath.Dir(bb), "imagenet.pstb")); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd("classify", "--imagenet", "--backbone", bb, poster)
	if code == 0 || !strings.Contains(errs, "imagenet.pstb does not exist") || !strings.Contains(errs, "make model") {
		t.Errorf("--imagenet without imagenet.pstb: exit %d, stderr %q", code, errs)
	}
}

// TestClassifyGenresJSON checks the genres shape: every genre listed, in
// descending probability, predicted exactly when prob ≥ threshold.
func TestClassifyGenresJSON(t *testing.T) {
	shared, bb, hd := fixture(t)
	poster := filepath.Join(shared, "data", "posters", "images", "14.jpg")
	out, errs, code := runCmd("classify", "--json", "--backbone", bb, "--head", hd, poster)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var l struct {
		File   string `json:"file"`
		Genres []struct {
			Genre     string  `json:"genre"`
			Prob      float64 `json:"prob"`
			Threshold float64 `json:"threshold"`
			Predicted bool    `json:"predicted"`
		} `json:"genres"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatal(err, out)
	}
	if len(l.Genres) != 3 {
		t.Fatalf("%d genres, want 3: %s", len(l.Genres), out)
	}
	for i, g := range l.Genres {
		if i > 0 && g.Prob > l.Genres[i-1].Prob {
			t.Errorf("not sorted: %s", out)
		}
		if g.Predicted != (g.Prob >= g.Threshold) {
			t.Errorf("%s: predicted %v with prob %v, threshold %v", g.Genre, g.Predicted, g.Prob, g.Threshold)
		}
	}
}

// TestClassifyRefusesForeignHead refuses a head trained on another backbone.
func TestClassifyRefusesForeignHead(t *testing.T) {
	shared, bb, hd := fixture(t)
	h, _ := head.ReadFile(hd)
	h.BackboneSHA256 = strings.Repeat("ab", 32)
	h.WriteFile(hd, head.SaveOptions{})
	_, errs, code := runCmd("classify", "--backbone", bb, "--head", hd, filepath.Join(shared, "data", "posters", "images", "14.jpg"))
	if code == 0 || !strings.Contains(errs, "make train") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	_, errs, code = runCmd("classify", "--backbone", filepath.Join(t.TempDir(), "none.pstb"), "x.jpg")
	if code == 0 || !strings.Contains(errs, "make model") {
		t.Errorf("missing backbone: exit %d, stderr %q", code, errs)
	}
}

func TestUsage(t *testing.T) {
	_, errs, code := runCmd("frobnicate")
	if code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("exit %d: %s", code, errs)
	}
	_, _, code = runCmd("classify", "-h")
	if code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}
