// Package site serves Posterity's web app over HTTP and writes it out as a
// static site. It is the server half of package ui (which holds the page and
// its go-app handler) and is not compiled into any wasm.
//
// At startup, Load reads every file under <static>/web into memory, hashes
// it, and compresses what compresses. From then on nothing touches the disk:
// a request can only name a file that was loaded, so there are no directory
// listings and no path traversal, and each file's URL carries its content
// hash ("/web/backbone.pstb?v=3f2a…"): such a URL is immutable, a browser may
// cache it forever, and the service worker copies it across app versions
// instead of downloading it again.
//
// Compression is gzip (standard library) at the best level for every file
// that compresses, and brotli at its best quality for the wasm programs and
// text (brotli.go), both computed once; a request gets brotli when it
// accepts it, else gzip.
package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"posterity/web/ui"
)

// hashLen is how many hex digits of a file's SHA-256 go into its URL: 64
// bits, plenty to tell versions of one file apart.
const hashLen = 16

// maxFileSize bounds one static file (the largest, app.wasm, is ≈ 9 MB).
const maxFileSize = 256 << 20

// File is one static file held in memory.
type File struct {
	Path        string // URL path, "/web/…"
	Body        []byte
	Gzip        []byte // gzip of Body, nil when it does not pay
	Brotli      []byte // brotli of Body, nil when it does not pay or was not tried
	SHA256      string // hex, of Body
	ContentType string
	ModTime     time.Time
}

// Sent is what serveFile sends a browser that accepts brotli and gzip:
// the brotli encoding, else the gzip one, else the body.
func (f *File) Sent() []byte {
	switch {
	case f.Brotli != nil:
		return f.Brotli
	case f.Gzip != nil:
		return f.Gzip
	}
	return f.Body
}

// Tag is the content hash that goes into the file's URL.
func (f *File) Tag() string { return f.SHA256[:hashLen] }

// Site is the loaded app: its files, its go-app handler and its version.
// It is an http.Handler and is safe for concurrent use.
type Site struct {
	files   map[string]*File
	version string
	app     *app.Handler
	assets  ui.Assets
}

// Load reads the app's files from staticDir/web and prepares the handler.
// It fails, with a hint, when a file the app needs is missing.
func Load(staticDir string) (*Site, error) { return load(staticDir, BrotliCacheDir()) }

// load is Load with the brotli cache folder ("" for none).
func load(staticDir, brotliCache string) (*Site, error) {
	root := filepath.Join(staticDir, "web")
	files, err := readTree(root)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, p := range append(ui.RequiredFiles(), "/web/wasm_exec.js") {
		if files[p] == nil {
			missing = append(missing, filepath.Join(root, strings.TrimPrefix(p, "/web/")))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("site: missing %s (run \"make static\"; the head is committed, backbone.pstb and imagenet.pstb come from \"make model\")", strings.Join(missing, ", "))
	}
	compressAll(files, brotliCache)
	ui.Register() // go-app prerenders only routed pages
	s := &Site{files: files}
	res := resolver{files: files}
	s.assets = ui.Assets{
		Worker:       res.Resolve(ui.WorkerJS),
		WasmExec:     ui.WasmExecJS,
		Classifier:   res.Resolve(ui.ClassifierWasm),
		Backbone:     res.Resolve(ui.BackboneFile),
		Head:         res.Resolve(ui.HeadFile),
		ImageNet:     res.Resolve(ui.ImageNetFile),
		BackboneSize: int64(len(files[ui.BackboneFile].Body)),
		HeadSize:     int64(len(files[ui.HeadFile].Body)),
		ImageNetSize: int64(len(files[ui.ImageNetFile].Body)),
	}
	if files[ui.KernelsWasm] != nil {
		s.assets.Kernels = res.Resolve(ui.KernelsWasm)
	}
	s.app = ui.Handler(ui.HandlerConfig{Resources: res, Assets: s.assets})
	s.version = version(files, ui.Describe(s.app))
	s.app.Version = s.version // before the handler's first request, which freezes it
	return s, nil
}

// Version is the app's version: a hash of every served file and of the
// server's own page configuration.
func (s *Site) Version() string { return s.version }

// Files returns the loaded files, sorted by path.
func (s *Site) Files() []*File {
	out := make([]*File, 0, len(s.files))
	for _, f := range s.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Assets returns the URLs and sizes that the page hands its worker.
func (s *Site) Assets() ui.Assets { return s.assets }

// readTree loads every regular file under root (following symbolic links to
// files), skipping names that start with a dot.
func readTree(root string) (map[string]*File, error) {
	files := map[string]*File{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		st, err := os.Stat(p) // follows a symbolic link
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return nil
		}
		if st.Size() > maxFileSize {
			return fmt.Errorf("%s is %d bytes, more than %d", p, st.Size(), maxFileSize)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		urlPath := "/web/" + filepath.ToSlash(rel)
		files[urlPath] = &File{
			Path: urlPath, Body: b, SHA256: hex.EncodeToString(sum[:]),
			ContentType: contentType(urlPath), ModTime: st.ModTime(),
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("site: %w (run \"make static\" first)", err)
		}
		return nil, fmt.Errorf("site: reading %s: %w", root, err)
	}
	return files, nil
}

// contentType is the MIME type of a static file, by extension. Types are
// set explicitly (never sniffed), and text types say UTF-8.
func contentType(p string) string {
	switch path.Ext(p) {
	case ".wasm":
		return "application/wasm"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".json":
		return "application/json"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".ico":
		return "image/x-icon"
	case ".txt", ".md":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream" // the model files (.pstb, .bin) and the rest
}

// compressible reports whether gzip is worth trying on a content type.
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || ct == "application/wasm" || ct == "application/json" ||
		ct == "application/manifest+json" || ct == "image/svg+xml" || ct == "application/octet-stream"
}

// compressAll compresses the files on every core: gzip for those that
// compress, kept only when it saves at least 5 %, and brotli for those
// worth it (brotli.go), from the cache folder brotliCache when it holds a
// valid encoding, kept only when smaller than the gzip one.
func compressAll(files map[string]*File, brotliCache string) {
	if brotliCache != "" {
		os.MkdirAll(brotliCache, 0o755) // a cache that cannot be written only costs time
	}
	work := make(chan *File)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for f := range work {
				var b bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
				zw.Write(f.Body)
				zw.Close()
				limit := len(f.Body) * 95 / 100
				if b.Len() < limit {
					f.Gzip = b.Bytes()
					limit = b.Len()
				}
				if brotliWorthy(f.ContentType) {
					if br := cachedBrotli(brotliCache, f); len(br) < limit {
						f.Brotli = br
					}
				}
			}
		})
	}
	for _, f := range files {
		if compressible(f.ContentType) && len(f.Body) > 512 {
			work <- f
		}
	}
	close(work)
	wg.Wait()
}

// version hashes the served files and the page configuration (the service
// worker template, the page's settings and headers).
func version(files map[string]*File, config string) string {
	h := sha256.New()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(h, "%s %s\n", p, files[p].SHA256)
	}
	fmt.Fprintf(h, "csp %s\nconfig %s\n", ui.ContentSecurityPolicy, config)
	return hex.EncodeToString(h.Sum(nil))[:hashLen]
}

// resolver gives go-app the URL of each static file: "/web/x?v=<hash>" for
// a loaded file, the path itself otherwise.
type resolver struct{ files map[string]*File }

// Resolve implements app.ResourceResolver.
func (r resolver) Resolve(loc string) string {
	switch {
	case loc == "" || loc == "/":
		return "/"
	case strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://"):
		return loc
	case strings.Contains(loc, "?"):
		return loc // already resolved
	}
	p := "/" + strings.Trim(loc, "/")
	if p != "/web" && !strings.HasPrefix(p, "/web/") {
		return loc
	}
	if f := r.files[p]; f != nil {
		return p + "?v=" + f.Tag()
	}
	return p
}
