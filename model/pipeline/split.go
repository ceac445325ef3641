package pipeline

import (
	"fmt"

	"posterity/model/dataset"
	"posterity/model/train"
)

// SplitSpec is how a Data is split; it is recorded in the head so eval can
// recompute the same split.
type SplitSpec struct {
	Seed     int64
	ValFrac  float64 // share of all posters used for validation
	TestFrac float64 // share of all posters held out for the final measurement
}

// Splits are index lists into a Data.
type Splits struct {
	Train, Val, Test []int
}

// Split cuts the test split first, then the validation split from the
// rest, both multi-label stratified (dataset.Split).
func (d *Data) Split(s SplitSpec) (Splits, error) {
	n, L := d.N(), len(d.Labels)
	if s.ValFrac <= 0 || s.TestFrac < 0 || s.ValFrac+s.TestFrac >= 1 {
		return Splits{}, fmt.Errorf("pipeline: validation %.2f and test %.2f fractions must be positive and leave training data", s.ValFrac, s.TestFrac)
	}
	rest := make([]int, n)
	for i := range rest {
		rest[i] = i
	}
	var sp Splits
	if s.TestFrac > 0 {
		keep, test := dataset.Split(d.Y, n, L, s.TestFrac, s.Seed)
		sp.Test = test
		rest = keep
	}
	sub := make([]uint8, 0, len(rest)*L)
	for _, i := range rest {
		sub = append(sub, d.Y[i*L:(i+1)*L]...)
	}
	tr, va := dataset.Split(sub, len(rest), L, s.ValFrac/(1-s.TestFrac), s.Seed+1)
	for _, j := range tr {
		sp.Train = append(sp.Train, rest[j])
	}
	for _, j := range va {
		sp.Val = append(sp.Val, rest[j])
	}
	return sp, nil
}

// Subset gathers rows idx into a training Dataset.
func (d *Data) Subset(idx []int) train.Dataset {
	const D = 1280
	L := len(d.Labels)
	ds := train.Dataset{X: make([]float32, 0, len(idx)*D), Y: make([]uint8, 0, len(idx)*L), N: L, D: D}
	for _, i := range idx {
		ds.X = append(ds.X, d.X[i*D:(i+1)*D]...)
		ds.Y = append(ds.Y, d.Y[i*L:(i+1)*L]...)
	}
	return ds
}
