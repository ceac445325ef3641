package train

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// All matrices in this file are row-major float32 slices with an explicit
// leading dimension (row stride). Every product the trainer needs is written
// in one form, "NT":
//
//	C[i*ldc+j] = Σ_p A[i*lda+p] · B[j*ldb+p]    i < m, j < n, p < k
//
// that is C (m×n) = A (m×k) · Bᵀ where B is n×k. The other forms
// (Aᵀ·B, A·B) are reduced to NT by the caller with an explicit transpose,
// which costs O(mk) or O(nk) against the O(mnk) product.
//
// Determinism: each element of C is computed by exactly one goroutine with a
// summation order that depends only on k (and the fixed block size kc), never
// on the number of workers or on scheduling. So the result is bit-identical
// for any Workers value.

// gemmFunc is the signature shared by the kernels: C = A·Bᵀ (C overwritten).
type gemmFunc func(workers, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)

// gemmNTNaive is the reference loop; the tests hold the other kernels to it.
func gemmNTNaive(_, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*lda+p] * b[j*ldb+p]
			}
			c[i*ldc+j] = s
		}
	}
}

// kc is the depth of one k-block of the blocked kernel: a 2×kc panel of A
// (2 KiB) stays in L1 while it meets an nc×kc block of B (64 KiB, in L2).
const (
	kc = 256
	nc = 64
)

// gemmNT is the blocked, register-tiled twin of gemmNTNaive. It is faster
// because the 2×4 micro-kernel keeps 8 partial sums in registers and reuses
// each loaded element of A four times and each element of B twice (6 loads per
// 8 multiply-adds instead of 2 per 1), and because k-blocking keeps the
// operands in cache. Work is split over workers by contiguous ranges of rows
// of C (or of columns when C has fewer rows than columns), so each element is
// owned by one goroutine.
func gemmNT(workers, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkNT(m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	for i := 0; i < m; i++ {
		clear(c[i*ldc : i*ldc+n])
	}
	if k == 0 {
		return
	}
	// Split the longer side of C into per-worker ranges, rounded to the tile.
	splitRows := m >= n
	long := n
	if splitRows {
		long = m
	}
	w := max(1, min(workers, long/8))
	if w == 1 || int64(m)*int64(n)*int64(k) < 1<<18 {
		gemmNTBlock(0, m, 0, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		lo := (long * t / w) &^ 3
		hi := (long * (t + 1) / w) &^ 3
		if t == w-1 {
			hi = long
		}
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if splitRows {
				gemmNTBlock(lo, hi, 0, n, k, a, lda, b, ldb, c, ldc)
			} else {
				gemmNTBlock(0, m, lo, hi, k, a, lda, b, ldb, c, ldc)
			}
		}()
	}
	wg.Wait()
}

// gemmNTBlock accumulates C[i0:i1, j0:j1] += A[i0:i1,:]·B[j0:j1,:]ᵀ.
func gemmNTBlock(i0, i1, j0, j1, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	for p0 := 0; p0 < k; p0 += kc {
		p1 := min(p0+kc, k)
		for jb := j0; jb < j1; jb += nc {
			je := min(jb+nc, j1)
			i := i0
			for ; i+2 <= i1; i += 2 {
				a0 := a[i*lda+p0 : i*lda+p1]
				a1 := a[(i+1)*lda+p0 : (i+1)*lda+p1]
				c0 := c[i*ldc : i*ldc+j1]
				c1 := c[(i+1)*ldc : (i+1)*ldc+j1]
				j := jb
				for ; j+4 <= je; j += 4 {
					b0 := b[j*ldb+p0 : j*ldb+p1]
					b1 := b[(j+1)*ldb+p0 : (j+1)*ldb+p1]
					b2 := b[(j+2)*ldb+p0 : (j+2)*ldb+p1]
					b3 := b[(j+3)*ldb+p0 : (j+3)*ldb+p1]
					s00, s01, s02, s03, s10, s11, s12, s13 := kernel2x4(a0, a1, b0, b1, b2, b3)
					c0[j] += s00
					c0[j+1] += s01
					c0[j+2] += s02
					c0[j+3] += s03
					c1[j] += s10
					c1[j+1] += s11
					c1[j+2] += s12
					c1[j+3] += s13
				}
				for ; j < je; j++ {
					bj := b[j*ldb+p0 : j*ldb+p1]
					c0[j] += dot(a0, bj)
					c1[j] += dot(a1, bj)
				}
			}
			for ; i < i1; i++ {
				ai := a[i*lda+p0 : i*lda+p1]
				ci := c[i*ldc : i*ldc+j1]
				for j := jb; j < je; j++ {
					ci[j] += dot(ai, b[j*ldb+p0:j*ldb+p1])
				}
			}
		}
	}
}

// kernel2x4 returns the 2×4 dot products of a0,a1 with b0..b3 (all the same
// length). The explicit reslicing lets the compiler drop bounds checks.
func kernel2x4(a0, a1, b0, b1, b2, b3 []float32) (s00, s01, s02, s03, s10, s11, s12, s13 float32) {
	n := len(a0)
	a1 = a1[:n]
	b0 = b0[:n]
	b1 = b1[:n]
	b2 = b2[:n]
	b3 = b3[:n]
	for p := 0; p < n; p++ {
		x0, x1 := a0[p], a1[p]
		y := b0[p]
		s00 += x0 * y
		s10 += x1 * y
		y = b1[p]
		s01 += x0 * y
		s11 += x1 * y
		y = b2[p]
		s02 += x0 * y
		s12 += x1 * y
		y = b3[p]
		s03 += x0 * y
		s13 += x1 * y
	}
	return
}

// dot is Σ x[p]·y[p] over len(x) (y at least as long).
func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for p, v := range x {
		s += v * y[p]
	}
	return s
}

// gemmNTGonum computes the same product with gonum's blas32 Sgemm
// (NoTrans, Trans). Gonum parallelises internally over GOMAXPROCS goroutines
// with a fixed 64×64 block partition, each block summed over k in order, so
// it is deterministic too; workers is ignored.
func gemmNTGonum(_, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkNT(m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	gonum.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, max(lda, 1), b, max(ldb, 1), 0, c, ldc)
}

func checkNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 || lda < k || ldb < k || ldc < n {
		panic("train: bad gemm dimensions")
	}
	if m > 0 && n > 0 && (len(a) < (m-1)*lda+k || len(b) < (n-1)*ldb+k || len(c) < (m-1)*ldc+n) {
		panic("train: gemm operand too short")
	}
}

// transpose writes the c×r transpose of the r×c matrix src (stride lds) into
// dst (stride ldd).
func transpose(r, c int, src []float32, lds int, dst []float32, ldd int) {
	const tile = 32
	for i0 := 0; i0 < r; i0 += tile {
		i1 := min(i0+tile, r)
		for j0 := 0; j0 < c; j0 += tile {
			j1 := min(j0+tile, c)
			for i := i0; i < i1; i++ {
				row := src[i*lds : i*lds+j1]
				for j := j0; j < j1; j++ {
					dst[j*ldd+i] = row[j]
				}
			}
		}
	}
}
