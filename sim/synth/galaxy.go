package synth

import (
	"math"
	"math/rand/v2"
)

// Kinds of galaxy (GalaxyParams.Kind).
const (
	GalaxyPassive      = "PASSIVE"
	GalaxyStarForming  = "STARFORMING"
	GalaxyAGN          = "AGN"
	galaxyYoungLogg    = 4.0  // the young population's dwarf, log g
	galaxyAGNSlope     = -1.5 // AGN continuum f_λ ∝ λ^−1.5 (f_ν ∝ ν^−0.5)
	galaxyOII3729Ratio = 1.4  // [O II] 3729/3726 at n_e ≲ 100 cm⁻³ (Osterbrock & Ferland 2006 Fig. 5.8)
	galaxySIIRatio     = 1.4  // [S II] 6716/6731 at n_e ≲ 100 cm⁻³ (ibid.)
	galaxyHeIHb        = 0.12 // He I 5876/Hβ, Case B with He/H = 0.08 (Benjamin et al. 1999, ApJ 514, 307)
	galaxyNeIIIOIII    = 0.1  // [Ne III] 3869/[O III] 5007 (typical of H II regions and NLRs)
)

// GalaxyParams are the parameters of a galaxy spectrum (see Grid.Galaxy).
type GalaxyParams struct {
	// Z is the redshift.
	Z float64
	// Kind is GalaxyPassive, GalaxyStarForming or GalaxyAGN.
	Kind string
	// SigmaKmS is the stellar velocity dispersion, km/s.
	SigmaKmS float64
	// OldTeffK, OldLogg and OldFeH are the star whose spectrum stands for
	// the old population's integrated light: a G/K giant, as the optical
	// light and absorption indices of old populations are dominated by
	// the red-giant branch (Morgan & Mayall 1957's "k" systems; Worthey
	// 1994, ApJS 95, 107).
	OldTeffK, OldLogg, OldFeH float64
	// YoungTeffK is the A/B dwarf that stands for the young population.
	YoungTeffK float64
	// YoungFrac is the young population's share of the stellar continuum
	// at 5500 Å rest (before dust).
	YoungFrac float64
	// EBV is the nebular E(B−V) of the internal dust (Calzetti et al.
	// 2000 curve); the stellar continuum has 0.44·EBV (their eq. 3).
	EBV float64
	// HbetaEWAA is the rest-frame equivalent width of Hβ emission against
	// the attenuated continuum, Å (0: no emission lines).
	HbetaEWAA float64
	// LogNIIHa and LogOIIIHb place the galaxy on the BPT diagram:
	// log10([N II] 6583/Hα) and log10([O III] 5007/Hβ).
	LogNIIHa, LogOIIIHb float64
	// LogOIIHb is log10([O II] 3726+3729/Hβ), LogSIIHa log10([S II]
	// 6716+6731/Hα), LogOIHa log10([O I] 6300/Hα), all before dust.
	LogOIIHb, LogSIIHa, LogOIHa float64
	// GasSigmaKmS is the velocity dispersion of the emission lines, km/s.
	GasSigmaKmS float64
	// AGNFrac is the share of a featureless AGN power law in the
	// continuum at 5500 Å rest.
	AGNFrac float64
	// BroadHaFrac is the flux of a broad Hα component relative to narrow
	// Hα (Seyfert 1.8/1.9), with FWHM BroadFWHMKmS.
	BroadHaFrac, BroadFWHMKmS float64
}

// The old population's near-UV blanketing. One giant's spectrum misses
// what the integrated light of an old, metal-rich population has below
// ≈4500 Å: the cooler, more metal-rich giants of the red-giant branch
// (Worthey 1994, ApJS 95, 107: their light dominates the blue in solar
// and richer populations), the CN λ3883 and λ4216 bands, which are
// strong in giant ellipticals (the Lick CN₁/CN₂ indices, Worthey et al.
// 1994, ApJS 94, 687; Trager et al. 1998, ApJS 116, 1), the G band and
// the Fe λ4383 blend, and the metal lines merged by a velocity
// dispersion of 150–300 km/s. Their net effect on the continuum is a
// depression that deepens blueward of 4500 Å: ln B(λ) is linear between
// the knots of galaxyBlanketKnots (0 redward of the first, the last
// value's slope continued blueward), times 10^(0.5[Fe/H]) (blanketing
// grows with metallicity). It is deepest at 4000–4300 Å (CN λ4216, the
// G band) and 0.1 shallower over 3850–3950 Å, where the star's own break
// already carries the H and K lines: that lowers D_n(4000) by ≈7%, as
// the turn-off stars of a real old population fill in part of a single
// K giant's break (Worthey 1994). The break itself comes from the star.
//
// Calibrated, not taken from a paper: the knots were set so that the
// drawn passive galaxies follow the continuum of pysynphot's elliptical
// template between 3700 and 4500 Å (sim/realism, bench/simrealism),
// where the template lies 0.3–0.6× below one K giant's spectrum, while
// D_n(4000) stays ≈ 2.0–2.2 (SDSS massive early types; Kauffmann et al.
// 2003, MNRAS 341, 33).
var galaxyBlanketKnots = [...]struct{ restAA, lnB float64 }{
	{4500, 0},
	{4300, -0.45},
	{4100, -0.55},
	{3950, -0.45},
	{3850, -0.45},
	{3700, -0.90},
}

// galaxyBlanketDepth is the blanketing scale at [Fe/H] feh (1 at solar).
func galaxyBlanketDepth(feh float64) float64 {
	return math.Exp(0.5 * math.Ln10 * feh)
}

// galaxyLnBlanket is ln B(λ) of the old population's blanketing at rest
// wavelength λ (Å) for depth scale a.
func galaxyLnBlanket(restAA, a float64) float64 {
	k := &galaxyBlanketKnots
	if restAA >= k[0].restAA {
		return 0
	}
	for i := 1; i < len(k); i++ {
		if restAA >= k[i].restAA {
			t := (restAA - k[i].restAA) / (k[i-1].restAA - k[i].restAA)
			return a * (k[i].lnB + t*(k[i-1].lnB-k[i].lnB))
		}
	}
	n := len(k) - 1
	slope := (k[n-1].lnB - k[n].lnB) / (k[n-1].restAA - k[n].restAA)
	return a * (k[n].lnB + slope*(restAA-k[n].restAA))
}

// galaxyKauffmann is the Kauffmann et al. (2003, MNRAS 346, 1055, eq. 1)
// upper envelope of star-forming galaxies on the BPT diagram, x =
// log([N II]/Hα) < 0.05.
func galaxyKauffmann(x float64) float64 { return 0.61/(x-0.05) + 1.3 }

// galaxyKewley is the Kewley et al. (2001, ApJ 556, 121, eq. 5) maximum
// starburst line, x < 0.47.
func galaxyKewley(x float64) float64 { return 0.61/(x-0.47) + 1.19 }

// galaxySchawinski is the Seyfert/LINER division of Schawinski et al.
// (2007, MNRAS 382, 1415) on the [N II] BPT diagram.
func galaxySchawinski(x float64) float64 { return 1.05*x + 0.45 }

// DrawGalaxy draws a galaxy of the given kind (GalaxyPassive,
// GalaxyStarForming or GalaxyAGN; anything else is drawn as passive).
// Z is uniform in [0, 0.5]. The old population is a G8–K1 giant (Teff
// 4800–5300 K, log g 2–3; the integrated type of old populations, with
// the turn-off's light mixed in), [Fe/H] −0.2…+0.2 (passive: massive early
// types are old and about solar or richer, Thomas et al. 2005, ApJ 621,
// 673; with this model and the blanketing of galaxyBlanketKnots they give
// D_n(4000) ≈ 2.0–2.6 on a 50 Å grid against 2.17 for pysynphot's
// elliptical template; SDSS passive galaxies have 1.7–2.3) or −0.5…+0.2;
// the young one an A/B dwarf of 8500–16000 K.
// Per kind:
//   - PASSIVE: σ 120–300 km/s, no young light, E(B−V) 0–0.1, no lines.
//   - STARFORMING: σ 50–150 km/s, young share 0.2–0.9 at 5500 Å,
//     E(B−V) 0–0.6; EW(Hβ) 2–40 Å log-uniform; log([N II]/Hα) in
//     [−1.3, −0.4] and log([O III]/Hβ) 0.1–0.6 dex below the Kauffmann et
//     al. (2003) line, which traces the star-forming sequence;
//     log([O II]/Hβ) 0–0.5 (Kewley et al. 2004, AJ 127, 2002),
//     log([S II]/Hα) −0.7…−0.4, log([O I]/Hα) −2…−1.5; gas σ 0.7–1 of
//     the stellar one.
//   - AGN (Seyfert 2): σ 80–250 km/s, young share 0–0.4, AGN continuum
//     0–0.3, E(B−V) 0–0.5; EW(Hβ) 1–10 Å; log([N II]/Hα) in [−0.25, 0.3]
//     and log([O III]/Hβ) 0.1–0.4 dex above both the Kewley et al. (2001)
//     and Schawinski et al. (2007) lines (at most 1.2); log([O II]/Hβ)
//     0.2–0.7, log([S II]/Hα) −0.4…0, log([O I]/Hα) −1.3…−0.7 (Kewley et
//     al. 2006, MNRAS 372, 961); gas σ 0.9–1.5 of the stellar one; half
//     have a broad Hα of 0.5–3 times the narrow flux, FWHM 2000–5000 km/s.
func DrawGalaxy(rng *rand.Rand, kind string) GalaxyParams {
	u := emissionUniform
	p := GalaxyParams{
		Z:          u(rng, 0, 0.5),
		Kind:       kind,
		OldTeffK:   u(rng, 4800, 5300),
		OldLogg:    u(rng, 2, 3),
		YoungTeffK: u(rng, 8500, 16000),
	}
	switch kind {
	case GalaxyStarForming:
		p.SigmaKmS = u(rng, 50, 150)
		p.OldFeH = u(rng, -0.5, 0.2)
		p.YoungFrac = u(rng, 0.2, 0.9)
		p.EBV = u(rng, 0, 0.6)
		p.HbetaEWAA = emissionLogUniform(rng, 2, 40)
		p.LogNIIHa = u(rng, -1.3, -0.4)
		p.LogOIIIHb = galaxyKauffmann(p.LogNIIHa) - u(rng, 0.1, 0.6)
		p.LogOIIHb = u(rng, 0, 0.5)
		p.LogSIIHa = u(rng, -0.7, -0.4)
		p.LogOIHa = u(rng, -2, -1.5)
		p.GasSigmaKmS = p.SigmaKmS * u(rng, 0.7, 1)
	case GalaxyAGN:
		p.SigmaKmS = u(rng, 80, 250)
		p.OldFeH = u(rng, -0.3, 0.3)
		p.YoungFrac = u(rng, 0, 0.4)
		p.AGNFrac = u(rng, 0, 0.3)
		p.EBV = u(rng, 0, 0.5)
		p.HbetaEWAA = u(rng, 1, 10)
		p.LogNIIHa = u(rng, -0.25, 0.3)
		p.LogOIIIHb = min(max(galaxyKewley(p.LogNIIHa), galaxySchawinski(p.LogNIIHa))+u(rng, 0.1, 0.4), 1.2)
		p.LogOIIHb = u(rng, 0.2, 0.7)
		p.LogSIIHa = u(rng, -0.4, 0)
		p.LogOIHa = u(rng, -1.3, -0.7)
		p.GasSigmaKmS = p.SigmaKmS * u(rng, 0.9, 1.5)
		if rng.Float64() < 0.5 {
			p.BroadHaFrac = u(rng, 0.5, 3)
			p.BroadFWHMKmS = u(rng, 2000, 5000)
		}
	default:
		p.Kind = GalaxyPassive
		p.SigmaKmS = u(rng, 120, 300)
		p.OldFeH = u(rng, -0.2, 0.2)
		p.EBV = u(rng, 0, 0.1)
	}
	return p
}

// Galaxy overwrites f (len(g.Wave)) with the observed-frame f_λ of a
// galaxy, normalised so that the continuum is ~1 at the middle of the
// grid:
//
//   - stellar light: (1 − YoungFrac)·old·B + YoungFrac·young, each the
//     Star model at zero velocity on the rest-frame grid (pixel i at
//     λ_i/(1+z), which is exact for any z and keeps the LSF), broadened
//     by SigmaKmS, normalised at 5500 Å rest, B the old population's
//     near-UV blanketing (galaxyBlanketKnots), plus the AGN power law;
//   - dust: the stars are attenuated by 10^(−0.4·0.44·EBV·k(λ)), each
//     line by 10^(−0.4·EBV·k(λ)), k the Calzetti et al. (2000) curve, so
//     Hα/Hβ = 2.86·10^(0.4·EBV·(k(Hβ)−k(Hα)));
//   - nebular lines at (1+z)·λ_rest: Balmer lines in Case B ratios
//     (Hα/Hβ 2.86, Hγ 0.468, Hδ 0.259, Hε 0.159), [O II], [Ne III],
//     [O III] (5007/4959 = 2.98), He I 5876, [O I], [N II] (6583/6548 =
//     3.05), [S II], from the BPT coordinates and ratios in p, scaled so
//     that EW(Hβ) = HbetaEWAA; Gaussian in velocity of σ GasSigmaKmS plus
//     the LSF; an AGN's optional broad Hα.
//
// It is safe for concurrent use and allocates nothing in steady state.
func (g *Grid) Galaxy(f []float64, p GalaxyParams) {
	n := len(f)
	if n == 0 {
		return
	}
	opz := 1 + max(p.Z, 0)
	// The rest-frame grid.
	wp, rw := emissionGetScratch(n)
	defer emissionScratch.Put(wp)
	inv := 1 / opz
	for i, w := range g.Wave {
		rw[i] = w * inv
	}
	rest := Grid{Wave: rw, Log10Start: g.Log10Start - math.Log10(opz), Log10Step: g.Log10Step, R: g.R}

	y := min(max(p.YoungFrac, 0), 1)
	if y < 1 {
		rest.Star(f, StarParams{TeffK: p.OldTeffK, Logg: p.OldLogg, FeH: p.OldFeH, BroadeningKmS: p.SigmaKmS})
		a := galaxyBlanketDepth(p.OldFeH)
		rest.emissionScaleSmooth(f, func(w float64) float64 { return galaxyLnBlanket(w, a) })
	} else {
		clear(f)
	}
	if y > 0 {
		sp, s := emissionGetScratch(n)
		rest.Star(s, StarParams{TeffK: p.YoungTeffK, Logg: galaxyYoungLogg, BroadeningKmS: p.SigmaKmS})
		for i := range f {
			f[i] = (1-y)*f[i] + y*s[i]
		}
		emissionScratch.Put(sp)
	}
	if p.EBV > 0 {
		a := -0.4 * math.Ln10 * 0.44 * p.EBV
		g.emissionScaleSmooth(f, func(w float64) float64 { return a * emissionCalzettiK(w*inv) })
	}
	if p.AGNFrac > 0 {
		g.emissionAddSmooth(f, p.AGNFrac, func(w float64) float64 {
			return math.Exp(galaxyAGNSlope * math.Log(w*inv/5500))
		})
	}
	norm := g.emissionMeanAt(f, g.Wave[n/2], 10)
	if p.HbetaEWAA > 0 {
		g.galaxyLines(f, &p, opz)
	}
	if norm > 0 {
		s := 1 / norm
		for i := range f {
			f[i] *= s
		}
	}
}

// galaxyLines adds the nebular lines to f (stellar continuum already in).
func (g *Grid) galaxyLines(f []float64, p *GalaxyParams, opz float64) {
	hbObs := emissionHbeta * opz
	cont := g.emissionMeanAt(f, hbObs, 25)
	if math.IsNaN(cont) { // Hβ off the grid: anchor at the middle
		cont = g.emissionMeanAt(f, g.Wave[len(f)/2], 25)
	}
	hb := p.HbetaEWAA * opz * cont // observed Hβ flux
	kHb := emissionCalzettiK(emissionHbeta)
	dust := func(restAA float64) float64 { // attenuation relative to Hβ
		return math.Exp(-0.4 * math.Ln10 * p.EBV * (emissionCalzettiK(restAA) - kHb))
	}
	sig := max(p.GasSigmaKmS, 0)
	add := func(restAA, relHb float64) {
		obs := restAA * opz
		if relHb <= 0 || obs < g.Wave[0]-50 || obs > g.Wave[len(f)-1]+50 {
			return
		}
		g.emissionAdd(f, obs, g.TotalSigmaAA(obs, 0, sig), hb*relHb*dust(restAA))
	}
	pow10 := func(x float64) float64 { return math.Exp(math.Ln10 * x) }
	ha := emissionCaseBHa // Hα/Hβ before dust
	add(emissionHalpha, ha)
	add(emissionHbeta, 1)
	add(emissionHgamma, emissionCaseBHg)
	add(emissionHdelta, emissionCaseBHd)
	add(emissionHeps, emissionCaseBHe)
	oii := pow10(p.LogOIIHb)
	add(emissionOII1, oii/(1+galaxyOII3729Ratio))
	add(emissionOII2, oii*galaxyOII3729Ratio/(1+galaxyOII3729Ratio))
	oiii := pow10(p.LogOIIIHb)
	add(emissionOIII2, oiii)
	add(emissionOIII1, oiii/emissionOIIIRatio)
	add(emissionNeIII, oiii*galaxyNeIIIOIII)
	add(emissionHeI588, galaxyHeIHb)
	nii := pow10(p.LogNIIHa) * ha
	add(emissionNII2, nii)
	add(emissionNII1, nii/emissionNIIRatio)
	sii := pow10(p.LogSIIHa) * ha
	add(emissionSII1, sii*galaxySIIRatio/(1+galaxySIIRatio))
	add(emissionSII2, sii/(1+galaxySIIRatio))
	add(emissionOI, pow10(p.LogOIHa)*ha)
	if p.BroadHaFrac > 0 && p.BroadFWHMKmS > 0 {
		obs := emissionHalpha * opz
		g.emissionAdd(f, obs, g.TotalSigmaAA(obs, 0, p.BroadFWHMKmS*fwhmToSigma), hb*ha*p.BroadHaFrac*dust(emissionHalpha))
	}
}
