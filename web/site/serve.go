package site

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"posterity/web/ui"
)

// isGoAppPath reports whether go-app's handler answers p: the pages (the
// posters at "/", the model page at ui.ModelPath) and the PWA files it
// generates. Every other path outside /web/ is a 404 (go-app
// would otherwise proxy /robots.txt and friends by fetching them over HTTP).
func isGoAppPath(p string) bool {
	switch p {
	case "/", ui.ModelPath, "/app.js", "/app.css", "/app-worker.js", "/manifest.webmanifest":
		return true
	}
	return false
}

// ServeHTTP serves the app: GET and HEAD only, security headers on every
// response, the static files from memory (brotli or gzip when accepted), and the page
// through go-app.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ui.ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == ui.WasmExecJS:
		s.serveFile(w, r, s.files["/web/wasm_exec.js"])
	case strings.HasPrefix(p, "/web/"):
		f := s.files[p] // only loaded files exist: no listing, no traversal
		if f == nil {
			http.NotFound(w, r)
			return
		}
		s.serveFile(w, r, f)
	case isGoAppPath(p):
		s.serveGoApp(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveFile writes one static file, brotli- or gzip-encoded when the client
// accepts it and it pays (brotli first). A request for the file's content-addressed URL (?v=<its
// hash>) may be cached forever; any other is revalidated every time.
func (s *Site) serveFile(w http.ResponseWriter, r *http.Request, f *File) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	if r.URL.Query().Get("v") == f.Tag() {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := f.Body, `"`+f.Tag()+`"`
	if f.Gzip != nil || f.Brotli != nil {
		h.Add("Vary", "Accept-Encoding")
		ae := r.Header.Get("Accept-Encoding")
		switch {
		case f.Brotli != nil && accepts(ae, "br"):
			body, etag = f.Brotli, `"`+f.Tag()+`-br"`
			h.Set("Content-Encoding", "br")
		case f.Gzip != nil && accepts(ae, "gzip"):
			body, etag = f.Gzip, `"`+f.Tag()+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", f.ModTime, bytes.NewReader(body))
}

// accepts reports whether an Accept-Encoding header value accepts the
// content coding ("gzip" or "br"; "x-gzip" counts as gzip). RFC 9110
// §12.5.3: a coding with q=0 is not acceptable; "*" stands for any coding
// not listed.
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				ok = err == nil && q > 0
			}
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		switch name {
		case coding:
			return ok
		case "*":
			star = ok
		}
	}
	return star
}
