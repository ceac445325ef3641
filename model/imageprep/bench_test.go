package imageprep

import (
	"bytes"
	"testing"
)

// posterJPEG is the 182×268 golden poster 14 (shared/data/posters/images).
const posterJPEG = "data/posters/images/14.jpg"

func BenchmarkPreprocess(b *testing.B) {
	im, _, err := Decode(bytes.NewReader(readShared(b, posterJPEG)), DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	if im.W != 182 || im.H != 268 {
		b.Fatalf("poster is %d×%d, want 182×268", im.W, im.H)
	}
	dst := make([]float32, 3*Size*Size)
	for _, p := range []Policy{Squash, Crop, Pad} {
		b.Run(p.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Preprocess(im, p, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeJPEG(b *testing.B) {
	data := readShared(b, posterJPEG)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(bytes.NewReader(data), DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
