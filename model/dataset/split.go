package dataset

import (
	"fmt"
	"math/rand/v2"
)

// Split divides the n rows of the n×L row-major 0/1 label matrix y into a
// training and a validation set, putting about valFrac of the rows, and
// about valFrac of each label's positives, in the validation set. Both
// index lists are sorted; every row is in exactly one of them. The split is
// a pure function of (y, n, L, valFrac, seed).
//
// It is iterative stratification, Algorithm 1 of Sechidis, Tsoumakas and
// Vlahavas, "On the stratification of multi-label data", ECML PKDD 2011,
// with two subsets of proportions r = (1-valFrac, valFrac):
//
//   - subset j wants c_j = n·r_j rows and c_j^l = |D^l|·r_j positives of
//     each label l, where D^l are the rows with label l;
//   - repeatedly take the label l with the fewest positives not yet
//     assigned (rare labels first, while there is still freedom to place
//     them), and put each of its unassigned rows in the subset that wants
//     most positives of l, breaking ties by the subset that wants most
//     rows, then at random; decrement c_j and c_j^m for every label m of
//     the row;
//   - rows with no label go to the subset that wants most rows.
//
// The seed drives every random choice: ties between labels and subsets,
// and the order in which each label's rows are visited (the paper leaves
// that order open; scikit-multilearn also shuffles it).
//
// Split panics if len(y) != n*L or valFrac is not in [0, 1].
func Split(y []uint8, n, L int, valFrac float64, seed int64) (train, val []int) {
	if n < 0 || L < 0 || len(y) != n*L {
		panic(fmt.Sprintf("dataset: Split: len(y) = %d, want n×L = %d×%d", len(y), n, L))
	}
	if !(valFrac >= 0 && valFrac <= 1) {
		panic(fmt.Sprintf("dataset: Split: valFrac = %v, want a value in [0, 1]", valFrac))
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)) // second word: any fixed constant (here 2^64/φ)
	r := [2]float64{1 - valFrac, valFrac}

	// byLabel[l] lists the rows with label l, in a seeded random order.
	byLabel := make([][]int, L)
	var unlabelled []int
	for i := range n {
		row := y[i*L : (i+1)*L]
		has := false
		for l, v := range row {
			if v != 0 {
				byLabel[l] = append(byLabel[l], i)
				has = true
			}
		}
		if !has {
			unlabelled = append(unlabelled, i)
		}
	}
	var want [2]float64        // c_j
	var wantLabel [2][]float64 // c_j^l
	remaining := make([]int, L)
	for j := range want {
		want[j] = float64(n) * r[j]
		wantLabel[j] = make([]float64, L)
		for l := range L {
			wantLabel[j][l] = float64(len(byLabel[l])) * r[j]
		}
	}
	for l := range L {
		remaining[l] = len(byLabel[l])
		rng.Shuffle(len(byLabel[l]), func(a, b int) { byLabel[l][a], byLabel[l][b] = byLabel[l][b], byLabel[l][a] })
	}
	rng.Shuffle(len(unlabelled), func(a, b int) { unlabelled[a], unlabelled[b] = unlabelled[b], unlabelled[a] })

	subset := make([]int8, n)
	for i := range subset {
		subset[i] = -1
	}
	assign := func(i, j int) {
		subset[i] = int8(j)
		want[j]--
		for m, v := range y[i*L : (i+1)*L] {
			if v != 0 {
				wantLabel[j][m]--
				remaining[m]--
			}
		}
	}
	for {
		// The label with the fewest unassigned positives, ties at random
		// (reservoir sampling over the tied labels).
		l, ties := -1, 0
		for m := range L {
			switch {
			case remaining[m] == 0:
			case l < 0 || remaining[m] < remaining[l]:
				l, ties = m, 1
			case remaining[m] == remaining[l]:
				ties++
				if rng.IntN(ties) == 0 {
					l = m
				}
			}
		}
		if l < 0 {
			break
		}
		for _, i := range byLabel[l] {
			if subset[i] >= 0 {
				continue
			}
			a, b := wantLabel[0][l], wantLabel[1][l]
			if a == b {
				a, b = want[0], want[1]
			}
			assign(i, pick(a, b, rng))
		}
	}
	for _, i := range unlabelled {
		assign(i, pick(want[0], want[1], rng))
	}

	for i, j := range subset {
		if j == 0 {
			train = append(train, i)
		} else {
			val = append(val, i)
		}
	}
	return train, val
}

// pick returns 0 if a > b, 1 if b > a, and 0 or 1 at random on a tie.
func pick(a, b float64, rng *rand.Rand) int {
	switch {
	case a > b:
		return 0
	case b > a:
		return 1
	}
	return rng.IntN(2)
}
