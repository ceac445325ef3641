package head

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// refInt4 is the int4-group quantisation written out one weight at a time:
// the value Parse must reproduce bit for bit.
func refInt4(w []float32, rows, cols, group int) []float32 {
	out := make([]float32, len(w))
	for r := range rows {
		for c := range cols {
			g0 := c / group * group
			var m float32
			for k := g0; k < min(g0+group, cols); k++ {
				m = max(m, float32(math.Abs(float64(w[r*cols+k]))))
			}
			s := m / 7
			q := 0.0
			if s > 0 {
				q = math.Max(-7, math.Min(7, math.Round(float64(w[r*cols+c]/s))))
			}
			out[r*cols+c] = float32(q) * s
		}
	}
	return out
}

func TestInt4MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 20))
	for _, c := range []struct{ in, group int }{
		{13, 4}, {13, 5}, {13, 1}, {13, 13}, {13, 100}, {12, 3}, {256, 128}, {1280, 128},
	} {
		h := fullHead(r, c.in, 9, 4)
		h.W1[5] = 0 // a zero row segment must not divide by zero
		for i := range c.in {
			h.W1[2*c.in+i] = 0
		}
		b, err := h.Marshal(SaveOptions{Int4Group: c.group})
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(b)
		if err != nil {
			t.Fatalf("in=%d group=%d: %v", c.in, c.group, err)
		}
		if want := refInt4(h.W1, h.Hidden, h.In, c.group); !reflect.DeepEqual(q.W1, want) {
			t.Errorf("in=%d group=%d: W1 differs from the reference quantisation", c.in, c.group)
		}
		b8, _ := h.Marshal(SaveOptions{Quantize8: true})
		q8, _ := Parse(b8)
		if !reflect.DeepEqual(q.W2, q8.W2) {
			t.Errorf("in=%d group=%d: W2 is not the int8-row encoding", c.in, c.group)
		}
		if !q.Quantized || q.Int4Group != c.group {
			t.Errorf("Quantized=%v Int4Group=%d, want true, %d", q.Quantized, q.Int4Group, c.group)
		}
		if v := binary.LittleEndian.Uint32(b[8:]); v != 2 {
			t.Errorf("int4 file has version %d, want 2", v)
		}
	}
}

// TestInt4Golden pins the byte layout: scales first, then two codes per
// byte, low nibble first, two's complement, a zero pad nibble.
func TestInt4Golden(t *testing.T) {
	h := New(3, 1, 1, MultiLabel)
	copy(h.W1, []float32{-1, 0.3, 1})
	b, err := h.Marshal(SaveOptions{Int4Group: 2})
	if err != nil {
		t.Fatal(err)
	}
	// W1 = 2 scales + 2 code bytes, b1, W2 = scale + 1 int8, b2, trailer.
	w1 := b[len(b)-trailerSize-4-1-4-4-(8+2) : len(b)-trailerSize-4-1-4-4]
	s := float32(1) / 7
	want := binary.LittleEndian.AppendUint32(nil, math.Float32bits(s))
	want = binary.LittleEndian.AppendUint32(want, math.Float32bits(s))
	want = append(want, 0x9|2<<4, 0x7) // -7, round(2.1)=2 | 7, pad 0
	if !bytes.Equal(w1, want) {
		t.Errorf("W1 bytes % x, want % x", w1, want)
	}
	q, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := []float32{-7 * s, 2 * s, 7 * s}; !reflect.DeepEqual(q.W1, got) {
		t.Errorf("W1 = %v, want %v", q.W1, got)
	}
}

func TestRoundTripInt4(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	h := fullHead(r, 1280, 1024, 18) // production sizes
	b4, err := h.Marshal(SaveOptions{Int4Group: DefaultInt4Group})
	if err != nil {
		t.Fatal(err)
	}
	b8, _ := h.Marshal(SaveOptions{Quantize8: true})
	t.Logf("file size: int8 %d bytes, int4-g%d %d bytes", len(b8), DefaultInt4Group, len(b4))
	// header, metadata, W1 scales and codes, b1, W2 scales and codes, b2, trailer
	meta := int(binary.LittleEndian.Uint32(b4[20:]))
	if want := 24 + meta + 4*1024*1280/DefaultInt4Group + 1024*1280/2 + 4*1024 + 4*18 + 18*1024 + 4*18 + 32; len(b4) != want {
		t.Errorf("int4 file is %d bytes, want %d", len(b4), want)
	}
	q, err := Parse(b4)
	if err != nil {
		t.Fatal(err)
	}
	// Each weight within half a step of its group's scale.
	for i, w := range h.W1 {
		r, g := i/h.In, i%h.In/DefaultInt4Group
		var m float64
		for _, x := range h.W1[r*h.In+g*DefaultInt4Group : r*h.In+(g+1)*DefaultInt4Group] {
			m = math.Max(m, math.Abs(float64(x)))
		}
		if d := math.Abs(float64(q.W1[i] - w)); d > m/7/2*1.0001 {
			t.Fatalf("W1[%d] off by %v, step %v", i, d, m/7)
		}
	}
	q.Quantized, q.Int4Group, q.W1, q.W2 = false, 0, h.W1, h.W2
	if !reflect.DeepEqual(q, h) {
		t.Error("biases or metadata changed")
	}
}

func TestInt4BadFiles(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 22))
	good, err := fullHead(r, 10, 7, 4).Marshal(SaveOptions{Int4Group: 4})
	if err != nil {
		t.Fatal(err)
	}
	withMeta := func(edit func(string) string) []byte {
		b := bytes.Clone(good)
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
	v1 := bytes.Clone(good)
	binary.LittleEndian.PutUint32(v1[8:], 1)
	reseal(v1)
	nanScale := bytes.Clone(good)
	n := binary.LittleEndian.Uint32(good[20:])
	binary.LittleEndian.PutUint32(nanScale[24+n:], math.Float32bits(float32(math.NaN())))
	reseal(nanScale)
	cases := []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"int4 in a version 1 file", v1, ErrCorrupt, "version 1"},
		{"group 0", withMeta(func(s string) string { return strings.Replace(s, `"group":4`, `"group":0`, 1) }), ErrCorrupt, "group"},
		{"no group", withMeta(func(s string) string { return strings.Replace(s, `,"group":4`, ``, 1) }), ErrCorrupt, "group"},
		{"negative group", withMeta(func(s string) string { return strings.Replace(s, `"group":4`, `"group":-4`, 1) }), ErrCorrupt, "group"},
		{"huge group", withMeta(func(s string) string { return strings.Replace(s, `"group":4`, `"group":1000000000`, 1) }), ErrCorrupt, "group"},
		{"other group", withMeta(func(s string) string { return strings.Replace(s, `"group":4`, `"group":5`, 1) }), ErrCorrupt, "tensor bytes"},
		{"NaN scale", nanScale, ErrCorrupt, "not finite"},
		{"newer version", func() []byte {
			b := bytes.Clone(good)
			binary.LittleEndian.PutUint32(b[8:], FormatVersion+1)
			reseal(b)
			return b
		}(), ErrVersion, "newer"},
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
	// Every bit flip is caught by the checksum (or the magic), every
	// truncation reported as such.
	for i := range good {
		c := bytes.Clone(good)
		c[i] ^= 0x10
		if _, err := Parse(c); err == nil {
			t.Fatalf("flip in byte %d accepted", i)
		}
	}
	for n := 0; n < len(good); n += 7 {
		if _, err := Parse(good[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated to %d of %d bytes: err = %v", n, len(good), err)
		}
	}
}

// TestVersions: float32 and int8 files stay version 1 (older builds read
// them); a version 2 header on them is read too.
func TestVersions(t *testing.T) {
	h := fullHead(rand.New(rand.NewPCG(23, 23)), 10, 7, 4)
	for _, o := range []SaveOptions{{}, {Quantize8: true}} {
		b, _ := h.Marshal(o)
		if v := binary.LittleEndian.Uint32(b[8:]); v != 1 {
			t.Errorf("%v: version %d, want 1", o, v)
		}
		binary.LittleEndian.PutUint32(b[8:], 2)
		reseal(b)
		if _, err := Parse(b); err != nil {
			t.Errorf("%v as version 2: %v", o, err)
		}
	}
	if s := (SaveOptions{Quantize8: true, Int4Group: 128}).String(); !strings.HasPrefix(s, "int4 per 128-input group") {
		t.Errorf("String() = %q", s)
	}
}

func benchFile(b *testing.B, opt SaveOptions) []byte {
	h := fullHead(rand.New(rand.NewPCG(24, 24)), 1280, 1024, 18)
	f, err := h.Marshal(opt)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkDecode is Parse of a production-sized head (checksum included)
// plus one forward pass, per storage: what the browser worker does once.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name string
		opt  SaveOptions
	}{{"float32", SaveOptions{}}, {"int8", SaveOptions{Quantize8: true}}, {"int4-g128", SaveOptions{Int4Group: DefaultInt4Group}}} {
		f := benchFile(b, c.opt)
		x := randomFeature(rand.New(rand.NewPCG(25, 25)), 1280)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(f)))
			for b.Loop() {
				h, err := Parse(f)
				if err != nil {
					b.Fatal(err)
				}
				h.Probs(x, nil, nil)
			}
		})
	}
}
