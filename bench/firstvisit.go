package main

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"path"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"posterity/web/site"
)

// byteCounter wraps the app's handler and records every response's body
// bytes as sent (after the site's gzip), whoever asked: the page, its
// worker or the service worker.
type byteCounter struct {
	h    http.Handler
	mu   sync.Mutex
	reqs []sentFile
}

// sentFile is one response.
type sentFile struct {
	Path  string
	Bytes int64
	At    time.Time
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

// Write sends b and counts it.
func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// ServeHTTP serves the request and records its body bytes.
func (c *byteCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &countingWriter{ResponseWriter: w}
	c.h.ServeHTTP(cw, r)
	c.mu.Lock()
	c.reqs = append(c.reqs, sentFile{Path: r.URL.Path, Bytes: cw.n, At: time.Now()})
	c.mu.Unlock()
}

// take returns the responses so far and forgets them.
func (c *byteCounter) take() []sentFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reqs
	c.reqs = nil
	return r
}

// last is when the latest response was sent.
func (c *byteCounter) last() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) == 0 {
		return time.Time{}
	}
	return c.reqs[len(c.reqs)-1].At
}

// visit is what one visit downloaded.
type visit struct {
	UntilResult  int64      // body bytes the server sent until the first result showed
	Settled      int64      // … until nothing was requested for quietFor (service worker precache included)
	CDPPage      int64      // encodedDataLength summed over the page target's requests until the result (headers included)
	Files        []sentFile // every response until settled
	ResultMS     float64    // navigation to first result, ms
	ResultStatus string
}

const quietFor = 3 * time.Second

func sum(fs []sentFile) (n int64) {
	for _, f := range fs {
		n += f.Bytes
	}
	return n
}

// firstVisit serves the shipped app s (loaded by the site package, as
// "posterity serve" does), opens it in a fresh Chromium profile, classifies
// one poster and counts the bytes; then it reloads and does it again (the
// repeat visit).
func firstVisit(chromium, tmp string, s *site.Site, posterPath string) (first, repeat visit, err error) {
	counter := &byteCounter{h: s}
	base, stop, err := listen(counter)
	if err != nil {
		return first, repeat, err
	}
	defer stop()
	c, err := startChrome(chromium, tmp)
	if err != nil {
		return first, repeat, err
	}
	defer c.cancel()
	var mu sync.Mutex
	var cdp int64
	err = chromedp.Listen(c.ctx, func(ev any) {
		if ev, ok := ev.(*network.EventLoadingFinished); ok {
			mu.Lock()
			cdp += int64(ev.EncodedDataLength)
			mu.Unlock()
		}
	})
	if err != nil {
		return first, repeat, err
	}
	if _, err := chromedp.Call(c.ctx, network.Enable, network.EnableParams{}); err != nil {
		return first, repeat, err
	}
	one := func(n int) (visit, error) {
		var v visit
		mu.Lock()
		cdp = 0
		mu.Unlock()
		counter.take()
		t0 := time.Now()
		if err := chromedp.Do(c.ctx, chromedp.Navigate(base+"/")); err != nil {
			return v, err
		}
		if err := c.waitFor(2*time.Minute, `document.querySelector(".model-state.ready")`); err != nil {
			return v, err
		}
		if err := chromedp.Do(c.ctx, chromedp.SetUploadFiles(chromedp.ID("posters"), []string{posterPath})); err != nil {
			return v, err
		}
		done := `document.querySelectorAll('[data-testid="result"][data-status="done"], [data-testid="result"][data-status="error"]').length >= ` + itoa(n)
		if err := c.waitFor(2*time.Minute, done); err != nil {
			return v, err
		}
		v.ResultMS = float64(time.Since(t0).Microseconds()) / 1000
		c.eval(10*time.Second, `document.querySelectorAll('[data-testid="result"]')[0].dataset.status`, &v.ResultStatus)
		until := counter.take()
		v.UntilResult = sum(until)
		mu.Lock()
		v.CDPPage = cdp
		mu.Unlock()
		// Let the service worker finish caching: wait until the server has
		// been idle for quietFor (at most a minute).
		deadline := time.Now().Add(time.Minute)
		lastSeen := time.Now()
		for time.Now().Before(deadline) {
			if l := counter.last(); l.After(lastSeen) {
				lastSeen = l
			}
			if time.Since(lastSeen) > quietFor {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		v.Files = append(until, counter.take()...)
		v.Settled = sum(v.Files)
		return v, nil
	}
	if first, err = one(1); err != nil {
		return first, repeat, err
	}
	repeat, err = one(1)
	return first, repeat, err
}

func itoa(n int) string { return strconv.Itoa(n) }

// gzipSize is the size of b compressed as the site compresses its files
// (gzip, best compression).
func gzipSize(b []byte) int64 {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return int64(buf.Len())
}

// brotliSize is the size of b compressed as the site compresses its wasm
// and scripts (brotli quality 11, a 16 MiB window).
func brotliSize(b []byte) int64 {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 11, LGWin: 24})
	w.Write(b)
	w.Close()
	return int64(buf.Len())
}

// byFile sums a visit's bytes per file name, largest first.
func byFile(fs []sentFile) []sentFile {
	m := map[string]int64{}
	for _, f := range fs {
		m[path.Base(f.Path)] += f.Bytes
	}
	var out []sentFile
	for k, v := range m {
		out = append(out, sentFile{Path: k, Bytes: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out
}
