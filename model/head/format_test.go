package head

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func fullHead(r *rand.Rand, in, hidden, out int) *Head {
	h := randomHead(r, in, hidden, out, MultiLabel)
	for j := range out {
		h.Labels[j] = "genre" + string(rune('A'+j))
		h.Thresholds[j] = 0.3 + 0.01*float32(j)
	}
	h.Metrics = map[string]float64{"micro_f1": 0.61, "macro_f1": 0.42, "n_train": 9000, "n_val": 1000}
	h.PerLabel = []LabelMetrics{{Label: h.Labels[0], Precision: 0.5, Recall: 0.25, F1: 1.0 / 3, Support: 12, Threshold: 0.3}}
	h.Curves = []Curve{{Label: h.Labels[0], Points: [][2]float32{{0, 1}, {0.5, 0.7}, {1, 0.1}}}}
	h.BackboneSHA256 = strings.Repeat("ab", 32)
	h.Preprocess = "center-crop-224"
	h.PreprocessVersion = 2
	h.Created = "2025-01-02T03:04:05Z"
	h.Notes = "test head"
	return h
}

func TestRoundTripFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	h := fullHead(r, 20, 11, 5)
	var buf bytes.Buffer
	if err := h.Save(&buf, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("round trip changed the head:\n got %+v\nwant %+v", got, h)
	}
}

func TestRoundTripInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	// Production sizes: D=1280, H=1024, N=18.
	h := fullHead(r, 1280, 1024, 18)
	b8, err := h.Marshal(SaveOptions{Quantize8: true})
	if err != nil {
		t.Fatal(err)
	}
	b32, _ := h.Marshal(SaveOptions{})
	t.Logf("file size: float32 %d bytes, int8 %d bytes", len(b32), len(b8))
	q, err := Parse(b8)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Quantized {
		t.Error("Quantized not set")
	}
	// Each weight is within half a quantisation step of the original.
	for r := range h.Hidden {
		var m float64
		for _, w := range h.W1[r*h.In : (r+1)*h.In] {
			m = math.Max(m, math.Abs(float64(w)))
		}
		step := m / 127
		for c := range h.In {
			if d := math.Abs(float64(q.W1[r*h.In+c] - h.W1[r*h.In+c])); d > step/2*1.0001 {
				t.Fatalf("W1[%d,%d] off by %v, step %v", r, c, d, step)
			}
		}
	}
	if !reflect.DeepEqual(q.B1, h.B1) || !reflect.DeepEqual(q.Labels, h.Labels) || !reflect.DeepEqual(q.Metrics, h.Metrics) {
		t.Error("biases or metadata changed")
	}
	// Probabilities: measured max |Δp| = 6.8e-3 over these 200 random
	// features (seeded, He-scale random weights); the bound leaves 3× headroom.
	const tol = 2e-2
	var worst float64
	for range 200 {
		x := randomFeature(r, h.In)
		p, pq := h.Probs(x, nil, nil), q.Probs(x, nil, nil)
		for j := range p {
			worst = math.Max(worst, math.Abs(float64(p[j]-pq[j])))
		}
	}
	t.Logf("int8 vs float32: max |Δp| = %.2e", worst)
	if worst > tol {
		t.Errorf("int8 probabilities differ by %v > %v", worst, tol)
	}
}

func TestWriteReadFile(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	h := fullHead(r, 8, 6, 3)
	path := filepath.Join(t.TempDir(), "head.bin")
	for _, o := range []SaveOptions{{}, {Quantize8: true}, {Int4Group: 4}, {}} { // overwrite too
		if err := h.WriteFile(path, o); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Quantized != (o.Quantize8 || o.Int4Group > 0) || got.Int4Group != o.Int4Group || got.Notes != h.Notes {
			t.Errorf("ReadFile after WriteFile(%v) = %+v", o, got)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.bin"))
	if err == nil || !strings.Contains(err.Error(), "make train") {
		t.Errorf("missing file: %v", err)
	}
}

func encoded(t *testing.T) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(13, 13))
	b, err := fullHead(r, 10, 7, 4).Marshal(SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reseal recomputes the trailing checksum after a deliberate edit.
func reseal(b []byte) {
	sum := sha256.Sum256(b[:len(b)-sha256.Size])
	copy(b[len(b)-sha256.Size:], sum[:])
}

func TestBitFlipAnywhere(t *testing.T) {
	b := encoded(t)
	for i := range b {
		for bit := range 8 {
			c := bytes.Clone(b)
			c[i] ^= 1 << bit
			_, err := Parse(c)
			want := ErrChecksum
			switch {
			case i < 8:
				want = ErrNotHead
			case i >= 12 && i < 20 && binary.LittleEndian.Uint64(c[12:]) > uint64(len(c)):
				want = ErrTruncated // a larger stored length reads as truncation
			}
			if !errors.Is(err, want) {
				t.Fatalf("flip byte %d bit %d: err = %v, want %v", i, bit, err, want)
			}
			if !strings.HasSuffix(err.Error(), rebuildHint) {
				t.Fatalf("error lacks the hint: %v", err)
			}
		}
	}
}

func TestTruncation(t *testing.T) {
	b := encoded(t)
	for n := 0; n < len(b); n += 97 {
		if _, err := Parse(b[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated to %d of %d bytes: err = %v", n, len(b), err)
		}
	}
	if _, err := Parse(b[:len(b)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("last byte missing: err = %v", err)
	}
}

func TestBadFiles(t *testing.T) {
	withVersion := func(v uint32) []byte {
		b := encoded(t)
		binary.LittleEndian.PutUint32(b[8:], v)
		reseal(b)
		return b
	}
	withMeta := func(edit func(string) string) []byte {
		b := encoded(t)
		n := binary.LittleEndian.Uint32(b[20:])
		meta := edit(string(b[24 : 24+n]))
		out := append([]byte(nil), b[:20]...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
		out = append(out, meta...)
		out = append(out, b[24+n:]...)
		binary.LittleEndian.PutUint64(out[12:], uint64(len(out)))
		reseal(out)
		return out
	}
	cases := []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrTruncated, ""},
		{"png", []byte("\x89PNG\r\n\x1a\n........................................"), ErrNotHead, ""},
		{"newer version", withVersion(FormatVersion + 1), ErrVersion, "newer"},
		{"older version", withVersion(0), ErrVersion, "older"},
		{"huge meta length", func() []byte {
			b := encoded(t)
			binary.LittleEndian.PutUint32(b[20:], 1<<31)
			reseal(b)
			return b
		}(), ErrCorrupt, "metadata length"},
		{"more hidden than stored", withMeta(func(s string) string {
			return strings.Replace(s, `"hidden":7`, `"hidden":8`, 1)
		}), ErrCorrupt, "tensor bytes"},
		{"huge sizes", withMeta(func(s string) string {
			return strings.Replace(s, `"in":10`, `"in":1000000000`, 1)
		}), ErrCorrupt, "out of range"},
		{"negative size", withMeta(func(s string) string {
			return strings.Replace(s, `"out":4`, `"out":-4`, 1)
		}), ErrCorrupt, "out of range"},
		{"labels mismatch", withMeta(func(s string) string {
			return strings.Replace(s, `"genreA",`, ``, 1)
		}), ErrCorrupt, "labels"},
		{"bad mode", withMeta(func(s string) string {
			return strings.Replace(s, `"multi-label"`, `"multi-task"`, 1)
		}), ErrCorrupt, "mode"},
		{"bad encoding", withMeta(func(s string) string {
			return strings.Replace(s, `"float32"`, `"float16"`, 1)
		}), ErrCorrupt, "encoding"},
		{"not json", withMeta(func(s string) string { return s[1:] }), ErrCorrupt, "metadata"},
		{"trailing garbage", func() []byte {
			b := encoded(t)
			b = append(b[:len(b)-32:len(b)-32], append([]byte{0}, b[len(b)-32:]...)...)
			reseal(b)
			return b
		}(), ErrCorrupt, "header says"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.b)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.HasSuffix(err.Error(), rebuildHint) {
				t.Errorf("err = %q, want it to mention %q and end with the hint", err, c.msg)
			}
		})
	}
}

func TestMarshalRejectsInvalid(t *testing.T) {
	cases := []struct {
		name string
		edit func(h *Head)
	}{
		{"NaN weight", func(h *Head) { h.W1[3] = float32(math.NaN()) }},
		{"NaN metric", func(h *Head) { h.Metrics["x"] = math.NaN() }},
		{"short W2", func(h *Head) { h.W2 = h.W2[:1] }},
		{"threshold > 1", func(h *Head) { h.Thresholds[0] = 1.5 }},
		{"missing label", func(h *Head) { h.Labels = h.Labels[:1] }},
	}
	for _, c := range cases {
		h := fullHead(rand.New(rand.NewPCG(1, 2)), 5, 4, 3)
		c.edit(h)
		if _, err := h.Marshal(SaveOptions{}); err == nil {
			t.Errorf("%s: Marshal succeeded", c.name)
		}
	}
}

// FuzzParse checks that Parse never panics on hostile bytes.
func FuzzParse(f *testing.F) {
	r := rand.New(rand.NewPCG(14, 14))
	h := fullHead(r, 6, 5, 3)
	for _, o := range []SaveOptions{{}, {Quantize8: true}, {Int4Group: 2}, {Int4Group: 3}} {
		b, _ := h.Marshal(o)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= headerSize+trailerSize {
			reseal(b) // get past the checksum to reach the parser proper
		}
		h, err := Parse(b)
		if err == nil {
			if verr := h.Validate(); verr != nil {
				t.Fatalf("Parse accepted an invalid head: %v", verr)
			}
		}
	})
}

func BenchmarkProbs(b *testing.B) {
	r := rand.New(rand.NewPCG(15, 15))
	h := randomHead(r, 1280, 1024, 18, MultiLabel)
	x := randomFeature(r, 1280)
	dst, scratch := make([]float32, 18), make([]float32, 1024)
	for b.Loop() {
		h.Probs(x, dst, scratch)
	}
}
