package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Default intervals. A terminal is redrawn at most every TerminalInterval
// (about five times a second); a log gets a line at most every LogInterval,
// or when the count crosses a 10% step.
const (
	TerminalInterval = 200 * time.Millisecond
	LogInterval      = 5 * time.Second
)

// Mode says how a Bar draws.
type Mode int

const (
	// Auto draws in place when the writer is a terminal and prints
	// plain lines otherwise.
	Auto Mode = iota
	// Terminal redraws one line in place with '\r'.
	Terminal
	// Log prints a plain line every LogInterval or 10% step.
	Log
)

// Options tunes a Bar. The zero value is what New uses.
type Options struct {
	// Mode chooses in-place redraws or plain lines; Auto detects a
	// terminal from the writer.
	Mode Mode
	// Now is the clock; nil means time.Now. Tests inject a fake clock.
	Now func() time.Time
	// Tick is how often a terminal bar redraws by itself, so that the
	// rate and ETA stay current while no item finishes. Zero means
	// TerminalInterval; a negative value starts no ticker goroutine.
	// Log bars never start a ticker.
	Tick time.Duration
}

// Bar is a progress bar. Its methods are safe for concurrent use.
type Bar struct {
	w     io.Writer
	total int
	label string
	now   func() time.Time
	tty   bool

	mu       sync.Mutex
	count    int
	start    time.Time
	lastDraw time.Time
	lastStep int // last 10% step printed in log mode
	lastLen  int // width of the last in-place line, to blank leftovers
	done     bool

	stop chan struct{} // closed by Done; nil when no ticker runs
	wg   sync.WaitGroup
}

// New returns a Bar counting to total items (total <= 0 means unknown),
// drawing to w with the given label. A nil w discards all output.
func New(w io.Writer, total int, label string) *Bar {
	return NewWithOptions(w, total, label, Options{})
}

// NewWithOptions is New with explicit Options.
func NewWithOptions(w io.Writer, total int, label string, opt Options) *Bar {
	if w == nil {
		w = io.Discard
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	tty := false
	switch opt.Mode {
	case Terminal:
		tty = true
	case Auto:
		tty = isTerminal(w)
	}
	b := &Bar{w: w, total: total, label: label, now: now, tty: tty}
	b.start = now()
	b.lastDraw = b.start
	if tty && w != io.Discard && opt.Tick >= 0 {
		tick := opt.Tick
		if tick == 0 {
			tick = TerminalInterval
		}
		b.stop = make(chan struct{})
		b.wg.Add(1)
		go b.ticker(tick)
	}
	return b
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (b *Bar) ticker(d time.Duration) {
	defer b.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if !b.done {
				b.drawLocked(b.now(), false)
			}
			b.mu.Unlock()
		}
	}
}

// Add records n more finished items and redraws if it is time to.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.count += n
	now := b.now()
	if b.tty {
		if now.Sub(b.lastDraw) >= TerminalInterval {
			b.drawLocked(now, false)
		}
		return
	}
	if b.total > 0 && b.count >= b.total {
		return // Done prints the final line
	}
	step := b.stepLocked()
	if step > b.lastStep || now.Sub(b.lastDraw) >= LogInterval {
		b.lastStep = step
		b.drawLocked(now, false)
	}
}

// stepLocked returns the number of whole 10% steps done, or 0 when the
// total is unknown.
func (b *Bar) stepLocked() int {
	if b.total <= 0 {
		return 0
	}
	return min(b.count, b.total) * 10 / b.total
}

// Count returns the number of items added so far.
func (b *Bar) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.count
}

// Done draws the final line, ends it with a newline and stops the ticker.
// Calls after the first do nothing, as do Adds after Done.
func (b *Bar) Done() {
	b.mu.Lock()
	if b.done {
		b.mu.Unlock()
		return
	}
	b.done = true
	b.drawLocked(b.now(), true)
	b.mu.Unlock()
	if b.stop != nil {
		close(b.stop)
		b.wg.Wait()
	}
}

// drawLocked writes the current line. Write errors are ignored: progress
// output is advisory and must never fail the job it reports on.
func (b *Bar) drawLocked(now time.Time, final bool) {
	b.lastDraw = now
	line := b.format(now.Sub(b.start), final)
	if !b.tty {
		fmt.Fprintln(b.w, line)
		return
	}
	pad := ""
	if n := len(line); n < b.lastLen {
		pad = strings.Repeat(" ", b.lastLen-n)
	}
	b.lastLen = len(line)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(b.w, "\r%s%s%s", line, pad, end)
}

// format renders "label  count/total  pct  rate  ETA".
func (b *Bar) format(elapsed time.Duration, final bool) string {
	var s strings.Builder
	if b.label != "" {
		s.WriteString(b.label)
		s.WriteString("  ")
	}
	rate := 0.0
	if sec := elapsed.Seconds(); sec > 0 {
		rate = float64(b.count) / sec
	}
	if b.total > 0 {
		pct := 100 * float64(b.count) / float64(b.total)
		fmt.Fprintf(&s, "%d/%d  %5.1f%%  %.1f/s", b.count, b.total, pct, rate)
	} else {
		fmt.Fprintf(&s, "%d  %.1f/s", b.count, rate)
	}
	switch {
	case final:
		fmt.Fprintf(&s, "  in %s", round(elapsed))
	case b.total > 0 && rate > 0 && b.count < b.total:
		left := time.Duration(float64(b.total-b.count) / rate * float64(time.Second))
		fmt.Fprintf(&s, "  ETA %s", round(left))
	case b.total > 0 && b.count < b.total:
		s.WriteString("  ETA ?")
	}
	return s.String()
}

// round shortens a duration for display: whole seconds above ten seconds,
// tenths below.
func round(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
