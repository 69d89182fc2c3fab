package progress

import (
	"strings"
	"testing"
)

func TestBarLogLines(t *testing.T) {
	var sb strings.Builder
	b := New(&sb, "ingest", 10)
	b.Update(3) // first update always prints
	b.Update(4) // throttled: within 5 s of the previous line
	b.Done()
	b.Done() // idempotent
	lines := strings.Split(strings.TrimSpace(sb.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ingest: 3/10 (") || !strings.HasPrefix(lines[1], "ingest: 4/10 (") {
		t.Fatalf("log lines = %q", lines)
	}
	var nilBar *Bar
	nilBar.Update(1)
	nilBar.Done()
}
