package realism

import (
	"github.com/astroone/astroone-go/sim/synth"
)

// QSOCompositeFile is the LBQS composite quasar spectrum of Francis et al.
// (1991, ApJ 373, 465) as shipped by pysynphot: rest frame 800–6000 Å,
// 2.5 Å channels, resolution ≈4 Å (its header).
const QSOCompositeFile = "qso_template.fits"

// QSOCompositeFWHMAA is the composite's resolution (FWHM, Å) per its
// header.
const QSOCompositeFWHMAA = 4

// CompositeQSO returns the parameters of a quasar with the simulator's
// central values at redshift z: the slopes of the Vanden Berk et al.
// (2001) composite that DrawQSO scatters about (α_ν = −0.44, −2.45 redward
// of 5000 Å, −1.76 blueward of 1200 Å), broad FWHM 4000 km/s (the
// geometric middle of DrawQSO's 2000–8000), narrow FWHM 500 km/s, the
// composite's equivalent widths (×1), Fe II ×1 and no Lyman-limit system.
func CompositeQSO(z float64) synth.QSOParams {
	return synth.QSOParams{Z: z, AlphaNu: -0.44, AlphaNuRed: -2.45, AlphaNuEUV: -1.76,
		BroadFWHMKmS: 4000, NarrowFWHMKmS: 500, BroadEW: 1, NarrowEW: 1, FeII: 1, Seed: 1}
}

// QSOFunc returns the simulator's quasar p as a ModelFunc.
func QSOFunc(p synth.QSOParams) ModelFunc {
	return func(g *synth.Grid, f []float64) { g.QSO(f, p) }
}

// QSOSetup compares a quasar at redshift z with the rest-frame composite
// over the rest wavelengths the LAMOST range shows at that z.
func QSOSetup(z float64) Setup {
	return Setup{FromAA: LAMOSTRangeAA[0] / (1 + z), ToAA: LAMOSTRangeAA[1] / (1 + z), RefFWHMAA: QSOCompositeFWHMAA, Z: z}
}

// GalaxyTemplates are pysynphot's coarse galaxy templates (50 Å samples
// over the optical, no stated origin or resolution) and the simulator kind
// each is compared with: the continuum shape only.
var GalaxyTemplates = []struct{ File, Label, Kind string }{
	{"elliptical.fits", "elliptical template", synth.GalaxyPassive},
	{"spiral.fits", "spiral template", synth.GalaxyStarForming},
}

// GalaxySetup compares a rest-frame galaxy with a coarse template over
// the LAMOST range; the templates' resolution is not stated, and 100 Å
// FWHM (two samples) is assumed.
func GalaxySetup() Setup {
	return Setup{FromAA: LAMOSTRangeAA[0], ToAA: LAMOSTRangeAA[1], RefFWHMAA: 100}
}

// GalaxyOptions are the comparison options for the coarse templates: a
// stiff continuum (3 knots over ~70 samples), a ratio smoothed over ±2
// samples (±100 Å), spectrophotometric.
func GalaxyOptions() Options { return Options{Knots: 3, ShapeHalf: 2, Spectrophotometric: true} }

// GalaxyFunc returns the simulator's galaxy p as a ModelFunc.
func GalaxyFunc(p synth.GalaxyParams) ModelFunc {
	return func(g *synth.Grid, f []float64) { g.Galaxy(f, p) }
}

// QSOOptions are the comparison options for quasars: a stiffer continuum
// than for stars (5 interior knots, one per 300–600 Å rest) so that the
// broad lines, 30–100 Å wide, stay out of it; spectrophotometric.
func QSOOptions() Options { return Options{Knots: 5, Spectrophotometric: true} }
