//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hostileReasons are the fixtures of server/testdata/hostile that must fail,
// and what their error must say: the same reasons the CLI gives
// (server/hostile_test.go's hostileCases, which also say that every other
// fixture there gets a result).
var hostileReasons = map[string]string{
	"empty.jpg":            "empty",
	"truncated.jpg":        "corrupt",
	"truncated.png":        "corrupt",
	"truncated.webp":       "corrupt",
	"bomb-30000x30000.png": "Mpixel limit",
	"drawing.svg":          "unsupported image format",
	"document-pdf.jpg":     "unsupported image format",
	"notes-txt.jpg":        "unsupported image format",
	"random.jpg":           "unsupported image format",
}

// TestHostile drops every hostile fixture on the page in one batch with
// three real posters, then breaks the worker's files in transit.
func TestHostile(t *testing.T) {
	c := loadConfig(t)
	srv := startServer(t, c, c.static, "127.0.0.1:0")
	t.Run("hostile files", func(t *testing.T) { testHostileFiles(t, c, srv) })
	t.Run("model faults", func(t *testing.T) { testModelFaults(t, c, srv) })
	srv.stop(t)
}

// testHostileFiles: each bad file gets an error card naming its reason,
// every other file (odd but valid images, and the posters) a result.
func testHostileFiles(t *testing.T, c config, srv *server) {
	fixtures, err := filepath.Glob(filepath.Join(c.root, "server", "testdata", "hostile", "*"))
	if err != nil || len(fixtures) < len(hostileReasons) {
		t.Fatalf("the hostile fixtures are missing (server/testdata/hostile): %v, %d files", err, len(fixtures))
	}
	files := append([]string{c.posters[20]}, fixtures[:len(fixtures)/2]...)
	files = append(files, c.posters[21])
	files = append(files, fixtures[len(fixtures)/2:]...)
	files = append(files, c.posters[22])

	b := newBrowser(t, c, 1280, 900)
	b.openApp(t, srv.url)
	b.upload(t, files...)
	// Bounded, not timed: a 49-Mpixel PNG takes a while in wasm on 2 shared cores.
	rs := b.waitFinished(t, len(files), 8*time.Minute)
	if len(rs) != len(files) {
		t.Fatalf("%d results for %d files", len(rs), len(files))
	}
	failed := 0
	for i, r := range rs {
		name := filepath.Base(files[i])
		if r.File != name {
			t.Errorf("result %d is %q, want %q (arrival order)", i, r.File, name)
			continue
		}
		reason, bad := hostileReasons[name]
		switch {
		case bad:
			failed++
			if r.Status != "error" || !strings.Contains(r.Error, reason) {
				t.Errorf("%s: status %q, error %q; want an error card saying %q", name, r.Status, r.Error, reason)
			}
			t.Logf("%s: error card: %s", name, r.Error)
		default:
			checkResult(t, c.head, r)
		}
	}
	progress := eval[string](t, b, `document.getElementById("batch-label").textContent`)
	if want := fmt.Sprintf("%d of %d classified · %d could not be read", len(files), len(files), failed); progress != want {
		t.Errorf("batch progress %q, want %q", progress, want)
	}
	finish(t, b)
}

// faultProxy stands between the browser and "posterity serve" on 127.0.0.1
// and breaks one of the worker's files in transit. It works at the HTTP
// level rather than in the DevTools Fetch domain because the files are
// fetched by the dedicated worker (and the service worker), whose requests
// the page's session does not see (testPrivacy notes the same of the
// Network domain).
type faultProxy struct {
	url   string
	mu    sync.Mutex
	fault string // "", or one of the faults below
}

const (
	faultFlipBackbone = "a flipped bit in backbone.pstb"
	faultNoClassifier = "classifier.wasm missing (404)"
	faultCrashWorker  = "worker.js throws as it starts"
)

func (p *faultProxy) set(f string) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

func startFaultProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		fault := p.fault
		p.mu.Unlock()
		// A broken response must not outlive its fault in the browser's
		// HTTP cache (the real URLs are immutable).
		switch {
		case fault == faultNoClassifier && r.URL.Path == "/web/classifier.wasm":
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
		case fault == faultCrashWorker && r.URL.Path == "/web/worker.js":
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			io.WriteString(w, `throw new Error("simulated crash of the worker");`+"\n")
		case fault == faultFlipBackbone && r.URL.Path == "/web/backbone.pstb":
			r.Header.Del("Accept-Encoding") // the bytes themselves, not gzip
			r.Header.Del("If-None-Match")
			r.Header.Del("If-Modified-Since")
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if len(body) > 0 {
				body[len(body)/2] ^= 0x10
			}
			for k, v := range rec.Header() {
				if k != "Content-Length" && k != "Cache-Control" && k != "Etag" {
					w.Header()[k] = v
				}
			}
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(rec.Code)
			w.Write(body)
		default:
			rp.ServeHTTP(w, r)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

// testModelFaults breaks the worker's files one way at a time: the page
// must show the reason and a Retry button (never a blank page), and Retry
// must recover once the fault is gone.
func testModelFaults(t *testing.T, c config, srv *server) {
	px := startFaultProxy(t, srv.url)
	cases := []struct {
		fault  string
		reason string // in the page's message
	}{
		{faultFlipBackbone, "checksum"},
		{faultNoClassifier, "classifier"},
		{faultCrashWorker, "simulated crash"},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			px.set(tc.fault)
			b := newBrowser(t, c, 1280, 900)
			b.do(t, chromedp.Navigate(px.url+"/"))
			waitFor(t, b, `document.querySelector(".model-state.error #retry")`, 2*time.Minute)
			msg := eval[string](t, b, `document.querySelector(".model-state.error").innerText`)
			t.Logf("%s: the page says %q", tc.fault, msg)
			if !strings.Contains(msg, "could not be loaded") || !strings.Contains(msg, tc.reason) {
				t.Errorf("message %q, want the reason (%q)", msg, tc.reason)
			}
			if role := eval[string](t, b, `document.querySelector(".model-state.error").getAttribute("role")`); role != "alert" {
				t.Errorf("the message has role %q, want alert (read out at once)", role)
			}
			// Not a blank page: the picker and its help are still there.
			if !eval[bool](t, b, `!!document.getElementById("posters") && document.body.innerText.includes("nothing is uploaded")`) {
				t.Errorf("the page lost its content:\n%s", eval[string](t, b, `document.body.innerText.slice(0, 600)`))
			}
			// The fault is gone: Retry loads the model.
			px.set("")
			b.do(t, chromedp.Click(chromedp.ID("retry")))
			waitAcrossReload(t, b, `!!document.querySelector(".model-state.ready")`, 2*time.Minute)
			b.upload(t, c.posters[23])
			rs := b.waitFinished(t, 1, 2*time.Minute)
			if len(rs) == 1 {
				checkResult(t, c.head, rs[0])
			}
		})
	}
}

// waitAcrossReload polls expr until it is true, through the page's reload
// (an evaluation cut short by the navigation is tried again).
func waitAcrossReload(t *testing.T, b *browser, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 600)`))
	t.Fatalf("waiting for %s across the reload: not true after %v\npage: %s\npage errors: %q", expr, timeout, state, b.errors())
}
