package realism

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim/observe"
	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// LAMOSTOptions are the comparison options for LAMOST spectra: telluric
// bands, strong sky lines and the dichroic region are left out; LAMOST
// fluxes are only relatively calibrated, so the raw shape is not scored.
func LAMOSTOptions() Options { return Options{Exclude: LAMOSTExclusions()} }

// OnLAMOSTGrid returns s on the LAMOST grid (resampled when it is not
// already there, prep.Resample), with the usable pixels (prep.PixelOK).
func OnLAMOSTGrid(s *spectrum.Spectrum) (*spectrum.Spectrum, []bool, error) {
	r, err := prep.Resample(s, prep.LAMOSTGrid())
	if err != nil {
		return nil, nil, err
	}
	use := make([]bool, r.Len())
	for i := range use {
		use[i] = prep.PixelOK(r, i)
	}
	return r, use, nil
}

// LAMOSTTarget prepares a real LAMOST spectrum for model fits on the
// LAMOST grid with LAMOSTOptions.
func LAMOSTTarget(s *spectrum.Spectrum) (*Target, error) {
	r, use, err := OnLAMOSTGrid(s)
	if err != nil {
		return nil, err
	}
	return NewTarget(r.WavelengthAA, r.Flux, r.Ivar, use, LAMOSTOptions())
}

// LAMOSTStarGrid is the coarse grid searched for a real LAMOST star:
// Teff 3400–12000 K (steps of 250 K up to 7000 K, then wider, about a
// tenth of a spectral subclass), log g 1–5 in steps of 1 (giants to
// dwarfs), [Fe/H] −2 to +0.5 in steps of 0.5, RV ±300 km/s in steps of
// 10 km/s (a seventh of a LAMOST pixel).
func LAMOSTStarGrid() StarGrid {
	var g StarGrid
	for t := 3400.0; t < 7000; t += 250 {
		g.TeffK = append(g.TeffK, t)
	}
	g.TeffK = append(g.TeffK, 7000, 7500, 8000, 8500, 9000, 9500, 10000, 11000, 12000)
	g.Logg = []float64{1, 2, 3, 4, 5}
	g.FeH = []float64{-2, -1.5, -1, -0.5, 0, 0.5}
	for v := -300.0; v <= 300; v += 10 {
		g.RVKmS = append(g.RVKmS, v)
	}
	return g
}

// LAMOSTStarModel returns the simulator's noiseless star on the LAMOST
// instrument's grid (observe.LAMOST().Grid(), R≈1800) as a StarModel.
func LAMOSTStarModel() StarModel {
	g := observe.LAMOST().Grid()
	return func(p StarGuess, f []float64) {
		g.Star(f, synth.StarParams{TeffK: p.TeffK, Logg: p.Logg, FeH: p.FeH, RVKmS: p.RVKmS})
	}
}

// ObserveLAMOST simulates a LAMOST observation of the star p at g-band
// S/N snrG under median conditions (airmass 1.2, dark sky, reference
// water vapour, E(B−V) = ebv), with the noise and defects drawn from
// seed: what the simulator writes for such a star.
func ObserveLAMOST(p synth.StarParams, snrG, ebv float64, seed uint64) *spectrum.Spectrum {
	ins := observe.LAMOST()
	g := ins.Grid()
	model := make([]float64, len(g.Wave))
	g.Star(model, p)
	var s spectrum.Spectrum
	cond := observe.Conditions{SNRg: snrG, EBV: ebv, Airmass: 1.2, SkyScale: 1.2, PWVmm: observe.RefPWVmm}
	ins.NewObserver().Observe(model, cond, rand.New(rand.NewPCG(seed, seed^0x5eed)), &s)
	return &s
}

// CompareLAMOST compares a real LAMOST spectrum with a simulated one (both
// resampled to the LAMOST grid when needed), using the pixels good in both
// and the real ivar as the weight of both continuum fits.
func CompareLAMOST(real, sim *spectrum.Spectrum) (*Pair, error) {
	r, ur, err := OnLAMOSTGrid(real)
	if err != nil {
		return nil, fmt.Errorf("compare LAMOST: real: %w", err)
	}
	s, us, err := OnLAMOSTGrid(sim)
	if err != nil {
		return nil, fmt.Errorf("compare LAMOST: simulated: %w", err)
	}
	for i := range ur {
		ur[i] = ur[i] && us[i]
	}
	return NewPair(r.WavelengthAA, r.Flux, s.Flux, r.Ivar, ur, LAMOSTOptions())
}

// CompareLAMOSTModel compares a real LAMOST spectrum with a noiseless
// model on the LAMOST grid.
func CompareLAMOSTModel(real *spectrum.Spectrum, model []float64) (*Pair, error) {
	r, ur, err := OnLAMOSTGrid(real)
	if err != nil {
		return nil, fmt.Errorf("compare LAMOST: real: %w", err)
	}
	return NewPair(r.WavelengthAA, r.Flux, model, r.Ivar, ur, LAMOSTOptions())
}

// SpeedOfLightKmS is c in km/s.
const SpeedOfLightKmS = prep.SpeedOfLightKmS

// StartFromSubclass returns a starting point for FitStar from a pipeline
// subclass such as "G7" or "K3III": the Teff of the nearest MK type in
// synth.MKTable (dwarfs unless the class says III), log g 4 (2.5 for
// giants), [Fe/H] 0, RV 0; 5800 K when the subclass is not understood.
func StartFromSubclass(sub string) StarGuess {
	g := StarGuess{TeffK: 5800, Logg: 4}
	sub = strings.TrimSpace(sub)
	if len(sub) < 2 || !strings.ContainsRune("OBAFGKM", rune(sub[0])) {
		return g
	}
	lum := "V"
	if strings.HasSuffix(sub, "III") {
		lum, g.Logg = "III", 2.5
	}
	digits := strings.TrimRight(sub[1:], "IV")
	n, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return g
	}
	best := math.Inf(1)
	for _, m := range synth.MKTable() {
		if m.Letter != sub[0] || m.LumClass != lum {
			continue
		}
		if d := math.Abs(m.Subtype - n); d < best {
			best, g.TeffK = d, m.TeffK
		}
	}
	return g
}
