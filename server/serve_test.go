package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests here run "posterity serve" (runServe) on a real listener at
// 127.0.0.1 and talk to it over TCP, some with hand-written request lines
// that net/http's client would refuse to send. Loopback only.

// secret is written beside the served folder (static/secret.txt, and one
// level further out); no response may ever contain it.
const secret = "POSTERITY-SECRET-7f3a9c: never served"

// staticFixture writes a static folder with every file the app needs (fake
// contents: sizes chosen so that some compress and some do not), plus the
// secret files around it, a hidden file and a sub-folder, and returns the
// folder that "serve --static" takes.
func staticFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	static := filepath.Join(root, "static")
	noise := func(n int, seed byte) []byte { // incompressible: gzip does not pay
		b := make([]byte, n)
		x := uint32(seed) + 1
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = byte(x)
		}
		return b
	}
	files := map[string][]byte{
		"web/app.wasm":              append([]byte("\x00asm"), bytes.Repeat([]byte("app code "), 16<<10)...),
		"web/classifier.wasm":       append([]byte("\x00asm"), noise(96<<10, 1)...),
		"web/worker.js":             []byte(strings.Repeat("// worker\n", 400)),
		"web/wasm_exec.js":          []byte(strings.Repeat("// wasm_exec\n", 400)),
		"web/backbone.pstb":         noise(128<<10, 2),
		"web/head.bin":              noise(32<<10, 3),
		"web/imagenet.pstb":         noise(64<<10, 9),
		"web/icon-192.png":          []byte("\x89PNG 192"),
		"web/icon-512.png":          []byte("\x89PNG 512"),
		"web/icon-maskable-512.png": []byte("\x89PNG maskable"),
		"web/icon.svg":              []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`),
		"web/posterity.css":         []byte(strings.Repeat("body { margin: 0 }\n", 100)),
		"web/sub/extra.txt":         []byte("extra"),
		"web/.hidden":               []byte(secret),
		"secret.txt":                []byte(secret),
		"../secret.txt":             []byte(secret),
		"../etc/passwd":             []byte(secret),
	}
	for name, b := range files {
		p := filepath.Join(static, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return static
}

// testServer is a running runServe.
type testServer struct {
	addr   string // host:port
	url    string // http://host:port
	cancel context.CancelFunc
	done   chan error
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startServe runs "posterity serve --addr 127.0.0.1:0 --static static" under
// lim and waits for its address. The server stops (gracefully, checked) when
// the test ends.
func startServe(t *testing.T, static string, lim limits) *testServer {
	t.Helper()
	saved := serveLimits
	serveLimits = lim
	t.Cleanup(func() { serveLimits = saved })
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{cancel: cancel, done: make(chan error, 1), stderr: &lockedBuffer{}}
	pr, pw := io.Pipe()
	go func() {
		s.done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--static", static}, pw, s.stderr)
		pw.Close()
	}()
	addrs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "serving Posterity on http://"); ok {
				addrs <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	select {
	case s.addr = <-addrs:
	case err := <-s.done:
		t.Fatalf("serve exited: %v\n%s", err, s.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start in 2 minutes\n%s", s.stderr)
	}
	s.url = "http://" + s.addr
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("serve after cancel: %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("serve did not stop within a minute of cancel")
		}
	})
	return s
}

// testLimits are serveLimits with a short header timeout, so that the
// slow-header tests end quickly.
func testLimits() limits {
	l := serveLimits
	l.ReadHeader = 500 * time.Millisecond
	l.Read = 2 * time.Second
	l.Shutdown = 5 * time.Second
	return l
}

// raw sends request (a whole HTTP/1.1 request, as written) on a new
// connection and returns the response with its body read.
func raw(t *testing.T, addr, request string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // a bound against a hang, not a timing assertion
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	var req *http.Request // ReadResponse needs to know a HEAD (no body)
	if strings.HasPrefix(request, "HEAD ") {
		req = &http.Request{Method: "HEAD"}
	}
	res, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("%q: reading the response: %v", request, err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%q: reading the body: %v", request, err)
	}
	return res, body
}

func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
}

// TestServeTraversal asks for the secret files around the served folder
// every way a path can climb out of it: each answer is 404 and none
// contains the secret. (The handler serves only files loaded at startup, by
// exact path: package site.)
func TestServeTraversal(t *testing.T) {
	static := staticFixture(t)
	s := startServe(t, static, testLimits())
	abs, _ := filepath.Abs(filepath.Join(static, "secret.txt"))
	targets := []string{
		"/secret.txt",
		"/../secret.txt",
		"/../../secret.txt",
		"/web/../secret.txt",
		"/web/../../secret.txt",
		"/web/../../etc/passwd",
		"/web/../web/../secret.txt",
		"/web//../secret.txt",
		"/web/./../secret.txt",
		"/%2e%2e/secret.txt",
		"/web/%2e%2e/secret.txt",
		"/web/%2E%2E/%2E%2E/secret.txt",
		"/web/..%2fsecret.txt",
		"/web/..%2f..%2fsecret.txt",
		"/web/%2e%2e%2fsecret.txt",
		"/web%2f..%2fsecret.txt",
		"/web/%252e%252e/secret.txt",   // double encoding
		"/web/%c0%ae%c0%ae/secret.txt", // overlong UTF-8 dots
		"/web/..\\secret.txt",
		"/web\\..\\secret.txt",
		"/web/..%5csecret.txt",
		"/web/%5c..%5csecret.txt",
		"/web/secret.txt%00",
		"/web/%00/../secret.txt",
		"/web/app.wasm%00.txt",
		"/web/.hidden",
		"/web/%2ehidden",
		"/" + abs,                        // an absolute path of the machine
		"/web/" + abs,                    //
		"/web/" + filepath.Dir(abs),      // and its folder
		"//etc/passwd",                   //
		"/web//etc/passwd",               //
		"/web/file:" + abs,               //
		"http://127.0.0.1/../secret.txt", // absolute-form request target
		"http://127.0.0.1/web/%2e%2e/secret.txt",
	}
	for _, target := range targets {
		for _, method := range []string{"GET", "HEAD"} {
			req := method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
			res, body := raw(t, s.addr, req)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: status %d, want 404", method, target, res.StatusCode)
			}
			if bytes.Contains(body, []byte("POSTERITY-SECRET")) {
				t.Errorf("%s %s: the response contains the secret file", method, target)
			}
		}
	}
	// The served files are still there, under their own names only.
	for _, target := range []string{"/web/app.wasm", "/web/sub/extra.txt", "/"} {
		if res, _ := raw(t, s.addr, get(target)); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", target, res.StatusCode)
		}
	}
}

// TestServeMethods: GET and HEAD only; every other method, "OPTIONS *"
// included, gets 405 with an Allow header, whatever the path.
func TestServeMethods(t *testing.T) {
	s := startServe(t, staticFixture(t), testLimits())
	for _, c := range []struct{ method, target string }{
		{"POST", "/"},
		{"POST", "/web/app.wasm"},
		{"PUT", "/web/head.bin"},
		{"DELETE", "/web/head.bin"},
		{"PATCH", "/"},
		{"OPTIONS", "/"},
		{"OPTIONS", "*"},
		{"TRACE", "/"},
		{"CONNECT", "127.0.0.1:22"},
		{"PROPFIND", "/web/"},
		{"BREW", "/nope"},
	} {
		body := "x=1"
		req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", c.method, c.target, len(body), body)
		res, _ := raw(t, s.addr, req)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", c.method, c.target, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q, want \"GET, HEAD\"", c.method, c.target, got)
		}
	}
	for _, method := range []string{"GET", "HEAD"} {
		res, body := raw(t, s.addr, method+" /web/worker.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s /web/worker.js: status %d, want 200", method, res.StatusCode)
		}
		if method == "HEAD" && len(body) != 0 {
			t.Errorf("HEAD sent a body of %d bytes", len(body))
		}
	}
}

// TestServeNoListing: no folder, served or not, is listed.
func TestServeNoListing(t *testing.T) {
	s := startServe(t, staticFixture(t), testLimits())
	for _, target := range []string{"/web/", "/web", "/web/sub/", "/web/sub", "/web/?C=M;O=D", "/static/", "/static/web/", "/.", "/web/."} {
		res, body := raw(t, s.addr, get(target))
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, res.StatusCode)
		}
		for _, name := range []string{"app.wasm", "extra.txt", "sub/", "secret"} {
			if bytes.Contains(body, []byte(name)) {
				t.Errorf("GET %s: the response names %q:\n%s", target, name, body)
			}
		}
	}
}

// TestServeSlowHeader: a client that sends half a header and stalls, or
// trickles its header a byte at a time, is cut off by the header timeout;
// the server keeps serving others meanwhile.
func TestServeSlowHeader(t *testing.T) {
	lim := testLimits()
	s := startServe(t, staticFixture(t), lim)
	cases := []struct {
		name    string
		trickle bool
	}{{"half a header, then silence", false}, {"a byte at a time", true}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", s.addr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			closed := make(chan error, 1)
			go func() { // the server's answer, if any, then EOF
				_, err := io.Copy(io.Discard, conn)
				closed <- err
			}()
			head := "GET /web/app.wasm HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
			if !c.trickle {
				io.WriteString(conn, head)
			}
			// A bound against a hang (far above the 0.5 s limit), not a
			// timing assertion.
			bound := time.After(time.Minute)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case err := <-closed:
					if err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
						t.Fatalf("reading: %v", err)
					}
					// Cut off. A complete request on a new connection still works.
					if res, _ := raw(t, s.addr, get("/web/worker.js")); res.StatusCode != http.StatusOK {
						t.Errorf("after the slow client: status %d", res.StatusCode)
					}
					return
				case <-bound:
					t.Fatalf("the server kept a slow-header connection open for a minute (ReadHeaderTimeout %v)", lim.ReadHeader)
				case <-tick.C:
					if c.trickle { // one more byte of an endless header
						if _, err := io.WriteString(conn, string(head[i%len(head)])); err != nil {
							continue // closed by the server: the reader reports it
						}
					}
				}
			}
		})
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// TestServeHeaderTooLarge: a header over the limit gets 431, not memory.
func TestServeHeaderTooLarge(t *testing.T) {
	lim := testLimits()
	s := startServe(t, staticFixture(t), lim)
	big := strings.Repeat("a", 2*lim.HeaderSize)
	res, _ := raw(t, s.addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: "+big+"\r\n\r\n")
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a %d-byte header: status %d, want 431", len(big), res.StatusCode)
	}
}
