package main

import (
	"fmt"
	"sort"
)

// Summary is the median, minimum and maximum of a set of samples.
type Summary struct {
	N                int     // number of samples
	Median, Min, Max float64 // of the samples
}

// summarize returns the Summary of xs (the median of an even count is the
// mean of the two middle values). It does not modify xs.
func summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Summary{N: len(s), Median: m, Min: s[0], Max: s[len(s)-1]}
}

// format writes the summary as "median (min–max)" with the given
// precision.
func (s Summary) format(prec int) string {
	if s.N == 0 {
		return "—"
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, s.Median, prec, s.Min, prec, s.Max)
}
