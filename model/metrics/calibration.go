package metrics

// Calibration measures whether probabilities mean what they say: among
// the poster×genre cells scored about 0.7, about 70 % should be true.
type Calibration struct {
	// ECE is the expected calibration error: the mean over equal-width
	// probability bins of |observed frequency − mean probability|,
	// weighted by the share of cells in each bin (Naeini et al., 2015;
	// Guo et al., 2017). 0 is perfectly calibrated.
	ECE float64 `json:"ece"`
	// Bins holds, per bin, the number of cells, their mean probability
	// and the fraction that were true: the points of a reliability
	// diagram.
	Bins []CalibrationBin `json:"bins"`
}

// CalibrationBin is one bin of a reliability diagram.
type CalibrationBin struct {
	Lo, Hi   float64 // the bin's probability range [Lo, Hi)
	N        int
	MeanProb float64
	Observed float64
}

// Calibrate pools every poster×label cell of probs (n×L) against truth
// into nBins equal-width bins over [0, 1] (a probability of exactly 1 goes
// in the last bin).
func Calibrate(probs []float32, truth []uint8, n, L, nBins int) Calibration {
	checkShape("Calibrate", "probs", len(probs), n, L)
	checkShape("Calibrate", "truth", len(truth), n, L)
	if nBins < 1 {
		panic("metrics: Calibrate needs at least one bin")
	}
	sumP := make([]float64, nBins)
	pos := make([]int, nBins)
	cnt := make([]int, nBins)
	for i, p := range probs[:n*L] {
		b := int(float64(p) * float64(nBins))
		b = max(0, min(b, nBins-1))
		cnt[b]++
		sumP[b] += float64(p)
		if truth[i] != 0 {
			pos[b]++
		}
	}
	c := Calibration{Bins: make([]CalibrationBin, nBins)}
	total := n * L
	for b := range c.Bins {
		bin := CalibrationBin{Lo: float64(b) / float64(nBins), Hi: float64(b+1) / float64(nBins), N: cnt[b]}
		if cnt[b] > 0 {
			bin.MeanProb = sumP[b] / float64(cnt[b])
			bin.Observed = float64(pos[b]) / float64(cnt[b])
			d := bin.Observed - bin.MeanProb
			if d < 0 {
				d = -d
			}
			c.ECE += d * float64(cnt[b]) / float64(total)
		}
		c.Bins[b] = bin
	}
	return c
}
