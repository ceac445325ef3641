package train

import (
	"fmt"
	"math"
)

// Dataset is a set of n feature vectors with their labels.
type Dataset struct {
	X []float32 // n×D features, row-major
	Y []uint8   // n×N targets, 0 or 1; exactly one 1 per row for LossCE
	N int       // labels per row
	D int       // features per row
}

// Len returns n, the number of rows.
func (d Dataset) Len() int {
	if d.D <= 0 {
		return 0
	}
	return len(d.X) / d.D
}

// Validate checks the sizes, that every feature is finite and every target is
// 0 or 1, and, when oneHot is set, that each row has exactly one 1.
func (d Dataset) Validate(oneHot bool) error {
	if d.D <= 0 || d.N <= 0 {
		return fmt.Errorf("train: dataset has D=%d, N=%d, want both > 0", d.D, d.N)
	}
	if len(d.X)%d.D != 0 {
		return fmt.Errorf("train: len(X) = %d is not a multiple of D = %d", len(d.X), d.D)
	}
	n := len(d.X) / d.D
	if len(d.Y) != n*d.N {
		return fmt.Errorf("train: len(Y) = %d, want n·N = %d·%d", len(d.Y), n, d.N)
	}
	for i, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("train: feature %d of row %d is %v", i%d.D, i/d.D, v)
		}
	}
	for r := range n {
		ones := 0
		for j, v := range d.Y[r*d.N : (r+1)*d.N] {
			if v > 1 {
				return fmt.Errorf("train: Y[%d,%d] = %d, want 0 or 1", r, j, v)
			}
			ones += int(v)
		}
		if oneHot && ones != 1 {
			return fmt.Errorf("train: row %d has %d positive classes, want exactly 1 for softmax cross-entropy", r, ones)
		}
	}
	return nil
}
