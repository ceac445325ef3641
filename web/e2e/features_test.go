//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"posterity/model/head"
	"posterity/model/imagenet"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
)

// galleryPosters is how many posters the gallery check classifies at once:
// POSTERITY_GALLERY, default 60. Issue 7 asks for two hundred, which runs
// as one batch the same way (POSTERITY_GALLERY=200); measured on a 2-core
// machine oversubscribed by training jobs (load average 21): 200 posters in
// 2 min 16 s, 681 ms each, too long for CI's time budget of the whole
// suite, so CI classifies 60.
func galleryPosters() int {
	if n, err := strconv.Atoi(os.Getenv("POSTERITY_GALLERY")); err == nil && n > 0 {
		return n
	}
	return 60
}

// TestFeatures checks issue 7's features in Chromium against one "posterity
// serve": heatmaps, the model page, the threshold control, the ImageNet
// top-5 and the two-hundred-poster gallery with its exports.
func TestFeatures(t *testing.T) {
	c := loadConfig(t)
	srv := startServer(t, c, c.static, "127.0.0.1:0")
	checks := []struct {
		name string
		run  func(t *testing.T, c config, srv *server)
	}{
		{"heatmap, thresholds, model page", testExplainAndThresholds},
		{"imagenet top-5", testImageNet},
		{"gallery", testGallery},
	}
	for _, ck := range checks {
		t.Run(ck.name, func(t *testing.T) { ck.run(t, c, srv) })
	}
	if *screenshots {
		t.Run("screenshots", func(t *testing.T) { takeFeatureScreenshots(t, c, srv) })
	}
	srv.stop(t)
}

// shifted is ui.Shifted: the threshold moved by shift in logit space.
func shifted(t, shift float64) float64 {
	if shift == 0 || t <= 0 || t >= 1 {
		return t
	}
	return 1 / (1 + math.Exp(-(math.Log(t/(1-t)) - shift)))
}

// wantGenres is data-genres as the head and a threshold shift predict it
// from a card's probabilities.
func wantGenres(h *head.Head, probs map[string]float64, shift float64) string {
	type gp struct {
		g string
		p float64
	}
	var hits []gp
	for j, l := range h.Labels {
		if p := probs[l]; p >= shifted(float64(h.Thresholds[j]), shift) {
			hits = append(hits, gp{l, p})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].p > hits[b].p })
	var names []string
	for _, x := range hits {
		names = append(names, x.g)
	}
	return strings.Join(names, "|")
}

// setRange moves the threshold control as a person dragging it would: the
// value, then an input event.
func setRange(t *testing.T, b *browser, v float64) {
	t.Helper()
	eval[bool](t, b, fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid="threshold-control"]');
		r.value = %q; r.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, fmt.Sprint(v)))
}

// heatmapCells clicks a card's heatmap toggle for genre and returns the
// overlay's 49 values.
func heatmapCells(t *testing.T, b *browser, file, genre string) []float64 {
	t.Helper()
	card := fmt.Sprintf(`document.querySelector('[data-testid="result"][data-file=%s]')`, jsonString(file))
	eval[bool](t, b, fmt.Sprintf(`(() => { %s.querySelector('[data-testid="heatmap-toggle"][data-genre=%s]').click(); return true; })()`, card, jsonString(genre)))
	waitFor(t, b, fmt.Sprintf(`%s.querySelector('[data-testid="heatmap"][data-genre=%s]')`, card, jsonString(genre)), 10*time.Second)
	var cells []float64
	s := eval[string](t, b, fmt.Sprintf(`%s.querySelector('[data-testid="heatmap"]').dataset.cells`, card))
	if err := json.Unmarshal([]byte(s), &cells); err != nil {
		t.Fatalf("data-cells %q: %v", s, err)
	}
	return cells
}

// testExplainAndThresholds: a heatmap per predicted genre, the same map for
// the same poster in another browser; the strict ↔ generous control
// changes the predicted genres without classifying again; the model page
// has a row for every genre and keeps the results.
func testExplainAndThresholds(t *testing.T, c config, srv *server) {
	files := c.posters[:4]
	b := newBrowser(t, c, 1280, 900)
	b.openApp(t, srv.url)
	b.upload(t, files...)
	rs := b.waitFinished(t, len(files), 2*time.Minute)
	for _, r := range rs {
		checkResult(t, c.head, r)
	}

	// Heatmaps: every predicted genre has a toggle.
	var file, genre string
	for _, r := range rs {
		want := strings.Split(r.Genres, "|")
		if r.Genres == "" {
			want = nil
		}
		got := eval[[]string](t, b, fmt.Sprintf(`Array.from(document.querySelector('[data-testid="result"][data-file=%s]').querySelectorAll('[data-testid="heatmap-toggle"]')).map((e) => e.dataset.genre)`, jsonString(r.File)))
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: heatmap toggles for %q, want one per predicted genre %q", r.File, got, want)
		}
		if file == "" && len(want) > 0 {
			file, genre = r.File, want[0]
		}
	}
	if file == "" {
		t.Fatalf("no poster of %d has a predicted genre", len(rs))
	}
	start := time.Now()
	cells := heatmapCells(t, b, file, genre)
	shown := time.Since(start)
	camsMS := eval[string](t, b, fmt.Sprintf(`document.querySelector('[data-testid="result"][data-file=%s]').dataset.camsMs`, jsonString(file)))
	if len(cells) != 49 {
		t.Fatalf("heatmap of %s/%s has %d cells, want 7×7", file, genre, len(cells))
	}
	peak := 0.0
	for _, v := range cells {
		if v < 0 || v > 1 || math.IsNaN(v) {
			t.Errorf("heatmap value %v outside [0, 1]", v)
		}
		peak = max(peak, v)
	}
	if peak != 1 {
		t.Errorf("heatmap of %s/%s peaks at %v, want 1 (normalized by its maximum)", file, genre, peak)
	}
	t.Logf("heatmap %s/%s: shown %v after the click; the worker computed the maps of this poster in %s ms", file, genre, shown.Round(time.Millisecond), camsMS)
	// Pressed, then toggled off.
	if p := eval[string](t, b, `document.querySelector('[data-testid="heatmap-toggle"][aria-pressed="true"]').dataset.genre`); p != genre {
		t.Errorf("pressed toggle %q, want %q", p, genre)
	}
	eval[bool](t, b, fmt.Sprintf(`(() => { document.querySelector('[data-testid="result"][data-file=%s] [data-testid="heatmap-toggle"][data-genre=%s]').click(); return true; })()`, jsonString(file), jsonString(genre)))
	waitFor(t, b, `!document.querySelector('[data-testid="heatmap"]')`, 10*time.Second)

	// The keyboard: Enter on a focused toggle shows the map, and focus stays
	// on the toggle although the card is drawn anew; Enter again hides it.
	toggle := fmt.Sprintf(`document.querySelector('[data-testid="result"][data-file=%s] [data-testid="heatmap-toggle"][data-genre=%s]')`, jsonString(file), jsonString(genre))
	focused := fmt.Sprintf(`document.activeElement === %s`, toggle)
	eval[bool](t, b, toggle+`.focus() || true`)
	b.do(t, chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, `!!document.querySelector('[data-testid="heatmap"]')`, 10*time.Second)
	waitFor(t, b, focused+` && `+toggle+`.getAttribute("aria-pressed") === "true"`, 5*time.Second)
	b.do(t, chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, `!document.querySelector('[data-testid="heatmap"]')`, 10*time.Second)
	waitFor(t, b, focused, 5*time.Second)

	// Determinism: the same poster in a fresh browser gives the same map.
	b2 := newBrowser(t, c, 1280, 900)
	b2.openApp(t, srv.url)
	var path string
	for _, f := range files {
		if filepath.Base(f) == file {
			path = f
		}
	}
	b2.upload(t, path)
	b2.waitFinished(t, 1, time.Minute)
	again := heatmapCells(t, b2, file, genre)
	if fmt.Sprint(again) != fmt.Sprint(cells) {
		t.Errorf("heatmap of %s/%s differs between two runs:\n%v\n%v", file, genre, cells, again)
	}
	finish(t, b2)

	// Thresholds: generous adds genres, strict removes them, live.
	before := eval[string](t, b, `Array.from(document.querySelectorAll('[data-testid="result"]')).map((e) => e.dataset.probs + (e.querySelector("img") || {}).src).join()`)
	count := func(rs []result) (n int) {
		for _, r := range rs {
			if r.Genres != "" {
				n += len(strings.Split(r.Genres, "|"))
			}
		}
		return n
	}
	base := count(rs)
	for _, step := range []struct {
		shift float64
		more  bool
	}{{1.5, true}, {-1.5, false}, {0, false}} {
		setRange(t, b, step.shift)
		want := map[string]string{}
		for _, r := range rs {
			want[r.File] = wantGenres(c.head, r.Probs, step.shift)
		}
		waitFor(t, b, fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="result"]')).every((e) => (e.dataset.genres || "") === (%s)[e.dataset.file])`, mustJSON(want)), 10*time.Second)
		got := b.results(t)
		n := count(got)
		switch {
		case step.shift > 0 && n <= base:
			t.Errorf("generous (%+.1f): %d predicted genres over the posters, want more than the %d at the tuned thresholds", step.shift, n, base)
		case step.shift < 0 && n >= base:
			t.Errorf("strict (%+.1f): %d predicted genres, want fewer than %d", step.shift, n, base)
		case step.shift == 0 && n != base:
			t.Errorf("back at the tuned thresholds: %d predicted genres, want %d", n, base)
		}
		// Every bar keeps its threshold mark.
		if rows, marks := eval[int](t, b, `document.querySelectorAll(".score").length`), eval[int](t, b, `document.querySelectorAll(".score .mark").length`); rows != marks || rows == 0 {
			t.Errorf("shift %+.1f: %d bars, %d threshold marks", step.shift, rows, marks)
		}
		t.Logf("shift %+.2f (odds ×%.2f): %d predicted genres over %d posters (%d at the tuned thresholds)", step.shift, math.Exp(-step.shift), n, len(got), base)
	}
	if after := eval[string](t, b, `Array.from(document.querySelectorAll('[data-testid="result"]')).map((e) => e.dataset.probs + (e.querySelector("img") || {}).src).join()`); after != before {
		t.Errorf("moving the threshold control changed probabilities or thumbnails: the posters were classified again")
	}

	// The model page, from a result card's link; the results survive.
	eval[bool](t, b, `(() => { document.querySelector('[data-testid="result"] [data-testid="model-link"]').click(); return true; })()`)
	waitFor(t, b, fmt.Sprintf(`location.pathname === "/model" && document.querySelectorAll('[data-testid="metrics-row"]').length === %d`, len(c.head.Labels)), 10*time.Second)
	checkModelPage(t, c, b)
	eval[bool](t, b, `(() => { document.querySelector(".model-page a.back").click(); return true; })()`)
	waitFor(t, b, fmt.Sprintf(`location.pathname === "/" && document.querySelectorAll('[data-testid="result"][data-status="done"]').length === %d`, len(files)), 10*time.Second)
	if n := eval[int](t, b, `document.querySelectorAll('footer [data-testid="model-link"]').length`); n != 1 {
		t.Errorf("%d model links in the footer, want 1", n)
	}
	finish(t, b)

	// The model page loaded directly.
	b3 := newBrowser(t, c, 1280, 900)
	b3.do(t, chromedp.Navigate(srv.url+"/model"))
	waitFor(t, b3, fmt.Sprintf(`document.querySelectorAll('[data-testid="metrics-row"]').length === %d`, len(c.head.Labels)), 90*time.Second)
	checkModelPage(t, c, b3)
	finish(t, b3)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkModelPage checks the model page against the head: a table row per
// genre with its test-split numbers, a curve per stored curve, the summary
// metrics said to be test-split numbers, the training size and the
// backbone's licence.
func checkModelPage(t *testing.T, c config, b *browser) {
	t.Helper()
	rows := eval[[]struct {
		Genre string   `json:"genre"`
		Cells []string `json:"cells"`
	}](t, b, `Array.from(document.querySelectorAll('[data-testid="metrics-row"]')).map((r) => ({genre: r.dataset.genre, cells: Array.from(r.cells).map((c) => c.textContent)}))`)
	if len(rows) != len(c.head.Labels) {
		t.Fatalf("%d metric rows, want %d", len(rows), len(c.head.Labels))
	}
	for i, l := range c.head.Labels {
		if rows[i].Genre != l || rows[i].Cells[0] != l {
			t.Errorf("row %d is %q, want %q", i, rows[i].Genre, l)
		}
		if i < len(c.head.PerLabel) {
			m := c.head.PerLabel[i]
			want := []string{l, fmt.Sprintf("%.2f", m.Precision), fmt.Sprintf("%.2f", m.Recall), fmt.Sprintf("%.2f", m.F1), fmt.Sprint(m.Support)}
			if strings.Join(rows[i].Cells[:5], " ") != strings.Join(want, " ") {
				t.Errorf("row %s: %q, want %q", l, rows[i].Cells[:5], want)
			}
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid="pr-curve"] polyline').length`); n != len(c.head.Curves) {
		t.Errorf("%d precision–recall curves, want %d", n, len(c.head.Curves))
	}
	text := eval[string](t, b, `document.querySelector(".model-page").innerText`)
	for _, want := range []string{
		fmt.Sprintf("%.3f", c.head.Metrics["micro_f1"]), fmt.Sprintf("%.3f", c.head.Metrics["macro_f1"]),
		"test split", "Apache-2.0", "ONNX Model Zoo", "MobileNetV2", fmt.Sprintf("%d posters trained", int(c.head.Metrics["n_train"])),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the model page does not say %q", want)
		}
	}
	if v, ok := c.head.Metrics["ece"]; ok && !strings.Contains(text, fmt.Sprintf("%.3f", v)) {
		t.Errorf("the model page does not show the calibration error %.3f", v)
	}
}

// imagenetTop5 is the reference top-5 (synsets) of a poster: the engine's
// full pass (Engine.Logits) on the poster preprocessed with the head's
// resize policy, as the page's worker preprocesses it. (The CLI's
// "classify --imagenet" always squashes, so it agrees only for a squash
// head.)
func imagenetTop5(t *testing.T, c config, files []string) map[string][]string {
	t.Helper()
	net, err := mobilenet.LoadFiles(filepath.Join(c.static, "web", "backbone.pstb"), filepath.Join(c.static, "web", "imagenet.pstb"))
	if err != nil {
		t.Fatal(err)
	}
	policy := imageprep.Squash
	if c.head.Preprocess != "" {
		if policy, err = imageprep.ParsePolicy(c.head.Preprocess); err != nil {
			t.Fatal(err)
		}
	}
	labels := imagenet.Labels()
	e := net.NewEngine()
	in := make([]float32, mobilenet.InputLen)
	logits := make([]float32, mobilenet.NumClasses)
	out := map[string][]string{}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := imageprep.Decode(r, imageprep.DefaultLimits())
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := imageprep.Preprocess(img, policy, in); err != nil {
			t.Fatal(err)
		}
		if err := e.Logits(in, logits); err != nil {
			t.Fatal(err)
		}
		idx := make([]int, len(logits))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
		for _, i := range idx[:5] {
			syn, _, _ := strings.Cut(labels[i], " ")
			out[filepath.Base(f)] = append(out[filepath.Base(f)], syn)
		}
	}
	return out
}

// testImageNet: with the setting on, each new poster lists the backbone's
// ImageNet top-5, the classes of the engine's full pass on the same input;
// with it off, none. The ImageNet classifier (imagenet.pstb) is a file of
// its own: nothing requests it until the setting is on, the worker then
// fetches it once, and keeps it, so that a reload offline still lists the
// top-5.
func testImageNet(t *testing.T, c config, srv *server) {
	files := c.posters[4:6]
	cli := imagenetTop5(t, c, files)
	mark := len(srv.requests())
	b := newBrowser(t, c, 1280, 900)
	b.openApp(t, srv.url)
	b.upload(t, files[0])
	b.waitFinished(t, 1, time.Minute)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid="imagenet"]').length`); n != 0 {
		t.Errorf("%d ImageNet lists with the setting off", n)
	}
	// The service worker has cached the app by now: its pre-cache must not
	// have fetched the classifier either.
	waitFor(t, b, `navigator.serviceWorker.controller !== null`, 60*time.Second)
	var before []string
	for _, r := range srv.requests()[mark:] {
		before = append(before, r.URI)
		if strings.HasPrefix(r.URI, "/web/imagenet.pstb") {
			t.Errorf("%s was requested before the ImageNet setting was turned on", r.URI)
		}
	}
	mark = len(srv.requests())
	b.do(t, chromedp.Click(chromedp.CSS(`[data-testid="imagenet-toggle"]`)))
	waitFor(t, b, `document.querySelector('[data-testid="imagenet-toggle"]').checked`, 5*time.Second)
	b.upload(t, files...)
	b.waitFinished(t, 3, time.Minute)
	topJS := `Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="result"]')).filter((e) => e.querySelector('[data-testid="imagenet"]')).map((e) =>
		[e.dataset.file, Array.from(e.querySelectorAll('[data-testid="imagenet"] li')).map((li) => li.dataset.synset)]))`
	got := eval[map[string][]string](t, b, topJS)
	for _, f := range files {
		name := filepath.Base(f)
		if strings.Join(got[name], " ") != strings.Join(cli[name], " ") {
			t.Errorf("%s: ImageNet top-5 %q, the engine's full pass says %q", name, got[name], cli[name])
		}
	}
	text := shownText(t, b, `.imagenet`)
	if !strings.Contains(text, "ImageNet") {
		t.Errorf("the top-5 is not labelled as ImageNet classes: %q", text)
	}
	var fetched []request
	for _, r := range srv.requests()[mark:] {
		if strings.HasPrefix(r.URI, "/web/imagenet.pstb") {
			fetched = append(fetched, r)
		}
	}
	if len(fetched) != 1 || !strings.Contains(fetched[0].URI, "?v=") || fetched[0].Status != 200 {
		t.Errorf("after the setting was turned on, imagenet.pstb was requested %d times (%+v), want once at its content-addressed URL", len(fetched), fetched)
	} else {
		t.Logf("imagenet.pstb: not among the %d requests before the setting, then fetched once for %d posters (%d bytes sent)", len(before), len(files), fetched[0].Bytes)
	}
	t.Logf("ImageNet top-5 in the page equals the engine's full pass (%s preprocessing) for %d posters: %q", c.head.Preprocess, len(files), got)
	if load := shownText(t, b, `[data-testid="imagenet-load"]`); !strings.Contains(load, "ImageNet classifier downloaded (1.3 MB)") {
		t.Errorf("after the download, the ImageNet switch says %q, want what was downloaded", load)
	}

	// Offline, in a new page (a new worker): the classifier comes from the
	// worker's cache, and the top-5 is the same.
	waitFor(t, b, `caches.open("posterity-imagenet").then((c) => c.keys()).then((k) => k.length === 1)`, 10*time.Second)
	b.goOffline(t)
	mark = len(srv.requests())
	b.do(t, chromedp.Reload())
	waitFor(t, b, `document.querySelector(".model-state.ready")`, 60*time.Second)
	b.do(t, chromedp.Click(chromedp.CSS(`[data-testid="imagenet-toggle"]`)))
	waitFor(t, b, `document.querySelector('[data-testid="imagenet-toggle"]').checked`, 5*time.Second)
	b.upload(t, files[1])
	b.waitFinished(t, 1, time.Minute)
	got = eval[map[string][]string](t, b, topJS)
	if name := filepath.Base(files[1]); strings.Join(got[name], " ") != strings.Join(cli[name], " ") {
		t.Errorf("offline, from the worker's cache: %s: ImageNet top-5 %q, want %q (card: %q)", name, got[name], cli[name],
			shownText(t, b, `[data-testid="result"]`))
	}
	for _, r := range srv.requests()[mark:] {
		t.Errorf("offline, the server got %s", r.URI)
	}
	if load := shownText(t, b, `[data-testid="imagenet-load"]`); load != "ImageNet classifier loaded from this device." {
		t.Errorf("offline, the ImageNet switch says %q, want that the classifier came from this device", load)
	}
	finish(t, b)
}

// testGallery gives the page two hundred posters at once: all finish, the
// page keeps only small thumbnails and its JavaScript heap stays bounded;
// the filter and sort work; the CSV and JSON exports hold every result.
func testGallery(t *testing.T, c config, srv *server) {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(c.posters[0]), "*.jpg"))
	sort.Strings(names)
	n := galleryPosters()
	files := make([]string, n)
	for i := range files {
		files[i] = names[(i*len(names))/n+1] // +1: beside the other checks' posters
	}
	b := newBrowser(t, c, 1280, 900)
	// Keep a handle on app.wasm's linear memory (the page's Go heap, which
	// the JS heap numbers do not include; it only ever grows, so its size is
	// the Go heap's high-water mark).
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
		const orig = WebAssembly.instantiateStreaming;
		WebAssembly.instantiateStreaming = async (...a) => { const r = await orig(...a); window.__wasmMem = r.instance.exports.mem; return r; };
	})()`}); err != nil {
		t.Fatal(err)
	}
	b.openApp(t, srv.url)
	wasmMB := func() float64 {
		return eval[float64](t, b, `window.__wasmMem ? window.__wasmMem.buffer.byteLength / 1e6 : -1`)
	}
	wasm0 := wasmMB()
	heap := func() (used, backing float64) {
		if _, err := chromedp.Call(b.ctx, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		r, err := chromedp.Call(b.ctx, runtime.GetHeapUsage, cdp.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		return r.UsedSize / 1e6, r.BackingStorageSize / 1e6
	}
	used0, backing0 := heap()
	start := time.Now()
	b.upload(t, files...)
	// Overall progress while it runs.
	waitFor(t, b, `document.getElementById("batch-progress") && document.getElementById("batch-progress").value >= 1`, time.Minute)
	rs := b.waitFinished(t, len(files), 6*time.Minute)
	elapsed := time.Since(start)
	done := 0
	for _, r := range rs {
		if r.Status == "done" {
			done++
			checkResult(t, c.head, r)
		}
	}
	if done != len(files) {
		t.Errorf("%d of %d posters done", done, len(files))
	}
	if p := eval[string](t, b, `document.getElementById("batch-label").textContent`); p != fmt.Sprintf("%d of %d classified", len(files), len(files)) {
		t.Errorf("progress %q", p)
	}
	used1, backing1 := heap()
	wasm1 := wasmMB()
	thumbs := eval[map[string]float64](t, b, `(() => { const imgs = Array.from(document.querySelectorAll("img.thumb"));
		return {n: imgs.length, maxSide: Math.max(...imgs.map((i) => Math.max(i.naturalWidth, i.naturalHeight))),
		        blobs: imgs.filter((i) => i.src.startsWith("blob:")).length,
		        perfUsed: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : -1}; })()`)
	t.Logf("gallery: %d posters in %v (%.0f ms each); page's JS heap after GC %.1f MB before, %.1f MB after (performance.memory %.1f MB); array-buffer backing store %.1f → %.1f MB; app.wasm's linear memory (the page's Go heap) %.1f → %.1f MB; %v thumbnails, largest side %v px",
		len(files), elapsed.Round(time.Second), float64(elapsed.Milliseconds())/float64(len(files)), used0, used1, thumbs["perfUsed"], backing0, backing1, wasm0, wasm1, thumbs["n"], thumbs["maxSide"])
	if thumbs["n"] != float64(len(files)) || thumbs["blobs"] != float64(len(files)) || thumbs["maxSide"] > 160 {
		t.Errorf("thumbnails: %v, want %d blob: images of at most 160 px", thumbs, len(files))
	}
	// Bounded: the page's JavaScript heap (go-app's and the DOM's objects;
	// the Go heaps live in wasm memory, not counted here) grows by well
	// under a megabyte per poster.
	if growth := used1 - used0; growth > 0.25*float64(len(files)) {
		t.Errorf("the JS heap grew by %.1f MB over %d posters", growth, len(files))
	}
	if growth := wasm1 - wasm0; growth > 0.5*float64(len(files)) {
		t.Errorf("app.wasm's memory grew by %.1f MB over %d posters", growth, len(files))
	}

	// Filter by the most common predicted genre, then sort by it.
	counts := map[string]int{}
	for _, r := range rs {
		for _, g := range strings.Split(r.Genres, "|") {
			if g != "" {
				counts[g]++
			}
		}
	}
	genre := ""
	for _, l := range c.head.Labels {
		if genre == "" || counts[l] > counts[genre] {
			genre = l
		}
	}
	eval[bool](t, b, fmt.Sprintf(`(() => { const s = document.querySelector('[data-testid="filter-genre"]'); s.value = %s; s.dispatchEvent(new Event("change", {bubbles: true}));
		const o = document.querySelector('[data-testid="sort"]'); o.value = "prob"; o.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, jsonString(genre)))
	waitFor(t, b, fmt.Sprintf(`document.querySelectorAll('[data-testid="result"]').length === %d`, counts[genre]), 10*time.Second)
	shown := b.results(t)
	for i, r := range shown {
		if !strings.Contains("|"+r.Genres+"|", "|"+genre+"|") {
			t.Errorf("filter %s shows %s (%q)", genre, r.File, r.Genres)
		}
		if i > 0 && r.Probs[genre] > shown[i-1].Probs[genre] {
			t.Errorf("sorted by %s probability, but %s (%v) follows %s (%v)", genre, r.File, r.Probs[genre], shown[i-1].File, shown[i-1].Probs[genre])
		}
	}
	t.Logf("filter %s: %d of %d posters, sorted by its probability", genre, len(shown), len(rs))

	// Exports: the Blob behind the anchor's object URL is read as the
	// download would read it (not with fetch: the page's connect-src does
	// not allow blob: URLs).
	eval[bool](t, b, `(() => { window.__downloads = []; const blobs = new Map();
		const create = URL.createObjectURL;
		URL.createObjectURL = (b) => { const u = create(b); blobs.set(u, b); return u; };
		HTMLAnchorElement.prototype.click = function () {
			const blob = blobs.get(this.href);
			window.__downloads.push({name: this.download, href: this.href, text: blob ? blob.text() : Promise.resolve("")});
		}; return true; })()`)
	b.do(t, chromedp.Click(chromedp.CSS(`[data-testid="export-csv"]`)), chromedp.Click(chromedp.CSS(`[data-testid="export-json"]`)))
	waitFor(t, b, `window.__downloads.length === 2`, 10*time.Second)
	type download struct{ Name, Href, Text string }
	dl := eval[[]download](t, b, `Promise.all(window.__downloads.map(async (d) => ({name: d.name, href: d.href, text: await d.text})))`)
	byFile := map[string]result{}
	for _, r := range rs {
		byFile[r.File] = r
	}
	for _, d := range dl {
		if !strings.HasPrefix(d.Href, "blob:") {
			t.Errorf("%s: href %q, want a blob: URL", d.Name, d.Href)
		}
		switch d.Name {
		case "posterity-results.csv":
			lines := strings.Split(strings.TrimSpace(d.Text), "\n")
			if len(lines) != len(files)+1 || !strings.HasPrefix(lines[0], "file,status,genres,error,"+strings.Join(c.head.Labels, ",")) {
				t.Errorf("CSV: %d lines, header %q", len(lines), lines[0])
			}
			t.Logf("CSV export: %d bytes, %d rows", len(d.Text), len(lines)-1)
		case "posterity-results.json":
			var doc struct {
				Posters []struct {
					File   string             `json:"file"`
					Status string             `json:"status"`
					Genres []string           `json:"genres"`
					Probs  map[string]float64 `json:"probs"`
				} `json:"posters"`
			}
			if err := json.Unmarshal([]byte(d.Text), &doc); err != nil {
				t.Fatalf("JSON export: %v", err)
			}
			if len(doc.Posters) != len(files) {
				t.Errorf("JSON export has %d posters, want %d", len(doc.Posters), len(files))
			}
			for _, p := range doc.Posters {
				r := byFile[p.File]
				if p.Status != r.Status || strings.Join(p.Genres, "|") != r.Genres || float32(p.Probs[genre]) != float32(r.Probs[genre]) {
					t.Errorf("JSON export of %s: %s %q, the card %s %q", p.File, p.Status, p.Genres, r.Status, r.Genres)
				}
			}
			t.Logf("JSON export: %d bytes, %d posters", len(d.Text), len(doc.Posters))
		default:
			t.Errorf("unexpected download %q", d.Name)
		}
	}
	finish(t, b)
}

// takeFeatureScreenshots writes docs/screenshot-model.png (the model page)
// and docs/screenshot-heatmap.png (a card with a genre's heatmap on).
func takeFeatureScreenshots(t *testing.T, c config, srv *server) {
	write := func(b *browser, name string) {
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(c.root, "docs", name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", p)
	}
	b := newBrowser(t, c, 1280, 900)
	b.openApp(t, srv.url)
	b.upload(t, c.posters[:6]...)
	rs := b.waitFinished(t, 6, 2*time.Minute)
	for _, r := range rs {
		if r.Genres != "" {
			heatmapCells(t, b, r.File, strings.Split(r.Genres, "|")[0])
		}
	}
	eval[bool](t, b, `(() => { document.querySelector(".results").scrollIntoView(); return true; })()`)
	time.Sleep(300 * time.Millisecond)
	write(b, "screenshot-heatmap.png")
	eval[bool](t, b, `(() => { document.querySelector('footer [data-testid="model-link"]').click(); return true; })()`)
	waitFor(t, b, `document.querySelectorAll('[data-testid="metrics-row"]').length > 0`, 10*time.Second)
	b.do(t, chromedp.EmulateViewport(1280, 1700))
	time.Sleep(300 * time.Millisecond)
	write(b, "screenshot-model.png")
}
