package spectrum

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/fits"
)

// lamostMissing is the value LAMOST headers use for "not measured".
const lamostMissing = -9999

// LAMOST LRS grid facts (DESIGN.md): 3908 pixels, log10 wavelength from
// 3.5682 in steps of 1e-4.
const (
	LAMOSTLog10Start = 3.5682
	LAMOSTLog10Step  = 1e-4
	LAMOSTPixels     = 3908
)

// lamostFluxUnit describes LAMOST LRS flux (relative flux calibration).
const lamostFluxUnit = "relative flux"

// readLAMOSTImage reads the DR<=7 layout: a float32 primary image of
// NAXIS1 pixels by 3-5 rows (flux, ivar, wavelength, andmask, ormask).
func readLAMOSTImage(f *fits.File) (*Spectrum, error) {
	h := f.HDUs[0]
	im := h.Image
	all := im.Float64s()
	n := im.Axes[0]
	row := func(j int) []float64 { return all[j*n : (j+1)*n : (j+1)*n] } // full slice: appending to one row cannot overwrite the next
	s := &Spectrum{
		Flux:         row(0),
		Ivar:         row(1),
		WavelengthAA: row(2),
		FluxUnit:     lamostFluxUnit,
		Meta:         lamostMeta(h.Header),
	}
	var err error
	if im.Axes[1] >= 4 {
		if s.AndMask, err = toMask(row(3), "andmask"); err != nil {
			return nil, err
		}
	}
	if im.Axes[1] >= 5 {
		if s.OrMask, err = toMask(row(4), "ormask"); err != nil {
			return nil, err
		}
	}
	s.Vacuum = headerVacuum(h.Header, true)
	s.Meta.Layout = LayoutLAMOSTImage
	sanitizeFlux(s)
	return s, nil
}

// readLAMOSTTable reads the DR8+ layout: metadata in the primary header
// (NAXIS=0, possibly with stale NAXIS1/NAXIS2 cards) and one row of the
// binary table in HDU idx with FLUX, IVAR, WAVELENGTH, ANDMASK, ORMASK and
// NORMALIZATION.
func readLAMOSTTable(f *fits.File, idx int) (*Spectrum, error) {
	t := f.HDUs[idx].Table
	flux, err := column(t, "FLUX")
	if err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	s := &Spectrum{Flux: flux, FluxUnit: lamostFluxUnit, Meta: lamostMeta(f.HDUs[0].Header)}
	if s.WavelengthAA, err = optionalColumn(t, "WAVELENGTH", len(flux)); err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	if err := readIvarAndMasks(s, t, "IVAR", "ANDMASK", "ORMASK"); err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	// NORM=0 declares that the file has no normalised spectrum (the
	// NORMALIZATION column is then filler, -9999), so it is not read.
	if norm, err := f.HDUs[0].Header.Int("NORM"); err != nil || norm != 0 {
		v, err := optionalColumn(t, "NORMALIZATION", len(flux))
		if err != nil {
			return nil, fmt.Errorf("HDU %d: %w", idx, err)
		}
		if v != nil {
			s.Extra = map[string][]float64{"normalization": v}
		}
	}
	s.Vacuum = headerVacuum(f.HDUs[0].Header, true)
	s.Meta.Layout = LayoutLAMOSTTable
	s.Meta.HDU = idx
	sanitizeFlux(s)
	return s, nil
}

// lamostMeta reads the LAMOST header keywords.
func lamostMeta(h *fits.Header) Meta {
	m := NewMeta()
	m.Survey = SurveyLAMOST
	if c, ok := h.Get("OBSID"); ok && c.Value != nil {
		m.ID = strings.TrimSpace(fmt.Sprint(c.Value))
	}
	m.Designation = strings.TrimSpace(h.StringOr("DESIG", ""))
	m.RA = lamostFloat(h, "RA")
	m.Dec = lamostFloat(h, "DEC")
	m.Class = strings.TrimSpace(h.StringOr("CLASS", ""))
	m.Subclass = strings.TrimSpace(h.StringOr("SUBCLASS", ""))
	m.Z = lamostFloat(h, "Z")
	m.ZErr = lamostFloat(h, "Z_ERR")
	for _, b := range []string{"u", "g", "r", "i", "z"} {
		if v := lamostFloat(h, "SNR"+strings.ToUpper(b)); !math.IsNaN(v) {
			m.SNR[b] = v
		}
	}
	m.DataRelease = strings.TrimSpace(h.StringOr("DATA_V", ""))
	return m
}

// lamostFloat returns a numeric keyword, NaN when absent, non-numeric or
// the LAMOST missing value -9999.
func lamostFloat(h *fits.Header, key string) float64 {
	v, err := h.Float(key)
	if err != nil {
		// Some releases store numbers as strings.
		s, serr := h.String(key)
		if serr != nil {
			return math.NaN()
		}
		if v, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return math.NaN()
		}
	}
	if v == lamostMissing || math.IsNaN(v) {
		return math.NaN()
	}
	return v
}

// headerVacuum reads the air/vacuum convention from VACUUM (logical) or
// AIRORVAC ('air'/'vac'), falling back to def.
func headerVacuum(h *fits.Header, def bool) bool {
	if b, err := h.Bool("VACUUM"); err == nil {
		return b
	}
	switch v := strings.ToLower(strings.TrimSpace(h.StringOr("AIRORVAC", ""))); {
	case strings.HasPrefix(v, "vac"):
		return true
	case v == "air":
		return false
	}
	return def
}

// lamostSNRCards are the LAMOST per-band S/N keywords and comments.
var lamostSNRCards = [...]struct{ band, key, comment string }{
	{"u", "SNRU", "SNR of u filter"}, {"g", "SNRG", "SNR of g filter"}, {"r", "SNRR", "SNR of r filter"},
	{"i", "SNRI", "SNR of i filter"}, {"z", "SNRZ", "SNR of z filter"},
}

// lamostHeader builds the primary header cards LAMOST readers expect;
// start, step and logLin are logLinear's result for the wavelengths.
func lamostHeader(s *Spectrum, start, step float64, logLin bool) *fits.Header {
	h := &fits.Header{Cards: make([]fits.Card, 0, 32)}
	m := s.Meta
	if _, err := strconv.ParseInt(m.ID, 10, 64); err == nil {
		id, _ := strconv.ParseInt(m.ID, 10, 64)
		h.Set("OBSID", id, "Unique number ID of this spectrum")
	} else if m.ID != "" {
		h.Set("OBSID", m.ID, "Unique ID of this spectrum")
	}
	setString(h, "DESIG", m.Designation, "Designation of LAMOST target")
	dr := m.DataRelease
	if dr == "" {
		dr = "AstroOne-Go"
	}
	h.Set("DATA_V", dr, "Data release version")
	setLAMOSTFloat(h, "RA", m.RA, "[deg] Right ascension of object")
	setLAMOSTFloat(h, "DEC", m.Dec, "[deg] Declination of object")
	h.Set("VACUUM", s.Vacuum, "Wavelengths are in vacuum")
	setString(h, "CLASS", m.Class, "Class of object")
	setString(h, "SUBCLASS", m.Subclass, "Subclass of object")
	setLAMOSTFloat(h, "Z", m.Z, "Redshift of object")
	setLAMOSTFloat(h, "Z_ERR", m.ZErr, "Redshift error of object")
	for _, c := range lamostSNRCards {
		v, ok := m.SNR[c.band]
		if !ok {
			v = math.NaN()
		}
		setLAMOSTFloat(h, c.key, v, c.comment)
	}
	if logLin {
		h.Set("COEFF0", start, "Central wavelength (log10) of first pixel")
		h.Set("COEFF1", step, "Log10 dispersion per pixel")
	}
	return h
}

func setString(h *fits.Header, key, v, comment string) {
	if v != "" {
		h.Set(key, v, comment)
	}
}

func setLAMOSTFloat(h *fits.Header, key string, v float64, comment string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = lamostMissing
	}
	h.Set(key, v, comment)
}

// logLinearTol is the largest deviation (dex) from a uniform log10 grid
// that logLinear accepts: the rounding of float32 wavelengths (2^-24
// relative, 2.6e-8 dex), about 0.02 km/s.
const logLinearTol = 3e-8

// logLinear reports whether wavelengths are uniformly spaced in log10 to
// float32 precision, and returns the start and step: the conventional
// header values (7 and 10 decimals, e.g. LAMOST's 3.5682 and 1e-4) when
// they describe the wavelengths as well, else full float64 precision.
func logLinear(w []float64) (start, step float64, ok bool) {
	if len(w) < 2 {
		return 0, 0, false
	}
	// Compare x/λ_i − 1 with the tolerance in ln units (log10(1+e) ≈
	// e/ln 10 for the tiny e that pass), stepping λ_i by multiplication
	// and recomputing it exactly every 256 pixels: a division per pixel
	// instead of a logarithm. NaN, zero and negative values fail.
	tol := logLinearTol * math.Ln10
	fits := func(start, step float64) bool {
		ratio := math.Pow(10, step)
		var pred float64
		for i, x := range w {
			if i%256 == 0 {
				pred = math.Pow(10, start+step*float64(i))
			} else {
				pred *= ratio
			}
			if !(math.Abs(x/pred-1) <= tol) {
				return false
			}
		}
		return true
	}
	start = math.Log10(w[0])
	step = (math.Log10(w[len(w)-1]) - start) / float64(len(w)-1)
	if rs, rd := math.Round(start*1e7)/1e7, math.Round(step*1e10)/1e10; fits(rs, rd) {
		return rs, rd, true
	}
	return start, step, fits(start, step)
}

// float32Column converts values to float32 for a layout that stores
// float32 vectors.
func float32Column(v []float64) []float32 {
	out := make([]float32, len(v))
	toFloat32(out, v)
	return out
}

// lamostIvar sets dst to the ivar to write in a LAMOST layout: zero where
// MaskBad is set in either mask, since that bit is written as NODATA,
// which readers do not treat as unusable by itself; zeros without ivar.
func lamostIvar(dst []float32, s *Spectrum) {
	if s.Ivar == nil {
		fillFloat32(dst, 0)
		return
	}
	toFloat32(dst, s.Ivar)
	for _, m := range [2][]uint32{s.AndMask, s.OrMask} {
		for i, v := range m {
			if v&MaskBad != 0 {
				dst[i] = 0
			}
		}
	}
}

// lamostNoData is the LAMOST pixel-mask bit NODATA (bit 6, value 32): no
// good data at this pixel.
const lamostNoData = 32

// maskFloat32 sets dst to the float32 values LAMOST stores for mask bits m
// (zeros when m is nil). MaskBad (bit 30, which float32 cannot hold beside
// low bits) is written as LAMOST's NODATA bit; the pixel's ivar is 0
// anyway. It fails when another value would lose bits (integers above
// 2^24).
func maskFloat32(dst []float32, m []uint32, what string) error {
	if m == nil {
		fillFloat32(dst, 0)
		return nil
	}
	for i, v := range m {
		if v&MaskBad != 0 {
			v = v&^MaskBad | lamostNoData
		}
		dst[i] = float32(v)
		if v >= 1<<24 && uint32(dst[i]) != v {
			return fmt.Errorf("%s[%d]=%#x cannot be stored exactly in the layout's float32 mask", what, i, v)
		}
	}
	return nil
}

// WriteLAMOSTTable writes s in the LAMOST DR8+ layout: a primary HDU with
// NAXIS=0 carrying the metadata, and a BINTABLE 'COADD' with one row of
// FLUX, IVAR, WAVELENGTH, ANDMASK, ORMASK, NORMALIZATION (float32 vectors).
// Without an "normalization" extra array the column holds -9999 and NORM=0,
// as in LAMOST files without a normalised spectrum.
func WriteLAMOSTTable(path string, s *Spectrum) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	n := s.Len()
	sc := getScratch(6*n, 0, 6*4*n)
	defer putScratch(sc)
	flux, ivar, wave := col(sc.f32, 0, n), col(sc.f32, 1, n), col(sc.f32, 2, n)
	andm, orm, norm := col(sc.f32, 3, n), col(sc.f32, 4, n), col(sc.f32, 5, n)
	if err := maskFloat32(andm, s.AndMask, "andmask"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := maskFloat32(orm, s.OrMask, "ormask"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	toFloat32(flux, s.Flux)
	lamostIvar(ivar, s)
	toFloat32(wave, s.WavelengthAA)
	start, step, logLin := logLinear(s.WavelengthAA)
	ph := lamostHeader(s, start, step, logLin)
	if v, ok := s.Extra["normalization"]; ok {
		ph.Set("NORM", int64(1), "1 if there exists a normalized spectrum")
		toFloat32(norm, v)
	} else {
		ph.Set("NORM", int64(0), "1 if there exists a normalized spectrum")
		fillFloat32(norm, lamostMissing)
	}
	tab, err := fits.NewTableBuffer(sc.rows, []fits.ColumnData{
		{Name: "FLUX", Data: [][]float32{flux}},
		{Name: "IVAR", Data: [][]float32{ivar}},
		{Name: "WAVELENGTH", Data: [][]float32{wave}},
		{Name: "ANDMASK", Data: [][]float32{andm}},
		{Name: "ORMASK", Data: [][]float32{orm}},
		{Name: "NORMALIZATION", Data: [][]float32{norm}},
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	th := &fits.Header{}
	th.Set("EXTNAME", "COADD", "The extension name")
	return fits.WriteFile(path,
		&fits.HDU{Header: ph},
		&fits.HDU{Header: th, Table: tab, Kind: fits.KindBinTable})
}

// WriteLAMOSTImage writes s in the LAMOST DR<=7 layout: a float32 primary
// image of Len() x 5 rows (flux, ivar, wavelength, andmask, ormask) with
// the metadata and, for log-linear wavelengths, the COEFF0/COEFF1 and
// CRVAL1/CD1_1/DC-FLAG solution.
func WriteLAMOSTImage(path string, s *Spectrum) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	n := s.Len()
	sc := getScratch(5*n, 0, 0)
	defer putScratch(sc)
	if err := maskFloat32(col(sc.f32, 3, n), s.AndMask, "andmask"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := maskFloat32(col(sc.f32, 4, n), s.OrMask, "ormask"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	toFloat32(col(sc.f32, 0, n), s.Flux)
	lamostIvar(col(sc.f32, 1, n), s)
	toFloat32(col(sc.f32, 2, n), s.WavelengthAA)
	im, err := fits.NewImage(sc.f32, n, 5)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	start, step, logLin := logLinear(s.WavelengthAA)
	h := lamostHeader(s, start, step, logLin)
	h.Set("EXTNAME", "Flux", "The extension name")
	if logLin {
		h.Set("CRVAL1", start, "Central wavelength (log10) of first pixel")
		h.Set("CD1_1", step, "Log10 dispersion per pixel")
		h.Set("CRPIX1", int64(1), "Starting pixel (1-indexed)")
		h.Set("CTYPE1", "LINEAR", "")
		h.Set("DC-FLAG", int64(1), "Log-linear flag")
	}
	return fits.WriteFile(path, &fits.HDU{Header: h, Image: im})
}
