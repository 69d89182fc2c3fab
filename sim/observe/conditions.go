package observe

import (
	"math"
	"math/rand/v2"
)

// Conditions are the per-spectrum observing conditions.
type Conditions struct {
	SNRg     float64 // requested median S/N per pixel in the g band (4000–5500 Å); must be > 0
	EBV      float64 // Galactic reddening E(B−V), mag (O'Donnell 1994 law, R_V = 3.1)
	Airmass  float64 // airmass (≥ 1) for the atmospheric extinction and telluric bands
	SkyScale float64 // multiplier on the moonless sky (airglow, continuum, light pollution)
	Moon     float64 // moonlight continuum at 5500 Å in units of the dark continuum there (0 = dark)
	PWVmm    float64 // precipitable water vapour, mm (scales the H2O bands)
}

// sanitize returns c with out-of-range values replaced: SNRg ≤ 0 or not
// finite → 1, airmass < 1 or not finite → 1, negative or non-finite EBV,
// SkyScale, Moon, PWVmm → 0.
func (c Conditions) sanitize() Conditions {
	pos := func(v float64) float64 {
		if !(v >= 0) || math.IsInf(v, 0) {
			return 0
		}
		return v
	}
	if !(c.SNRg > 0) || math.IsInf(c.SNRg, 0) {
		c.SNRg = 1
	}
	if !(c.Airmass >= 1) || math.IsInf(c.Airmass, 0) {
		c.Airmass = 1
	}
	c.EBV, c.SkyScale, c.Moon, c.PWVmm = pos(c.EBV), pos(c.SkyScale), pos(c.Moon), pos(c.PWVmm)
	return c
}

// DrawConditions draws observing conditions for one spectrum, always with
// the same number of draws from rng:
//
//   - SNRg log-uniform in [snrMin, snrMax] (snrMin when snrMax ≤ snrMin);
//   - E(B−V) exponential with mean 0.05 mag, capped at 0.5 — survey fields
//     at high Galactic latitude, where the Schlegel, Finkbeiner & Davis
//     (1998, ApJ 500, 525) reddening is mostly a few hundredths of a mag;
//   - airmass uniform in [1.0, 1.8] (LAMOST and SDSS observe within a few
//     hours of the meridian);
//   - SkyScale = airmass × a log-normal night-to-night factor (σ = 0.25 in
//     ln): airglow comes from a thin layer near 90 km, whose brightness
//     grows about as the airmass at these zenith distances (van Rhijn
//     1921), and OH and [O I] vary by tens of % between nights;
//   - Moon = 0 half the time (dark time), otherwise log-uniform in
//     [0.3, 10] (grey to bright time; LAMOST observes its bright-star
//     programme under the moon);
//   - PWVmm log-normal with median 5 mm and σ = 0.6 in ln (dry winters to
//     humid summers at a continental site such as Xinglong; an assumption).
func DrawConditions(rng *rand.Rand, snrMin, snrMax float64) Conditions {
	var c Conditions
	u := rng.Float64()
	if snrMax > snrMin && snrMin > 0 {
		c.SNRg = math.Exp(math.Log(snrMin) + u*(math.Log(snrMax)-math.Log(snrMin)))
	} else {
		c.SNRg = snrMin
	}
	c.EBV = min(rng.ExpFloat64()*0.05, 0.5)
	c.Airmass = 1 + 0.8*rng.Float64()
	c.SkyScale = c.Airmass * math.Exp(0.25*rng.NormFloat64())
	dark, m := rng.Float64(), rng.Float64()
	if dark >= 0.5 {
		c.Moon = 0.3 * math.Exp(m*math.Log(10/0.3))
	}
	c.PWVmm = RefPWVmm * math.Exp(0.6*rng.NormFloat64())
	return c
}
