package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"posterity/web/site"
)

// limits bound what one client can hold of the server. Reads are small
// (GET and HEAD only, no bodies); writes are not bounded, since a phone on a
// slow link may need minutes for app.wasm.
type limits struct {
	ReadHeader time.Duration // the whole request header, from the first byte (a slow-header client is cut off)
	Read       time.Duration // the whole request, header and body
	Idle       time.Duration // a kept-alive connection between requests
	Shutdown   time.Duration // in-flight requests after SIGINT or SIGTERM
	HeaderSize int           // request header bytes; larger ones get 431
}

// serveLimits are the limits of "posterity serve" (README, "Security and
// reliability"). Tests shorten them.
var serveLimits = limits{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Idle:       2 * time.Minute,
	Shutdown:   10 * time.Second,
	HeaderSize: 64 << 10,
}

// newServer returns the HTTP server for h under lim. The general
// "OPTIONS *" handler of net/http is off, so that h answers every method
// (405 for all but GET and HEAD).
func newServer(h http.Handler, lim limits, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:                      h,
		ReadHeaderTimeout:            lim.ReadHeader,
		ReadTimeout:                  lim.Read,
		IdleTimeout:                  lim.Idle,
		MaxHeaderBytes:               lim.HeaderSize,
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     errorLog,
	}
}

// runServe serves the web app (see package site) until ctx is cancelled
// (SIGINT or SIGTERM), then shuts down gracefully; or, with --write-site,
// writes the app as a static site and exits.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[--addr 127.0.0.1:8080] [--static static] [--write-site DIR]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	static := fs.String("static", "static", "folder whose web/ holds the built app and model (make static)")
	out := fs.String("write-site", "", "write a static copy of the site to this folder and exit, instead of serving")
	accessLog := fs.Bool("log", false, "log every request to stderr: method, URL, request body length, status, response bytes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	t0 := time.Now()
	s, err := site.Load(*static)
	if err != nil {
		return err
	}
	var raw, gz, br int
	for _, f := range s.Files() {
		raw += len(f.Body)
		if f.Gzip != nil {
			gz += len(f.Gzip)
		} else {
			gz += len(f.Body)
		}
		br += len(f.Sent())
	}
	fmt.Fprintf(stderr, "posterity serve: %d files, %.1f MB (%.1f MB gzip, %.1f MB brotli), version %s, loaded in %v\n",
		len(s.Files()), float64(raw)/1e6, float64(gz)/1e6, float64(br)/1e6, s.Version(), time.Since(t0).Round(time.Millisecond))
	if *out != "" {
		if err := s.WriteStatic(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote the static site to %s\n", *out)
		return nil
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	var h http.Handler = s
	if *accessLog {
		h = logRequests(s, log.New(stderr, "", log.Lmicroseconds))
	}
	lim := serveLimits
	srv := newServer(h, lim, log.New(stderr, "posterity serve: ", 0))
	fmt.Fprintf(stdout, "serving Posterity on http://%s/\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), lim.Shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	fmt.Fprintln(stderr, "posterity serve: stopped")
	return nil
}

// logRequests logs one line per request: method, URL, the request body's
// declared length, status and response body bytes. The browser tests read
// it to check what the page asks of the server.
func logRequests(h http.Handler, l *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		h.ServeHTTP(cw, r)
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		l.Printf("request %s %s body=%d status=%d bytes=%d", r.Method, r.URL.RequestURI(), r.ContentLength, cw.status, cw.n)
	})
}

// countingWriter records the status and counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}
