package sim

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/astroone/astroone-go/spectrum"
)

// SampleOptions describes a sample of files to write with WriteSample.
type SampleOptions struct {
	Dir     string          // output directory (created if needed)
	N       int             // number of spectra
	Seed    uint64          // simulator seed
	Layout  spectrum.Layout // file layout; LAMOST DR8+ table when empty. The SDSS layout simulates the SDSS/BOSS spectrograph, the others LAMOST.
	Classes []Class         // classes to draw (equal shares); all when empty
	Gzip    bool            // write .fits.gz
	Workers int             // parallel writers; runtime.NumCPU() when 0
	SNRMin  float64         // g-band S/N range (log-uniform); 5..100 when zero
	SNRMax  float64
	// Progress, when set, is called after each file with the number done.
	Progress func(done int)
}

// LabelColumns are the columns of labels.csv, in order.
var LabelColumns = []string{"id", "file", "class", "subclass", "teff", "logg", "feh", "rv_kms", "z", "ebv", "snr_g", "caption_en", "caption_zh"}

// WriteSample writes opts.N simulated spectra as FITS files named like
// the survey's own (see Simulator.FileName) and DIR/labels.csv with one
// row per spectrum in LabelColumns order (values that do not apply to the
// class are empty). The output is byte-identical for the same options,
// whatever the number of workers.
func WriteSample(ctx context.Context, opts SampleOptions) error {
	if opts.N < 0 {
		return fmt.Errorf("sample size %d is negative", opts.N)
	}
	if opts.Layout == "" {
		opts.Layout = spectrum.LayoutLAMOSTTable
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	cfg := Config{Seed: opts.Seed, Survey: SurveyLAMOST, Classes: opts.Classes, SNRMin: opts.SNRMin, SNRMax: opts.SNRMax}
	if opts.Layout == spectrum.LayoutSDSSCoadd {
		cfg.Survey = SurveySDSS
	}
	sim, err := New(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	ext := ".fits"
	if opts.Gzip {
		ext += ".gz"
	}
	rows := make([][]string, opts.N)
	// Workers take object indices from a shared counter (no channel hand-off
	// per object, which made the Go scheduler spin idle threads) and stop at
	// the first error or cancellation.
	var next atomic.Int64
	done := 0
	var stop atomic.Bool
	var firstErr error
	var errOnce sync.Once
	fail := func(e error) {
		errOnce.Do(func() { firstErr = e })
		stop.Store(true)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := sim.NewWorker()
			var s spectrum.Spectrum
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= opts.N {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				lab := w.Spectrum(i, &s)
				name := sim.FileName(i) + ext
				if err := spectrum.WriteFile(filepath.Join(opts.Dir, name), &s, opts.Layout); err != nil {
					fail(fmt.Errorf("object %d: %w", i, err))
					return
				}
				rows[i] = labelRow(s.Meta.ID, name, lab)
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return writeLabels(filepath.Join(opts.Dir, "labels.csv"), rows)
}

// labelRow formats one labels.csv row.
func labelRow(id, file string, lab Labels) []string {
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	en, zh := Caption(lab)
	return []string{id, file, string(lab.Class), lab.Subclass, num(lab.TeffK), num(lab.Logg), num(lab.FeH),
		num(lab.RVKmS), num(lab.Z), num(lab.EBV), num(lab.SNR), en, zh}
}

// writeLabels writes labels.csv atomically.
func writeLabels(path string, rows [][]string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(LabelColumns)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
