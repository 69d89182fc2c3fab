package synth

import (
	"math"
	"math/rand/v2"
)

// Carbon stars (C/O > 1): with oxygen locked in CO, TiO vanishes and the
// optical spectrum is ruled by the C2 Swan bands (heads degraded to the
// blue), the CN red and violet systems, CH, strong Na D, and in N and CH
// stars enhanced s-process lines (Sr II, Ba II). The kinds follow Keenan
// (1993, PASP 105, 905): C-R (warm, ~3500–5000 K, no s-process excess),
// C-N (cool AGB stars, ≲ 3500 K, s-process rich, violet flux strongly
// suppressed) and C-H (metal-poor halo giants, strong CH G band and Ba II).
// Band heads and their relative strengths are those of the Barnbaum,
// Stone & Keenan (1996, ApJS 105, 419) low-resolution atlas of carbon
// stars; band-head wavelengths in air (Pearse & Gaydon 1976), converted to
// vacuum once.

// CarbonParams are the parameters of a carbon star.
type CarbonParams struct {
	StarParams
	Kind string // Keenan (1993) class: "C-R", "C-N" or "C-H"
}

// carbonC2 lists C2 Swan band heads (d³Π–a³Π), degraded to the blue:
// air wavelength (Å), depth relative to the (0,0) 5165 Å head, e-folding
// length (Å).
var carbonC2 = [...]struct{ airAA, rel, scaleAA float64 }{
	{4382.5, 0.4, 40}, // (2,0)
	{4737.1, 0.8, 50}, // (1,0)
	{5165.2, 1.0, 60}, // (0,0)
	{5635.5, 0.8, 60}, // (0,1)
	{6122.1, 0.3, 40}, // (1,3)
	{6191.2, 0.5, 60}, // (0,2)
}

// carbonCNRed lists CN red-system (A²Π–X²Σ⁺) band heads, degraded to the
// red: air wavelength (Å), depth relative to 7876 Å, e-folding (Å).
var carbonCNRed = [...]struct{ airAA, rel, scaleAA float64 }{
	{6206.0, 0.4, 50}, {6926.0, 0.6, 60}, {7088.0, 0.6, 60}, {7876.0, 1.0, 80}, {8068.0, 0.9, 80},
}

// carbonKind holds the per-kind band strengths and abundance excesses.
type carbonKind struct {
	c2, cnRed, cnViolet float64 // band optical depths at the reference (see carbonExtra)
	cDex, sDex          float64 // [C/Fe] and [s/Fe] excess, dex
	violet              float64 // blue opacity at 4400 Å
}

// carbonKinds: C-N stars have the strongest bands and the most depleted
// violet; C-H stars the strongest CH relative to C2 and [C/Fe] ≈ +1,
// [Ba/Fe] ≈ +1 (Vanture 1992, AJ 104), C-R no s-process excess
// (Dominy 1984, ApJS 55, 27).
var carbonKinds = map[string]carbonKind{
	"C-R": {c2: 1.0, cnRed: 0.4, cnViolet: 0.8, cDex: 0.6, sDex: 0, violet: 0.5},
	"C-N": {c2: 1.6, cnRed: 0.8, cnViolet: 1.5, cDex: 0.8, sDex: 1.0, violet: 2.0},
	"C-H": {c2: 0.8, cnRed: 0.3, cnViolet: 0.8, cDex: 1.2, sDex: 1.1, violet: 0.3},
}

// carbonExtra returns the carbon-star departures for p: band depths scale
// with the carbon abundance [C/H] = [Fe/H] + excess as 10^(0.5[C/H])
// (C2 ∝ N_C² partly saturated), weaken above ~4500 K where C2
// dissociates (L(4(θ − 1.0))), and saturate as τ/(1 + τ/2.5). An unknown
// kind is treated as C-R.
func carbonExtra(p *CarbonParams) starExtra {
	k, ok := carbonKinds[p.Kind]
	if !ok {
		k = carbonKinds["C-R"]
	}
	t := min(max(p.TeffK, starMinTeffK), starMaxTeffK)
	feh := min(max(p.FeH, starMinFeH), starMaxFeH)
	s := starL(4*(5040/t-1.0)) * math.Pow(10, 0.5*(feh+k.cDex))
	return starExtra{
		tio:      0,
		c2:       carbonSat(k.c2 * s),
		cnRed:    carbonSat(k.cnRed * s),
		cnViolet: carbonSat(k.cnViolet * s),
		cDex:     k.cDex,
		sDex:     k.sDex,
		violet:   k.violet,
	}
}

func carbonSat(tau float64) float64 { return tau / (1 + tau/2.5) }

// CarbonStar overwrites f (length len(g.Wave)) with the observed-frame
// spectrum of a carbon star, normalised like Star: the normal stellar
// model at p's Teff, log g and [Fe/H] without TiO, with the C2 Swan, CN
// red and CN violet bands, CH and s-process lines enhanced, and the extra
// violet opacity of the kind. It does not allocate.
func (g *Grid) CarbonStar(f []float64, p CarbonParams) {
	x := carbonExtra(&p)
	g.starModel(f, p.StarParams, &x)
}

// DrawCarbon draws a carbon star: its kind (C-N 50%, C-R 30%, C-H 20%),
// then Teff uniform in the kind's range (Keenan 1993 temperature scale:
// C-N 2600–3500 K, C-R and C-H 3600–5000 K), log g (C-N 0–1, AGB; C-R 1.5–
// 2.8, clump; C-H 0.8–2.5), [Fe/H] (C-N and C-R −0.7…+0.2; C-H −2.5…−0.8),
// RV from the [Fe/H]'s population (as DrawStar) and a small macroturbulent
// broadening (σ 3–6 km/s).
func DrawCarbon(rng *rand.Rand) CarbonParams {
	var p CarbonParams
	u := rng.Float64()
	switch {
	case u < 0.5:
		p.Kind = "C-N"
		p.TeffK = 2600 + 900*rng.Float64()
		p.Logg = rng.Float64()
		p.FeH = -0.7 + 0.9*rng.Float64()
	case u < 0.8:
		p.Kind = "C-R"
		p.TeffK = 3600 + 1400*rng.Float64()
		p.Logg = 1.5 + 1.3*rng.Float64()
		p.FeH = -0.7 + 0.9*rng.Float64()
	default:
		p.Kind = "C-H"
		p.TeffK = 3600 + 1400*rng.Float64()
		p.Logg = 0.8 + 1.7*rng.Float64()
		p.FeH = -2.5 + 1.7*rng.Float64()
	}
	p.RVKmS = starRVSigma(p.FeH) * rng.NormFloat64()
	p.BroadeningKmS = 3 + 3*rng.Float64()
	return p
}
