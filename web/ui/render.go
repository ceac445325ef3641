package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

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
			app.If(p.view == "model", func() app.UI { return p.renderModelPage() }).Else(func() app.UI {
				return app.Div().Body(
					p.renderPicker(),
					p.renderStatus(),
					p.renderSettings(),
					p.renderResults(),
				)
			}),
			app.P().ID("announce").Class("sr-only").Role("status").Aria("live", "polite").Aria("atomic", "true").Text(p.announce),
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
	if n := len(p.items) - p.batchStart + len(p.incoming); n > 0 {
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
	shown := p.items
	if p.model != nil && (p.filter != FilterAll || (p.sortBy != "" && p.sortBy != SortAdded)) {
		shown = p.model.View(p.items, p.filter, p.sortBy, p.shift)
	}
	var empty app.UI
	if len(shown) == 0 && len(p.items) > 0 {
		empty = app.P().Class("empty").Text("No poster matches this filter.")
	}
	return app.Section().Class("results").Aria("labelledby", "results-title").Body(
		app.H2().ID("results-title").Class(hiddenIf(len(p.items) == 0)).Text("Results"),
		p.renderToolbar(),
		empty,
		app.Ol().Class("cards").OnClick(p.onCardClick).Body(
			app.Range(shown).Slice(func(i int) app.UI {
				it := shown[i]
				return newCard(it, p.model, it.ID == working, p.shift)
			}),
		),
	)
}

// renderSettings draws the strict ↔ generous threshold control and the
// ImageNet switch.
func (p *Page) renderSettings() app.UI {
	return app.Section().Class("settings").Aria("label", "Settings").Body(
		app.Div().Class("threshold").Body(
			app.Label().For("threshold").Class("setting-title").Text("Genre thresholds"),
			app.Div().Class("range").Body(
				app.Span().Aria("hidden", "true").Text("Strict"),
				app.Input().Type("range").ID("threshold").Name("threshold").
					DataSet("testid", "threshold-control").
					Min(-MaxShift).Max(MaxShift).Step(ShiftStep).Value(strconv.FormatFloat(p.shift, 'g', -1, 64)).
					Aria("describedby", "threshold-text").Aria("valuetext", ShiftText(p.shift)).
					OnInput(p.onShift),
				app.Span().Aria("hidden", "true").Text("Generous"),
			),
			app.P().ID("threshold-text").Class("help").Text(ShiftText(p.shift)+" Results update at once; nothing is classified again."),
		),
		app.Div().Class("switch").Body(
			app.Input().Type("checkbox").ID("imagenet").Name("imagenet").DataSet("testid", "imagenet-toggle").
				Checked(p.imagenet).Aria("describedby", "imagenet-text").OnChange(p.onImageNet),
			app.Label().For("imagenet").Text("Show what the backbone sees"),
			app.P().ID("imagenet-text").Class("help").Text(
				"The ImageNet top-5 of the MobileNetV2 backbone (not genres), for posters added from now on."),
			p.renderImageNetLoad(),
		),
	)
}

// renderImageNetLoad says how the ImageNet classifier's download goes: its
// progress in bytes, then where it came from. Nothing before it is asked for.
func (p *Page) renderImageNetLoad() app.UI {
	l := p.inet
	switch {
	case l.total == 0 && !l.done:
		return nil
	case l.done && l.cached:
		return app.P().Class("help").DataSet("testid", "imagenet-load").Text("ImageNet classifier loaded from this device.")
	case l.done:
		return app.P().Class("help").DataSet("testid", "imagenet-load").
			Textf("ImageNet classifier downloaded (%s) and kept on this device.", FormatBytes(l.total))
	}
	return app.Div().Class("help").DataSet("testid", "imagenet-load").Body(
		app.Label().For("imagenet-progress").Textf("Downloading the ImageNet classifier: %s of %s", FormatBytes(l.loaded), FormatBytes(l.total)),
		app.Progress().ID("imagenet-progress").Max(max(l.total, 1)).Value(min(l.loaded, l.total)),
	)
}

// renderToolbar draws the gallery's filter, sort and export controls.
//
// It is drawn from the start, hidden (and inert) while there are no posters:
// created with a batch's first card, it made that frame the longest of the
// batch (the timer test's longest gap went from 70–87 ms to 53–75 ms when it
// was already there).
func (p *Page) renderToolbar() app.UI {
	done := 0
	counts := map[string]int{}
	var none, errs int
	for _, it := range p.items {
		switch it.Status {
		case statusDone:
			done++
			g := GenresAttr(p.model.RankShift(it.Probs, p.shift))
			if g == "" {
				none++
			}
			for _, l := range strings.Split(g, "|") {
				counts[l]++
			}
		case statusError:
			errs++
		}
	}
	opt := func(value, text string, sel string) app.UI {
		return app.Option().Value(value).Selected(value == sel).Text(text)
	}
	filters := []app.UI{opt(FilterAll, fmt.Sprintf("All posters (%d)", len(p.items)), p.filter)}
	if p.model != nil {
		for _, l := range p.model.Labels {
			filters = append(filters, opt(l, fmt.Sprintf("%s (%d)", l, counts[l]), p.filter))
		}
	}
	filters = append(filters, opt(FilterNone, fmt.Sprintf("No genre (%d)", none), p.filter),
		opt(FilterErrors, fmt.Sprintf("Errors (%d)", errs), p.filter))
	sortBy := p.sortBy
	if sortBy == "" {
		sortBy = SortAdded
	}
	probText := "Top genre's probability"
	if p.filter != FilterAll && p.filter[0] != '!' {
		probText = p.filter + " probability"
	}
	toolbar := app.Div().Class("toolbar")
	if len(p.items) == 0 {
		toolbar = app.Div().Class("toolbar idle").Aria("hidden", "true").Attr("inert", "inert")
	}
	return toolbar.Body(
		app.Div().Class("field").Body(
			app.Label().For("filter-genre").Text("Show"),
			app.Select().ID("filter-genre").DataSet("testid", "filter-genre").OnChange(p.onFilter).Body(filters...),
		),
		app.Div().Class("field").Body(
			app.Label().For("sort").Text("Sort by"),
			app.Select().ID("sort").DataSet("testid", "sort").OnChange(p.onSort).Body(
				opt(SortAdded, "Order added", sortBy),
				opt(SortName, "File name", sortBy),
				opt(SortProb, probText, sortBy),
			),
		),
		app.Div().Class("field export").Body(
			app.Button().Type("button").Class("button quiet").DataSet("testid", "export-csv").Disabled(done == 0 || p.model == nil).
				Text("Export CSV").OnClick(p.onExport("csv")),
			app.Button().Type("button").Class("button quiet").DataSet("testid", "export-json").Disabled(done == 0 || p.model == nil).
				Text("Export JSON").OnClick(p.onExport("json")),
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
			app.P().Body(app.A().Href(ModelPath).DataSet("testid", "model-link").Text("How good is the model? Metrics, curves and provenance")),
			app.P().Class("small").Text(
				"Your posters never leave this device: the page decodes and classifies them in a background worker, and makes no network request with them. Works offline once loaded."),
		),
	)
}

// card is one poster's result. It is a component so that a page update only
// re-renders the cards whose fields changed. go-app compares every card's
// exported fields at every update (reflect.DeepEqual for all but scalars),
// so they are kept cheap to compare: the item by pointer, plus the two
// item fields whose change must redraw it. Everything else an Item shows is
// set together with its Status (onMessage).
type card struct {
	app.Compo
	Item    *Item
	Status  string // Item.Status
	Heat    string // Item.Heat
	Model   *Model
	Working bool
	Shift   float64 // threshold shift (Shifted)
}

// newCard is the card of it.
func newCard(it *Item, m *Model, working bool, shift float64) *card {
	return &card{Item: it, Status: it.Status, Heat: it.Heat, Model: m, Working: working, Shift: shift}
}

// Render draws the card as raw HTML (cardhtml.go).
func (c *card) Render() app.UI {
	return app.Raw(cardHTML(c.Item, c.Model, c.Working, c.Shift))
}

// camViewBox is the SVG viewBox, in units of the 7×7 map, that covers a
// w×h poster under the head's resize policy (imageprep.Policy): the map
// covers the sampled region, so for "squash" the poster is exactly the map
// (0 0 7 7); for "pad" (a letterbox of side max(w, h)) the poster is a
// centred band of the map; for "crop" (the centred square of side
// min(w, h)) the poster extends beyond the map. Offsets use integer
// division, as imageprep does.
func camViewBox(policy string, w, h int) string {
	if w <= 0 || h <= 0 {
		return "0 0 7 7"
	}
	nx, ny, offX, offY := w, h, 0, 0
	switch strings.ToLower(policy) {
	case "crop":
		side := min(w, h)
		nx, ny, offX, offY = side, side, (w-side)/2, (h-side)/2
	case "pad":
		side := max(w, h)
		nx, ny, offX, offY = side, side, -((side - w) / 2), -((side - h) / 2)
	}
	ux, uy := 7/float64(nx), 7/float64(ny)
	return fmt.Sprintf("%.4g %.4g %.4g %.4g", float64(-offX)*ux, float64(-offY)*uy, float64(w)*ux, float64(h)*uy)
}

// heatColor maps a heatmap value in [0, 1] from yellow (low) to red (high).
func heatColor(v float64) string {
	v = clamp01(v)
	g := int(220 - 190*v)
	return fmt.Sprintf("#ff%02x%02x", g, int(40*(1-v)))
}

const svgNS = "http://www.w3.org/2000/svg"

func thresholdText(s Score) string {
	if s.Threshold <= 0 {
		return ""
	}
	return ", threshold " + Percent(s.Threshold)
}

func clamp01(v float64) float64 { return max(0, min(1, v)) }
