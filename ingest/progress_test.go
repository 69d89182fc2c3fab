package ingest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
)

func TestProgressLines(t *testing.T) {
	tests := []struct {
		name    string
		s       snapshot
		bar     string
		logLine string
	}{
		{"half done", snapshot{total: 100, ok: 40, dup: 5, failed: 3, skipped: 2, elapsed: 4 * time.Second},
			"[############............] 50/100  50.0%  12.0 files/s  ETA 4s  ok 40  dup 5  failed 3  skipped 2",
			"ingest: 50/100 files (50.0%), 12.0 files/s, ETA 4s; ok 40, duplicate 5, failed 3, skipped 2\n"},
		{"total unknown", snapshot{total: -1, ok: 3, elapsed: time.Second},
			"[........................] 3/?   0.0%  3.0 files/s  ETA ?  ok 3  dup 0  failed 0  skipped 0",
			"ingest: 3/? files (0.0%), 3.0 files/s, ETA ?; ok 3, duplicate 0, failed 0, skipped 0\n"},
		{"only skipped", snapshot{total: 10, skipped: 10, elapsed: time.Second},
			"[########################] 10/10 100.0%  0.0 files/s  ETA ?  ok 0  dup 0  failed 0  skipped 10",
			"ingest: 10/10 files (100.0%), 0.0 files/s, ETA ?; ok 0, duplicate 0, failed 0, skipped 10\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.bar(); got != tc.bar {
				t.Errorf("bar:\n got %q\nwant %q", got, tc.bar)
			}
			if got := tc.s.logLine(); got != tc.logLine {
				t.Errorf("log line:\n got %q\nwant %q", got, tc.logLine)
			}
		})
	}
}

// TestRunProgress checks what Run writes to Progress in both modes.
func TestRunProgress(t *testing.T) {
	in := t.TempDir()
	files, _ := manyInputs(40)
	writeInputs(t, in, files)
	for _, terminal := range []bool{false, true} {
		ws := openWS(t, t.TempDir())
		var buf bytes.Buffer
		opts := baseOptions(ws, in)
		opts.Progress, opts.Terminal, opts.ProgressInterval = &buf, terminal, 20*time.Millisecond
		opts.Read = func(path string) (*spectrum.Spectrum, error) {
			time.Sleep(5 * time.Millisecond)
			return readText(path)
		}
		if _, err := Run(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if terminal {
			if !strings.HasPrefix(out, "\r[") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 ||
				!strings.Contains(out, "] 40/40 100.0%") {
				t.Errorf("terminal progress: %q", out)
			}
			continue
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		last := lines[len(lines)-1]
		if len(lines) < 2 || !strings.HasPrefix(last, "ingest: 40/40 files (100.0%)") || strings.Contains(out, "\r") {
			t.Errorf("log progress (%d lines): %q", len(lines), out)
		}
	}
}
