package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// fileSize is one file's raw and compressed sizes.
type fileSize struct {
	Name      string
	Raw, Gzip int64
	Brotli    int64 // quality 11, for the files the site serves as brotli (wasm, scripts); 0 for the others
}

// served is what the file costs a browser that accepts brotli and gzip, as
// the site serves it.
func (f fileSize) served() int64 {
	if f.Brotli > 0 {
		return f.Brotli
	}
	return f.Gzip
}

// report is everything one run measured.
type report struct {
	Options        options
	Machine        string
	Versions       map[string]string
	Duration       time.Duration
	FloatStats     map[string]int
	FloatAgree     int   // golden posters whose float32 top-1 equals the int8 one
	Golden         []int // the golden top-1 classes (onnxruntime-node agrees)
	FloatTop1      []int
	ModelBytes     int64
	FloatBytes     int64
	ShippedKernels bool // static/web has kernels.wasm (a WASM_TAGS=wasmkernels build)
	Native         nativeResult
	Browser        *browserResult
	Memory         []memPoint
	First, Repeat  visit
	OurFiles       []fileSize
	ORTFiles       []fileSize
	ORTFloatModel  fileSize
	Notes          []string
	HeadQuantized  bool // the shipped head.bin stores int8 weights
	HeadHidden     int
	LoadStart      string // /proc/loadavg when the run started and ended
	LoadEnd        string
}

// target is one line of issue #5's verdict.
type target struct {
	Name     string
	Measured float64
	Goal     string // as issue #5 writes it
	Pass     bool
}

func (t target) line() string {
	v := "MISS"
	if t.Pass {
		v = "PASS"
	}
	return fmt.Sprintf("TARGET %s %s %s %s", t.Name, trimFloat(t.Measured), t.Goal, v)
}

func trimFloat(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func (r *report) ms(name string) Summary { return summarize(r.Browser.Times[name]) }

// ortBest1 is onnxruntime-web's best single-thread median and its name.
func (r *report) ortBest1() (float64, string) {
	a, b := r.ms(engORTInt8x1).Median, r.ms(engORTF32x1).Median
	if b > 0 && b < a {
		return b, engORTF32x1
	}
	return a, engORTInt8x1
}

// ortNode2 is onnxruntime-node's best 2-thread throughput and its name.
func (r *report) ortNode2() (float64, string) {
	a, b := summarize(r.Native[natORT2]).Median, summarize(r.Native[natORTPair]).Median
	if b > a {
		return b, natORTPair
	}
	return a, natORT2
}

func (r *report) targets() []target {
	ours := r.ms(engShippedPixels).Median
	best, _ := r.ortBest1()
	node2, _ := r.ortNode2()
	ratio := ours / best
	nat := summarize(r.Native[natOurs2]).Median / node2
	mb := float64(r.First.UntilResult) / 1e6
	return []target{
		{"browser_ms_vs_ort_web", ratio, "0.7", ratio <= 0.7},
		{"browser_ms", ours, "30", ours <= 30},
		{"native_vs_ort_node", nat, "1.0", nat >= 1.0},
		{"first_visit_mb", mb, "5", mb <= 5},
	}
}

// browserOrder is the order of the browser table's rows.
var browserOrder = []string{
	engShippedPixels, engKernelsPixels, engPlainPixels,
	engORTInt8x1, engORTF32x1, engORTInt8x2, engORTF32x2,
	engShippedGo, engShippedBrowser, engKernelsGo, engKernelsBrowser,
}

// rows returns the browser table: name, summary, ratio to ORT-web's best
// single-thread median.
func (r *report) browserRows() [][3]string {
	best, _ := r.ortBest1()
	var out [][3]string
	for _, name := range browserOrder {
		s := r.ms(name)
		if s.N == 0 {
			continue
		}
		out = append(out, [3]string{name, s.format(1), fmt.Sprintf("%.2f×", s.Median/best)})
	}
	return out
}

// kernelsOf is the "kernels" field of an engine's ready message.
func (r *report) kernelsOf(name string) string {
	raw, ok := r.Browser.Info[name]
	if !ok {
		return ""
	}
	var ready struct {
		Info string `json:"info"`
	}
	if json.Unmarshal(raw, &ready) != nil {
		return ""
	}
	var info struct {
		Kernels string `json:"kernels"`
	}
	json.Unmarshal([]byte(ready.Info), &info)
	return info.Kernels
}

func (r *report) stageSummaries(name string) (dec, pre, bb, hd Summary, flip bool) {
	var d, p, b, h []float64
	for _, s := range r.Browser.Stages[name] {
		d, p, b, h = append(d, s.Decode), append(p, s.Preprocess), append(b, s.Backbone), append(h, s.Head)
		flip = flip || s.Flip
	}
	return summarize(d), summarize(p), summarize(b), summarize(h), flip
}

var nativeOrder = []string{natOurs1, natORT1, natOurs2, natORT2, natORTPair}

// table is the plain-text summary printed at the end of make bench.
func (r *report) table() string {
	var b strings.Builder
	best, bestName := r.ortBest1()
	fmt.Fprintf(&b, "\nBrowser, ms per poster, median (min–max) of %d interleaved rounds; ratio to %s (%.1f ms)\n", r.ms(engShippedPixels).N, bestName, best)
	for _, row := range r.browserRows() {
		fmt.Fprintf(&b, "  %-86s %-22s %s\n", row[0], row[1], row[2])
	}
	for _, name := range []string{engPlainStages, engKernelsStages} {
		d, p, bb, h, _ := r.stageSummaries(name)
		fmt.Fprintf(&b, "  %-34s decode %.2f, preprocess %.2f, backbone %.1f, head %.2f ms (medians)\n", name+":", d.Median, p.Median, bb.Median, h.Median)
	}
	node2, node2Name := r.ortNode2()
	fmt.Fprintf(&b, "\nNative feature extraction, posters/s, median (min–max) of %d rounds; ratio to %s\n", len(r.Native[natOurs1]), node2Name)
	for _, name := range nativeOrder {
		s := summarize(r.Native[name])
		fmt.Fprintf(&b, "  %-44s %-22s %.2f×\n", name, s.format(0), s.Median/node2)
	}
	fmt.Fprintf(&b, "\nFirst visit: %.2f MB until the first result (%.2f MB once the service worker settled); repeat visit %d bytes\n",
		float64(r.First.UntilResult)/1e6, float64(r.First.Settled)/1e6, r.Repeat.Settled)
	var ortSum int64
	for _, f := range r.ORTFiles {
		ortSum += f.served()
	}
	fmt.Fprintf(&b, "ORT-web runtime + int8 model, brotli for the runtime, gzip for the model: %.2f MB (no page, no app around it)\n", float64(ortSum)/1e6)
	if n := len(r.Memory); n >= 2 {
		a, z := r.Memory[0], r.Memory[n-1]
		fmt.Fprintf(&b, "Worker memory, wasm linear memory: %.1f MiB after %d, %.1f MiB after %d; measureUserAgentSpecificMemory (worker): %.1f MiB → %.1f MiB\n",
			mib(a.WasmBytes), a.Count, mib(z.WasmBytes), z.Count, mib(a.UA.Bytes), mib(z.UA.Bytes))
	}
	fmt.Fprintf(&b, "float32 copy: top-1 equal to the int8 model's on %d of %d golden posters\n", r.FloatAgree, len(r.Golden))
	return b.String()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// markdown is BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Benchmarks\n\n")
	w("Written by `make bench` (bench/, issue #5) on %s in %v. Every table compares engines measured in the same run; ", time.Now().UTC().Format("2006-01-02 15:04 UTC"), r.Duration.Round(time.Second))
	w("browser engines take turns poster by poster (the order rotates each round), native ones block by block. ")
	w("Medians, with min–max; the machine has 2 shared cores, so single numbers move by tens of percent between runs, ratios much less.\n\n")
	w("- Machine: %s; load average (1, 5, 15 min) %s at the start, %s at the end: other work shared the cores\n", r.Machine, r.LoadStart, r.LoadEnd)
	w("- Versions: Go %s (GOEXPERIMENT=simd), Chromium %s (headless), node %s, onnxruntime-web %s, onnxruntime-node %s\n",
		r.Versions["Go"], r.Versions["Chromium"], r.Versions["node"], r.Versions["onnxruntime-web"], r.Versions["onnxruntime-node"])
	w("- Model: `mobilenetv2-12-int8.onnx` (sha256 %s…, %d bytes) and its float32 copy (bench/onnxf32: %d bytes; top-1 equal to the int8 model's on %d of %d golden posters)\n",
		modelSHA256[:12], r.ModelBytes, r.FloatBytes, r.FloatAgree, len(r.Golden))
	shipped := "the Makefile's default (no tag): the archsimd kernels compiled into classifier.wasm, no kernels.wasm"
	if r.ShippedKernels {
		shipped = "WASM_TAGS=wasmkernels: classifier.wasm with the generated kernel module kernels.wasm"
	}
	w("- Shipped build (static/web as `make static` left it): %s; kernels reported by the worker: `%s`\n", shipped, r.kernelsOf(engShippedPixels))
	w("- Bench copies (build/bench/engines, `-tags benchstages`, labelled below): plain `%s`; wasmkernels `%s`\n\n",
		r.kernelsOf(engPlainStages), r.kernelsOf(engKernelsStages))

	w("## Targets\n\n| target | measured | goal | verdict |\n|---|---|---|---|\n")
	for _, t := range r.targets() {
		v := "MISS"
		if t.Pass {
			v = "PASS"
		}
		w("| `%s` | %s | %s | %s |\n", t.Name, trimFloat(t.Measured), t.Goal, v)
	}
	best, bestName := r.ortBest1()
	w("\n`browser_ms` is the shipped build with 224×224 pixels in hand; `browser_ms_vs_ort_web` divides it by %s (%.1f ms), the faster of ORT-web's single-thread variants. ", bestName, best)
	node2, node2Name := r.ortNode2()
	w("`native_vs_ort_node` divides our 2-goroutine throughput by %s (%.0f posters/s), the better of ORT-node's two 2-thread setups. ", node2Name, node2)
	w("`first_visit_mb` counts the response bodies the server sent (brotli for the wasm and scripts, gzip for the weights) from navigation until the first result card showed.\n\n")

	w("## 1. Browser, one poster at a time (ms)\n\n")
	w("%d warm-up rounds, then %d rounds over the 12 golden posters (up to %d, fewer when the time budget ran out). *Pixels in hand*: `posterityClassify(224, 224, rgba)` timed inside the worker (preprocess + backbone + head). ", r.Options.warmup, r.ms(engShippedPixels).N, r.Options.rounds)
	w("*File → worker.js → result*: the app's own wasm/worker.js given the poster's JPEG (182 px wide, ~10–20 kB) as a Blob; its `ms` runs from taking the poster off its queue to posting the result, thumbnail (createImageBitmap + JPEG encode) included. ")
	w("ORT-web: `session.run` on the same poster's normalized float32 tensor, inside a module worker, `executionProviders: [\"wasm\"]`, graph optimization `all`.\n\n")
	w("| engine | median (min–max) | ratio to ORT-web best 1-thread |\n|---|---|---|\n")
	for _, row := range r.browserRows() {
		w("| %s | %s | %s |\n", row[0], row[1], row[2])
	}
	w("\n### Stages of our engine (ms, median (min–max), from the Go side of a `-tags benchstages` build)\n\n")
	w("| build | decode (Go, JPEG) | preprocess | backbone | head |\n|---|---|---|---|---|\n")
	var flip bool
	for _, name := range []string{engPlainStages, engKernelsStages} {
		d, p, bb, h, f := r.stageSummaries(name)
		flip = flip || f
		w("| %s | %s | %s | %s | %s |\n", strings.TrimPrefix(name, "stages: "), d.format(2), p.format(2), bb.format(1), h.format(2))
	}
	if flip {
		w("\nThe head is flip-averaged: the app runs the backbone twice per poster; the breakdown times one pass.\n")
	}

	w("\n## 2. Native feature extraction (posters/s)\n\n")
	w("Our engine in the bench process (GOEXPERIMENT=simd, one Engine per goroutine, stopping at the 1280-d feature) against onnxruntime-node on the whole int8 model (its extra pool + 1280×1000 classifier is about 0.4 %% of the work). Blocks of %d posters per core, %d rounds.\n\n", nativeBatch, len(r.Native[natOurs1]))
	w("| configuration | posters/s, median (min–max) | ratio to %s |\n|---|---|---|\n", node2Name)
	for _, name := range nativeOrder {
		s := summarize(r.Native[name])
		w("| %s | %s | %.2f× |\n", name, s.format(0), s.Median/node2)
	}

	w("\n## 3. Bytes of a visit (compressed, as sent)\n\n")
	w("The shipped app served by package site (what `posterity serve` runs: brotli at quality 11 for the wasm programs and scripts, gzip -9 for the rest), a fresh Chromium profile, one poster chosen through the file input. ")
	w("First visit: %.2f MB of response bodies until the first result (%.1f s after navigation), %.2f MB once the service worker finished caching. ",
		float64(r.First.UntilResult)/1e6, r.First.ResultMS/1000, float64(r.First.Settled)/1e6)
	w("Chromium's own count for the page target (encodedDataLength, headers included, without the worker's and service worker's requests): %.2f MB. ", float64(r.First.CDPPage)/1e6)
	w("Repeat visit (reload, one more poster): %d bytes.\n\n", r.Repeat.Settled)
	w("| first visit, by file | bytes sent |\n|---|---|\n")
	for _, f := range byFile(r.First.Files) {
		w("| %s | %d |\n", f.Path, f.Bytes)
	}
	if len(r.Repeat.Files) > 0 {
		w("\nRepeat visit requests:")
		for _, f := range r.Repeat.Files {
			w(" `%s` (%d)", f.Path, f.Bytes)
		}
		w("\n")
	}
	w("\n| file | raw | gzip -9 | brotli 11 (served for wasm and scripts) |\n|---|---|---|---|\n")
	br := func(f fileSize) string {
		if f.Brotli == 0 {
			return "–"
		}
		return fmt.Sprint(f.Brotli)
	}
	var ours, ort int64
	for _, f := range r.OurFiles {
		name := f.Name
		if onDemand(f.Name) {
			name += " (on demand, not in a first visit)"
		}
		w("| ours: %s | %d | %d | %s |\n", name, f.Raw, f.Gzip, br(f))
		if f.Name != "app.wasm" && !onDemand(f.Name) {
			ours += f.served()
		}
	}
	for _, f := range r.ORTFiles {
		w("| ORT-web: %s | %d | %d | %s |\n", f.Name, f.Raw, f.Gzip, br(f))
		ort += f.served()
	}
	w("| ORT-web: %s | %d | %d | – |\n", r.ORTFloatModel.Name, r.ORTFloatModel.Raw, r.ORTFloatModel.Gzip)
	w("\nEngine and model only (no page), each file as served (brotli for wasm and scripts, gzip for weights): ours %.2f MB (worker, wasm_exec.js, classifier.wasm, kernels.wasm if shipped, backbone, head; not the on-demand ImageNet classifier) vs ORT-web %.2f MB (runtime .mjs + .wasm + int8 model). The app's page (go-app, app.wasm) comes on top of ours.\n",
		float64(ours)/1e6, float64(ort)/1e6)

	w("\n## 4. Worker memory\n\n")
	w("A fresh worker with the shipped build classifies JPEGs from the data set (200 different posters in turn, decoded in Go, the app's default path, no thumbnails).\n\n")
	w("| classifications | wasm linear memory | measureUserAgentSpecificMemory, the worker | ms per classification |\n|---|---|---|---|\n")
	for _, m := range r.Memory {
		ua := fmt.Sprintf("%.1f MiB", mib(m.UA.Bytes))
		if m.UA.Error != "" {
			ua = m.UA.Error
		}
		w("| %d | %.1f MiB | %s | %.1f |\n", m.Count, mib(m.WasmBytes), ua, m.MS/float64(max(m.Count-prevCount(r.Memory, m.Count), 1)))
	}
	w("\nWasm memory never shrinks, so equal numbers mean the Go heap did not need to grow between the two readings.\n")

	w("\n## What limits us (computed from this run)\n\n")
	for _, l := range r.limits() {
		w("- %s\n", l)
	}
	if len(r.Notes) > 0 {
		w("\n## Notes from this run\n\n")
		for _, n := range r.Notes {
			w("- %s\n", n)
		}
	}
	w("\n## Reproduce\n\n```sh\nmake bench                        # needs ../shared, node, npm and /usr/bin/chromium\nmake bench WASM_TAGS=wasmkernels  # the same, with the app built with the kernel module\n```\n")
	return b.String()
}

// prevCount is the checkpoint before count (0 for the first).
func prevCount(ms []memPoint, count int) int {
	prev := 0
	for _, m := range ms {
		if m.Count == count {
			return prev
		}
		prev = m.Count
	}
	return 0
}

// limits explains the misses with this run's own numbers.
func (r *report) limits() []string {
	var out []string
	best, bestName := r.ortBest1()
	shipped := r.ms(engShippedPixels).Median
	_, pre, bbPlain, hd, _ := r.stageSummaries(engPlainStages)
	dec, _, bbKern, _, _ := r.stageSummaries(engKernelsStages)
	kern := r.ms(engKernelsPixels)
	if r.ShippedKernels {
		kern = r.ms(engShippedPixels)
	}
	if !r.ShippedKernels {
		out = append(out, fmt.Sprintf("The shipped worker does not use the generated wasm kernel module: `make static` builds classifier.wasm without `WASM_TAGS=wasmkernels`, so the app runs the `simd/archsimd` kernels (`%s`). "+
			"The wasmkernels bench copy, same engine with the module, takes %.1f ms with pixels in hand (%.2f× %s) against the shipped %.1f ms. Building the app with the tag (and serving kernels.wasm) is the single largest browser win available.",
			r.kernelsOf(engShippedPixels), kern.Median, kern.Median/best, bestName, shipped))
	}
	out = append(out, fmt.Sprintf("Stages (medians): the backbone is %.1f ms with the archsimd kernels and %.1f ms with the kernel module; preprocessing (%.2f ms), the head (%.2f ms) and Go's JPEG decode of these small posters (%.2f ms) are not the bottleneck.",
		bbPlain.Median, bbKern.Median, pre.Median, hd.Median, dec.Median))
	o1, n1 := summarize(r.Native[natOurs1]).Median, summarize(r.Native[natORT1]).Median
	o2 := summarize(r.Native[natOurs2]).Median
	node2, node2Name := r.ortNode2()
	busy := ""
	if o2 < 1.5*o1 {
		busy = "; other processes had the cores, so neither side got both"
	}
	out = append(out, fmt.Sprintf("Native: one goroutine gives %.0f posters/s against onnxruntime-node's %.0f on one thread (%.2f×); two goroutines %.0f against %s's %.0f. "+
		"Both run their int8 GEMMs on AVX-512 VNNI where the CPU has it (VPDPBUSD: u8×s8 products summed four at a time into int32): ORT's CPU provider, and ours in generated Go assembly (model/kernels/pointwise_vnni_amd64.s, for the pointwise layers and the stem), since `simd/archsimd` has no VPDPBUSD (design.md §4). "+
		"Two goroutines scale %.2f× over one here%s.",
		o1, n1, o1/n1, o2, node2Name, node2, o2/o1, busy))
	if p, i1 := summarize(r.Native[natORTPair]).Median, n1; p < 1.3*i1 {
		out = append(out, fmt.Sprintf("Two onnxruntime-node sessions with 1 thread each, run from one node process at once, gave %.0f posters/s against %.0f for one session: the two did not add up (their runs did not overlap, or the cores were busy).", p, i1))
	}
	var bb, app, cls int64
	for _, f := range r.OurFiles {
		switch f.Name {
		case "backbone.pstb":
			bb = f.Gzip
			out = append(out, fmt.Sprintf("First visit: the int8 weights barely compress (backbone.pstb, the layers up to the 1280-d feature, %.2f MB raw → %.2f MB gzip, %.0f %%): the backbone alone is %.0f %% of the 5 MB goal.",
				float64(f.Raw)/1e6, float64(f.Gzip)/1e6, 100*float64(f.Gzip)/float64(f.Raw), 100*float64(f.Gzip)/5e6))
		case "head.bin":
			out = append(out, fmt.Sprintf("The genre head (head.bin) is %.2f MB raw → %.2f MB gzip.", float64(f.Raw)/1e6, float64(f.Gzip)/1e6))
		case "imagenet.pstb":
			out = append(out, fmt.Sprintf("The ImageNet classifier (imagenet.pstb, %.2f MB raw → %.2f MB gzip) is a file of its own that the worker fetches only when someone turns on the ImageNet top-5: it is not part of the first visit.",
				float64(f.Raw)/1e6, float64(f.Gzip)/1e6))
		case "app.wasm":
			app = f.served()
		case "classifier.wasm":
			cls = f.served()
		}
	}
	if bb > 0 {
		out = append(out, fmt.Sprintf("The rest of the first visit is two Go programs, each with its own runtime, as issue #4 specifies (the page in go-app, the engine in a worker without it): app.wasm %.2f MB and classifier.wasm %.2f MB as served (brotli). go-app links net/http and crypto/tls into the page's program.",
			float64(app)/1e6, float64(cls)/1e6))
	}
	for _, f := range r.OurFiles {
		if f.Name == "head.bin" && !r.HeadQuantized {
			out = append(out, fmt.Sprintf("head.bin is stored as float32 (%d hidden units): %.2f MB gzip; the head format's int8-row encoding (head.SaveOptions.Quantize8) is about 4× smaller.", r.HeadHidden, float64(f.Gzip)/1e6))
		}
	}
	if n := len(r.Memory); n >= 2 {
		a, z := r.Memory[0], r.Memory[n-1]
		verdict := "no growth"
		if z.WasmBytes > a.WasmBytes {
			verdict = fmt.Sprintf("grew by %.1f MiB", mib(z.WasmBytes-a.WasmBytes))
			k := n - 1
			for k > 0 && r.Memory[k-1].WasmBytes == z.WasmBytes {
				k--
			}
			if k < n-1 {
				verdict += fmt.Sprintf(", all of it by %d classifications, then flat up to %d: a plateau (the Go heap reaching its GC target over posters of different sizes), not a leak", r.Memory[k].Count, z.Count)
			}
		}
		out = append(out, fmt.Sprintf("Memory: the worker's wasm memory was %.1f MiB after %d classifications and %.1f MiB after %d (%s).", mib(a.WasmBytes), a.Count, mib(z.WasmBytes), z.Count, verdict))
	}
	return out
}

// onDemand reports whether a file of ours is fetched only when a feature
// asks for it, never on a first visit: the ImageNet classifier.
func onDemand(name string) bool { return name == "imagenet.pstb" }
