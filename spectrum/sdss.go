package spectrum

import (
	"fmt"
	"math"
	"strings"

	"github.com/astroone/astroone-go/fits"
)

// sdssFluxUnit is the flux unit of SDSS/BOSS spectra.
const sdssFluxUnit = "1e-17 erg/s/cm^2/Angstrom"

// sdssExtraColumns are the per-pixel COADD columns kept in Spectrum.Extra.
var sdssExtraColumns = []string{"wdisp", "sky", "model"}

// specClassNames maps the SDSS-I/II spSpec SPEC_CLN code to a class.
var specClassNames = map[int64]string{0: "UNKNOWN", 1: "STAR", 2: "GALAXY", 3: "QSO", 4: "QSO", 5: "SKY", 6: "STAR", 7: "GALAXY"}

// readSDSSCoadd reads an SDSS/BOSS spec-PLATE-MJD-FIBER file: the COADD
// table in HDU idx (flux, loglam, ivar, and_mask, or_mask, wdisp, sky,
// model) and the metadata row of the SPALL/specObj HDU that follows it.
func readSDSSCoadd(f *fits.File, idx int) (*Spectrum, error) {
	t := f.HDUs[idx].Table
	flux, err := column(t, "flux")
	if err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	loglam, err := optionalColumn(t, "loglam", len(flux))
	if err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	s := &Spectrum{Flux: flux, WavelengthAA: make([]float64, len(flux)), Vacuum: true, FluxUnit: sdssFluxUnit}
	if i, err := t.ColumnIndex("flux"); err == nil && t.Columns[i].Unit != "" {
		s.FluxUnit = t.Columns[i].Unit // TUNIT, when the file states it
	}
	for i, l := range loglam {
		// exp(l·ln 10): four times faster than math.Pow(10, l) and within a
		// few 1e-16 of it, far below the float32 precision of loglam.
		s.WavelengthAA[i] = math.Exp(l * math.Ln10)
	}
	if err := readIvarAndMasks(s, t, "ivar", "and_mask", "or_mask"); err != nil {
		return nil, fmt.Errorf("HDU %d: %w", idx, err)
	}
	for _, name := range sdssExtraColumns {
		v, err := optionalColumn(t, name, len(flux))
		if err != nil {
			return nil, fmt.Errorf("HDU %d: %w", idx, err)
		}
		if v != nil {
			if s.Extra == nil {
				s.Extra = map[string][]float64{}
			}
			s.Extra[name] = v
		}
	}
	s.Meta = sdssMeta(f, idx)
	s.Meta.Layout = LayoutSDSSCoadd
	s.Meta.HDU = idx
	sanitizeFlux(s)
	return s, nil
}

// sdssMeta collects metadata from the primary header and, when present,
// the SPALL/specObj row (the HDU named SPALL, else the table after COADD).
func sdssMeta(f *fits.File, coadd int) Meta {
	m := NewMeta()
	m.Survey = SurveySDSS
	h := f.HDUs[0].Header
	plate := h.FloatOr("PLATEID", h.FloatOr("PLATE", math.NaN()))
	mjd := h.FloatOr("MJD", math.NaN())
	fiber := h.FloatOr("FIBERID", math.NaN())
	m.RA = h.FloatOr("PLUG_RA", h.FloatOr("RA", math.NaN()))
	m.Dec = h.FloatOr("PLUG_DEC", h.FloatOr("DEC", math.NaN()))
	m.DataRelease = strings.TrimSpace(h.StringOr("RELEASE", ""))
	if m.DataRelease == "" {
		if r := strings.TrimSpace(h.StringOr("RUN2D", "")); r != "" {
			m.DataRelease = "RUN2D " + r
		}
	}
	spall, ok := f.HDUByName("SPALL")
	if !ok && coadd+1 < len(f.HDUs) {
		spall = f.HDUs[coadd+1]
	}
	if spall != nil && spall.Table != nil && spall.Table.NRows > 0 {
		t := spall.Table
		m.Class = strings.TrimSpace(t.StringByName("CLASS", 0, ""))
		m.Subclass = strings.TrimSpace(t.StringByName("SUBCLASS", 0, ""))
		m.Z = t.FloatByName("Z", 0, math.NaN())
		m.ZErr = t.FloatByName("Z_ERR", 0, math.NaN())
		if zw := t.FloatByName("ZWARNING", 0, math.NaN()); !math.IsNaN(zw) {
			m.ZWarning = int64(zw)
		}
		plate = t.FloatByName("PLATE", 0, plate)
		mjd = t.FloatByName("MJD", 0, mjd)
		fiber = t.FloatByName("FIBERID", 0, fiber)
		m.RA = t.FloatByName("PLUG_RA", 0, t.FloatByName("RA", 0, m.RA))
		m.Dec = t.FloatByName("PLUG_DEC", 0, t.FloatByName("DEC", 0, m.Dec))
		if i, err := t.ColumnIndex("SN_MEDIAN"); err == nil {
			if v, err := t.Float64s(i, 0); err == nil && len(v) == 5 {
				for j, b := range []string{"u", "g", "r", "i", "z"} {
					if !math.IsNaN(v[j]) && !math.IsInf(v[j], 0) {
						m.SNR[b] = v[j]
					}
				}
			}
		}
	}
	if plate > 0 && mjd > 0 && fiber > 0 {
		m.ID = fmt.Sprintf("%04d-%05d-%04d", int64(plate), int64(mjd), int64(fiber))
	} else {
		m.ID = strings.TrimSpace(h.StringOr("OBJECT", ""))
	}
	return m
}

// readSpSpec reads an SDSS-I/II spSpec file: a float32 primary image whose
// rows are flux, continuum-subtracted flux, error (sigma) and mask, with a
// log-linear wavelength solution in COEFF0/COEFF1 (vacuum).
func readSpSpec(f *fits.File) (*Spectrum, error) {
	h := f.HDUs[0].Header
	im := f.HDUs[0].Image
	n := im.Axes[0]
	all := im.Float64s()
	row := func(j int) []float64 { return all[j*n : (j+1)*n : (j+1)*n] } // full slice: appending to one row cannot overwrite the next
	c0, err := h.Float("COEFF0")
	if err != nil {
		return nil, err
	}
	c1, err := h.Float("COEFF1")
	if err != nil {
		return nil, err
	}
	if !(c1 > 0) {
		return nil, fmt.Errorf("COEFF1=%v: wavelength step must be positive", c1)
	}
	s := &Spectrum{Flux: row(0), Vacuum: true, FluxUnit: sdssFluxUnit, WavelengthAA: make([]float64, n), Ivar: make([]float64, n)}
	for i := range n {
		s.WavelengthAA[i] = math.Pow(10, c0+c1*float64(i))
	}
	for i, sig := range row(2) {
		if sig > 0 && !math.IsInf(sig, 0) {
			s.Ivar[i] = 1 / (sig * sig)
		}
	}
	s.Extra = map[string][]float64{"continuum_subtracted": row(1)}
	if im.Axes[1] >= 4 {
		if s.AndMask, err = toMask(row(3), "mask"); err != nil {
			return nil, err
		}
	}
	m := NewMeta()
	m.Survey = SurveySDSS
	m.DataRelease = "SDSS-I/II spSpec"
	m.RA = h.FloatOr("RAOBJ", h.FloatOr("RA", math.NaN()))
	m.Dec = h.FloatOr("DECOBJ", h.FloatOr("DEC", math.NaN()))
	m.Z = h.FloatOr("Z", math.NaN())
	m.ZErr = h.FloatOr("Z_ERR", math.NaN())
	if zw, err := h.Int("Z_WARNIN"); err == nil { // spSpec's 8-character ZWARNING
		m.ZWarning = zw
	}
	if code, err := h.Int("SPEC_CLN"); err == nil {
		m.Class = specClassNames[code]
	}
	for _, b := range []string{"g", "r", "i"} {
		if v, err := h.Float("SN_" + strings.ToUpper(b)); err == nil {
			m.SNR[b] = v
		}
	}
	m.ID = strings.TrimSpace(h.StringOr("NAME", ""))
	if plate, err := h.Int("PLATEID"); err == nil && m.ID == "" {
		m.ID = fmt.Sprintf("%04d-%05d-%04d", plate, int64(h.FloatOr("MJD", 0)), int64(h.FloatOr("FIBERID", 0)))
	}
	m.Layout = LayoutSDSSSpSpec
	s.Meta = m
	sanitizeFlux(s)
	return s, nil
}

// WriteSDSS writes s in the SDSS/BOSS spec-PLATE-MJD-FIBER layout: an empty
// primary HDU with identification keywords, HDU 1 'COADD' (flux, loglam,
// ivar, and_mask, or_mask, wdisp, sky, model; one row per pixel) and HDU 2
// 'SPALL' with one row of CLASS, SUBCLASS, Z, Z_ERR, ZWARNING, PLATE, MJD,
// FIBERID, PLUG_RA, PLUG_DEC and SN_MEDIAN (ugriz; NaN for unknown bands).
// The flux column's TUNIT is s.FluxUnit, ZWARNING is Meta.ZWarning (-1,
// declared as TNULL, when unknown). Extra arrays wdisp,
// sky and model are written when present, else zeros.
func WriteSDSS(path string, s *Spectrum) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !s.Vacuum {
		return fmt.Errorf("write %s: SDSS files hold vacuum wavelengths; convert the spectrum to vacuum first", path)
	}
	n := s.Len()
	sc := getScratch(6*n, 2*n, 8*4*n)
	defer putScratch(sc)
	flux, loglam, ivar := col(sc.f32, 0, n), col(sc.f32, 1, n), col(sc.f32, 2, n)
	andm, orm := col(sc.i32, 0, n), col(sc.i32, 1, n)
	toFloat32(flux, s.Flux)
	for i, w := range s.WavelengthAA {
		loglam[i] = float32(math.Log10(w))
	}
	if s.Ivar != nil {
		toFloat32(ivar, s.Ivar)
	} else {
		fillFloat32(ivar, 0)
	}
	int32Mask(andm, s.AndMask)
	int32Mask(orm, s.OrMask)
	cols := make([]fits.ColumnData, 0, 5+len(sdssExtraColumns))
	cols = append(cols,
		fits.ColumnData{Name: "flux", Unit: s.FluxUnit, Data: flux},
		fits.ColumnData{Name: "loglam", Data: loglam},
		fits.ColumnData{Name: "ivar", Data: ivar},
		fits.ColumnData{Name: "and_mask", Data: andm},
		fits.ColumnData{Name: "or_mask", Data: orm},
	)
	for k, name := range sdssExtraColumns {
		v := col(sc.f32, 3+k, n)
		if x := s.Extra[name]; x != nil {
			toFloat32(v, x)
		} else {
			fillFloat32(v, 0)
		}
		cols = append(cols, fits.ColumnData{Name: name, Data: v})
	}
	coadd, err := fits.NewTableBuffer(sc.rows, cols)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	m := s.Meta
	plate, mjd, fiber, idOK := parsePlateMJDFiber(m.ID)
	sn := make([]float32, 5)
	for j, b := range []string{"u", "g", "r", "i", "z"} {
		v, ok := m.SNR[b]
		if !ok {
			v = math.NaN()
		}
		sn[j] = float32(v)
	}
	spall, err := fits.NewTable([]fits.ColumnData{
		{Name: "CLASS", Data: []string{m.Class}, Width: max(6, len(m.Class))},
		{Name: "SUBCLASS", Data: []string{m.Subclass}, Width: max(21, len(m.Subclass))},
		{Name: "Z", Data: []float32{float32(m.Z)}},
		{Name: "Z_ERR", Data: []float32{float32(m.ZErr)}},
		{Name: "ZWARNING", Data: []int32{int32(m.ZWarning)}, HasNull: true, Null: -1},
		{Name: "PLATE", Data: []int32{plate}},
		{Name: "MJD", Data: []int32{mjd}},
		{Name: "FIBERID", Data: []int32{fiber}},
		{Name: "PLUG_RA", Data: []float64{m.RA}},
		{Name: "PLUG_DEC", Data: []float64{m.Dec}},
		{Name: "SN_MEDIAN", Data: [][]float32{sn}},
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ph := &fits.Header{}
	ph.Set("PLATEID", int64(plate), "Plate ID")
	ph.Set("MJD", int64(mjd), "MJD of observation")
	ph.Set("FIBERID", int64(fiber), "Fiber ID")
	if !math.IsNaN(m.RA) && !math.IsNaN(m.Dec) {
		ph.Set("PLUG_RA", m.RA, "[deg] RA of the object")
		ph.Set("PLUG_DEC", m.Dec, "[deg] Dec of the object")
	}
	if !idOK {
		setString(ph, "OBJECT", m.ID, "Object identifier")
	}
	setString(ph, "RELEASE", m.DataRelease, "Data release")
	ph.Set("VACUUM", true, "Wavelengths are in vacuum")
	ch, sh := &fits.Header{}, &fits.Header{}
	ch.Set("EXTNAME", "COADD", "Coadded spectrum")
	sh.Set("EXTNAME", "SPALL", "Summary metadata")
	return fits.WriteFile(path,
		&fits.HDU{Header: ph},
		&fits.HDU{Header: ch, Table: coadd, Kind: fits.KindBinTable},
		&fits.HDU{Header: sh, Table: spall, Kind: fits.KindBinTable})
}

// int32Mask sets dst to the mask bits m as the int32 SDSS stores (zeros
// when m is nil).
func int32Mask(dst []int32, m []uint32) {
	if m == nil {
		clear(dst)
		return
	}
	for i, v := range m {
		dst[i] = int32(v)
	}
}

// parsePlateMJDFiber parses an SDSS identifier "PLATE-MJD-FIBER".
func parsePlateMJDFiber(id string) (plate, mjd, fiber int32, ok bool) {
	var rest string
	n, _ := fmt.Sscanf(id+" x", "%d-%d-%d %s", &plate, &mjd, &fiber, &rest)
	if n != 4 || rest != "x" || plate <= 0 || mjd <= 0 || fiber <= 0 {
		return 0, 0, 0, false
	}
	return plate, mjd, fiber, true
}
