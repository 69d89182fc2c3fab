package prep

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/astroone/astroone-go/spectrum"
)

// Sentinel errors, wrapped by the routines of this package so that callers
// can classify failures with errors.Is.
var (
	// ErrOutOfRange reports a wavelength (or other value) outside the
	// domain where a formula or curve is defined.
	ErrOutOfRange = errors.New("out of range")
	// ErrTooFewPixels reports that too few usable pixels remain for a fit or
	// statistic.
	ErrTooFewPixels = errors.New("too few good pixels")
	// ErrBadParameter reports an invalid numeric argument or option (NaN,
	// infinite, negative where a positive value is needed, ...).
	ErrBadParameter = errors.New("bad parameter")
)

// checkSpectrum returns an error if s is nil or fails s.Validate.
func checkSpectrum(s *spectrum.Spectrum) error {
	if s == nil {
		return fmt.Errorf("%w: nil spectrum", spectrum.ErrInvalid)
	}
	return s.Validate()
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// flaggedBad reports whether pixel i carries spectrum.MaskBad in its
// AndMask or OrMask.
func flaggedBad(s *spectrum.Spectrum, i int) bool {
	if s.AndMask != nil && s.AndMask[i]&spectrum.MaskBad != 0 {
		return true
	}
	return s.OrMask != nil && s.OrMask[i]&spectrum.MaskBad != 0
}

// PixelOK reports whether pixel i of s carries usable data: its flux is
// finite, its ivar (when s has an Ivar slice) is finite and positive, and
// spectrum.MaskBad is set in neither AndMask nor OrMask. s must be valid and
// i in range.
func PixelOK(s *spectrum.Spectrum, i int) bool {
	if !finite(s.Flux[i]) || flaggedBad(s, i) {
		return false
	}
	if s.Ivar != nil {
		v := s.Ivar[i]
		return v > 0 && finite(v)
	}
	return true
}

// ensureMasks allocates zeroed AndMask and OrMask slices when absent.
func ensureMasks(s *spectrum.Spectrum) {
	if s.AndMask == nil {
		s.AndMask = make([]uint32, s.Len())
	}
	if s.OrMask == nil {
		s.OrMask = make([]uint32, s.Len())
	}
}

// markBad sets spectrum.MaskBad in both masks of pixel i (allocating them if
// needed) and zeroes its ivar when s has one. A non-finite flux is replaced
// by 0 so that no NaN travels downstream.
func markBad(s *spectrum.Spectrum, i int) {
	ensureMasks(s)
	s.AndMask[i] |= spectrum.MaskBad
	s.OrMask[i] |= spectrum.MaskBad
	if s.Ivar != nil {
		s.Ivar[i] = 0
	}
	if !finite(s.Flux[i]) {
		s.Flux[i] = 0
	}
}

// scaleFlux multiplies the flux density of s by f[i] in place and divides
// its ivar by f[i]². Pixels where f[i] is not finite and positive are
// marked bad (flux 0, ivar 0, MaskBad) instead.
func scaleFlux(s *spectrum.Spectrum, f []float64) {
	for i, fi := range f {
		if !(fi > 0) || !finite(fi) {
			s.Flux[i] = 0
			markBad(s, i)
			continue
		}
		s.Flux[i] *= fi
		if s.Ivar != nil {
			s.Ivar[i] /= fi * fi
		}
	}
}

// constant returns a slice of n copies of v.
func constant(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// median returns the median of x (NaN for an empty slice) without
// modifying x.
func median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	y := slices.Clone(x)
	slices.Sort(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return 0.5 * (y[n/2-1] + y[n/2])
}
