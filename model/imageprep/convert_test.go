package imageprep

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// fill sets every byte of the slices to random values.
func fill(rng *rand.Rand, bufs ...[]uint8) {
	for _, b := range bufs {
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
	}
}

// TestFromImageFastPaths holds every fast path of fromImage equal to the At
// rule (fromImageAt), on random images with odd sizes, odd origins and
// sub-images.
func TestFromImageFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	rects := []image.Rectangle{
		image.Rect(0, 0, 13, 11),
		image.Rect(3, 5, 20, 14), // odd, positive origin
		image.Rect(-7, -5, 6, 4), // negative origin: COffset path
		image.Rect(0, 0, 1, 1),   // single pixel
		image.Rect(0, 0, 37, 2),  // short and wide
	}
	type tc struct {
		name string
		img  image.Image
	}
	var cases []tc
	for _, r := range rects {
		for _, ratio := range ratios {
			m := image.NewYCbCr(r, ratio)
			fill(rng, m.Y, m.Cb, m.Cr)
			cases = append(cases, tc{"YCbCr" + ratio.String() + r.String(), m})
			sub := r.Inset(1)
			if !sub.Empty() {
				cases = append(cases, tc{"YCbCr" + ratio.String() + "sub" + sub.String(), m.SubImage(sub)})
			}
		}
		g := image.NewGray(r)
		fill(rng, g.Pix)
		rgba := image.NewRGBA(r)
		fill(rng, rgba.Pix) // includes invalid premultiplied colours: both paths must agree anyway
		nrgba := image.NewNRGBA(r)
		fill(rng, nrgba.Pix)
		cmyk := image.NewCMYK(r)
		fill(rng, cmyk.Pix)
		pal := make(color.Palette, 256)
		for i := range pal {
			if i%2 == 0 {
				pal[i] = color.NRGBA{uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32())}
			} else {
				a := uint8(rng.Uint32())
				pal[i] = color.RGBA{a / 2, a / 3, a, a}
			}
		}
		p := image.NewPaletted(r, pal)
		fill(rng, p.Pix)
		gray16 := image.NewGray16(r)
		fill(rng, gray16.Pix)
		rgba64 := image.NewRGBA64(r)
		fill(rng, rgba64.Pix)
		nrgba64 := image.NewNRGBA64(r)
		fill(rng, nrgba64.Pix)
		nycc := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
		fill(rng, nycc.Y, nycc.Cb, nycc.Cr, nycc.A)
		cases = append(cases,
			tc{"Gray" + r.String(), g}, tc{"RGBA" + r.String(), rgba}, tc{"NRGBA" + r.String(), nrgba},
			tc{"CMYK" + r.String(), cmyk}, tc{"Paletted" + r.String(), p},
			tc{"Gray16 (At)" + r.String(), gray16}, tc{"RGBA64 (At)" + r.String(), rgba64},
			tc{"NRGBA64 (At)" + r.String(), nrgba64}, tc{"NYCbCrA (At)" + r.String(), nycc},
		)
		if sub := r.Inset(1); !sub.Empty() {
			cases = append(cases, tc{"RGBA sub" + sub.String(), rgba.SubImage(sub)},
				tc{"Paletted sub" + sub.String(), p.SubImage(sub)}, tc{"CMYK sub" + sub.String(), cmyk.SubImage(sub)})
		}
	}
	for _, c := range cases {
		got, want := fromImage(c.img), fromImageAt(c.img)
		if !samePix(got, want) || got.W != c.img.Bounds().Dx() || got.H != c.img.Bounds().Dy() {
			t.Errorf("%s: fast path differs from the At rule in %d bytes", c.name, countDiff(got.Pix, want.Pix))
		}
	}
}

// TestFromImageOpaqueIsReferenceRule checks that for opaque images the
// At rule gives the reference's RGB: the high byte of At(x, y).RGBA().
func TestFromImageOpaqueIsReferenceRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := image.NewYCbCr(image.Rect(0, 0, 31, 17), image.YCbCrSubsampleRatio420)
	fill(rng, m.Y, m.Cb, m.Cr)
	im := fromImage(m)
	want := rgbOf(m)
	for i := 0; i < im.W*im.H; i++ {
		if p := im.Pix[4*i:]; p[0] != want[3*i] || p[1] != want[3*i+1] || p[2] != want[3*i+2] || p[3] != 0xff {
			t.Fatalf("pixel %d = %v, want %v opaque", i, p[:4], want[3*i:3*i+3])
		}
	}
}

// TestColorKernels checks the per-pixel conversions against image/color
// exhaustively (YCbCr: all 2^24 inputs; premul, unpremul: all 2^16) or on a
// random sample (CMYK).
func TestColorKernels(t *testing.T) {
	for y := 0; y < 256; y++ {
		for cb := 0; cb < 256; cb++ {
			for cr := 0; cr < 256; cr++ {
				r, g, b := ycbcrToRGB(uint8(y), uint8(cb), uint8(cr))
				wr, wg, wb, _ := color.YCbCr{uint8(y), uint8(cb), uint8(cr)}.RGBA()
				if r != uint8(wr>>8) || g != uint8(wg>>8) || b != uint8(wb>>8) {
					t.Fatalf("ycbcrToRGB(%d,%d,%d) = %d,%d,%d, want %d,%d,%d", y, cb, cr, r, g, b, wr>>8, wg>>8, wb>>8)
				}
			}
		}
	}
	for v := 0; v < 256; v++ {
		for a := 0; a < 256; a++ {
			wr, _, _, _ := color.NRGBA{uint8(v), 0, 0, uint8(a)}.RGBA()
			if got := premul(uint8(v), uint8(a)); got != uint8(wr>>8) {
				t.Fatalf("premul(%d, %d) = %d, want %d", v, a, got, wr>>8)
			}
			w := color.NRGBAModel.Convert(color.RGBA{uint8(v), uint8(v / 2), 0, uint8(a)}).(color.NRGBA)
			if r, g, b, aa := unpremul(uint8(v), uint8(v/2), 0, uint8(a)); (color.NRGBA{r, g, b, aa}) != w {
				t.Fatalf("unpremul(%d,%d,0,%d) = %v, want %v", v, v/2, a, color.NRGBA{r, g, b, aa}, w)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 1 << 20 {
		c := color.CMYK{uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32())}
		r, g, b := cmykToRGB(c.C, c.M, c.Y, c.K)
		wr, wg, wb, _ := c.RGBA()
		if r != uint8(wr>>8) || g != uint8(wg>>8) || b != uint8(wb>>8) {
			t.Fatalf("cmykToRGB(%v) = %d,%d,%d, want %d,%d,%d", c, r, g, b, wr>>8, wg>>8, wb>>8)
		}
	}
}

// TestPalettedOutOfRange checks that an index beyond a short palette reads
// opaque black (m.At would panic).
func TestPalettedOutOfRange(t *testing.T) {
	p := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.RGBA{10, 20, 30, 255}})
	p.Pix[1] = 7
	im := fromImage(p)
	if want := []uint8{10, 20, 30, 255, 0, 0, 0, 255}; string(im.Pix) != string(want) {
		t.Errorf("got %v, want %v", im.Pix, want)
	}
}
