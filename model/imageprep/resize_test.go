package imageprep

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// subRGB returns the packed RGB of the w×h region at (x0, y0) of the packed
// sw-wide RGB image src; pixels outside src are black.
func subRGB(src []uint8, sw, sh, x0, y0, w, h int) []uint8 {
	out := make([]uint8, 3*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := x0+x, y0+y
			if sx >= 0 && sx < sw && sy >= 0 && sy < sh {
				copy(out[3*(y*w+x):3*(y*w+x)+3], src[3*(sy*sw+sx):])
			}
		}
	}
	return out
}

// TestResizeMatchesReference holds Resize to the reference program's
// ResizeBilinear for every policy: Squash on the whole composited image, Crop
// on the explicitly cropped centre square, Pad on the explicitly letterboxed
// square. Images are random (with alpha for some), down- and up-scaled, and
// degenerate (one row, one column).
func TestResizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []struct{ w, h int }{
		{182, 268}, {268, 182}, {300, 300}, {224, 224}, {50, 70}, {1, 1}, {1, 500}, {500, 1}, {225, 223}, {7, 1000},
	}
	for _, sz := range sizes {
		for _, opaque := range []bool{true, false} {
			im := randImage(rng, sz.w, sz.h, opaque)
			rgb := compositeRGB(im)
			side := min(sz.w, sz.h)
			big := max(sz.w, sz.h)
			want := map[Policy][]uint8{
				Squash: refResize(rgb, sz.w, sz.h),
				Crop:   refResize(subRGB(rgb, sz.w, sz.h, (sz.w-side)/2, (sz.h-side)/2, side, side), side, side),
				Pad:    refResize(subRGB(rgb, sz.w, sz.h, -((big-sz.w)/2), -((big-sz.h)/2), big, big), big, big),
			}
			for _, p := range []Policy{Squash, Crop, Pad} {
				got := make([]uint8, 3*Size*Size)
				if err := Resize(im, p, got); err != nil {
					t.Fatal(err)
				}
				if n := countDiff(got, want[p]); n != 0 {
					t.Errorf("%d×%d opaque=%v %v: %d bytes differ from the reference", sz.w, sz.h, opaque, p, n)
				}
			}
		}
	}
}

// TestResizeGeometry checks Crop and Pad on images whose answer is known
// without the reference: a 100×50 image with red, green and blue thirds
// (25, 50, 25 columns), and a white 50×100 image.
func TestResizeGeometry(t *testing.T) {
	bands := Image{W: 100, H: 50, Pix: make([]uint8, 4*100*50)}
	for y := 0; y < 50; y++ {
		for x := 0; x < 100; x++ {
			c := 0 // red
			if x >= 25 {
				c = 1
			}
			if x >= 75 {
				c = 2
			}
			bands.Pix[4*(y*100+x)+c] = 255
			bands.Pix[4*(y*100+x)+3] = 255
		}
	}
	got := make([]uint8, 3*Size*Size)
	if err := Resize(bands, Crop, got); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < Size*Size; i++ {
		if p := got[3*i : 3*i+3]; p[0] != 0 || p[1] != 255 || p[2] != 0 {
			t.Fatalf("Crop: pixel (%d,%d) = %v, want pure green (the centre square)", i%Size, i/Size, p)
		}
	}
	if err := Resize(bands, Squash, got); err != nil {
		t.Fatal(err)
	}
	if p := got[0:3]; p[0] != 255 || p[1] != 0 {
		t.Errorf("Squash: top-left = %v, want red (nothing cut off)", p)
	}
	if p := got[3*(Size-1):]; p[2] != 255 {
		t.Errorf("Squash: top-right = %v, want blue", p[:3])
	}

	white := Image{W: 50, H: 100, Pix: bytes.Repeat([]uint8{255}, 4*50*100)}
	if err := Resize(white, Pad, got); err != nil {
		t.Fatal(err)
	}
	// The image covers columns 25..74 of the 100-wide square, i.e.
	// destination columns whose centre maps into it; the bars are black and
	// symmetric.
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			v := got[3*(y*Size+x)]
			mirror := got[3*(y*Size+Size-1-x)]
			if v != mirror {
				t.Fatalf("Pad: row %d not symmetric at x=%d: %d vs %d", y, x, v, mirror)
			}
			if got[3*(y*Size+x)+1] != v || got[3*(y*Size+x)+2] != v {
				t.Fatalf("Pad: pixel (%d,%d) is not grey", x, y)
			}
		}
	}
	row := got[3*Size*100 : 3*Size*101]
	if row[0] != 0 || row[3*(Size/2)] != 255 {
		t.Errorf("Pad: left edge %d, centre %d; want black bar and white image", row[0], row[3*(Size/2)])
	}
	whiteCols := 0
	for x := 0; x < Size; x++ {
		if row[3*x] == 255 {
			whiteCols++
		}
	}
	if whiteCols < Size/2-2 || whiteCols > Size/2 {
		t.Errorf("Pad: %d white columns, want about half of %d", whiteCols, Size)
	}

	// For a square image all three policies sample the same square.
	sq := randImage(rand.New(rand.NewPCG(9, 10)), 97, 97, false)
	ref := make([]uint8, 3*Size*Size)
	if err := Resize(sq, Squash, ref); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Policy{Crop, Pad} {
		if err := Resize(sq, p, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ref) {
			t.Errorf("square image: %v differs from Squash", p)
		}
	}
}

// TestAlphaComposite checks the alpha rule: transparent is black, opaque is
// unchanged, and half alpha is the high byte of color.NRGBA.RGBA().
func TestAlphaComposite(t *testing.T) {
	tests := []struct {
		name string
		px   [4]uint8
		want [3]uint8
	}{
		{"opaque", [4]uint8{200, 100, 7, 255}, [3]uint8{200, 100, 7}},
		{"transparent", [4]uint8{200, 100, 7, 0}, [3]uint8{0, 0, 0}},
		{"half", [4]uint8{255, 128, 1, 128}, [3]uint8{128, 64, 0}}, // 0xffff·128/255>>8 = 128; 0x8080·128/255>>8 = 64
		{"white a=1", [4]uint8{255, 255, 255, 1}, [3]uint8{1, 1, 1}},
	}
	for _, tt := range tests {
		im := Image{W: 3, H: 2, Pix: bytes.Repeat(tt.px[:], 6)}
		got := make([]uint8, 3*Size*Size)
		if err := Resize(im, Squash, got); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < Size*Size; i++ {
			if [3]uint8(got[3*i:3*i+3]) != tt.want {
				t.Fatalf("%s: pixel %d = %v, want %v", tt.name, i, got[3*i:3*i+3], tt.want)
			}
		}
	}
}

// TestPreprocessEqualsHalves checks Preprocess = Normalize∘Resize bit for
// bit for every policy, and that neither allocates.
func TestPreprocessEqualsHalves(t *testing.T) {
	im := randImage(rand.New(rand.NewPCG(11, 12)), 182, 268, false)
	rgb := make([]uint8, 3*Size*Size)
	a := make([]float32, 3*Size*Size)
	b := make([]float32, 3*Size*Size)
	for _, p := range []Policy{Squash, Crop, Pad} {
		if err := Resize(im, p, rgb); err != nil {
			t.Fatal(err)
		}
		Normalize(rgb, a)
		if want := refNormalize(rgb); !slices.Equal(float32Bytes(a), float32Bytes(want)) {
			t.Errorf("%v: Normalize differs from the reference", p)
		}
		if err := Preprocess(im, p, b); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(float32Bytes(a), float32Bytes(b)) {
			t.Errorf("%v: Preprocess differs from Normalize(Resize)", p)
		}
	}
	allocs := testing.AllocsPerRun(5, func() {
		if err := Preprocess(im, Pad, b); err != nil {
			t.Fatal(err)
		}
		if err := Resize(im, Squash, rgb); err != nil {
			t.Fatal(err)
		}
		Normalize(rgb, a)
	})
	if allocs != 0 {
		t.Errorf("Preprocess+Resize+Normalize allocate %v times per run, want 0", allocs)
	}
}

// TestPreprocessErrors checks that bad arguments are errors, not panics.
func TestPreprocessErrors(t *testing.T) {
	good := Image{W: 2, H: 2, Pix: make([]uint8, 16)}
	tests := []struct {
		name string
		im   Image
		p    Policy
		dst  int
		want string
	}{
		{"zero width", Image{W: 0, H: 2}, Squash, 3 * Size * Size, "empty"},
		{"negative", Image{W: -1, H: -1}, Squash, 3 * Size * Size, "empty"},
		{"short Pix", Image{W: 2, H: 2, Pix: make([]uint8, 15)}, Squash, 3 * Size * Size, "needs 16 bytes"},
		{"huge", Image{W: 1 << 40, H: 1 << 40}, Squash, 3 * Size * Size, "overflows"},
		{"policy", good, Policy(9), 3 * Size * Size, "unknown resize policy Policy(9)"},
		{"dst", good, Squash, 10, "dst has 10"},
	}
	for _, tt := range tests {
		err := Preprocess(tt.im, tt.p, make([]float32, tt.dst))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Preprocess error %v, want one containing %q", tt.name, err, tt.want)
		}
		err = Resize(tt.im, tt.p, make([]uint8, tt.dst))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Resize error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestPanics checks the programmer-error panics of Normalize and
// FlipHorizontal.
func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"Normalize short rgb", func() { Normalize(make([]uint8, 5), make([]float32, 3*Size*Size)) }},
		{"Normalize short dst", func() { Normalize(make([]uint8, 3*Size*Size), make([]float32, 5)) }},
		{"FlipHorizontal", func() { FlipHorizontal(make([]uint8, 5)) }},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "imageprep: ") {
					t.Errorf("%s: recovered %v, want an imageprep panic", tt.name, r)
				}
			}()
			tt.f()
		}()
	}
}

// TestFlipHorizontal checks one flip against the definition and that two
// flips are the identity.
func TestFlipHorizontal(t *testing.T) {
	rgb := make([]uint8, 3*Size*Size)
	fill(rand.New(rand.NewPCG(13, 14)), rgb)
	orig := slices.Clone(rgb)
	FlipHorizontal(rgb)
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			i, j := 3*(y*Size+x), 3*(y*Size+Size-1-x)
			if !bytes.Equal(rgb[i:i+3], orig[j:j+3]) {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, rgb[i:i+3], orig[j:j+3])
			}
		}
	}
	FlipHorizontal(rgb)
	if !bytes.Equal(rgb, orig) {
		t.Error("two flips are not the identity")
	}
}

// TestPolicyNames checks ParsePolicy and String.
func TestPolicyNames(t *testing.T) {
	tests := []struct {
		in   string
		want Policy
		ok   bool
	}{
		{"squash", Squash, true}, {"crop", Crop, true}, {"pad", Pad, true}, {"PAD", Pad, true},
		{"", 0, false}, {"letterbox", 0, false},
	}
	for _, tt := range tests {
		p, err := ParsePolicy(tt.in)
		if (err == nil) != tt.ok || p != tt.want {
			t.Errorf("ParsePolicy(%q) = %v, %v", tt.in, p, err)
		}
		if tt.ok && !strings.EqualFold(p.String(), tt.in) {
			t.Errorf("%v.String() = %q", p, p.String())
		}
	}
	if Squash != 0 {
		t.Error("Squash must be the zero Policy (the default)")
	}
	if s := Policy(7).String(); s != "Policy(7)" {
		t.Errorf("Policy(7).String() = %q", s)
	}
}

// TestRoundByte holds roundByte to the reference's clamp(math.Round(v)) on
// every half-integer tie, its float64 neighbours, and random values.
func TestRoundByte(t *testing.T) {
	ref := func(v float64) uint8 {
		r := math.Round(v)
		if r < 0 {
			r = 0
		}
		if r > 255 {
			r = 255
		}
		return uint8(r)
	}
	var vs []float64
	for k := -4; k <= 520; k++ {
		v := float64(k) / 2
		vs = append(vs, v, math.Nextafter(v, math.Inf(1)), math.Nextafter(v, math.Inf(-1)))
	}
	rng := rand.New(rand.NewPCG(19, 20))
	for range 100000 {
		vs = append(vs, rng.Float64()*260-2)
	}
	vs = append(vs, 0.49999999999999994, math.Copysign(0, -1), 1e300, -1e300)
	for _, v := range vs {
		if got, want := roundByte(v), ref(v); got != want {
			t.Fatalf("roundByte(%v) = %d, want %d", v, got, want)
		}
	}
}
