package sim

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/astroone/astroone-go/spectrum"
)

// WriteTroubleFiles adds to dir the files a pipeline test needs beside a
// clean sample: three more spectra in the SDSS, LAMOST DR7 and gzipped
// LAMOST DR8+ layouts (LAMOST OBSIDs 200000001-200000002 and SDSS plate 9000, apart from
// WriteSample's),
// a byte-identical copy of the sample file named like (as NAME_copy.fits)
// and a copy truncated to half its length (truncated.fits). It returns the
// number of files written.
func WriteTroubleFiles(dir string, seed uint64, like string) (int, error) {
	lamost, err := New(Config{Seed: seed + 1})
	if err != nil {
		return 0, err
	}
	sdss, err := New(Config{Seed: seed + 1, Survey: SurveySDSS})
	if err != nil {
		return 0, err
	}
	written := 0
	for i, layout := range []spectrum.Layout{spectrum.LayoutSDSSCoadd, spectrum.LayoutLAMOSTImage, spectrum.LayoutLAMOSTTable} {
		var s *spectrum.Spectrum
		if layout == spectrum.LayoutSDSSCoadd {
			s, _ = sdss.Spectrum(i)
			s.Meta.ID = fmt.Sprintf("9000-59000-%04d", i+1)
		} else {
			s, _ = lamost.Spectrum(i)
			s.Meta.ID = fmt.Sprint(200000000 + i)
		}
		name := fmt.Sprintf("extra-%d-%s.fits", i, layout)
		if layout == spectrum.LayoutLAMOSTTable {
			name += ".gz"
		}
		if err := spectrum.WriteFile(filepath.Join(dir, name), s, layout); err != nil {
			return written, err
		}
		written++
	}
	data, err := os.ReadFile(filepath.Join(dir, like))
	if err != nil {
		return written, err
	}
	stem := like[:len(like)-len(filepath.Ext(like))]
	if err := os.WriteFile(filepath.Join(dir, stem+"_copy.fits"), data, 0o644); err != nil {
		return written, err
	}
	written++
	if err := os.WriteFile(filepath.Join(dir, "truncated.fits"), data[:len(data)/2], 0o644); err != nil {
		return written, err
	}
	return written + 1, nil
}
