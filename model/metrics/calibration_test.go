package metrics

import (
	"math"
	"testing"
)

// TestCalibrate checks ECE on a case worked by hand: 2 bins; bin [0, 0.5)
// holds 0.1, 0.2, 0.3, 0.4 with one true (mean prob 0.25, observed 0.25,
// gap 0); bin [0.5, 1] holds 0.6, 0.8, 1.0, 0.6 with two true (mean 0.75,
// observed 0.5, gap 0.25). ECE = 4/8·0 + 4/8·0.25 = 0.125.
func TestCalibrate(t *testing.T) {
	probs := []float32{0.1, 0.6, 0.2, 0.8, 0.3, 1.0, 0.4, 0.6}
	truth := []uint8{0, 1, 1, 0, 0, 1, 0, 0}
	c := Calibrate(probs, truth, 4, 2, 2)
	if math.Abs(c.ECE-0.125) > 1e-6 {
		t.Errorf("ECE = %v, want 0.125", c.ECE)
	}
	if c.Bins[0].N != 4 || c.Bins[1].N != 4 || math.Abs(c.Bins[1].MeanProb-0.75) > 1e-6 || c.Bins[1].Observed != 0.5 {
		t.Errorf("bins %+v", c.Bins)
	}
	// Perfect calibration: probabilities 0 and 1 that are always right.
	if c := Calibrate([]float32{0, 1, 1, 0}, []uint8{0, 1, 1, 0}, 2, 2, 10); c.ECE != 0 {
		t.Errorf("perfect: ECE %v", c.ECE)
	}
}
