package dataset

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/astroone/astroone-go/prep"
)

// Augment describes physically consistent random changes to a training
// example, applied in this order, each updating the labels it changes:
//
//  1. A radial-velocity shift: v ~ N(0, RVSigmaKmS) km/s. Wavelengths are
//     multiplied by 1 + v/c (the simulator's convention, z = v/c), which
//     on a log10-λ grid is a shift by Δ = log10(1 + v/c)/Log10Step pixels.
//     The shifted spectrum is rebinned with pixel-overlap weights (linear
//     interpolation between the two input pixels an output pixel
//     overlaps, weights 1−f and f for the fractional shift f): every input
//     pixel's flux is shared between two output pixels with weights that
//     sum to one, so the sum of the flux over the pixels is conserved, and
//     the centroid of a line moves by exactly Δ pixels. The variance is
//     propagated (σ² = Σ w²σ_i² / (Σ w)²; the covariance this creates
//     between neighbours is not tracked); input pixels without data do not
//     contribute (weights renormalised over the good ones, as in
//     prep.Resample), and output pixels with no good input, in particular
//     those shifted in from beyond the grid's ends, get flux 0 and ivar 0.
//     Labels: a star's or CV's RV becomes c·((1+RV/c)(1+v/c) − 1), a QSO's
//     or galaxy's z becomes (1+z)(1+v/c) − 1 (velocities compose as
//     Doppler factors). Everything in the spectrum moves, including sky
//     residuals and telluric bands that in a real observation stay at
//     rest; at tens of km/s (a LAMOST pixel is 69 km/s) this is a small
//     error.
//  2. S/N-matched noise, when MinSNR > 0 (and with probability
//     1 − KeepSNRProb): a target S/N s' is drawn log-uniformly in
//     [MinSNR, s], s being the example's S/N (its SNR label, else the
//     median flux·√ivar of its good pixels in the g band, 4000–5500 Å).
//     Every good pixel's σ is scaled by k = s/s': Gaussian noise of
//     variance σ²(k²−1) is added and ivar is divided by k², so the
//     per-pixel S/N, and the SNR label, fall by exactly k. This is the
//     spectrum at a shorter exposure when the noise scales uniformly (it
//     ignores that the sky's share of the noise grows at low S/N). Nothing
//     is done when s ≤ MinSNR or s is unknown.
//  3. Flux scaling, when 0 < FluxScale[0] ≤ FluxScale[1]: flux is
//     multiplied by a factor drawn log-uniformly in [FluxScale[0],
//     FluxScale[1]] and ivar divided by its square (S/N unchanged): the
//     unknown absolute calibration of survey spectra.
//
// Every step keeps the loaded examples' rule that a pixel with ivar 0 has
// flux 0 (a pixel pushed out of float32's range becomes such a pixel).
//
// The zero value changes nothing.
type Augment struct {
	RVSigmaKmS  float64    // σ of the added radial velocity, km/s; 0: no shift
	MinSNR      float64    // lowest target S/N of the added noise; 0: no noise
	KeepSNRProb float64    // probability that an example keeps its S/N (no noise added)
	FluxScale   [2]float64 // range of the flux scale factor; zero: no scaling
}

// gBandAA is the g band's wavelength range, Å (as in the simulator).
var gBandAA = [2]float64{4000, 5500}

// Apply writes an augmented copy of ex to dst, reusing dst's Flux and Ivar
// when their capacity suffices (dst may be ex itself). grid is the grid of
// ex's pixels. Random draws come from rng only, so the result is fixed by
// rng's state. ex's pixels must have len(ex.Flux) = len(ex.Ivar) =
// grid.N.
func (a Augment) Apply(rng *rand.Rand, ex *Example, grid prep.Grid, dst *Example) {
	n := grid.N
	flux, ivar := ex.Flux, ex.Ivar
	if dst == ex || sameStart(dst.Flux, flux) || sameStart(dst.Ivar, ivar) || sameStart(dst.Flux, ivar) || sameStart(dst.Ivar, flux) {
		flux, ivar = slices.Clone(flux), slices.Clone(ivar)
	}
	dst.ID, dst.File, dst.Labels = ex.ID, ex.File, ex.Labels
	dst.Flux, dst.Ivar = grow(dst.Flux, n), grow(dst.Ivar, n)

	if a.RVSigmaKmS > 0 {
		beta := a.RVSigmaKmS * rng.NormFloat64() / prep.SpeedOfLightKmS
		if beta > -0.5 && beta < 0.5 {
			ShiftPixels(flux, ivar, math.Log10(1+beta)/grid.Log10Step, dst.Flux, dst.Ivar)
			p := &dst.Labels.Params
			p[ParamRV] = prep.SpeedOfLightKmS * ((1+p[ParamRV]/prep.SpeedOfLightKmS)*(1+beta) - 1) // NaN stays NaN
			p[ParamZ] = (1+p[ParamZ])*(1+beta) - 1
		} else {
			copy(dst.Flux, flux)
			copy(dst.Ivar, ivar)
		}
	} else {
		copy(dst.Flux, flux)
		copy(dst.Ivar, ivar)
	}

	if a.MinSNR > 0 && (a.KeepSNRProb <= 0 || rng.Float64() >= a.KeepSNRProb) {
		s := dst.Labels.SNR
		if !(s > 0) || math.IsInf(s, 0) {
			s = GBandSNR(dst.Flux, dst.Ivar, grid)
		}
		if s > a.MinSNR && !math.IsInf(s, 0) {
			target := math.Exp(math.Log(a.MinSNR) + rng.Float64()*(math.Log(s)-math.Log(a.MinSNR)))
			k := s / target
			AddNoise(rng, dst.Flux, dst.Ivar, k)
			dst.Labels.SNR = target
		}
	}

	if lo, hi := a.FluxScale[0], a.FluxScale[1]; lo > 0 && hi >= lo && !math.IsInf(hi, 0) {
		s := math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo)))
		f32, iv := float32(s), float32(1/(s*s))
		for i := range dst.Flux {
			f, v := dst.Flux[i]*f32, dst.Ivar[i]*iv
			if f-f != 0 || v-v != 0 || !(v > 0) { // overflow or underflow of float32: no data
				f, v = 0, 0
			}
			dst.Flux[i], dst.Ivar[i] = f, v
		}
	}
}

// sameStart reports whether a and b start at the same array element.
func sameStart(a, b []float32) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

// grow returns s resliced (or reallocated) to length n.
func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float32, n)
}

// minWeight is the overlap below which an input pixel does not contribute
// to a shifted pixel (rounding of an integer shift).
const minWeight = 1e-9

// ShiftPixels writes to dstFlux and dstIvar the spectrum (flux, ivar)
// moved by shift pixels towards higher indices (shift may be negative or
// fractional): output pixel j is the overlap-weighted mean of input pixels
// j−n and j−n−1 (n = ⌊shift⌋, weights 1−f and f, f = shift − n), over
// the good ones (ivar > 0) only, with the variance propagated; a pixel
// with no good input gets flux 0 and ivar 0. All four slices have the same
// length, and the destinations must not overlap the sources.
func ShiftPixels(flux, ivar []float32, shift float64, dstFlux, dstIvar []float32) {
	n := len(flux)
	if math.IsNaN(shift) || math.Abs(shift) > float64(n)+1 {
		clear(dstFlux)
		clear(dstIvar)
		return
	}
	fl := math.Floor(shift)
	whole, f := int(fl), shift-fl
	w := [2]float64{1 - f, f}
	for j := range n {
		var sw, swf, swwv float64
		for k, i := range [2]int{j - whole, j - whole - 1} {
			if w[k] <= minWeight || i < 0 || i >= n || !(ivar[i] > 0) {
				continue
			}
			sw += w[k]
			swf += w[k] * float64(flux[i])
			swwv += w[k] * w[k] / float64(ivar[i])
		}
		if sw <= 0 {
			dstFlux[j], dstIvar[j] = 0, 0
			continue
		}
		dstFlux[j] = float32(swf / sw)
		dstIvar[j] = float32(sw * sw / swwv)
	}
}

// AddNoise scales the noise of every good pixel (ivar > 0) by k ≥ 1: it
// adds Gaussian noise of variance (k²−1)/ivar to the flux and divides
// ivar by k². Pixels with ivar 0 are left alone; k ≤ 1 does nothing. A
// pixel whose values leave float32's range gets flux 0 and ivar 0.
func AddNoise(rng *rand.Rand, flux, ivar []float32, k float64) {
	if !(k > 1) || math.IsInf(k, 0) {
		return
	}
	extra := k*k - 1
	inv := float32(1 / (k * k))
	for i, v := range ivar {
		if !(v > 0) {
			continue
		}
		f, nv := flux[i]+float32(math.Sqrt(extra/float64(v))*rng.NormFloat64()), v*inv
		if f-f != 0 || !(nv > 0) { // overflow or underflow of float32: no data
			f, nv = 0, 0
		}
		flux[i], ivar[i] = f, nv
	}
}

// GBandSNR returns the median of flux·√ivar over the good pixels (ivar >
// 0) of a spectrum on grid g whose centres lie in the g band (4000–5500
// Å), or NaN when there are none.
func GBandSNR(flux, ivar []float32, g prep.Grid) float64 {
	lo := max(0, int(math.Ceil((math.Log10(gBandAA[0])-g.Log10Start)/g.Log10Step)))
	hi := min(len(flux)-1, int(math.Floor((math.Log10(gBandAA[1])-g.Log10Start)/g.Log10Step)))
	var snr []float64
	for i := lo; i <= hi; i++ {
		if ivar[i] > 0 {
			snr = append(snr, float64(flux[i])*math.Sqrt(float64(ivar[i])))
		}
	}
	if len(snr) == 0 {
		return math.NaN()
	}
	slices.Sort(snr)
	m := len(snr)
	if m%2 == 1 {
		return snr[m/2]
	}
	return 0.5 * (snr[m/2-1] + snr[m/2])
}
