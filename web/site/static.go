package site

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// WriteStatic writes the app as a static site into dir, for any static host:
// go-app's generated page and PWA files (app.GenerateStaticWebsite), then
// every file of web/ with precompressed .gz and .br copies beside those that
// compress (for hosts that serve them, such as nginx's gzip_static and
// brotli_static), and Go's
// wasm_exec.js in place of go-app's copy.
//
// A static host cannot send the Content-Security-Policy header; the page
// carries the same policy in a <meta> element, minus frame-ancestors, which
// only a header can set. The content-hash query strings in the URLs are
// ignored by static hosts, which serve the file by its path.
func (s *Site) WriteStatic(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if err := app.GenerateStaticWebsite(dir, s.app); err != nil {
		return fmt.Errorf("site: generating the page: %w", err)
	}
	write := func(rel string, b []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		return nil
	}
	for _, f := range s.Files() {
		rel := strings.TrimPrefix(f.Path, "/")
		if err := write(rel, f.Body); err != nil {
			return err
		}
		if f.Gzip != nil {
			if err := write(rel+".gz", f.Gzip); err != nil {
				return err
			}
		}
		if f.Brotli != nil {
			if err := write(rel+".br", f.Brotli); err != nil {
				return err
			}
		}
	}
	return write("wasm_exec.js", s.files["/web/wasm_exec.js"].Body)
}
