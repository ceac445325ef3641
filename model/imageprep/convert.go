package imageprep

import (
	"image"
	"image/color"
)

// fromImage converts m to a straight-RGBA Image whose pixel (x, y) is
// color.NRGBAModel.Convert(m.At(Min.X+x, Min.Y+y)). For an opaque pixel that
// is the high byte of m.At(...).RGBA(), the reference rule. The common image
// types take fast paths, each tested equal to [fromImageAt]; other types fall
// back to it.
func fromImage(m image.Image) Image {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return Image{}
	}
	im := Image{W: w, H: h, Pix: make([]uint8, 4*w*h)}
	switch m := m.(type) {
	case *image.YCbCr:
		if !fromYCbCr(im, m) {
			fillAt(im, m)
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			dst := im.Pix[4*w*y:][:4*w]
			for x, v := range src {
				d := dst[4*x : 4*x+4 : 4*x+4]
				d[0], d[1], d[2], d[3] = v, v, v, 0xff
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			dst := im.Pix[4*w*y:][:4*w]
			for x := 0; x < w; x++ {
				s := src[4*x : 4*x+4 : 4*x+4]
				d := dst[4*x : 4*x+4 : 4*x+4]
				d[0], d[1], d[2], d[3] = unpremul(s[0], s[1], s[2], s[3])
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			copy(im.Pix[4*w*y:][:4*w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w])
		}
	case *image.Paletted:
		// Indices beyond the palette read opaque black, as image/png pads
		// short palettes; m.At would panic on them.
		var pal [256][4]uint8
		for i := range pal {
			pal[i] = [4]uint8{0, 0, 0, 0xff}
			if i < len(m.Palette) {
				c := color.NRGBAModel.Convert(m.Palette[i]).(color.NRGBA)
				pal[i] = [4]uint8{c.R, c.G, c.B, c.A}
			}
		}
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			dst := im.Pix[4*w*y:][:4*w]
			for x, v := range src {
				copy(dst[4*x:4*x+4], pal[v][:])
			}
		}
	case *image.CMYK:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			dst := im.Pix[4*w*y:][:4*w]
			for x := 0; x < w; x++ {
				s := src[4*x : 4*x+4 : 4*x+4]
				d := dst[4*x : 4*x+4 : 4*x+4]
				d[0], d[1], d[2] = cmykToRGB(s[0], s[1], s[2], s[3])
				d[3] = 0xff
			}
		}
	default:
		fillAt(im, m)
	}
	return im
}

// fromImageAt is the definition that the fast paths of [fromImage] follow:
// one color.NRGBAModel.Convert(m.At(x, y)) per pixel.
func fromImageAt(m image.Image) Image {
	b := m.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return Image{}
	}
	im := Image{W: b.Dx(), H: b.Dy(), Pix: make([]uint8, 4*b.Dx()*b.Dy())}
	fillAt(im, m)
	return im
}

// fillAt fills im from m by the At rule; im has m's size.
func fillAt(im Image, m image.Image) {
	b := m.Bounds()
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			d := im.Pix[i : i+4 : i+4]
			d[0], d[1], d[2], d[3] = c.R, c.G, c.B, c.A
			i += 4
		}
	}
}

// fromYCbCr converts m into im and reports whether its subsample ratio is
// one it knows.
func fromYCbCr(im Image, m *image.YCbCr) bool {
	// Chroma sample (cx, cy) of luma sample (x, y) is (x/hdiv, y/vdiv) in
	// absolute coordinates, as in (*image.YCbCr).COffset.
	var hs, vs uint // log2 of the horizontal and vertical chroma subsampling
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		hs, vs = 0, 0
	case image.YCbCrSubsampleRatio422:
		hs, vs = 1, 0
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		hs, vs = 0, 1
	case image.YCbCrSubsampleRatio411:
		hs, vs = 2, 0
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	default:
		return false
	}
	b := m.Bounds()
	r := m.Rect
	// With non-negative coordinates, x/2 and x/4 (Go's truncated division,
	// used by COffset) equal x>>1 and x>>2.
	shifts := r.Min.X >= 0 && r.Min.Y >= 0
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yi := m.YOffset(b.Min.X, y)
		cy := ((y >> vs) - (r.Min.Y >> vs)) * m.CStride
		for x := b.Min.X; x < b.Max.X; x++ {
			var ci int
			if shifts {
				ci = cy + (x >> hs) - (r.Min.X >> hs)
			} else {
				ci = m.COffset(x, y)
			}
			d := im.Pix[i : i+4 : i+4]
			d[0], d[1], d[2] = ycbcrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			d[3] = 0xff
			yi++
			i += 4
		}
	}
	return true
}

// ycbcrToRGB returns the high bytes of color.YCbCr{y, cb, cr}.RGBA(). This is
// not color.YCbCrToRGB: RGBA keeps 16 bits before the final shift, and the
// reference rule (and so the golden fixtures) uses RGBA.
func ycbcrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy1 := int32(y) * 0x10101
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	return clamp16(yy1 + 91881*cr1), clamp16(yy1 - 22554*cb1 - 46802*cr1), clamp16(yy1 + 116130*cb1)
}

// clamp16 returns the high byte of v>>8 clamped to [0, 0xffff], as in
// color.YCbCr.RGBA.
func clamp16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8((^(v >> 31) & 0xffff) >> 8)
}

// cmykToRGB returns the high bytes of color.CMYK{c, m, y, k}.RGBA().
func cmykToRGB(c, m, y, k uint8) (uint8, uint8, uint8) {
	w := 0xffff - uint32(k)*0x101
	r := (0xffff - uint32(c)*0x101) * w / 0xffff
	g := (0xffff - uint32(m)*0x101) * w / 0xffff
	b := (0xffff - uint32(y)*0x101) * w / 0xffff
	return uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)
}

// unpremul returns color.NRGBAModel.Convert(color.RGBA{r, g, b, a}).
func unpremul(r, g, b, a uint8) (uint8, uint8, uint8, uint8) {
	switch a {
	case 0xff:
		return r, g, b, a
	case 0:
		return 0, 0, 0, 0
	}
	a16 := uint32(a) * 0x101
	f := func(v uint8) uint8 { return uint8((uint32(v) * 0x101 * 0xffff / a16) >> 8) }
	return f(r), f(g), f(b), a
}
