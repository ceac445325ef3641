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
//
// go-app tags every response with the app version as its ETag and answers
// a matching If-None-Match with 304 (a repeat visit's check for a new
// service worker then costs no body). An encoded response gets the ETag
// of its encoding ("<version>-br"), as one ETag must name one sequence of
// bytes, and revalidation is answered here against that.
func (s *Site) serveGoApp(w http.ResponseWriter, r *http.Request) {
	plain := r.Clone(r.Context())
	plain.Header.Del("If-None-Match") // revalidation is decided below, per encoding
	rec := httptest.NewRecorder()
	s.app.ServeHTTP(rec, plain)
	res := rec.Result()
	body := rec.Body.Bytes()
	h := w.Header()
	for k, v := range res.Header {
		h[k] = v
	}
	status := res.StatusCode
	if status == http.StatusOK && len(body) > 512 && generatedCompressible(res.Header.Get("Content-Type")) &&
		res.Header.Get("Content-Encoding") == "" {
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
	if et := h.Get("ETag"); status == http.StatusOK && et != "" && etagListed(r.Header.Get("If-None-Match"), et) {
		h.Del("Content-Encoding")
		h.Del("Content-Length")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// codingETag is the ETag of an encoded copy: `"v"` becomes `"v-br"`.
func codingETag(etag, coding string) string {
	if t, ok := strings.CutSuffix(etag, `"`); ok && strings.Contains(t, `"`) {
		return t + "-" + coding + `"`
	}
	return etag + "-" + coding
}

// etagListed reports whether an If-None-Match value lists etag (or is "*").
func etagListed(header, etag string) bool {
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == "*" || e == etag {
			return true
		}
	}
	return false
}

// generatedCompressible reports whether a go-app response of this content
// type is text worth compressing.
func generatedCompressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	return strings.HasPrefix(ct, "text/") || ct == "application/javascript" || ct == "application/json" ||
		ct == "application/manifest+json"
}
