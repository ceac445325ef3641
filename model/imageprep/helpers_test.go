package imageprep

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"posterity/internal/testshared"
)

// sharedDir returns the read-only shared/ folder that sits next to the
// repository root, found by walking up from the package directory. It fails
// the test when the folder is missing: the fixtures are part of the contract.
func sharedDir(t testing.TB) string { return testshared.Dir(t, "models/golden") }

// readShared reads a file given relative to the shared folder.
func readShared(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// refSrcCoord and refResize are srcCoord and ResizeBilinear copied verbatim
// from shared/models/golden/posters/resize_reference.go.txt, so that the
// optimised sampler can be held equal to the reference on any input.
func refSrcCoord(d, n int) (i0, i1 int, f float64) {
	s := float64(float64(float64(d)+0.5)*float64(n))/Size - 0.5
	if s < 0 {
		s = 0
	}
	if s > float64(n-1) {
		s = float64(n - 1)
	}
	i0 = int(math.Floor(s))
	i1 = i0 + 1
	if i1 > n-1 {
		i1 = n - 1
	}
	f = s - float64(i0)
	return i0, i1, f
}

func refResize(src []uint8, sw, sh int) []uint8 {
	dst := make([]uint8, Size*Size*3)
	for dy := 0; dy < Size; dy++ {
		y0, y1, fy := refSrcCoord(dy, sh)
		for dx := 0; dx < Size; dx++ {
			x0, x1, fx := refSrcCoord(dx, sw)
			for c := 0; c < 3; c++ {
				p00 := float64(src[(y0*sw+x0)*3+c])
				p01 := float64(src[(y0*sw+x1)*3+c])
				p10 := float64(src[(y1*sw+x0)*3+c])
				p11 := float64(src[(y1*sw+x1)*3+c])
				top := float64(p00*(1-fx)) + float64(p01*fx)
				bot := float64(p10*(1-fx)) + float64(p11*fx)
				v := float64(top*(1-fy)) + float64(bot*fy)
				r := math.Round(v)
				if r < 0 {
					r = 0
				}
				if r > 255 {
					r = 255
				}
				dst[(dy*Size+dx)*3+c] = uint8(r)
			}
		}
	}
	return dst
}

// refSynthetic is Synthetic from resize_reference.go.txt.
func refSynthetic() []uint8 {
	rgb := make([]uint8, Size*Size*3)
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			i := (y*Size + x) * 3
			rgb[i] = uint8(x * 255 / 223)
			rgb[i+1] = uint8(y * 255 / 223)
			rgb[i+2] = uint8((x + y) * 255 / 446)
		}
	}
	return rgb
}

// refNormalize is Normalize from resize_reference.go.txt.
func refNormalize(rgb []uint8) []float32 {
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	out := make([]float32, 3*Size*Size)
	for c := 0; c < 3; c++ {
		for i := 0; i < Size*Size; i++ {
			v := float32(rgb[i*3+c]) / 255
			out[c*Size*Size+i] = (v - mean[c]) / std[c]
		}
	}
	return out
}

// compositeRGB returns im composited over black as packed RGB, by the
// definition: the high byte of color.NRGBA{...}.RGBA().
func compositeRGB(im Image) []uint8 {
	out := make([]uint8, 3*im.W*im.H)
	for i := 0; i < im.W*im.H; i++ {
		p := im.Pix[4*i:]
		r, g, b, _ := color.NRGBA{p[0], p[1], p[2], p[3]}.RGBA()
		out[3*i], out[3*i+1], out[3*i+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
	}
	return out
}

// randImage returns a w×h Image with random pixels; opaque forces A = 255.
func randImage(rng *rand.Rand, w, h int, opaque bool) Image {
	im := Image{W: w, H: h, Pix: make([]uint8, 4*w*h)}
	for i := range im.Pix {
		im.Pix[i] = uint8(rng.Uint32())
		if opaque && i%4 == 3 {
			im.Pix[i] = 0xff
		}
	}
	return im
}

// rgbOf returns the packed RGB of an opaque image.Image by the reference
// rule (high byte of At(x, y).RGBA()).
func rgbOf(m image.Image) []uint8 {
	b := m.Bounds()
	out := make([]uint8, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := m.At(x, y).RGBA()
			out = append(out, uint8(r>>8), uint8(g>>8), uint8(bb>>8))
		}
	}
	return out
}

// countDiff returns how many bytes of a and b differ (a length mismatch
// counts every missing byte).
func countDiff(a, b []uint8) int {
	n := max(len(a), len(b)) - min(len(a), len(b))
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// samePix reports whether two Images are equal.
func samePix(a, b Image) bool {
	return a.W == b.W && a.H == b.H && bytes.Equal(a.Pix, b.Pix)
}
