package metrics

import (
	"fmt"
	"sort"
)

// TopLabels returns the indices of the k largest entries of counts, largest
// first; ties go to the lower index, so the result is deterministic. k is
// clamped to [0, len(counts)].
func TopLabels(counts []int, k int) []int {
	k = max(0, min(k, len(counts)))
	idx := make([]int, len(counts))
	for j := range idx {
		idx[j] = j
	}
	sort.SliceStable(idx, func(a, b int) bool { return counts[idx[a]] > counts[idx[b]] })
	return idx[:k]
}

// ConstantPredict returns an n×L prediction matrix in which every poster
// gets exactly the labels listed in cols. It panics if a column is outside
// [0, L).
func ConstantPredict(cols []int, n, L int) []uint8 {
	row := make([]uint8, L)
	for _, c := range cols {
		if c < 0 || c >= L {
			panic(fmt.Sprintf("metrics: ConstantPredict: column %d outside [0, %d)", c, L))
		}
		row[c] = 1
	}
	pred := make([]uint8, 0, n*L)
	for i := 0; i < n; i++ {
		pred = append(pred, row...)
	}
	return pred
}

// BaselineTopK scores the trivial classifier that gives every poster the k
// genres most frequent in the training set, whatever the poster looks like.
// trainCounts[j] is the number of training posters with genre j (see
// LabelCounts); ties go to the earlier genre. With k = 2 this is "always the
// two most frequent genres", for this dataset typically Drama and Comedy.
// truth is the n×L matrix being evaluated (usually validation), with
// L = len(labels) = len(trainCounts).
//
// The baseline is fitted on training counts on purpose: picking the genres
// from the validation truth would leak the answer into the baseline.
func BaselineTopK(truth []uint8, n int, labels []string, trainCounts []int, k int) Report {
	L := len(labels)
	if len(trainCounts) != L {
		panic(fmt.Sprintf("metrics: BaselineTopK: len(trainCounts) = %d, want L = %d", len(trainCounts), L))
	}
	return Evaluate(ConstantPredict(TopLabels(trainCounts, k), n, L), truth, n, labels)
}

// BaselineAll scores the trivial classifier that gives every poster every
// genre. Its recall is 1 for every genre with support and its precision is
// the genre's prevalence p, so its per-genre F1 is 2p/(1+p): the best F1 a
// classifier that ignores the image can expect on that genre.
func BaselineAll(truth []uint8, n int, labels []string) Report {
	L := len(labels)
	all := make([]int, L)
	for j := range all {
		all[j] = j
	}
	return Evaluate(ConstantPredict(all, n, L), truth, n, labels)
}
