package mobilenet

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"posterity/internal/testshared"
	"posterity/model/onnx"
)

// sharedDir finds ../shared beside the repository root. The parity tests
// need it and fail loudly without it: CI always has it.
func sharedDir(t testing.TB) string { return testshared.Dir(t, "models/golden") }

var (
	netOnce sync.Once
	netVal  *Net
	netErr  error
)

// testNet converts the shared ONNX model once per test binary.
func testNet(t testing.TB) *Net {
	t.Helper()
	path := filepath.Join(sharedDir(t), "models", "mobilenetv2-12-int8.onnx")
	netOnce.Do(func() {
		m, sum, err := onnx.ReadFile(path)
		if err != nil {
			netErr = err
			return
		}
		netVal, netErr = Convert(m, sum)
	})
	if netErr != nil {
		t.Fatal(netErr)
	}
	return netVal
}

var (
	fileNetOnce sync.Once
	fileNetVal  *Net
	fileNetErr  error
)

// testFileNet is testNet written as its two weight files and read back:
// Decode of the backbone, then AttachImageNet of the classifier.
func testFileNet(t testing.TB) *Net {
	t.Helper()
	n := testNet(t)
	fileNetOnce.Do(func() {
		var bb, cl []byte
		if bb, fileNetErr = n.Encode(); fileNetErr != nil {
			return
		}
		if cl, fileNetErr = n.EncodeImageNet(); fileNetErr != nil {
			return
		}
		var b *Net
		if b, fileNetErr = Decode(bb); fileNetErr != nil {
			return
		}
		fileNetVal, fileNetErr = b.AttachImageNet(cl)
	})
	if fileNetErr != nil {
		t.Fatal(fileNetErr)
	}
	return fileNetVal
}

// goldenTensor is one record of synthetic.layers.bin.gz (layout in
// shared/models/golden/synthetic.layers.md).
type goldenTensor struct {
	Name, Op string
	DType    uint8
	Dims     []int
	Scale    float32
	ZP       int32
	Data     []byte
}

func readGolden(t testing.TB) []goldenTensor {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir(t), "models", "golden", "synthetic.layers.bin.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(zr)
	u32 := func() (uint32, error) {
		var b [4]byte
		_, err := io.ReadFull(r, b[:])
		return binary.LittleEndian.Uint32(b[:]), err
	}
	str := func() (string, error) {
		n, err := u32()
		if err != nil {
			return "", err
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return string(b), err
	}
	var out []goldenTensor
	for {
		var g goldenTensor
		name, err := str()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		g.Name = name
		if g.Op, err = str(); err != nil {
			t.Fatal(err)
		}
		if g.DType, err = r.ReadByte(); err != nil {
			t.Fatal(err)
		}
		rank, _ := u32()
		n := 1
		for i := 0; i < int(rank); i++ {
			d, _ := u32()
			g.Dims = append(g.Dims, int(d))
			n *= int(d)
		}
		s, _ := u32()
		g.Scale = math.Float32frombits(s)
		z, _ := u32()
		g.ZP = int32(z)
		if g.DType == 3 {
			n *= 4
		}
		g.Data = make([]byte, n)
		if _, err := io.ReadFull(r, g.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	if len(out) != 68 {
		t.Fatalf("read %d golden tensors, want 68", len(out))
	}
	return out
}

// nhwc converts a golden NCHW (or [1,C] / [1,C,1,1]) uint8 tensor to the
// engine's NHWC layout.
func (g goldenTensor) nhwc() []uint8 {
	if len(g.Dims) != 4 {
		return g.Data
	}
	C, H, W := g.Dims[1], g.Dims[2], g.Dims[3]
	out := make([]uint8, len(g.Data))
	for c := 0; c < C; c++ {
		for p := 0; p < H*W; p++ {
			out[p*C+c] = g.Data[c*H*W+p]
		}
	}
	return out
}

func (g goldenTensor) float32s() []float32 {
	v := make([]float32, len(g.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(g.Data[4*i:]))
	}
	return v
}

func countDiff(a, b []uint8) (n, maxd int) {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		if d != 0 {
			n++
			maxd = max(maxd, d)
		}
	}
	return n, maxd
}
