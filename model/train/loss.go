package train

import "math"

// softF1Eps is the article's ε in 2tp/(2tp+fn+fp+ε).
const softF1Eps = 1e-16

// lossGrad returns the mean loss of b rows of logits z (b×N) against targets
// y (b×N) and, when dz is not nil, writes dL/dz into dz (b×N). posW holds the
// BCE positive-class weights (nil: all 1). Sums run in float64, in row order.
func lossGrad(kind string, z []float32, y []uint8, b, N int, posW []float32, dz []float32) float64 {
	if dz != nil {
		clear(dz[:b*N])
	}
	switch kind {
	case LossBCE:
		return bce(z, y, b, N, posW, dz)
	case LossSoftF1:
		return softF1(z, y, b, N, dz)
	case LossBCESoftF1:
		return bce(z, y, b, N, posW, dz) + softF1(z, y, b, N, dz)
	case LossCE:
		return softmaxCE(z, y, b, N, dz)
	}
	panic("train: unknown loss " + kind)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus is log(1+e^z) without overflow.
func softplus(z float64) float64 { return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) }

// bce is mean_{r,j} [w_j·y·log(1+e^−z) + (1−y)·log(1+e^z)], the logit form of
// −w·y·log σ(z) − (1−y)·log(1−σ(z)); it adds its gradient
// (w·y·(σ−1) + (1−y)·σ)/(bN) into dz.
func bce(z []float32, y []uint8, b, N int, posW []float32, dz []float32) float64 {
	var sum float64
	inv := 1 / float64(b*N)
	for i := range b * N {
		zi := float64(z[i])
		w := 1.0
		if posW != nil {
			w = float64(posW[i%N])
		}
		if y[i] == 1 {
			sum += w * softplus(-zi)
			if dz != nil {
				dz[i] += float32(w * (sigmoid(zi) - 1) * inv)
			}
		} else {
			sum += softplus(zi)
			if dz != nil {
				dz[i] += float32(sigmoid(zi) * inv)
			}
		}
	}
	return sum * inv
}

// softF1 is the macro soft-F1 loss (see LossSoftF1). With p = σ(z),
// 2tp+fn+fp = Σy + Σp, so per label f = 2tp/S with S = Σy + Σp + ε and
//
//	∂f/∂p_r = 2y_r/S − 2tp/S²,   ∂L/∂z_r = −(1/N)·∂f/∂p_r·p_r(1−p_r).
func softF1(z []float32, y []uint8, b, N int, dz []float32) float64 {
	tp := make([]float64, N)
	s := make([]float64, N)
	for r := range b {
		for j := range N {
			p := sigmoid(float64(z[r*N+j]))
			yv := float64(y[r*N+j])
			tp[j] += p * yv
			s[j] += p + yv
		}
	}
	var sumF float64
	for j := range N {
		s[j] += softF1Eps
		sumF += 2 * tp[j] / s[j]
	}
	if dz != nil {
		invN := 1 / float64(N)
		for r := range b {
			for j := range N {
				i := r*N + j
				p := sigmoid(float64(z[i]))
				df := 2*float64(y[i])/s[j] - 2*tp[j]/(s[j]*s[j])
				dz[i] += float32(-invN * df * p * (1 - p))
			}
		}
	}
	return 1 - sumF/float64(N)
}

// softmaxCE is mean_r [logΣ_j e^{z_rj} − z_{r,c}] with c the class of row r;
// it adds (softmax(z_r) − onehot(c))/b into dz.
func softmaxCE(z []float32, y []uint8, b, N int, dz []float32) float64 {
	var sum float64
	inv := 1 / float64(b)
	for r := range b {
		row := z[r*N : (r+1)*N]
		m := math.Inf(-1)
		c := 0
		for j, v := range row {
			m = math.Max(m, float64(v))
			if y[r*N+j] == 1 {
				c = j
			}
		}
		var se float64
		for _, v := range row {
			se += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(se)
		sum += lse - float64(row[c])
		if dz != nil {
			for j, v := range row {
				g := math.Exp(float64(v) - lse)
				if j == c {
					g--
				}
				dz[r*N+j] += float32(g * inv)
			}
		}
	}
	return sum * inv
}

// positiveWeights returns sqrt(neg_j/pos_j) per label of d (1 when a label
// has no positives or no negatives).
func positiveWeights(d Dataset) []float32 {
	n := d.Len()
	pos := make([]int, d.N)
	for i, v := range d.Y {
		pos[i%d.N] += int(v)
	}
	w := make([]float32, d.N)
	for j, p := range pos {
		w[j] = 1
		if p > 0 && p < n {
			w[j] = float32(math.Sqrt(float64(n-p) / float64(p)))
		}
	}
	return w
}
