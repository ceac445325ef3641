//go:build goexperiment.simd && amd64

package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"unsafe"
)

// TestConvTwinsNoVNNI runs the twin tests with VNNI switched off, so the
// AVX-512 VPMADDWD pointwise GEMM stays tested on VNNI CPUs.
func TestConvTwinsNoVNNI(t *testing.T) {
	if !haveAVX512 {
		t.Skip("CPU lacks AVX-512")
	}
	defer func(v bool) { haveVNNI = v }(haveVNNI)
	haveVNNI = false
	t.Run("twins", checkTwins)
	t.Run("extreme", TestConvTwinsExtreme)
}

// TestVNNIArgsLayout holds vnniArgs' field offsets equal to the VA_*
// #defines of pointwise_vnni_amd64.s.
func TestVNNIArgsLayout(t *testing.T) {
	var a vnniArgs
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"dst", unsafe.Offsetof(a.dst), 0},
		{"src", unsafe.Offsetof(a.src), 8},
		{"w", unsafe.Offsetof(a.w), 16},
		{"bias", unsafe.Offsetof(a.bias), 24},
		{"mult", unsafe.Offsetof(a.mult), 32},
		{"dstStride", unsafe.Offsetof(a.dstStride), 40},
		{"srcStride", unsafe.Offsetof(a.srcStride), 48},
		{"k4", unsafe.Offsetof(a.k4), 56},
		{"tiles", unsafe.Offsetof(a.tiles), 64},
		{"hi", unsafe.Offsetof(a.hi), 72},
		{"zp", unsafe.Offsetof(a.zp), 76},
		{"mask", unsafe.Offsetof(a.mask), 80},
	} {
		if f.got != f.want {
			t.Errorf("vnniArgs.%s at offset %d, the assembly reads %d", f.name, f.got, f.want)
		}
	}
}

// TestVNNIShapes holds the VNNI GEMM equal to PointwiseRef on every
// register block and its edges: pixel counts around each kernel's pixel
// block, channel counts that leave 1..16 channels in the last vector and
// 1..4 vectors in a block, and K not a multiple of 4 (the padded copy) or
// of 8 (the odd quad after the unrolled loop).
func TestVNNIShapes(t *testing.T) {
	if !haveVNNI {
		t.Skip("CPU lacks AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(13, 14))
	var s Scratch
	for _, K := range []int{1, 3, 4, 8, 12, 17, 64, 160} {
		for _, M := range []int{1, 7, 16, 17, 31, 32, 47, 48, 63, 64, 65, 96, 144, 160, 200, 1000} {
			for _, P := range []int{1, 2, 5, 6, 7, 8, 9, 12, 13, 24, 25, 49} {
				c := randConv(r, Pointwise, K, M, 1)
				c.Prepare()
				if c.packed.vw == nil {
					t.Fatal("Prepare did not pack for VNNI")
				}
				src := make([]uint8, P*K)
				for i := range src {
					src[i] = uint8(r.IntN(256))
				}
				want := make([]uint8, P*M)
				got := make([]uint8, P*M+64)
				for i := range got {
					got[i] = 0xA5
				}
				PointwiseRef(want, src, P, c)
				c.Run(got[:P*M], src, P, 1, &s)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("P=%d K=%d M=%d: value %d (pixel %d, channel %d): VNNI %d, reference %d",
							P, K, M, i, i/M, i%M, got[i], want[i])
					}
				}
				for i := P * M; i < len(got); i++ {
					if got[i] != 0xA5 {
						t.Fatalf("P=%d K=%d M=%d: wrote past dst at %d", P, K, M, i-P*M)
					}
				}
			}
		}
	}
}

// TestStemVNNI holds the VNNI stem equal to Full3x3Ref on the network's
// own shape (whose last interior segment loads a partial vector) and odd
// ones: stride 1 and 2, maps smaller than the kernel, K ≠ 3.
func TestStemVNNI(t *testing.T) {
	if !haveVNNI {
		t.Skip("CPU lacks AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(17, 18))
	var s Scratch
	for _, tc := range [][4]int{{224, 224, 3, 2}, {7, 9, 3, 1}, {2, 1, 3, 2}, {6, 5, 4, 1}, {5, 5, 21, 2}, {3, 4, 1, 1}} {
		H, W, K, st := tc[0], tc[1], tc[2], tc[3]
		for _, M := range []int{32, 9, 80} {
			c := randConv(r, Full3x3, K, M, st)
			c.Prepare()
			if c.packed.vw == nil {
				t.Fatal("Prepare did not pack the stem for VNNI")
			}
			src := make([]uint8, H*W*K)
			for i := range src {
				src[i] = uint8(r.IntN(256))
			}
			oh, ow := c.OutSize(H, W)
			want, got := make([]uint8, oh*ow*M), make([]uint8, oh*ow*M)
			c.RunRef(want, src, H, W)
			c.Run(got, src, H, W, &s)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%dx%dx%d s%d to %d: value %d (pixel %d, channel %d): VNNI %d, reference %d",
						H, W, K, st, M, i, i/M, i%M, got[i], want[i])
				}
			}
		}
	}
}

// TestRequantVNNI holds the assembly's requantization equal to Requantize
// on exact ties, values around the clamp bounds and far outside them:
// with all weights 0 the accumulator is the bias, so a 1×1 convolution
// requantizes the bias values one channel each.
func TestRequantVNNI(t *testing.T) {
	if !haveVNNI {
		t.Skip("CPU lacks AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(15, 16))
	type in struct {
		acc  int32
		mult float32
	}
	var ins []in
	for acc := int32(-1200); acc <= 1200; acc++ {
		ins = append(ins, in{acc, 0.5}, in{acc, 0.25}, in{acc, 1})
	}
	for i := 0; i < 20000; i++ {
		ins = append(ins, in{int32(r.IntN(1<<22) - 1<<21), float32(r.Float64() * 0.01)})
		ins = append(ins, in{int32(r.Uint32()), float32(r.Float64())})
		ins = append(ins, in{int32(r.Uint32()), float32(r.Float64() * 1e4)})
	}
	ins = append(ins, in{-1 << 31, 1}, in{1<<31 - 1, 1}, in{-1 << 31, 3e9}, in{1<<31 - 1, 3e9})
	var s Scratch
	for _, zp := range []int32{0, 1, 114, 128, 254, 255} {
		const M = 1000
		for i := 0; i < len(ins); i += M {
			n := min(M, len(ins)-i)
			c := &Conv{Kind: Pointwise, K: 4, M: n, W: make([]int8, 4*n),
				Bias: make([]int32, n), Mult: make([]float32, n), XZP: 77, YZP: zp}
			for j := range n {
				c.Bias[j], c.Mult[j] = ins[i+j].acc, ins[i+j].mult
			}
			c.Prepare()
			got := make([]uint8, n)
			c.Run(got, []uint8{1, 2, 3, 4}, 1, 1, &s)
			for j := range n {
				if want := Requantize(c.Bias[j], c.Mult[j], zp); got[j] != want {
					t.Fatalf("requant(%d·%v, zp %d) = %d, want %d", c.Bias[j], c.Mult[j], zp, got[j], want)
				}
			}
		}
	}
}

// BenchmarkPointwiseGEMM times the VNNI and the VPMADDWD (AVX-512) GEMMs
// side by side on BenchmarkConv's pointwise shapes.
func BenchmarkPointwiseGEMM(b *testing.B) {
	if !haveVNNI {
		b.Skip("CPU lacks AVX-512 VNNI")
	}
	defer func(v bool) { haveVNNI = v }(haveVNNI)
	r := rand.New(rand.NewPCG(5, 6))
	for _, sh := range benchShapes {
		if sh.kind != Pointwise {
			continue
		}
		c := randConv(r, Pointwise, sh.K, sh.M, 1)
		src := make([]uint8, sh.H*sh.W*sh.K)
		for i := range src {
			src[i] = uint8(r.IntN(256))
		}
		dst := make([]uint8, sh.H*sh.W*sh.M)
		macs := float64(sh.H * sh.W * sh.M * sh.K)
		for _, impl := range []string{"vnni", "vpmaddwd"} {
			haveVNNI = impl == "vnni"
			c.Prepare()
			b.Run(fmt.Sprintf("%dx%dx%d_to_%d/%s", sh.H, sh.W, sh.K, sh.M, impl), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var s Scratch
				c.Run(dst, src, sh.H, sh.W, &s)
				cpu0 := threadCPU()
				for b.Loop() {
					c.Run(dst, src, sh.H, sh.W, &s)
				}
				reportCPU(b, cpu0)
				b.ReportMetric(macs*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "MAC/ns")
			})
		}
		haveVNNI = true
	}
}
