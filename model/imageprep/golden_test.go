package imageprep

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// posterFixture is the part of shared/models/golden/posters/<id>.ort.json
// that describes the model input.
type posterFixture struct {
	Input struct {
		ImdbID                int    `json:"imdbId"`
		SourceJPEG            string `json:"source_jpeg"`
		SourceJPEGSHA256      string `json:"source_jpeg_sha256"`
		ResizedPNG            string `json:"resized_png"`
		ResizedPNGSHA256      string `json:"resized_png_sha256"`
		NormalizedInputSHA256 string `json:"normalized_input_sha256"`
	} `json:"input"`
}

// sha256Hex returns the hex sha256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// float32Bytes returns x as little-endian bytes.
func float32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// TestGoldenPosters holds Decode+Resize(Squash) to the 12 golden PNGs byte
// for byte, and Normalize to the sha256 of the tensor ORT was fed (README.md
// of shared/models/golden, "The poster fixtures").
func TestGoldenPosters(t *testing.T) {
	shared := sharedDir(t)
	files, err := filepath.Glob(filepath.Join(shared, "models", "golden", "posters", "*.ort.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 12 {
		t.Fatalf("found %d poster fixtures, want 12", len(files))
	}
	slices.Sort(files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var fx posterFixture
			if err := json.Unmarshal(readShared(t, relTo(t, shared, f)), &fx); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			in := fx.Input
			if in.SourceJPEG == "" || in.ResizedPNG == "" || len(in.NormalizedInputSHA256) != 64 {
				t.Fatalf("%s: missing input fields: %+v", f, in)
			}
			jpg := readShared(t, in.SourceJPEG)
			if got := sha256Hex(jpg); got != in.SourceJPEGSHA256 {
				t.Fatalf("%s: sha256 %s, fixture says %s", in.SourceJPEG, got, in.SourceJPEGSHA256)
			}
			pngData := readShared(t, in.ResizedPNG)
			if got := sha256Hex(pngData); got != in.ResizedPNGSHA256 {
				t.Fatalf("%s: sha256 %s, fixture says %s", in.ResizedPNG, got, in.ResizedPNGSHA256)
			}

			im, format, err := Decode(bytes.NewReader(jpg), DefaultLimits())
			if err != nil || format != "jpeg" {
				t.Fatalf("Decode(%s) = format %q, error %v", in.SourceJPEG, format, err)
			}
			rgb := make([]uint8, 3*Size*Size)
			if err := Resize(im, Squash, rgb); err != nil {
				t.Fatal(err)
			}
			golden, err := png.Decode(bytes.NewReader(pngData))
			if err != nil {
				t.Fatal(err)
			}
			if n := countDiff(rgb, rgbOf(golden)); n != 0 {
				t.Errorf("Resize(%s) differs from %s in %d bytes, want 0", in.SourceJPEG, in.ResizedPNG, n)
			}

			x := make([]float32, 3*Size*Size)
			Normalize(rgb, x)
			if got := sha256Hex(float32Bytes(x)); got != in.NormalizedInputSHA256 {
				t.Errorf("sha256 of normalized input = %s, want %s", got, in.NormalizedInputSHA256)
			}
			y := make([]float32, 3*Size*Size)
			if err := Preprocess(im, Squash, y); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(float32Bytes(x), float32Bytes(y)) {
				t.Errorf("Preprocess differs from Normalize(Resize(...))")
			}
		})
	}
}

// relTo returns path relative to base, with forward slashes.
func relTo(t *testing.T, base, path string) string {
	t.Helper()
	r, err := filepath.Rel(base, path)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(r)
}

// layerRecord is one record of synthetic.layers.bin.gz (layout in
// shared/models/golden/synthetic.layers.md).
type layerRecord struct {
	name, op  string
	dtype     uint8
	dims      []uint32
	scale     float32
	zeroPoint int32
	data      []byte
}

// readLayerRecord reads the next record; io.EOF at a record boundary ends
// the stream.
func readLayerRecord(r *bufio.Reader) (layerRecord, error) {
	var rec layerRecord
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
		if n > 1<<10 {
			return "", fmt.Errorf("string length %d", n)
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return string(b), err
	}
	var err error
	if rec.name, err = str(); err != nil {
		return rec, err // io.EOF here is the clean end
	}
	if rec.op, err = str(); err != nil {
		return rec, err
	}
	if rec.dtype, err = r.ReadByte(); err != nil {
		return rec, err
	}
	rank, err := u32()
	if err != nil || rank > 8 {
		return rec, fmt.Errorf("rank %d: %v", rank, err)
	}
	n := 1
	for range rank {
		d, err := u32()
		if err != nil {
			return rec, err
		}
		rec.dims = append(rec.dims, d)
		n *= int(d)
	}
	s, err := u32()
	if err != nil {
		return rec, err
	}
	rec.scale = math.Float32frombits(s)
	zp, err := u32()
	if err != nil {
		return rec, err
	}
	rec.zeroPoint = int32(zp)
	size := map[uint8]int{1: 1, 2: 1, 3: 4, 4: 4}[rec.dtype]
	if size == 0 || n > 1<<24 {
		return rec, fmt.Errorf("dtype %d, %d elements", rec.dtype, n)
	}
	rec.data = make([]byte, n*size)
	_, err = io.ReadFull(r, rec.data)
	return rec, err
}

// TestSyntheticInput holds the normalised synthetic input to tensor 0
// ("input") of synthetic.layers.bin.gz, bit for bit. Resizing a Size×Size
// image is the identity, so Preprocess must give the same floats.
func TestSyntheticInput(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(readShared(t, "models/golden/synthetic.layers.bin.gz")))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := readLayerRecord(bufio.NewReader(zr))
	if err != nil {
		t.Fatalf("reading record 0: %v", err)
	}
	if rec.name != "input" || rec.op != "GraphInput" || rec.dtype != 3 || !slices.Equal(rec.dims, []uint32{1, 3, Size, Size}) {
		t.Fatalf("record 0 is %q (%s, dtype %d, dims %v), want input float32 [1 3 224 224]", rec.name, rec.op, rec.dtype, rec.dims)
	}

	rgb := refSynthetic()
	x := make([]float32, 3*Size*Size)
	Normalize(rgb, x)
	if got := float32Bytes(x); !bytes.Equal(got, rec.data) {
		t.Errorf("Normalize(synthetic) differs from tensor input in %d bytes", countDiff(got, rec.data))
	}
	if got := float32Bytes(refNormalize(rgb)); !bytes.Equal(got, rec.data) {
		t.Errorf("the reference program's Normalize differs from tensor input in %d bytes", countDiff(got, rec.data))
	}

	im := Image{W: Size, H: Size, Pix: make([]uint8, 4*Size*Size)}
	for i := 0; i < Size*Size; i++ {
		copy(im.Pix[4*i:], rgb[3*i:3*i+3])
		im.Pix[4*i+3] = 0xff
	}
	for _, p := range []Policy{Squash, Crop, Pad} {
		y := make([]float32, 3*Size*Size)
		if err := Preprocess(im, p, y); err != nil {
			t.Fatal(err)
		}
		if got := float32Bytes(y); !bytes.Equal(got, rec.data) {
			t.Errorf("Preprocess(synthetic, %v) differs from tensor input in %d bytes", p, countDiff(got, rec.data))
		}
	}
}
