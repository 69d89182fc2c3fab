package sim

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// SampleOptions describes a sample of files to write with WriteSample.
type SampleOptions struct {
	Dir     string          // output directory (created if needed)
	N       int             // number of spectra
	Seed    uint64          // sampler seed
	Layout  spectrum.Layout // file layout; LAMOST table layout when empty
	Gzip    bool            // write .fits.gz
	Workers int             // parallel writers; runtime.NumCPU() when 0
	SNRMin  float64         // S/N range (log-uniform); 5..100 when zero
	SNRMax  float64
	// Progress, when set, is called after each file with the number done.
	Progress func(done int)
}

// WriteSample writes opts.N quick-sample spectra as FITS files named
// spec-ID.fits[.gz] and DIR/labels.csv (id, file, class, subclass, teff,
// logg, feh, rv_kms, z, ebv, snr_g; empty where not defined: the quick
// sampler applies no extinction, so ebv is empty). The output is the
// same for the same options, whatever the number of workers.
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
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	ext := ".fits"
	if opts.Gzip {
		ext += ".gz"
	}
	q := NewQuick(opts.Seed)
	if opts.Layout == spectrum.LayoutSDSSCoadd {
		q = NewQuickOnGrid(opts.Seed, prep.SDSSGrid()) // SDSS files on the SDSS/BOSS lattice
	}
	if opts.SNRMin > 0 && opts.SNRMax >= opts.SNRMin {
		q.SNRMin, q.SNRMax = opts.SNRMin, opts.SNRMax
	}
	rows := make([][]string, opts.N)
	jobs := make(chan int)
	errs := make(chan error, opts.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				s, lab := q.Spectrum(i)
				name := "spec-" + s.Meta.ID + ext
				if err := spectrum.WriteFile(filepath.Join(opts.Dir, name), s, opts.Layout); err != nil {
					errs <- err
					return
				}
				rows[i] = labelRow(s.Meta.ID, name, lab)
				mu.Lock()
				done++
				if opts.Progress != nil {
					opts.Progress(done)
				}
				mu.Unlock()
			}
		}()
	}
	var err error
feed:
	for i := range opts.N {
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return err
	}
	return writeLabels(filepath.Join(opts.Dir, "labels.csv"), rows)
}

func labelRow(id, file string, lab Labels) []string {
	num := func(v float64, ok bool) string {
		if !ok {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	star := lab.Class == "STAR"
	return []string{id, file, lab.Class, lab.Subclass, num(lab.TeffK, star), num(lab.Logg, star), num(lab.FeH, star),
		num(lab.RVKmS, star), num(lab.Z, true), "", num(lab.SNR, true)}
}

func writeLabels(path string, rows [][]string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "file", "class", "subclass", "teff", "logg", "feh", "rv_kms", "z", "ebv", "snr_g"})
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
