package prep

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// AnySurveyBit selects every survey mask bit (all bits except
// spectrum.MaskBad) for MaskOptions.SurveyBits: a pixel is rejected when its
// AndMask is non-zero, the usual "and_mask == 0" selection of SDSS and
// LAMOST users.
const AnySurveyBit = ^spectrum.MaskBad

// MaskOptions configures MaskBadPixels.
type MaskOptions struct {
	// SurveyBits selects survey mask bits: a pixel with
	// AndMask & SurveyBits != 0 is masked. 0 disables the check.
	SurveyBits uint32
	// ClipSigma, when > 0, enables outlier rejection: a pixel is masked when
	// its flux exceeds the running median of its good neighbours by more
	// than ClipSigma·σ, σ being the larger of 1/√ivar and the robust
	// (1.4826·MAD) scatter of all residuals. Typical: 5–10. Beware that
	// strong narrow emission lines are outliers too.
	ClipSigma float64
	// ClipWindow is the width, in pixels (odd, ≥ 3), of the running median.
	ClipWindow int
	// ClipNegative also masks pixels below the running median by more than
	// ClipSigma·σ (sky over-subtraction); off by default, since narrow
	// absorption lines would be clipped.
	ClipNegative bool
}

// DefaultMaskOptions masks every survey AndMask bit, with outlier clipping
// disabled (ClipSigma 0; ClipWindow preset to 15 pixels for when it is
// enabled).
func DefaultMaskOptions() MaskOptions {
	return MaskOptions{SurveyBits: AnySurveyBit, ClipWindow: 15}
}

// MaskBadPixels returns a copy of s in which every unusable pixel carries
// spectrum.MaskBad in AndMask and OrMask (allocated if absent) and ivar 0,
// and the number of pixels newly masked by this call. A pixel is masked
// when its flux or ivar is not finite, its ivar is ≤ 0, its AndMask matches
// opt.SurveyBits, or (opt.ClipSigma > 0) it is an outlier from the running
// median. Non-finite fluxes are replaced by 0; other fluxes are kept.
// Pixels that already carried MaskBad get ivar 0 but are not counted.
//
// Unlike the other routines, it accepts NaN or negative ivar values (that
// is what it is for); it fails only on inconsistent array lengths, bad
// wavelengths or invalid options.
func MaskBadPixels(s *spectrum.Spectrum, opt MaskOptions) (*spectrum.Spectrum, int, error) {
	if s == nil {
		return nil, 0, fmt.Errorf("mask: %w: nil spectrum", spectrum.ErrInvalid)
	}
	n := s.Len()
	if s.Ivar != nil && len(s.Ivar) != n {
		return nil, 0, fmt.Errorf("mask: %w: %d ivar values for %d flux pixels", spectrum.ErrInvalid, len(s.Ivar), n)
	}
	if opt.ClipSigma < 0 || math.IsNaN(opt.ClipSigma) {
		return nil, 0, fmt.Errorf("mask: %w: ClipSigma %v", ErrBadParameter, opt.ClipSigma)
	}
	if opt.ClipSigma > 0 && (opt.ClipWindow < 3 || opt.ClipWindow%2 == 0) {
		return nil, 0, fmt.Errorf("mask: %w: ClipWindow %d (must be odd and >= 3)", ErrBadParameter, opt.ClipWindow)
	}
	out := s.Clone()
	// Neutralise bad ivar values first so that Validate judges only the
	// structure (lengths, wavelengths).
	for i, v := range out.Ivar {
		if !(v >= 0) || math.IsInf(v, 0) {
			out.Ivar[i] = 0
		}
	}
	if err := out.Validate(); err != nil {
		return nil, 0, fmt.Errorf("mask: %w", err)
	}
	count := 0
	flag := func(i int) {
		if !flaggedBad(out, i) {
			count++
		}
		markBad(out, i)
	}
	for i := range n {
		bad := !finite(s.Flux[i]) ||
			(s.Ivar != nil && !(s.Ivar[i] > 0 && finite(s.Ivar[i]))) ||
			(s.AndMask != nil && s.AndMask[i]&opt.SurveyBits != 0)
		if bad || flaggedBad(out, i) {
			flag(i)
		}
	}
	if opt.ClipSigma > 0 {
		for _, i := range outliers(out, opt) {
			flag(i)
		}
	}
	return out, count, nil
}

// outliers returns the good pixels of s that deviate from the running
// median of their good neighbours (window opt.ClipWindow) by more than
// opt.ClipSigma·σ (upwards, and downwards if opt.ClipNegative).
func outliers(s *spectrum.Spectrum, opt MaskOptions) []int {
	n := s.Len()
	half := opt.ClipWindow / 2
	resid := make([]float64, n)
	var good []int
	win := make([]float64, 0, opt.ClipWindow)
	for i := range n {
		if !PixelOK(s, i) {
			continue
		}
		win = win[:0]
		for j := max(0, i-half); j <= min(n-1, i+half); j++ {
			if PixelOK(s, j) {
				win = append(win, s.Flux[j])
			}
		}
		if len(win) < 3 {
			continue // too isolated to judge
		}
		resid[i] = s.Flux[i] - median(win)
		good = append(good, i)
	}
	if len(good) == 0 {
		return nil
	}
	abs := make([]float64, len(good))
	for k, i := range good {
		abs[k] = math.Abs(resid[i])
	}
	robust := 1.482602 * median(abs)
	var bad []int
	for _, i := range good {
		sigma := robust
		if s.Ivar != nil {
			sigma = math.Max(sigma, 1/math.Sqrt(s.Ivar[i]))
		}
		r := resid[i]
		if r > opt.ClipSigma*sigma || (opt.ClipNegative && -r > opt.ClipSigma*sigma) {
			bad = append(bad, i)
		}
	}
	return bad
}
