package realism

import (
	"github.com/astroone/astroone-go/sim/synth"
)

// LAMOSTRangeAA is the wavelength range of the LAMOST LRS grid (vacuum Å),
// over which every comparison is made.
var LAMOSTRangeAA = [2]float64{3700, 9097}

// StarCase is a CALSPEC star with the parameters assumed for it.
type StarCase struct {
	File   string           // file name in pysynphot's data/generic directory
	Label  string           // e.g. "Vega (A0 V)"
	Params synth.StarParams // literature parameters (see Source)
	Source string           // where the parameters and resolution come from
	Setup  Setup            // range and resolution of the comparison
}

// CALSPECStars returns the CALSPEC stars that Debian's python3-pysynphot
// ships, with the parameters assumed for each:
//
//   - Vega (α Lyr, HD 172167), A0 V: Teff 9550 K, log g 3.95, [Fe/H] −0.5
//     (Castelli & Kurucz 1994, A&A 281, 817). HST/STIS G430L+G750L
//     (Bohlin 2014, AJ 147, 127): the file's FWHM column gives the
//     resolution (≈5.5 Å below 5450 Å, ≈9.8 Å above: R ≈ 700–1000), and
//     it states vacuum wavelengths.
//   - The solar analogs P041C, P177D and P330E (Colina & Bohlin 1997, AJ
//     113, 1138: G0 V–G2 V, HST/FOS): Teff 5850 K, log g 4.4, [Fe/H] 0 is
//     assumed for all three (their model fits in Bohlin 2010, AJ 139,
//     1515 lie within about ±100 K and ±0.1 dex of this). The files give
//     neither a FWHM nor the wavelength medium: R = 1300 (FOS
//     high-dispersion gratings, FOS Instrument Handbook) and vacuum (the
//     HST pipeline convention) are assumed. They are compared up to
//     8240 Å, where the FOS data end and 20 Å model samples take over.
func CALSPECStars() []StarCase {
	lamost := Setup{FromAA: LAMOSTRangeAA[0], ToAA: LAMOSTRangeAA[1]}
	fos := Setup{FromAA: LAMOSTRangeAA[0], ToAA: 8240, RefR: 1300}
	solar := synth.StarParams{TeffK: 5850, Logg: 4.4, FeH: 0}
	const fosSource = "Colina & Bohlin 1997 (FOS, G0V–G2V); Teff 5850 K, log g 4.4, [Fe/H] 0 assumed; R 1300 assumed"
	return []StarCase{
		{File: "alpha_lyr_stis_010.fits", Label: "Vega (A0 V)", Params: synth.StarParams{TeffK: 9550, Logg: 3.95, FeH: -0.5, RVKmS: -20.6},
			Source: "Castelli & Kurucz 1994; STIS FWHM column; RV −20.6 km/s (Gontcharov 2006, Astron. Lett. 32, 759)", Setup: lamost},
		{File: "p041c_001.fits", Label: "P041C (G0 V)", Params: solar, Source: fosSource, Setup: fos},
		{File: "p177d_001.fits", Label: "P177D (G0 V)", Params: solar, Source: fosSource, Setup: fos},
		{File: "p330e_001.fits", Label: "P330E (G2 V)", Params: solar, Source: fosSource, Setup: fos},
	}
}

// StarFunc returns the simulator's star of parameters p as a ModelFunc.
func StarFunc(p synth.StarParams) ModelFunc {
	return func(g *synth.Grid, f []float64) { g.Star(f, p) }
}

// WrongStars are deliberately mismatched models that a realistic
// simulator must score clearly worse than the matching one: an M2 V and an
// A0 V / G2 V swap (parameters typical of the types, Pecaut & Mamajek
// 2013, ApJS 208, 9).
var WrongStars = map[string]synth.StarParams{
	"M2 V": {TeffK: 3550, Logg: 4.8, FeH: 0},
	"G2 V": {TeffK: 5770, Logg: 4.44, FeH: 0},
	"A0 V": {TeffK: 9700, Logg: 4.1, FeH: 0},
	"B3 V": {TeffK: 17000, Logg: 4.2, FeH: 0},
}
