package mobilenet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileRoundTrip writes the converted Net as its two files, loads them
// back, and demands the same features and the same logits; the backbone
// alone gives the same features and refuses to compute logits.
func TestFileRoundTrip(t *testing.T) {
	n := testNet(t)
	dir := t.TempDir()
	bbPath, inPath := filepath.Join(dir, "backbone.pstb"), filepath.Join(dir, "imagenet.pstb")
	if err := n.WriteFiles(bbPath, inPath); err != nil {
		t.Fatal(err)
	}
	bb, err := LoadFile(bbPath)
	if err != nil {
		t.Fatal(err)
	}
	full, err := LoadFiles(bbPath, inPath)
	if err != nil {
		t.Fatal(err)
	}
	if bb.HasImageNet() || !full.HasImageNet() {
		t.Fatalf("HasImageNet: backbone %v, with the classifier %v", bb.HasImageNet(), full.HasImageNet())
	}
	if len(full.Ops) != len(n.Ops) || len(full.Tensors) != len(n.Tensors) {
		t.Fatalf("reloaded: %d ops, %d tensors; converted: %d, %d", len(full.Ops), len(full.Tensors), len(n.Ops), len(n.Tensors))
	}
	if len(bb.Ops) != 62 || len(full.Ops)-len(bb.Ops) != 3 {
		t.Errorf("backbone has %d ops, the classifier %d; want 62 and 3 (pool, matmul, bias add)", len(bb.Ops), len(full.Ops)-len(bb.Ops))
	}
	input := make([]float32, InputLen)
	for i := range input {
		input[i] = float32(i%97)/50 - 1
	}
	a, c := make([]float32, NumClasses), make([]float32, NumClasses)
	if err := n.NewEngine().Logits(input, a); err != nil {
		t.Fatal(err)
	}
	if err := full.NewEngine().Logits(input, c); err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != c[i] {
			t.Fatalf("logit %d: %v before, %v after the round trip", i, a[i], c[i])
		}
	}
	fa, fb := make([]float32, FeatureDim), make([]float32, FeatureDim)
	n.NewEngine().Features(input, fa)
	e := bb.NewEngine()
	e.Features(input, fb)
	for i := range fa {
		if fa[i] != fb[i] {
			t.Fatalf("feature %d: %v before, %v from the backbone file", i, fa[i], fb[i])
		}
	}
	if err := e.Logits(input, c); !errors.Is(err, ErrNoImageNet) {
		t.Errorf("Logits without the classifier: %v, want ErrNoImageNet", err)
	}
	// An engine of the backbone extended with the classifier: the same
	// logits, and the classifier's ops alone on the map a feature pass left.
	if err := e.Extend(full); err == nil {
		t.Error("Extend to a network loaded separately succeeded")
	}
	attached, err := bb.AttachImageNet(mustRead(t, inPath))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Extend(attached); err != nil {
		t.Fatal(err)
	}
	if err := e.Logits(input, c); err != nil || c[7] != a[7] {
		t.Fatalf("extended engine: %v, logit 7 %v want %v", err, c[7], a[7])
	}
	if full.SourceSHA256 != n.SourceSHA256 || bb.SourceSHA256 != n.SourceSHA256 {
		t.Errorf("source sha %q / %q, want %q", bb.SourceSHA256, full.SourceSHA256, n.SourceSHA256)
	}
	if _, err := full.AttachImageNet(mustRead(t, inPath)); err == nil {
		t.Error("attached the classifier twice")
	}
	if err := e.Extend(bb); err == nil {
		t.Error("Extend to a smaller network succeeded")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFilesRefused: damaged, outdated, swapped or mismatched files are
// refused with ErrWeights and the hint to run "make model", never a panic.
func TestFilesRefused(t *testing.T) {
	n := testNet(t)
	bb, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := n.EncodeImageNet()
	if err != nil {
		t.Fatal(err)
	}
	backbone, err := Decode(bb)
	if err != nil {
		t.Fatal(err)
	}
	decoders := map[string]struct {
		good   []byte
		decode func([]byte) error
	}{
		"backbone": {bb, func(b []byte) error { _, err := Decode(b); return err }},
		"imagenet": {cl, func(b []byte) error { _, err := backbone.AttachImageNet(b); return err }},
	}
	for file, dc := range decoders {
		b := dc.good
		flip := append([]byte(nil), b...)
		flip[len(flip)/3] ^= 0x10
		version := append([]byte(nil), b...)
		version[8] = 1 // the single-file format before the split
		other := cl
		if file == "imagenet" {
			other = bb
		}
		cases := map[string]struct {
			data []byte
			want string
		}{
			"empty":      {nil, "bad magic"},
			"onnx":       {[]byte{0x08, 0x07, 0x12}, "ONNX file"},
			"truncated":  {b[:len(b)-100], "truncated"},
			"bit flip":   {flip, "checksum mismatch"},
			"version":    {version, "format version 1, this build reads version 2"},
			"other file": {other, "this is the"},
		}
		for name, tc := range cases {
			err := dc.decode(tc.data)
			if !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "make model") {
				t.Errorf("%s, %s: %v, want ErrWeights mentioning %q and make model", file, name, err, tc.want)
			}
		}
		// Truncation at many offsets: always an error, never a panic.
		for cut := 0; cut < len(b); cut += len(b)/97 + 1 {
			if err := dc.decode(b[:cut]); err == nil {
				t.Fatalf("%s truncated at %d: no error", file, cut)
			}
		}
	}
	// A classifier converted from another ONNX file.
	other := *n
	other.SourceSHA256 = strings.Repeat("ab", 32)
	foreign, err := other.EncodeImageNet()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backbone.AttachImageNet(foreign); !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), "converted from ONNX abababababab") {
		t.Errorf("foreign classifier: %v", err)
	}
	dir := t.TempDir()
	if _, err := LoadFile(filepath.Join(dir, "missing.pstb")); err == nil || !strings.Contains(err.Error(), "make model") {
		t.Errorf("missing backbone: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "backbone.pstb"), bb, 0o644)
	if _, err := LoadFiles(filepath.Join(dir, "backbone.pstb"), filepath.Join(dir, "imagenet.pstb")); err == nil || !strings.Contains(err.Error(), "make model") {
		t.Errorf("missing classifier: %v", err)
	}
}
