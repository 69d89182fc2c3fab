package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// Environment of the child process of TestCrashResume.
const (
	envCrashWS    = "ASTROONE_TEST_CRASH_WORKSPACE"
	envCrashInput = "ASTROONE_TEST_CRASH_INPUT"
)

// TestCrashChild is the ingest that TestCrashResume runs in a child process
// and kills; it does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	wsDir, in := os.Getenv(envCrashWS), os.Getenv(envCrashInput)
	if wsDir == "" || in == "" {
		t.Skip("only runs as the child of TestCrashResume")
	}
	ws, err := store.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	opts := baseOptions(ws, in)
	opts.Workers, opts.ShardSize = 2, 5
	opts.Read = func(path string) (*spectrum.Spectrum, error) {
		time.Sleep(2 * time.Millisecond) // slow enough to be killed mid-run
		return readText(path)
	}
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
}

// TestCrashResume kills (SIGKILL) an ingest running in a child process
// twice, after some shards are committed, then resumes in this process and
// checks that every file is accounted for exactly once and no spectrum is
// doubled or lost.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	in := t.TempDir()
	files, unique := manyInputs(400)
	writeInputs(t, in, files)
	wsDir := t.TempDir()
	for round := 1; round <= 2; round++ {
		killAfterShards(t, wsDir, in, 3*round)
	}

	ws := openWS(t, wsDir) // recovers: orphan shard and temp files go
	checkConsistent(t, ws, false)
	before, err := ws.Files("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 || len(before) >= len(files) {
		t.Fatalf("after the crashes %d of %d files are accounted; want some but not all", len(before), len(files))
	}
	t.Logf("%d of %d files committed before the second kill", len(before), len(files))
	sum := runOK(t, baseOptions(ws, in))
	if sum.Seen != int64(len(files)) || sum.Skipped != int64(len(before)) {
		t.Errorf("resume summary %+v: want seen %d, skipped %d", sum, len(files), len(before))
	}
	byPath := checkConsistent(t, ws, false)
	if len(byPath) != len(files) {
		t.Errorf("%d files in the catalog, want %d", len(byPath), len(files))
	}
	if recs, _ := ws.Query(store.Query{}); len(recs) != unique {
		t.Errorf("%d spectra, want %d", len(recs), unique)
	}
}

// killAfterShards starts TestCrashChild and kills it with SIGKILL once the
// workspace has at least n shard files.
func killAfterShards(t *testing.T, wsDir, in string, n int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashWS+"="+wsDir, envCrashInput+"="+in)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("child exited (%v) before it was killed; output:\n%s", err, out)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("child wrote fewer than %d shards in 30 s; output:\n%s", n, out)
		case <-time.After(2 * time.Millisecond):
		}
		shards, _ := filepath.Glob(filepath.Join(wsDir, store.ShardsDir, "shard-*.parquet"))
		if len(shards) >= n {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatal("child was not killed")
	}
}
