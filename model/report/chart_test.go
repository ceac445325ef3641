package report

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNiceNum(t *testing.T) {
	// Expected values follow the rules of Heckbert, "Nice numbers for graph
	// labels", Graphics Gems (1990): mantissa thresholds 1.5/3/7 when
	// rounding and 1/2/5 for the ceiling.
	for i, tc := range []struct {
		x     float64
		round bool
		want  float64
	}{
		{0.148, true, 0.1},  // 0: mantissa 1.48 < 1.5 → 1
		{0.37, true, 0.5},   // 1: 3.7 < 7 → 5
		{2.9, true, 2},      // 2: 2.9 < 3 → 2
		{8, true, 10},       // 3: 8 ≥ 7 → 10
		{0.148, false, 0.2}, // 4: 1.48 ≤ 2 → 2
		{3, false, 5},       // 5: 3 ≤ 5 → 5
		{0, true, 1},        // 6: degenerate inputs fall back to 1
		{math.NaN(), true, 1},
	} {
		if got := niceNum(tc.x, tc.round); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%d: niceNum(%v, %v) = %v, want %v", i, tc.x, tc.round, got, tc.want)
		}
	}
}

func TestAxis(t *testing.T) {
	for i, tc := range []struct {
		vs      []float64
		domain  [2]float64
		integer bool
		lo, hi  float64
		ticks   []string
	}{
		// 0: F1 values 0.13..0.87: step niceNum(0.74/5) = 0.1, widened to 0.1..0.9.
		{[]float64{0.13, 0.87}, [2]float64{}, false, 0.1, 0.9,
			[]string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}},
		// 1: a fixed [0, 1] domain keeps its ends; step niceNum(0.2) = 0.2.
		{[]float64{0.3}, [2]float64{0, 1}, false, 0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		// 2: a single epoch is padded by one on each side.
		{[]float64{1}, [2]float64{}, true, 0, 2, []string{"0", "1", "2"}},
		// 3: twelve epochs: step niceNum(11/5 = 2.2) = 2.
		{[]float64{1, 12}, [2]float64{}, true, 0, 12, []string{"0", "2", "4", "6", "8", "10", "12"}},
		// 4: three epochs never get half-epoch ticks.
		{[]float64{1, 3}, [2]float64{}, true, 1, 3, []string{"1", "2", "3"}},
		// 5: no data.
		{nil, [2]float64{}, false, 0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		// 6: a constant 0.25 is padded by 0.5 and then widened to ticks.
		{[]float64{0.25, 0.25}, [2]float64{}, false, -0.4, 0.8, []string{"-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8"}},
	} {
		a := newAxis(tc.vs, tc.domain, tc.integer)
		var got []string
		for _, v := range a.ticks {
			got = append(got, a.label(v))
		}
		if math.Abs(a.lo-tc.lo) > 1e-9 || math.Abs(a.hi-tc.hi) > 1e-9 || !slices.Equal(got, tc.ticks) {
			t.Errorf("%d: axis [%v, %v] ticks %v, want [%v, %v] %v", i, a.lo, a.hi, got, tc.lo, tc.hi, tc.ticks)
		}
	}
}

func TestLineChart(t *testing.T) {
	c := LineChart{
		Title: "F1", XLabel: "epoch", YLabel: "F1", XInteger: true,
		Series: []Series{
			{Name: "micro", X: []float64{1, 2, 3}, Y: []float64{0.2, math.NaN(), 0.4}},
			{Name: "macro", X: []float64{1, 2, 3}, Y: []float64{0.1, 0.2, 0.3}, Dashed: true, Markers: true},
		},
		HLines: []HLine{{Y: 0.25, Label: "baseline"}},
		Marks:  []Mark{{X: 2, Y: 0.2, Label: "best"}},
	}
	svg := string(c.SVG())
	checkPage(t, svg)
	for _, s := range []string{"<title>F1</title>", ">micro<", ">macro<", ">best<", ">baseline<", `stroke-dasharray="6 4"`, `viewBox="0 0 480 300"`} {
		if !strings.Contains(svg, s) {
			t.Errorf("svg lacks %q", s)
		}
	}
	// The NaN splits "micro" into two single points (dots, no path), so the
	// only line path is "macro"'s; macro also gets three marker dots.
	if n := strings.Count(svg, `<path d="M`); n != 2 { // axes + macro
		t.Errorf("%d paths, want 2 (axes and one series)", n)
	}
	if n := strings.Count(svg, `r="3"`); n != 5 {
		t.Errorf("%d small dots, want 5", n)
	}

	// Legends wrap on narrow charts instead of running off the edge.
	long := LineChart{Width: 260, Height: 200}
	for i := 0; i < 4; i++ {
		long.Series = append(long.Series, Series{Name: "a fairly long series name", X: []float64{0, 1}, Y: []float64{0, 1}})
	}
	lines := layoutLegend(long.legendItems(), 260-marginL-marginR)
	if len(lines) != 4 {
		t.Errorf("legend wrapped into %d lines, want 4", len(lines))
	}
	checkPage(t, string(long.SVG()))

	if hidden := (LineChart{HideLegend: true, Series: long.Series}).legendItems(); hidden != nil {
		t.Errorf("HideLegend kept %d legend items", len(hidden))
	}
}
