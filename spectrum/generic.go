package spectrum

import (
	"fmt"
	"math"
	"strings"

	"github.com/astroone/astroone-go/fits"
)

// wcs1D is a one-dimensional wavelength solution read from a header.
type wcs1D struct {
	crval, cdelt, crpix float64
	kind                string  // "linear", "log10" or "ln" (WCS Paper III WAVE-LOG)
	unitAA              float64 // Å per header wavelength unit
}

// hasWavelengthWCS reports whether a header carries a 1-D wavelength
// solution (CRVAL1 with CDELT1 or CD1_1, or the old W0/WPC pair).
func hasWavelengthWCS(h *fits.Header) bool {
	if h.Has("W0") && h.Has("WPC") {
		return true
	}
	return h.Has("CRVAL1") && (h.Has("CDELT1") || h.Has("CD1_1"))
}

// parseWCS1D reads the wavelength solution of axis 1.
//
// Supported: linear (CTYPE1 LINEAR/WAVE/AWAV or none), log10-linear
// (DC-FLAG=1, as written by IRAF and the LAMOST/SDSS pipelines), natural
// log (CTYPE1 WAVE-LOG, λ = CRVAL1·exp(CDELT1·(p−CRPIX1)/CRVAL1), Greisen
// et al. 2006), and W0/WPC. CUNIT1 may be Angstrom, nm, um or m.
func parseWCS1D(h *fits.Header) (wcs1D, error) {
	w := wcs1D{crpix: 1, kind: "linear", unitAA: 1}
	var err error
	key := "CDELT1"
	if !h.Has("CRVAL1") && h.Has("W0") { // old IRAF: W0 at pixel 1, WPC per pixel
		key = "WPC"
		if w.crval, err = h.Float("W0"); err != nil {
			return w, err
		}
		if w.cdelt, err = h.Float("WPC"); err != nil {
			return w, err
		}
	} else {
		if w.crval, err = h.Float("CRVAL1"); err != nil {
			return w, err
		}
		if !h.Has(key) || h.FloatOr(key, 0) == 0 {
			key = "CD1_1"
		}
		if w.cdelt, err = h.Float(key); err != nil {
			return w, err
		}
		if h.Has("CRPIX1") {
			if w.crpix, err = h.Float("CRPIX1"); err != nil {
				return w, err
			}
		}
	}
	ctype := strings.ToUpper(strings.TrimSpace(h.StringOr("CTYPE1", "")))
	if dc, err := h.Int("DC-FLAG"); err == nil {
		switch dc {
		case 0, -1:
		case 1:
			w.kind = "log10"
		default:
			return w, fmt.Errorf("DC-FLAG=%d: non-linear dispersion is not supported", dc)
		}
	}
	if strings.HasSuffix(ctype, "-LOG") {
		w.kind = "ln"
	}
	switch u := strings.ToLower(strings.TrimSpace(h.StringOr("CUNIT1", ""))); u {
	case "", "angstrom", "angstroms", "a", "aa":
	case "nm":
		w.unitAA = 10
	case "um", "micron", "microns":
		w.unitAA = 1e4
	case "m":
		w.unitAA = 1e10
	default:
		return w, fmt.Errorf("CUNIT1=%q: unsupported wavelength unit", u)
	}
	if w.cdelt == 0 {
		return w, fmt.Errorf("%s is 0: no wavelength step", key)
	}
	return w, nil
}

// wavelengths evaluates the solution at 1-based pixels 1..n, in Å.
func (w wcs1D) wavelengths(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		d := float64(i+1) - w.crpix
		switch w.kind {
		case "log10":
			out[i] = math.Pow(10, w.crval+w.cdelt*d)
		case "ln":
			out[i] = w.crval * math.Exp(w.cdelt*d/w.crval)
		default:
			out[i] = w.crval + w.cdelt*d
		}
		out[i] *= w.unitAA
	}
	return out
}

// readGeneric1D reads a 1-D spectrum from image HDU idx: the first row of
// the image is the flux (of the first aperture of an IRAF multispec file).
// When the image has further bands described by BANDIDn keywords, a band
// labelled sigma/error becomes the inverse variance. Without error information Ivar is
// nil. Wavelengths are vacuum unless VACUUM/AIRORVAC or CTYPE1 'AWAV' say
// air (the project's convention: convert unlabelled air spectra first, or
// label them with AIRORVAC = 'air').
func readGeneric1D(f *fits.File, idx int) (*Spectrum, error) {
	h := f.HDUs[idx].Header
	im := f.HDUs[idx].Image
	w, err := parseWCS1D(h)
	if err != nil {
		return nil, fmt.Errorf("HDU %d: wavelength solution: %w", idx, err)
	}
	n := im.Axes[0]
	all := im.Float64s()
	s := &Spectrum{Flux: all[:n:n], WavelengthAA: w.wavelengths(n)}
	if w.cdelt < 0 {
		reverse(s)
	}
	// IRAF multispec: [pixel, aperture, band] (NAXIS=3) or [pixel, band]
	// (NAXIS=2). Band b of the first aperture starts at row b·apertures.
	apertures, bands := 1, len(all)/n
	if len(im.Axes) >= 3 {
		apertures, bands = im.Axes[1], im.Axes[2]
	}
	for b := 1; b < bands; b++ {
		band := strings.ToLower(h.StringOr(fmt.Sprintf("BANDID%d", b+1), ""))
		if strings.Contains(band, "sigma") || strings.Contains(band, "error") {
			j := b * apertures
			sig := all[j*n : (j+1)*n]
			if w.cdelt < 0 {
				sig = reversed(sig)
			}
			s.Ivar = make([]float64, n)
			for i, e := range sig {
				if e > 0 && !math.IsInf(e, 0) {
					s.Ivar[i] = 1 / (e * e)
				}
			}
		}
	}
	ctype := strings.ToUpper(strings.TrimSpace(h.StringOr("CTYPE1", "")))
	s.Vacuum = headerVacuum(h, !strings.HasPrefix(ctype, "AWAV"))
	s.FluxUnit = strings.TrimSpace(h.StringOr("BUNIT", ""))
	m := NewMeta()
	m.Survey = SurveyGeneric
	m.Layout = LayoutGeneric1D
	m.HDU = idx
	m.ID = strings.TrimSpace(h.StringOr("OBJECT", ""))
	m.RA = h.FloatOr("RA", math.NaN())
	m.Dec = h.FloatOr("DEC", math.NaN())
	m.Z = h.FloatOr("Z", math.NaN())
	m.Class = strings.TrimSpace(h.StringOr("CLASS", ""))
	m.Subclass = strings.TrimSpace(h.StringOr("SUBCLASS", ""))
	s.Meta = m
	sanitizeFlux(s)
	return s, nil
}

func reverse(s *Spectrum) {
	s.Flux = reversed(s.Flux)
	s.WavelengthAA = reversed(s.WavelengthAA)
}

func reversed(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[len(v)-1-i] = x
	}
	return out
}

// WriteGeneric1D writes s as a generic 1-D spectrum readable by IRAF,
// astropy/specutils and most tools: a float32 primary image of flux with a
// linear or log10-linear (DC-FLAG=1) wavelength WCS and, when s has ivar,
// a second row of sigma (BANDID2). The wavelengths must be uniformly
// spaced in λ or in log10 λ.
func WriteGeneric1D(path string, s *Spectrum) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	n := s.Len()
	h := &fits.Header{}
	if start, step, ok := logLinear(s.WavelengthAA); ok {
		h.Set("CRVAL1", start, "log10 wavelength of pixel CRPIX1")
		h.Set("CDELT1", step, "log10 wavelength step")
		h.Set("DC-FLAG", int64(1), "log-linear dispersion")
	} else if start, step, ok := linear(s.WavelengthAA); ok {
		h.Set("CRVAL1", start, "[Angstrom] wavelength of pixel CRPIX1")
		h.Set("CDELT1", step, "[Angstrom] wavelength step")
		h.Set("DC-FLAG", int64(0), "linear dispersion")
	} else {
		return fmt.Errorf("write %s: wavelengths are uniform neither in λ nor in log10 λ; resample first", path)
	}
	h.Set("CRPIX1", 1.0, "reference pixel")
	h.Set("CTYPE1", "LINEAR", "")
	h.Set("CUNIT1", "Angstrom", "")
	air := "air"
	if s.Vacuum {
		air = "vac"
	}
	h.Set("AIRORVAC", air, "wavelength medium")
	setString(h, "BUNIT", s.FluxUnit, "flux unit")
	setString(h, "OBJECT", s.Meta.ID, "object identifier")
	setString(h, "CLASS", s.Meta.Class, "")
	setString(h, "SUBCLASS", s.Meta.Subclass, "")
	for _, kv := range []struct {
		key string
		v   float64
	}{{"RA", s.Meta.RA}, {"DEC", s.Meta.Dec}, {"Z", s.Meta.Z}} {
		if !math.IsNaN(kv.v) {
			h.Set(kv.key, kv.v, "")
		}
	}
	data := float32Column(s.Flux)
	rows := 1
	if s.Ivar != nil {
		rows = 2
		h.Set("BANDID1", "spectrum", "")
		h.Set("BANDID2", "sigma - per-pixel error", "")
		for _, iv := range s.Ivar {
			sig := float32(0)
			if iv > 0 {
				sig = float32(1 / math.Sqrt(iv))
			}
			data = append(data, sig)
		}
	}
	axes := []int{n}
	if rows > 1 {
		axes = append(axes, rows)
	}
	im, err := fits.NewImage(data, axes...)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return fits.WriteFile(path, &fits.HDU{Header: h, Image: im})
}

// linear reports whether wavelengths are uniformly spaced in λ to float32
// precision (2e-7 relative), and returns the start and step.
func linear(w []float64) (start, step float64, ok bool) {
	if len(w) < 2 {
		return 0, 0, false
	}
	step = (w[len(w)-1] - w[0]) / float64(len(w)-1)
	for i, x := range w {
		if math.Abs(x-(w[0]+step*float64(i))) > 2e-7*math.Abs(x) {
			return 0, 0, false
		}
	}
	return w[0], step, true
}
