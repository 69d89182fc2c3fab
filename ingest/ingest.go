// Package ingest reads survey spectra files in parallel into a workspace
// (see package store), accounting for every input file: ingested,
// duplicate (same sha256 as an ingested file) or failed with its reason.
//
// The pipeline is: walk the inputs (skipping files already in the catalog
// with the same path, size and modification time) → hash, read and prepare
// each file in N workers → one writer that batches results into shards and
// commits each shard's catalog rows in one transaction. The writer takes
// results in walk order (a bounded reorder window), so the catalog and the
// shards do not depend on the number of workers: of several files with the
// same content, the first in walk order is ingested and the others are its
// duplicates. A run can be
// interrupted at any point (Ctrl-C, kill -9) and re-run: committed files are
// skipped, uncommitted ones are processed again, nothing is doubled.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// Defaults of Options.
const (
	DefaultShardSize        = 1000
	DefaultProgressInterval = 5 * time.Second
	terminalRedraw          = 200 * time.Millisecond
)

// Options configures Run.
type Options struct {
	// Paths are files (ingested whatever their name) and directories
	// (walked recursively for .fits, .fit, .fits.gz and .fit.gz files).
	Paths []string
	// Workspace receives the spectra; it must be opened with store.Open.
	Workspace *store.Workspace
	// Grid is the common wavelength grid that Prepare resamples onto; it is
	// recorded in the workspace and every shard (and must match the grid
	// the workspace already has).
	Grid store.Grid
	// Read reads one file (in the CLI: spectrum.ReadFile). It may be called
	// concurrently; a panic in it is recorded as a failure of that file.
	Read func(path string) (*spectrum.Spectrum, error)
	// Decode, when set, is used instead of Read: the file is read once,
	// hashed, and its bytes decoded (in the CLI: spectrum.Decode). It may
	// be called concurrently and must not retain data.
	Decode func(path string, data []byte) (*spectrum.Spectrum, error)
	// Prepare resamples a spectrum onto Grid (in the CLI: prep.Resample
	// with the grid). It should not modify its argument; the catalog
	// metadata is taken before it runs.
	Prepare func(*spectrum.Spectrum) (*spectrum.Spectrum, error)
	// Workers is the number of parallel readers; <= 0 means runtime.NumCPU().
	Workers int
	// ShardSize is the number of spectra per shard; <= 0 means DefaultShardSize.
	ShardSize int
	// RetryFailed processes again files recorded as failed by an earlier
	// run (they are otherwise skipped, like ingested and duplicate files).
	RetryFailed bool
	// Progress receives progress reports; nil means none.
	Progress io.Writer
	// Terminal draws a progress bar redrawn in place (see progress.IsTerminal)
	// instead of writing a log line every ProgressInterval.
	Terminal bool
	// ProgressInterval is the time between log lines; <= 0 means
	// DefaultProgressInterval.
	ProgressInterval time.Duration
	// Logger receives diagnostics (each failed file at debug level); nil
	// means none.
	Logger *slog.Logger
}

// Summary counts the outcome of a run. When the run completes,
// Seen = Ingested + Duplicates + Failed + Skipped.
type Summary struct {
	Seen       int64         `json:"seen"`       // input files found in this run
	Ingested   int64         `json:"ingested"`   // spectra added to the workspace (a duplicate that inherits a spectrum when its original changes is not counted again)
	Duplicates int64         `json:"duplicates"` // same content as an ingested file
	Failed     int64         `json:"failed"`     // could not be read or prepared (reason in the catalog)
	Skipped    int64         `json:"skipped"`    // already accounted for by an earlier run
	Elapsed    time.Duration `json:"elapsed_ns"` // wall time of the run
}

// ErrOptions reports unusable Options.
var ErrOptions = errors.New("invalid ingest options")

func (o *Options) setDefaults() error {
	switch {
	case o.Workspace == nil:
		return fmt.Errorf("%w: no workspace", ErrOptions)
	case o.Read == nil && o.Decode == nil:
		return fmt.Errorf("%w: no reader", ErrOptions)
	case o.Prepare == nil:
		return fmt.Errorf("%w: no prepare function", ErrOptions)
	}
	if err := store.CheckGrid(o.Grid); err != nil {
		return fmt.Errorf("%w: %w", ErrOptions, err)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.ShardSize <= 0 {
		o.ShardSize = DefaultShardSize
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = DefaultProgressInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// job is a file to process; replace is set when the catalog already has a
// row for its path (a changed file, or a failed one being retried).
type job struct {
	found
	seq     int64 // position in walk order, from 1
	replace bool
}

// result is a processed file.
type result struct {
	seq   int64
	entry store.Entry
}

// windowPerWorker sizes the reorder window: files in flight per worker.
const windowPerWorker = 8

// Run ingests the files under opts.Paths into opts.Workspace and returns
// what happened. Per-file problems are recorded in the catalog and never
// stop the run; a catalog or disk error does, and is returned. When ctx is
// cancelled, files already processed are committed (a shard is finished,
// never left half-written), the rest are left for the next run, and the
// error wraps ctx.Err().
func Run(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	if err := opts.setDefaults(); err != nil {
		return Summary{}, err
	}
	roots, err := normalizeRoots(opts.Paths)
	if err != nil {
		return Summary{}, fmt.Errorf("ingest: %w", err)
	}
	if err := opts.Workspace.SetGrid(opts.Grid); err != nil {
		return Summary{}, fmt.Errorf("ingest: %w", err)
	}
	log := opts.Logger
	log.Info("ingest start", "inputs", len(roots), "workers", opts.Workers, "shard_size", opts.ShardSize,
		"workspace", opts.Workspace.Dir())

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := &pipeline{opts: &opts, c: &counters{},
		// window bounds the files between the walker and the writer: a
		// token is taken per job and given back when the writer takes its
		// result in order, so the writer's reorder buffer never exceeds it.
		window: make(chan struct{}, windowPerWorker*opts.Workers),
		jobs:   make(chan job, 2*opts.Workers)}
	p.results = make(chan result, cap(p.window))
	p.c.total.Store(-1)

	var wg sync.WaitGroup
	countCtx, stopCounting := context.WithCancel(ctx)
	defer stopCounting()
	stopProgress, progressDone := make(chan struct{}), make(chan struct{})
	if opts.Progress != nil {
		interval := opts.ProgressInterval
		if opts.Terminal {
			interval = terminalRedraw
		}
		r := &reporter{w: opts.Progress, terminal: opts.Terminal, interval: interval, c: p.c, start: start}
		go r.run(stopProgress, progressDone)
		wg.Go(func() { p.c.total.Store(count(countCtx, roots)) })
	} else {
		close(progressDone)
	}
	wg.Go(func() { p.walk(ctx, cancel, roots) })
	var workers sync.WaitGroup
	for range opts.Workers {
		workers.Go(func() { p.work(ctx) })
	}
	go func() {
		workers.Wait()
		close(p.results)
	}()

	w := &writer{ws: opts.Workspace, shardSize: opts.ShardSize, pending: map[string]string{}, c: p.c, log: log,
		window: p.window, early: map[int64]store.Entry{}, replaced: map[string]string{}}
	writeErr := w.run(p.results, cancel)
	stopCounting()
	wg.Wait()
	close(stopProgress)
	<-progressDone

	c := p.c
	sum := Summary{Seen: p.seen, Ingested: c.ok.Load(), Duplicates: c.dup.Load(), Failed: c.failed.Load(),
		Skipped: c.skipped.Load(), Elapsed: time.Since(start)}
	log.Info("ingest done", "seen", sum.Seen, "ingested", sum.Ingested, "duplicates", sum.Duplicates,
		"failed", sum.Failed, "skipped", sum.Skipped, "elapsed", sum.Elapsed)
	switch {
	case writeErr != nil:
		return sum, fmt.Errorf("ingest: %w", writeErr)
	case p.walkErr != nil && !errors.Is(p.walkErr, context.Canceled) && !errors.Is(p.walkErr, context.DeadlineExceeded):
		return sum, fmt.Errorf("ingest: %w", p.walkErr)
	case ctx.Err() != nil:
		return sum, fmt.Errorf("ingest interrupted (committed work is kept; re-run to continue): %w", context.Cause(ctx))
	}
	return sum, nil
}

// pipeline holds the state shared by the walker and the workers of a run.
type pipeline struct {
	opts    *Options
	c       *counters
	window  chan struct{} // a token per file between walker and writer
	jobs    chan job
	results chan result
	// Written by the walker, read by Run after it ends.
	seen, queued int64 // files found; files sent to the workers
	walkErr      error
}

// walk finds the input files, skips those already accounted for and
// queues the others in walk order; it closes jobs when done and cancels
// the run on a catalog error.
func (p *pipeline) walk(ctx context.Context, cancel context.CancelCauseFunc, roots []root) {
	defer close(p.jobs)
	p.walkErr = walk(ctx, roots, func(f found) error {
		p.seen++
		j, skip, err := plan(p.opts.Workspace, f, p.opts.RetryFailed)
		if err != nil {
			return err
		}
		if skip {
			p.c.skipped.Add(1)
			return nil
		}
		p.queued++
		j.seq = p.queued
		select {
		case p.window <- struct{}{}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		p.jobs <- j // workers drain jobs until it is closed
		return nil
	})
	if p.walkErr != nil && ctx.Err() == nil {
		cancel(p.walkErr)
	}
}

// work processes jobs until the channel is closed; after a cancellation
// it drops them (they are left for the next run).
func (p *pipeline) work(ctx context.Context) {
	for j := range p.jobs {
		if ctx.Err() != nil {
			continue
		}
		p.results <- process(j, p.opts) // never blocks: at most cap(window) in flight
	}
}

// plan decides what to do with a file found by the walk: skip it (already
// accounted for with the same size and modification time), or process it,
// replacing an existing catalog row when the file changed or is retried.
func plan(ws *store.Workspace, f found, retryFailed bool) (j job, skip bool, err error) {
	rec, ok, err := ws.File(f.path)
	if err != nil {
		return job{}, false, err
	}
	if !ok {
		return job{found: f}, false, nil
	}
	unchanged := rec.Size == f.size && rec.ModTime.Equal(f.modTime)
	if unchanged && !(retryFailed && rec.Status == store.StatusFailed) {
		return job{}, true, nil
	}
	return job{found: f, replace: true}, false, nil
}

// process hashes, reads and prepares one file. Every problem with the
// file, a panic included, becomes a StatusFailed entry (the writer waits
// for every seq, so a result is always returned).
func process(j job, opts *Options) (res result) {
	file := store.FileRecord{Path: j.path, Size: j.size, ModTime: j.modTime}
	fail := func(err error) result {
		file.Status, file.Error = store.StatusFailed, err.Error()
		return result{seq: j.seq, entry: store.Entry{File: file, Replace: j.replace}}
	}
	defer func() {
		if p := recover(); p != nil {
			res = fail(fmt.Errorf("%w: %v", ErrPanic, p))
		}
	}()
	if j.err != nil {
		return fail(j.err)
	}
	var data []byte
	var sha string
	var err error
	if j.size > spectrum.MaxFileBytes {
		return fail(fmt.Errorf("read: %d bytes: larger than a spectrum file can be (%d)", j.size, spectrum.MaxFileBytes))
	}
	if opts.Decode != nil {
		buf := readBuffers.Get().(*[]byte)
		defer func() {
			if cap(*buf) <= maxPooledBuffer { // Decode does not retain the bytes
				readBuffers.Put(buf)
			}
		}()
		data, err = readInto(buf, j.path)
		sha = hashBytes(data)
	} else {
		sha, err = hashFile(j.path)
	}
	if err != nil {
		return fail(fmt.Errorf("hash: %w", err))
	}
	file.SHA256 = sha
	// Duplicates (same sha256 as an ingested file) are found by the
	// writer, which sees every committed and pending file; looking them up
	// here too would cost a catalog query per file to save work only on
	// duplicates.
	native, err := guard("read", func() (*spectrum.Spectrum, error) {
		if opts.Decode != nil {
			return opts.Decode(j.path, data)
		}
		return opts.Read(j.path)
	})
	if err != nil {
		return fail(err)
	}
	if err := native.Validate(); err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	rec := store.MakeRecord(native, sha, j.path)
	prepared, err := guard("prepare", func() (*spectrum.Spectrum, error) { return opts.Prepare(native) })
	if err != nil {
		return fail(err)
	}
	e, err := store.NewEntry(file, rec, prepared, opts.Grid)
	if err != nil {
		return fail(fmt.Errorf("prepare: %w", err))
	}
	e.Replace = j.replace
	return result{seq: j.seq, entry: e}
}

// ErrPanic marks a reader or prepare function that panicked.
var ErrPanic = errors.New("panic")

// guard runs fn, turning a panic or a nil spectrum into an error prefixed
// with stage.
func guard(stage string, fn func() (*spectrum.Spectrum, error)) (s *spectrum.Spectrum, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%s: %w: %v", stage, ErrPanic, p)
		}
	}()
	s, err = fn()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", stage, err)
	case s == nil:
		return nil, fmt.Errorf("%s: no spectrum returned", stage)
	}
	return s, nil
}

// readBuffers recycles file buffers between files: a worker reads a
// spectrum file of ~0.1-1 MB for every input, and allocating each one
// afresh made the garbage collector a fifth of the ingest time.
var readBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer is the largest buffer kept for reuse: one unusually
// large file does not pin its size in memory per worker.
const maxPooledBuffer = 4 << 20

// readInto reads the file at path into *buf (grown as needed) and
// returns the bytes read, which alias *buf.
func readInto(buf *[]byte, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := int(st.Size())
	if cap(*buf) < size+1 {
		*buf = make([]byte, size+1) // +1: a file that grew is read to its end below
	}
	b := (*buf)[:cap(*buf)]
	n := 0
	for {
		m, err := f.Read(b[n:])
		n += m
		if err == io.EOF {
			return b[:n], nil
		}
		if err != nil {
			return nil, err
		}
		if n == len(b) { // the file grew while we read it
			b = append(b, 0)[:cap(b)]
			*buf = b
		}
	}
}

// hashBytes returns the hex sha256 of data.
func hashBytes(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// hashFile returns the hex sha256 of a file's bytes.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writer is the single goroutine that turns results into committed
// batches: a shard of up to shardSize spectra plus the files rows of the
// same period, in one transaction.
type writer struct {
	ws        *store.Workspace
	shardSize int
	batch     []store.Entry
	okInBatch int
	pending   map[string]string // sha256 -> path of ok entries in the batch
	// The previous batch is committed in the background while the next
	// one fills, so workers never wait for a shard to be compressed and
	// synced. inflight holds its ok entries (for duplicate checks) until
	// its commit ends; done delivers the commit's error.
	inflight map[string]string
	done     chan error
	// replaced maps each path re-ingested in this run (a changed file, or
	// a failed one retried) to its new sha256, so that a catalog row that
	// still shows its old content is not taken for a duplicate's original.
	replaced map[string]string
	window   chan struct{}         // a token per file between walker and writer
	early    map[int64]store.Entry // results that arrived before their turn
	next     int64                 // seq of the next result to take
	c        *counters
	log      *slog.Logger
}

// run consumes results until the channel is closed. After a fatal error
// it calls stop, keeps draining (so that workers never block) and commits
// nothing more; otherwise the batch in progress is committed when the
// channel closes.
func (w *writer) run(results <-chan result, stop context.CancelCauseFunc) error {
	var err error
	w.next = 1
	for r := range results {
		if err != nil {
			continue
		}
		w.early[r.seq] = r.entry
		if err = w.takeInOrder(); err != nil {
			stop(err)
		}
	}
	if err == nil {
		// After a cancellation some files were dropped: take what remains
		// in walk order, skipping the gaps (left for the next run).
		for _, seq := range slices.Sorted(maps.Keys(w.early)) {
			if err = w.add(w.early[seq]); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = w.flush()
	}
	// Never return while a background commit runs: the caller closes the
	// workspace and reads the counters next.
	if werr := w.wait(); err == nil {
		err = werr
	}
	return err
}

// takeInOrder adds the results that are next in walk order.
func (w *writer) takeInOrder() error {
	for {
		e, ok := w.early[w.next]
		if !ok {
			return nil
		}
		delete(w.early, w.next)
		w.next++
		<-w.window
		if err := w.add(e); err != nil {
			return err
		}
	}
}

// add places one entry in the batch, turning a second copy of content
// already in the batch or catalog into a duplicate, and commits the batch
// when the shard is full.
func (w *writer) add(e store.Entry) error {
	if e.Replace {
		// The content the path now holds: none for a failure (its hash may
		// be that of the old content, which the path no longer provides).
		w.replaced[e.File.Path] = e.File.SHA256
		if e.File.Status == store.StatusFailed {
			w.replaced[e.File.Path] = ""
		}
	}
	if e.File.Status == store.StatusOK {
		orig, found := w.pending[e.File.SHA256]
		if !found {
			orig, found = w.inflight[e.File.SHA256]
		}
		if !found {
			var err error
			if orig, found, err = w.ws.IngestedBySHA256(e.File.SHA256); err != nil {
				return err
			}
			found = found && orig != e.File.Path // its own row, replaced in this commit
			if now, ok := w.replaced[orig]; found && ok && now != e.File.SHA256 {
				found = false // orig held this content, but changed in this run
			}
		}
		if found {
			e = store.Entry{File: e.File, Replace: e.Replace}
			e.File.Status, e.File.DuplicateOf = store.StatusDuplicate, orig
		} else {
			w.pending[e.File.SHA256] = e.File.Path
			w.okInBatch++
		}
	}
	if e.File.Status == store.StatusFailed {
		w.log.Debug("ingest failed", "path", e.File.Path, "error", e.File.Error)
	}
	w.batch = append(w.batch, e)
	if w.okInBatch >= w.shardSize || len(w.batch) >= 4*w.shardSize {
		return w.flush()
	}
	return nil
}

// flush commits the batch and updates the counters.
func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.wait(); err != nil {
		return err
	}
	batch := w.batch
	w.inflight, w.pending = w.pending, map[string]string{}
	w.batch, w.okInBatch = make([]store.Entry, 0, cap(batch)), 0
	w.done = make(chan error, 1)
	go func() {
		if err := w.ws.Commit(batch); err != nil {
			w.done <- err
			return
		}
		for i := range batch {
			switch batch[i].File.Status {
			case store.StatusOK:
				w.c.ok.Add(1)
			case store.StatusDuplicate:
				w.c.dup.Add(1)
			default:
				w.c.failed.Add(1)
			}
		}
		w.done <- nil
	}()
	return nil
}

// wait waits for the background commit, if any, and returns its error.
func (w *writer) wait() error {
	if w.done == nil {
		return nil
	}
	err := <-w.done
	w.done, w.inflight = nil, nil
	return err
}
