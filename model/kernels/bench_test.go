package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// benchShapes are representative MobileNetV2 layers at 224×224 input (the
// stem, the first, a middle and the last block of each resolution), so the
// per-kernel numbers add up to a stage breakdown of the network.
var benchShapes = []struct {
	kind          Kind
	H, W, K, M, s int
}{
	{Full3x3, 224, 224, 3, 32, 2}, // the stem
	{Depthwise, 112, 112, 32, 32, 1},
	{Depthwise, 112, 112, 96, 96, 2},
	{Depthwise, 56, 56, 144, 144, 1},
	{Depthwise, 28, 28, 192, 192, 1},
	{Depthwise, 14, 14, 576, 576, 1},
	{Depthwise, 7, 7, 960, 960, 1},
	{Pointwise, 112, 112, 32, 16, 1},
	{Pointwise, 112, 112, 16, 96, 1},
	{Pointwise, 56, 56, 24, 144, 1},
	{Pointwise, 56, 56, 144, 24, 1},
	{Pointwise, 28, 28, 32, 192, 1},
	{Pointwise, 14, 14, 64, 384, 1},
	{Pointwise, 14, 14, 576, 96, 1},
	{Pointwise, 7, 7, 160, 960, 1},
	{Pointwise, 7, 7, 320, 1280, 1},
	{Pointwise, 1, 1, 1280, 1000, 1}, // the classifier (QLinearMatMul)
}

// BenchmarkConv times this build's optimised kernel (Run) and the plain-Go
// reference (RunRef) on each shape; the MAC/ns metric is multiply-adds per
// nanosecond (GMAC/s).
func BenchmarkConv(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, sh := range benchShapes {
		c := randConv(r, sh.kind, sh.K, sh.M, sh.s)
		c.Prepare()
		src := make([]uint8, sh.H*sh.W*sh.K)
		for i := range src {
			src[i] = uint8(r.IntN(256))
		}
		oh, ow := c.OutSize(sh.H, sh.W)
		dst := make([]uint8, oh*ow*sh.M)
		macs := float64(oh * ow * sh.M)
		switch sh.kind {
		case Pointwise:
			macs *= float64(sh.K)
		case Depthwise:
			macs *= 9
		case Full3x3:
			macs *= float64(9 * sh.K)
		}
		name := fmt.Sprintf("%v/%dx%dx%d_to_%d_s%d", sh.kind, sh.H, sh.W, sh.K, sh.M, sh.s)
		for _, impl := range []string{"fast", "ref"} {
			b.Run(name+"/"+impl, func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var s Scratch
				c.Run(dst, src, sh.H, sh.W, &s) // grow the scratch buffers
				b.ReportAllocs()
				cpu0 := threadCPU()
				for b.Loop() {
					if impl == "fast" {
						c.Run(dst, src, sh.H, sh.W, &s)
					} else {
						c.RunRef(dst, src, sh.H, sh.W)
					}
				}
				reportCPU(b, cpu0)
				b.ReportMetric(macs*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "MAC/ns")
			})
		}
	}
}

// reportCPU adds the thread CPU time per op since cpu0 ("cpu-ns/op"),
// where the platform has it: on the shared benchmark machine it varies
// much less than ns/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu0 == 0 {
		return
	}
	b.ReportMetric(float64((threadCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkAdd times QLinearAdd on the largest residual (56×56×24) and
// BenchmarkQuantize the input QuantizeLinear (3×224×224).
func BenchmarkAdd(b *testing.B) {
	n := 56 * 56 * 24
	a, c, dst := make([]uint8, n), make([]uint8, n), make([]uint8, n)
	for i := range a {
		a[i], c[i] = uint8(i*7), uint8(i*13)
	}
	p := NewAddParams(0.03, 120, 0.05, 130, 0.06, 125)
	for _, impl := range []string{"fast", "ref"} {
		b.Run(impl, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPU()
			defer reportCPU(b, cpu0)
			for b.Loop() {
				if impl == "fast" {
					Add(dst, a, c, p)
				} else {
					AddRef(dst, a, c, p)
				}
			}
		})
	}
}

func BenchmarkQuantize(b *testing.B) {
	const C, H, W = 3, 224, 224
	src := make([]float32, C*H*W)
	for i := range src {
		src[i] = float32(i%451)/225 - 1
	}
	dst := make([]uint8, len(src))
	for _, impl := range []string{"fast", "ref"} {
		b.Run(impl, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPU()
			defer reportCPU(b, cpu0)
			for b.Loop() {
				if impl == "fast" {
					Quantize(dst, src, C, H, W, 0.018658448, 114)
				} else {
					QuantizeRef(dst, src, C, H, W, 0.018658448, 114)
				}
			}
		})
	}
}
