package progress

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLogMode(t *testing.T) {
	clk := newFakeClock()
	var buf bytes.Buffer
	b := NewWithOptions(&buf, 100, "posters", Options{Mode: Log, Now: clk.Now})
	for range 100 {
		clk.Advance(10 * time.Millisecond)
		b.Add(1)
	}
	b.Done()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// One line per 10% step below 100% (9 of them) plus the final line.
	if len(lines) != 10 {
		t.Fatalf("got %d lines, want 10:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), "\r") {
		t.Errorf("log mode wrote a carriage return:\n%q", buf.String())
	}
	want := []string{"posters  10/100   10.0%  100.0/s  ETA 900ms", "posters  100/100  100.0%  100.0/s  in 1s"}
	if lines[0] != want[0] {
		t.Errorf("first line = %q, want %q", lines[0], want[0])
	}
	if lines[9] != want[1] {
		t.Errorf("final line = %q, want %q", lines[9], want[1])
	}
}

func TestLogModeTimeInterval(t *testing.T) {
	clk := newFakeClock()
	var buf bytes.Buffer
	b := NewWithOptions(&buf, 1000, "x", Options{Mode: Log, Now: clk.Now})
	// 9 items over 60 s: never crosses 10%, so only the 5 s interval prints.
	for range 9 {
		clk.Advance(6 * time.Second)
		b.Add(1)
	}
	if got := strings.Count(buf.String(), "\n"); got != 9 {
		t.Errorf("got %d lines after 9 slow adds, want 9:\n%s", got, buf.String())
	}
	buf.Reset()
	for range 5 {
		clk.Advance(time.Second)
		b.Add(1)
	}
	if got := strings.Count(buf.String(), "\n"); got != 1 {
		t.Errorf("got %d lines for 5 adds within 5 s, want 1:\n%s", got, buf.String())
	}
	b.Done()
}

func TestTerminalMode(t *testing.T) {
	clk := newFakeClock()
	var buf bytes.Buffer
	b := NewWithOptions(&buf, 50, "feat", Options{Mode: Terminal, Now: clk.Now, Tick: -1})
	// 50 adds 50 ms apart over 2.5 s: one redraw per 200 ms at most.
	for range 50 {
		clk.Advance(50 * time.Millisecond)
		b.Add(1)
	}
	draws := strings.Count(buf.String(), "\r")
	if draws < 10 || draws > 13 {
		t.Errorf("got %d redraws in 2.5 s, want about 12", draws)
	}
	if strings.Contains(buf.String(), "\n") {
		t.Errorf("terminal mode wrote a newline before Done")
	}
	b.Done()
	out := buf.String()
	// The final line is shorter than the ETA line before it, so it is
	// padded with blanks to wipe the leftovers.
	if !strings.HasSuffix(out, "\rfeat  50/50  100.0%  20.0/s  in 2.5s  \n") {
		t.Errorf("final redraw = %q", out[strings.LastIndex(out, "\r"):])
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name    string
		total   int
		count   int
		elapsed time.Duration
		final   bool
		want    string
	}{
		{"start", 10, 0, 0, false, "L  0/10    0.0%  0.0/s  ETA ?"},
		{"half", 10, 5, 5 * time.Second, false, "L  5/10   50.0%  1.0/s  ETA 5s"},
		{"long eta", 12514, 1234, 30 * time.Second, false, "L  1234/12514    9.9%  41.1/s  ETA 4m34s"},
		{"unknown total", 0, 7, 2 * time.Second, false, "L  7  3.5/s"},
		{"final", 4, 4, 2 * time.Second, true, "L  4/4  100.0%  2.0/s  in 2s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &Bar{total: tc.total, label: "L", count: tc.count}
			if got := b.format(tc.elapsed, tc.final); got != tc.want {
				t.Errorf("format = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	b := NewWithOptions(&buf, 8000, "c", Options{Mode: Terminal, Tick: time.Millisecond})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				b.Add(1)
			}
		})
	}
	wg.Wait()
	b.Done()
	if got := b.Count(); got != 8000 {
		t.Errorf("Count = %d, want 8000", got)
	}
}

func TestDoneStopsTicker(t *testing.T) {
	before := runtime.NumGoroutine()
	var buf bytes.Buffer
	b := NewWithOptions(&buf, 10, "t", Options{Mode: Terminal, Tick: time.Millisecond})
	time.Sleep(5 * time.Millisecond)
	b.Done()
	b.Done() // a second Done is harmless
	b.Add(1) // and so is an Add after Done
	// Done waits for the ticker goroutine, so the count is back at once.
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after Done", before, after)
	}
	if !strings.HasSuffix(buf.String(), "\n") {
		t.Errorf("Done did not end the line: %q", buf.String())
	}
}

func TestNilWriter(t *testing.T) {
	b := New(nil, 3, "quiet")
	b.Add(3)
	b.Done()
}
