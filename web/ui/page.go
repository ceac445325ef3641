package ui

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Register routes the app's pages. Both the wasm program and the server
// call it: go-app prerenders routed pages on the server and mounts them in
// the browser.
//
// "/" (the posters) and "/model" (how good the model is) are one component:
// navigating between routes of the same component type keeps the mounted
// instance (go-app updates it in place and calls OnNav), so the worker, the
// loaded model and the results survive a visit to the model page.
func Register() {
	app.Route("/", func() app.Composer { return &Page{} })
	app.Route(ModelPath, func() app.Composer { return &Page{} })
}

// ModelPath is the model page's route.
const ModelPath = "/model"

// Item statuses. "queued" and "working" are derived at render time: the
// worker classifies in arrival order, so the oldest unfinished poster is the
// one being worked on.
const (
	statusPending = "pending"
	statusDone    = "done"
	statusError   = "error"
)

// Item is one poster given to the page.
type Item struct {
	ID      int
	Name    string
	Status  string    // statusPending, statusDone or statusError
	Thumb   string    // object URL of the worker's downscaled copy; "" if none
	Probs   []float64 // label order, when done
	Err     string    // when Status is statusError
	W, H    int       // decoded size, when done
	Decoder string    // "go" or "browser": who decoded the file
	MS      float64   // time the worker spent, decode to probabilities

	// Cams holds, per label (label order), the 7×7 Grad-CAM map (49
	// values, row-major) the worker computed from the same forward pass;
	// all zero for a genre that cannot be predicted at any threshold
	// setting. CamsMS is what they took in the worker.
	Cams   []float32
	CamsMS float64
	// Heat is the genre whose heatmap is shown over the thumbnail ("" for
	// none).
	Heat string
	// ImageNet is the backbone's ImageNet top-5, when it was asked for.
	ImageNet []ImageNetTop
	// ImageNetErr says why the top-5 is missing when it was asked for but
	// the ImageNet classifier could not be loaded (offline, never
	// downloaded); the genres are there all the same.
	ImageNetErr string
}

// ImageNetTop is one of the backbone's ImageNet top-5 classes.
type ImageNetTop struct {
	Index  int     `json:"index"`
	Label  string  `json:"label"`
	Synset string  `json:"synset"`
	Prob   float64 `json:"prob"`
}

// Cam returns the heatmap of the given label, or nil.
func (it *Item) Cam(m *Model, label string) []float32 {
	if m == nil {
		return nil
	}
	for j, l := range m.Labels {
		if l == label && len(it.Cams) >= (j+1)*camCells {
			return it.Cams[j*camCells : (j+1)*camCells]
		}
	}
	return nil
}

// camCells is the number of cells of a heatmap (7×7).
const camCells = 49

// Page is the app: the poster pickers, the results, the model's state and
// the footer. It owns the inference worker.
type Page struct {
	app.Compo

	worker  app.Value
	assets  Assets
	release []func() // undo OnMount's listeners

	model     *Model
	fatal     string // the model could not be loaded
	loaded    int64  // model bytes received so far
	total     int64
	fromCache bool // the model came from this device's cache

	items      []*Item
	incoming   []app.Value // files dropped or picked, not yet on the page (drain)
	draining   bool        // a drain's timeout is pending (scheduleDrain)
	byID       map[int]*Item
	nextID     int
	batchStart int // index in items of the current batch's first poster
	dragging   bool
	announce   string
	controlled bool // a service worker served this page (not a first visit)
	update     bool // a new version of the app is ready

	view     string       // "model" on ModelPath, else "" (the posters)
	shift    float64      // threshold shift in logit units (Shifted), from the strict ↔ generous control
	imagenet bool         // ask the worker for the ImageNet top-5 of new posters
	inet     imagenetLoad // the worker's download of the ImageNet classifier
	filter   string       // genre label or a Filter value
	sortBy   string       // a Sort value
}

// OnNav follows the route: the posters or the model page.
func (p *Page) OnNav(ctx app.Context) {
	view := ""
	if ctx.Page().URL().Path == ModelPath {
		view = "model"
	}
	if view != p.view && app.IsClient {
		app.Window().Call("scrollTo", 0, 0)
	}
	p.view = view
	if view == "model" {
		ctx.Page().SetTitle("How good is the model · Posterity")
	} else {
		ctx.Page().SetTitle("Posterity — movie-poster genres, on your device")
	}
}

// OnMount starts the worker and listens for drops and pastes anywhere on
// the page.
func (p *Page) OnMount(ctx app.Context) {
	p.byID = map[int]*Item{}
	p.assets = assetsFromEnv()
	if sw := app.Window().Get("navigator").Get("serviceWorker"); sw.Truthy() {
		p.controlled = sw.Get("controller").Truthy()
	}
	p.total = p.assets.BackboneSize + p.assets.HeadSize
	p.startWorker(ctx)
	p.listen(ctx, "dragover", func(e app.Value) {
		e.Call("preventDefault") // allow dropping
		if dt := e.Get("dataTransfer"); dt.Truthy() {
			dt.Set("dropEffect", "copy")
		}
		if !p.dragging {
			ctx.Dispatch(func(app.Context) { p.dragging = true })
		}
	})
	p.listen(ctx, "dragleave", func(e app.Value) {
		// Leaving the window, not just moving between elements.
		if !e.Get("relatedTarget").Truthy() {
			ctx.Dispatch(func(app.Context) { p.dragging = false })
		}
	})
	p.listen(ctx, "drop", func(e app.Value) {
		e.Call("preventDefault") // do not navigate to the file
		files := filesOf(e.Get("dataTransfer"))
		ctx.Dispatch(func(ctx app.Context) {
			p.dragging = false
			p.addFiles(ctx, files)
		})
	})
	p.listen(ctx, "paste", func(e app.Value) {
		files := filesOf(e.Get("clipboardData"))
		if files.Length() == 0 {
			return // text pasted into nothing: leave it alone
		}
		e.Call("preventDefault")
		ctx.Dispatch(func(ctx app.Context) { p.addFiles(ctx, files) })
	})
}

// listen adds a window event listener whose handler runs synchronously in
// the event (go-app's own handlers run later, when preventDefault is too late
// and a DataTransfer is already emptied).
func (p *Page) listen(ctx app.Context, event string, h func(e app.Value)) {
	fn := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) > 0 {
			h(args[0])
		}
		return nil
	})
	app.Window().Call("addEventListener", event, fn)
	p.release = append(p.release, func() {
		app.Window().Call("removeEventListener", event, fn)
		fn.Release()
	})
}

// filesOf copies the files of a DataTransfer into a plain array while the
// event runs: afterwards the DataTransfer is emptied.
func filesOf(dt app.Value) app.Value {
	if !dt.Truthy() || !dt.Get("files").Truthy() {
		return app.Window().Get("Array").New()
	}
	return app.Window().Get("Array").Call("from", dt.Get("files"))
}

// OnDismount stops the worker and frees the thumbnails.
func (p *Page) OnDismount() {
	for _, r := range p.release {
		r()
	}
	p.release = nil
	if p.worker != nil && p.worker.Truthy() {
		p.worker.Call("terminate")
	}
	for _, it := range p.items {
		revoke(it.Thumb)
	}
}

// OnAppUpdate offers a reload when the service worker has installed a new
// version. On a first visit the worker's first activation also reports an
// "update", but the page already runs that version.
func (p *Page) OnAppUpdate(ctx app.Context) {
	p.update = p.controlled && ctx.AppUpdateAvailable()
}

// startWorker creates the inference worker and sends it the model's URLs.
func (p *Page) startWorker(ctx app.Context) {
	a := p.assets
	if a.Worker == "" {
		p.fatal = "The page was served without its model (no worker URL in its environment)."
		return
	}
	w := app.Window().Get("Worker").New(a.Worker, map[string]any{"name": "posterity-classifier"})
	onMessage := app.FuncOf(func(_ app.Value, args []app.Value) any {
		data := args[0].Get("data")
		ctx.Dispatch(func(ctx app.Context) { p.onMessage(ctx, data) })
		return nil
	})
	onError := app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "the classifier could not start"
		if m := args[0].Get("message"); m.Truthy() {
			msg += ": " + m.String()
		}
		ctx.Dispatch(func(app.Context) { p.fatal = msg })
		return nil
	})
	w.Set("onmessage", onMessage)
	w.Set("onerror", onError)
	p.release = append(p.release, func() { onMessage.Release(); onError.Release() })
	w.Call("postMessage", map[string]any{
		"type": "init", "wasmExec": a.WasmExec, "classifier": a.Classifier, "kernels": a.Kernels,
		"backbone": map[string]any{"url": a.Backbone, "size": a.BackboneSize},
		"head":     map[string]any{"url": a.Head, "size": a.HeadSize},
		// The ImageNet classifier: fetched by the worker only when a poster
		// first asks for the top-5, never at start.
		"imagenet": map[string]any{"url": a.ImageNet, "size": a.ImageNetSize},
		// Heatmaps are computed for every genre the most generous
		// threshold setting can predict.
		"explainShift": MaxShift,
		// ?decode=browser makes the worker decode every file in the browser,
		// which the parity test uses to measure that path.
		"decode": app.Window().URL().Query().Get("decode"),
	})
	p.worker = w
}

// onMessage applies one message of the worker (see wasm/worker.js).
func (p *Page) onMessage(ctx app.Context, d app.Value) {
	switch d.Get("type").String() {
	case "progress":
		p.loaded = int64(d.Get("loaded").Int())
		if t := int64(d.Get("total").Int()); t > 0 {
			p.total = t
		}
		// The worker says whether the service worker's cache had the files;
		// on a first visit the service worker may have just downloaded them
		// (it caches in parallel), so only a page it served counts.
		p.fromCache = p.controlled && d.Get("cached").Bool()
	case "ready":
		m, err := ParseModel(d.Get("info").String())
		if err != nil {
			p.fatal = err.Error()
			return
		}
		p.model = m
		if p.fromCache {
			p.announce = "Model ready, loaded from this device."
		} else {
			p.announce = "Model downloaded and ready."
		}
	case "fatal":
		p.fatal = d.Get("message").String()
		p.announce = "The model could not be loaded: " + p.fatal
	case "result":
		it := p.byID[d.Get("id").Int()]
		thumb := d.Get("thumb")
		if it == nil { // removed while in flight
			return
		}
		if thumb.Truthy() {
			it.Thumb = app.Window().Get("URL").Call("createObjectURL", thumb).String()
		}
		probs := d.Get("probs")
		it.Probs = make([]float64, probs.Length())
		for i := range it.Probs {
			it.Probs[i] = probs.Index(i).Float()
		}
		it.W, it.H = d.Get("width").Int(), d.Get("height").Int()
		it.MS = d.Get("ms").Float()
		it.Decoder = d.Get("decoder").String()
		it.Cams = float32s(d.Get("cams"))
		it.CamsMS = d.Get("camsMS").Float()
		if top := d.Get("imagenet"); top.Truthy() {
			for i := 0; i < top.Length(); i++ {
				e := top.Index(i)
				it.ImageNet = append(it.ImageNet, ImageNetTop{Index: e.Get("index").Int(), Label: e.Get("label").String(), Synset: e.Get("synset").String(), Prob: e.Get("prob").Float()})
			}
		}
		if e := d.Get("imagenetError"); e.Truthy() {
			it.ImageNetErr = e.String()
			if !p.inet.done {
				p.inet = imagenetLoad{} // the download failed: no progress left to show
			}
		}
		it.Status = statusDone
		p.announceResult(it)
	case "imagenet-progress":
		p.inet = imagenetLoad{loaded: int64(d.Get("loaded").Int()), total: int64(d.Get("total").Int()),
			done: d.Get("done").Truthy(), cached: d.Get("cached").Truthy()}
	case "error":
		it := p.byID[d.Get("id").Int()]
		if it == nil {
			return
		}
		it.Status = statusError
		it.Err = d.Get("message").String()
		p.announceResult(it)
	}
}

// announceResult sets the live region's text: each poster of a small batch,
// then a summary when the batch is finished.
func (p *Page) announceResult(it *Item) {
	batch := p.items[p.batchStart:]
	done, failed := p.counts()
	if done+failed == len(batch) && len(p.incoming) == 0 {
		s := fmt.Sprintf("Finished: %d of %d posters classified", done, len(batch))
		if failed > 0 {
			s += fmt.Sprintf(", %d could not be read", failed)
		}
		if len(batch) == 1 {
			s = p.describe(it)
		}
		p.announce = s + "."
		return
	}
	if len(batch) <= 5 {
		p.announce = p.describe(it)
	}
}

// describe is a poster's result in one sentence.
func (p *Page) describe(it *Item) string {
	if it.Status == statusError {
		return it.Name + ": error, " + it.Err
	}
	g := GenresAttr(p.model.RankShift(it.Probs, p.shift))
	if g == "" {
		return it.Name + ": no genre above threshold"
	}
	return it.Name + ": " + strings.ReplaceAll(g, "|", ", ")
}

// counts returns how many posters of the current batch are done and failed.
func (p *Page) counts() (done, failed int) {
	for _, it := range p.items[p.batchStart:] {
		switch it.Status {
		case statusDone:
			done++
		case statusError:
			failed++
		}
	}
	return done, failed
}

// pending reports whether some poster waits for the worker.
func (p *Page) pending() bool {
	if len(p.incoming) > 0 {
		return true
	}
	for _, it := range p.items[p.batchStart:] {
		if it.Status == statusPending {
			return true
		}
	}
	return false
}

// addFiles queues the files (a FileList or an array of File) for the worker.
// They join the page a few at a time (drain), so that dropping two hundred
// posters does not freeze the page while their cards are drawn.
func (p *Page) addFiles(ctx app.Context, files app.Value) {
	n := files.Length()
	if n == 0 {
		return
	}
	if p.byID == nil {
		p.byID = map[int]*Item{}
	}
	if !p.pending() {
		p.batchStart = len(p.items)
	}
	for i := 0; i < n; i++ {
		p.incoming = append(p.incoming, files.Index(i))
	}
	if n == 1 {
		p.announce = "Classifying 1 poster."
	} else {
		p.announce = fmt.Sprintf("Classifying %d posters.", n)
	}
	if !p.draining {
		p.draining = true
		p.scheduleDrain(ctx)
	}
}

// addChunk is how many posters join the page per task while the page is
// visible. Each new card costs the page's thread its markup, its mounting
// and its share of style and layout; on the two-core test machine a batch
// of 15 added at once held the thread for 150–190 ms, four at a time keeps
// each task well under the 100 ms responsiveness bound. A batch's first
// task adds one: it also draws the toolbar and the batch's progress, the
// most expensive frame of a batch (40–55 ms of style and layout there).
const addChunk = 4

// drain moves up to addChunk files from the incoming queue onto the page
// and to the worker, and schedules itself in a new task (a timeout, so the
// browser can draw in between) while files remain. A hidden page draws
// nothing, so it takes everything at once: background timeouts are
// throttled to one a second.
func (p *Page) drain(ctx app.Context) {
	k := addChunk
	if len(p.items) == p.batchStart {
		k = 1 // the batch's first card comes with the results' toolbar and status
	}
	hidden := app.Window().Get("document").Get("hidden").Bool()
	if hidden {
		k = len(p.incoming)
	}
	k = min(k, len(p.incoming))
	if k == 0 { // cleared since this drain was scheduled
		p.draining = false
		return
	}
	msgs := make([]any, 0, k)
	for _, f := range p.incoming[:k] {
		name := f.Get("name").String()
		if name == "" || name == "<undefined>" {
			name = fmt.Sprintf("pasted image %d", p.nextID+1)
		}
		it := &Item{ID: p.nextID, Name: name, Status: statusPending}
		p.nextID++
		p.items = append(p.items, it)
		p.byID[it.ID] = it
		msgs = append(msgs, map[string]any{"type": "classify", "id": it.ID, "file": f, "imagenet": p.imagenet})
	}
	post := func() {
		if p.worker == nil {
			return
		}
		for _, m := range msgs {
			p.worker.Call("postMessage", m)
		}
	}
	if hidden {
		post()
	} else {
		afterPaint(post)
	}
	p.incoming = append(p.incoming[:0], p.incoming[k:]...)
	p.draining = len(p.incoming) > 0
	if p.draining {
		p.scheduleDrain(ctx)
	}
}

// afterPaint runs f once the browser has drawn its next frame: a
// requestAnimationFrame callback runs just before that frame's style and
// layout, and a timeout set from it fires after the frame. drain hands new
// posters to the worker this way: on a two-core machine a worker that
// starts classifying at once takes a core from the page while it lays out
// and paints their cards (a 60–120 ms frame where tracing alone shows
// 20 ms of work). Animation frames do not run in a hidden page, so drain
// posts at once there.
func afterPaint(f func()) {
	w := app.Window()
	var raf, timeout app.Func
	timeout = app.FuncOf(func(app.Value, []app.Value) any {
		timeout.Release()
		f()
		return nil
	})
	raf = app.FuncOf(func(app.Value, []app.Value) any {
		raf.Release()
		w.Call("setTimeout", timeout, 0)
		return nil
	})
	w.Call("requestAnimationFrame", raf)
}

// scheduleDrain runs drain in a task of its own. Even the first chunk waits
// for one: the event that brought the files (a change, a drop) then ends at
// once, instead of also posting files and drawing cards, which on the test
// machine made it and the next task one pause of 100–140 ms.
func (p *Page) scheduleDrain(ctx app.Context) {
	var fn app.Func
	fn = app.FuncOf(func(app.Value, []app.Value) any {
		fn.Release()
		ctx.Dispatch(p.drain)
		return nil
	})
	app.Window().Call("setTimeout", fn, 0)
}

// onPick handles both file inputs.
func (p *Page) onPick(ctx app.Context, e app.Event) {
	input := ctx.JSSrc()
	p.addFiles(ctx, app.Window().Get("Array").Call("from", input.Get("files")))
	input.Set("value", "") // choosing the same file again fires change again
}

// onClear forgets every poster, cancelling those not yet classified.
func (p *Page) onClear(ctx app.Context, e app.Event) {
	var ids []any
	for _, it := range p.items {
		if it.Status == statusPending {
			ids = append(ids, it.ID)
		}
		revoke(it.Thumb)
	}
	if len(ids) > 0 && p.worker != nil {
		p.worker.Call("postMessage", map[string]any{"type": "cancel", "ids": ids})
	}
	p.items, p.byID, p.batchStart = nil, map[int]*Item{}, 0
	p.incoming = nil // a pending drain finds nothing left and stops
	p.announce = "Cleared all posters."
}

// remove forgets one poster.
func (p *Page) remove(id int) {
	it := p.byID[id]
	if it == nil {
		return
	}
	if it.Status == statusPending && p.worker != nil {
		p.worker.Call("postMessage", map[string]any{"type": "cancel", "ids": []any{id}})
	}
	revoke(it.Thumb)
	delete(p.byID, id)
	for i, x := range p.items {
		if x.ID == id {
			p.items = append(p.items[:i], p.items[i+1:]...)
			if i < p.batchStart {
				p.batchStart--
			}
			break
		}
	}
	p.announce = "Removed " + it.Name + "."
}

func (p *Page) onReload(ctx app.Context, e app.Event) { ctx.Reload() }

// revoke frees an object URL.
func revoke(url string) {
	if url != "" && app.IsClient {
		app.Window().Get("URL").Call("revokeObjectURL", url)
	}
}

// float32s copies a Float32Array into Go through its bytes (one copy, not a
// call per value); nil when v is not one.
func float32s(v app.Value) []float32 {
	if !v.Truthy() || !v.Get("buffer").Truthy() {
		return nil
	}
	n := v.Length()
	b := make([]byte, 4*n)
	u8 := app.Window().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), 4*n)
	app.CopyBytesToGo(b, u8)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// onCardClick handles the cards' buttons (data-action "remove" or "heat",
// data-id, data-genre): the cards are raw HTML, so one listener on their
// list serves them all. A pressed button is replaced when its card is drawn
// again, so keyboard focus is put back on its successor.
func (p *Page) onCardClick(ctx app.Context, e app.Event) {
	b := e.Get("target")
	if !b.Truthy() || b.Get("closest").IsUndefined() {
		return
	}
	if b = b.Call("closest", "button[data-action]"); !b.Truthy() {
		return
	}
	d := b.Get("dataset")
	id, err := strconv.Atoi(d.Get("id").String())
	if err != nil {
		return
	}
	var focus string // CSS selector of the element to focus after the update
	switch d.Get("action").String() {
	case "remove":
		if next := p.neighbour(id); next >= 0 {
			focus = fmt.Sprintf(`button.remove[data-id="%d"]`, next)
		}
		p.remove(id)
	case "heat":
		genre := d.Get("genre").String()
		p.toggleHeat(heatRequest{ID: id, Genre: genre})
		focus = fmt.Sprintf(`button.heat-toggle[data-id="%d"][data-genre="%s"]`, id,
			app.Window().Get("CSS").Call("escape", genre).String())
	default:
		return
	}
	ctx.Defer(func(app.Context) {
		doc := app.Window().Get("document")
		el := doc.Call("querySelector", "#posters")
		if focus != "" {
			if f := doc.Call("querySelector", focus); f.Truthy() {
				el = f
			}
		}
		el.Call("focus")
	})
}

// neighbour is the ID of the poster after id in the list, or before it when
// it is the last; −1 when it is the only one.
func (p *Page) neighbour(id int) int {
	for i, it := range p.items {
		if it.ID != id {
			continue
		}
		switch {
		case i+1 < len(p.items):
			return p.items[i+1].ID
		case i > 0:
			return p.items[i-1].ID
		}
	}
	return -1
}

// imagenetLoad is what the worker said about the ImageNet classifier, which
// it fetches the first time a poster asks for the top-5 (1.3 MB, then kept
// on the device).
type imagenetLoad struct {
	loaded, total int64
	done          bool // attached
	cached        bool // from this device, nothing downloaded
}

// heatRequest asks the page to show or hide one genre's heatmap on a card.
type heatRequest struct {
	ID    int
	Genre string
}

// toggleHeat shows the genre's heatmap over the poster, or hides it when
// it is already shown (one genre at a time per poster).
func (p *Page) toggleHeat(r heatRequest) {
	it := p.byID[r.ID]
	if it == nil {
		return
	}
	if it.Heat == r.Genre {
		it.Heat = ""
		p.announce = "Heatmap hidden."
		return
	}
	it.Heat = r.Genre
	p.announce = "Showing where " + it.Name + " looks like " + r.Genre + "."
}

// onShift follows the strict ↔ generous control: only the rendering
// changes, nothing is classified again.
func (p *Page) onShift(ctx app.Context, e app.Event) {
	v, err := strconv.ParseFloat(ctx.JSSrc().Get("value").String(), 64)
	if err != nil {
		return
	}
	p.shift = max(-MaxShift, min(MaxShift, v))
	// A heatmap stays on only while its genre is predicted.
	for _, it := range p.items {
		if it.Heat != "" && it.Status == statusDone && !strings.Contains("|"+GenresAttr(p.model.RankShift(it.Probs, p.shift))+"|", "|"+it.Heat+"|") {
			it.Heat = ""
		}
	}
}

func (p *Page) onImageNet(ctx app.Context, e app.Event) {
	p.imagenet = ctx.JSSrc().Get("checked").Bool()
}

func (p *Page) onFilter(ctx app.Context, e app.Event) { p.filter = ctx.JSSrc().Get("value").String() }
func (p *Page) onSort(ctx app.Context, e app.Event)   { p.sortBy = ctx.JSSrc().Get("value").String() }

// onExport downloads every result, at the current threshold setting, as
// CSV or JSON.
func (p *Page) onExport(kind string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if kind == "csv" {
			download("posterity-results.csv", "text/csv;charset=utf-8", p.model.ExportCSV(p.items, p.shift))
		} else {
			download("posterity-results.json", "application/json", p.model.ExportJSON(p.items, p.shift))
		}
		p.announce = fmt.Sprintf("Exported %d results as %s.", len(p.items), strings.ToUpper(kind))
	}
}

// download saves text as a file: a Blob behind an object URL on an anchor
// with a download attribute, clicked; the URL is revoked a minute later
// (the browser reads it asynchronously when the download starts).
func download(name, mime, text string) {
	w := app.Window()
	blob := w.Get("Blob").New([]any{text}, map[string]any{"type": mime})
	urls := w.Get("URL")
	url := urls.Call("createObjectURL", blob)
	a := w.Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Call("click")
	w.Call("setTimeout", urls.Get("revokeObjectURL").Call("bind", urls, url), 60000)
}
