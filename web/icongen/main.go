// Command icongen draws Posterity's app icons: a poster with three genre
// bars on a dark square. It writes the PNGs the web app manifest needs (go-app
// would otherwise point at icons on GitHub) and the SVG they are drawn from:
//
//	go run ./web/icongen -out static/web
//
// The outputs are committed; run it again only when the design changes.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

// shape is a rounded rectangle in a 512-unit square, with its colour.
type shape struct {
	x0, y0, x1, y1, r float64
	c                 color.NRGBA
}

// design returns the icon's shapes, back to front. pad shrinks the drawing
// toward the centre: maskable icons keep their content inside the central
// 80 % circle that every platform mask preserves.
func design(pad float64) []shape {
	bg := color.NRGBA{0x1d, 0x1b, 0x24, 0xff}
	poster := color.NRGBA{0xf7, 0xf3, 0xe8, 0xff}
	bars := []color.NRGBA{{0xd9, 0x48, 0x3b, 0xff}, {0xe8, 0xa3, 0x3d, 0xff}, {0x3b, 0x82, 0xc4, 0xff}}
	s := func(x0, y0, x1, y1, r float64, c color.NRGBA) shape {
		k := 1 - 2*pad/512
		m := func(v float64) float64 { return 256 + (v-256)*k }
		return shape{m(x0), m(y0), m(x1), m(y1), r * k, c}
	}
	out := []shape{{0, 0, 512, 512, 96, bg}}
	if pad > 0 {
		out[0].r = 0 // the platform's mask rounds a maskable icon
	}
	out = append(out, s(136, 72, 376, 440, 22, poster))
	widths := []float64{176, 128, 80}
	for i, w := range widths {
		y := 300 + float64(i)*44
		out = append(out, s(168, y, 168+w, y+26, 13, bars[i]))
	}
	// The poster's "picture": a dark circle above the bars.
	out = append(out, s(208, 120, 304, 216, 48, bg))
	return out
}

// inside reports whether (x, y) is inside the rounded rectangle.
func (s shape) inside(x, y float64) bool {
	if x < s.x0 || x > s.x1 || y < s.y0 || y > s.y1 {
		return false
	}
	cx := min(max(x, s.x0+s.r), s.x1-s.r)
	cy := min(max(y, s.y0+s.r), s.y1-s.r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= s.r*s.r
}

// render draws the shapes at size×size pixels with 4×4 supersampling.
func render(shapes []shape, size int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scale := 512 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					for i := len(shapes) - 1; i >= 0; i-- {
						if shapes[i].inside(x, y) {
							c := shapes[i].c
							r += float64(c.R)
							g += float64(c.G)
							b += float64(c.B)
							a += 255
							break
						}
					}
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			// Straight alpha: average colour over covered samples.
			cov := a / 255
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/cov + 0.5), uint8(g/cov + 0.5), uint8(b/cov + 0.5), uint8(a/n + 0.5)})
		}
	}
	return img
}

// svg writes the shapes as an SVG document.
func svg(shapes []shape) string {
	s := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">` + "\n"
	for _, sh := range shapes {
		s += fmt.Sprintf(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="#%02x%02x%02x"/>`+"\n",
			sh.x0, sh.y0, sh.x1-sh.x0, sh.y1-sh.y0, sh.r, sh.c.R, sh.c.G, sh.c.B)
	}
	return s + "</svg>\n"
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return f.Close()
}

func main() {
	out := flag.String("out", "static/web", "folder to write the icons to")
	flag.Parse()
	plain, maskable := design(0), design(56)
	files := []struct {
		name string
		img  image.Image
	}{
		{"icon-192.png", render(plain, 192)},
		{"icon-512.png", render(plain, 512)},
		{"icon-maskable-512.png", render(maskable, 512)},
	}
	for _, f := range files {
		if err := writePNG(filepath.Join(*out, f.name), f.img); err != nil {
			fmt.Fprintln(os.Stderr, "icongen:", err)
			os.Exit(1)
		}
	}
	if err := os.WriteFile(filepath.Join(*out, "icon.svg"), []byte(svg(plain)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}
