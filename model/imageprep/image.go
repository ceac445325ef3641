package imageprep

import (
	"errors"
	"fmt"
	"math"
)

// Size is the side, in pixels, of the square model input.
const Size = 224

// Version is the version of the preprocessing rule. Bump it whenever the
// output bytes of [Resize], [Normalize] or [Preprocess] change for some input,
// or when [Decode] starts producing different pixels: it is part of the
// feature-cache key, so a bump invalidates cached features.
const Version = 1

// Image is a decoded image: W×H pixels of straight (non-premultiplied) RGBA,
// 4 bytes per pixel (R, G, B, A), row-major with stride 4·W and the origin at
// the top-left. It is what [Decode] returns and what a browser canvas's
// getImageData yields. [Resize] and [Preprocess] require W > 0, H > 0 and
// len(Pix) = 4·W·H.
type Image struct {
	W, H int
	Pix  []uint8
}

// errInvalidImage is wrapped by the errors of [Image.validate].
var errInvalidImage = errors.New("imageprep: invalid image")

// validate reports whether im is a well-formed, non-empty Image.
func (im Image) validate() error {
	if im.W <= 0 || im.H <= 0 {
		return fmt.Errorf("%w: size %d×%d is empty", errInvalidImage, im.W, im.H)
	}
	if im.W > math.MaxInt/4/im.H {
		return fmt.Errorf("%w: size %d×%d overflows", errInvalidImage, im.W, im.H)
	}
	if want := 4 * im.W * im.H; len(im.Pix) != want {
		return fmt.Errorf("%w: %d×%d RGBA needs %d bytes, Pix has %d", errInvalidImage, im.W, im.H, want, len(im.Pix))
	}
	return nil
}
