package imageprep

import (
	"fmt"
	"math"
	"strings"
)

// Policy is how a non-square image is fitted into the Size×Size square. All
// policies share one bilinear sampler (see [Resize]); they differ only in the
// square region of the source that is sampled.
type Policy uint8

const (
	// Squash samples the whole image, so a non-square poster is stretched to
	// a square and nothing is cut off. It is the default and the reference
	// rule of the golden fixtures.
	Squash Policy = iota
	// Crop samples the centred square of side min(W, H), whose top-left
	// corner is at ((W−side)/2, (H−side)/2) with integer division, so an odd
	// excess leaves the extra column or row on the right or bottom.
	Crop
	// Pad samples a black square of side max(W, H) with the image pasted at
	// ((side−W)/2, (side−H)/2) with integer division (a letterbox). Samples
	// that fall outside the image read black.
	Pad
)

// String returns the policy's name as accepted by [ParsePolicy].
func (p Policy) String() string {
	switch p {
	case Squash:
		return "squash"
	case Crop:
		return "crop"
	case Pad:
		return "pad"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// ParsePolicy returns the Policy named s ("squash", "crop" or "pad",
// case-insensitive).
func ParsePolicy(s string) (Policy, error) {
	for _, p := range []Policy{Squash, Crop, Pad} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("imageprep: unknown resize policy %q (want squash, crop or pad)", s)
}

// tap is one output coordinate of the sampler on one axis: the byte offsets
// of the two source samples (−1 for a padding sample, which reads black) and
// their weights 1−f and f.
type tap struct {
	o0, o1 int
	w0, w1 float64
}

// srcCoord maps destination index d (0..Size−1) onto an axis of n samples,
// exactly as srcCoord in resize_reference.go.txt:
//
//	s = ((d+0.5)·n)/Size − 0.5, clamped to [0, n−1]
//	i0 = floor(s), i1 = min(i0+1, n−1), f = s − i0
func srcCoord(d, n int) (i0, i1 int, f float64) {
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
	return i0, i1, s - float64(i0)
}

// axisTap returns the tap for destination index d on an axis whose sampled
// square has side n and starts at source index off (negative for padding)
// in a source of length srcLen; scale converts a source index to a byte offset.
func axisTap(d, n, off, srcLen, scale int) tap {
	i0, i1, f := srcCoord(d, n)
	offset := func(i int) int {
		i += off
		if i < 0 || i >= srcLen {
			return -1
		}
		return i * scale
	}
	return tap{o0: offset(i0), o1: offset(i1), w0: 1 - f, w1: f}
}

// sampler resamples one Image to Size×Size. Its x taps are computed once per
// image; y taps are computed per row.
type sampler struct {
	src        Image
	nx, ny     int // sampled region: W×H for Squash, side×side otherwise
	offX, offY int // source index of the sampled region's origin (negative for Pad)
	xs         [Size]tap
}

// init validates src and p and precomputes the x taps.
func (s *sampler) init(src Image, p Policy) error {
	if err := src.validate(); err != nil {
		return err
	}
	s.src = src
	switch p {
	case Squash:
		s.nx, s.ny, s.offX, s.offY = src.W, src.H, 0, 0
	case Crop:
		side := min(src.W, src.H)
		s.nx, s.ny, s.offX, s.offY = side, side, (src.W-side)/2, (src.H-side)/2
	case Pad:
		side := max(src.W, src.H)
		s.nx, s.ny, s.offX, s.offY = side, side, -((side - src.W) / 2), -((side - src.H) / 2)
	default:
		return fmt.Errorf("imageprep: unknown resize policy %v", p)
	}
	for dx := range s.xs {
		s.xs[dx] = axisTap(dx, s.nx, s.offX, src.W, 4)
	}
	return nil
}

// at returns the byte offset of the source pixel at row offset row and
// column offset col, or −1 when either is a padding sample.
func at(row, col int) int {
	if row < 0 || col < 0 {
		return -1
	}
	return row + col
}

// pixelAlpha returns the straight RGBA pixel p composited over black: each
// channel v becomes (v·0x101·a/0xff)>>8, the high byte of
// color.NRGBA{...}.RGBA(). It is kept out of line: opaque pixels, the common
// case, are read inline by row.
//
//go:noinline
func pixelAlpha(p []uint8) [3]float64 {
	a := p[3]
	return [3]float64{float64(premul(p[0], a)), float64(premul(p[1], a)), float64(premul(p[2], a))}
}

// premul composites the straight channel value v with alpha a over black,
// exactly as color.NRGBA{v, ·, ·, a}.RGBA() >> 8.
func premul(v, a uint8) uint8 {
	return uint8((uint32(v) * 0x101 * uint32(a) / 0xff) >> 8)
}

// roundByte returns uint8(clamp(math.Round(v), 0, 255)), the reference's
// rounding: half away from zero, then clamped.
func roundByte(v float64) uint8 {
	v = math.Round(v)
	if v < 0 {
		v = 0
	}
	if v > 255 {
		v = 255
	}
	return uint8(v)
}

// row writes destination row dy as packed RGB into out (len 3·Size).
func (s *sampler) row(dy int, out []uint8) {
	y := axisTap(dy, s.ny, s.offY, s.src.H, 4*s.src.W)
	pix := s.src.Pix
	out = out[:3*Size]
	for dx := range s.xs {
		x := &s.xs[dx]
		// q holds the composited RGB of the taps (x0,y0), (x1,y0), (x0,y1),
		// (x1,y1); a padding tap (offset −1) is black.
		var q [4][3]float64
		for k, i := range [4]int{at(y.o0, x.o0), at(y.o0, x.o1), at(y.o1, x.o0), at(y.o1, x.o1)} {
			if i < 0 {
				continue
			}
			p := pix[i : i+4 : i+4]
			if p[3] == 0xff {
				q[k] = [3]float64{float64(p[0]), float64(p[1]), float64(p[2])}
			} else {
				q[k] = pixelAlpha(p)
			}
		}
		p00, p01, p10, p11 := &q[0], &q[1], &q[2], &q[3]
		o := out[3*dx : 3*dx+3 : 3*dx+3]
		for c := range 3 {
			// The reference blend. The explicit float64 conversions round
			// every product on its own, which forbids fusing into FMA.
			top := float64(p00[c]*x.w0) + float64(p01[c]*x.w1)
			bot := float64(p10[c]*x.w0) + float64(p11[c]*x.w1)
			o[c] = roundByte(float64(top*y.w0) + float64(bot*y.w1))
		}
	}
}

// Resize composites src over black and resamples it to Size×Size packed RGB
// in dst (len 3·Size·Size) by bilinear interpolation, following p. With
// [Squash] the result is bit-identical to ResizeBilinear of
// resize_reference.go.txt. The sampler, for destination pixel (dx, dy) and
// a sampled square of nx×ny source pixels (W×H for Squash, side×side
// otherwise, see [Policy]):
//
//	sx = ((dx+0.5)·nx)/Size − 0.5, clamped to [0, nx−1]; x0 = floor(sx);
//	x1 = min(x0+1, nx−1); fx = sx − x0 (likewise sy, y0, y1, fy with ny)
//	top = p(x0,y0)·(1−fx) + p(x1,y0)·fx
//	bot = p(x0,y1)·(1−fx) + p(x1,y1)·fx
//	out = clamp(round(top·(1−fy) + bot·fy), 0, 255)
//
// in float64, each product rounded on its own, round half away from zero.
// p(x, y) is the composited source pixel at (x, y) of the sampled square,
// i.e. at source (x+originX, y+originY), and black outside the source.
//
// Resize does not allocate.
func Resize(src Image, p Policy, dst []uint8) error {
	if len(dst) != 3*Size*Size {
		return fmt.Errorf("imageprep: Resize: dst has %d bytes, want %d", len(dst), 3*Size*Size)
	}
	var s sampler
	if err := s.init(src, p); err != nil {
		return fmt.Errorf("imageprep: Resize: %w", err)
	}
	for dy := 0; dy < Size; dy++ {
		s.row(dy, dst[3*Size*dy:3*Size*(dy+1)])
	}
	return nil
}

// normalize is the reference normalisation of one byte v of channel c:
// (float32(v)/255 − mean[c]) / std[c], each operation rounded to float32.
func normalize(v uint8, c int) float32 {
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	x := float32(float32(v) / 255)
	return float32(float32(x-mean[c]) / std[c])
}

// normTable returns normalize(v, c) for every channel c and byte v.
func normTable() (t [3][256]float32) {
	for c := range t {
		for v := range t[c] {
			t[c][v] = normalize(uint8(v), c)
		}
	}
	return t
}

// Normalize converts Size×Size packed RGB into the float32 model input in
// NCHW order: dst[c·Size·Size + i] = (float32(rgb[3i+c])/255 − mean[c]) /
// std[c], every operation in float32, with mean = {0.485, 0.456, 0.406} and
// std = {0.229, 0.224, 0.225}. It panics unless len(rgb) = 3·Size·Size and
// len(dst) = 3·Size·Size. Normalize does not allocate.
func Normalize(rgb []uint8, dst []float32) {
	if len(rgb) != 3*Size*Size || len(dst) != 3*Size*Size {
		panic(fmt.Sprintf("imageprep: Normalize: len(rgb) = %d, len(dst) = %d, want %d", len(rgb), len(dst), 3*Size*Size))
	}
	t := normTable()
	normalizeInto(&t, rgb, dst, 0, Size*Size)
}

// normalizeInto normalises the n packed RGB pixels of rgb into dst (NCHW,
// plane stride Size·Size) starting at pixel index first.
func normalizeInto(t *[3][256]float32, rgb []uint8, dst []float32, first, n int) {
	r := dst[first : first+n]
	g := dst[Size*Size+first : Size*Size+first+n]
	b := dst[2*Size*Size+first : 2*Size*Size+first+n]
	rgb = rgb[:3*n]
	for i := range r {
		p := rgb[3*i : 3*i+3 : 3*i+3]
		r[i], g[i], b[i] = t[0][p[0]], t[1][p[1]], t[2][p[2]]
	}
}

// Preprocess is the whole model-input rule: it composites src over black,
// resamples it to Size×Size following p (see [Resize]), and normalises the
// result into dst (len 3·Size·Size, NCHW float32, see [Normalize]). It gives
// exactly the floats Normalize(Resize(src, p)) would, and does not allocate.
func Preprocess(src Image, p Policy, dst []float32) error {
	if len(dst) != 3*Size*Size {
		return fmt.Errorf("imageprep: Preprocess: dst has %d floats, want %d", len(dst), 3*Size*Size)
	}
	var s sampler
	if err := s.init(src, p); err != nil {
		return fmt.Errorf("imageprep: Preprocess: %w", err)
	}
	t := normTable()
	var row [3 * Size]uint8
	for dy := 0; dy < Size; dy++ {
		s.row(dy, row[:])
		normalizeInto(&t, row[:], dst, dy*Size, Size)
	}
	return nil
}

// FlipHorizontal mirrors Size×Size packed RGB left to right in place. It
// panics unless len(rgb) = 3·Size·Size.
func FlipHorizontal(rgb []uint8) {
	if len(rgb) != 3*Size*Size {
		panic(fmt.Sprintf("imageprep: FlipHorizontal: len(rgb) = %d, want %d", len(rgb), 3*Size*Size))
	}
	for y := 0; y < Size; y++ {
		row := rgb[3*Size*y : 3*Size*(y+1)]
		for l, r := 0, 3*(Size-1); l < r; l, r = l+3, r-3 {
			row[l], row[r] = row[r], row[l]
			row[l+1], row[r+1] = row[r+1], row[l+1]
			row[l+2], row[r+2] = row[r+2], row[l+2]
		}
	}
}
