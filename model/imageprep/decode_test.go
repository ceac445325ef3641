package imageprep

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

// readTestdata reads a file under testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gradient returns a w×h NRGBA image with varied colours; alpha is 255 when
// opaque, else it varies.
func gradient(w, h int, opaque bool) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255)
			if !opaque {
				a = uint8(x * 255 / max(w-1, 1))
			}
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 9), uint8(y * 13), uint8(x*y + 7), a})
		}
	}
	return m
}

// TestDecodeFormats decodes each supported format and checks the format
// name, the size, and the pixels against the At rule on the Go decoder's own
// image (and, for lossless cases, against the source pixels).
func TestDecodeFormats(t *testing.T) {
	rgb16 := image.NewRGBA64(image.Rect(0, 0, 9, 5))
	nrgba16 := image.NewNRGBA64(image.Rect(0, 0, 9, 5))
	for i := range rgb16.Pix {
		rgb16.Pix[i] = uint8(i * 37)
		nrgba16.Pix[i] = uint8(i * 53)
	}
	for i := 6; i < len(rgb16.Pix); i += 8 {
		rgb16.Pix[i], rgb16.Pix[i+1] = 0xff, 0xff // opaque
	}
	gray := image.NewGray(image.Rect(0, 0, 10, 7))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 3)
	}
	pal := color.Palette{color.RGBA{0, 0, 0, 0}, color.RGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 128}, color.RGBA{0, 200, 0, 255}}
	paletted := image.NewPaletted(image.Rect(0, 0, 6, 4), pal)
	for i := range paletted.Pix {
		paletted.Pix[i] = uint8(i % len(pal))
	}
	frame0 := image.NewPaletted(image.Rect(0, 0, 8, 6), color.Palette{color.RGBA{255, 255, 255, 255}, color.RGBA{255, 0, 0, 255}})
	frame0.Pix[0] = 1
	frame1 := image.NewPaletted(image.Rect(0, 0, 8, 6), frame0.Palette)
	small := image.NewPaletted(image.Rect(2, 1, 5, 3), color.Palette{color.RGBA{0, 0, 255, 255}})

	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		format string
		w, h   int
		src    image.Image // when lossless: the expected straight pixels, by the At rule
	}{
		{"JPEG colour", func(t *testing.T) []byte { return encodeJPEG(t, gradient(33, 17, true)) }, "jpeg", 33, 17, nil},
		{"JPEG gray", func(t *testing.T) []byte { return encodeJPEG(t, gray) }, "jpeg", 10, 7, nil},
		{"JPEG CMYK (Adobe, hand-written)", func(*testing.T) []byte {
			return cmykJPEG([]color.CMYK{{0, 255, 255, 0}, {0, 0, 0, 255}, {10, 200, 30, 40}})
		}, "jpeg", 24, 8, nil},
		{"PNG NRGBA with alpha", func(t *testing.T) []byte { return encodePNG(t, gradient(21, 13, false)) }, "png", 21, 13, gradient(21, 13, false)},
		{"PNG RGB", func(t *testing.T) []byte { return encodePNG(t, gradient(21, 13, true)) }, "png", 21, 13, gradient(21, 13, true)},
		{"PNG gray", func(t *testing.T) []byte { return encodePNG(t, gray) }, "png", 10, 7, gray},
		{"PNG paletted with transparency", func(t *testing.T) []byte { return encodePNG(t, paletted) }, "png", 6, 4, paletted},
		{"PNG 16-bit RGB", func(t *testing.T) []byte { return encodePNG(t, rgb16) }, "png", 9, 5, rgb16},
		{"PNG 16-bit RGBA", func(t *testing.T) []byte { return encodePNG(t, nrgba16) }, "png", 9, 5, nrgba16},
		{"GIF first frame", func(t *testing.T) []byte { return encodeGIF(t, 8, 6, frame0, frame1) }, "gif", 8, 6, frame0},
		{"WebP lossy", func(t *testing.T) []byte { return readTestdata(t, "blue-purple-pink.lossy.webp") }, "webp", 0, 0, nil},
		{"WebP lossless alpha", func(t *testing.T) []byte { return readTestdata(t, "gopher-doc.with-alpha.lossless.webp") }, "webp", 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			im, format, err := Decode(bytes.NewReader(data), DefaultLimits())
			if err != nil || format != tt.format {
				t.Fatalf("Decode = format %q, error %v; want %q", format, err, tt.format)
			}
			var ref image.Image
			switch format {
			case "jpeg":
				ref, err = jpeg.Decode(bytes.NewReader(data))
			case "png":
				ref, err = png.Decode(bytes.NewReader(data))
			case "gif":
				ref, err = gif.Decode(bytes.NewReader(data))
			case "webp":
				ref, err = webp.Decode(bytes.NewReader(data))
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.w != 0 && (im.W != tt.w || im.H != tt.h) {
				t.Errorf("size %d×%d, want %d×%d", im.W, im.H, tt.w, tt.h)
			}
			if want := fromImageAt(ref); !samePix(im, want) {
				t.Errorf("pixels differ from the At rule on %T in %d bytes", ref, countDiff(im.Pix, want.Pix))
			}
			if tt.src != nil {
				if want := fromImageAt(tt.src); !samePix(im, want) {
					t.Errorf("pixels differ from the encoded image in %d bytes", countDiff(im.Pix, want.Pix))
				}
			}
			if tt.name == "JPEG CMYK (Adobe, hand-written)" {
				if _, ok := ref.(*image.CMYK); !ok {
					t.Fatalf("image/jpeg returned %T, want *image.CMYK", ref)
				}
				// Red, black, and (10,200,30,40) → RGB per color.CMYK.RGBA:
				// w = 0xffff−40·0x101 = 55255; R = (0xffff−10·0x101)·w/0xffff = 53088 → 207.
				want := map[int][3]uint8{0: {255, 0, 0}, 8: {0, 0, 0}, 16: {207, 46, 190}}
				for x, c := range want {
					if got := [3]uint8(im.Pix[4*x : 4*x+3]); got != c {
						t.Errorf("pixel %d = %v, want %v", x, got, c)
					}
				}
			}
		})
	}

	// A first GIF frame smaller than the logical screen is drawn at its
	// position on a transparent canvas.
	im, _, err := Decode(bytes.NewReader(encodeGIF(t, 8, 6, small, frame1)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if im.W != 8 || im.H != 6 {
		t.Fatalf("GIF sub-frame: size %d×%d, want 8×6", im.W, im.H)
	}
	for y := 0; y < 6; y++ {
		for x := 0; x < 8; x++ {
			want := [4]uint8{}
			if image.Pt(x, y).In(small.Rect) {
				want = [4]uint8{0, 0, 255, 255}
			}
			if got := [4]uint8(im.Pix[4*(y*8+x):]); got != want {
				t.Fatalf("GIF sub-frame: pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// TestDecodeErrors checks that bad input gives the right sentinel and a
// message naming the reason.
func TestDecodeErrors(t *testing.T) {
	jpg := encodeJPEG(t, gradient(40, 30, true))
	pngData := encodePNG(t, gradient(40, 30, false))
	rng := rand.New(rand.NewPCG(15, 16))
	random := make([]byte, 4096)
	fill(rng, random)
	random[0] = 0x00 // not accidentally a magic number
	zeroGIF := encodeGIF(t, 1, 1, image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Black}))
	zeroGIF[6], zeroGIF[7] = 0, 0 // logical screen width 0

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
		msg  string
	}{
		{"empty", nil, Limits{}, ErrCorrupt, "empty input"},
		{"random bytes", random, Limits{}, ErrUnsupportedFormat, "not a JPEG, PNG, GIF or WebP image"},
		{"SVG", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"/>`), Limits{}, ErrUnsupportedFormat, "looks like SVG"},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Limits{}, ErrUnsupportedFormat, "looks like PDF"},
		{"HTML", []byte("<!DOCTYPE html><html></html>"), Limits{}, ErrUnsupportedFormat, "looks like HTML"},
		{"text", []byte("Tables Turned on the Gardener (1895)\n"), Limits{}, ErrUnsupportedFormat, "looks like text"},
		{"BMP", []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00"), Limits{}, ErrUnsupportedFormat, "looks like BMP"},
		{"AVIF", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00"), Limits{}, ErrUnsupportedFormat, "looks like AVIF"},
		{"JPEG magic only", []byte{0xff, 0xd8}, Limits{}, ErrCorrupt, "reading JPEG header"},
		{"JPEG truncated header", jpg[:40], Limits{}, ErrCorrupt, "JPEG"},
		{"JPEG truncated data", jpg[:len(jpg)/2], Limits{}, ErrCorrupt, "decoding JPEG"},
		{"PNG truncated header", pngData[:20], Limits{}, ErrCorrupt, "reading PNG header"},
		{"PNG truncated data", pngData[:len(pngData)-30], Limits{}, ErrCorrupt, "decoding PNG"},
		{"PNG bomb 30000×30000", pngWithSize(t, 30000, 30000), Limits{}, ErrTooLarge, "image is 30000×30000 = 900 Mpixel, over the 50 Mpixel limit"},
		{"PNG over a custom pixel limit", pngData, Limits{MaxPixels: 1000}, ErrTooLarge, "image is 40×30 = 0.0012 Mpixel, over the 0.001 Mpixel limit"},
		{"PNG zero width", pngWithSize(t, 0, 10), Limits{}, ErrCorrupt, "PNG"},
		{"GIF zero width", zeroGIF, Limits{}, ErrCorrupt, "GIF"},
		{"over MaxBytes", pngData, Limits{MaxBytes: 100}, ErrTooLarge, "input is over the 100-byte limit"},
		{"4-component JPEG without Adobe marker", func() []byte {
			b := cmykJPEG([]color.CMYK{{1, 2, 3, 4}})
			return append(b[:2:2], b[18:]...) // drop the 16-byte APP14 segment
		}(), Limits{}, ErrUnsupportedFormat, "unsupported JPEG feature"},
		{"WebP header only", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), Limits{}, ErrCorrupt, "WebP"},
	}
	for _, tt := range tests {
		im, _, err := Decode(bytes.NewReader(tt.data), tt.lim)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tt.name, err, tt.want, tt.msg)
		}
		if im.Pix != nil || im.W != 0 {
			t.Errorf("%s: non-empty Image returned with an error", tt.name)
		}
	}
	// Exactly MaxBytes is accepted.
	if _, _, err := Decode(bytes.NewReader(pngData), Limits{MaxBytes: int64(len(pngData))}); err != nil {
		t.Errorf("input of exactly MaxBytes: %v", err)
	}
	// Read errors are passed on, wrapped.
	if _, _, err := Decode(io.MultiReader(bytes.NewReader(jpg[:10]), errReader{}), Limits{}); !errors.Is(err, errRead) {
		t.Errorf("read error: got %v", err)
	}
}

var errRead = errors.New("disk on fire")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errRead }

// TestDecodeBombAllocatesLittle checks that a PNG claiming 30000×30000 is
// refused from its header: decoding it allocates far less than its pixels.
func TestDecodeBombAllocatesLittle(t *testing.T) {
	data := pngWithSize(t, 30000, 30000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Decode(bytes.NewReader(data), DefaultLimits())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing the bomb allocated %d bytes, want < 1 MiB", n)
	}
}

// TestDecodeMutations flips random bytes of valid files of every format:
// Decode must return an image or an error, never panic.
func TestDecodeMutations(t *testing.T) {
	seeds := [][]byte{
		encodeJPEG(t, gradient(20, 20, true)),
		encodePNG(t, gradient(20, 20, false)),
		encodeGIF(t, 8, 6, image.NewPaletted(image.Rect(0, 0, 8, 6), color.Palette{color.White, color.Black})),
		readTestdata(t, "blue-purple-pink.lossy.webp"),
		readTestdata(t, "gopher-doc.with-alpha.lossless.webp"),
		cmykJPEG([]color.CMYK{{1, 2, 3, 4}, {200, 100, 50, 25}}),
	}
	rng := rand.New(rand.NewPCG(17, 18))
	lim := Limits{MaxPixels: 1 << 20}
	for _, seed := range seeds {
		for range 150 {
			b := append([]byte{}, seed...)
			for range 1 + rng.IntN(8) {
				b[rng.IntN(len(b))] = uint8(rng.Uint32())
			}
			if rng.IntN(4) == 0 {
				b = b[:rng.IntN(len(b))]
			}
			im, _, err := Decode(bytes.NewReader(b), lim)
			if err == nil {
				if verr := im.validate(); verr != nil {
					t.Fatalf("Decode returned an invalid Image without error: %v", verr)
				}
			}
		}
	}
}

// FuzzDecode checks that Decode never panics and that a decoded Image is
// always valid and preprocessable.
func FuzzDecode(f *testing.F) {
	f.Add(encodeJPEG(f, gradient(9, 9, true)))
	f.Add(encodePNG(f, gradient(9, 9, false)))
	f.Add(cmykJPEG([]color.CMYK{{1, 2, 3, 4}}))
	f.Add([]byte("%PDF-1.4"))
	dst := make([]float32, 3*Size*Size)
	f.Fuzz(func(t *testing.T, b []byte) {
		im, _, err := Decode(bytes.NewReader(b), Limits{MaxPixels: 1 << 20})
		if err != nil {
			return
		}
		if err := Preprocess(im, Squash, dst); err != nil {
			t.Fatalf("decoded image does not preprocess: %v", err)
		}
	})
}

// TestDecoderPanicRecovered checks that a panicking decoder becomes an
// ErrCorrupt error.
func TestDecoderPanicRecovered(t *testing.T) {
	c := &codec{
		name: "x", display: "X",
		decodeConfig: func(io.Reader) (image.Config, error) { return image.Config{Width: 1, Height: 1}, nil },
		decode:       func(io.Reader) (image.Image, error) { panic("index out of range") },
	}
	_, err := c.decodeBytes([]byte("x"), DefaultLimits())
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "X decoder panicked: index out of range") {
		t.Errorf("error %v, want ErrCorrupt naming the panic", err)
	}
}
