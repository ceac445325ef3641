package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// palette is the default series colour cycle, read only: the Okabe–Ito
// colour-blind safe palette, with green, purple and yellow darkened so that
// every line has at least 3:1 contrast against the white plot background.
var palette = [...]string{"#0072B2", "#D55E00", "#007A5A", "#A3407F", "#8A6D00", "#444444"}

// Color returns the i-th colour of the default series palette (Okabe–Ito,
// darkened for contrast on white), cycling after six.
func Color(i int) string { return palette[((i%len(palette))+len(palette))%len(palette)] }

// Series is one line of a LineChart. Points whose X or Y is NaN or ±Inf are
// skipped and break the line. Color is any CSS colour; empty picks
// Color(index of the series). Dashed lines tell series apart without
// relying on colour. Step draws each segment vertical first, then
// horizontal (matplotlib's "steps-pre"), which is how a precision-recall
// curve read in increasing recall should look. Markers draws a dot at each
// point; a series with a single point always gets one.
type Series struct {
	Name    string
	X, Y    []float64
	Color   string
	Dashed  bool
	Step    bool
	Markers bool
}

// Mark is a single highlighted point, drawn as a ringed dot, for example the
// operating point of a chosen threshold. Label, when not empty, appears in
// the legend and as the point's tooltip.
type Mark struct {
	X, Y  float64
	Label string
	Color string
}

// HLine is a dashed horizontal reference line across the plot, for example
// a baseline score, labelled at its right end.
type HLine struct {
	Y     float64
	Label string
	Color string
}

// LineChart describes a line chart rendered as inline SVG by SVG.
//
// Width and Height are the viewBox size in CSS pixels (default 480×300);
// the element scales to its container's width. XDomain and YDomain fix the
// axis ranges; the zero value [0, 0] means "fit the data", widened to nice
// tick values. XInteger keeps x ticks on whole numbers (epochs). The legend
// lists named series and labelled marks, wrapped to the chart width, unless
// HideLegend is set. Text is escaped, so labels may contain any characters.
type LineChart struct {
	Title          string
	XLabel, YLabel string
	Width, Height  int
	XDomain        [2]float64
	YDomain        [2]float64
	XInteger       bool
	Series         []Series
	Marks          []Mark
	HLines         []HLine
	HideLegend     bool
}

// chart layout constants, in viewBox pixels.
const (
	fontSize   = 13
	tickSize   = 12
	charWidth  = 7.2 // average glyph advance of the sans-serif stack at fontSize
	legendRow  = 18
	marginL    = 52
	marginR    = 14
	marginB    = 40
	titleSpace = 20
)

// SVG renders the chart as a self-contained <svg> element. The result is
// well-formed XML and contains no NaN or Inf coordinates, whatever the data.
func (c LineChart) SVG() template.HTML {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 480
	}
	if h <= 0 {
		h = 300
	}

	legend := c.legendItems()
	legendLines := layoutLegend(legend, float64(w-marginL-marginR))
	top := 10.0
	if c.Title != "" {
		top += titleSpace
	}
	top += float64(len(legendLines)) * legendRow
	plot := rect{x0: marginL, y0: top, x1: float64(w - marginR), y1: float64(h - marginB)}
	if plot.y1-plot.y0 < 40 { // tiny charts with long legends: keep a plot area
		plot.y1 = plot.y0 + 40
		h = int(plot.y1) + marginB
	}

	xs, ys := c.values()
	xa := newAxis(xs, c.XDomain, c.XInteger)
	var hl []float64
	for _, l := range c.HLines {
		hl = append(hl, l.Y)
	}
	ya := newAxis(append(ys, hl...), c.YDomain, false)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		w, h, esc(c.ariaLabel()))
	if c.Title != "" {
		fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	}
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#fff"/>`, w, h)
	if c.Title != "" {
		// Left-align the title with the plot when it fits, else with the
		// chart's edge, and shorten it as a last resort (the <title>
		// element keeps it whole).
		x, avail := float64(marginL), float64(w-marginL-4)
		if textWidth(c.Title) > avail {
			x, avail = 6, float64(w-10)
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%d" font-weight="600" fill="#1a1a1a">%s</text>`,
			num(x), num(10+fontSize+2), fontSize, esc(fitText(c.Title, avail)))
	}
	c.drawLegend(&b, legendLines, top-float64(len(legendLines))*legendRow)

	// Grid and ticks.
	fmt.Fprintf(&b, `<g font-size="%d" fill="#333">`, tickSize)
	for _, t := range ya.ticks {
		y := plot.y1 - ya.frac(t)*(plot.y1-plot.y0)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e3e6eb"/>`, num(plot.x0), num(y), num(plot.x1), num(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(plot.x0-6), num(y+4), esc(ya.label(t)))
	}
	for _, t := range xa.ticks {
		x := plot.x0 + xa.frac(t)*(plot.x1-plot.x0)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e3e6eb"/>`, num(x), num(plot.y0), num(x), num(plot.y1))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(x), num(plot.y1+15), esc(xa.label(t)))
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="#555"/>`, num(plot.x0), num(plot.y0), num(plot.y1), num(plot.x1))
	if c.XLabel != "" {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%d" text-anchor="middle" fill="#1a1a1a">%s</text>`,
			num((plot.x0+plot.x1)/2), num(float64(h)-6), fontSize, esc(c.XLabel))
	}
	if c.YLabel != "" {
		cy := (plot.y0 + plot.y1) / 2
		fmt.Fprintf(&b, `<text transform="translate(13 %s) rotate(-90)" font-size="%d" text-anchor="middle" fill="#1a1a1a">%s</text>`,
			num(cy), fontSize, esc(c.YLabel))
	}

	px := func(x float64) float64 { return plot.x0 + xa.frac(x)*(plot.x1-plot.x0) }
	py := func(y float64) float64 { return plot.y1 - ya.frac(y)*(plot.y1-plot.y0) }

	for _, l := range c.HLines {
		if !finite(l.Y) {
			continue
		}
		y := clamp(py(l.Y), plot.y0, plot.y1)
		col := colorOr(l.Color, "#6b6b6b")
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="2 3"><title>%s</title></line>`,
			num(plot.x0), num(y), num(plot.x1), num(y), esc(col), esc(l.Label))
	}

	// Clip lines to the plot so fixed domains cannot spill over the axes.
	// Charts with the same plot rectangle share an id, which is harmless: the
	// clip rectangles are identical.
	clipID := fmt.Sprintf("clip-%d-%08x", w, hashString(fmt.Sprint(plot)))
	fmt.Fprintf(&b, `<clipPath id="%s"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>`,
		esc(clipID), num(plot.x0-3), num(plot.y0-3), num(plot.x1-plot.x0+6), num(plot.y1-plot.y0+6))
	fmt.Fprintf(&b, `<g clip-path="url(#%s)" fill="none" stroke-width="2" stroke-linejoin="round">`, esc(clipID))
	for i, s := range c.Series {
		col := colorOr(s.Color, Color(i))
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		for _, seg := range segments(s.X, s.Y) {
			var d strings.Builder
			for k, p := range seg {
				x, y := px(p[0]), py(p[1])
				switch {
				case k == 0:
					fmt.Fprintf(&d, "M%s %s", num(x), num(y))
				case s.Step:
					fmt.Fprintf(&d, "V%sH%s", num(y), num(x))
				default:
					fmt.Fprintf(&d, "L%s %s", num(x), num(y))
				}
			}
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<path d="%s" stroke="%s"%s/>`, d.String(), esc(col), dash)
			}
			if s.Markers || len(seg) == 1 {
				for _, p := range seg {
					fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s" stroke="none"/>`, num(px(p[0])), num(py(p[1])), esc(col))
				}
			}
		}
	}
	b.WriteString(`</g>`)

	for _, l := range c.HLines {
		if !finite(l.Y) || l.Label == "" {
			continue
		}
		y := clamp(py(l.Y), plot.y0, plot.y1)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="end" fill="%s">%s</text>`,
			num(plot.x1-4), num(y-4), esc(colorOr(l.Color, "#4a4a4a")), esc(l.Label))
	}
	for _, m := range c.Marks {
		if !finite(m.X) || !finite(m.Y) {
			continue
		}
		x, y := clamp(px(m.X), plot.x0, plot.x1), clamp(py(m.Y), plot.y0, plot.y1)
		col := colorOr(m.Color, "#1a1a1a")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="5" fill="%s" stroke="#fff" stroke-width="2"><title>%s</title></circle>`,
			num(x), num(y), esc(col), esc(m.Label))
	}
	if len(xs) == 0 && len(c.Marks) == 0 {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%d" text-anchor="middle" fill="#6b6b6b">no data</text>`,
			num((plot.x0+plot.x1)/2), num((plot.y0+plot.y1)/2), fontSize)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated text went through esc
}

func (c LineChart) ariaLabel() string {
	parts := []string{}
	if c.Title != "" {
		parts = append(parts, c.Title)
	}
	if c.YLabel != "" || c.XLabel != "" {
		parts = append(parts, fmt.Sprintf("%s against %s", c.YLabel, c.XLabel))
	}
	if len(parts) == 0 {
		return "line chart"
	}
	return strings.Join(parts, ": ")
}

// values returns every finite x and y of the series and marks.
func (c LineChart) values() (xs, ys []float64) {
	for _, s := range c.Series {
		for k := 0; k < min(len(s.X), len(s.Y)); k++ {
			if finite(s.X[k]) && finite(s.Y[k]) {
				xs = append(xs, s.X[k])
				ys = append(ys, s.Y[k])
			}
		}
	}
	for _, m := range c.Marks {
		if finite(m.X) && finite(m.Y) {
			xs = append(xs, m.X)
			ys = append(ys, m.Y)
		}
	}
	return xs, ys
}

// legendItem is one legend entry.
type legendItem struct {
	name   string
	color  string
	dashed bool
	kind   int // 0 line, 1 mark, 2 reference line
}

func (c LineChart) legendItems() []legendItem {
	if c.HideLegend {
		return nil
	}
	var items []legendItem
	for i, s := range c.Series {
		if s.Name != "" {
			items = append(items, legendItem{s.Name, colorOr(s.Color, Color(i)), s.Dashed, 0})
		}
	}
	for _, m := range c.Marks {
		if m.Label != "" {
			items = append(items, legendItem{m.Label, colorOr(m.Color, "#1a1a1a"), false, 1})
		}
	}
	return items
}

func (it legendItem) width() float64 { return 26 + textWidth(it.name) + 14 }

// textWidth estimates the rendered width of s at fontSize.
func textWidth(s string) float64 { return float64(len([]rune(s))) * charWidth }

// fitText shortens s with an ellipsis so that its estimated width at
// fontSize stays within avail.
func fitText(s string, avail float64) string {
	if textWidth(s) <= avail {
		return s
	}
	r := []rune(s)
	keep := max(1, int(avail/charWidth)-1)
	if keep >= len(r) {
		return s
	}
	return string(r[:keep]) + "…"
}

// layoutLegend wraps legend items into lines no wider than avail.
func layoutLegend(items []legendItem, avail float64) [][]legendItem {
	var lines [][]legendItem
	var cur []legendItem
	used := 0.0
	for _, it := range items {
		if len(cur) > 0 && used+it.width() > avail {
			lines = append(lines, cur)
			cur, used = nil, 0
		}
		cur = append(cur, it)
		used += it.width()
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

func (c LineChart) drawLegend(b *strings.Builder, lines [][]legendItem, y0 float64) {
	for r, line := range lines {
		x := float64(marginL)
		y := y0 + float64(r)*legendRow + legendRow/2
		for _, it := range line {
			switch it.kind {
			case 1:
				fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="5" fill="%s" stroke="#fff" stroke-width="2"/>`, num(x+11), num(y), esc(it.color))
			default:
				dash := ""
				if it.dashed {
					dash = ` stroke-dasharray="6 4"`
				}
				fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>`,
					num(x), num(y), num(x+22), num(y), esc(it.color), dash)
			}
			fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%d" fill="#1a1a1a">%s</text>`, num(x+26), num(y+4), fontSize, esc(it.name))
			x += it.width()
		}
	}
}

// segments splits a series into runs of finite points.
func segments(xs, ys []float64) [][][2]float64 {
	var segs [][][2]float64
	var cur [][2]float64
	for k := 0; k < min(len(xs), len(ys)); k++ {
		if !finite(xs[k]) || !finite(ys[k]) {
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, [2]float64{xs[k], ys[k]})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

type rect struct{ x0, y0, x1, y1 float64 }

// axis maps data values onto [0, 1] and holds its tick values.
type axis struct {
	lo, hi   float64
	ticks    []float64
	decimals int
}

func (a axis) frac(v float64) float64 { return (v - a.lo) / (a.hi - a.lo) }

func (a axis) label(v float64) string {
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', a.decimals, 64)
}

// newAxis builds an axis over the finite values vs, or over domain when it
// is not [0, 0]. Auto axes are widened to tick multiples; a degenerate range
// (one value, or none) is padded so that it never divides by zero.
func newAxis(vs []float64, domain [2]float64, integer bool) axis {
	fixed := domain != [2]float64{} && finite(domain[0]) && finite(domain[1]) && domain[0] < domain[1]
	var lo, hi float64
	switch {
	case fixed:
		lo, hi = domain[0], domain[1]
	case len(vs) == 0:
		lo, hi = 0, 1
	default:
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range vs {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi-lo <= 0 || !finite(hi-lo) {
		pad := math.Max(math.Abs(lo)*0.1, 0.5)
		if integer {
			pad = 1
		}
		if !finite(pad) {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	step := niceNum((hi-lo)/5, true)
	if integer {
		step = math.Max(1, math.Round(step))
	}
	if !fixed {
		lo = math.Floor(lo/step) * step
		hi = math.Ceil(hi/step) * step
	}
	a := axis{lo: lo, hi: hi, decimals: max(0, -int(math.Floor(math.Log10(step))))}
	if !finite(a.lo) || !finite(a.hi) || a.hi <= a.lo { // values near ±MaxFloat64
		return axis{lo: 0, hi: 1, ticks: []float64{0, 0.5, 1}, decimals: 1}
	}
	first := math.Ceil(lo/step-1e-9) * step
	for k := 0; k <= 100; k++ {
		t := first + float64(k)*step
		t = math.Round(t/step) * step // snap, so zero prints as 0, not -1e-17
		if t > hi+step*1e-9 {
			break
		}
		a.ticks = append(a.ticks, t)
	}
	return a
}

// niceNum returns a "nice" number (1, 2 or 5 times a power of ten) near x,
// rounding when round is true and taking the ceiling otherwise. This is
// Heckbert's algorithm from "Nice numbers for graph labels", Graphics Gems.
func niceNum(x float64, round bool) float64 {
	if x <= 0 || !finite(x) {
		return 1
	}
	exp := math.Floor(math.Log10(x))
	f := x / math.Pow(10, exp)
	var nf float64
	if round {
		switch {
		case f < 1.5:
			nf = 1
		case f < 3:
			nf = 2
		case f < 7:
			nf = 5
		default:
			nf = 10
		}
	} else {
		switch {
		case f <= 1:
			nf = 1
		case f <= 2:
			nf = 2
		case f <= 5:
			nf = 5
		default:
			nf = 10
		}
	}
	return nf * math.Pow(10, exp)
}

// esc escapes text for both HTML and XML (it produces only &lt; &gt; &amp;
// &#39; and &#34;, all valid XML).
func esc(s string) string { return html.EscapeString(s) }

// num formats a coordinate; non-finite values, which callers filter out,
// print as 0 rather than NaN so the SVG stays valid.
func num(v float64) string {
	if !finite(v) {
		return "0"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func colorOr(c, def string) string {
	if c == "" {
		return def
	}
	return c
}

// hashString is 32-bit FNV-1a, used to name clipPath elements.
func hashString(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
