package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refLoss is an independent float64 implementation of the forward pass and
// losses, written from the definitions (log σ, explicit tp/fp/fn, log
// softmax), against which the float32 analytic gradients are checked by
// central differences. theta is w1 ‖ b1 ‖ w2 ‖ b2.
func refLoss(kind string, theta []float64, D, H, N, b int, x []float32, y []uint8, mask []float32, posW []float32) float64 {
	w1, b1 := theta[:H*D], theta[H*D:H*D+H]
	w2, b2 := theta[H*D+H:H*D+H+N*H], theta[H*D+H+N*H:]
	z := make([]float64, b*N)
	for r := range b {
		a := make([]float64, H)
		for h := range H {
			s := b1[h]
			for d := range D {
				s += w1[h*D+d] * float64(x[r*D+d])
			}
			a[h] = math.Max(s, 0)
			if mask != nil {
				a[h] *= float64(mask[r*H+h])
			}
		}
		for j := range N {
			s := b2[j]
			for h := range H {
				s += w2[j*H+h] * a[h]
			}
			z[r*N+j] = s
		}
	}
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	bceLoss := func() float64 {
		var s float64
		for i, v := range z {
			p, w := sig(v), 1.0
			if posW != nil {
				w = float64(posW[i%N])
			}
			yv := float64(y[i])
			s += -w*yv*math.Log(p) - (1-yv)*math.Log(1-p)
		}
		return s / float64(b*N)
	}
	softF1Loss := func() float64 {
		var cost float64
		for j := range N {
			var tp, fp, fn float64
			for r := range b {
				p, yv := sig(z[r*N+j]), float64(y[r*N+j])
				tp += p * yv
				fp += p * (1 - yv)
				fn += (1 - p) * yv
			}
			cost += 1 - 2*tp/(2*tp+fn+fp+1e-16)
		}
		return cost / float64(N)
	}
	switch kind {
	case LossBCE:
		return bceLoss()
	case LossSoftF1:
		return softF1Loss()
	case LossBCESoftF1:
		return bceLoss() + softF1Loss()
	case LossCE:
		var s float64
		for r := range b {
			var se float64
			for j := range N {
				se += math.Exp(z[r*N+j])
			}
			for j := range N {
				if y[r*N+j] == 1 {
					s -= math.Log(math.Exp(z[r*N+j]) / se)
				}
			}
		}
		return s / float64(b)
	}
	panic("unknown loss")
}

func TestGradientsFiniteDifferences(t *testing.T) {
	const D, H, N, b = 5, 4, 3, 6
	cases := []struct {
		loss     string
		weighted bool
		dropout  bool
	}{
		{LossBCE, false, false},
		{LossBCE, true, false},
		{LossBCE, true, true},
		{LossSoftF1, false, false},
		{LossSoftF1, false, true},
		{LossBCESoftF1, true, true},
		{LossCE, false, false},
		{LossCE, false, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/weighted=%v/dropout=%v", c.loss, c.weighted, c.dropout), func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, 7))
			p := newParams(D, H, N)
			for _, tns := range p.tensors() {
				for i := range tns {
					tns[i] = float32(r.NormFloat64())
				}
			}
			ws := newWorkspace(b, D, H, N)
			for i := range ws.x {
				ws.x[i] = float32(r.NormFloat64())
			}
			for row := range b {
				for j := range N {
					if c.loss == LossCE {
						ws.y[row*N+j] = b2u(j == row%N)
					} else {
						ws.y[row*N+j] = b2u(r.Float64() < 0.4)
					}
				}
			}
			var posW []float32
			if c.weighted {
				posW = []float32{1, 2.5, 0.7}
			}
			var mask []float32
			if c.dropout {
				fillMask(r, ws.mask, 0.25)
				mask = ws.mask
			}
			forward(p, ws, b, c.dropout, gemmNT, 2)
			lossGrad(c.loss, ws.z2, ws.y, b, N, posW, ws.dz2)
			backward(p, ws, b, c.dropout, gemmNT, 2)

			var theta []float64
			for _, tns := range p.tensors() {
				for _, v := range tns {
					theta = append(theta, float64(v))
				}
			}
			var analytic []float32
			for _, tns := range ws.g.tensors() {
				analytic = append(analytic, tns...)
			}
			checkAwayFromKinks(t, theta, D, H, b, ws.x)
			inactive := 0
			for _, a := range ws.a1[:b*H] {
				if a == 0 {
					inactive++
				}
			}
			if inactive == 0 {
				t.Fatal("no inactive hidden unit: the ReLU branch is not exercised")
			}
			const eps = 1e-5 // central differences: truncation O(eps²), rounding O(1e-16/eps)
			for i := range theta {
				old := theta[i]
				theta[i] = old + eps
				up := refLoss(c.loss, theta, D, H, N, b, ws.x, ws.y, mask, posW)
				theta[i] = old - eps
				down := refLoss(c.loss, theta, D, H, N, b, ws.x, ws.y, mask, posW)
				theta[i] = old
				fd := (up - down) / (2 * eps)
				// The analytic gradient is float32: ~1e-7 relative error.
				if d := math.Abs(fd - float64(analytic[i])); d > 1e-5+1e-4*math.Abs(fd) {
					t.Errorf("param %d: analytic %v, finite difference %v", i, analytic[i], fd)
				}
			}
			// The loss value itself matches the reference.
			want := refLoss(c.loss, theta, D, H, N, b, ws.x, ws.y, mask, posW)
			got := lossGrad(c.loss, ws.z2, ws.y, b, N, posW, nil)
			if math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
				t.Errorf("loss %v, reference %v", got, want)
			}
		})
	}
}

// checkAwayFromKinks fails if a hidden pre-activation is so close to 0 that
// the finite differences would straddle the ReLU kink.
func checkAwayFromKinks(t *testing.T, theta []float64, D, H, b int, x []float32) {
	t.Helper()
	for r := range b {
		for h := range H {
			s := theta[H*D+h]
			for d := range D {
				s += theta[h*D+d] * float64(x[r*D+d])
			}
			if math.Abs(s) < 1e-3 {
				t.Fatalf("z1[%d,%d] = %v is near the ReLU kink; change the seed", r, h, s)
			}
		}
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func TestPositiveWeights(t *testing.T) {
	// 4 rows, 3 labels: label 0 has 1 positive (√(3/1)), label 1 has 2 (1),
	// label 2 none (1).
	d := Dataset{X: make([]float32, 4), D: 1, N: 3, Y: []uint8{
		1, 1, 0,
		0, 1, 0,
		0, 0, 0,
		0, 0, 0,
	}}
	got := positiveWeights(d)
	want := []float32{float32(math.Sqrt(3)), 1, 1}
	for j := range want {
		if math.Abs(float64(got[j]-want[j])) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", j, got[j], want[j])
		}
	}
}
