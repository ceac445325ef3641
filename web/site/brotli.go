package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"

	"posterity/internal/atomicfile"
)

// Brotli at its best quality (11, a 16 MiB window) takes the two wasm
// programs from 2.39 + 1.61 MB (gzip -9) to 1.73 + 1.18 MB: 1.1 MB less on a
// first visit. It is slow to encode (≈ 20 s for app.wasm on one core of the
// test machine), so each encoding is kept in a cache folder under its
// input's SHA-256 and computed once per build; "make static" fills it. The
// model files are left to gzip: their int8 weights barely compress and
// brotli saved 1.4 % on them.

const (
	brotliQuality = 11
	brotliWindow  = 24 // log2 of the window: 16 MiB, the format's largest
)

// brotliWorthy reports whether a content type (parameters allowed) is worth
// brotli's time: the wasm programs and text, go-app's generated scripts
// included.
func brotliWorthy(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	return ct == "application/wasm" || strings.HasPrefix(ct, "text/") || ct == "application/javascript" ||
		ct == "application/json" || ct == "application/manifest+json" || ct == "image/svg+xml"
}

// BrotliCacheDir is where encodings are kept between runs:
// $POSTERITY_CACHE/brotli, else brotli under the user's cache folder
// (os.UserCacheDir), else "" (no cache: encode at every start).
func BrotliCacheDir() string {
	if d := os.Getenv("POSTERITY_CACHE"); d != "" {
		return filepath.Join(d, "brotli")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "posterity", "brotli")
	}
	return ""
}

// cachedBrotli returns the brotli encoding of f.Body: the cached one when it
// decodes to exactly f.Body, else a fresh one, which it tries to cache.
func cachedBrotli(dir string, f *File) []byte {
	name := ""
	if dir != "" {
		name = filepath.Join(dir, f.SHA256+".br")
		if b, err := os.ReadFile(name); err == nil && brotliDecodesTo(b, f.SHA256, len(f.Body)) {
			return b
		}
	}
	b := encodeBrotli(f.Body)
	if name != "" {
		atomicfile.Write(name, b) // best effort: a cache that cannot be written only costs time
	}
	return b
}

// encodeBrotli compresses b at brotliQuality.
func encodeBrotli(b []byte) []byte {
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: brotliQuality, LGWin: brotliWindow})
	w.Write(b) // writes to a bytes.Buffer do not fail
	w.Close()
	return out.Bytes()
}

// brotliDecodesTo reports whether enc is a brotli stream of n bytes whose
// SHA-256 is sum (hex): a torn, corrupt or foreign cache file is never
// served.
func brotliDecodesTo(enc []byte, sum string, n int) bool {
	h := sha256.New()
	got, err := io.Copy(h, io.LimitReader(brotli.NewReader(bytes.NewReader(enc)), int64(n)+1))
	return err == nil && got == int64(n) && hex.EncodeToString(h.Sum(nil)) == sum
}
