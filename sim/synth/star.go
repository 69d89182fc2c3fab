package synth

import (
	"math"
	"math/rand/v2"
	"sync"
)

// StarParams are the physical parameters of a stellar spectrum.
type StarParams struct {
	TeffK         float64 // effective temperature, K
	Logg          float64 // surface gravity, log10(g / cm s⁻²)
	FeH           float64 // metallicity [Fe/H], dex
	RVKmS         float64 // radial velocity, km/s (z = v/c)
	BroadeningKmS float64 // extra Gaussian σ (rotation, or a galaxy's velocity dispersion), km/s
}

// Model domain: parameters outside are clamped to these limits.
const (
	starMinTeffK = 2000
	starMaxTeffK = 60000
	starMinLogg  = -1
	starMaxLogg  = 6
	starMinFeH   = -5
	starMaxFeH   = 1
	starMaxRVKmS = 0.3 * SpeedOfLightKmS
)

// starContinuumStep is the pixel spacing of the exact continuum nodes,
// interpolated linearly in ln f between them (error < 1e-4 in ln f: the
// continuum's curvature in ln λ is at most hc/λkT ≲ 20, over 32 LAMOST
// pixels of 0.0074 in ln λ).
const starContinuumStep = 32

// hcOverK is h c / k in Å K (CODATA 2018).
const hcOverK = 1.438777e8

// starExtra holds the departures of a carbon star from the normal model.
type starExtra struct {
	tio       float64 // TiO scale: 1 for normal stars, 0 when C/O > 1 locks O in CO
	c2, cnRed float64 // optical depth at the head of the strongest C2 Swan and CN red bands
	cnViolet  float64 // extra CN violet optical depth
	cDex      float64 // added to [C/H] for CH and CN
	sDex      float64 // added to [X/H] of the s-process elements (Sr, Ba)
	violet    float64 // extra blue opacity at 4400 Å, ∝ (4400/λ)^8 (C3, CN, C2 crowding)
}

// starNormal is the normal (oxygen-rich) star.
var starNormal = starExtra{tio: 1}

// Star overwrites f (length len(g.Wave)) with the observed-frame f_λ
// spectrum of a star, in arbitrary units normalised so that the
// continuum at 5500 Å in the rest frame is 1. Parameters outside the
// model's domain (Teff 2000–60000 K, log g −1…6, [Fe/H] −5…+1) are
// clamped; a NaN parameter fills f with NaN. It does not allocate.
//
// The model: a Planck continuum at Teff, depressed by metal-line
// blanketing that grows with [Fe/H], toward the blue and toward cool
// types, plus a step at the 4000 Å break (cool stars) and at the Balmer
// jump (3646 Å, strongest in A stars); hydrogen lines from Saha–Boltzmann
// populations with Stark wings that widen with log g; the lines of
// stellarlines.go; CN violet, TiO and CaH bands. Everything is computed
// in the rest frame, shifted by 1 + RV/c, and broadened by the LSF plus
// BroadeningKmS.
func (g *Grid) Star(f []float64, p StarParams) { g.starModel(f, p, &starNormal) }

// starModel computes a normal or carbon star into f.
func (g *Grid) starModel(f []float64, p StarParams, x *starExtra) {
	n := len(g.Wave)
	f = f[:n]
	if math.IsNaN(p.TeffK) || math.IsNaN(p.Logg) || math.IsNaN(p.FeH) || math.IsNaN(p.RVKmS) || math.IsNaN(p.BroadeningKmS) {
		for i := range f {
			f[i] = math.NaN()
		}
		return
	}
	starInitVac()
	t := min(max(p.TeffK, starMinTeffK), starMaxTeffK)
	logg := min(max(p.Logg, starMinLogg), starMaxLogg)
	feh := min(max(p.FeH, starMinFeH), starMaxFeH)
	rv := min(max(p.RVKmS, -starMaxRVKmS), starMaxRVKmS)
	broad := max(p.BroadeningKmS, 0)
	if math.IsInf(broad, 0) {
		broad = 0
	}
	theta := 5040 / t
	dop := DopplerFactor(rv)
	lgDop := math.Log10(dop)
	alpha := feh + starAlphaFe(feh)

	// Hydrogen level populations (Saha + Boltzmann).
	sH, sP := starHydrogen(t, logg)

	c := starCont{
		t:     t,
		blank: 0.39 * math.Pow(10, 0.5*feh) * starL(4*(theta-0.8)),
		// 4000 Å break (Balogh et al. 1999, ApJ 527, 54, narrow Dn4000).
		// Its depth and onset (θ = 0.86, i.e. G2) are CALIBRATED so that
		// the flux of the simulated G2 V at 3700–4000 Å relative to
		// 4500–8000 Å follows the CALSPEC solar analogs (P041C, P177D,
		// P330E; HST/FOS; their Dn4000 ≈ 1.6); with the lines, the models'
		// Dn4000 is 1.35 at F5 V, 1.66 at G2 V, 2.2 at K0 III, 2.55 at
		// K5 V and 1.25 for a K0 III at [Fe/H] = −2.
		brk: 0.45 * math.Pow(10, 0.4*feh) * starL(5*(theta-0.86)),
		// Balmer jump: ln of the flux ratio across 3646 Å, about 1.1 (0.5 dex)
		// at A0 V as in the Barbier–Chalonge–Divan system (Chalonge & Divan
		// 1952), following the n = 2 population, a little larger at low gravity.
		jump:   min(1.1*math.Pow(sH.ratio, 0.35)*math.Pow(10, -0.1*(logg-4)), 1.6),
		violet: x.violet,
	}
	c.slope, c.grey = starOpacitySlope(t)
	c.norm = c.smooth(5500)
	// f holds ln(f_λ / continuum) until the end: the steps, lines and
	// bands are subtracted from 0, and starFinish multiplies in the
	// continuum.
	clear(f)
	g.starSteps(f, &c, dop)

	// Lines. Widths are added in quadrature in units of ln λ, where the
	// LSF (σ/λ = 1/(2.3548 R)) and a velocity broadening (σ_v/c) are the
	// same at every wavelength, and converted to pixels by 1/(ln10 ·
	// Log10Step): σ_total = λ_c·√((σ_int/λ)² + (σ_v/c)² + (σ_LSF/λ)²), as
	// TotalSigmaAA computes it.
	var lawLog [nLaws]float64
	for i := range starLaws {
		lawLog[i] = starLaws[i].log10(theta)
	}
	invStep := 1 / g.Log10Step
	pxPerLn := invStep / math.Ln10            // pixels per unit of ln λ
	pcOff := (lgDop - g.Log10Start) * invStep // pixel of λ = 1 Å after the shift
	lsf, bv := fwhmToSigma/g.R, broad/SpeedOfLightKmS
	base2 := bv*bv + lsf*lsf
	// Peak τ of a Gaussian line: area/(σ √(2π)) with σ = σ_ln·λ_vac·dop.
	gScale := 1 / (dop * math.Sqrt(2*math.Pi))
	// Damping widths scale with the gas pressure, P_g ∝ g^⅔ A^−⅓ for H⁻
	// opacity (Gray 2005; A the metal abundance), here as
	// 10^(0.4(log g − 4.5) − 0.15[Fe/H]): van der Waals γ ∝ P_g^0.7–1.
	pf := math.Pow(10, 0.4*(logg-4.5)-0.15*feh)
	var ab [5]float64
	ab[abFe], ab[abAlpha], ab[abNone], ab[abS], ab[abC] = feh, alpha, 0, feh+x.sDex, feh+x.cDex
	for k := range starVac.lines {
		l := &starVac.lines[k]
		lt := l.log10A + lawLog[l.law] + ab[l.ab] + l.gexp*(logg-4.5)
		if lt < -2.4 { // τ-area below 4 mÅ: depth < 0.002
			continue
		}
		pc := l.log10Vac*invStep + pcOff
		sl := math.Sqrt(l.sig2 + base2) // σ in ln λ
		if l.gammaAA == 0 {
			starGaussPx(f, pc, sl*pxPerLn, math.Ln10*lt, gScale*l.invVac/sl, l.invTauMax)
			continue
		}
		area := starExp(math.Ln10 * lt)
		centre := l.vacAA * dop
		gamma := -l.gammaAA * dop // not pressure-scaled
		if l.gammaAA > 0 {
			gamma = l.gammaAA * pf * dop
		}
		g.starVoigt(f, pc, centre, sl*centre, gamma, area, l.tauMax, starVoigtFloor)
	}

	// Hydrogen: Balmer (first 14) and Paschen lines. Stark widths ∝ n_e^⅔,
	// taken ∝ g^⅓ at fixed type; thermal + microturbulent σ ≈ 12 km/s.
	gH := math.Pow(10, 0.33*(logg-4))
	const hv = 12 / SpeedOfLightKmS
	hsl := math.Sqrt(hv*hv + base2)
	for k, h := range starHLines {
		s := sH.strength
		if k >= starNBalmer {
			s = sP.strength
		}
		area := starVac.hA[k] * s
		if area < 2e-3 {
			continue
		}
		centre := starVac.h[k] * dop
		g.starVoigt(f, starVac.log10H[k]*invStep+pcOff, centre, hsl*centre, h.gammaAA*gH*dop, area, starHTauMax, starHVoigtFloor)
	}

	// Molecular bands.
	g.starBands(f, theta, logg, feh, alpha, dop, broad, x)

	g.starFinish(f, &c, dop)
}

// starExp is exp(x) for the synthesis loops, about twice as fast as
// math.Exp and within 2e-13 of it (relative; TestStarExp): x = (256n +
// j)·ln2/256 + t with |t| ≤ ln2/512, e^x = 2^n · 2^(j/256) · e^t, the
// middle factor from a table and e^t from its Taylor series to degree 3
// (remainder t⁴/24 < 1.5e-13), ln2/256 split in two (Cody & Waite 1980)
// so that t keeps its precision for |x| up to 700. Results below e^−700
// are 0; x is capped at 700; NaN gives NaN.
func starExp(x float64) float64 {
	if !(x > -700) {
		if x != x {
			return x
		}
		return 0
	}
	if x > 700 {
		x = 700
	}
	return starExpCore(x)
}

// starExpCore is starExp for −708 < x < 709, without checks.
func starExpCore(x float64) float64 {
	const shift = 0x1.8p52 // adding and subtracting it rounds to an integer
	kf := (x*(256/math.Ln2) + shift) - shift
	k := int64(kf)
	t := (x - kf*starLn2By256Hi) - kf*starLn2By256Lo
	p := 1 + t*(1+t*(0.5+t*(1.0/6)))
	return p * starExp2Table[k&255] * math.Float64frombits(uint64((k>>8)+1023)<<52)
}

// ln2/256 in two parts: the first has 35 significant bits, so kf times it
// is exact for |kf| < 2¹⁸.
const (
	starLn2By256Hi = 0x1.62e42fefp-9
	starLn2By256Lo = math.Ln2/256 - starLn2By256Hi
)

// starExp2Table holds 2^(j/256), j = 0…255.
var starExp2Table = func() (t [256]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 256)
	}
	return t
}()

// starNBalmer is the number of Balmer lines at the start of starHLines.
const starNBalmer = 14

// starL is the logistic 1/(1 + 10^−x).
func starL(x float64) float64 { return 1 / (1 + starExp(-math.Ln10*x)) }

// starLevel is the relative strength of a hydrogen series.
type starLevel struct {
	ratio    float64 // lower-level population relative to its maximum on the dwarf sequence
	strength float64 // line τ-area relative to an A0 V star
}

// Hydrogen: the fraction of H atoms in level n (n = 2 Balmer, 3 Paschen)
// is g_n/U·exp(−χ_n/kT) / (1 + N_II/N_I), with the Saha ratio
// log(N_II/N_I) = log(U_II/U_I) + 2.5 log T − 5040 χ_ion/T − log P_e −
// 0.1762 (P_e in dyn cm⁻²; the Saha equation as written by Gray 2005,
// The Observation and Analysis of Stellar Photospheres; U_I = 2, U_II = 1, χ_ion = 13.598 eV,
// χ_2 = 10.199 eV, χ_3 = 12.088 eV). With P_e = 200 dyn cm⁻² this is the
// classic curve that peaks near 9900 K (Carroll & Ostlie 2007, §8.1); P_e
// scales here as g^½ (hot, hydrogen-ionising photospheres), which moves the
// peak to cooler types in giants. Line strength follows the population
// ratio r as r^p, p = 0.30 on the cool side rising to 0.35 on the hot side
// (electron scattering and the fading of the damping wings, A0 V / O5 V ≈
// 5; Jacoby, Hunter & Christian 1984). The cool-side 0.30 is CALIBRATED:
// it gives Hβ equivalent widths (±12 Å) of ≈15 Å in Vega and ≈3.6 Å in
// the CALSPEC solar analogs (measured 15.6 and 3.4–4.3 Å).
func starHydrogen(t, logg float64) (balmer, paschen starLevel) {
	starHInit()
	x2, x3 := starHPop(t, 200*math.Pow(10, 0.5*(logg-4)))
	p := 0.30 + 0.05/(1+math.Exp(-(t-11000)/1500))
	balmer.ratio = x2 / starHRef.x2
	paschen.ratio = x3 / starHRef.x3
	balmer.strength = math.Pow(balmer.ratio, p)
	paschen.strength = math.Pow(paschen.ratio, p)
	return balmer, paschen
}

// starHPop returns the fractions of H in levels 2 and 3 at T and P_e
// (dyn cm⁻²).
func starHPop(t, pe float64) (x2, x3 float64) {
	const kEV = 8.617333262e-5 // Boltzmann constant, eV/K
	saha := 0.5 * math.Pow(10, 2.5*math.Log10(t)-5040*13.598/t-0.1762) / pe
	kt := kEV * t
	return 4 * math.Exp(-10.199/kt) / (1 + saha), 9 * math.Exp(-12.088/kt) / (1 + saha)
}

// starHRef holds the maxima over Teff of the level populations at
// P_e = 200 dyn cm⁻² (log g = 4), found once by a scan.
var (
	starHRef  struct{ x2, x3 float64 }
	starHOnce sync.Once
)

func starHInit() {
	starHOnce.Do(func() {
		for t := 5000.0; t <= 20000; t += 10 {
			x2, x3 := starHPop(t, 200)
			starHRef.x2 = max(starHRef.x2, x2)
			starHRef.x3 = max(starHRef.x3, x3)
		}
	})
}

// starCont is the continuum of one spectrum.
type starCont struct {
	t      float64 // Teff, K
	blank  float64 // blanketing optical depth at 4500 Å, ∝ (4500/λ)³
	brk    float64 // optical depth blueward of the 4000 Å break
	jump   float64 // optical depth blueward of the Balmer jump
	violet float64 // carbon-star violet opacity at 4400 Å
	slope  float64 // d ln κ_λ / d ln λ of the non-grey continuous opacity (0: grey, Planck at Teff)
	grey   float64 // grey (electron-scattering) fraction of the continuous opacity
	norm   float64 // smooth(5500): the normalisation
}

// starOpacityRefAA is the wavelength (Å) where the continuous opacity
// equals its mean, so that the continuum there is Planck at Teff.
const starOpacityRefAA = 5500

// starLnOpacityRef is ln(starOpacityRefAA).
var starLnOpacityRef = math.Log(starOpacityRefAA)

// starOpacitySlope returns the slope s = d ln κ_λ/d ln λ of a star's
// continuous opacity over the optical and the grey fraction e of it, for
// starCont.smooth. Physics: in A stars the continuum opacity between the
// Balmer (3646 Å) and Paschen (8204 Å) edges is hydrogen bound-free from
// n = 3, κ ∝ λ³ (Kramers; Gray 2005, The Observation and Analysis of
// Stellar Photospheres, ch. 8); in F–K stars it is H⁻, whose bound-free
// cross-section grows from 4000 Å to its 8500 Å maximum and whose
// free-free part grows as λ² (John 1988, A&A 193, 189), a milder rise;
// above ~15000 K electron scattering, grey, takes over (Gray 2005,
// Fig. 8.5). The H fraction turns on between 6500 and 8500 K (where H⁻
// gives way to H bound-free), and the grey fraction between 15000 and
// 30000 K. In K and M stars the H⁻ free-free and molecular opacities,
// rising to the red, flatten the optical slope, which fades to 0
// (Planck at Teff) below ≈4900 K.
//
// The slopes themselves (1.2 for H⁻ and 2.6 for H) are CALIBRATED: they
// make the simulated continua of Vega (A0 V) and of the CALSPEC solar
// analogs P041C, P177D, P330E (G0–G2 V) match their HST
// spectrophotometry from 4000 to 8000 Å to within a few per cent (a
// Kramers λ³ alone, s = 3, overshoots Vega's slope, since H⁻ and metals
// still add a flatter opacity). The cool fade (4900 K, 300 K wide) is
// CALIBRATED on the B − V colours of K dwarfs and giants (Pecaut &
// Mamajek 2013, ApJS 208, 9; TestStarColours).
func starOpacitySlope(t float64) (slope, grey float64) {
	fH := 1 / (1 + math.Exp(-(t-7500)/400))
	cool := 1 / (1 + math.Exp(-(t-4900)/300))
	slope = 1.2*cool*(1-fH) + 2.6*fH
	grey = 1 / (1 + math.Exp(-(t-20000)/3000))
	return slope, grey
}

// smooth returns the smooth part of ln f_λ at rest wavelength λ (Å):
// Planck at T_λ (Teff for a grey opacity; see below) minus the
// blanketing, which stands for the many weak
// lines not in the list: τ ∝ λ⁻³, for the Sun 17% of the flux at 5000 Å,
// 22% at 4500 Å and 34% at 3800 Å, on top of the listed lines (the
// amplitude CALIBRATED, with the 4000 Å break, on the continuum shape of
// the CALSPEC solar analogs P041C, P177D and P330E from 3700 to 8000 Å; the
// Fraunhofer-line blanketing that grows toward the violet), rising toward
// cool types and scaling with metallicity as 10^(0.5[Fe/H]) (the
// ultraviolet excess of metal-poor stars: Wildey et al. 1962, ApJ 135, 94;
// Sandage 1969, ApJ 158, 1115).
func (c *starCont) smooth(lam float64) float64 { return c.smoothLn(lam, math.Log(lam)) }

// smoothLn is smooth with ln λ given (lnLam = ln lam).
func (c *starCont) smoothLn(lam, lnLam float64) float64 {
	t := c.t
	if c.slope != 0 {
		// Non-grey continuum: where κ_λ is below the mean the photosphere
		// lies deeper, where T is higher. With the grey Eddington
		// T⁴(τ) = ¾Teff⁴(τ + ⅔) and τ_λ = ⅔ at τ = ⅔·κ̄/κ_λ (Gray 2005,
		// ch. 9), the flux at λ is B_λ(T_λ), T_λ⁴ = ½Teff⁴(1 + κ̄/κ_λ),
		// κ_λ/κ̄ = (1 − e)(λ/λ₀)^s + e (starOpacitySlope).
		k := (1-c.grey)*starExp(c.slope*(lnLam-starLnOpacityRef)) + c.grey
		t *= math.Sqrt(math.Sqrt(0.5 * (1 + 1/k)))
	}
	v := -5*lnLam - math.Log(math.Expm1(hcOverK/(lam*t)))
	r := 4500 / lam
	v -= c.blank * r * r * r
	if c.violet > 0 {
		q := 4400 / lam
		q *= q
		q *= q
		v -= c.violet * q * q
	}
	return v
}

// Break and jump positions and widths (rest Å). The 4000 Å break of cool
// stars is the onset of the crowded Ca II H&K, CN and Fe I absorption
// (Bruzual 1983, ApJ 273, 105); the Balmer jump at the series limit
// 3646 Å is smeared redward to ~3700 Å by the merging high Balmer lines
// (Inglis–Teller).
const (
	starBreakAA, starBreakWidthAA = 3990, 60 // centre and half width of the step, Å
	starJumpAA, starJumpWidthAA   = 3665, 30
)

// starSteps subtracts the 4000 Å break and the Balmer jump from ln f,
// pixel by pixel.
func (g *Grid) starSteps(f []float64, c *starCont, dop float64) {
	inv := 1 / dop
	for _, s := range [2]struct{ tau, at, w float64 }{{c.brk, starBreakAA, starBreakWidthAA}, {c.jump, starJumpAA, starJumpWidthAA}} {
		if !(s.tau > 1e-4) {
			continue
		}
		// A C¹ cubic step from full depth at λ ≤ at − w to 0 at λ ≥ at + w
		// (the cubic is continuous, so which side takes a pixel right at
		// λ = at − w does not matter).
		_, full := g.Window(0, (s.at-s.w)*dop)
		_, hi := g.Window(0, (s.at+s.w)*dop)
		for i := range full {
			f[i] -= s.tau
		}
		inv2w := 1 / (2 * s.w)
		for i := full; i < hi; i++ {
			if u := (s.at + s.w - g.Wave[i]*inv) * inv2w; u > 0 {
				f[i] -= s.tau * u * u * (3 - 2*u)
			}
		}
	}
}

// starFinish turns f, ln(f_λ/continuum) on entry, into f_λ: f_i ←
// C_i·exp(f_i) with C the continuum (normalised at 5500 Å rest), exact at
// every starContinuumStep-th pixel and linear in ln C between, so that
// between nodes C is a geometric progression, one multiplication per
// pixel (its rounding error, at most ~32 ulp plus 32 times that of the
// ratio, stays below 1e-14). f is finite by construction; the clamp is a
// never-taken branch (cheaper than a NaN-aware min).
func (g *Grid) starFinish(f []float64, c *starCont, dop float64) {
	n := len(f)
	if n == 0 {
		return
	}
	inv := 1 / dop
	// ln λ of pixel i in the rest frame, from the grid's definition
	// (no log per node).
	ln0, lnStep := g.Log10Start*math.Ln10-math.Log(dop), g.Log10Step*math.Ln10
	c0 := c.smoothLn(g.Wave[0]*inv, ln0) - c.norm
	for i0 := 0; i0 < n-1; i0 += starContinuumStep {
		i1 := min(i0+starContinuumStep, n-1)
		c1 := c.smoothLn(g.Wave[i1]*inv, ln0+float64(i1)*lnStep) - c.norm
		e, r := starExp(c0), starExp((c1-c0)/float64(i1-i0))
		seg := f[i0:i1]
		for i, v := range seg {
			if v != 0 { // untouched pixels (a third of them on average) need no exp
				if v < -700 {
					v = -700
				}
				seg[i] = e * starExpCore(v)
			} else {
				seg[i] = e
			}
			e *= r
		}
		c0 = c1
	}
	f[n-1] = starExp(c0 + f[n-1])
}

// starBands applies the molecular bands to ln f.
//
// TiO: the depth of the γ(0,0) 7054 Å band follows the molecular
// equilibrium, rising by ~1 dex per Δθ = 0.33 (M0 V → M5 V: τ ≈ 0.15 →
// 1.5, the TiO5 index sequence of Reid, Hawley & Gizis 1995) and scaling
// with the Ti and O abundances (10^([α/H])); it saturates at τ ≈ 4. The
// CN violet bands of G–K stars grow toward low gravity (the CN luminosity
// effect: Lindblad 1922; Gray & Corbally 2009 §7) and with [C/H].
func (g *Grid) starBands(f []float64, theta, logg, feh, alpha, dop, broad float64, x *starExtra) {
	if x.tio > 0 {
		tau := 0.15 * math.Pow(10, 3*(theta-1.326)+alpha) * x.tio
		tau /= 1 + tau/4
		if tau > 1e-3 {
			for k, b := range starTiO {
				h := starVac.tio[k] * dop
				g.bandTau(f, h, b.scaleAA*dop, g.TotalSigmaAA(h, 0, broad), true, tau*b.rel, true)
			}
		}
	}
	cn := 0.12*starL(6*(theta-0.95))*starL(-4*(theta-1.4))*math.Pow(10, feh+x.cDex-0.25*(logg-4.5)) + x.cnViolet
	cn /= 1 + cn/4
	if cn > 1e-3 {
		for k, b := range starCNViolet {
			h := starVac.cnV[k] * dop
			g.bandTau(f, h, b.scaleAA*dop, g.TotalSigmaAA(h, 0, broad), false, cn*b.rel, true)
		}
	}
	if x.c2 > 0 {
		for k, b := range carbonC2 {
			h := starVac.c2[k] * dop
			g.bandTau(f, h, b.scaleAA*dop, g.TotalSigmaAA(h, 0, broad), false, x.c2*b.rel, true)
		}
	}
	if x.cnRed > 0 {
		for k, b := range carbonCNRed {
			h := starVac.cnRed[k] * dop
			g.bandTau(f, h, b.scaleAA*dop, g.TotalSigmaAA(h, 0, broad), true, x.cnRed*b.rel, true)
		}
	}
}

// Dwarf main-sequence log g (cgs) against Teff, piecewise linear in
// log Teff: log(GM/R²) from the masses and radii of the Pecaut & Mamajek
// (2013, ApJS 208, 9) dwarf sequence (rounded; M9 V ≈ 5.25 at 2400 K), and
// 3.92 for O dwarfs (Martins, Schaerer & Hillier 2005, Table 1).
var starMSNodes = [...]struct{ t, logg float64 }{
	{2400, 5.25}, {2850, 5.15}, {3050, 5.05}, {3400, 4.85}, {3850, 4.68}, {4450, 4.60},
	{5250, 4.55}, {5770, 4.44}, {6500, 4.30}, {7200, 4.20}, {9500, 4.15}, {15400, 4.15},
	{31500, 4.0}, {36000, 3.92}, {45000, 3.92},
}

// StarMainSequenceLogg returns the typical log g of a dwarf of effective
// temperature teffK (see starMSNodes).
func StarMainSequenceLogg(teffK float64) float64 {
	nd := &starMSNodes
	if teffK <= nd[0].t {
		return nd[0].logg
	}
	x := math.Log(teffK)
	for i := 1; i < len(nd); i++ {
		if teffK <= nd[i].t {
			a, b := math.Log(nd[i-1].t), math.Log(nd[i].t)
			return nd[i-1].logg + (x-a)/(b-a)*(nd[i].logg-nd[i-1].logg)
		}
	}
	return nd[len(nd)-1].logg
}

// starRGBLogg is the red giant branch: log g = 2.5 at 4750 K falling by
// 15.5 per dex of Teff (≈ 1.0 at 3800 K), the solar-metallicity RGB of
// 1–10 Gyr isochrones (e.g. MIST, Choi et al. 2016), shifted 110 K hotter
// per dex of lower [Fe/H]; clipped to 0.3–3.1 (the coolest M giants are
// AGB stars near log g 0.3; G giants are mostly clump and subgiant-branch
// stars at 2.5–3.5).
func starRGBLogg(teffK, feh float64) float64 {
	l := 2.5 + 15.5*math.Log10(teffK/(4750-110*feh))
	return min(max(l, 0.3), 3.1)
}

// starRVSigma is the line-of-sight velocity dispersion (km/s) of the
// population a star of this [Fe/H] most likely belongs to: thin disc
// ≈ 35, thick disc ≈ 65 (Bensby, Feltzing & Lundström 2003, A&A 410, 527),
// halo ≈ 130 (Chiba & Beers 2000, AJ 119, 2843), blended smoothly.
func starRVSigma(feh float64) float64 {
	return 35 + 30/(1+math.Exp((feh+0.45)/0.1)) + 65/(1+math.Exp((feh+1.2)/0.15))
}

// starMeanVsini is the mean projected rotation (km/s): ~120 km/s for B–A
// dwarfs (Abt & Morrell 1995, ApJS 99, 135), dropping across the Kraft
// (1967) break near 6500 K to a few km/s for G–M dwarfs; giants rotate at
// 60% of that (hot) and slowly (cool).
func starMeanVsini(teffK float64, giant bool) float64 {
	v := 5 + 115/(1+math.Exp(-(teffK-6700)/350))
	if giant {
		v *= 0.6
	}
	return v
}

// DrawStar draws the parameters of a normal star of class letter (one of
// OBAFGKM; it panics on another letter) for a survey sample: [Fe/H]
// uniform in [−2.5, +0.5]; Teff log-uniform within the letter's range for
// its luminosity class (TeffRangeClass, "V" for dwarfs, "III" for giants);
// log g from the dwarf main sequence (StarMainSequenceLogg, σ 0.2 dex) or,
// for giants, the red giant branch (σ 0.25 dex) for Teff < 6000 K and
// uniform across the giant band for hotter stars, redrawn until
// LumClass gives the intended class (V or III) so that the label and
// SpectralType agree; RV normal with the dispersion of the [Fe/H]'s
// Galactic population; BroadeningKmS the Gaussian σ equivalent to a
// rotational profile, 0.47 v sin i (the second moment of the limb-darkened
// rotation kernel of Gray 2005, ε = 0.6), v sin i from an isotropic
// inclination and starMeanVsini.
func DrawStar(rng *rand.Rand, letter byte, giant bool) StarParams {
	class := "V"
	if giant {
		class = "III"
	}
	lo, hi := TeffRangeClass(letter, class)
	if lo == 0 {
		panic("synth: DrawStar: spectral class letter " + string(letter) + " is not one of OBAFGKM")
	}
	feh := -2.5 + 3*rng.Float64()
	teff := lo * math.Exp(math.Log(hi/lo)*rng.Float64())
	sg, dw := LumClassBounds(teff)
	var logg float64
	for try := 0; ; try++ {
		switch {
		case !giant:
			logg = StarMainSequenceLogg(teff) + 0.2*rng.NormFloat64()
		case teff < 6000:
			logg = starRGBLogg(teff, feh) + 0.25*rng.NormFloat64()
		default:
			a := max(3.0, sg+0.05)
			b := max(dw-0.05, a)
			logg = a + (b-a)*rng.Float64()
		}
		if (!giant && logg >= dw && logg <= 5.6) || (giant && logg >= sg && logg < dw) {
			break
		}
		if try == 20 { // pathological: put it inside the band
			if giant {
				logg = min(max(logg, sg+0.01), dw-0.01)
			} else {
				logg = min(max(logg, dw), 5.6)
			}
			break
		}
	}
	rv := starRVSigma(feh) * rng.NormFloat64()
	cosi := rng.Float64()
	vsini := starMeanVsini(teff, giant) * 4 / math.Pi * (0.6 + 0.8*rng.Float64()) * math.Sqrt(1-cosi*cosi)
	return StarParams{TeffK: teff, Logg: logg, FeH: feh, RVKmS: rv, BroadeningKmS: 0.47 * vsini}
}
