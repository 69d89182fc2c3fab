package prep

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// logUniformTol is the relative tolerance on the log step below which a set
// of pixel centres is treated as log-uniform (so that float32-rounded survey
// wavelengths still qualify).
const logUniformTol = 1e-2

// minOverlap is the fraction of an output pixel below which an overlap is
// treated as floating-point rounding at a shared edge and ignored.
const minOverlap = 1e-9

// PixelEdges returns the n+1 pixel boundaries in Å of n ≥ 2 strictly
// increasing, positive pixel-centre wavelengths in Å.
//
// When the centres are uniform in log λ (within 1% of the step), interior
// edges are the geometric means √(λ_i·λ_{i+1}) and the two outer edges lie
// half a log step beyond the first and last centres; this reproduces
// Grid.Edges exactly for a grid's own wavelengths. Otherwise (linear or
// irregular sampling) interior edges are the arithmetic midpoints and the
// outer edges lie half the neighbouring spacing beyond the end centres.
func PixelEdges(waveAA []float64) ([]float64, error) {
	n := len(waveAA)
	if n < 2 {
		return nil, fmt.Errorf("pixel edges: %w: need at least 2 pixels, have %d", ErrTooFewPixels, n)
	}
	for i, w := range waveAA {
		if !(w > 0) || !finite(w) {
			return nil, fmt.Errorf("pixel edges: %w: wavelength[%d]=%v Å", ErrBadParameter, i, w)
		}
		if i > 0 && w <= waveAA[i-1] {
			return nil, fmt.Errorf("pixel edges: %w: wavelengths not increasing at pixel %d", ErrBadParameter, i)
		}
	}
	e := make([]float64, n+1)
	if isLogUniform(waveAA) {
		for i := 1; i < n; i++ {
			e[i] = math.Sqrt(waveAA[i-1] * waveAA[i])
		}
		e[0] = waveAA[0] * waveAA[0] / e[1]
		e[n] = waveAA[n-1] * waveAA[n-1] / e[n-1]
		return e, nil
	}
	for i := 1; i < n; i++ {
		e[i] = 0.5 * (waveAA[i-1] + waveAA[i])
	}
	e[0] = 2*waveAA[0] - e[1]
	e[n] = 2*waveAA[n-1] - e[n-1]
	if e[0] <= 0 {
		// A linear extrapolation below zero is meaningless; fall back to the
		// log-symmetric edge, which is always positive.
		e[0] = waveAA[0] * waveAA[0] / e[1]
	}
	return e, nil
}

// isLogUniform reports whether the log steps of w agree within logUniformTol
// of their mean (w must have at least 2 increasing positive values).
func isLogUniform(w []float64) bool {
	mean := math.Log(w[len(w)-1]/w[0]) / float64(len(w)-1)
	// |ln r − mean| ≤ tol·mean  ⇔  r ∈ [e^{mean(1−tol)}, e^{mean(1+tol)}]:
	// compare ratios, not logarithms.
	lo, hi := math.Exp(mean*(1-logUniformTol)), math.Exp(mean*(1+logUniformTol))
	if mean < 0 {
		lo, hi = hi, lo
	}
	for i := 1; i < len(w); i++ {
		if r := w[i] / w[i-1]; r < lo || r > hi {
			return false
		}
	}
	return true
}

// newLike returns a spectrum sampled at waveAA that carries the metadata,
// flux unit and air/vacuum flag of s, with zeroed Flux, AndMask and OrMask,
// and a zeroed Ivar when s has one.
func newLike(s *spectrum.Spectrum, waveAA []float64) *spectrum.Spectrum {
	out := (&spectrum.Spectrum{Vacuum: s.Vacuum, FluxUnit: s.FluxUnit, Meta: s.Meta}).Clone()
	n := len(waveAA)
	out.WavelengthAA = waveAA
	out.Flux = make([]float64, n)
	if s.Ivar != nil {
		out.Ivar = make([]float64, n)
	}
	out.AndMask = make([]uint32, n)
	out.OrMask = make([]uint32, n)
	return out
}

// Resample rebins s onto the log-λ grid g, conserving flux.
//
// Each output pixel receives the overlap-weighted mean of the input flux
// density over its extent: f_out = Σ w_i f_i / Σ w_i, where w_i is the
// length in Å of the overlap between input pixel i and the output pixel
// (overlaps below 1e-9 of the output pixel, i.e. rounding at shared edges,
// are ignored).
// Input pixel edges come from PixelEdges, so linear, log-linear and
// irregular samplings are all handled. The integral of f_λ dλ over any
// union of whole output pixels inside the input range is preserved.
//
// Only good input pixels (PixelOK: finite flux, ivar > 0, no MaskBad)
// contribute, and the weights are renormalised over them. The variance is
// propagated as σ²_out = Σ w_i² σ_i² / (Σ w_i)², so Ivar_out = (Σ w_i)² /
// Σ w_i²/ivar_i; covariance between neighbouring output pixels is not
// tracked. If s has no Ivar, all finite unflagged pixels weigh by overlap
// alone and the result has no Ivar either.
//
// AndMask is the AND, and OrMask the OR, of the masks of every input pixel
// overlapping the output pixel (good or not), with spectrum.MaskBad
// recomputed: an output pixel with no good input — in particular one outside
// the input wavelength range — gets flux 0, ivar 0 and MaskBad in both
// masks. The input is not modified; s must have at least 2 pixels.
func Resample(s *spectrum.Spectrum, g Grid) (*spectrum.Spectrum, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("resample: %w", err)
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("resample: %w", err)
	}
	if onGrid(s.WavelengthAA, g) {
		return copyOnGrid(s, g), nil
	}
	inEdges, err := PixelEdges(s.WavelengthAA)
	if err != nil {
		return nil, fmt.Errorf("resample: %w", err)
	}
	out := newLike(s, g.Wavelengths())
	outEdges := g.arrays().edges // shared and read-only
	n := s.Len()
	good := make([]bool, n)
	for i := range good {
		good[i] = PixelOK(s, i)
	}
	maskOf := func(m []uint32, i int) uint32 {
		if m == nil {
			return 0
		}
		return m[i] &^ spectrum.MaskBad
	}
	first := 0 // first input pixel whose upper edge reaches past lo; only grows
	for j := 0; j < g.N; j++ {
		lo, hi := outEdges[j], outEdges[j+1]
		for first < n && inEdges[first+1] < lo {
			first++
		}
		i := first
		var sw, swf, swwv float64
		and, or, overlapped := ^uint32(0), uint32(0), false
		for ; i < n && inEdges[i] < hi; i++ {
			a, b := inEdges[i], inEdges[i+1] // edges are finite: plain comparisons, not math.Min/Max
			if a < lo {
				a = lo
			}
			if b > hi {
				b = hi
			}
			ov := b - a
			if ov <= minOverlap*(hi-lo) {
				continue
			}
			overlapped = true
			and &= maskOf(s.AndMask, i)
			or |= maskOf(s.OrMask, i)
			if !good[i] {
				continue
			}
			sw += ov
			swf += ov * s.Flux[i]
			if s.Ivar != nil {
				swwv += ov * ov / s.Ivar[i]
			}
		}
		if overlapped {
			out.AndMask[j], out.OrMask[j] = and, or
		}
		if sw <= 0 {
			markBad(out, j)
			continue
		}
		out.Flux[j] = swf / sw
		if out.Ivar != nil {
			out.Ivar[j] = sw * sw / swwv
		}
	}
	return out, nil
}

// onGridTol is the relative wavelength difference below which an input
// pixel is taken to sit on the grid pixel: 2.5 float32 ulps. Survey files
// store the grid's wavelengths as float32 (LAMOST WAVELENGTH, SDSS
// loglam), so they are known no better than this; the implied shift is
// under 0.002 of a LAMOST pixel.
const onGridTol = 3e-7

// onGrid reports whether the wavelengths are the grid's pixel centres to
// within onGridTol.
func onGrid(w []float64, g Grid) bool {
	if len(w) != g.N {
		return false
	}
	gw := g.arrays().wave
	for i, x := range w {
		if d := x/gw[i] - 1; d > onGridTol || d < -onGridTol {
			return false
		}
	}
	return true
}

// copyOnGrid is Resample for input already on the grid: each output pixel
// is its input pixel, with the same treatment of bad pixels as the general
// path (flux 0, ivar 0, MaskBad).
func copyOnGrid(s *spectrum.Spectrum, g Grid) *spectrum.Spectrum {
	out := newLike(s, g.Wavelengths())
	// PixelOK inlined over local slices: this loop runs for every pixel of
	// every ingested survey spectrum.
	flux, ivar, am, om := s.Flux, s.Ivar, s.AndMask, s.OrMask
	for i, f := range flux {
		var a, o uint32
		if am != nil {
			a = am[i]
		}
		if om != nil {
			o = om[i]
		}
		out.AndMask[i], out.OrMask[i] = a&^spectrum.MaskBad, o&^spectrum.MaskBad
		bad := (a|o)&spectrum.MaskBad != 0 || f-f != 0 // f-f is NaN for NaN and ±Inf
		if ivar != nil {
			v := ivar[i]
			bad = bad || !(v > 0) || v-v != 0
		}
		if bad {
			markBad(out, i)
			continue
		}
		out.Flux[i] = f
		if out.Ivar != nil {
			out.Ivar[i] = ivar[i]
		}
	}
	return out
}
