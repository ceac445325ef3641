package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"posterity/model/dataset"
)

// testJPEG and testPNG are tiny valid images.
var testJPEG, testPNG = encodeTestImages()

func encodeTestImages() ([]byte, []byte) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 6))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var j, p bytes.Buffer
	if err := jpeg.Encode(&j, img, nil); err != nil {
		panic(err)
	}
	if err := png.Encode(&p, img); err != nil {
		panic(err)
	}
	return j.Bytes(), p.Bytes()
}

// server is a test server that counts requests per path.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
}

// newServer serves the handlers by path and counts every request.
func newServer(t *testing.T, routes map[string]http.HandlerFunc) *server {
	t.Helper()
	s := &server{counts: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.URL.Path]++
		n := s.counts[r.URL.Path]
		s.mu.Unlock()
		h, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		r.Header.Set("X-Attempt", strconv.Itoa(n))
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

func serveBytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.Write(b) }
}

// fastOptions keeps retries and timeouts short for tests.
func fastOptions() Options {
	return Options{Concurrency: 4, Timeout: 2 * time.Second, Retries: 2, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Seed: 1}
}

func row(id, url string) dataset.MovieGenreRow {
	return dataset.MovieGenreRow{ID: id, Title: "Movie " + id, Year: 2000, Genres: []string{"Drama"}, PosterURL: url}
}

// hijackClose closes the connection without a response.
func hijackClose(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func TestFetchCases(t *testing.T) {
	big := append(append([]byte{}, testPNG...), make([]byte, 2000)...)
	routes := map[string]http.HandlerFunc{
		"/ok.jpg": serveBytes(testJPEG),
		"/ok.png": serveBytes(testPNG),
		"/flaky": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Attempt") == "1" {
				http.Error(w, "try later", http.StatusInternalServerError)
				return
			}
			w.Write(testJPEG)
		},
		"/busy": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		},
		"/down":      func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
		"/forbidden": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
		"/reset": hijackClose,
		"/short": func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(testJPEG))
			buf.Write(testJPEG[:len(testJPEG)/2])
			buf.Flush()
			conn.Close()
		},
		"/loop": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) },
		"/hop": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/hop-target", http.StatusMovedPermanently)
		},
		"/hop-target": serveBytes(testJPEG),
		"/big":        serveBytes(big),
		"/big-chunked": func(w http.ResponseWriter, r *http.Request) {
			w.Write(big[:500])
			w.(http.Flusher).Flush() // no Content-Length from here on
			w.Write(big[500:])
		},
		"/html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>not a poster</html>"))
		},
	}
	srv := newServer(t, routes)
	tests := []struct {
		path     string
		reason   string // "" for success
		requests int    // at the server; 0: not checked
		attempts int    // Fetch's attempts, for failures
	}{
		{"/ok.jpg", "", 1, 0},
		{"/ok.png", "", 1, 0},
		{"/flaky", "", 2, 0},                   // 500 then 200: retried
		{"/busy", "HTTP 429", 3, 3},            // retried, Retry-After 0
		{"/down", "HTTP 500", 3, 3},            // 1 + Retries attempts
		{"/missing", "HTTP 404", 1, 1},         // not retried
		{"/forbidden", "HTTP 403", 1, 1},       // not retried
		{"/slow", ReasonTimeout, 3, 3},         // each attempt times out
		{"/short", ReasonNetwork, 3, 3},        // body shorter than Content-Length
		{"/loop", ReasonRedirects, 6, 1},       // one attempt: the request and 5 redirects
		{"/hop", "", 1, 0},                     // one redirect is fine
		{"/big", ReasonTooLarge, 1, 1},         // Content-Length over MaxBytes
		{"/big-chunked", ReasonTooLarge, 1, 1}, // no Content-Length, body over MaxBytes
		{"/html", ReasonNotImage, 1, 1},
		// Connection closed with no response: retried. net/http itself
		// also retries a GET once when a reused keep-alive connection
		// closes, so the server may see up to twice the attempts.
		{"/reset", ReasonNetwork, 0, 3},
	}
	var rows []dataset.MovieGenreRow
	for i, tc := range tests {
		rows = append(rows, row(strconv.Itoa(i+1), srv.URL+tc.path))
	}
	rows = append(rows, row("100", ""), row("1", srv.URL+"/ignored-duplicate-id"), row("../x", srv.URL+"/ok.jpg"))

	out := t.TempDir()
	opt := fastOptions()
	opt.Timeout = 100 * time.Millisecond
	opt.MaxBytes = int64(len(big) - 1)
	var report bytes.Buffer
	opt.Progress = &report
	start := time.Now()
	sum, err := Fetch(context.Background(), rows, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("took %v; report:\n%s", time.Since(start), report.String())

	reasons := make(map[string]string)
	attempts := make(map[string]int)
	for _, f := range sum.Failures {
		reasons[f.ID] = f.Reason
		attempts[f.ID] = f.Attempts
	}
	wantOK := 0
	for i, tc := range tests {
		id := strconv.Itoa(i + 1)
		if got := reasons[id]; got != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.path, got, tc.reason)
		}
		if got := srv.count(tc.path); tc.requests > 0 && got != tc.requests {
			t.Errorf("%s: %d requests, want %d", tc.path, got, tc.requests)
		}
		if got := attempts[id]; got != tc.attempts {
			t.Errorf("%s: %d attempts, want %d", tc.path, got, tc.attempts)
		}
		_, statErr := os.Stat(filepath.Join(out, "images", id+".jpg"))
		if (statErr == nil) != (tc.reason == "") {
			t.Errorf("%s: image on disk = %v, want %v", tc.path, statErr == nil, tc.reason == "")
		}
		if tc.reason == "" {
			wantOK++
		}
	}
	if reasons["100"] != ReasonNoURL || reasons["../x"] != ReasonBadID {
		t.Errorf("no URL → %q, bad id → %q", reasons["100"], reasons["../x"])
	}
	if srv.count("/ignored-duplicate-id") != 0 {
		t.Error("a repeated id was fetched")
	}
	if sum.Downloaded != wantOK || sum.Skipped != 0 || sum.Failed != len(tests)-wantOK+2 {
		t.Errorf("summary %+v", sum)
	}
	if !strings.Contains(report.String(), "HTTP 500") || !strings.Contains(report.String(), "downloaded 4,") {
		t.Errorf("report lacks the grouped failures:\n%s", report.String())
	}

	// labels.csv lists exactly the posters on disk, readable by dataset.
	posters, err := dataset.ReadLabels(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(posters) != wantOK {
		t.Errorf("labels.csv has %d posters, want %d", len(posters), wantOK)
	}
	failures, err := os.ReadFile(filepath.Join(out, FailuresFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(failures), "\n"); got != sum.Failed+1 {
		t.Errorf("failures.csv has %d lines, want %d", got, sum.Failed+1)
	}
	assertNoParts(t, out)
}

func assertNoParts(t *testing.T, out string) {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(out, "images", "*.part"))
	if len(parts) > 0 {
		t.Errorf("partial files left: %v", parts)
	}
}

func TestFetchResume(t *testing.T) {
	srv := newServer(t, map[string]http.HandlerFunc{
		"/a": serveBytes(testJPEG),
		"/b": serveBytes(testPNG),
		"/c": serveBytes(testJPEG),
	})
	rows := []dataset.MovieGenreRow{row("1", srv.URL+"/a"), row("2", srv.URL+"/b"), row("3", srv.URL+"/c"), row("4", srv.URL+"/gone")}
	out := t.TempDir()
	// A stale .part and a corrupt image from an interrupted earlier run.
	os.MkdirAll(filepath.Join(out, "images"), 0o755)
	os.WriteFile(filepath.Join(out, "images", "9.jpg.part"), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(out, "images", "3.jpg"), []byte("garbage"), 0o644)

	first, err := Fetch(context.Background(), rows, out, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if first.Downloaded != 3 || first.Failed != 1 {
		t.Fatalf("first run: %+v", first)
	}
	second, err := Fetch(context.Background(), rows, out, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if second.Downloaded != 0 || second.Skipped != 3 || second.Failed != 1 {
		t.Errorf("second run: %+v", second)
	}
	for _, p := range []string{"/a", "/b", "/c"} {
		if n := srv.count(p); n != 1 {
			t.Errorf("%s requested %d times over two runs, want 1", p, n)
		}
	}
	if n := srv.count("/gone"); n != 2 {
		t.Errorf("failed poster requested %d times, want once per run", n)
	}
	assertNoParts(t, out)

	// Limit: labels.csv still lists every poster on disk.
	opt := fastOptions()
	opt.Limit = 1
	third, err := Fetch(context.Background(), rows, out, opt)
	if err != nil || third.Skipped != 1 || third.Failed != 0 {
		t.Errorf("limited run: %+v, %v", third, err)
	}
	if posters, err := dataset.ReadLabels(out); err != nil || len(posters) != 3 {
		t.Errorf("labels after limited run: %d posters, %v", len(posters), err)
	}
}

func TestFetchCancel(t *testing.T) {
	started := make(chan struct{}, 100)
	srv := newServer(t, map[string]http.HandlerFunc{
		"/ok": serveBytes(testJPEG),
		"/hang": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(testJPEG)))
			w.Write(testJPEG[:len(testJPEG)/2])
			w.(http.Flusher).Flush()
			started <- struct{}{}
			<-r.Context().Done()
		},
	})
	var rows []dataset.MovieGenreRow
	for i := range 40 {
		path := "/hang"
		if i%4 == 0 {
			path = "/ok"
		}
		rows = append(rows, row(strconv.Itoa(i), srv.URL+path))
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-started
		cancel()
	}()
	opt := fastOptions()
	opt.Timeout = 10 * time.Second
	start := time.Now()
	sum, err := Fetch(ctx, rows, out, opt)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
	if sum.Failed != 0 {
		t.Errorf("cancelled downloads counted as failures: %+v", sum.Failures)
	}
	assertNoParts(t, out)
	posters, err := dataset.ReadLabels(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(posters) != sum.Downloaded {
		t.Errorf("labels.csv has %d posters, summary says %d downloaded", len(posters), sum.Downloaded)
	}
	for _, p := range posters {
		if n, _ := strconv.Atoi(p.ID); n%4 != 0 {
			t.Errorf("hung poster %s is on disk", p.ID)
		}
	}
}

func TestBackoff(t *testing.T) {
	f := &fetcher{opt: withDefaults(Options{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second})}
	f.rng = rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		attempt    int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{0, 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 0, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 0, 400 * time.Millisecond, 800 * time.Millisecond},
		{10, 0, 500 * time.Millisecond, time.Second}, // capped
		{62, 0, 500 * time.Millisecond, time.Second}, // no overflow
		{0, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond},
		{0, time.Hour, time.Second, time.Second}, // Retry-After capped
	}
	for _, tc := range tests {
		for range 20 {
			if d := f.backoff(tc.attempt, tc.retryAfter); d < tc.lo || d > tc.hi {
				t.Errorf("backoff(%d, %v) = %v, want in [%v, %v]", tc.attempt, tc.retryAfter, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.v, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestSummaryReport(t *testing.T) {
	s := Summary{Downloaded: 5, Skipped: 2, Failed: 3, Failures: []Failure{
		{Reason: "HTTP 404"}, {Reason: ReasonTimeout}, {Reason: "HTTP 404"},
	}}
	want := []ReasonCount{{"HTTP 404", 2}, {ReasonTimeout, 1}}
	if got := s.ByReason(); !reflect.DeepEqual(got, want) {
		t.Errorf("ByReason = %v, want %v", got, want)
	}
	var buf bytes.Buffer
	s.WriteReport(&buf)
	if want := "downloaded 5, already present 2, failed 3\n       2  HTTP 404\n       1  timeout\n"; buf.String() != want {
		t.Errorf("report:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestCommand(t *testing.T) {
	srv := newServer(t, map[string]http.HandlerFunc{"/p.jpg": serveBytes(testJPEG)})
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "MovieGenre.csv")
	// Latin-1 title: 0xE9 is é.
	content := "imdbId,Imdb Link,Title,IMDB Score,Genre,Poster\n" +
		"7,http://www.imdb.com/title/tt7,Caf\xe9 (1999),6.1,Comedy|Drama," + srv.URL + "/p.jpg\n"
	if err := os.WriteFile(csvPath, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	if err := Command(context.Background(), []string{"--csv", csvPath, "--out", out, "--retries", "0"}, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	posters, err := dataset.ReadLabels(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(posters) != 1 || posters[0].Title != "Café" || posters[0].Year != 1999 {
		t.Errorf("labels: %+v", posters)
	}
	if err := Command(context.Background(), []string{"--out", out}, &stderr); err == nil {
		t.Error("Command without --csv succeeded")
	}
}
