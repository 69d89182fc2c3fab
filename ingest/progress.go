package ingest

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"
)

// counters are the live totals of a run, shared by the pipeline stages
// and the progress reporter.
type counters struct {
	total                    atomic.Int64 // input files, -1 until counted
	ok, dup, failed, skipped atomic.Int64
}

// snapshot is a consistent-enough copy of counters for one progress line.
type snapshot struct {
	total, ok, dup, failed, skipped int64
	elapsed                         time.Duration
}

func (c *counters) snapshot(elapsed time.Duration) snapshot {
	return snapshot{total: c.total.Load(), ok: c.ok.Load(), dup: c.dup.Load(), failed: c.failed.Load(),
		skipped: c.skipped.Load(), elapsed: elapsed}
}

// done is the number of files accounted for so far.
func (s snapshot) done() int64 { return s.ok + s.dup + s.failed + s.skipped }

// rate is the number of files processed (not skipped) per second.
func (s snapshot) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ok+s.dup+s.failed) / s.elapsed.Seconds()
}

// eta is the estimated time left, "?" when unknown.
func (s snapshot) eta() string {
	left := s.total - s.done()
	r := s.rate()
	if s.total < 0 || r <= 0 || left < 0 {
		return "?"
	}
	return (time.Duration(float64(left) / r * float64(time.Second))).Round(time.Second).String()
}

func (s snapshot) totalText() string {
	if s.total < 0 {
		return "?"
	}
	return fmt.Sprint(s.total)
}

func (s snapshot) percent() float64 {
	if s.total <= 0 {
		return 0
	}
	return 100 * float64(s.done()) / float64(s.total)
}

// barWidth is the number of cells of the terminal progress bar.
const barWidth = 24

// bar formats a terminal progress line (without the leading \r).
func (s snapshot) bar() string {
	filled := 0
	if s.total > 0 {
		filled = int(min(1, float64(s.done())/float64(s.total)) * barWidth)
	}
	return fmt.Sprintf("[%s%s] %d/%s %5.1f%%  %.1f files/s  ETA %s  ok %d  dup %d  failed %d  skipped %d",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), s.done(), s.totalText(),
		s.percent(), s.rate(), s.eta(), s.ok, s.dup, s.failed, s.skipped)
}

// logLine formats a non-terminal progress line (with newline).
func (s snapshot) logLine() string {
	return fmt.Sprintf("ingest: %d/%s files (%.1f%%), %.1f files/s, ETA %s; ok %d, duplicate %d, failed %d, skipped %d\n",
		s.done(), s.totalText(), s.percent(), s.rate(), s.eta(), s.ok, s.dup, s.failed, s.skipped)
}

// reporter writes progress to w until stopped: a bar redrawn in place on a
// terminal, a log line every interval otherwise.
type reporter struct {
	w        io.Writer
	terminal bool
	interval time.Duration
	c        *counters
	start    time.Time
	lastLen  int // length of the last bar drawn, to blank leftovers
}

// print writes one progress update; final ends a terminal bar with a newline.
func (r *reporter) print(final bool) {
	s := r.c.snapshot(time.Since(r.start))
	if !r.terminal {
		io.WriteString(r.w, s.logLine())
		return
	}
	line := s.bar()
	pad := max(0, r.lastLen-len(line))
	r.lastLen = len(line)
	end := ""
	if final {
		end = "\n"
	}
	io.WriteString(r.w, "\r"+line+strings.Repeat(" ", pad)+end)
}

// run reports until stop is closed, then writes a final update and closes
// done.
func (r *reporter) run(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			r.print(true)
			return
		case <-t.C:
			r.print(false)
		}
	}
}
