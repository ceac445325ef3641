package fetch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // register decoders for the header check
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"posterity/internal/atomicfile"
	"posterity/internal/progress"
	"posterity/model/dataset"
)

// Defaults for the zero fields of Options.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 20 * time.Second
	DefaultRetries     = 3
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = 30 * time.Second
	DefaultMaxBytes    = 10 << 20
	// MaxRedirects is how many redirects one request follows.
	MaxRedirects = 5
	// FailuresFile names the failure list written next to labels.csv.
	FailuresFile = "failures.csv"
	partSuffix   = ".part"
	userAgent    = "posterity-fetch/1"
)

// Options configures Fetch. Zero fields take the defaults above.
type Options struct {
	// Concurrency is the number of parallel downloads (default 8).
	Concurrency int
	// Timeout bounds one attempt, headers and body (default 20s).
	Timeout time.Duration
	// Retries is the number of extra attempts after a retryable failure
	// (default 3); a negative value means none.
	Retries int
	// Backoff is the delay before the first retry (default 1s); it doubles
	// each retry, up to MaxBackoff, and a random half of it is jitter.
	Backoff time.Duration
	// MaxBackoff caps every delay, a server's Retry-After included
	// (default 30s).
	MaxBackoff time.Duration
	// Seed seeds the jitter, so runs are repeatable.
	Seed uint64
	// MaxBytes rejects larger images (default 10 MiB).
	MaxBytes int64
	// Client makes the requests; nil means a client with a connection pool
	// sized to Concurrency. A client with no CheckRedirect gets one that
	// stops after MaxRedirects.
	Client *http.Client
	// Progress, when set, receives a progress bar and the final report.
	Progress io.Writer
	// Limit, when positive, downloads only the first Limit rows (after
	// dropping repeated ids); labels.csv still lists every row on disk.
	Limit int
}

// Reasons for failures, grouped in the report. HTTP errors read "HTTP 404"
// and so on.
const (
	ReasonNoURL     = "no poster URL"
	ReasonBadID     = "invalid imdbId"
	ReasonBadURL    = "bad URL"
	ReasonTimeout   = "timeout"
	ReasonNetwork   = "network error"
	ReasonTruncated = "truncated body"
	ReasonTooLarge  = "too large"
	ReasonNotImage  = "not an image"
	ReasonRedirects = "too many redirects"
)

// Failure is a poster that could not be downloaded.
type Failure struct {
	ID, URL string
	// Reason is a short category, one of the Reason constants or "HTTP n".
	Reason string
	// Detail is the error of the last attempt.
	Detail string
	// Attempts is the number of requests made.
	Attempts int
}

// Summary counts what Fetch did.
type Summary struct {
	// Downloaded posters were fetched in this run.
	Downloaded int
	// Skipped posters were already on disk, complete.
	Skipped int
	// Failed posters are listed in Failures, in row order.
	Failed   int
	Failures []Failure
}

// ReasonCount is the number of failures with one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// ByReason groups the failures by reason, most frequent first (ties by
// reason).
func (s Summary) ByReason() []ReasonCount {
	counts := make(map[string]int)
	for _, f := range s.Failures {
		counts[f.Reason]++
	}
	out := make([]ReasonCount, 0, len(counts))
	for r, n := range counts {
		out = append(out, ReasonCount{r, n})
	}
	slices.SortFunc(out, func(a, b ReasonCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Reason < b.Reason {
			return -1
		}
		return 1
	})
	return out
}

// WriteReport prints the counts and the failures grouped by reason.
func (s Summary) WriteReport(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "downloaded %d, already present %d, failed %d\n", s.Downloaded, s.Skipped, s.Failed); err != nil {
		return err
	}
	for _, rc := range s.ByReason() {
		if _, err := fmt.Fprintf(w, "  %6d  %s\n", rc.Count, rc.Reason); err != nil {
			return err
		}
	}
	return nil
}

// attemptError is a failed attempt: its reason, whether it may be retried,
// and the server's Retry-After, if any.
type attemptError struct {
	reason     string
	retry      bool
	retryAfter time.Duration
	err        error
}

func (e *attemptError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// diskError is a local I/O failure; it ends the whole run.
type diskError struct{ err error }

func (e *diskError) Error() string { return e.err.Error() }
func (e *diskError) Unwrap() error { return e.err }

var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", MaxRedirects)

// limitRedirects is an http.Client CheckRedirect that follows at most
// MaxRedirects redirects.
func limitRedirects(_ *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return errTooManyRedirects
	}
	return nil
}

// fetcher is the state of one Fetch call.
type fetcher struct {
	opt    Options
	client *http.Client
	images string // outDir/images

	rngMu sync.Mutex
	rng   *rand.Rand
}

// Fetch downloads each row's PosterURL to outDir/images/<ID>.jpg and writes
// outDir/labels.csv and outDir/failures.csv; see the package comment. Rows
// repeating an earlier ID are ignored. A failed poster is not an error: it
// is counted and listed in the Summary and failures.csv. Fetch returns an
// error when it cannot write to outDir, or when ctx is cancelled; the
// Summary then covers the posters handled so far, and labels.csv and
// failures.csv are still written.
func Fetch(ctx context.Context, rows []dataset.MovieGenreRow, outDir string, opt Options) (Summary, error) {
	opt = withDefaults(opt)
	f := &fetcher{
		opt:    opt,
		images: filepath.Join(outDir, dataset.ImagesDir),
		rng:    rand.New(rand.NewPCG(opt.Seed, 0x6a09e667f3bcc908)), // second word: any constant (frac. of √2)
	}
	f.client = opt.Client
	if f.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = opt.Concurrency
		f.client = &http.Client{Transport: tr, CheckRedirect: limitRedirects}
		defer tr.CloseIdleConnections()
	} else if f.client.CheckRedirect == nil {
		c := *f.client
		c.CheckRedirect = limitRedirects
		f.client = &c
	}
	if err := os.MkdirAll(f.images, 0o755); err != nil {
		return Summary{}, fmt.Errorf("fetch: %w", err)
	}
	if err := removeParts(f.images); err != nil {
		return Summary{}, fmt.Errorf("fetch: removing partial files of an earlier run: %w", err)
	}

	rows = uniqueRows(rows)
	work := rows
	if opt.Limit > 0 && opt.Limit < len(work) {
		work = work[:opt.Limit]
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bar := progress.New(opt.Progress, len(work), "posters")
	results := make([]result, len(work))
	var fatalOnce sync.Once
	var fatal error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(opt.Concurrency, max(len(work), 1)) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = f.one(ctx, work[i])
				var de *diskError
				if errors.As(results[i].err, &de) {
					fatalOnce.Do(func() { fatal = de; cancel() })
				}
				bar.Add(1)
			}
		})
	}
feed:
	for i := range work {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	bar.Done()

	var s Summary
	for i, r := range results {
		switch r.state {
		case downloaded:
			s.Downloaded++
		case skipped:
			s.Skipped++
		case failed:
			s.Failed++
			r.failure.ID, r.failure.URL = work[i].ID, work[i].PosterURL
			s.Failures = append(s.Failures, r.failure)
		}
	}
	if err := f.writeLists(outDir, rows, s.Failures); err != nil && fatal == nil {
		fatal = err
	}
	if opt.Progress != nil {
		s.WriteReport(opt.Progress)
	}
	switch {
	case fatal != nil:
		return s, fmt.Errorf("fetch: %w", fatal)
	case ctx.Err() != nil: // the caller cancelled: the fatal case is above
		return s, fmt.Errorf("fetch: interrupted: %w", ctx.Err())
	}
	return s, nil
}

// state is the outcome of one row.
type state int

const (
	notDone state = iota // not attempted: the run was cancelled
	downloaded
	skipped
	failed
)

type result struct {
	state   state
	failure Failure // for failed
	err     error   // a diskError that ends the run
}

// one handles one row: skip it if its image is on disk, else download it
// with retries.
func (f *fetcher) one(ctx context.Context, row dataset.MovieGenreRow) result {
	fail := func(reason, detail string, attempts int) result {
		return result{state: failed, failure: Failure{Reason: reason, Detail: detail, Attempts: attempts}}
	}
	if !dataset.ValidID(row.ID) {
		return fail(ReasonBadID, fmt.Sprintf("imdbId %q cannot name a file", row.ID), 0)
	}
	final := filepath.Join(f.images, row.ID+".jpg")
	if ok, err := completeImage(final); err != nil {
		return result{err: &diskError{err}}
	} else if ok {
		return result{state: skipped}
	}
	if row.PosterURL == "" {
		return fail(ReasonNoURL, "the Poster column is empty", 0)
	}
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return result{}
		}
		err := f.attempt(ctx, row.PosterURL, final)
		if err == nil {
			return result{state: downloaded}
		}
		if ctx.Err() != nil {
			return result{} // cancelled, not failed
		}
		var ae *attemptError
		if !errors.As(err, &ae) {
			return result{err: err}
		}
		if !ae.retry || attempt >= f.opt.Retries {
			return fail(ae.reason, ae.err.Error(), attempt+1)
		}
		t := time.NewTimer(f.backoff(attempt, ae.retryAfter))
		select {
		case <-ctx.Done():
			t.Stop()
			return result{}
		case <-t.C:
		}
	}
}

// attempt makes one request for url and, if the body is a whole image,
// stores it at final. It returns an *attemptError for a failed download and
// a *diskError when it cannot write.
func (f *fetcher) attempt(ctx context.Context, url, final string) error {
	actx, cancel := context.WithTimeout(ctx, f.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, url, nil)
	if err != nil {
		return &attemptError{reason: ReasonBadURL, err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return classify(err, actx)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code := resp.StatusCode
		return &attemptError{
			reason:     "HTTP " + strconv.Itoa(code),
			retry:      code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500,
			retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			err:        fmt.Errorf("GET %s: %s", url, resp.Status),
		}
	}
	limit := f.opt.MaxBytes
	if resp.ContentLength > limit {
		return &attemptError{reason: ReasonTooLarge, err: fmt.Errorf("Content-Length %d exceeds the %d-byte limit", resp.ContentLength, limit)}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return classify(err, actx)
	}
	if n > limit {
		return &attemptError{reason: ReasonTooLarge, err: fmt.Errorf("body exceeds the %d-byte limit", limit)}
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return &attemptError{reason: ReasonTruncated, retry: true, err: fmt.Errorf("read %d bytes, Content-Length %d", n, resp.ContentLength)}
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(buf.Bytes())); err != nil {
		return &attemptError{reason: ReasonNotImage, err: fmt.Errorf("%d bytes of %q: %w", n, resp.Header.Get("Content-Type"), err)}
	}
	return writeFile(final, buf.Bytes())
}

// writeFile stores data at final through final+".part", so that final
// exists only when complete.
func writeFile(final string, data []byte) error {
	part := final + partSuffix
	if err := os.WriteFile(part, data, 0o644); err != nil {
		os.Remove(part)
		return &diskError{err}
	}
	if err := os.Rename(part, final); err != nil {
		os.Remove(part)
		return &diskError{err}
	}
	return nil
}

// classify turns a request or body error into an attemptError. actx is the
// attempt's context: its deadline passing is a timeout.
func classify(err error, actx context.Context) error {
	var ne net.Error
	switch {
	case errors.Is(err, errTooManyRedirects):
		return &attemptError{reason: ReasonRedirects, err: err}
	case errors.Is(actx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return &attemptError{reason: ReasonTimeout, retry: true, err: err}
	}
	return &attemptError{reason: ReasonNetwork, retry: true, err: err}
}

// backoff returns the delay before retry number attempt+1: the server's
// Retry-After if it sent one, else Backoff·2^attempt with its upper half
// jittered; either capped at MaxBackoff.
func (f *fetcher) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, f.opt.MaxBackoff)
	}
	d := f.opt.Backoff << min(attempt, 30)
	if d <= 0 || d > f.opt.MaxBackoff { // <= 0: the shift overflowed
		d = f.opt.MaxBackoff
	}
	f.rngMu.Lock()
	j := f.rng.Float64()
	f.rngMu.Unlock()
	return d/2 + time.Duration(j*float64(d/2))
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date (RFC 9110 §10.2.3). It returns 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// completeImage reports whether name exists and starts with a decodable
// image header. Only a missing file is not an error.
func completeImage(name string) (bool, error) {
	fh, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer fh.Close()
	_, _, err = image.DecodeConfig(fh)
	return err == nil, nil
}

// removeParts deletes the .part files an interrupted run left in dir.
func removeParts(dir string) error {
	parts, err := filepath.Glob(filepath.Join(dir, "*"+partSuffix))
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// uniqueRows drops rows whose ID repeats an earlier row's.
func uniqueRows(rows []dataset.MovieGenreRow) []dataset.MovieGenreRow {
	seen := make(map[string]bool, len(rows))
	out := make([]dataset.MovieGenreRow, 0, len(rows))
	for _, r := range rows {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// writeLists writes labels.csv for every row whose image is on disk and
// failures.csv for the failures.
func (f *fetcher) writeLists(outDir string, rows []dataset.MovieGenreRow, failures []Failure) error {
	var posters []dataset.Poster
	for _, r := range rows {
		if !dataset.ValidID(r.ID) {
			continue
		}
		path := filepath.Join(f.images, r.ID+".jpg")
		if _, err := os.Stat(path); err == nil {
			posters = append(posters, r.Poster(path))
		}
	}
	if err := dataset.WriteLabels(outDir, posters); err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"imdbId", "url", "reason", "detail"})
	for _, fl := range failures {
		w.Write([]string{fl.ID, fl.URL, fl.Reason, fl.Detail})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(outDir, FailuresFile), buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w", FailuresFile, err)
	}
	return nil
}

// withDefaults fills the zero fields of opt.
func withDefaults(opt Options) Options {
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultConcurrency
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	switch {
	case opt.Retries == 0:
		opt.Retries = DefaultRetries
	case opt.Retries < 0:
		opt.Retries = 0
	}
	if opt.Backoff <= 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	return opt
}
