package imageprep

import (
	"testing"
)

// FuzzPreprocess runs the one preprocessing function on arbitrary image
// sizes and pixel bytes, as the browser worker receives them: it returns
// an error for impossible geometry, and otherwise fills a finite,
// in-range model input, never panicking.
func FuzzPreprocess(f *testing.F) {
	f.Add(uint16(1), uint16(1), uint8(0), []byte{1, 2, 3, 4})
	f.Add(uint16(10000), uint16(10), uint8(1), []byte{255})
	f.Add(uint16(3), uint16(500), uint8(2), []byte{0, 0, 0, 0, 9})
	f.Add(uint16(0), uint16(7), uint8(0), []byte{})
	dst := make([]float32, 3*Size*Size)
	f.Fuzz(func(t *testing.T, w, h uint16, pol uint8, pix []byte) {
		if int(w)*int(h) > 4<<20 {
			return // keep each run small; large sizes take the same code path
		}
		img := Image{W: int(w), H: int(h), Pix: make([]byte, int(w)*int(h)*4)}
		for i := range img.Pix {
			if len(pix) > 0 {
				img.Pix[i] = pix[i%len(pix)]
			}
		}
		if pol%4 == 3 {
			img.Pix = pix // a buffer of the wrong length must be an error
		}
		if err := Preprocess(img, Policy(pol%3), dst); err != nil {
			return
		}
		// (0/255−0.485)/0.229 ≈ −2.12 and (1−0.406)/0.225 ≈ 2.64 bound the input.
		for i, v := range dst {
			if !(v >= -2.2 && v <= 2.7) {
				t.Fatalf("input[%d] = %v", i, v)
			}
		}
	})
}
