// Package synth computes noiseless model spectra of astronomical sources
// (stars of every MK type, carbon stars, cataclysmic variables, QSOs and
// galaxies) directly on an observed log-λ pixel grid.
//
// Every model is f_λ in arbitrary units, in the observer's frame (Doppler
// shift or redshift applied), already seen through a Gaussian line-spread
// function (LSF) of resolving power R: continua are smooth on the scale of
// the LSF, and every line or band is drawn with its intrinsic width and the
// LSF width added in quadrature, which is exact for Gaussian profiles and a
// close approximation for the rest. This keeps one spectrum at a few
// thousand exp() calls, which is what lets the simulator write thousands of
// spectra per second per core. The instrument, sky and noise are added by
// package observe.
package synth

import (
	"math"

	"github.com/astroone/astroone-go/prep"
)

// SpeedOfLightKmS is c in km/s.
const SpeedOfLightKmS = prep.SpeedOfLightKmS

// fwhmToSigma converts a Gaussian FWHM to its standard deviation.
const fwhmToSigma = 1 / 2.3548200450309493

// Grid is an observed-frame pixel grid, uniform in log10 λ (vacuum Å),
// with the resolving power of the spectrograph that samples it.
type Grid struct {
	Wave       []float64 // pixel centres, vacuum Å
	Log10Start float64   // log10 of Wave[0]
	Log10Step  float64   // pixel step in dex
	R          float64   // resolving power λ/FWHM of the Gaussian LSF
}

// NewGrid returns the synthesis grid for a prep grid and resolving power.
func NewGrid(g prep.Grid, resolvingPower float64) *Grid {
	return &Grid{Wave: g.Wavelengths(), Log10Start: g.Log10Start, Log10Step: g.Log10Step, R: resolvingPower}
}

// LSFSigmaAA returns the Gaussian σ of the line-spread function at λ (Å).
func (g *Grid) LSFSigmaAA(waveAA float64) float64 { return waveAA / g.R * fwhmToSigma }

// Window returns the pixel range [lo, hi) whose centres lie within
// [fromAA, toAA], clipped to the grid (lo == hi when they do not overlap).
func (g *Grid) Window(fromAA, toAA float64) (lo, hi int) {
	n := len(g.Wave)
	if !(toAA >= fromAA) || n == 0 {
		return 0, 0
	}
	lo = int(math.Ceil((math.Log10(fromAA) - g.Log10Start) / g.Log10Step))
	hi = int(math.Floor((math.Log10(toAA)-g.Log10Start)/g.Log10Step)) + 1
	lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// Planck returns the Planck function B_λ(T) at λ (Å), up to a constant
// factor common to all temperatures: λ^-5 / (exp(hc/λkT) − 1), λ in µm.
func Planck(waveAA, teffK float64) float64 {
	const hcOverKAAK = 1.438777e8 // h c / k in Å K (CODATA 2018: 1.438777 cm K)
	x := waveAA * 1e-4
	return 1 / (x * x * x * x * x * math.Expm1(hcOverKAAK/(waveAA*teffK)))
}

// TotalSigmaAA returns the width of a feature of intrinsic Gaussian σ
// (Å) and extra Doppler broadening σ_v (km/s) at λ after the LSF.
func (g *Grid) TotalSigmaAA(waveAA, intrinsicSigmaAA, sigmaVKmS float64) float64 {
	sv := waveAA * sigmaVKmS / SpeedOfLightKmS
	l := g.LSFSigmaAA(waveAA)
	return math.Sqrt(intrinsicSigmaAA*intrinsicSigmaAA + sv*sv + l*l)
}

// AddGaussian adds an emission line of integrated flux area (f_λ × Å),
// centred at centreAA with Gaussian σ sigmaAA, to f over ±5σ. Pixel values
// are the profile at the pixel centre (the LSF keeps lines wider than a
// pixel, so this equals the pixel average to well under 1%).
func (g *Grid) AddGaussian(f []float64, centreAA, sigmaAA, area float64) {
	if !(sigmaAA > 0) || area == 0 {
		return
	}
	lo, hi := g.Window(centreAA-5*sigmaAA, centreAA+5*sigmaAA)
	peak := area / (sigmaAA * math.Sqrt(2*math.Pi))
	inv := 1 / sigmaAA
	for i := lo; i < hi; i++ {
		d := (g.Wave[i] - centreAA) * inv
		f[i] += peak * math.Exp(-0.5*d*d)
	}
}

// AbsorbGaussian multiplies f by exp(−τ(λ)), τ a Gaussian of σ sigmaAA
// whose integral is tauArea (Å). For a weak line (τ ≪ 1) the equivalent
// width is tauArea; for a strong one the core saturates and the width
// grows more slowly, as on the flat part of a curve of growth.
func (g *Grid) AbsorbGaussian(f []float64, centreAA, sigmaAA, tauArea float64) {
	if !(sigmaAA > 0) || !(tauArea > 0) {
		return
	}
	lo, hi := g.Window(centreAA-5*sigmaAA, centreAA+5*sigmaAA)
	peak := tauArea / (sigmaAA * math.Sqrt(2*math.Pi))
	inv := 1 / sigmaAA
	for i := lo; i < hi; i++ {
		d := (g.Wave[i] - centreAA) * inv
		f[i] *= math.Exp(-peak * math.Exp(-0.5*d*d))
	}
}

// AbsorbVoigt multiplies f by exp(−τ(λ)) where τ has the pseudo-Voigt
// profile of Thompson, Cox & Hastings (1987, J. Appl. Cryst. 20, 79) with
// Gaussian σ sigmaAA and Lorentzian half width gammaAA, normalised so that
// its integral is tauArea (Å). It is used for pressure-broadened lines
// (Balmer, Ca II, Mg b, Na D), whose Lorentzian wings reach far beyond the
// LSF; the profile is evaluated out to where τ falls below 1e-4.
func (g *Grid) AbsorbVoigt(f []float64, centreAA, sigmaAA, gammaAA, tauArea float64) {
	if !(sigmaAA > 0) || !(tauArea > 0) || gammaAA < 0 {
		return
	}
	fg := 2.3548200450309493 * sigmaAA
	fl := 2 * gammaAA
	fwhm := math.Pow(fg*fg*fg*fg*fg+2.69269*fg*fg*fg*fg*fl+2.42843*fg*fg*fg*fl*fl+
		4.47163*fg*fg*fl*fl*fl+0.07842*fg*fl*fl*fl*fl+fl*fl*fl*fl*fl, 0.2)
	r := fl / fwhm
	eta := 1.36603*r - 0.47719*r*r + 0.11116*r*r*r
	sg := fwhm * fwhmToSigma // σ of the Gaussian part
	hl := fwhm / 2           // half width of the Lorentzian part
	gNorm := (1 - eta) / (sg * math.Sqrt(2*math.Pi))
	lNorm := eta / (math.Pi * hl)
	// Half width where the Lorentzian part of τ drops below 1e-4:
	// tauArea·lNorm / (1 + (d/hl)²) < 1e-4.
	reach := 5 * sg
	if eta > 0 {
		if x := tauArea * lNorm / 1e-4; x > 1 {
			reach = max(reach, hl*math.Sqrt(x-1))
		}
	}
	reach = min(reach, 0.05*centreAA) // wings stop within ±5% of λ
	lo, hi := g.Window(centreAA-reach, centreAA+reach)
	invS, invH := 1/sg, 1/hl
	for i := lo; i < hi; i++ {
		d := g.Wave[i] - centreAA
		u := d * invS
		v := d * invH
		var tg float64
		if u < 6 && u > -6 {
			tg = gNorm * math.Exp(-0.5*u*u)
		}
		f[i] *= math.Exp(-tauArea * (tg + lNorm/(1+v*v)))
	}
}

// DopplerFactor returns 1 + z for a radial velocity in km/s, using the
// survey convention z = v/c (as LAMOST and SDSS do for stars).
func DopplerFactor(rvKmS float64) float64 { return 1 + rvKmS/SpeedOfLightKmS }
