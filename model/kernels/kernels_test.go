package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestRoundEven holds the float32 magic-number rounding equal to
// math.RoundToEven on ties, near-ties and the clamp edges.
func TestRoundEven(t *testing.T) {
	vals := []float32{0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 254.5, 255.5, 0.49999997, 1023.5, 1024, 1e6, -1e6, -1023.5}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		vals = append(vals, float32(r.NormFloat64()*300), float32(int(r.IntN(2048))-1024)+0.5)
	}
	for _, v := range vals {
		want := math.RoundToEven(float64(v))
		want = math.Max(-1024, math.Min(1024, want))
		if got := roundEven(v); float64(got) != want {
			t.Fatalf("roundEven(%v) = %d, want %v", v, got, want)
		}
	}
}

func randConv(r *rand.Rand, kind Kind, K, M, stride int) *Conv {
	c := &Conv{Kind: kind, K: K, M: M, Stride: stride, XZP: int32(r.IntN(256)), YZP: int32(r.IntN(256))}
	nw := map[Kind]int{Pointwise: K * M, Depthwise: 9 * M, Full3x3: 9 * K * M}[kind]
	c.W = make([]int8, nw)
	for i := range c.W {
		c.W[i] = int8(r.IntN(256) - 128)
	}
	c.Bias = make([]int32, M)
	c.Mult = make([]float32, M)
	for m := range c.Bias {
		c.Bias[m] = int32(r.IntN(20001) - 10000)
		c.Mult[m] = float32(r.Float64()*0.01 + 1e-5)
	}
	return c
}

// twinCases are the shapes TestConvTwins runs: MobileNetV2's own and odd
// ones, so every remainder path runs (pixels not a multiple of the
// kernels' pixel blocks, channels not a multiple of 8, 16 or 32, odd K,
// stride 2, maps smaller than the kernel).
var twinCases = []struct {
	kind          Kind
	H, W, K, M, s int
}{
	{Pointwise, 7, 7, 1280, 1000, 1},
	{Pointwise, 5, 3, 17, 35, 1},
	{Pointwise, 1, 1, 1280, 1000, 1},
	{Pointwise, 14, 14, 64, 384, 1},
	{Pointwise, 3, 3, 1, 1, 1},
	{Pointwise, 4, 5, 24, 24, 1},
	{Pointwise, 3, 3, 33, 45, 1},
	{Pointwise, 2, 3, 144, 16, 1},
	{Pointwise, 11, 13, 96, 48, 1},
	{Pointwise, 1, 2, 31, 80, 1},
	{Depthwise, 9, 11, 33, 33, 1},
	{Depthwise, 9, 11, 144, 144, 2},
	{Depthwise, 2, 2, 8, 8, 2},
	{Depthwise, 1, 1, 16, 16, 1},
	{Depthwise, 1, 3, 40, 40, 2},
	{Depthwise, 8, 7, 96, 96, 2},
	{Depthwise, 6, 5, 7, 7, 1},
	{Depthwise, 5, 6, 32, 32, 1},
	{Depthwise, 7, 7, 48, 48, 1},
	{Depthwise, 10, 9, 64, 64, 2},
	{Full3x3, 17, 15, 3, 32, 2},
	{Full3x3, 6, 6, 5, 7, 1},
	{Full3x3, 16, 16, 3, 32, 2},
	{Full3x3, 3, 2, 3, 32, 1},
	{Full3x3, 5, 4, 22, 9, 1},
	{Full3x3, 4, 4, 1, 17, 2},
}

// TestConvTwins holds Conv.Run (this build's optimised kernels) equal to
// RunRef on random weights and activations.
func TestConvTwins(t *testing.T) {
	t.Logf("kernels: %s", SIMD())
	checkTwins(t)
}

func checkTwins(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s Scratch
	for _, tc := range twinCases {
		t.Run(fmt.Sprintf("%v_%dx%dx%d_to_%d_s%d", tc.kind, tc.H, tc.W, tc.K, tc.M, tc.s), func(t *testing.T) {
			c := randConv(r, tc.kind, tc.K, tc.M, tc.s)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			c.Prepare()
			src := make([]uint8, tc.H*tc.W*tc.K)
			for i := range src {
				src[i] = uint8(r.IntN(256))
			}
			oh, ow := c.OutSize(tc.H, tc.W)
			want := make([]uint8, oh*ow*tc.M)
			got := make([]uint8, len(want)+64)
			for i := range got {
				got[i] = 0xA5 // canary: the kernel must not write past dst
			}
			c.RunRef(want, src, tc.H, tc.W)
			c.Run(got[:len(want)], src, tc.H, tc.W, &s)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("value %d (pixel %d, channel %d): optimised %d, reference %d", i, i/tc.M, i%tc.M, got[i], want[i])
				}
			}
			for i := len(want); i < len(got); i++ {
				if got[i] != 0xA5 {
					t.Fatalf("wrote past dst at %d", i-len(want))
				}
			}
		})
	}
}

// TestConvTwinsExtreme repeats a few twin cases with multipliers and
// biases far outside MobileNetV2's, so that requantized values reach
// ±2²⁴ and beyond, where vector kernels must still saturate like
// Requantize.
func TestConvTwinsExtreme(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var s Scratch
	for _, tc := range []struct {
		kind          Kind
		H, W, K, M, s int
	}{
		{Pointwise, 5, 5, 64, 48, 1},
		{Depthwise, 6, 6, 32, 32, 1},
		{Full3x3, 8, 8, 3, 32, 2},
	} {
		c := randConv(r, tc.kind, tc.K, tc.M, tc.s)
		for m := range c.Mult {
			c.Mult[m] = []float32{1e-9, 0.5, 3, 700, 1e5, 3e9}[m%6]
			c.Bias[m] = []int32{0, 1 << 30, -1 << 30, 12345, -7}[m%5]
		}
		c.Prepare()
		src := make([]uint8, tc.H*tc.W*tc.K)
		for i := range src {
			src[i] = uint8(r.IntN(256))
		}
		oh, ow := c.OutSize(tc.H, tc.W)
		want, got := make([]uint8, oh*ow*tc.M), make([]uint8, oh*ow*tc.M)
		c.RunRef(want, src, tc.H, tc.W)
		c.Run(got, src, tc.H, tc.W, &s)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: value %d (channel %d): optimised %d, reference %d", tc.kind, i, i%tc.M, got[i], want[i])
			}
		}
	}
}

// TestEltwiseTwins holds Add and Quantize equal to AddRef and QuantizeRef
// on random data, lengths not a multiple of the vector width, and
// parameters that include the network's own.
func TestEltwiseTwins(t *testing.T) { checkEltwise(t) }

func checkEltwise(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 15, 16, 17, 100, 56 * 56 * 24} {
		a, b := make([]uint8, n), make([]uint8, n)
		for i := range a {
			a[i], b[i] = uint8(r.IntN(256)), uint8(r.IntN(256))
		}
		for trial := 0; trial < 20; trial++ {
			p := NewAddParams(float32(r.Float64()*0.1+1e-3), int32(r.IntN(256)),
				float32(r.Float64()*0.1+1e-3), int32(r.IntN(256)),
				float32(r.Float64()*0.1+1e-3), int32(r.IntN(256)))
			if trial == 0 {
				p = NewAddParams(0.03, 120, 0.05, 130, 0.06, 125)
			}
			want, got := make([]uint8, n), make([]uint8, n)
			AddRef(want, a, b, p)
			Add(got, a, b, p)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("Add n=%d %+v: value %d (a %d, b %d): %d, reference %d", n, p, i, a[i], b[i], got[i], want[i])
				}
			}
		}
	}
	for _, sz := range [][3]int{{3, 224, 224}, {3, 5, 7}, {1, 1, 17}, {2, 4, 4}} {
		C, H, W := sz[0], sz[1], sz[2]
		src := make([]float32, C*H*W)
		for i := range src {
			switch i % 4 {
			case 0: // exact ties after division by the scale below
				src[i] = (float32(r.IntN(600)-300) + 0.5) * 0.018658448
			default:
				src[i] = float32(r.NormFloat64() * 3)
			}
		}
		for _, zp := range []int32{0, 114, 255} {
			want, got := make([]uint8, len(src)), make([]uint8, len(src))
			QuantizeRef(want, src, C, H, W, 0.018658448, zp)
			Quantize(got, src, C, H, W, 0.018658448, zp)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("Quantize %v zp %d: value %d: %d, reference %d", sz, zp, i, got[i], want[i])
				}
			}
		}
	}
}
