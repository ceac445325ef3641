package site

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// serveGoApp answers a request for one of go-app's generated files (the
// pages, app.js, app-worker.js, app.css, the manifest), compressed when the
// client accepts it: go-app's handler writes them uncompressed, some 20 kB
// of a first visit. They are small and generated per request, so they are
// compressed on the fly at a fast level: brotli 5, else gzip 6.
//
// go-app tags every response with the app version as its ETag (a repeat
// visit's check for a new service worker then costs no body). An encoded
// response gets the ETag of its encoding ("<version>-br"), as one ETag
// must name one sequence of bytes, and http.ServeContent answers
// revalidation, HEAD and ranges, as for the static files (serveFile).
func (s *Site) serveGoApp(w http.ResponseWriter, r *http.Request) {
	plain := r.Clone(r.Context())
	plain.Header.Del("If-None-Match") // revalidation is decided below, per encoding
	rec := httptest.NewRecorder()
	s.app.ServeHTTP(rec, plain)
	h := w.Header()
	for k, v := range rec.Header() {
		h[k] = v
	}
	if rec.Code != http.StatusOK {
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		return
	}
	body := rec.Body.Bytes()
	if len(body) > 512 && brotliWorthy(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
		h.Add("Vary", "Accept-Encoding")
		ae := r.Header.Get("Accept-Encoding")
		var enc bytes.Buffer
		coding := ""
		switch {
		case accepts(ae, "br"):
			bw := brotli.NewWriterLevel(&enc, 5)
			bw.Write(body)
			bw.Close()
			coding = "br"
		case accepts(ae, "gzip"):
			zw, _ := gzip.NewWriterLevel(&enc, 6)
			zw.Write(body)
			zw.Close()
			coding = "gzip"
		}
		if coding != "" {
			h.Set("Content-Encoding", coding)
			body = enc.Bytes()
			if et := h.Get("ETag"); et != "" {
				h.Set("ETag", codingETag(et, coding))
			}
		}
	}
	h.Del("Content-Length") // ServeContent sets it for the body it sends
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// codingETag is the ETag of an encoded copy: `"v"` becomes `"v-br"`.
func codingETag(etag, coding string) string {
	if t, ok := strings.CutSuffix(etag, `"`); ok && strings.Contains(t, `"`) {
		return t + "-" + coding + `"`
	}
	return etag + "-" + coding
}
