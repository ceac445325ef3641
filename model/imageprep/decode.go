package imageprep

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/webp"
)

// Errors wrapped by the errors of [Decode]; test with errors.Is.
var (
	// ErrTooLarge means the input is over Limits.MaxBytes or its
	// dimensions are over Limits.MaxPixels.
	ErrTooLarge = errors.New("imageprep: image too large")
	// ErrUnsupportedFormat means the input is not a JPEG, PNG, GIF or
	// WebP image, or uses a feature of one that its decoder lacks.
	ErrUnsupportedFormat = errors.New("imageprep: unsupported image format")
	// ErrCorrupt means the input looks like a supported format but is
	// empty, truncated, corrupt or has zero width or height.
	ErrCorrupt = errors.New("imageprep: corrupt or truncated image")
)

// Limits bounds the resources [Decode] may spend on one untrusted input. A
// zero or negative field means the value of [DefaultLimits].
type Limits struct {
	MaxBytes  int64 // largest accepted input, in bytes
	MaxPixels int64 // largest accepted width × height, checked before decoding pixels
}

// DefaultLimits returns MaxBytes = 50 MiB and MaxPixels = 50,000,000.
//
// Posters are well under 1 Mpixel and 1 MiB; the limits are set to pass any
// honest photo (a 48 Mpixel phone camera JPEG is 10–25 MiB) while bounding
// memory: decoding a 50 Mpixel image holds at most about 8 bytes per pixel in
// the decoder's image (16-bit RGBA PNG) plus 4 in the [Image], about 600 MB
// at worst, and a 50 MiB read. A decompression bomb (a tiny PNG that claims
// 30000×30000) is refused from its header, before any pixel is allocated.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 50 << 20, MaxPixels: 50_000_000}
}

// withDefaults fills the zero or negative fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	return l
}

// codec is one supported format: its name as returned by Decode (the name
// image.RegisterFormat uses), its display name, and its decoder.
type codec struct {
	name, display string
	decodeConfig  func(io.Reader) (image.Config, error)
	decode        func(io.Reader) (image.Image, error)
}

// sniff returns the codec whose magic number data starts with, or nil.
func sniff(data []byte) *codec {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return &codec{"jpeg", "JPEG", jpeg.DecodeConfig, jpeg.Decode}
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return &codec{"png", "PNG", png.DecodeConfig, png.Decode}
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return &codec{"gif", "GIF", gif.DecodeConfig, gif.Decode}
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return &codec{"webp", "WebP", webp.DecodeConfig, webp.Decode}
	}
	return nil
}

// Decode reads one image from r and returns it as straight RGBA, with the
// name of its format ("jpeg", "png", "gif" or "webp"; "" when unknown).
//
// Decode reads at most lim.MaxBytes+1 bytes, identifies the format from its
// magic number, reads the header and refuses an image over lim.MaxPixels, and
// only then decodes the pixels. A JPEG is turned upright according to its
// EXIF orientation (a malformed EXIF block is ignored); a GIF yields its
// first frame, drawn at its position on a transparent canvas the size of the
// GIF's logical screen. Pixel values are described in the package
// documentation.
//
// Errors wrap [ErrTooLarge], [ErrUnsupportedFormat] or [ErrCorrupt] (and the
// decoder's own error), except for a read error from r, which is wrapped
// alone. Decode does not panic on any input.
func Decode(r io.Reader, lim Limits) (Image, string, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, min(lim.MaxBytes, math.MaxInt64-1)+1))
	if err != nil {
		return Image{}, "", fmt.Errorf("imageprep: reading input: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return Image{}, "", fmt.Errorf("%w: input is over the %s limit", ErrTooLarge, formatBytes(lim.MaxBytes))
	}
	if len(data) == 0 {
		return Image{}, "", fmt.Errorf("%w: empty input (0 bytes)", ErrCorrupt)
	}
	c := sniff(data)
	if c == nil {
		msg := "not a JPEG, PNG, GIF or WebP image"
		if kind := describe(data); kind != "" {
			msg += " (looks like " + kind + ")"
		}
		return Image{}, "", fmt.Errorf("%w: %s", ErrUnsupportedFormat, msg)
	}
	im, err := c.decodeBytes(data, lim)
	if err != nil {
		return Image{}, c.name, err
	}
	return im, c.name, nil
}

// decodeBytes decodes data, known to start with c's magic number, within lim.
func (c *codec) decodeBytes(data []byte, lim Limits) (im Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			im, err = Image{}, fmt.Errorf("%w: %s decoder panicked: %v", ErrCorrupt, c.display, p)
		}
	}()
	cfg, err := c.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, c.wrap("reading "+c.display+" header", err)
	}
	if err := c.checkSize(cfg.Width, cfg.Height, lim); err != nil {
		return Image{}, err
	}
	m, err := c.decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, c.wrap("decoding "+c.display, err)
	}
	b := m.Bounds()
	if c.name == "gif" {
		b = image.Rect(0, 0, cfg.Width, cfg.Height)
	}
	if err := c.checkSize(b.Dx(), b.Dy(), lim); err != nil {
		return Image{}, err
	}
	if c.name == "gif" {
		return onCanvas(fromImage(m), m.Bounds(), cfg.Width, cfg.Height), nil
	}
	im = fromImage(m)
	if c.name == "jpeg" {
		im = orient(im, jpegOrientation(data))
	}
	return im, nil
}

// wrap wraps a decoder error from stage: unsupported features wrap
// ErrUnsupportedFormat, anything else ErrCorrupt.
func (c *codec) wrap(stage string, err error) error {
	kind := ErrCorrupt
	var (
		jpegUnsupported jpeg.UnsupportedError
		pngUnsupported  png.UnsupportedError
	)
	if errors.As(err, &jpegUnsupported) || errors.As(err, &pngUnsupported) {
		kind = ErrUnsupportedFormat
	}
	return fmt.Errorf("%w: %s: %w", kind, stage, err)
}

// checkSize refuses an empty image or one over lim.MaxPixels.
func (c *codec) checkSize(w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: %s image is %d×%d, it has no pixels", ErrCorrupt, c.display, w, h)
	}
	if n := int64(w) * int64(h); n > lim.MaxPixels || int64(w) > lim.MaxPixels || int64(h) > lim.MaxPixels {
		return fmt.Errorf("%w: %s image is %d×%d = %s Mpixel, over the %s Mpixel limit",
			ErrTooLarge, c.display, w, h, mpixel(int64(w)*int64(h)), mpixel(lim.MaxPixels))
	}
	return nil
}

// onCanvas returns frame, whose bounds are r, drawn on a transparent w×h
// canvas. r lies within the canvas (image/gif checks this).
func onCanvas(frame Image, r image.Rectangle, w, h int) Image {
	if r == image.Rect(0, 0, w, h) {
		return frame
	}
	out := Image{W: w, H: h, Pix: make([]uint8, 4*w*h)}
	r = r.Intersect(image.Rect(0, 0, w, h))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(out.Pix[4*(y*w+r.Min.X):4*(y*w+r.Max.X)], frame.Pix[4*frame.W*(y-r.Min.Y):])
	}
	return out
}

// mpixel formats n pixels in megapixels, exactly ("900", "52.5").
func mpixel(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64)
}

// formatBytes formats n bytes as MiB when exact, in bytes otherwise.
func formatBytes(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + "-byte"
}

// describe guesses what an unsupported input is, for error messages, or
// returns "".
func describe(data []byte) string {
	head := data[:min(len(data), 1024)]
	lower := strings.ToLower(strings.TrimLeft(string(head), "\ufeff \t\r\n"))
	switch {
	case strings.HasPrefix(lower, "%pdf-"):
		return "PDF"
	case strings.Contains(lower, "<svg"):
		return "SVG"
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"):
		return "HTML"
	case strings.HasPrefix(lower, "<?xml"):
		return "XML"
	case bytes.HasPrefix(head, []byte("BM")):
		return "BMP"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "TIFF"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch string(head[8:12]) {
		case "avif", "avis":
			return "AVIF"
		case "heic", "heix", "mif1", "msf1":
			return "HEIF"
		}
		return "an MP4/ISO media file"
	case isText(head):
		return "text"
	}
	return ""
}

// isText reports whether b looks like text: valid UTF-8 (allowing a rune cut
// at the end) with no control characters other than tab, CR, LF and FF.
func isText(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return false
		}
		b = b[n:]
	}
	return true
}
