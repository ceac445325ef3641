package ui

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// A result card is written as one HTML string and mounted by go-app as raw
// HTML: the browser parses it in one innerHTML assignment. Built from go-app
// elements, a done card was some 60 nodes, each a handful of calls from
// wasm into JavaScript (createElement, setAttribute, addEventListener, a
// finalizer per js.Value); a batch's results kept the page's thread busy
// for 60–90 ms at a time (a 10 ms timer stalled for 110–200 ms), where the
// string costs one call. The card's buttons carry data-action and are
// handled by one listener on the list (Page.onCardClick), since raw HTML
// cannot hold go-app handlers.
//
// The markup is also well-formed XML (every element closed, attributes
// quoted and escaped), which the tests use to read it back.

// markup builds HTML with escaped text and attribute values.
type markup struct{ strings.Builder }

// open writes a start tag with attribute name/value pairs.
func (w *markup) open(tag string, attrs ...string) {
	w.start(tag, attrs)
	w.WriteByte('>')
}

// start writes a start tag without its closing bracket.
func (w *markup) start(tag string, attrs []string) {
	w.WriteByte('<')
	w.WriteString(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.WriteByte(' ')
		w.WriteString(attrs[i])
		w.WriteString(`="`)
		w.WriteString(html.EscapeString(attrs[i+1]))
		w.WriteByte('"')
	}
}

// text writes escaped character data.
func (w *markup) text(s string) { w.WriteString(html.EscapeString(s)) }

// close writes an end tag.
func (w *markup) close(tag string) {
	w.WriteString("</")
	w.WriteString(tag)
	w.WriteByte('>')
}

// void writes an element without content as <tag .../>: a void element in
// HTML (img), an empty one in SVG's foreign content (rect), and well-formed
// XML either way.
func (w *markup) void(tag string, attrs ...string) {
	w.start(tag, attrs)
	w.WriteString("/>")
}

// elem writes a whole element holding only text.
func (w *markup) elem(tag, text string, attrs ...string) {
	w.open(tag, attrs...)
	w.text(text)
	w.close(tag)
}

// cardHTML is the markup of one poster's card, with the stable test hooks
// (see the package doc). working marks the poster the worker is busy with;
// shift is the threshold control's setting (Shifted).
func cardHTML(it *Item, m *Model, working bool, shift float64) string {
	status := it.Status
	switch {
	case status == statusPending && working:
		status = "working"
	case status == statusPending:
		status = "queued"
	}
	id := strconv.Itoa(it.ID)
	attrs := []string{"class", "card " + status, "data-testid", "result", "data-id", id,
		"data-file", it.Name, "data-status", status}
	var ranked []Score
	if status == statusDone {
		ranked = m.RankShift(it.Probs, shift)
		attrs = append(attrs, "data-genres", GenresAttr(ranked), "data-probs", m.ProbsAttr(it.Probs),
			"data-decoder", it.Decoder, "data-ms", fmt.Sprintf("%.1f", it.MS), "data-cams-ms", fmt.Sprintf("%.1f", it.CamsMS))
	}
	var w markup
	w.open("li", attrs...)
	if it.Thumb != "" {
		writeThumb(&w, it, m)
	} else {
		w.elem("div", "", "class", "thumb placeholder", "aria-hidden", "true")
	}
	w.open("div", "class", "card-body")
	w.elem("h3", it.Name, "class", "name", "title", it.Name)
	switch status {
	case "queued":
		w.elem("p", "Waiting…", "class", "wait")
	case "working":
		w.elem("p", "Classifying…", "class", "wait working")
	case statusError:
		w.elem("p", "Could not classify this file: "+it.Err+".", "class", "error")
	case statusDone:
		writeScores(&w, it, m, ranked)
		if len(it.ImageNet) > 0 {
			writeImageNet(&w, it.ImageNet)
		} else if it.ImageNetErr != "" {
			w.elem("p", "The ImageNet labels could not be loaded: "+it.ImageNetErr+". The genres above do not need them.",
				"class", "imagenet imagenet-error", "data-testid", "imagenet-error")
		}
		w.open("p", "class", "meta")
		w.text(fmt.Sprintf("%d×%d px · %.0f ms · ", it.W, it.H, it.MS))
		w.elem("a", "How good is the model?", "href", ModelPath, "data-testid", "model-link")
		w.close("p")
	}
	w.close("div")
	w.elem("button", "×", "type", "button", "class", "remove", "data-action", "remove", "data-id", id,
		"aria-label", "Remove "+it.Name, "title", "Remove")
	w.close("li")
	return w.String()
}

// writeScores lists the predicted genres, each with its heatmap toggle,
// then the next best, dimmed.
func writeScores(w *markup, it *Item, m *Model, ranked []Score) {
	var hits, next []Score
	for _, s := range ranked {
		if s.Predicted {
			hits = append(hits, s)
		} else if len(next) < nextBest {
			next = append(next, s)
		}
	}
	if len(hits) == 0 {
		w.elem("p", "No genre above threshold", "class", "none")
	} else {
		w.open("ul", "class", "scores", "aria-label", "Predicted genres")
		for _, s := range hits {
			writeScore(w, s, "hit", func() { writeHeatToggle(w, it, m, s.Label) })
		}
		w.close("ul")
	}
	if len(next) > 0 {
		w.open("ul", "class", "scores next", "aria-label", "Next best genres")
		for _, s := range next {
			writeScore(w, s, "miss", nil)
		}
		w.close("ul")
	}
}

// writeScore is one genre: name, (toggle,) percentage, and a bar with its
// threshold marked. The bar is SVG geometry (a viewBox of 100 units), not a
// style: the page's Content-Security-Policy has no 'unsafe-inline'.
func writeScore(w *markup, s Score, cls string, toggle func()) {
	w.open("li", "class", "score "+cls, "title", s.Label+" "+Percent(s.Prob)+thresholdText(s))
	w.elem("span", s.Label, "class", "genre")
	if toggle != nil {
		toggle()
	}
	w.elem("span", Percent(s.Prob), "class", "pct")
	w.open("svg", "xmlns", svgNS, "class", "bar", "viewBox", "0 0 100 10", "preserveAspectRatio", "none",
		"aria-hidden", "true", "focusable", "false")
	w.void("rect", "class", "track", "width", "100", "height", "10")
	w.void("rect", "class", "fill", "width", fmt.Sprintf("%.2f", 100*clamp01(s.Prob)), "height", "10")
	if s.Threshold > 0 {
		w.void("rect", "class", "mark", "x", fmt.Sprintf("%.2f", 100*clamp01(s.Threshold)-0.75), "width", "1.5", "height", "10")
	}
	w.close("svg")
	w.elem("span", thresholdText(s), "class", "sr-only")
	w.close("li")
}

// writeHeatToggle is a predicted genre's button that shows its heatmap;
// nothing when the worker sent no map for the genre.
func writeHeatToggle(w *markup, it *Item, m *Model, genre string) {
	if it.Cam(m, genre) == nil {
		return
	}
	pressed := "false"
	if it.Heat == genre {
		pressed = "true"
	}
	w.elem("button", "Why?", "type", "button", "class", "heat-toggle",
		"data-testid", "heatmap-toggle", "data-action", "heat", "data-id", strconv.Itoa(it.ID), "data-genre", genre,
		"aria-pressed", pressed, "aria-label", "Why "+genre+": show where the poster drives it",
		"title", "Why "+genre+"? Show the heatmap")
}

// writeThumb draws the thumbnail and, when a genre's heatmap is on, the
// 7×7 Grad-CAM map over it: an SVG of 49 cells in map units, whose viewBox
// is the poster's extent in those units (camViewBox), stretched with the
// image over the thumbnail's box, blurred by CSS into a smooth map.
// data-cells holds the 49 values, row-major.
func writeThumb(w *markup, it *Item, m *Model) {
	cam := it.Cam(m, it.Heat)
	if it.Heat == "" || cam == nil {
		w.open("div", "class", "thumb-wrap")
		w.void("img", "class", "thumb", "src", it.Thumb, "alt", "")
		w.close("div")
		return
	}
	var cells strings.Builder
	cells.WriteByte('[')
	for i, v := range cam {
		if i > 0 {
			cells.WriteByte(',')
		}
		cells.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
	}
	cells.WriteByte(']')
	w.open("div", "class", "thumb-wrap exact")
	w.void("img", "class", "thumb", "src", it.Thumb, "alt", "")
	w.open("svg", "xmlns", svgNS, "class", "heatmap", "viewBox", camViewBox(m.Preprocess, it.W, it.H),
		"preserveAspectRatio", "none", "role", "img", "aria-label", "Heatmap: where the poster drives "+it.Heat,
		"data-testid", "heatmap", "data-genre", it.Heat, "data-cells", cells.String())
	for i, v := range cam {
		if v < 0.05 {
			continue
		}
		w.void("rect", "x", strconv.Itoa(i%7), "y", strconv.Itoa(i/7), "width", "1", "height", "1",
			"fill", heatColor(float64(v)), "fill-opacity", fmt.Sprintf("%.2f", 0.3+0.45*float64(v)))
	}
	w.close("svg")
	w.elem("span", it.Heat, "class", "heat-label", "aria-hidden", "true")
	w.close("div")
}

// writeImageNet lists the backbone's ImageNet top-5, labelled as such.
func writeImageNet(w *markup, top []ImageNetTop) {
	w.open("div", "class", "imagenet")
	w.elem("p", "The backbone sees (ImageNet top-5, not genres):", "class", "imagenet-title")
	w.open("ol", "data-testid", "imagenet")
	for _, t := range top {
		w.elem("li", fmt.Sprintf("%s %s", t.Label, Percent(t.Prob)), "data-synset", t.Synset)
	}
	w.close("ol")
	w.close("div")
}
