//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"posterity/model/head"
)

// config is what the tests need from the machine, found once per test.
type config struct {
	root     string // repository root
	static   string // the folder "posterity serve --static" gets
	bin      string // the posterity binary
	chromium string
	posters  []string // sample posters from ../shared, sorted
	head     *head.Head
}

// loadConfig finds the repository, the posters, the binary and the browser,
// and fails loudly when one is missing.
func loadConfig(t *testing.T) config {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	c := config{root: wd}
	for !exists(filepath.Join(c.root, "go.mod")) {
		if filepath.Dir(c.root) == c.root {
			t.Fatalf("no go.mod above %s", wd)
		}
		c.root = filepath.Dir(c.root)
	}
	shared := envOr("POSTERITY_SHARED", filepath.Join(filepath.Dir(c.root), "shared"))
	images := filepath.Join(shared, "data", "posters", "images")
	names, err := filepath.Glob(filepath.Join(images, "*.jpg"))
	if err != nil || len(names) < 20 {
		t.Fatalf("the posters are missing: want ../shared/data/posters/images beside the repository (or POSTERITY_SHARED), found %d in %s", len(names), images)
	}
	sort.Strings(names)
	// A spread across the folder rather than its first files.
	for i := 0; i < 24; i++ {
		c.posters = append(c.posters, names[i*len(names)/24])
	}
	c.static = envOr("POSTERITY_STATIC", filepath.Join(c.root, "static"))
	for _, f := range []string{"app.wasm", "classifier.wasm", "worker.js", "wasm_exec.js", "backbone.pstb", "head.bin"} {
		if !exists(filepath.Join(c.static, "web", f)) {
			t.Fatalf("%s is missing: run \"make static\" first", filepath.Join(c.static, "web", f))
		}
	}
	if c.head, err = head.ReadFile(filepath.Join(c.static, "web", "head.bin")); err != nil {
		t.Fatal(err)
	}
	c.chromium = envOr("POSTERITY_CHROMIUM", "/usr/bin/chromium")
	if !exists(c.chromium) {
		t.Fatalf("%s is missing: install Debian's chromium (apt-get install -y chromium) or set POSTERITY_CHROMIUM", c.chromium)
	}
	c.bin = os.Getenv("POSTERITY_BIN")
	if c.bin == "" {
		c.bin = filepath.Join(t.TempDir(), "posterity")
		cmd := exec.Command("go", "build", "-o", c.bin, "./server")
		cmd.Dir = c.root
		cmd.Env = append(os.Environ(), "GOEXPERIMENT=simd")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building posterity: %v\n%s", err, out)
		}
	}
	return c
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// server is a running "posterity serve --log".
type server struct {
	url     string
	version string
	cmd     *exec.Cmd
	stderr  *syncBuffer
	done    chan error
}

// syncBuffer is a bytes.Buffer safe for a writer and readers in parallel.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startServer runs the binary on addr ("127.0.0.1:0" for any free port)
// and waits for its URL.
func startServer(t *testing.T, c config, static, addr string) *server {
	t.Helper()
	s := &server{stderr: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(c.bin, "serve", "--addr", addr, "--static", static, "--log")
	s.cmd.Stderr = s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting posterity serve: %v", err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "serving Posterity on "); ok {
				urls <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case s.url = <-urls:
	case err := <-s.done:
		t.Fatalf("posterity serve exited: %v\n%s", err, s.stderr)
	case <-time.After(90 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("posterity serve did not start in 90 s\n%s", s.stderr)
	}
	if m := regexp.MustCompile(`version ([0-9a-f]+)`).FindStringSubmatch(s.stderr.String()); m != nil {
		s.version = m[1]
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
		}
	})
	return s
}

// stop sends SIGTERM and checks that the server shut down gracefully.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("posterity serve after SIGTERM: %v\n%s", err, s.stderr)
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("posterity serve did not stop within 20 s of SIGTERM")
	}
	if !strings.Contains(s.stderr.String(), "posterity serve: stopped") {
		t.Errorf("no graceful-shutdown line in the server's log:\n%s", s.stderr)
	}
}

// request is one line of the server's access log.
type request struct {
	Method, URI string
	Body        int64
	Status      int
	Bytes       int64
}

var logLine = regexp.MustCompile(`request (\S+) (\S+) body=(-?\d+) status=(\d+) bytes=(\d+)`)

// requests returns the access log so far.
func (s *server) requests() []request {
	var out []request
	for _, m := range logLine.FindAllStringSubmatch(s.stderr.String(), -1) {
		body, _ := strconv.ParseInt(m[3], 10, 64)
		status, _ := strconv.Atoi(m[4])
		n, _ := strconv.ParseInt(m[5], 10, 64)
		out = append(out, request{Method: m[1], URI: m[2], Body: body, Status: status, Bytes: n})
	}
	return out
}

// browser is one headless Chromium with a fresh profile, and its tab.
type browser struct {
	ctx context.Context
	mu  sync.Mutex
	log []string // uncaught exceptions and console errors of the page
}

// recorderJS runs before any script of every document: it records CSP
// violations, so a test can check that the page needs nothing the policy
// forbids.
const recorderJS = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`

func newBrowser(t *testing.T, c config, width, height int) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(c.chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(width, height),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", c.chromium, err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorderJS}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			line = "exception: " + ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				line += " " + ex.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			line = "console.error:"
			for _, a := range ev.Args {
				line += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		b.mu.Lock()
		b.log = append(b.log, line)
		b.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// errors returns the page's uncaught exceptions and console errors so far.
func (b *browser) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.log...)
}

// do runs steps, failing the test on error.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("%v\npage errors: %q", err, b.errors())
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.80q: %v\npage errors: %q", expr, err, b.errors())
	}
	return v
}

// goOffline takes the browser off the network, its service workers
// included, as a person switching the network off would.
func (b *browser) goOffline(t *testing.T) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: new(true),
		MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
}

// shownText is the innerText of the first element matching selector once
// the browser has drawn it. Cards are content-visibility: auto, so a card
// just replaced has no rendered text until the next frame decides it is on
// screen; two animation frames later it has.
func shownText(t *testing.T, b *browser, selector string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
		const e = document.querySelector(%s);
		done(e ? e.innerText : "");
	})))`, jsonString(selector)))
}

// waitFor polls a JavaScript expression until it is truthy.
func waitFor(t *testing.T, b *browser, expr string, timeout time.Duration) {
	t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText.slice(0, 600) : document.body.innerText.slice(0, 600)`))
		t.Fatalf("waiting for %s: %v\npage: %s\npage errors: %q", expr, err, state, b.errors())
	}
}

// openApp loads the app and waits until its model is ready.
func (b *browser) openApp(t *testing.T, url string) {
	t.Helper()
	b.do(t, chromedp.Navigate(url+"/"))
	waitFor(t, b, `document.querySelector(".model-state.ready")`, 90*time.Second)
}

// result is one poster's card, as the stable hooks describe it.
type result struct {
	File   string             `json:"file"`
	Status string             `json:"status"`
	Genres string             `json:"genres"`
	Probs  map[string]float64 `json:"probs"`
	Error  string             `json:"error"`
}

const resultsJS = `Array.from(document.querySelectorAll('[data-testid="result"]')).map((e) => ({
  file: e.dataset.file, status: e.dataset.status, genres: e.dataset.genres || "",
  probs: e.dataset.probs ? JSON.parse(e.dataset.probs) : null,
  error: e.querySelector(".error") ? e.querySelector(".error").textContent : "",
}))`

// results returns every result card.
func (b *browser) results(t *testing.T) []result {
	t.Helper()
	return eval[[]result](t, b, resultsJS)
}

// waitFinished waits until n cards are done or failed and returns all cards.
func (b *browser) waitFinished(t *testing.T, n int, timeout time.Duration) []result {
	t.Helper()
	waitFor(t, b, fmt.Sprintf(`document.querySelectorAll('[data-testid="result"][data-status="done"], [data-testid="result"][data-status="error"]').length >= %d`, n), timeout)
	return b.results(t)
}

// upload sets the files of input#posters, as a person choosing them would.
func (b *browser) upload(t *testing.T, paths ...string) {
	t.Helper()
	b.do(t, chromedp.SetUploadFiles(chromedp.ID("posters"), paths))
}

// cspViolations returns what the page's policy blocked.
func (b *browser) cspViolations(t *testing.T) []string {
	return eval[[]string](t, b, `window.__csp || []`)
}

// checkResult checks one done card against the head: every genre has a
// probability in [0, 1], and data-genres lists exactly the genres at or
// above their thresholds, in descending probability.
func checkResult(t *testing.T, h *head.Head, r result) {
	t.Helper()
	if r.Status != "done" {
		t.Errorf("%s: status %q (%s), want done", r.File, r.Status, r.Error)
		return
	}
	if len(r.Probs) != len(h.Labels) {
		t.Errorf("%s: data-probs has %d genres, the head %d", r.File, len(r.Probs), len(h.Labels))
	}
	type gp struct {
		g string
		p float64
	}
	var want []gp
	for j, l := range h.Labels {
		p, ok := r.Probs[l]
		if !ok || p < 0 || p > 1 {
			t.Errorf("%s: probability of %q is %v (present %v)", r.File, l, p, ok)
		}
		if h.Mode == head.MultiLabel && float32(p) >= h.Thresholds[j] {
			want = append(want, gp{l, p})
		}
	}
	sort.SliceStable(want, func(a, b int) bool { return want[a].p > want[b].p })
	var names []string
	for _, w := range want {
		names = append(names, w.g)
	}
	if h.Mode == head.MultiLabel && r.Genres != strings.Join(names, "|") {
		t.Errorf("%s: data-genres = %q, want %q from data-probs and the head's thresholds", r.File, r.Genres, strings.Join(names, "|"))
	}
}

// jsonString quotes s as a JavaScript string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
