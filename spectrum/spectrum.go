// Package spectrum holds the one-dimensional Spectrum type shared by every
// layer of AstroOne-Go, and the readers and writers of the survey file
// layouts (LAMOST LRS image and table layouts, SDSS/BOSS spec and spSpec,
// generic 1-D images with a wavelength WCS, two-column text/CSV).
//
// Readers detect a layout from the file's structure, never from its name or
// data-release number.
package spectrum

import (
	"errors"
	"fmt"
	"math"
)

// Layout names the on-disk arrangement a Spectrum was read from.
type Layout string

// Known layouts.
const (
	LayoutLAMOSTImage Layout = "lamost-image" // LAMOST LRS DR<=7: float32 image 3908x5
	LayoutLAMOSTTable Layout = "lamost-table" // LAMOST LRS DR8+: NAXIS=0 primary + COADD bintable
	LayoutSDSSCoadd   Layout = "sdss-coadd"   // SDSS/BOSS spec-PLATE-MJD-FIBER.fits
	LayoutSDSSSpSpec  Layout = "sdss-spspec"  // SDSS-I/II spSpec 2-D image
	LayoutGeneric1D   Layout = "generic-1d"   // 1-D image with a linear or log-linear wavelength WCS
	LayoutText        Layout = "text"         // two- or three-column text/CSV
)

// Survey names used in Meta.Survey.
const (
	SurveyLAMOST  = "LAMOST"
	SurveySDSS    = "SDSS"
	SurveyGeneric = "generic"
)

// Mask bits. Survey masks are carried through unchanged in AndMask/OrMask;
// MaskBad is the bit that AstroOne's own processing (prep) sets on pixels it
// rejects, chosen high enough not to collide with LAMOST or SDSS bits that
// are in use.
const (
	// MaskBad marks a pixel as unusable (set by prep, or by a reader for a
	// pixel with a non-finite flux).
	MaskBad uint32 = 1 << 30
)

// Meta is the metadata of one spectrum. Unknown numeric values are NaN,
// unknown strings are empty.
type Meta struct {
	ID          string             // OBSID for LAMOST, PLATE-MJD-FIBER for SDSS, file stem otherwise
	Designation string             // e.g. LAMOST "J003958.84+410655.6"
	RA          float64            // right ascension, degrees (J2000)
	Dec         float64            // declination, degrees (J2000)
	Class       string             // pipeline class, e.g. STAR, GALAXY, QSO
	Subclass    string             // pipeline subclass, e.g. G7, K3III
	Z           float64            // redshift (dimensionless); for stars RV/c
	ZErr        float64            // redshift uncertainty
	ZWarning    int64              // survey redshift warning bits (SDSS ZWARNING; 0 = none), -1 when unknown
	SNR         map[string]float64 // S/N per band: keys "u","g","r","i","z"
	Survey      string             // SurveyLAMOST, SurveySDSS, SurveyGeneric
	DataRelease string             // e.g. "LAMOST DR7", "DR17"
	Layout      Layout             // the layout it was read from
	SourceFile  string             // path it was read from
	HDU         int                // index of the HDU the flux came from
}

// Spectrum is a one-dimensional spectrum sampled at WavelengthAA.
//
// Flux is in FluxUnit (LAMOST: arbitrary relative units; SDSS: 1e-17
// erg/s/cm^2/Å). Ivar is the inverse variance of Flux in FluxUnit^-2; 0
// means no information. AndMask and OrMask hold the survey's pixel mask bits
// (nil when the source has none). All per-pixel slices have the same length.
type Spectrum struct {
	WavelengthAA []float64 // wavelength of each pixel centre, Å
	Vacuum       bool      // true for vacuum wavelengths, false for air
	Flux         []float64 // flux density per pixel, in FluxUnit
	Ivar         []float64 // inverse variance of Flux, FluxUnit^-2; 0 = no information; nil = unknown
	AndMask      []uint32  // survey and-mask bits (bad in every exposure), plus MaskBad; may be nil
	OrMask       []uint32  // survey or-mask bits (bad in some exposure), plus MaskBad; may be nil
	FluxUnit     string    // unit of Flux, e.g. "1e-17 erg/s/cm^2/Angstrom"
	Meta         Meta      // identification and pipeline results
	// Extra holds further per-pixel arrays a layout carries, keyed by a
	// lower-case name: "normalization" (LAMOST), "wdisp", "sky", "model"
	// (SDSS), "continuum_subtracted" (SDSS spSpec). Each has Len() values.
	Extra map[string][]float64
}

// NewMeta returns Meta with every numeric field set to "unknown" (NaN).
func NewMeta() Meta {
	return Meta{RA: math.NaN(), Dec: math.NaN(), Z: math.NaN(), ZErr: math.NaN(), ZWarning: -1, SNR: map[string]float64{}}
}

// Len returns the number of pixels.
func (s *Spectrum) Len() int { return len(s.Flux) }

// ErrInvalid reports a spectrum whose arrays are inconsistent.
var ErrInvalid = errors.New("invalid spectrum")

// Validate checks that the per-pixel arrays agree in length, that the
// wavelengths are finite and strictly increasing, and that ivar is
// non-negative. It returns an error wrapping ErrInvalid.
func (s *Spectrum) Validate() error {
	n := len(s.Flux)
	if n == 0 {
		return fmt.Errorf("%w: no pixels", ErrInvalid)
	}
	if len(s.WavelengthAA) != n {
		return fmt.Errorf("%w: %d wavelengths for %d flux pixels", ErrInvalid, len(s.WavelengthAA), n)
	}
	if s.Ivar != nil && len(s.Ivar) != n {
		return fmt.Errorf("%w: %d ivar values for %d flux pixels", ErrInvalid, len(s.Ivar), n)
	}
	if s.AndMask != nil && len(s.AndMask) != n {
		return fmt.Errorf("%w: %d and-mask values for %d flux pixels", ErrInvalid, len(s.AndMask), n)
	}
	if s.OrMask != nil && len(s.OrMask) != n {
		return fmt.Errorf("%w: %d or-mask values for %d flux pixels", ErrInvalid, len(s.OrMask), n)
	}
	for k, v := range s.Extra {
		if len(v) != n {
			return fmt.Errorf("%w: extra array %q has %d values for %d flux pixels", ErrInvalid, k, len(v), n)
		}
	}
	// One comparison per pixel in the common case: every NaN comparison
	// is false, so !(w > prev) catches NaN, non-increasing and (with prev
	// starting at 0) non-positive values; +Inf is checked once at the end
	// (an increasing sequence can only reach it last).
	prev := 0.0
	for i, w := range s.WavelengthAA {
		if !(w > prev) {
			if i == 0 || math.IsNaN(w) {
				return fmt.Errorf("%w: wavelength[%d]=%v", ErrInvalid, i, w)
			}
			return fmt.Errorf("%w: wavelengths not increasing at pixel %d (%v after %v)", ErrInvalid, i, w, prev)
		}
		prev = w
	}
	if math.IsInf(prev, 0) {
		return fmt.Errorf("%w: wavelength[%d]=%v", ErrInvalid, n-1, prev)
	}
	for i, v := range s.Ivar {
		if !(v >= 0) {
			return fmt.Errorf("%w: ivar[%d]=%v", ErrInvalid, i, v)
		}
	}
	return nil
}

// Clone returns a deep copy.
func (s *Spectrum) Clone() *Spectrum {
	c := *s
	c.WavelengthAA = cloneSlice(s.WavelengthAA)
	c.Flux = cloneSlice(s.Flux)
	c.Ivar = cloneSlice(s.Ivar)
	c.AndMask = cloneSlice(s.AndMask)
	c.OrMask = cloneSlice(s.OrMask)
	if s.Extra != nil {
		c.Extra = make(map[string][]float64, len(s.Extra))
		for k, v := range s.Extra {
			c.Extra[k] = cloneSlice(v)
		}
	}
	c.Meta.SNR = make(map[string]float64, len(s.Meta.SNR))
	for k, v := range s.Meta.SNR {
		c.Meta.SNR[k] = v
	}
	return &c
}

func cloneSlice[T any](x []T) []T {
	if x == nil {
		return nil
	}
	return append([]T(nil), x...)
}
