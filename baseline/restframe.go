package baseline

import (
	"math"
	"slices"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/prep"
)

// SpeedOfLightKmS is the speed of light in vacuum, km/s.
const SpeedOfLightKmS = prep.SpeedOfLightKmS

// Velocities and redshifts map to shifts on the log-λ grid as
// λ_obs = λ_rest·(1+z), with z = v/c for stars and CVs: the convention of
// the simulator's labels (Labels.Z = RV/c) and of the LAMOST and SDSS
// pipelines, which report stellar velocities as c·z. The difference from
// the relativistic Doppler factor is below 1 km/s at 600 km/s.

// shiftPixels returns the shift, in pixels of a log10 grid with the given
// step, that redshift z applies: log10(1+z)/step. It is NaN for z ≤ −1.
func shiftPixels(z, log10Step float64) float64 {
	if !(z > -1) {
		return math.NaN()
	}
	return math.Log10(1+z) / log10Step
}

// redshiftOf inverts shiftPixels.
func redshiftOf(shift, log10Step float64) float64 {
	return math.Pow(10, shift*log10Step) - 1
}

// exampleArrays returns an example's flux and inverse variance as float64.
// Pixels with a non-finite flux or ivar, or a negative ivar, get ivar 0.
// It returns the number of pixels with positive ivar.
func exampleArrays(ex *dataset.Example, n int) (flux, ivar []float64, good int) {
	flux, ivar = make([]float64, n), make([]float64, n)
	for i := range min(n, len(ex.Flux), len(ex.Ivar)) {
		f, v := float64(ex.Flux[i]), float64(ex.Ivar[i])
		if math.IsNaN(f) || math.IsInf(f, 0) || !(v > 0) || math.IsInf(v, 0) {
			continue
		}
		flux[i], ivar[i] = f, v
		good++
	}
	return flux, ivar, good
}

// TelluricBandsAA are the observed-frame (vacuum) wavelength ranges, Å, of
// the strong telluric absorption bands in the optical, with their wings:
// the O₂ B (6867 Å head, with the H₂O band near 6940 Å) and A (7594 Å
// head) bands and the H₂O bands near 7200, 8200 and from 8900 Å (e.g. Stevenson 1994, MNRAS 267, 904; Smette et al. 2015,
// A&A 576, A77). Survey pipelines such as LAMOST's do not remove them, and
// at zero velocity in every spectrum they pull velocity and redshift fits
// toward zero, so both baselines give these pixels zero weight unless told
// otherwise.
var TelluricBandsAA = [][2]float64{{6855, 6965}, {7150, 7350}, {7580, 7720}, {8100, 8380}, {8900, 9800}}

// maskTellurics sets ivar to 0 on the grid pixels inside TelluricBandsAA.
func maskTellurics(g prep.Grid, ivar []float64) {
	for _, b := range TelluricBandsAA {
		lo := int(math.Ceil((math.Log10(b[0]) - g.Log10Start) / g.Log10Step))
		hi := int(math.Floor((math.Log10(b[1]) - g.Log10Start) / g.Log10Step))
		for i := max(lo, 0); i <= min(hi, len(ivar)-1); i++ {
			ivar[i] = 0
		}
	}
}

// medianGood returns the median of flux over pixels with ivar > 0 (NaN if
// there are none).
func medianGood(flux, ivar []float64) float64 {
	v := make([]float64, 0, len(flux))
	for i, f := range flux {
		if ivar[i] > 0 {
			v = append(v, f)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return 0.5 * (v[len(v)/2-1] + v[len(v)/2])
}

// normaliseScale returns the factor that brings a spectrum to a typical
// flux of order one: 1/median over good pixels, or 1/mean |flux| when the
// median is not positive; 0 when the spectrum has no usable flux.
func normaliseScale(flux, ivar []float64) float64 {
	if m := medianGood(flux, ivar); m > 0 {
		return 1 / m
	}
	var s float64
	var n int
	for i, f := range flux {
		if ivar[i] > 0 {
			s += math.Abs(f)
			n++
		}
	}
	if n == 0 || !(s > 0) {
		return 0
	}
	return float64(n) / s
}

// dereddenCurve returns A_λ/E(B−V) on the grid for the O'Donnell (1994)
// law with R_V = 3.1, the law the simulator applies, or nil when the grid
// lies outside the law's range.
func dereddenCurve(g prep.Grid) []float64 {
	c, err := prep.ODonnell94(g.Wavelengths(), 3.1)
	if err != nil {
		return nil
	}
	for i := range c {
		c[i] *= 3.1
	}
	return c
}

// deredden multiplies flux by 10^(0.4·E(B−V)·A_λ/E(B−V)) and divides ivar
// by its square, in place. A NaN or non-positive ebv, or a nil curve, does
// nothing.
func deredden(flux, ivar, curve []float64, ebv float64) {
	if curve == nil || !(ebv > 0) || math.IsInf(ebv, 0) {
		return
	}
	for i := range flux {
		f := math.Pow(10, 0.4*ebv*curve[i])
		flux[i] *= f
		ivar[i] /= f * f
	}
}

// toRest resamples an observed spectrum shifted by shift pixels (its
// log10(1+z)/step) onto a rest-frame pixel array x, w of length len(x):
// rest pixel r samples the observed position r − r0 + shift, by cubic
// convolution. Flux is multiplied by scale, so a rest pixel gets the
// inverse variance min(ivar at the two bracketing pixels)/scale², capped at
// wcap, and zero when any pixel of the four-point stencil is masked or off
// the spectrum.
func toRest(flux, ivar []float64, shift float64, r0 int, scale, wcap float64, x, w []float32) {
	n := len(flux)
	off := shift - float64(r0) // observed position = r + off
	base := math.Floor(off)
	t := off - base
	w0, w1, w2, w3 := cubicWeights(t)
	ib := int(base)
	inv2 := 1 / (scale * scale)
	for r := range x {
		x[r], w[r] = 0, 0
		i := r + ib
		if i-1 < 0 || i+2 >= n {
			continue
		}
		if !(ivar[i-1] > 0 && ivar[i] > 0 && ivar[i+1] > 0 && ivar[i+2] > 0) {
			continue
		}
		f := w0*flux[i-1] + w1*flux[i] + w2*flux[i+1] + w3*flux[i+2]
		x[r] = float32(f * scale)
		w[r] = float32(min(min(ivar[i], ivar[i+1])*inv2, wcap))
	}
}

// fillUncovered replaces NaN entries of v: by the nearest finite value
// beyond the first and last finite ones (constant extension), and by
// linear interpolation between the finite neighbours inside gaps. It
// returns the first and last finite indices (−1, −1 when none, and then v
// is zeroed).
func fillUncovered(v []float64) (lo, hi int) {
	lo, hi = -1, -1
	for i, x := range v {
		if !math.IsNaN(x) {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	if lo < 0 {
		clear(v)
		return
	}
	for i := 0; i < lo; i++ {
		v[i] = v[lo]
	}
	for i := hi + 1; i < len(v); i++ {
		v[i] = v[hi]
	}
	last := lo
	for i := lo + 1; i <= hi; i++ {
		if math.IsNaN(v[i]) {
			continue
		}
		if i > last+1 {
			a, b := v[last], v[i]
			for j := last + 1; j < i; j++ {
				t := float64(j-last) / float64(i-last)
				v[j] = a + t*(b-a)
			}
		}
		last = i
	}
	return
}
