package mobilenet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileRoundTrip encodes the converted Net, decodes it, and demands the
// same logits; then checks that damaged files are refused with a hint.
func TestFileRoundTrip(t *testing.T) {
	n := testNet(t)
	b, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backbone.pstb")
	if err := n.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	input := make([]float32, InputLen)
	for i := range input {
		input[i] = float32(i%97)/50 - 1
	}
	a, c := make([]float32, NumClasses), make([]float32, NumClasses)
	n.NewEngine().Logits(input, a)
	m.NewEngine().Logits(input, c)
	for i := range a {
		if a[i] != c[i] {
			t.Fatalf("logit %d: %v before, %v after the round trip", i, a[i], c[i])
		}
	}
	if m.SourceSHA256 != n.SourceSHA256 {
		t.Errorf("source sha %q, want %q", m.SourceSHA256, n.SourceSHA256)
	}

	flip := append([]byte(nil), b...)
	flip[len(flip)/3] ^= 0x10
	version := append([]byte(nil), b...)
	version[8] = 99
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "bad magic"},
		"onnx":      {[]byte{0x08, 0x07, 0x12}, "ONNX file"},
		"truncated": {b[:len(b)-100], "truncated"},
		"bit flip":  {flip, "checksum mismatch"},
		"version":   {version, "format version 99"},
	}
	for name, tc := range cases {
		_, err := Decode(tc.data)
		if !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "make model") {
			t.Errorf("%s: %v, want ErrWeights mentioning %q and make model", name, err, tc.want)
		}
	}
	// Truncation at many offsets: always an error, never a panic.
	for cut := 0; cut < len(b); cut += len(b)/97 + 1 {
		if _, err := Decode(b[:cut]); err == nil {
			t.Fatalf("truncated at %d: no error", cut)
		}
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.pstb")); err == nil || !strings.Contains(err.Error(), "make model") {
		t.Errorf("missing file: %v", err)
	}
	os.Remove(path)
}
