package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"posterity/internal/atomicfile"
	"posterity/internal/benchmd"
	"posterity/web/site"
)

// The load test: "make loadtest" runs it with 20,000 requests against the
// built app (static/) and writes its section of BENCHMARKS.md; "go test"
// runs it with 2,000 against a small fixture, as a check that nothing fails
// under concurrency.
var (
	loadRequests = flag.Int("load.requests", 2000, "TestServeLoad: number of requests")
	loadConns    = flag.Int("load.conns", 64, "TestServeLoad: number of connections (and client goroutines)")
	loadStatic   = flag.String("load.static", "", "TestServeLoad: the folder to serve (make static's static/); empty: a small fixture")
	loadReport   = flag.String("load.report", "", "TestServeLoad: write the results as the \"Server under load\" section of this file (BENCHMARKS.md)")
)

// loadTarget is one URL the test asks for and the body it must get.
type loadTarget struct {
	name, url string
	size      int // bytes as sent (brotli or gzip where the server compresses); -1: not checked
	lat       []time.Duration
}

// TestServeLoad sends loadRequests GETs over loadConns kept-alive
// connections to "posterity serve" on 127.0.0.1, round-robin over the
// files a first visit fetches (the page, app.wasm, classifier.wasm,
// worker.js, head.bin, the backbone) at the content-addressed URLs the page
// uses, accepting brotli and gzip as a browser does. Every response must be 200 with
// the whole body; it reports p50/p99 latency (request written to last body
// byte read).
func TestServeLoad(t *testing.T) {
	static := *loadStatic
	if static == "" {
		static = staticFixture(t)
	}
	s, err := site.Load(static) // the same files the server loads: their URLs and sizes
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*site.File{}
	for _, f := range s.Files() {
		files[f.Path] = f
	}
	targets := []*loadTarget{{name: "/ (the page)", url: "/", size: -1}}
	for _, p := range []string{"/web/app.wasm", "/web/classifier.wasm", "/web/worker.js", "/web/head.bin", "/web/backbone.pstb"} {
		f := files[p]
		if f == nil {
			t.Fatalf("%s is not served", p)
		}
		targets = append(targets, &loadTarget{name: p, url: p + "?v=" + f.Tag(), size: len(f.Sent())})
	}
	srv := startServe(t, static, serveLimits)

	n, conns := *loadRequests, *loadConns
	var dials atomic.Int64
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		MaxConnsPerHost:     conns,
		MaxIdleConnsPerHost: conns,
		DisableCompression:  true, // the body is counted as sent; we ask for gzip ourselves
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Minute}

	load1 := benchmd.LoadAverage()
	var (
		next, errCount, sent atomic.Int64
		mu                   sync.Mutex
		firstErrs            []string
		wg                   sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		if errCount.Add(1) <= 5 {
			mu.Lock()
			firstErrs = append(firstErrs, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
	}
	lat := make([][]time.Duration, len(targets)) // per target, merged after
	var latMu sync.Mutex
	t0 := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([][]time.Duration, len(targets))
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				k := i % len(targets)
				tg := targets[k]
				req, _ := http.NewRequest("GET", srv.url+tg.url, nil)
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
				start := time.Now()
				res, err := client.Do(req)
				if err != nil {
					fail("GET %s: %v", tg.url, err)
					continue
				}
				m, err := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				d := time.Since(start)
				sent.Add(m)
				switch {
				case err != nil:
					fail("GET %s: reading the body: %v", tg.url, err)
				case res.StatusCode != http.StatusOK:
					fail("GET %s: status %d", tg.url, res.StatusCode)
				case tg.size >= 0 && m != int64(tg.size):
					fail("GET %s: %d bytes, want %d", tg.url, m, tg.size)
				case m == 0:
					fail("GET %s: empty body", tg.url)
				default:
					mine[k] = append(mine[k], d)
				}
			}
			latMu.Lock()
			for k := range mine {
				lat[k] = append(lat[k], mine[k]...)
			}
			latMu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	var all []time.Duration
	for k, tg := range targets {
		tg.lat = lat[k]
		all = append(all, lat[k]...)
	}
	sortDurations(all)
	t.Logf("%d requests over %d connections (%d dialled) in %v: %d errors, %.0f req/s, %.0f MB/s; p50 %v, p99 %v, max %v",
		n, conns, dials.Load(), elapsed.Round(time.Millisecond), errCount.Load(), float64(n)/elapsed.Seconds(),
		float64(sent.Load())/1e6/elapsed.Seconds(), pct(all, 50), pct(all, 99), pct(all, 100))
	for _, tg := range targets {
		sortDurations(tg.lat)
		t.Logf("  %-22s %5d ok  p50 %-10v p99 %v", tg.name, len(tg.lat), pct(tg.lat, 50), pct(tg.lat, 99))
	}
	if errCount.Load() > 0 {
		t.Errorf("%d of %d requests failed; the first: %s", errCount.Load(), n, strings.Join(firstErrs, "; "))
	}
	// More dials than connections are not an error (net/http's transport
	// may race a dial against a connection coming back to its pool), but
	// what the server logged would say why it closed one.
	if d := dials.Load(); d > int64(conns) {
		t.Logf("%d connections dialled for %d; the server's log:\n%s", d, conns, srv.stderr)
	}
	if *loadReport != "" && errCount.Load() == 0 {
		sec := loadSection(n, conns, int(dials.Load()), elapsed, sent.Load(), all, targets, *loadStatic, load1, benchmd.LoadAverage())
		if err := replaceSection(*loadReport, sec); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote the \"Server under load\" section of %s", *loadReport)
	}
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// pct is the p-th percentile of sorted d (nearest rank); 100 is the maximum.
func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := (p*len(d) + 99) / 100
	if i < 1 {
		i = 1
	}
	return d[i-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// loadSection is the report's markdown section.
func loadSection(n, conns, dials int, elapsed time.Duration, sent int64, all []time.Duration, targets []*loadTarget, static, load1, load2 string) string {
	var b strings.Builder
	fmt.Fprintln(&b, benchmd.LoadBegin)
	fmt.Fprintln(&b, "## Server under load")
	fmt.Fprintln(&b)
	what := "a small fixture"
	if static != "" {
		what = "the built app (`make static`)"
	}
	fmt.Fprintf(&b, "Written by `make loadtest` (server/serve_load_test.go, issue #6) on %s: %d GET requests over %d kept-alive connections (%d dialled) to `posterity serve` of %s on 127.0.0.1, one client goroutine per connection, round-robin over the files of a first visit at the content-addressed URLs the page uses, `Accept-Encoding: gzip, deflate, br` as a browser sends it (brotli for the wasm and scripts, gzip for the weights). Latency runs from sending the request to reading the last body byte; client and server share the machine's %d cores (load average %s at the start, %s at the end).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), n, conns, dials, what, runtime.NumCPU(), load1, load2)
	fmt.Fprintf(&b, "**%d requests, 0 errors, in %.1f s: %.0f requests/s, %.0f MB/s sent; p50 %s ms, p99 %s ms, max %s ms.**\n\n",
		n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), float64(sent)/1e6/elapsed.Seconds(), ms(pct(all, 50)), ms(pct(all, 99)), ms(pct(all, 100)))
	fmt.Fprintln(&b, "| file | requests | bytes sent each | p50 ms | p99 ms | max ms |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|")
	for _, tg := range targets {
		size := "–"
		if tg.size >= 0 {
			size = fmt.Sprint(tg.size)
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s | %s |\n", tg.name, len(tg.lat), size, ms(pct(tg.lat, 50)), ms(pct(tg.lat, 99)), ms(pct(tg.lat, 100)))
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "Limits the server enforces meanwhile (server/serve.go, tested in server/serve_test.go): request header within 10 s, whole request within 30 s, idle keep-alive 2 min, 64 KiB of header; GET and HEAD only; only the files loaded at startup, by exact path.")
	fmt.Fprintln(&b, benchmd.LoadEnd)
	return b.String()
}

// replaceSection puts sec in place of the file's server-load section, or
// at its end when it has none (or the file does not exist).
func replaceSection(path, sec string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return atomicfile.Write(path, []byte(benchmd.ReplaceLoadSection(string(old), sec)))
}
