package dataset

import (
	"slices"
)

// DefaultGenres returns the 18 genres of the reference notebook
// (ashrefm/multi-label-soft-f1, after A. Maiza's "Multi-label image
// classification in TensorFlow 2.0"), sorted. It keeps the genres with at
// least 1,000 posters among its 37,690 and so leaves out Short, Western,
// Musical, Sport, Film-Noir, News, Talk-Show, Reality-TV and Game-Show.
// Each call returns a new slice.
func DefaultGenres() []string {
	return []string{
		"Action", "Adventure", "Animation", "Biography", "Comedy", "Crime",
		"Documentary", "Drama", "Family", "Fantasy", "History", "Horror",
		"Music", "Mystery", "Romance", "Sci-Fi", "Thriller", "War",
	}
}

// GenreCounts returns how many posters carry each genre.
func GenreCounts(posters []Poster) map[string]int {
	counts := make(map[string]int)
	for _, p := range posters {
		for _, g := range p.Genres {
			counts[g]++
		}
	}
	return counts
}

// SelectGenres fixes the label set and filters the posters to it.
//
// When genres is empty the labels are all genres carried by at least
// minCount posters; otherwise they are genres (deduplicated), and minCount
// is not used. Labels are sorted alphabetically. Each kept poster is a copy
// whose Genres hold only its genres among the labels, in their original
// order; posters left with no genre are dropped and counted in dropped, for
// the caller to report. The input is not modified.
func SelectGenres(posters []Poster, genres []string, minCount int) (kept []Poster, labels []string, dropped int) {
	if len(genres) == 0 {
		for g, n := range GenreCounts(posters) {
			if n >= minCount {
				labels = append(labels, g)
			}
		}
	} else {
		labels = slices.Clone(genres)
	}
	slices.Sort(labels)
	labels = slices.Compact(labels)

	for _, p := range posters {
		var gs []string
		for _, g := range p.Genres {
			if _, ok := slices.BinarySearch(labels, g); ok {
				gs = append(gs, g)
			}
		}
		if len(gs) == 0 {
			dropped++
			continue
		}
		p.Genres = gs
		kept = append(kept, p)
	}
	return kept, labels, dropped
}

// Matrix returns the n×L row-major label matrix of posters over labels:
// y[i*L+j] is 1 when posters[i] has labels[j] and 0 otherwise. Genres not
// among labels are ignored.
func Matrix(posters []Poster, labels []string) []uint8 {
	L := len(labels)
	col := make(map[string]int, L)
	for j, l := range labels {
		col[l] = j
	}
	y := make([]uint8, len(posters)*L)
	for i, p := range posters {
		for _, g := range p.Genres {
			if j, ok := col[g]; ok {
				y[i*L+j] = 1
			}
		}
	}
	return y
}
