// Package progress reports the progress of long jobs: a redrawn bar with
// count, rate and ETA on a terminal, a log line every few seconds
// otherwise (CI logs, files, pipes).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Bar reports progress toward a known total. It is safe for concurrent
// use; a nil *Bar ignores every call.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	tty      bool
	start    time.Time
	last     time.Time
	every    time.Duration
	done     int
	finished bool
}

// New returns a bar writing to w. On a terminal it redraws at most ten
// times a second; otherwise it writes a line every 5 seconds.
func New(w io.Writer, label string, total int) *Bar {
	b := &Bar{w: w, label: label, total: total, tty: IsTerminal(w), start: time.Now(), every: 5 * time.Second}
	if b.tty {
		b.every = 100 * time.Millisecond
	}
	return b
}

// Update records that done items are complete.
func (b *Bar) Update(done int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = done
	if now := time.Now(); now.Sub(b.last) >= b.every {
		b.last = now
		b.draw(now)
	}
}

// Done draws the final state once and ends the line.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	b.draw(time.Now())
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

func (b *Bar) draw(now time.Time) {
	elapsed := now.Sub(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(b.done) / elapsed
	}
	eta := "?"
	if rate > 0 && b.total >= b.done {
		eta = (time.Duration(float64(b.total-b.done)/rate) * time.Second).Round(time.Second).String()
	}
	if !b.tty {
		fmt.Fprintf(b.w, "%s: %d/%d (%.1f/s, ETA %s)\n", b.label, b.done, b.total, rate, eta)
		return
	}
	const width = 30
	frac := 1.0
	if b.total > 0 {
		frac = min(1, float64(b.done)/float64(b.total))
	}
	fill := int(frac * width)
	fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d %3.0f%% %.1f/s ETA %s ", b.label,
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), b.done, b.total, 100*frac, rate, eta)
}
