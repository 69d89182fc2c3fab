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
	"github.com/astroone/astroone-go/spectrum"
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

	fmt.Fprintf(stdout, "1. simulating %d labelled spectra (stars, galaxies, QSOs) in the LAMOST DR8+ layout under %s\n", *n, files)
	bar := progress.New(stderr, "simulate", *n)
	err := sim.WriteSample(ctx, sim.SampleOptions{Dir: files, N: *n, Seed: *seed, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return err
	}
	extras, err := demoAwkwardFiles(files, *seed)
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
	fmt.Fprintf(stdout, "      astroone show %s --plot spectrum.svg\n", filepath.Join(files, "spec-100000000.fits"))
	return nil
}

// demoAwkwardFiles adds files that exercise the readers and the
// accounting: other layouts, gzip, a byte-identical duplicate and a
// truncated file. It returns how many it wrote.
func demoAwkwardFiles(dir string, seed uint64) (int, error) {
	q := sim.NewQuick(seed + 1)
	written := 0
	for i, layout := range []spectrum.Layout{spectrum.LayoutSDSSCoadd, spectrum.LayoutLAMOSTImage, spectrum.LayoutLAMOSTTable} {
		s, _ := q.Spectrum(i)
		s.Meta.ID = fmt.Sprint(200000000 + i) // other objects: ids apart from the main sample's
		name := fmt.Sprintf("extra-%d-%s.fits", i, layout)
		if layout == spectrum.LayoutLAMOSTTable {
			name += ".gz"
		}
		if err := spectrum.WriteFile(filepath.Join(dir, name), s, layout); err != nil {
			return written, err
		}
		written++
	}
	orig := filepath.Join(dir, "spec-100000000.fits")
	data, err := os.ReadFile(orig)
	if err != nil {
		return written, err
	}
	if err := os.WriteFile(filepath.Join(dir, "spec-100000000_copy.fits"), data, 0o644); err != nil {
		return written, err
	}
	if err := os.WriteFile(filepath.Join(dir, "truncated.fits"), data[:len(data)/2], 0o644); err != nil {
		return written, err
	}
	return written + 2, nil
}
