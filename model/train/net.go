package train

import (
	"math"
	"math/rand/v2"
	"sync"
)

// params holds the trainable tensors in head.Head layout:
// w1 H×D, b1 H, w2 N×H, b2 N. The gradients use the same type.
type params struct {
	D, H, N        int
	w1, b1, w2, b2 []float32
}

func newParams(d, h, n int) *params {
	return &params{D: d, H: h, N: n,
		w1: make([]float32, h*d), b1: make([]float32, h),
		w2: make([]float32, n*h), b2: make([]float32, n)}
}

// tensors lists the tensors; weights (decayed) are at even indices.
func (p *params) tensors() [4][]float32 { return [4][]float32{p.w1, p.b1, p.w2, p.b2} }

func (p *params) copyFrom(q *params) {
	for i, t := range q.tensors() {
		copy(p.tensors()[i], t)
	}
}

// init draws W1 from He normal N(0, 2/D) (it feeds a ReLU) and W2 from
// Glorot uniform U(±√(6/(H+N))) (Keras' default for Dense); biases are 0.
func (p *params) init(r *rand.Rand) {
	s1 := math.Sqrt(2 / float64(p.D))
	for i := range p.w1 {
		p.w1[i] = float32(r.NormFloat64() * s1)
	}
	lim := math.Sqrt(6 / float64(p.H+p.N))
	for i := range p.w2 {
		p.w2[i] = float32((2*r.Float64() - 1) * lim)
	}
	clear(p.b1)
	clear(p.b2)
}

// workspace holds the buffers of one batch of at most B rows. Buffers with a
// "T" are transposes whose leading dimension is the actual batch size b.
type workspace struct {
	B    int
	x    []float32 // B×D gathered features
	xT   []float32 // D×b
	y    []uint8   // B×N gathered targets
	a1   []float32 // B×H: z1, then mask·max(z1, 0) in place
	a1T  []float32 // H×b
	mask []float32 // B×H dropout factors, 0 or 1/(1−p); unused without dropout
	z2   []float32 // B×N logits
	dz2  []float32 // B×N
	dz2T []float32 // N×b
	w2T  []float32 // H×N
	da1  []float32 // B×H: dL/da1, then dL/dz1 in place
	dz1T []float32 // H×b
	g    *params   // gradients
}

func newWorkspace(b, d, h, n int) *workspace {
	return &workspace{B: b,
		x: make([]float32, b*d), xT: make([]float32, d*b), y: make([]uint8, b*n),
		a1: make([]float32, b*h), a1T: make([]float32, h*b), mask: make([]float32, b*h),
		z2: make([]float32, b*n), dz2: make([]float32, b*n), dz2T: make([]float32, n*b),
		w2T: make([]float32, h*n), da1: make([]float32, b*h), dz1T: make([]float32, h*b),
		g: newParams(d, h, n)}
}

// forward computes, for the first b rows of ws.x, a1 = mask·relu(x·W1ᵀ + b1)
// (B×H) and z2 = a1·W2ᵀ + b2 (B×N). useMask applies ws.mask.
func forward(p *params, ws *workspace, b int, useMask bool, gemm gemmFunc, workers int) {
	D, H, N := p.D, p.H, p.N
	gemm(workers, b, H, D, ws.x, D, p.w1, D, ws.a1, H) // z1 = x·W1ᵀ: b×H
	for r := range b {
		row := ws.a1[r*H : (r+1)*H]
		for h, z := range row {
			z = max(z+p.b1[h], 0)
			if useMask {
				z *= ws.mask[r*H+h]
			}
			row[h] = z
		}
	}
	gemm(workers, b, N, H, ws.a1, H, p.w2, H, ws.z2, N) // z2 = a1·W2ᵀ: b×N
	for r := range b {
		row := ws.z2[r*N : (r+1)*N]
		for j := range row {
			row[j] += p.b2[j]
		}
	}
}

// backward turns dL/dz2 in ws.dz2 (first b rows) into the parameter gradients
// ws.g, using the activations of the preceding forward call. It relies on
// a1 > 0 exactly where z1 > 0 and the unit was kept, where ∂a1/∂z1 is the
// mask factor (1 without dropout).
func backward(p *params, ws *workspace, b int, useMask bool, gemm gemmFunc, workers int) {
	D, H, N := p.D, p.H, p.N
	g := ws.g
	// dW2 = dz2ᵀ·a1: N×H, as (dz2ᵀ)·(a1ᵀ)ᵀ.
	transpose(b, N, ws.dz2, N, ws.dz2T, b)
	transpose(b, H, ws.a1, H, ws.a1T, b)
	gemm(workers, N, H, b, ws.dz2T, b, ws.a1T, b, g.w2, H)
	clear(g.b2)
	for r := range b {
		for j, v := range ws.dz2[r*N : (r+1)*N] {
			g.b2[j] += v
		}
	}
	// dA1 = dz2·W2: b×H, as dz2·(W2ᵀ)ᵀ.
	transpose(N, H, p.w2, H, ws.w2T, N)
	gemm(workers, b, H, N, ws.dz2, N, ws.w2T, N, ws.da1, H)
	// dz1 = dA1 ⊙ ∂a1/∂z1.
	for i, a := range ws.a1[:b*H] {
		switch {
		case a <= 0:
			ws.da1[i] = 0
		case useMask:
			ws.da1[i] *= ws.mask[i]
		}
	}
	clear(g.b1)
	for r := range b {
		for h, v := range ws.da1[r*H : (r+1)*H] {
			g.b1[h] += v
		}
	}
	// dW1 = dz1ᵀ·x: H×D, as (dz1ᵀ)·(xᵀ)ᵀ.
	transpose(b, H, ws.da1, H, ws.dz1T, b)
	transpose(b, D, ws.x, D, ws.xT, b)
	gemm(workers, H, D, b, ws.dz1T, b, ws.xT, b, g.w1, D)
}

// fillMask draws the dropout factors of b rows: 0 with probability rate,
// 1/(1−rate) otherwise.
func fillMask(r *rand.Rand, mask []float32, rate float64) {
	cut := uint64(rate * (1 << 32))
	keep := float32(1 / (1 - rate))
	for i := range mask {
		if uint64(r.Uint32()) < cut {
			mask[i] = 0
		} else {
			mask[i] = keep
		}
	}
}

// adam is Keras' Adam (β1 0.9, β2 0.999, ε 1e-7) with optional decoupled
// weight decay:
//
//	α = lr·√(1−β2^t)/(1−β1^t)
//	m ← m + (g−m)(1−β1);  v ← v + (g²−v)(1−β2);  w ← w − α·m/(√v + ε)
type adam struct {
	lr, wd float64
	t      int
	m, v   *params
}

const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-7 // Keras' default, not the paper's 1e-8
)

func newAdam(p *params, lr, wd float64) *adam {
	return &adam{lr: lr, wd: wd, m: newParams(p.D, p.H, p.N), v: newParams(p.D, p.H, p.N)}
}

func (a *adam) step(p, g *params, workers int) {
	a.t++
	alpha := float32(a.lr * math.Sqrt(1-math.Pow(adamBeta2, float64(a.t))) / (1 - math.Pow(adamBeta1, float64(a.t))))
	const c1, c2 = float32(1 - adamBeta1), float32(1 - adamBeta2)
	ms, vs, gs := a.m.tensors(), a.v.tensors(), g.tensors()
	for i, w := range p.tensors() {
		m, v, gr := ms[i], vs[i], gs[i]
		decay := float32(0)
		if i%2 == 0 {
			decay = float32(a.lr * a.wd)
		}
		parallelFor(workers, len(w), func(lo, hi int) {
			w, m, v, gr := w[lo:hi], m[lo:hi], v[lo:hi], gr[lo:hi]
			for k := range w {
				gk := gr[k]
				m[k] += (gk - m[k]) * c1
				v[k] += (gk*gk - v[k]) * c2
				w[k] -= decay*w[k] + alpha*m[k]/(float32(math.Sqrt(float64(v[k])))+adamEps)
			}
		})
	}
}

// parallelFor calls f on contiguous ranges covering [0, n), concurrently on
// up to workers goroutines. Element-wise work only: f must not reduce across
// ranges.
func parallelFor(workers, n int, f func(lo, hi int)) {
	const minChunk = 1 << 14
	w := max(1, min(workers, n/minChunk))
	if w == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(n*t/w, n*(t+1)/w)
		}()
	}
	wg.Wait()
}
