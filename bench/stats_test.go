package main

import "testing"

func TestSummarize(t *testing.T) {
	for i, c := range []struct {
		in   []float64
		want Summary
	}{
		{nil, Summary{}},
		{[]float64{3}, Summary{1, 3, 3, 3}},
		{[]float64{5, 1, 3}, Summary{3, 3, 1, 5}},
		{[]float64{4, 1, 3, 2}, Summary{4, 2.5, 1, 4}},
	} {
		in := append([]float64(nil), c.in...)
		if got := summarize(c.in); got != c.want {
			t.Errorf("%d: summarize(%v) = %+v, want %+v", i, c.in, got, c.want)
		}
		for j := range in {
			if in[j] != c.in[j] {
				t.Errorf("%d: summarize changed its input", i)
			}
		}
	}
}
