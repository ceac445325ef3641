package dataset

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkPartition fails unless train and val are sorted and together hold
// every index in [0, n) exactly once.
func checkPartition(t *testing.T, train, val []int, n int) {
	t.Helper()
	if !slices.IsSorted(train) || !slices.IsSorted(val) {
		t.Fatal("indices not sorted")
	}
	seen := make([]int, n)
	for _, i := range append(slices.Clone(train), val...) {
		if i < 0 || i >= n {
			t.Fatalf("index %d out of range [0, %d)", i, n)
		}
		seen[i]++
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("index %d appears %d times", i, c)
		}
	}
}

// labelShares returns each label's positives and its share in val.
func labelShares(y []uint8, L int, val []int) (pos []int, share []float64) {
	n := len(y) / L
	pos = make([]int, L)
	inVal := make([]int, L)
	for i := range n {
		for l := range L {
			pos[l] += int(y[i*L+l])
		}
	}
	for _, i := range val {
		for l := range L {
			inVal[l] += int(y[i*L+l])
		}
	}
	share = make([]float64, L)
	for l := range L {
		if pos[l] > 0 {
			share[l] = float64(inVal[l]) / float64(pos[l])
		}
	}
	return pos, share
}

// syntheticLabels returns an n×L matrix where label l is set with
// probability 0.5/(l+1), so later labels are rare.
func syntheticLabels(n, L int, seed uint64) []uint8 {
	rng := rand.New(rand.NewPCG(seed, 1))
	y := make([]uint8, n*L)
	for i := range n {
		for l := range L {
			if rng.Float64() < 0.5/float64(l+1) {
				y[i*L+l] = 1
			}
		}
	}
	return y
}

func TestSplitSynthetic(t *testing.T) {
	tests := []struct {
		n, L    int
		valFrac float64
	}{
		{0, 3, 0.2},
		{1, 3, 0.2},
		{10, 2, 0.5},
		{1000, 8, 0.2},
		{3000, 12, 0.15},
		{500, 5, 0},
		{500, 5, 1},
	}
	for _, tc := range tests {
		y := syntheticLabels(tc.n, tc.L, 7)
		train, val := Split(y, tc.n, tc.L, tc.valFrac, 1)
		checkPartition(t, train, val, tc.n)
		if want := tc.valFrac * float64(tc.n); math.Abs(float64(len(val))-want) > 1+0.01*float64(tc.n) {
			t.Errorf("n=%d valFrac=%v: %d in val, want about %.0f", tc.n, tc.valFrac, len(val), want)
		}
		pos, share := labelShares(y, tc.L, val)
		for l := range tc.L {
			if pos[l] >= 20 && math.Abs(share[l]-tc.valFrac) > tolerance(pos[l]) {
				t.Errorf("n=%d valFrac=%v: label %d (%d positives) has val share %.3f", tc.n, tc.valFrac, l, pos[l], share[l])
			}
		}
	}
}

// tolerance is the allowed gap between a label's val share and valFrac for
// a label with p positives: one row (rounding alone costs up to half a
// row) plus half a percentage point. Measured on the shared labels.csv
// (27 genres, valFrac 0.2, seeds 1 and 2), every label's val count is within
// 0.4 rows of valFrac·p: the worst share gap is 0.0083, News with 24
// positives.
func tolerance(positives int) float64 {
	return 1/float64(positives) + 0.005
}

func TestSplitDeterministic(t *testing.T) {
	y := syntheticLabels(2000, 10, 3)
	train1, val1 := Split(y, 2000, 10, 0.2, 42)
	train2, val2 := Split(y, 2000, 10, 0.2, 42)
	if !slices.Equal(train1, train2) || !slices.Equal(val1, val2) {
		t.Error("same seed gave different splits")
	}
	_, val3 := Split(y, 2000, 10, 0.2, 43)
	if slices.Equal(val1, val3) {
		t.Error("seeds 42 and 43 gave the same split")
	}
}

func TestSplitPanics(t *testing.T) {
	tests := []struct {
		name    string
		y       []uint8
		n, L    int
		valFrac float64
	}{
		{"shape", make([]uint8, 5), 2, 3, 0.2},
		{"frac above 1", make([]uint8, 6), 2, 3, 1.5},
		{"frac NaN", make([]uint8, 6), 2, 3, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			Split(tc.y, tc.n, tc.L, tc.valFrac, 1)
		})
	}
}

func TestSplitRealLabels(t *testing.T) {
	posters, err := ReadLabels(sharedPosters(t))
	if err != nil {
		t.Fatal(err)
	}
	kept, labels, _ := SelectGenres(posters, nil, 1)
	n, L := len(kept), len(labels)
	y := Matrix(kept, labels)
	const valFrac = 0.2
	var vals [][]int
	for _, seed := range []int64{1, 2} {
		train, val := Split(y, n, L, valFrac, seed)
		vals = append(vals, val)
		checkPartition(t, train, val, n)
		if math.Abs(float64(len(val))/float64(n)-valFrac) > 0.005 {
			t.Errorf("seed %d: val holds %d of %d rows", seed, len(val), n)
		}
		pos, share := labelShares(y, L, val)
		worst, worstLabel := 0.0, ""
		for l := range L {
			gap := math.Abs(share[l] - valFrac)
			if pos[l] >= 20 && gap > tolerance(pos[l]) {
				t.Errorf("seed %d: %s (%d positives) has val share %.4f, want %.2f ± %.4f", seed, labels[l], pos[l], share[l], valFrac, tolerance(pos[l]))
			}
			if pos[l] >= 20 && gap > worst {
				worst, worstLabel = gap, labels[l]
			}
		}
		t.Logf("seed %d: %d train, %d val; worst label share gap %.4f (%s)", seed, len(train), len(val), worst, worstLabel)
	}
	if slices.Equal(vals[0], vals[1]) {
		t.Error("seeds 1 and 2 gave the same split")
	}
	if train, val := Split(y, n, L, valFrac, 1); !slices.Equal(val, vals[0]) || len(train)+len(val) != n {
		t.Error("seed 1 gave a different split the second time")
	}
}
