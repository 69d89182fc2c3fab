package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// TestAccounting ingests a mix of good, duplicate, corrupt, panicking and
// ignored files and checks every count and catalog row; then re-runs,
// retries failures and re-ingests a changed file.
func TestAccounting(t *testing.T) {
	in := t.TempDir()
	writeInputs(t, in, []inputFile{
		{"a/one.fits", textSpectrum("ONE", "STAR", 10, 1)},
		{"a/two.FITS", textSpectrum("TWO", "QSO", 20, 2)},
		{"b/three.fit.gz", textSpectrum("THREE", "GALAXY", 30, 3)},
		{"b/deep/four.fit", textSpectrum("FOUR", "STAR", 40, 4)},
		{"b/one-copy.fits", textSpectrum("ONE", "STAR", 10, 1)},
		{"b/deep/one-copy2.fits.gz", textSpectrum("ONE", "STAR", 10, 1)},
		{"c/corrupt.fits", "not a spectrum"},
		{"c/panic.fits", "PANIC"},
		{"c/short.fits", "id=SHORT class=STAR snr=1\n1 2 3\n"},
		{"c/notes.txt", "ignored: not a spectrum file name"},
		{"c/.fits", "ignored: no stem"},
		{"direct.dat", textSpectrum("DIRECT", "STAR", 50, 6)},
	})
	ws := openWS(t, filepath.Join(t.TempDir(), "ws"))
	opts := baseOptions(ws, filepath.Join(in, "a"), filepath.Join(in, "b"), filepath.Join(in, "c"),
		filepath.Join(in, "direct.dat"), filepath.Join(in, "a", "one.fits")) // one.fits twice
	sum := runOK(t, opts)
	want := Summary{Seen: 10, Ingested: 5, Duplicates: 2, Failed: 3}
	if sum.Seen != want.Seen || sum.Ingested != want.Ingested || sum.Duplicates != want.Duplicates ||
		sum.Failed != want.Failed || sum.Skipped != 0 {
		t.Fatalf("summary = %+v, want %+v", sum, want)
	}
	files := checkConsistent(t, ws, false)
	reasons := map[string]string{
		"c/corrupt.fits": errParse.Error(),
		"c/panic.fits":   "read: panic: reader exploded on panic.fits",
		"c/short.fits":   "prepare: invalid catalog entry: prepared spectrum has 3 pixels, grid has 8",
	}
	for name, reason := range reasons {
		f := files[filepath.Join(in, name)]
		if f.Status != store.StatusFailed || !strings.Contains(f.Error, reason) {
			t.Errorf("%s: status %q error %q, want failed with %q", name, f.Status, f.Error, reason)
		}
	}
	for _, name := range []string{"b/one-copy.fits", "b/deep/one-copy2.fits.gz"} {
		if f := files[filepath.Join(in, name)]; f.Status != store.StatusDuplicate || f.DuplicateOf != filepath.Join(in, "a/one.fits") {
			t.Errorf("%s: %+v, want duplicate of a/one.fits", name, f)
		}
	}
	if _, ok := files[filepath.Join(in, "c/notes.txt")]; ok {
		t.Error("notes.txt was ingested")
	}
	s, err := ws.LoadSpectrum("TWO")
	if err != nil || s.Meta.Class != "QSO" || s.Flux[3] != 203 || s.Meta.SNR["g"] != 20 {
		t.Errorf("LoadSpectrum(TWO) = %+v, %v", s, err)
	}

	// Re-run: everything is skipped.
	again := runOK(t, opts)
	if again.Seen != 10 || again.Skipped != 10 || again.Ingested+again.Duplicates+again.Failed != 0 {
		t.Errorf("re-run summary = %+v, want all 10 skipped", again)
	}
	// Retry failed: the three failures are processed again (and fail again).
	retry := opts
	retry.RetryFailed = true
	r := runOK(t, retry)
	if r.Failed != 3 || r.Skipped != 7 {
		t.Errorf("retry summary = %+v, want 3 failed, 7 skipped", r)
	}
	// A corrupt file fixed in place, and a good file changed: both re-ingested.
	writeInputs(t, in, []inputFile{
		{"c/corrupt.fits", textSpectrum("FIXED", "STAR", 5, 7)},
		{"b/deep/four.fit", textSpectrum("FOUR", "STAR", 41, 8)},
	})
	future := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(in, "b/deep/four.fit"), future, future)
	ch := runOK(t, opts)
	if ch.Ingested != 2 || ch.Skipped != 8 {
		t.Errorf("changed-files summary = %+v, want 2 ingested, 8 skipped", ch)
	}
	checkConsistent(t, ws, true)
	four, err := ws.LoadSpectrum("FOUR")
	if err != nil || four.Flux[0] != 800 {
		t.Errorf("changed file not re-ingested: %v %v", four, err)
	}
	// A touched file (same content, new mtime) is re-ingested, not made a
	// duplicate of itself.
	os.Chtimes(filepath.Join(in, "a/two.FITS"), future, future)
	if touched := runOK(t, opts); touched.Ingested != 1 || touched.Skipped != 9 {
		t.Errorf("touched-file summary = %+v, want 1 ingested, 9 skipped", touched)
	}
	checkConsistent(t, ws, true)
	if _, err := ws.LoadSpectrum("TWO"); err != nil {
		t.Errorf("touched file lost its spectrum: %v", err)
	}
}

// TestWorkersDeterministic: the final contents do not depend on the number
// of workers: same outcome for every file (the first copy in walk order is
// the ingested one), same spectra, and, for the same shard size, shards
// with the same bytes.
func TestWorkersDeterministic(t *testing.T) {
	in := t.TempDir()
	files, unique := manyInputs(120)
	writeInputs(t, in, files)
	type outcome struct {
		files   map[string]string // path -> status and duplicate_of
		spectra []string          // sha256:id:shard:row of every spectrum, sorted
		shards  map[string]string // name -> content
	}
	var outcomes []outcome
	configs := []struct{ workers, shard int }{{1, 7}, {4, 7}, {8, 1000}}
	for _, cfg := range configs {
		ws := openWS(t, t.TempDir())
		opts := baseOptions(ws, in)
		opts.Workers, opts.ShardSize = cfg.workers, cfg.shard
		runOK(t, opts)
		o := outcome{files: map[string]string{}, shards: map[string]string{}}
		for p, f := range checkConsistent(t, ws, false) {
			o.files[p] = string(f.Status) + " " + f.DuplicateOf
		}
		recs, _ := ws.Query(store.Query{})
		for _, r := range recs {
			o.spectra = append(o.spectra, fmt.Sprintf("%s:%s:%s:%d", r.SHA256, r.ID, r.Shard, r.ShardRow))
			if _, ok := o.shards[r.Shard]; !ok {
				b, err := os.ReadFile(ws.ShardPath(r.Shard))
				if err != nil {
					t.Fatal(err)
				}
				o.shards[r.Shard] = string(b)
			}
		}
		slices.Sort(o.spectra)
		if len(o.spectra) != unique {
			t.Errorf("workers %d: %d spectra, want %d", cfg.workers, len(o.spectra), unique)
		}
		outcomes = append(outcomes, o)
	}
	ref := outcomes[0]
	for i, o := range outcomes[1:] {
		if !maps.Equal(o.files, ref.files) {
			t.Errorf("%+v: file outcomes differ from %+v", configs[i+1], configs[0])
		}
		if configs[i+1].shard == configs[0].shard && (!slices.Equal(o.spectra, ref.spectra) || !maps.Equal(o.shards, ref.shards)) {
			t.Errorf("%+v: spectra or shard bytes differ from %+v", configs[i+1], configs[0])
		}
	}
}

// TestCancelResume cancels a run part-way, checks that the workspace is
// consistent, and that a second run accounts for every file exactly once.
func TestCancelResume(t *testing.T) {
	in := t.TempDir()
	files, unique := manyInputs(200)
	writeInputs(t, in, files)
	ws := openWS(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	opts := baseOptions(ws, in)
	opts.Read = func(path string) (*spectrum.Spectrum, error) {
		if calls.Add(1) == 60 {
			cancel()
		}
		return readText(path)
	}
	first, err := Run(ctx, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run err = %v, want context.Canceled", err)
	}
	done := first.Ingested + first.Duplicates + first.Failed
	if done == 0 || done >= int64(len(files)) {
		t.Fatalf("cancelled run accounted for %d of %d files", done, len(files))
	}
	checkConsistent(t, ws, false)

	opts.Read = readText
	second := runOK(t, opts)
	if second.Seen != int64(len(files)) || second.Skipped != done {
		t.Errorf("second run %+v: want seen %d, skipped %d", second, len(files), done)
	}
	byPath := checkConsistent(t, ws, false)
	if len(byPath) != len(files) {
		t.Errorf("%d files in the catalog, want %d", len(byPath), len(files))
	}
	recs, _ := ws.Query(store.Query{})
	if len(recs) != unique {
		t.Errorf("%d spectra, want %d", len(recs), unique)
	}
}

// TestFatalErrorStopsRun: a disk error while writing a shard stops the run
// with an error (and does not hang), and records nothing half-done.
func TestFatalErrorStopsRun(t *testing.T) {
	in := t.TempDir()
	files, _ := manyInputs(60)
	writeInputs(t, in, files)
	wsDir := t.TempDir()
	ws := openWS(t, wsDir)
	shards := filepath.Join(wsDir, store.ShardsDir)
	os.Remove(shards)
	os.WriteFile(shards, []byte("a file where the shards directory should be"), 0o644)
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), baseOptions(ws, in))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "shard") {
			t.Errorf("Run err = %v, want a shard write error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not stop after a fatal error")
	}
	if recs, _ := ws.Query(store.Query{}); len(recs) != 0 {
		t.Errorf("%d spectra committed without shards", len(recs))
	}
}

func TestOptionErrors(t *testing.T) {
	in := t.TempDir()
	writeInputs(t, in, []inputFile{{"x.fits", textSpectrum("X", "STAR", 1, 1)}})
	ws := openWS(t, t.TempDir())
	runOK(t, baseOptions(ws, in)) // sets the workspace grid
	otherGrid := testGrid
	otherGrid.N = 9
	tests := []struct {
		name   string
		mutate func(o *Options)
		want   error
	}{
		{"no workspace", func(o *Options) { o.Workspace = nil }, ErrOptions},
		{"no reader", func(o *Options) { o.Read = nil }, ErrOptions},
		{"no prepare", func(o *Options) { o.Prepare = nil }, ErrOptions},
		{"bad grid", func(o *Options) { o.Grid = store.Grid{} }, store.ErrBadGrid},
		{"other grid", func(o *Options) { o.Grid = otherGrid }, store.ErrGridMismatch},
		{"no paths", func(o *Options) { o.Paths = nil }, ErrNoInput},
		{"missing path", func(o *Options) { o.Paths = []string{filepath.Join(in, "nope")} }, os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := baseOptions(ws, in)
			tc.mutate(&opts)
			if _, err := Run(context.Background(), opts); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// BenchmarkIngest measures the pipeline with the trivial text reader on
// 2,000 small files (hash + read + shard + catalog), from an empty
// workspace each iteration.
func BenchmarkIngest(b *testing.B) {
	in := b.TempDir()
	var files []inputFile
	for i := range 2000 {
		files = append(files, inputFile{fmt.Sprintf("d%02d/s%05d.fits", i%20, i), textSpectrum(fmt.Sprint(i), "STAR", float64(i), i)})
	}
	writeInputs(b, in, files)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		ws, err := store.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		opts := baseOptions(ws, in)
		opts.Workers, opts.ShardSize = 0, DefaultShardSize
		b.StartTimer()
		sum, err := Run(context.Background(), opts)
		if err != nil || sum.Ingested != 2000 {
			b.Fatalf("%+v %v", sum, err)
		}
		b.ReportMetric(float64(sum.Ingested)/sum.Elapsed.Seconds(), "files/s")
		ws.Close()
	}
}
