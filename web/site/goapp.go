package site

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// serveGoApp answers a request for one of go-app's generated files (the
// pages, app.js, app-worker.js, app.css, the manifest), compressed when the
// client accepts it: go-app's handler writes them uncompressed, some 20 kB
// of a first visit. They are small and generated per request, so they are
// compressed on the fly at a fast level: brotli 5, else gzip 6.
func (s *Site) serveGoApp(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.app.ServeHTTP(rec, r)
	res := rec.Result()
	body := rec.Body.Bytes()
	h := w.Header()
	for k, v := range res.Header {
		h[k] = v
	}
	ae := r.Header.Get("Accept-Encoding")
	if res.StatusCode == http.StatusOK && len(body) > 512 && generatedCompressible(res.Header.Get("Content-Type")) &&
		res.Header.Get("Content-Encoding") == "" {
		h.Add("Vary", "Accept-Encoding")
		var enc bytes.Buffer
		switch {
		case accepts(ae, "br"):
			bw := brotli.NewWriterLevel(&enc, 5)
			bw.Write(body)
			bw.Close()
			h.Set("Content-Encoding", "br")
			body = enc.Bytes()
		case accepts(ae, "gzip"):
			zw, _ := gzip.NewWriterLevel(&enc, 6)
			zw.Write(body)
			zw.Close()
			h.Set("Content-Encoding", "gzip")
			body = enc.Bytes()
		}
		h.Del("ETag") // an ETag names one encoding
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(res.StatusCode)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// generatedCompressible reports whether a go-app response of this content
// type is text worth compressing.
func generatedCompressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	return strings.HasPrefix(ct, "text/") || ct == "application/javascript" || ct == "application/json" ||
		ct == "application/manifest+json"
}
