package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/astroone/astroone-go/progress"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/store"
)

func init() {
	register(command{name: "demo", summary: "simulate a small survey, ingest it and print the catalog summary (no downloads)", run: runDemo})
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [--n N] [--dir DIR] [--seed S]", stderr)
	n := fs.Int("n", 300, "number of simulated spectra")
	dir := fs.String("dir", "", "where to put the sample and the workspace (default: a new temporary directory, kept for you to explore)")
	seed := fs.Uint64("seed", 1, "random seed")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		fmt.Fprintln(stderr, "astroone demo: --n must be at least 1")
		return errUsage
	}
	root := *dir
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "astroone-demo-"); err != nil {
			return err
		}
	}
	files, wsDir := filepath.Join(root, "spectra"), filepath.Join(root, "workspace")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Fprintf(stdout, "1. simulating %d labelled spectra (O–M stars, carbon stars, CVs, QSOs, galaxies) in the LAMOST DR8+ layout under %s\n", *n, files)
	bar := progress.New(stderr, "simulate", *n)
	err := sim.WriteSample(ctx, sim.SampleOptions{Dir: files, N: *n, Seed: *seed, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return err
	}
	first, err := sim.New(sim.Config{Seed: *seed})
	if err != nil {
		return err
	}
	extras, err := sim.WriteTroubleFiles(files, *seed, first.FileName(0)+".fits")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   plus %d awkward files: 3 more spectra in the SDSS, LAMOST DR7 and gzipped layouts, a byte-identical copy and a truncated file\n", extras)

	fmt.Fprintf(stdout, "2. ingesting into the workspace %s (resampled onto the LAMOST grid)\n", wsDir)
	ws, err := store.Open(wsDir)
	if err != nil {
		return err
	}
	defer ws.Close()
	sum, err := runIngestJob(ctx, ws, []string{files}, 0, 0, false, false, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   seen %d files: %d ingested, %d duplicates, %d failed (%.1f s)\n\n",
		sum.Seen, sum.Ingested, sum.Duplicates, sum.Failed, sum.Elapsed.Seconds())

	fmt.Fprintln(stdout, "3. catalog summary")
	s, err := ws.Summary()
	if err != nil {
		return err
	}
	if err := store.WriteSummary(stdout, s); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n   files that were not ingested, and why:")
	var notIngested []store.FileRecord
	for _, st := range []store.Status{store.StatusFailed, store.StatusDuplicate} {
		f, err := ws.Files(st, 0)
		if err != nil {
			return err
		}
		notIngested = append(notIngested, f...)
	}
	if err := store.WriteFiles(stdout, notIngested); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nNext (build the binary with: go build ./cmd/astroone):\n")
	fmt.Fprintf(stdout, "      astroone catalog --workspace %s --class QSO --min-snr 20\n", wsDir)
	fmt.Fprintf(stdout, "      astroone show %s --plot spectrum.svg\n", filepath.Join(files, first.FileName(0)+".fits"))
	fmt.Fprintf(stdout, "      the true labels and captions of every spectrum: %s\n", filepath.Join(files, "labels.csv"))
	return nil
}
