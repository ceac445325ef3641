package main

import (
	"bytes"
	"embed"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

//go:embed harness
var harnessFS embed.FS

// harnessServer serves the benchmark page, its workers, ORT-web's files, the
// models, the engine builds and the posters, all with the headers that make
// the page cross-origin isolated.
type harnessServer struct {
	ortDist  string            // bench/node_modules/onnxruntime-web/dist
	engines  map[string]string // variant → folder with classifier.wasm…
	fallback string            // folder for files a variant lacks (the shipped snapshot)
	mu       sync.Mutex
	blobs    map[string][]byte // other paths, held in memory
}

// put makes the server answer p with b.
func (s *harnessServer) put(p string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blobs == nil {
		s.blobs = map[string][]byte{}
	}
	s.blobs[p] = b
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".mjs", ".js":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP serves GET requests; every response carries COOP same-origin
// and COEP require-corp (cross-origin isolation) and is not cached.
func (s *harnessServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	p := path.Clean(r.URL.Path)
	var body []byte
	var err error
	switch {
	case strings.HasPrefix(p, "/h/"):
		body, err = fs.ReadFile(harnessFS, "harness/"+strings.TrimPrefix(p, "/h/"))
	case strings.HasPrefix(p, "/ort/"):
		body, err = os.ReadFile(filepath.Join(s.ortDist, filepath.Base(p)))
	case strings.HasPrefix(p, "/eng/"):
		variant, file, _ := strings.Cut(strings.TrimPrefix(p, "/eng/"), "/")
		dir, ok := s.engines[variant]
		if !ok || strings.Contains(file, "/") {
			http.NotFound(w, r)
			return
		}
		if body, err = os.ReadFile(filepath.Join(dir, file)); err != nil {
			body, err = os.ReadFile(filepath.Join(s.fallback, file))
		}
	default:
		s.mu.Lock()
		b, ok := s.blobs[p]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		body = b
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", contentType(p))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// listen serves h on a free port of 127.0.0.1 and returns its base URL and
// a function that stops it.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
