package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// renderModelPage is the model page (ModelPath): how good the loaded model
// is, from the head's own metadata — summary metrics, a per-genre table,
// precision–recall curves — and where it comes from. Every number is the
// head's; nothing is computed here but formatting.
func (p *Page) renderModelPage() app.UI {
	back := app.A().Href("/").Class("button quiet back").Text("← Back to your posters")
	m := p.model
	if m == nil {
		text := "Loading the model's description…"
		if p.fatal != "" {
			text = "The model could not be loaded: " + p.fatal
		}
		return app.Section().Class("model-page").Aria("labelledby", "model-title").Body(
			back, app.H2().ID("model-title").Text("How good is the model"), app.P().Text(text))
	}
	met := func(k string) (float64, bool) { v, ok := m.Metrics[k]; return v, ok }
	var facts []app.UI
	fact := func(term string, def ...app.UI) {
		facts = append(facts, app.Dt().Text(term), app.Dd().Body(def...))
	}
	nTest, okTest := met("n_test")
	nVal, okVal := met("n_val")
	where := "on held-out posters"
	if okTest {
		where = fmt.Sprintf("on the held-out test split (%d posters, never used to train or tune)", int(nTest))
	}
	tuned := "at the head's thresholds"
	if okVal {
		tuned = fmt.Sprintf("at thresholds tuned on a separate validation split of %d posters", int(nVal))
	}
	if v, ok := met("micro_f1"); ok {
		fact("Micro-F1", app.Strong().Textf("%.3f", v), app.Text(" — every poster–genre decision pooled; "+where+", "+tuned+"."))
	}
	if v, ok := met("macro_f1"); ok {
		fact("Macro-F1", app.Strong().Textf("%.3f", v), app.Text(" — the mean of the genres' F1 below, so rare genres count as much as common ones; same test split and thresholds."))
	}
	if pr, ok := met("micro_precision"); ok {
		if rc, ok := met("micro_recall"); ok {
			fact("Micro precision / recall", app.Text(fmt.Sprintf("%.3f / %.3f (test split).", pr, rc)))
		}
	}
	if v, ok := met("baseline_top2_micro_f1"); ok {
		fact("Baseline", app.Text(fmt.Sprintf("Always answering the two most frequent genres scores micro-F1 %.3f on the same posters.", v)))
	}
	if v, ok := met("ece"); ok {
		fact("Calibration", app.Text(fmt.Sprintf("Expected calibration error %.3f on the test split: a stated probability is off from the observed frequency by %.1f points on average.", v, 100*v)))
	} else {
		fact("Calibration", app.Text("Not measured for this head (no expected calibration error stored)."))
	}
	if v, ok := met("n_train"); ok {
		fact("Training posters", app.Textf("%d posters trained the genre head.", int(v)))
	}
	fact("Backbone", app.Text("MobileNetV2 1.0 (224×224 input), int8-quantized, from the ONNX Model Zoo; licence Apache-2.0. Frozen: only the genre head on its 1280-d feature was trained. "),
		app.Span().Class("small").Text("Backbone "+short(m.BackboneSHA256)+"."))
	fact("Head", app.Text(fmt.Sprintf("%s, %d genres, preprocessing %q. ", m.Mode, len(m.Labels), m.Preprocess)),
		app.Span().Class("small").Text(m.Version()+"."))
	if m.Notes != "" {
		fact("Notes", app.Text(m.Notes))
	}

	var table app.UI = app.P().Text("This head stores no per-genre metrics.")
	if len(m.PerLabel) > 0 {
		rows := make([]app.UI, 0, len(m.PerLabel))
		for _, l := range m.PerLabel {
			rows = append(rows, app.Tr().DataSet("testid", "metrics-row").DataSet("genre", l.Label).Body(
				app.Th().Scope("row").Text(l.Label),
				app.Td().Textf("%.2f", l.Precision),
				app.Td().Textf("%.2f", l.Recall),
				app.Td().Textf("%.2f", l.F1),
				app.Td().Textf("%d", l.Support),
				app.Td().Text(Percent(l.Threshold)),
			))
		}
		table = app.Div().Class("table-scroll").Body(app.Table().Class("metrics").DataSet("testid", "metrics-table").Body(
			app.Caption().Text("Per genre, on the test split at its tuned threshold. Support: test posters with that genre."),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Genre"), app.Th().Scope("col").Text("Precision"), app.Th().Scope("col").Text("Recall"),
				app.Th().Scope("col").Text("F1"), app.Th().Scope("col").Text("Support"), app.Th().Scope("col").Text("Threshold"),
			)),
			app.TBody().Body(rows...),
		))
	}

	var curves app.UI = app.P().Text("This head stores no precision–recall curves.")
	if len(m.Curves) > 0 {
		items := make([]app.UI, 0, len(m.Curves))
		for _, c := range m.Curves {
			items = append(items, prCurve(c, m.metricsOf(c.Label)))
		}
		curves = app.Ul().Class("curves").Body(items...)
	}

	return app.Section().Class("model-page").Aria("labelledby", "model-title").Body(
		back,
		app.H2().ID("model-title").Text("How good is the model"),
		app.P().Class("lead").Text("Measured on posters the model never saw in training: the test split. These are the numbers the head was exported with, not a claim about your posters."),
		app.Dl().Class("facts").Body(facts...),
		app.H3().Text("Per genre"),
		table,
		app.H3().Text("Precision–recall curves"),
		app.P().Class("help").Text("Each curve traces precision against recall as a genre's threshold falls; the dot is the tuned threshold the app uses (test split)."),
		curves,
	)
}

// metricsOf returns a genre's per-label metrics, or nil.
func (m *Model) metricsOf(label string) *LabelMetrics {
	for i := range m.PerLabel {
		if m.PerLabel[i].Label == label {
			return &m.PerLabel[i]
		}
	}
	return nil
}

// prCurve draws one precision–recall curve as inline SVG: recall on x,
// precision on y, both 0–1 in a 100×100 viewBox (y flipped), with the
// operating point marked when the metrics are known.
func prCurve(c Curve, op *LabelMetrics) app.UI {
	var pts strings.Builder
	for i, p := range c.Points {
		if i > 0 {
			pts.WriteByte(' ')
		}
		fmt.Fprintf(&pts, "%.2f,%.2f", 100*clamp01(p[0]), 100-100*clamp01(p[1]))
	}
	shapes := []app.UI{
		app.Elem("rect").XMLNS(svgNS).Class("frame").Attr("width", "100").Attr("height", "100"),
		app.Elem("polyline").XMLNS(svgNS).Class("curve").Attr("points", pts.String()),
	}
	desc := c.Label + " precision–recall curve"
	if op != nil {
		shapes = append(shapes, app.Elem("circle").XMLNS(svgNS).Class("op").
			Attr("cx", fmt.Sprintf("%.2f", 100*clamp01(op.Recall))).Attr("cy", fmt.Sprintf("%.2f", 100-100*clamp01(op.Precision))).Attr("r", "3.5"))
		desc += fmt.Sprintf("; at the tuned threshold recall %.2f, precision %.2f", op.Recall, op.Precision)
	}
	return app.Li().Class("pr").Body(
		app.Elem("svg").XMLNS(svgNS).Class("pr-svg").Attr("viewBox", "-2 -2 104 104").
			Attr("role", "img").Aria("label", desc).DataSet("testid", "pr-curve").DataSet("genre", c.Label).Body(shapes...),
		app.Span().Class("pr-label").Text(c.Label),
	)
}
