package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// fixture writes a static folder with every file the app needs (fake
// contents) and loads it.
func fixture(t *testing.T) (*Site, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"app.wasm":              bytes.Repeat([]byte("\x00asm app "), 4096),
		"classifier.wasm":       bytes.Repeat([]byte("\x00asm classifier "), 4096),
		"worker.js":             []byte(strings.Repeat("// worker\n", 200)),
		"wasm_exec.js":          []byte(strings.Repeat("// wasm_exec\n", 200)),
		"backbone.pstb":         bytes.Repeat([]byte("PSTYBKBN weights "), 8192),
		"head.bin":              bytes.Repeat([]byte("PSTYHEAD weights "), 1024),
		"imagenet.pstb":         bytes.Repeat([]byte("PSTYINET weights "), 4096),
		"icon-192.png":          []byte("\x89PNG 192"),
		"icon-512.png":          []byte("\x89PNG 512"),
		"icon-maskable-512.png": []byte("\x89PNG maskable"),
		"icon.svg":              []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`),
		"posterity.css":         []byte(strings.Repeat("body { margin: 0 }\n", 100)),
		"sub/extra.txt":         []byte("extra"),
		".hidden":               []byte("secret"),
	}
	for name, b := range files {
		p := filepath.Join(dir, "web", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := load(dir, filepath.Join(dir, "brotli-cache"))
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "web", "app.wasm"), []byte("x"), 0o644)
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "head.bin") || !strings.Contains(err.Error(), "make static") {
		t.Errorf("Load of an incomplete folder: %v, want an error naming head.bin with a hint", err)
	}
	if _, err := Load(filepath.Join(dir, "nope")); err == nil {
		t.Errorf("Load of a missing folder succeeded")
	}
}

func TestServe(t *testing.T) {
	s, _ := fixture(t)
	bb := s.files["/web/backbone.pstb"]
	cases := []struct {
		name, method, target, acceptEncoding string
		status                               int
		contentType, encoding, cacheControl  string
		body                                 []byte // decoded; nil: not checked
	}{
		{"wasm, brotli first", "GET", "/web/app.wasm", "gzip, deflate, br, zstd", 200, "application/wasm", "br", "no-cache", s.files["/web/app.wasm"].Body},
		{"wasm, gzip", "GET", "/web/app.wasm", "gzip, deflate", 200, "application/wasm", "gzip", "no-cache", s.files["/web/app.wasm"].Body},
		{"wasm, identity", "GET", "/web/app.wasm", "", 200, "application/wasm", "", "no-cache", s.files["/web/app.wasm"].Body},
		{"gzip refused by q=0", "GET", "/web/app.wasm", "gzip;q=0, br", 200, "application/wasm", "br", "no-cache", nil},
		{"brotli refused by q=0", "GET", "/web/app.wasm", "br;q=0, gzip", 200, "application/wasm", "gzip", "no-cache", s.files["/web/app.wasm"].Body},
		{"both refused", "GET", "/web/app.wasm", "br;q=0, gzip;q=0", 200, "application/wasm", "", "no-cache", s.files["/web/app.wasm"].Body},
		{"any coding by *", "GET", "/web/app.wasm", "*", 200, "application/wasm", "br", "no-cache", nil},
		{"js, brotli", "GET", "/web/worker.js", "br", 200, "text/javascript; charset=utf-8", "br", "no-cache", s.files["/web/worker.js"].Body},
		{"weights: gzip, never brotli", "GET", "/web/backbone.pstb", "gzip, br", 200, "application/octet-stream", "gzip", "no-cache", bb.Body},
		{"content-addressed URL", "GET", "/web/backbone.pstb?v=" + bb.Tag(), "gzip", 200, "application/octet-stream", "gzip", "public, max-age=31536000, immutable", bb.Body},
		{"stale hash", "GET", "/web/backbone.pstb?v=0000000000000000", "gzip", 200, "application/octet-stream", "gzip", "no-cache", nil},
		{"js", "GET", "/web/worker.js", "", 200, "text/javascript; charset=utf-8", "", "no-cache", nil},
		{"css", "GET", "/web/posterity.css", "", 200, "text/css; charset=utf-8", "", "no-cache", nil},
		{"svg", "GET", "/web/icon.svg", "", 200, "image/svg+xml", "", "no-cache", nil},
		{"png", "GET", "/web/icon-192.png", "gzip", 200, "image/png", "", "no-cache", []byte("\x89PNG 192")},
		{"nested file", "GET", "/web/sub/extra.txt", "", 200, "text/plain; charset=utf-8", "", "no-cache", []byte("extra")},
		{"Go's wasm_exec.js replaces go-app's", "GET", "/wasm_exec.js", "", 200, "text/javascript; charset=utf-8", "", "no-cache", s.files["/web/wasm_exec.js"].Body},
		{"HEAD", "HEAD", "/web/head.bin", "", 200, "application/octet-stream", "", "no-cache", []byte{}},
		{"page", "GET", "/", "", 200, "text/html", "", "no-cache", nil},
		{"page, brotli", "GET", "/", "gzip, deflate, br", 200, "text/html", "br", "no-cache", nil},
		{"app.js, gzip", "GET", "/app.js", "gzip", 200, "application/javascript", "gzip", "no-cache", nil},
		{"service worker, brotli", "GET", "/app-worker.js", "br", 200, "application/javascript", "br", "no-cache", nil},
		{"model page", "GET", "/model", "", 200, "text/html", "", "no-cache", nil},
		{"app.js", "GET", "/app.js", "", 200, "application/javascript", "", "no-cache", nil},
		{"service worker", "GET", "/app-worker.js", "", 200, "application/javascript", "", "no-cache", nil},
		{"manifest", "GET", "/manifest.webmanifest", "", 200, "application/manifest+json", "", "no-cache", nil},
		{"POST", "POST", "/", "", 405, "", "", "", nil},
		{"PUT a file", "PUT", "/web/head.bin", "", 405, "", "", "", nil},
		{"directory listing", "GET", "/web/", "", 404, "", "", "", nil},
		{"directory listing, sub", "GET", "/web/sub/", "", 404, "", "", "", nil},
		{"traversal", "GET", "/web/../web/app.wasm", "", 404, "", "", "", nil},
		{"encoded traversal", "GET", "/web/%2e%2e/go.mod", "", 404, "", "", "", nil},
		{"hidden file", "GET", "/web/.hidden", "", 404, "", "", "", nil},
		{"unknown path", "GET", "/index.php", "", 404, "", "", "", nil},
		{"go-app's proxied robots.txt", "GET", "/robots.txt", "", 404, "", "", "", nil},
		{"go-app's app.wasm alias", "GET", "/app.wasm", "", 404, "", "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "http://localhost"+c.target, nil)
			if c.target == "/web/../web/app.wasm" || strings.Contains(c.target, "%2e") {
				req.URL.Path = strings.ReplaceAll(c.target, "%2e", ".") // as a raw client would send it
			}
			if c.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", c.acceptEncoding)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			res := w.Result()
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if c.status != 200 {
				return
			}
			if got := res.Header.Get("Content-Type"); got != c.contentType {
				t.Errorf("Content-Type %q, want %q", got, c.contentType)
			}
			if got := res.Header.Get("Content-Encoding"); got != c.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, c.encoding)
			}
			if got := res.Header.Get("Cache-Control"); got != c.cacheControl {
				t.Errorf("Cache-Control %q, want %q", got, c.cacheControl)
			}
			body, _ := io.ReadAll(res.Body)
			switch c.encoding {
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			case "br":
				var err error
				if body, err = io.ReadAll(brotli.NewReader(bytes.NewReader(body))); err != nil {
					t.Fatal(err)
				}
			}
			if c.encoding != "" && len(body) < 100 {
				t.Errorf("decoded body is %d bytes", len(body))
			}
			if c.body != nil && !bytes.Equal(body, c.body) {
				t.Errorf("body differs: %d bytes, want %d", len(body), len(c.body))
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	s, _ := fixture(t)
	get := func(etag string) *http.Response {
		req := httptest.NewRequest("GET", "/web/head.bin", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Result()
	}
	first := get("")
	etag := first.Header.Get("ETag")
	if etag == "" || !strings.Contains(etag, s.files["/web/head.bin"].Tag()) {
		t.Fatalf("ETag %q, want the content hash", etag)
	}
	if got := get(etag).StatusCode; got != http.StatusNotModified {
		t.Errorf("revalidation with the ETag: status %d, want 304", got)
	}
}

// TestGoAppRevalidation: go-app's generated files keep answering a repeat
// visit's revalidation with 304, each encoding under its own ETag.
func TestGoAppRevalidation(t *testing.T) {
	s, _ := fixture(t)
	get := func(ae, inm string) *http.Response {
		req := httptest.NewRequest("GET", "/app-worker.js", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Result()
	}
	plain, br, gz := get("", ""), get("br", ""), get("gzip", "")
	etags := map[string]string{"identity": plain.Header.Get("ETag"), "br": br.Header.Get("ETag"), "gzip": gz.Header.Get("ETag")}
	if etags["identity"] != `"`+s.Version()+`"` || etags["br"] != `"`+s.Version()+`-br"` || etags["gzip"] != `"`+s.Version()+`-gzip"` {
		t.Fatalf("ETags %q, want the version, then with -br and -gzip", etags)
	}
	if br.Header.Get("Content-Encoding") != "br" || gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("encodings %q and %q", br.Header.Get("Content-Encoding"), gz.Header.Get("Content-Encoding"))
	}
	for _, c := range []struct {
		name, ae, inm string
		status        int
	}{
		{"brotli, its ETag", "br", etags["br"], http.StatusNotModified},
		{"brotli, a list holding its ETag", "gzip, br", `"other", ` + etags["br"], http.StatusNotModified},
		{"gzip, its ETag", "gzip", etags["gzip"], http.StatusNotModified},
		{"identity, its ETag", "", etags["identity"], http.StatusNotModified},
		{"gzip, brotli's ETag", "gzip", etags["br"], http.StatusOK},
		{"brotli, an old version", "br", `"0000-br"`, http.StatusOK},
	} {
		res := get(c.ae, c.inm)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, res.StatusCode, c.status)
		}
		if c.status == http.StatusNotModified && (len(body) != 0 || res.Header.Get("Content-Encoding") != "") {
			t.Errorf("%s: 304 with %d bytes, Content-Encoding %q", c.name, len(body), res.Header.Get("Content-Encoding"))
		}
	}
}

func TestPageURLsAreContentAddressed(t *testing.T) {
	s, _ := fixture(t)
	refs := map[string][]string{
		"/":              {"/web/posterity.css", "/web/icon.svg", "/web/icon-maskable-512.png"},
		"/app.js":        {"/web/app.wasm", "/web/worker.js", "/web/classifier.wasm", "/web/backbone.pstb", "/web/head.bin", "/web/imagenet.pstb"},
		"/app-worker.js": {"/web/app.wasm", "/web/worker.js", "/web/classifier.wasm", "/web/backbone.pstb", "/web/head.bin", "/web/posterity.css", "/web/icon-192.png", "/web/icon-512.png"},
	}
	for target, paths := range refs {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		body := w.Body.String()
		for _, p := range paths {
			if want := p + "?v=" + s.files[p].Tag(); !strings.Contains(body, want) {
				t.Errorf("%s does not reference %s", target, want)
			}
		}
		if strings.Contains(body, "githubusercontent") || strings.Contains(body, "https://raw.") {
			t.Errorf("%s references a remote resource", target)
		}
	}
	// The ImageNet classifier is fetched by the worker on demand: the
	// service worker must not pre-cache it (it installs on the first visit).
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/app-worker.js", nil))
	if strings.Contains(w.Body.String(), "imagenet.pstb") {
		t.Errorf("the service worker pre-caches imagenet.pstb, so every first visit would download it")
	}
}

func TestVersion(t *testing.T) {
	s1, dir := fixture(t)
	s2, err := load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s1.Version() != s2.Version() {
		t.Errorf("the same files gave versions %s and %s", s1.Version(), s2.Version())
	}
	if err := os.WriteFile(filepath.Join(dir, "web", "head.bin"), []byte("a new head"), 0o644); err != nil {
		t.Fatal(err)
	}
	s3, err := load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s3.Version() == s1.Version() {
		t.Errorf("a new head kept the version %s", s1.Version())
	}
	if s3.Assets().Backbone != s1.Assets().Backbone {
		t.Errorf("a new head changed the backbone's URL: %s → %s", s1.Assets().Backbone, s3.Assets().Backbone)
	}
	if s3.Assets().Head == s1.Assets().Head {
		t.Errorf("a new head kept the head's URL %s", s1.Assets().Head)
	}
}

func TestWriteStatic(t *testing.T) {
	s, _ := fixture(t)
	out := filepath.Join(t.TempDir(), "site")
	if err := s.WriteStatic(out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "app.js", "app-worker.js", "manifest.webmanifest", "app.css", "wasm_exec.js",
		"web/app.wasm", "web/app.wasm.gz", "web/app.wasm.br", "web/backbone.pstb", "web/imagenet.pstb", "web/imagenet.pstb.gz", "web/head.bin", "web/worker.js", "web/icon.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the static site lacks %s: %v", f, err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(out, "wasm_exec.js"))
	if !bytes.Equal(got, s.files["/web/wasm_exec.js"].Body) {
		t.Errorf("the static site's wasm_exec.js is not Go's")
	}
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !bytes.Contains(index, []byte(`http-equiv="Content-Security-Policy"`)) {
		t.Errorf("index.html carries no Content-Security-Policy")
	}
}

func TestAccepts(t *testing.T) {
	for _, c := range []struct {
		header, coding string
		want           bool
	}{
		{"", "gzip", false},
		{"gzip", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.0", "gzip", false},
		{"br", "gzip", false},
		{"*", "gzip", true},
		{"*;q=0", "gzip", false},
		{"br, *;q=0.1", "gzip", true},
		{"gzip;q=0, *", "gzip", false},
		{"x-gzip", "gzip", true},
		{"gzip, deflate, br, zstd", "br", true},
		{"BR;q=0.9", "br", true},
		{"br;q=0, *", "br", false},
		{"gzip", "br", false},
		{"*", "br", true},
	} {
		if got := accepts(c.header, c.coding); got != c.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", c.header, c.coding, got, c.want)
		}
	}
}

// TestBrotliCache: an encoding is computed once and reused from the cache
// folder; a corrupt or foreign cache file is never served, and is replaced.
func TestBrotliCache(t *testing.T) {
	s, dir := fixture(t)
	cache := filepath.Join(dir, "brotli-cache")
	app := s.files["/web/app.wasm"]
	name := filepath.Join(cache, app.SHA256+".br")
	cached, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("no cached encoding of app.wasm: %v", err)
	}
	if !bytes.Equal(cached, app.Brotli) {
		t.Errorf("the cached encoding differs from the served one")
	}
	// A cache file with another file's valid encoding, then a torn one.
	other := s.files["/web/classifier.wasm"].Brotli
	for _, bad := range [][]byte{other, cached[:len(cached)/2], []byte("not brotli")} {
		if err := os.WriteFile(name, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		s2, err := load(dir, cache)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(s2.files["/web/app.wasm"].Brotli)))
		if err != nil || !bytes.Equal(got, app.Body) {
			t.Fatalf("with a bad cache file (%d bytes) app.wasm's brotli decodes to %d bytes (%v), want its %d", len(bad), len(got), err, len(app.Body))
		}
		if again, _ := os.ReadFile(name); !bytes.Equal(again, cached) {
			t.Errorf("the bad cache file (%d bytes) was not replaced", len(bad))
		}
	}
	// No cache folder at all: still encoded.
	s3, err := load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if s3.files["/web/app.wasm"].Brotli == nil {
		t.Errorf("without a cache folder app.wasm has no brotli encoding")
	}
}
