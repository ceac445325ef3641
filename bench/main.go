package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"posterity/bench/onnxf32"
	"posterity/internal/atomicfile"
	"posterity/internal/benchmd"
	"posterity/model/head"
	"posterity/model/mobilenet"
	"posterity/model/onnx"
	"posterity/web/site"
)

// options are the command's flags.
type options struct {
	shared, static, engines, modules, chromium, work, out string
	warmup, rounds, nativeRounds, memory                  int
	browserBudget, nativeBudget, deadline                 time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.shared, "shared", "../shared", "the shared folder: models/ (the ONNX model, golden posters) and data/posters/images")
	flag.StringVar(&o.static, "static", "static", "the folder \"make static\" built (its web/ is the shipped app)")
	flag.StringVar(&o.engines, "engines", "build/bench/engines", "the bench copies of classifier.wasm: plain/ and wasmkernels/ (make bench builds them)")
	flag.StringVar(&o.modules, "modules", "bench/node_modules", "where npm installed onnxruntime-web and onnxruntime-node")
	flag.StringVar(&o.chromium, "chromium", "/usr/bin/chromium", "the Chromium to run")
	flag.StringVar(&o.work, "work", "build/bench/run", "scratch folder (emptied at start)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "the report to write")
	flag.IntVar(&o.warmup, "warmup", 3, "browser and native warm-up rounds, not counted")
	flag.IntVar(&o.rounds, "rounds", 60, "browser rounds (every engine classifies one poster per round)")
	flag.IntVar(&o.nativeRounds, "native-rounds", 40, "native rounds (every configuration runs one block per round)")
	flag.DurationVar(&o.browserBudget, "browser-budget", 3*time.Minute, "stop the browser rounds early after this long, once 20 are counted (keeps make bench within 15 minutes on a loaded machine)")
	flag.DurationVar(&o.nativeBudget, "native-budget", time.Minute, "likewise for the native rounds")
	flag.DurationVar(&o.deadline, "deadline", 12*time.Minute, "the memory run stops at its next checkpoint after this long since the start (the first visit still follows)")
	flag.IntVar(&o.memory, "memory", 1000, "classifications before the second memory reading")
	flag.Parse()
	t0 := time.Now()
	r, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	r.Duration = time.Since(t0)
	text := r.markdown()
	if old, err := os.ReadFile(o.out); err == nil {
		if sec := benchmd.LoadSection(string(old)); sec != "" {
			text = benchmd.ReplaceLoadSection(text, sec)
		}
	}
	if err := atomicfile.Write(o.out, []byte(text)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Print(r.table())
	fmt.Printf("\nwrote %s in %v\n\n", o.out, r.Duration.Round(time.Second))
	for _, t := range r.targets() {
		fmt.Println(t.line())
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// Engine names, as the report shows them.
const (
	engShippedPixels  = "ours, shipped build: 224×224 pixels in hand"
	engPlainPixels    = "ours, plain bench copy: 224×224 pixels in hand"
	engKernelsPixels  = "ours, wasmkernels bench copy: 224×224 pixels in hand"
	engShippedGo      = "ours, shipped build: file → worker.js → result (Go decode, the default)"
	engShippedBrowser = "ours, shipped build: file → worker.js → result (createImageBitmap decode)"
	engKernelsGo      = "ours, wasmkernels bench copy: file → worker.js → result (Go decode)"
	engKernelsBrowser = "ours, wasmkernels bench copy: file → worker.js → result (createImageBitmap decode)"
	engPlainStages    = "stages: plain bench copy"
	engKernelsStages  = "stages: wasmkernels bench copy"
	engORTInt8x1      = "onnxruntime-web, int8 model, 1 thread"
	engORTInt8x2      = "onnxruntime-web, int8 model, 2 threads"
	engORTF32x1       = "onnxruntime-web, float32 copy, 1 thread"
	engORTF32x2       = "onnxruntime-web, float32 copy, 2 threads"
)

// run does every measurement and returns the report.
func run(o options) (*report, error) {
	start := time.Now()
	r := &report{Options: o, LoadStart: benchmd.LoadAverage()}
	defer func() { r.LoadEnd = benchmd.LoadAverage() }()
	if err := os.RemoveAll(o.work); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return nil, err
	}
	work, err := filepath.Abs(o.work)
	if err != nil {
		return nil, err
	}
	// The models: the int8 file, checked, and its float32 copy.
	int8Path := filepath.Join(o.shared, "models", "mobilenetv2-12-int8.onnx")
	int8Bytes, err := checkModel(int8Path)
	if err != nil {
		return nil, err
	}
	m, err := onnx.Decode(int8Bytes)
	if err != nil {
		return nil, err
	}
	floatModel, stats, err := onnxf32.Convert(m)
	if err != nil {
		return nil, err
	}
	r.FloatStats = stats
	f32Path := filepath.Join(work, "mobilenetv2-12-float32.onnx")
	if err := os.WriteFile(f32Path, floatModel, 0o644); err != nil {
		return nil, err
	}
	r.ModelBytes, r.FloatBytes = int64(len(int8Bytes)), int64(len(floatModel))
	posters, err := loadPosters(o.shared, work)
	if err != nil {
		return nil, err
	}
	// The shipped app: a snapshot of static/web, so that a "make static" in
	// another shell cannot change it under the run.
	shipped := filepath.Join(work, "shipped", "web")
	if err := copyDir(shipped, filepath.Join(o.static, "web")); err != nil {
		return nil, err
	}
	for _, f := range []string{"classifier.wasm", "worker.js", "wasm_exec.js", "backbone.pstb", "imagenet.pstb", "head.bin", "app.wasm"} {
		if _, err := os.Stat(filepath.Join(shipped, f)); err != nil {
			return nil, fmt.Errorf("%s/web/%s is missing: run \"make static\" (head.bin: \"make train\")", o.static, f)
		}
	}
	_, err = os.Stat(filepath.Join(shipped, "kernels.wasm"))
	r.ShippedKernels = err == nil
	for _, v := range []string{"plain", "wasmkernels"} {
		if _, err := os.Stat(filepath.Join(o.engines, v, "classifier.wasm")); err != nil {
			return nil, fmt.Errorf("the %s bench copy is missing (%v): run \"make bench\"", v, err)
		}
	}
	if h, err := head.ReadFile(filepath.Join(shipped, "head.bin")); err == nil {
		r.HeadQuantized, r.HeadHidden = h.Quantized, h.Hidden
	}
	size := func(name string) int64 {
		st, err := os.Stat(filepath.Join(shipped, name))
		if err != nil {
			return 0
		}
		return st.Size()
	}
	r.Machine = machine()
	r.Versions = map[string]string{"Go": runtime.Version()}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		r.Versions["node"] = strings.TrimSpace(string(out))
	}
	r.Versions["onnxruntime-web"] = packageVersion(filepath.Join(o.modules, "onnxruntime-web"))
	r.Versions["onnxruntime-node"] = packageVersion(filepath.Join(o.modules, "onnxruntime-node"))

	// 2. Native, first: it needs no browser.
	logf("native: our engine (GOEXPERIMENT=simd) vs onnxruntime-node, %d rounds", o.nativeRounds)
	script := filepath.Join(work, "ort-node.js")
	b, err := fs.ReadFile(harnessFS, "harness/ort-node.js")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(script, b, 0o644); err != nil {
		return nil, err
	}
	var inputs []string
	for _, p := range posters {
		inputs = append(inputs, p.f32)
	}
	modules, err := filepath.Abs(o.modules)
	if err != nil {
		return nil, err
	}
	ort, err := startNodeORT(script, modules, int8Path, f32Path, inputs)
	if err != nil {
		return nil, err
	}
	defer ort.close()
	var top struct {
		Int8    []int `json:"int8"`
		Float32 []int `json:"float32"`
	}
	if err := ort.call(map[string]any{"cmd": "top1"}, &top); err != nil {
		return nil, err
	}
	for i, p := range posters {
		g, err := goldenTop1(o.shared, p.ID)
		if err != nil {
			return nil, err
		}
		if top.Int8[i] != g {
			return nil, fmt.Errorf("poster %s: onnxruntime-node's top-1 is %d, the golden file's %d: the inputs are wrong", p.ID, top.Int8[i], g)
		}
		if top.Float32[i] == top.Int8[i] {
			r.FloatAgree++
		}
		r.Golden = append(r.Golden, g)
	}
	r.FloatTop1 = top.Float32
	net, err := mobilenet.LoadFile(filepath.Join(shipped, "backbone.pstb"))
	if err != nil {
		return nil, err
	}
	if r.Native, err = runNative(net, ort, posters, o.warmup, o.nativeRounds, o.nativeBudget); err != nil {
		return nil, err
	}
	ort.close()

	// 1. The browser rounds.
	srv := &harnessServer{
		ortDist:  filepath.Join(o.modules, "onnxruntime-web", "dist"),
		engines:  map[string]string{"shipped": shipped, "plain": filepath.Join(o.engines, "plain"), "wasmkernels": filepath.Join(o.engines, "wasmkernels")},
		fallback: shipped,
	}
	srv.put("/models/int8.onnx", int8Bytes)
	srv.put("/models/float32.onnx", floatModel)
	for _, p := range posters {
		srv.put("/data/"+p.ID+".rgba", p.RGBA)
		srv.put("/data/"+p.ID+".f32", f32Bytes(p.F32))
		srv.put("/data/"+p.ID+".jpg", p.JPEG)
	}
	memFiles, err := spreadJPEGs(o.shared, 200)
	if err != nil {
		return nil, err
	}
	var memURLs []string
	for i, f := range memFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		u := fmt.Sprintf("/data/mem/%d.jpg", i)
		srv.put(u, b)
		memURLs = append(memURLs, u)
	}
	base, stop, err := listen(srv)
	if err != nil {
		return nil, err
	}
	defer stop()
	c, err := startChrome(o.chromium, work, chromedp.Flag("enable-blink-features", "ForceEagerMeasureMemory"))
	if err != nil {
		return nil, err
	}
	defer c.cancel()
	r.Versions["Chromium"] = c.version
	bb, hd := size("backbone.pstb"), size("head.bin")
	engines := []engineCfg{
		{Name: engShippedPixels, Kind: "ours", Base: "/eng/shipped/", Kernels: r.ShippedKernels},
		{Name: engShippedGo, Kind: "real", Base: "/eng/shipped/", Kernels: r.ShippedKernels, Decode: "go", BackboneSize: bb, HeadSize: hd},
		{Name: engShippedBrowser, Kind: "real", Base: "/eng/shipped/", Kernels: r.ShippedKernels, Decode: "browser", BackboneSize: bb, HeadSize: hd},
		{Name: engKernelsGo, Kind: "real", Base: "/eng/wasmkernels/", Kernels: true, Decode: "go", BackboneSize: bb, HeadSize: hd},
		{Name: engKernelsBrowser, Kind: "real", Base: "/eng/wasmkernels/", Kernels: true, Decode: "browser", BackboneSize: bb, HeadSize: hd},
		{Name: engPlainStages, Kind: "stages", Base: "/eng/plain/"},
		{Name: engKernelsStages, Kind: "stages", Base: "/eng/wasmkernels/", Kernels: true},
		{Name: engORTInt8x1, Kind: "ort", Threads: 1, Model: "/models/int8.onnx"},
		{Name: engORTInt8x2, Kind: "ort", Threads: 2, Model: "/models/int8.onnx"},
		{Name: engORTF32x1, Kind: "ort", Threads: 1, Model: "/models/float32.onnx"},
		{Name: engORTF32x2, Kind: "ort", Threads: 2, Model: "/models/float32.onnx"},
	}
	// The bench copy that differs from the shipped build gets its own
	// pixels-in-hand row too.
	if r.ShippedKernels {
		engines = append(engines, engineCfg{Name: engPlainPixels, Kind: "ours", Base: "/eng/plain/"})
	} else {
		engines = append(engines, engineCfg{Name: engKernelsPixels, Kind: "ours", Base: "/eng/wasmkernels/", Kernels: true})
	}
	logf("browser: %d engines, %d warm-up + %d rounds", len(engines), o.warmup, o.rounds)
	if r.Browser, err = runBrowserRounds(c, base, engines, posters, o.warmup, o.rounds, o.browserBudget, logf); err != nil {
		return nil, err
	}
	// ORT-web must agree with onnxruntime-node's top-1 on every poster.
	for i, p := range r.Browser.Top1 {
		for name, t := range p.Top1 {
			want := top.Int8[i]
			if strings.Contains(name, "float32") {
				want = top.Float32[i]
			}
			if t != want {
				r.Notes = append(r.Notes, fmt.Sprintf("%s: top-1 %d on poster %s, onnxruntime-node %d", name, t, p.Name, want))
			}
		}
	}

	for name, raw := range r.Browser.Info {
		var ready struct {
			Isolated *bool `json:"isolated"`
		}
		if json.Unmarshal(raw, &ready) == nil && ready.Isolated != nil && !*ready.Isolated {
			r.Notes = append(r.Notes, name+": the worker was not cross-origin isolated, so ORT could not start its threads")
		}
	}

	// 4. Memory, with the shipped build.
	logf("memory: %d classifications with the shipped build", o.memory)
	if r.Memory, err = runMemory(c, engineCfg{Name: "memory", Base: "/eng/shipped/", Kernels: r.ShippedKernels}, memURLs, memoryCheckpoints(o.memory), start.Add(o.deadline)); err != nil {
		return nil, err
	}
	if n := len(r.Memory); n > 0 && r.Memory[n-1].Count < o.memory {
		r.Notes = append(r.Notes, fmt.Sprintf("The memory run stopped after %d of %d classifications: the -deadline (%v) had passed (a loaded machine).", r.Memory[n-1].Count, o.memory, o.deadline))
	}
	c.cancel()

	// 3. First and repeat visit of the shipped app.
	logf("first visit: the shipped app in a fresh profile")
	jpeg, err := filepath.Abs(filepath.Join(o.shared, "data", "posters", "images", posters[0].ID+".jpg"))
	if err != nil {
		return nil, err
	}
	// The shipped app as the site serves it: its gzip and brotli encodings
	// (brotli from the cache make static filled) are the sizes below.
	served, err := site.Load(filepath.Dir(shipped))
	if err != nil {
		return nil, err
	}
	if r.First, r.Repeat, err = firstVisit(o.chromium, work, served, jpeg); err != nil {
		return nil, fmt.Errorf("first visit: %w", err)
	}
	// imagenet.pstb, the ImageNet classifier, is listed but is not part of a
	// first visit: the worker fetches it only when the ImageNet switch is on.
	byPath := map[string]*site.File{}
	for _, f := range served.Files() {
		byPath[f.Path] = f
	}
	for _, name := range []string{"classifier.wasm", "wasm_exec.js", "worker.js", "kernels.wasm", "backbone.pstb", "head.bin", "imagenet.pstb", "app.wasm"} {
		f := byPath["/web/"+name]
		if f == nil {
			continue
		}
		gz := int64(len(f.Gzip))
		if f.Gzip == nil { // the site keeps gzip only when it saves 5 %; the table shows it anyway
			gz = gzipSize(f.Body)
		}
		r.OurFiles = append(r.OurFiles, fileSize{name, int64(len(f.Body)), gz, int64(len(f.Brotli))})
	}
	dist := filepath.Join(o.modules, "onnxruntime-web", "dist")
	for _, f := range []string{"ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"} {
		b, err := os.ReadFile(filepath.Join(dist, f))
		if err != nil {
			return nil, err
		}
		// ORT-web's runtime gets the same treatment as our wasm: brotli 11.
		r.ORTFiles = append(r.ORTFiles, fileSize{f, int64(len(b)), gzipSize(b), brotliSize(b)})
	}
	r.ORTFiles = append(r.ORTFiles, fileSize{"mobilenetv2-12-int8.onnx", int64(len(int8Bytes)), gzipSize(int8Bytes), 0})
	r.ORTFloatModel = fileSize{"float32 copy (.onnx)", int64(len(floatModel)), gzipSize(floatModel), 0}
	return r, nil
}

// goldenTop1 reads a golden poster's ORT top-1 class.
func goldenTop1(shared, id string) (int, error) {
	b, err := os.ReadFile(filepath.Join(shared, "models", "golden", "posters", id+".ort.json"))
	if err != nil {
		return 0, err
	}
	var g struct {
		Top5 []struct {
			Index int `json:"index"`
		} `json:"top5"`
	}
	if err := json.Unmarshal(b, &g); err != nil || len(g.Top5) == 0 {
		return 0, fmt.Errorf("%s.ort.json: no top5 (%v)", id, err)
	}
	return g.Top5[0].Index, nil
}

// packageVersion reads an npm package's version.
func packageVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "missing"
	}
	var p struct {
		Version string `json:"version"`
	}
	json.Unmarshal(b, &p)
	return p.Version
}

// machine describes the CPU: lscpu's model name, the core count, and the
// SIMD extensions that matter here.
func machine() string {
	model := "unknown CPU"
	if out, err := exec.Command("lscpu").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Model name" {
				model = strings.TrimSpace(v)
			}
		}
	}
	var ext []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		flags := " " + string(b) + " "
		for _, f := range []string{"avx2", "avx512f", "avx512_vnni", "amx_int8"} {
			if strings.Contains(flags, " "+f+" ") {
				ext = append(ext, f)
			}
		}
	}
	return fmt.Sprintf("%s, %d cores (runtime.NumCPU), %s", model, runtime.NumCPU(), strings.Join(ext, " "))
}

// memoryCheckpoints are the classification counts at which the memory run
// reads the worker's memory: 10, then steps up to total, so that a plateau
// can be told from steady growth.
func memoryCheckpoints(total int) []int {
	out := []int{10}
	for _, f := range []float64{0.1, 0.25, 0.5} {
		if n := int(f * float64(total)); n > out[len(out)-1] && n < total {
			out = append(out, n)
		}
	}
	if total > out[len(out)-1] {
		out = append(out, total)
	}
	return out
}
