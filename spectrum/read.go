package spectrum

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/astroone/astroone-go/fits"
)

// ErrUnknownLayout is returned for a readable FITS file whose structure
// matches none of the supported spectrum layouts.
var ErrUnknownLayout = errors.New("unrecognised spectrum layout")

// MaxFileBytes bounds the size of one spectrum file, compressed or not
// (64 MiB; survey spectrum files are well under 10 MiB), so that a stray
// huge file or a gzip bomb is refused instead of filling memory.
const MaxFileBytes = 64 << 20

// ReadFile reads one spectrum from a FITS (optionally gzipped) or text/CSV
// file, choosing the layout from the file's structure.
func ReadFile(path string) (*Spectrum, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %d bytes: larger than a spectrum file can be (%d)", path, st.Size(), MaxFileBytes)
	}
	data, err := os.ReadFile(path) // sized from the file: no regrowth
	if err != nil {
		return nil, err
	}
	return Decode(data, path)
}

// Read reads one spectrum from r; name (a path) is used for messages, the
// fallback ID and Meta.SourceFile.
func Read(r io.Reader, name string) (*Spectrum, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return Decode(data, name)
}

// Decode reads one spectrum from the bytes of a file (FITS, gzipped FITS
// or text/CSV); name is used for messages, the fallback ID and
// Meta.SourceFile. data is not retained.
func Decode(data []byte, name string) (*Spectrum, error) {
	data, err := gunzipIfNeeded(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var s *Spectrum
	if bytes.HasPrefix(data, []byte("SIMPLE  =")) {
		f, err := fits.DecodeBytes(data, name)
		if err != nil {
			return nil, err // a fits.FormatError names the file, HDU and card
		}
		s, err = FromFITS(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	} else {
		s, err = ReadText(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("read %s: not FITS, and as text: %w", name, err)
		}
	}
	s.Meta.SourceFile = name
	if s.Meta.ID == "" {
		s.Meta.ID = fileStem(name)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return s, nil
}

// gunzipIfNeeded decompresses gzip data (detected by its magic bytes).
func gunzipIfNeeded(data []byte) ([]byte, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFileBytes)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(gz, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if len(out) > MaxFileBytes {
		return nil, fmt.Errorf("decompressed file larger than %d bytes", MaxFileBytes)
	}
	return out, nil
}

// fileStem returns the file name without directory and FITS/text
// extensions (spec-55859-F5902_sp01-001 for .../spec-55859-F5902_sp01-001.fits.gz).
func fileStem(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".fits", ".fit", ".fts", ".csv", ".txt", ".dat"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// FromFITS builds a Spectrum from a decoded FITS file, detecting the layout
// from its structure: a binary table with flux and loglam columns is SDSS;
// one with FLUX and WAVELENGTH columns is LAMOST DR8+; a 2-D primary image
// whose third row is a wavelength array is LAMOST DR<=7; a 2-D image with a
// log-linear COEFF0/COEFF1 solution and no wavelength row is an SDSS spSpec;
// a 1-D image with a wavelength WCS is a generic spectrum.
func FromFITS(f *fits.File) (*Spectrum, error) {
	for i, h := range f.HDUs {
		if h.Table == nil || h.Table.NRows == 0 {
			continue
		}
		if hasColumns(h.Table, "flux", "loglam") {
			return readSDSSCoadd(f, i)
		}
		if hasColumns(h.Table, "flux", "wavelength") {
			return readLAMOSTTable(f, i)
		}
	}
	prim := f.HDUs[0]
	if im := prim.Image; im != nil && len(im.Axes) == 2 && im.Axes[1] >= 3 {
		if isWavelengthRow(im) {
			return readLAMOSTImage(f)
		}
		if prim.Header.Has("COEFF0") && prim.Header.Has("COEFF1") {
			return readSpSpec(f)
		}
	}
	for i, h := range f.HDUs {
		if h.Image != nil && h.Image.Len() > 1 && hasWavelengthWCS(h.Header) {
			return readGeneric1D(f, i)
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownLayout, describe(f))
}

// describe summarises a file's structure for an error message.
func describe(f *fits.File) string {
	parts := make([]string, len(f.HDUs))
	for i, h := range f.HDUs {
		switch {
		case h.Table != nil:
			names := make([]string, len(h.Table.Columns))
			for j, c := range h.Table.Columns {
				names[j] = c.Name
			}
			parts[i] = fmt.Sprintf("HDU %d %s table %q columns [%s]", i, h.Kind, h.Name(), strings.Join(names, " "))
		case h.Image != nil:
			parts[i] = fmt.Sprintf("HDU %d %s image axes %v", i, h.Kind, h.Image.Axes)
		default:
			parts[i] = fmt.Sprintf("HDU %d %s", i, h.Kind)
		}
	}
	return "no flux/wavelength table, LAMOST/SDSS image or 1-D image with a wavelength WCS; file has " + strings.Join(parts, "; ")
}

func hasColumns(t *fits.Table, names ...string) bool {
	for _, n := range names {
		if _, err := t.ColumnIndex(n); err != nil {
			return false
		}
	}
	return true
}

// isWavelengthRow reports whether row 2 of a 2-D image is a strictly
// increasing array of optical/IR wavelengths in Å (LAMOST DR<=7 layout).
func isWavelengthRow(im *fits.Image) bool {
	row, err := im.Row(2)
	if err != nil || len(row) < 2 {
		return false
	}
	for i, w := range row {
		if !(w > 500 && w < 1e6) || i > 0 && w <= row[i-1] {
			return false
		}
	}
	return true
}

// column returns the physical values of a named column over all rows
// concatenated: LAMOST stores a spectrum as one row of vectors, SDSS as one
// row per pixel.
func column(t *fits.Table, name string) ([]float64, error) {
	i, err := t.ColumnIndex(name)
	if err != nil {
		return nil, err
	}
	return t.ColumnFloat64s(i)
}

// optionalColumn returns a named column, nil if absent, or an error if it
// is present but unreadable or of the wrong length.
func optionalColumn(t *fits.Table, name string, n int) ([]float64, error) {
	if _, err := t.ColumnIndex(name); err != nil {
		return nil, nil
	}
	v, err := column(t, name)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	if len(v) != n {
		return nil, fmt.Errorf("column %s has %d values, flux has %d", name, len(v), n)
	}
	return v, nil
}

// readIvarAndMasks reads the required inverse-variance column and the
// optional and/or mask columns of a table into s (whose Flux is set).
func readIvarAndMasks(s *Spectrum, t *fits.Table, ivar, andMask, orMask string) error {
	var err error
	if s.Ivar, err = optionalColumn(t, ivar, len(s.Flux)); err != nil {
		return err
	}
	if s.Ivar == nil {
		return fmt.Errorf("no %s column", ivar)
	}
	if s.AndMask, err = maskColumn(t, andMask, len(s.Flux)); err != nil {
		return err
	}
	s.OrMask, err = maskColumn(t, orMask, len(s.Flux))
	return err
}

// maskScratch recycles the float64 buffer mask columns are decoded into
// before they become bits: one less large allocation per mask per file.
var maskScratch = sync.Pool{New: func() any { return new([]float64) }}

// maskColumn reads an optional mask column of n values as bits (nil when
// the table has no such column).
func maskColumn(t *fits.Table, name string, n int) ([]uint32, error) {
	i, err := t.ColumnIndex(name)
	if err != nil {
		return nil, nil
	}
	scratch := maskScratch.Get().(*[]float64)
	defer maskScratch.Put(scratch)
	v, err := t.ColumnFloat64sInto(i, *scratch)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	*scratch = v
	if len(v) != n {
		return nil, fmt.Errorf("column %s has %d values, flux has %d", name, len(v), n)
	}
	return toMask(v, name)
}

// toMask converts mask values stored as numbers to bits, rejecting values
// that are not non-negative integers.
func toMask(v []float64, what string) ([]uint32, error) {
	if v == nil {
		return nil, nil
	}
	m := make([]uint32, len(v))
	for i, x := range v {
		if !(x >= 0 && x <= math.MaxUint32 && x == math.Trunc(x)) {
			return nil, fmt.Errorf("%s[%d]=%v is not a mask value", what, i, x)
		}
		m[i] = uint32(x)
	}
	return m, nil
}

// sanitizeFlux marks pixels whose flux or ivar is not finite: flux 0, ivar
// 0 and MaskBad set, so no NaN travels downstream.
func sanitizeFlux(s *Spectrum) {
	for i, f := range s.Flux {
		bad := math.IsNaN(f) || math.IsInf(f, 0)
		if s.Ivar != nil {
			iv := s.Ivar[i]
			if math.IsNaN(iv) || math.IsInf(iv, 0) || iv < 0 {
				bad = true
			}
		}
		if !bad {
			continue
		}
		s.Flux[i] = 0
		if s.Ivar != nil {
			s.Ivar[i] = 0
		}
		if s.AndMask == nil {
			s.AndMask = make([]uint32, len(s.Flux))
		}
		s.AndMask[i] |= MaskBad
	}
}
