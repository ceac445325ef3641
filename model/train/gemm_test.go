package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestGemmNT(t *testing.T) {
	kernels := []struct {
		name string
		f    gemmFunc
	}{{"blocked", gemmNT}, {"gonum", gemmNTGonum}}
	shapes := []struct{ m, n, k int }{
		{0, 3, 2}, {1, 1, 1}, {3, 5, 7}, {2, 4, 256}, {9, 13, 300}, {33, 70, 513}, {130, 9, 40}, {64, 80, 0},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, kern := range kernels {
		for _, s := range shapes {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%dx%dx%d/w%d", kern.name, s.m, s.n, s.k, workers), func(t *testing.T) {
					lda, ldb, ldc := s.k+1, s.k+2, s.n+3
					a := randSlice(r, max(s.m*lda, 1))
					b := randSlice(r, max(s.n*ldb, 1))
					want := randSlice(r, max(s.m*ldc, 1))
					got := append([]float32(nil), want...)
					gemmNTNaive(0, s.m, s.n, s.k, a, lda, b, ldb, want, ldc)
					kern.f(workers, s.m, s.n, s.k, a, lda, b, ldb, got, ldc)
					for i := 0; i < s.m; i++ {
						for j := 0; j < s.n; j++ {
							w, g := want[i*ldc+j], got[i*ldc+j]
							// float32 sums of k products of N(0,1) values: the
							// rounding error grows like √k·ε·|terms|.
							tol := 1e-5 * float32(math.Sqrt(float64(s.k))+1) * 4
							if d := w - g; d > tol || d < -tol {
								t.Fatalf("C[%d,%d] = %v, want %v", i, j, g, w)
							}
						}
						// Padding beyond n must be untouched.
						for j := s.n; j < ldc && i*ldc+j < len(got); j++ {
							if got[i*ldc+j] != want[i*ldc+j] {
								t.Fatalf("padding C[%d,%d] changed", i, j)
							}
						}
					}
				})
			}
		}
	}
}

func TestGemmNTWorkersBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, n, k := 70, 90, 600
	a, b := randSlice(r, m*k), randSlice(r, n*k)
	ref := make([]float32, m*n)
	gemmNT(1, m, n, k, a, k, b, k, ref, n)
	for _, w := range []int{2, 3, 7} {
		got := make([]float32, m*n)
		gemmNT(w, m, n, k, a, k, b, k, got, n)
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("workers=%d: C[%d] = %v, want bit-identical %v", w, i, got[i], ref[i])
			}
		}
	}
}

func TestTranspose(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rows, cols := 37, 70
	src := randSlice(r, rows*cols)
	dst := make([]float32, cols*rows)
	transpose(rows, cols, src, cols, dst, rows)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if dst[j*rows+i] != src[i*cols+j] {
				t.Fatalf("dst[%d,%d] wrong", j, i)
			}
		}
	}
}

// BenchmarkGemm times the two large products of one training step at batch
// 256: the forward Z1 = X·W1ᵀ (256×1024×1280) and the weight gradient
// dW1 = dZ1ᵀ·X (1024×1280×256).
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	shapes := []struct {
		name    string
		m, n, k int
	}{{"fwd256x1024x1280", 256, 1024, 1280}, {"dW1024x1280x256", 1024, 1280, 256}}
	kernels := []struct {
		name string
		f    gemmFunc
	}{{"blocked", gemmNT}, {"gonum", gemmNTGonum}}
	for _, s := range shapes {
		a, bb, c := randSlice(r, s.m*s.k), randSlice(r, s.n*s.k), make([]float32, s.m*s.n)
		for _, kern := range kernels {
			b.Run(s.name+"/"+kern.name, func(b *testing.B) {
				for b.Loop() {
					kern.f(2, s.m, s.n, s.k, a, s.k, bb, s.k, c, s.n)
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
