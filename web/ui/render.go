package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// actionRemove asks the page to forget one poster (value: its ID).
const actionRemove = "posterity/remove"

// nextBest is how many genres below their thresholds a result shows, dimmed.
const nextBest = 3

// Render draws the page. Nothing here sets a style attribute: the page's
// Content-Security-Policy has no 'unsafe-inline', so sizes come from CSS
// classes and SVG geometry.
func (p *Page) Render() app.UI {
	cls := "app"
	if p.dragging {
		cls += " dragging"
	}
	return app.Div().Class(cls).Body(
		app.Header().Class("top").Body(
			app.Div().Class("wrap").Body(
				app.H1().Text("Posterity"),
				app.P().Class("tagline").Text("Movie-poster genres, computed on your own device."),
			),
		),
		app.Main().ID("main").Class("wrap").Body(
			p.renderUpdate(),
			p.renderPicker(),
			p.renderStatus(),
			app.P().ID("announce").Class("sr-only").Role("status").Aria("live", "polite").Aria("atomic", "true").Text(p.announce),
			p.renderResults(),
		),
		p.renderFooter(),
	)
}

func (p *Page) renderUpdate() app.UI {
	if !p.update {
		return nil
	}
	return app.Div().Class("notice").Role("status").Body(
		app.Span().Text("A new version of Posterity is ready. "),
		app.Button().Type("button").Class("button").Text("Reload").OnClick(p.onReload),
	)
}

func (p *Page) renderPicker() app.UI {
	return app.Section().Class("picker").Aria("labelledby", "pick-title").Body(
		app.H2().ID("pick-title").Text("Add posters"),
		app.P().Class("drop-hint").Text("Drop posters anywhere on this page, paste them (Ctrl+V or ⌘V), or choose files."),
		app.Div().Class("buttons").Body(
			// A visually hidden input stays focusable; its label is the
			// button people see (CSS draws the focus ring on the label).
			app.Input().Type("file").ID("posters").Name("posters").Class("sr-only").
				Multiple(true).Accept("image/*").Aria("describedby", "pick-help").
				OnChange(p.onPick),
			app.Label().For("posters").Class("button primary").Text("Choose posters…"),
			// capture opens the camera on phones; on an input of its own, so
			// that the main one can still pick many files from the gallery.
			app.Input().Type("file").ID("camera").Name("camera").Class("sr-only").
				Accept("image/*").Capture("environment").Aria("describedby", "pick-help").
				OnChange(p.onPick),
			app.Label().For("camera").Class("button camera").Text("Take a photo"),
			app.If(len(p.items) > 0, func() app.UI {
				return app.Button().Type("button").ID("clear").Class("button quiet").Text("Clear all").OnClick(p.onClear)
			}),
		),
		app.P().ID("pick-help").Class("help").Text(
			"JPEG, PNG, WebP or GIF, up to 50 MB and 50 Mpixel each. Posters are classified in this browser: nothing is uploaded."),
	)
}

func (p *Page) renderStatus() app.UI {
	var model app.UI
	switch {
	case p.fatal != "":
		model = p.renderFault() // fault.go: the message and Retry
	case p.model != nil && p.fromCache:
		model = app.P().Class("model-state ready").Text("Model ready · loaded from this device, nothing downloaded.")
	case p.model != nil:
		model = app.P().Class("model-state ready").Textf("Model ready · downloaded %s once; later visits and offline use load it from this device.", FormatBytes(p.total))
	default:
		label := "Loading the model…"
		if p.loaded > 0 && !p.fromCache {
			label = fmt.Sprintf("Downloading the model: %s of %s", FormatBytes(p.loaded), FormatBytes(p.total))
		}
		model = app.Div().Class("model-state loading").Body(
			app.Label().For("model-progress").Text(label),
			app.Progress().ID("model-progress").Max(max(p.total, 1)).Value(min(p.loaded, p.total)),
		)
	}
	var batch app.UI
	if n := len(p.items) - p.batchStart; n > 0 {
		done, failed := p.counts()
		text := fmt.Sprintf("%d of %d classified", done+failed, n)
		if failed > 0 {
			text += fmt.Sprintf(" · %d could not be read", failed)
		}
		if p.model == nil && p.fatal == "" && done+failed < n {
			text += " · waiting for the model"
		}
		batch = app.Div().Class("batch").Body(
			app.Label().For("batch-progress").ID("batch-label").Text(text),
			app.Progress().ID("batch-progress").Max(n).Value(done+failed),
		)
	}
	return app.Section().Class("status").Aria("label", "Progress").Body(model, batch)
}

func (p *Page) renderResults() app.UI {
	working := -1 // the worker's current poster: the oldest pending one
	for _, it := range p.items {
		if it.Status == statusPending {
			working = it.ID
			break
		}
	}
	return app.Section().Class("results").Aria("labelledby", "results-title").Body(
		app.H2().ID("results-title").Class(hiddenIf(len(p.items) == 0)).Text("Results"),
		app.Ol().Class("cards").Body(
			app.Range(p.items).Slice(func(i int) app.UI {
				it := p.items[i]
				return &card{Item: *it, Model: p.model, Working: it.ID == working}
			}),
		),
	)
}

func hiddenIf(b bool) string {
	if b {
		return "sr-only"
	}
	return ""
}

func (p *Page) renderFooter() app.UI {
	var model []app.UI
	if m := p.model; m != nil {
		model = append(model,
			app.P().ID("model-version").Text("Model: "+m.Version()+"."),
			app.P().ID("model-metrics").Text("Quality: "+m.Summary()),
		)
		if m.Kernels != "" {
			model = append(model, app.P().Class("small").Text("Engine kernels: "+m.Kernels+"."))
		}
	}
	return app.Footer().Class("bottom").Body(
		app.Div().Class("wrap").Body(
			app.Div().Body(model...),
			app.P().Class("small").Text(
				"Your posters never leave this device: the page decodes and classifies them in a background worker, and makes no network request with them. Works offline once loaded."),
		),
	)
}

// card is one poster's result. It is a component so that a page update only
// re-renders the cards whose fields changed.
type card struct {
	app.Compo
	Item    Item
	Model   *Model
	Working bool
}

// Render draws the card with the stable test hooks (see the package doc).
func (c *card) Render() app.UI {
	it := c.Item
	status := it.Status
	switch {
	case status == statusPending && c.Working:
		status = "working"
	case status == statusPending:
		status = "queued"
	}
	li := app.Li().Class("card "+status).
		DataSet("testid", "result").DataSet("file", it.Name).DataSet("status", status)
	var ranked []Score
	if status == statusDone {
		ranked = c.Model.Rank(it.Probs)
		li = li.DataSet("genres", GenresAttr(ranked)).DataSet("probs", c.Model.ProbsAttr(it.Probs)).
			DataSet("decoder", it.Decoder)
	}
	var thumb app.UI
	if it.Thumb != "" {
		thumb = app.Img().Class("thumb").Src(it.Thumb).Alt("")
	} else {
		thumb = app.Div().Class("thumb placeholder").Aria("hidden", "true")
	}
	var body []app.UI
	body = append(body, app.H3().Class("name").Title(it.Name).Text(it.Name))
	switch status {
	case "queued":
		body = append(body, app.P().Class("wait").Text("Waiting…"))
	case "working":
		body = append(body, app.P().Class("wait working").Text("Classifying…"))
	case statusError:
		body = append(body, app.P().Class("error").Text("Could not classify this file: "+it.Err+"."))
	case statusDone:
		body = append(body, c.renderScores(ranked)...)
		body = append(body, app.P().Class("meta").Textf("%d×%d px · %.0f ms", it.W, it.H, it.MS))
	}
	return li.Body(
		thumb,
		app.Div().Class("card-body").Body(body...),
		app.Button().Type("button").Class("remove").Aria("label", "Remove "+it.Name).Title("Remove").Text("×").
			OnClick(func(ctx app.Context, e app.Event) { ctx.NewActionWithValue(actionRemove, it.ID) }),
	)
}

// renderScores lists the predicted genres, then the next best, dimmed.
func (c *card) renderScores(ranked []Score) []app.UI {
	var hits, next []Score
	for _, s := range ranked {
		if s.Predicted {
			hits = append(hits, s)
		} else if len(next) < nextBest {
			next = append(next, s)
		}
	}
	var out []app.UI
	if len(hits) == 0 {
		out = append(out, app.P().Class("none").Text("No genre above threshold"))
	} else {
		out = append(out, app.Ul().Class("scores").Aria("label", "Predicted genres").Body(
			app.Range(hits).Slice(func(i int) app.UI { return scoreRow(hits[i], "hit") }),
		))
	}
	if len(next) > 0 {
		out = append(out, app.Ul().Class("scores next").Aria("label", "Next best genres").Body(
			app.Range(next).Slice(func(i int) app.UI { return scoreRow(next[i], "miss") }),
		))
	}
	return out
}

const svgNS = "http://www.w3.org/2000/svg"

// scoreRow is one genre: name, percentage, and a bar with its threshold
// marked. The bar is SVG geometry (a viewBox of 100 units), not a style.
func scoreRow(s Score, cls string) app.UI {
	desc := fmt.Sprintf("%s %s", s.Label, Percent(s.Prob))
	if s.Threshold > 0 {
		desc += fmt.Sprintf(", threshold %s", Percent(s.Threshold))
	}
	w := fmt.Sprintf("%.2f", 100*clamp01(s.Prob))
	rects := []app.UI{
		app.Elem("rect").XMLNS(svgNS).Class("track").Attr("width", "100").Attr("height", "10"),
		app.Elem("rect").XMLNS(svgNS).Class("fill").Attr("width", w).Attr("height", "10"),
	}
	if s.Threshold > 0 {
		x := fmt.Sprintf("%.2f", 100*clamp01(s.Threshold)-0.75)
		rects = append(rects, app.Elem("rect").XMLNS(svgNS).Class("mark").Attr("x", x).Attr("width", "1.5").Attr("height", "10"))
	}
	return app.Li().Class("score "+cls).Title(desc).Body(
		app.Span().Class("genre").Text(s.Label),
		app.Span().Class("pct").Text(Percent(s.Prob)),
		app.Elem("svg").XMLNS(svgNS).Class("bar").Attr("viewBox", "0 0 100 10").
			Attr("preserveAspectRatio", "none").Aria("hidden", "true").Attr("focusable", "false").Body(rects...),
		app.Span().Class("sr-only").Text(thresholdText(s)),
	)
}

func thresholdText(s Score) string {
	if s.Threshold <= 0 {
		return ""
	}
	return ", threshold " + Percent(s.Threshold)
}

func clamp01(v float64) float64 { return max(0, min(1, v)) }
