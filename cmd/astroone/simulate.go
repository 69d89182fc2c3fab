package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/progress"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
)

func init() {
	register(command{name: "simulate", summary: "write a labelled sample of synthetic spectra in a survey layout", run: runSimulate})
}

// simulateFormats maps --format values to layouts.
var simulateFormats = map[string]spectrum.Layout{
	"lamost":       spectrum.LayoutLAMOSTTable,
	"lamost-image": spectrum.LayoutLAMOSTImage,
	"sdss":         spectrum.LayoutSDSSCoadd,
}

func runSimulate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("simulate", "simulate --n N --out DIR [--seed S] [--format lamost|lamost-image|sdss] [--classes LIST] [--snr MIN:MAX] [--gzip]", stderr)
	n := fs.Int("n", 100, "number of spectra")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give byte-identical files")
	out := fs.String("out", "", "output directory (required)")
	format := fs.String("format", "lamost", "survey and layout: lamost (LAMOST LRS, DR8+ table), lamost-image (LAMOST, DR<=7 image), sdss (SDSS/BOSS spectrograph and spec file)")
	classes := fs.String("classes", "all", "comma-separated classes drawn in equal shares: O,B,A,F,G,K,M,carbon,CV,QSO,galaxy, or stars, or all")
	snr := fs.String("snr", "5:100", "S/N range MIN:MAX (log-uniform)")
	gz := fs.Bool("gzip", false, "write .fits.gz")
	workers := fs.Int("workers", 0, "parallel writers (0: one per core)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	layout, ok := simulateFormats[*format]
	if !ok || *out == "" || *n < 0 {
		fmt.Fprintf(stderr, "astroone simulate: need --out DIR, --n >= 0 and --format lamost, lamost-image or sdss\n")
		return errUsage
	}
	cls, err := sim.ParseClasses(*classes)
	if err != nil {
		fmt.Fprintf(stderr, "astroone simulate: --classes: %v\n", err)
		return errUsage
	}
	lo, hi, err := parseRange(*snr)
	if err != nil {
		fmt.Fprintf(stderr, "astroone simulate: --snr: %v\n", err)
		return errUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := progress.New(stderr, "simulate", *n)
	err = sim.WriteSample(ctx, sim.SampleOptions{
		Dir: *out, N: *n, Seed: *seed, Layout: layout, Classes: cls, Gzip: *gz, Workers: *workers,
		SNRMin: lo, SNRMax: hi, Progress: bar.Update,
	})
	bar.Done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d spectra and labels.csv to %s\n", *n, *out)
	return nil
}

// parseRange parses "MIN:MAX" with 0 < MIN <= MAX.
func parseRange(s string) (float64, float64, error) {
	a, b, ok := strings.Cut(s, ":")
	lo, err1 := strconv.ParseFloat(a, 64)
	hi, err2 := strconv.ParseFloat(b, 64)
	if !ok || err1 != nil || err2 != nil || !(lo > 0) || !(hi >= lo) {
		return 0, 0, fmt.Errorf("%q is not MIN:MAX with 0 < MIN <= MAX", s)
	}
	return lo, hi, nil
}
