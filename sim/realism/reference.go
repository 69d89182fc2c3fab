// Package realism compares simulated spectra with real ones: it reads
// tabulated reference spectra (the CALSPEC / STScI table layout shipped by
// Debian's python3-pysynphot), brings a model and a reference to a common
// resolution and sampling, normalises both by the same continuum
// procedure, and measures how alike they are (Pearson correlation and RMS
// of the continuum-normalised fluxes, shape of the raw continuum ratio).
// It also fits simulator parameters to a real spectrum by a grid χ², and
// draws stacked overlay/residual plots.
//
// The evidence it produces is in docs/SIMULATOR.md; the program that
// regenerates it is bench/simrealism.
package realism

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/astroone/astroone-go/fits"
)

// ErrNoReference reports a FITS file that is not a tabulated reference
// spectrum (no BINTABLE with WAVELENGTH and FLUX columns).
var ErrNoReference = errors.New("not a tabulated reference spectrum")

// maxReferenceBytes bounds the size of a reference file (the CALSPEC files
// are well under 1 MiB).
const maxReferenceBytes = 64 << 20

// Medium is the wavelength convention of a reference file.
type Medium string

// Wavelength conventions.
const (
	MediumVacuum   Medium = "vacuum"
	MediumAir      Medium = "air"
	MediumUnstated Medium = "" // the file does not say
)

// Reference is a tabulated reference spectrum: one BINTABLE row per
// wavelength, as in the CALSPEC standards (Bohlin et al. 2014, PASP 126,
// 711) and the STScI templates that pysynphot ships.
type Reference struct {
	Name         string    // TARGETID, else the file name
	Description  string    // DESCRIP card, if any
	WavelengthAA []float64 // pixel centres, Å, strictly increasing
	Flux         []float64 // f_λ (FLAM: erg s⁻¹ cm⁻² Å⁻¹, or arbitrary for templates)
	// StatErr is the statistical error of Flux (STATERROR), nil when the
	// file has none; NaN entries are unknown.
	StatErr []float64
	// FWHMAA is the resolution (FWHM, Å) per pixel from the FWHM column,
	// nil when the file has none or it holds no finite positive value.
	FWHMAA []float64
	// Medium is what the header says of the wavelengths: a HISTORY or
	// COMMENT card containing "vacuum" or "in air" (CALSPEC STIS files
	// say "All wavelengths are in vacuum").
	Medium Medium
}

// ReadReference reads a reference spectrum from a FITS file (plain or
// gzip).
func ReadReference(path string) (*Reference, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > maxReferenceBytes {
		return nil, fmt.Errorf("read %s: %d bytes is too large for a reference spectrum", path, st.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeReference(data, path)
}

// DecodeReference reads a reference spectrum from the bytes of a FITS file.
// It uses the first BINTABLE with WAVELENGTH and FLUX columns; rows whose
// wavelength or flux is not finite, or whose wavelength does not increase,
// are dropped (CALSPEC tables hold none, but the file is input). It fails
// when fewer than two rows remain.
func DecodeReference(data []byte, name string) (*Reference, error) {
	f, err := fits.DecodeBytes(data, name)
	if err != nil {
		return nil, fmt.Errorf("read reference %s: %w", name, err)
	}
	for hi, h := range f.HDUs {
		if h.Table == nil {
			continue
		}
		iw, errW := h.Table.ColumnIndex("WAVELENGTH")
		ifl, errF := h.Table.ColumnIndex("FLUX")
		if errW != nil || errF != nil {
			continue
		}
		ref, err := fromTable(f, h.Table, iw, ifl)
		if err != nil {
			return nil, fmt.Errorf("read reference %s: HDU %d: %w", name, hi, err)
		}
		if ref.Name == "" {
			ref.Name = name
		}
		return ref, nil
	}
	return nil, fmt.Errorf("read reference %s: %w", name, ErrNoReference)
}

// fromTable extracts the columns and header facts.
func fromTable(f *fits.File, t *fits.Table, iw, ifl int) (*Reference, error) {
	wave, err := t.ColumnFloat64s(iw)
	if err != nil {
		return nil, fmt.Errorf("WAVELENGTH: %w", err)
	}
	flux, err := t.ColumnFloat64s(ifl)
	if err != nil {
		return nil, fmt.Errorf("FLUX: %w", err)
	}
	if len(wave) != len(flux) {
		return nil, fmt.Errorf("%w: %d wavelengths for %d fluxes", ErrNoReference, len(wave), len(flux))
	}
	optional := func(col string) []float64 {
		i, err := t.ColumnIndex(col)
		if err != nil {
			return nil
		}
		v, err := t.ColumnFloat64s(i)
		if err != nil || len(v) != len(wave) {
			return nil
		}
		return v
	}
	serr, fwhm := optional("STATERROR"), optional("FWHM")
	ref := &Reference{}
	prev := 0.0
	for i, w := range wave {
		if !(w > prev) || math.IsInf(w, 0) || !finite(flux[i]) {
			continue
		}
		prev = w
		ref.WavelengthAA = append(ref.WavelengthAA, w)
		ref.Flux = append(ref.Flux, flux[i])
		if serr != nil {
			ref.StatErr = append(ref.StatErr, serr[i])
		}
		if fwhm != nil {
			ref.FWHMAA = append(ref.FWHMAA, fwhm[i])
		}
	}
	if len(ref.WavelengthAA) < 2 {
		return nil, fmt.Errorf("%w: %d usable rows", ErrNoReference, len(ref.WavelengthAA))
	}
	if !anyPositive(ref.FWHMAA) {
		ref.FWHMAA = nil
	}
	for _, h := range f.HDUs {
		if h.Header == nil {
			continue
		}
		if ref.Name == "" {
			ref.Name = strings.TrimSpace(h.Header.StringOr("TARGETID", ""))
		}
		if ref.Description == "" {
			ref.Description = strings.TrimSpace(h.Header.StringOr("DESCRIP", ""))
		}
		if ref.Medium == MediumUnstated {
			ref.Medium = mediumFromHeader(h.Header)
		}
	}
	return ref, nil
}

// mediumFromHeader looks for a statement of the wavelength medium in the
// commentary cards.
func mediumFromHeader(h *fits.Header) Medium {
	for _, c := range h.Cards {
		if !c.IsCommentary() {
			continue
		}
		s := strings.ToLower(c.Comment)
		switch {
		case strings.Contains(s, "vacuum"):
			return MediumVacuum
		case strings.Contains(s, "in air") || strings.Contains(s, "air wavelength"):
			return MediumAir
		}
	}
	return MediumUnstated
}

// FWHMAt returns the reference's resolution (FWHM, Å) at λ by linear
// interpolation of the FWHM column, and false when the file has none or
// λ lies outside the table.
func (r *Reference) FWHMAt(waveAA float64) (float64, bool) {
	if r.FWHMAA == nil {
		return 0, false
	}
	v, ok := interp(r.WavelengthAA, r.FWHMAA, waveAA)
	return v, ok && v > 0
}

// Range returns the first and last wavelength (Å).
func (r *Reference) Range() (fromAA, toAA float64) {
	return r.WavelengthAA[0], r.WavelengthAA[len(r.WavelengthAA)-1]
}

// interp interpolates y(x) linearly at x0 (x increasing); false outside.
func interp(x, y []float64, x0 float64) (float64, bool) {
	n := len(x)
	if n == 0 || !(x0 >= x[0]) || !(x0 <= x[n-1]) {
		return 0, false
	}
	lo, hi := 0, n-1
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if x[m] <= x0 {
			lo = m
		} else {
			hi = m
		}
	}
	if hi == lo {
		return y[lo], finite(y[lo])
	}
	t := (x0 - x[lo]) / (x[hi] - x[lo])
	v := y[lo] + t*(y[hi]-y[lo])
	return v, finite(v)
}

func anyPositive(v []float64) bool {
	for _, x := range v {
		if x > 0 && finite(x) {
			return true
		}
	}
	return false
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
