package synth

import (
	"math"
	"math/rand/v2"
)

// Kinds of cataclysmic variable (CVParams.Kind).
const (
	CVDwarfNova = "DN" // dwarf nova in quiescence
	CVNovaLike  = "NL" // nova-like (high, steady accretion rate)
	CVPolar     = "AM" // polar (AM Her star: magnetic, no disk)
)

// CVParams are the parameters of a cataclysmic-variable spectrum (see
// Grid.CV). The continuum is the sum of a white dwarf, an accretion disk
// and the M-dwarf secondary; WDFrac, DiskFrac and SecondaryFrac are
// shares of the continuum, the first two at 5500 Å, the last at 7500 Å.
type CVParams struct {
	// Kind is CVDwarfNova, CVNovaLike or CVPolar.
	Kind string
	// RVKmS is the radial velocity of the white dwarf and the emission
	// lines (systemic plus orbital), km/s, z = v/c.
	RVKmS float64
	// WDTeffK is the white dwarf's effective temperature, K.
	WDTeffK float64
	// WDFrac is the white dwarf's share of the continuum at 5500 Å.
	WDFrac float64
	// WDBalmerEWAA is the equivalent width (Å, of the white dwarf's own
	// light) of its pressure-broadened Hβ absorption.
	WDBalmerEWAA float64
	// DiskSlope is the disk continuum slope, f_λ ∝ λ^DiskSlope.
	DiskSlope float64
	// DiskFrac is the disk's share of the continuum at 5500 Å (the rest of
	// it, 1 − WDFrac − DiskFrac, is the accretion stream or spot: a 12000 K
	// Planck curve).
	DiskFrac float64
	// SecondaryTeffK is the M-dwarf secondary's effective temperature, K.
	SecondaryTeffK float64
	// SecondaryFrac is the secondary's share of the continuum at 7500 Å.
	SecondaryFrac float64
	// SecondaryRVKmS is the secondary's radial velocity, km/s.
	SecondaryRVKmS float64
	// HalphaEWAA is the rest equivalent width of Hα emission, Å.
	HalphaEWAA float64
	// BalmerDecrement is F(Hα)/F(Hβ); the other Balmer lines follow the
	// power law in λ through these two.
	BalmerDecrement float64
	// HeIIRatio is F(He II 4686)/F(Hβ); HeIRatio is F(He I 5876)/F(Hβ).
	HeIIRatio, HeIRatio float64
	// PeakKmS is the half separation of the double peaks of the disk lines
	// (the projected Keplerian velocity of the outer disk); 0 makes them
	// single-peaked.
	PeakKmS float64
	// PeakSigmaKmS is the Gaussian σ of each peak (or of the single line).
	PeakSigmaKmS float64
	// SpotFrac is the fraction of each line's flux in a narrow component
	// (σ 60 km/s) at SpotKmS: the disk's hot spot (S-wave) in a dwarf nova,
	// the irradiated face of the secondary in a polar.
	SpotFrac, SpotKmS float64
	// AbsEWAA is the equivalent width (Å) of the broad Hβ absorption of an
	// optically thick disk (nova-likes); the other Balmer lines scale
	// with it.
	AbsEWAA float64
	// CycBMG is a polar's magnetic field (MG), CycAmp the peak height of its
	// strongest cyclotron hump relative to the continuum without the
	// secondary (0: none).
	CycBMG, CycAmp float64
}

// DrawCV draws a cataclysmic variable. Kinds: dwarf novae 50%, nova-likes
// 25%, polars 25% (dwarf novae dominate the SDSS CVs of Szkody et al.
// 2002–2011, AJ 123–142; polars are over-represented among them, ~20%).
// Ranges follow Warner (1995, "Cataclysmic Variable Stars", CUP):
//   - RVKmS: systemic N(0, 30) plus an orbital K₁ sin(phase), K₁ in
//     [30, 150] km/s; the secondary moves opposite with K₂ in [200, 450].
//   - White dwarfs 10000–30000 K (Townsley & Gänsicke 2009, ApJ 693, 1007:
//     quiescent CV white dwarfs at 10–30 kK), Hβ EW 20–50 Å (DA white
//     dwarfs at these Teff); WDFrac 0.1–0.6 in dwarf novae (the WD is seen
//     in many SDSS dwarf novae), 0–0.1 in nova-likes, 0.1–0.5 in polars.
//   - Disk: DN slope in [−2.33, −1] (optically thin quiescent disks are
//     flatter than a steady disk), share 0.3–0.8; NL slope −7/3 ± 0.2
//     (the steady-state disk f_λ ∝ λ^−7/3 of Lynden-Bell 1969, MNRAS
//     143, 327), share 0.85–0.95; polars have no disk.
//   - Secondary M0–M6 (2900–3900 K); share at 7500 Å 0–0.7 (DN), 0–0.1
//     (NL), 0.1–0.7 (AM).
//   - Emission: Hα EW 30–200 Å (DN), 2–20 (NL), 20–150 (AM); flat Balmer
//     decrements F(Hα)/F(Hβ) 1–2.5 (optically thick lines, Williams 1980,
//     ApJ 235, 939); He II/Hβ 0–0.15 (DN), 0.1–0.8 (NL; SW Sex stars are
//     the strong end), 0.5–1.5 (AM: ≳ 0.4 marks a magnetic CV, Silber
//     1992); He I 5876/Hβ 0.2–0.5.
//   - Profiles: DN peaks at ±300–800 km/s (Horne & Marsh 1986, MNRAS 218,
//     761), each of σ 0.35–0.5 of that, a hot spot of 0–20%; NL peaks at
//     ±150–400 km/s with σ 0.6–1.0 of it (barely resolved) and broad
//     Balmer absorption of Hβ EW 2–10 Å; polars single-peaked with σ
//     250–500 km/s and a narrow component of 10–30%, fields 10–80 MG
//     (Ferrario, de Martino & Gänsicke 2015, SSRv 191, 111) with
//     cyclotron humps in half of them.
func DrawCV(rng *rand.Rand) CVParams {
	u := emissionUniform
	var p CVParams
	switch x := rng.Float64(); {
	case x < 0.5:
		p.Kind = CVDwarfNova
	case x < 0.75:
		p.Kind = CVNovaLike
	default:
		p.Kind = CVPolar
	}
	phase := 2 * math.Pi * rng.Float64()
	gamma := 30 * rng.NormFloat64()
	p.RVKmS = gamma + u(rng, 30, 150)*math.Sin(phase)
	p.SecondaryRVKmS = gamma - u(rng, 200, 450)*math.Sin(phase)
	p.WDTeffK = u(rng, 10000, 30000)
	p.WDBalmerEWAA = u(rng, 20, 50)
	p.SecondaryTeffK = u(rng, 2900, 3900)
	p.BalmerDecrement = u(rng, 1, 2.5)
	p.HeIRatio = u(rng, 0.2, 0.5)
	switch p.Kind {
	case CVDwarfNova:
		p.WDFrac = u(rng, 0.1, 0.6)
		p.DiskFrac = u(rng, 0.3, 1-p.WDFrac)
		p.DiskSlope = u(rng, -2.33, -1)
		p.SecondaryFrac = u(rng, 0, 0.7)
		p.HalphaEWAA = u(rng, 30, 200)
		p.HeIIRatio = u(rng, 0, 0.15)
		p.PeakKmS = u(rng, 300, 800)
		p.PeakSigmaKmS = p.PeakKmS * u(rng, 0.35, 0.5)
		p.SpotFrac = u(rng, 0, 0.2)
		p.SpotKmS = p.PeakKmS * u(rng, -1, 1)
	case CVNovaLike:
		p.WDFrac = u(rng, 0, 0.1)
		p.DiskFrac = u(rng, 0.85, 0.95)
		p.DiskSlope = -7.0/3 + u(rng, -0.2, 0.2)
		p.SecondaryFrac = u(rng, 0, 0.1)
		p.HalphaEWAA = u(rng, 2, 20)
		p.HeIIRatio = u(rng, 0.1, 0.8)
		p.PeakKmS = u(rng, 150, 400)
		p.PeakSigmaKmS = p.PeakKmS * u(rng, 0.6, 1.0)
		p.AbsEWAA = u(rng, 2, 10)
	default:
		p.WDFrac = u(rng, 0.1, 0.5)
		p.SecondaryFrac = u(rng, 0.1, 0.7)
		p.HalphaEWAA = u(rng, 20, 150)
		p.HeIIRatio = u(rng, 0.5, 1.5)
		p.PeakSigmaKmS = u(rng, 250, 500)
		p.SpotFrac = u(rng, 0.1, 0.3)
		p.SpotKmS = p.SecondaryRVKmS - p.RVKmS
		p.CycBMG = u(rng, 10, 80)
		if rng.Float64() < 0.5 {
			p.CycAmp = u(rng, 0.1, 0.8)
		}
	}
	return p
}

// Reference wavelengths of the continuum shares, Å.
const (
	cvRefAA       = 5500.0
	cvSecRefAA    = 7500.0
	cvStreamTeffK = 12000.0 // accretion stream / column continuum, K
)

// cvBalmer are the Balmer lines in emission and in the white dwarf's and
// disk's absorption, with relative absorption EWs of a DA white dwarf near
// 15000 K (Hβ = 1; Hα weaker, the higher lines merging: after the DA
// models of Koester 2010, Mem. SAIt 81, 921).
var cvBalmer = [...]struct{ restAA, absRel float64 }{
	{emissionHalpha, 0.7}, {emissionHbeta, 1}, {emissionHgamma, 1},
	{emissionHdelta, 0.9}, {emissionHeps, 0.7}, {3890.16, 0.5}, // H8, air 3889.05
}

// cvHeI are the He I lines relative to He I 5876 (typical of dwarf-nova
// disks; Warner 1995 §2.7.4 and the SDSS CV spectra of Szkody et al.).
var cvHeI = [...]struct{ restAA, rel float64 }{
	{emissionHeI447, 0.5}, {emissionHeI492, 0.3}, {emissionHeI502, 0.25},
	{emissionHeI588, 1}, {emissionHeI668, 0.5}, {emissionHeI706, 0.35},
}

// cvHeIIRel is He II 5411/4686, from Case B recombination of He⁺ at
// 10⁴–2×10⁴ K (Storey & Hummer 1995, MNRAS 272, 41: ≈ 0.08).
const cvHeIIRel = 0.08

// CV overwrites f (len(g.Wave)) with the observed-frame f_λ of a
// cataclysmic variable, normalised so the continuum is 1 at the middle
// pixel of the grid:
//
//   - continuum: a white-dwarf Planck curve with broad Balmer absorption
//     troughs, a disk power law f_λ ∝ λ^DiskSlope (nova-likes: the broad
//     Balmer absorption of an optically thick disk), a 12000 K
//     accretion-stream Planck curve for the rest of the light at 5500 Å,
//     the M-dwarf secondary, and a polar's cyclotron humps at the
//     harmonics λ_n = λ_c/n of the cyclotron wavelength
//     λ_c = 2π m_e c²/(eB) = 1.0710e6 Å/(B/MG) (Cropper 1990, SSRv 54,
//     195), each of FWHM 15% of λ_n, falling by 0.7 per harmonic (and
//     dropped below 1% of the continuum);
//   - emission: Balmer (Hα…H8), He I and He II 4686/5411 lines, each two
//     Gaussians at ±PeakKmS (Horne & Marsh 1986) or one, plus a narrow
//     spot component, at (1+RVKmS/c)·λ_rest.
//
// It is safe for concurrent use and allocates nothing in steady state.
func (g *Grid) CV(f []float64, p CVParams) {
	n := len(f)
	if n == 0 {
		return
	}
	clear(f)
	dop := DopplerFactor(p.RVKmS)
	// Continuum shares at 5500 Å (shapes normalised to 1 there).
	wdRef, streamRef := 1/emissionPlanck(cvRefAA, p.WDTeffK), 1/emissionPlanck(cvRefAA, cvStreamTeffK)
	wd := func(w float64) float64 { return emissionPlanck(w/dop, p.WDTeffK) * wdRef }
	disk := func(w float64) float64 { return math.Exp(p.DiskSlope * math.Log(w/cvRefAA)) }
	stream := func(w float64) float64 { return emissionPlanck(w, cvStreamTeffK) * streamRef }
	wdW, diskW := max(p.WDFrac, 0), max(p.DiskFrac, 0)
	streamW := max(1-wdW-diskW, 0)
	cont := func(w float64) float64 { return wdW*wd(w) + diskW*disk(w) + streamW*stream(w) }
	g.emissionAddSmooth(f, 1, cont)
	// White-dwarf and disk Balmer absorption, subtracted from their own
	// light (depths stay below ~60% of it).
	for _, b := range cvBalmer {
		obs := b.restAA * dop
		if wdW > 0 && p.WDBalmerEWAA > 0 {
			// Pressure-broadened: σ ≈ 30 Å at Hβ, scaling with λ.
			s := g.TotalSigmaAA(obs, 30*b.restAA/emissionHbeta, 0)
			g.emissionAdd(f, obs, s, -p.WDBalmerEWAA*b.absRel*wdW*wd(obs))
		}
		if diskW > 0 && p.AbsEWAA > 0 {
			s := g.TotalSigmaAA(obs, 0, 1500) // the disk's Keplerian + thermal width
			g.emissionAdd(f, obs, s, -p.AbsEWAA*b.absRel*diskW*disk(obs))
		}
	}
	// The secondary, scaled by the continuum without it at 7500 Å.
	if fr := min(max(p.SecondaryFrac, 0), 0.95); fr > 0 {
		g.cvSecondary(f, fr/(1-fr)*cont(cvSecRefAA), fr, p.SecondaryTeffK, p.SecondaryRVKmS)
	}
	norm := f[n/2] // continuum 1 at the middle pixel (applied at the end)
	// Cyclotron humps (heights relative to the continuum without the
	// secondary).
	if p.CycBMG > 0 && p.CycAmp > 0 {
		lc := 1.0710e6 / p.CycBMG
		first := true
		amp := p.CycAmp
		for h := 1; h <= 40; h++ {
			lam := lc / float64(h)
			if lam < g.Wave[0]*0.8 {
				break
			}
			if lam > g.Wave[n-1]*1.2 {
				continue
			}
			if !first {
				amp *= 0.7
			}
			first = false
			if amp < 0.01 {
				break // the remaining humps are below 1% of the continuum
			}
			s := 0.15 * lam * fwhmToSigma
			g.emissionAdd(f, lam, s, amp*cont(lam)*s*math.Sqrt(2*math.Pi))
		}
	}
	// The Hα anchor, measured on the continuum built so far.
	haObs := emissionHalpha * dop
	anchor := g.emissionMeanAt(f, haObs, 3)
	if math.IsNaN(anchor) {
		anchor = cont(haObs)
	}
	// Emission lines.
	ha := p.HalphaEWAA * anchor
	hb := ha / max(p.BalmerDecrement, 0.1)
	s := math.Log(max(p.BalmerDecrement, 0.1)) / math.Log(emissionHalpha/emissionHbeta)
	for _, b := range cvBalmer {
		g.cvLine(f, &p, b.restAA*dop, hb*math.Pow(b.restAA/emissionHbeta, s))
	}
	he1 := hb * p.HeIRatio
	for _, l := range cvHeI {
		g.cvLine(f, &p, l.restAA*dop, he1*l.rel)
	}
	g.cvLine(f, &p, emissionHeII*dop, hb*p.HeIIRatio)
	g.cvLine(f, &p, emissionHeII54*dop, hb*p.HeIIRatio*cvHeIIRel)
	if norm > 0 {
		inv := 1 / norm
		for i := range f {
			f[i] *= inv
		}
	}
}

// cvLine adds a disk emission line of the given flux at obsAA: two peaks at
// ±PeakKmS (or one) plus the narrow spot component.
func (g *Grid) cvLine(f []float64, p *CVParams, obsAA, flux float64) {
	if !(flux > 0) {
		return
	}
	spot := min(max(p.SpotFrac, 0), 1)
	disk := flux * (1 - spot)
	s := g.TotalSigmaAA(obsAA, 0, p.PeakSigmaKmS)
	if p.PeakKmS > 0 {
		d := obsAA * p.PeakKmS / SpeedOfLightKmS
		g.emissionAdd(f, obsAA-d, s, disk/2)
		g.emissionAdd(f, obsAA+d, s, disk/2)
	} else {
		g.emissionAdd(f, obsAA, s, disk)
	}
	if spot > 0 {
		g.emissionAdd(f, obsAA*(1+p.SpotKmS/SpeedOfLightKmS), g.TotalSigmaAA(obsAA, 0, 60), flux*spot)
	}
}

// cvSecondaryLogg is the secondary's surface gravity: a Roche-lobe-filling
// M dwarf on the donor sequence has log g ≈ 4.8–5.0 (Knigge 2006, MNRAS
// 373, 484).
const cvSecondaryLogg = 4.9

// cvSecondaryStarMin is the share at 7500 Å from which the secondary is
// drawn with the Star model (TiO bands and all); fainter ones, which
// change the continuum by less than ~5%, are a Planck curve.
const cvSecondaryStarMin = 0.05

// cvSecondary adds w·S(λ)/S(7500 Å) for the secondary's spectrum S: the
// Star model of an M dwarf of the given Teff at solar metallicity when
// share ≥ cvSecondaryStarMin, else its Planck curve.
func (g *Grid) cvSecondary(f []float64, w, share, teffK, rvKmS float64) {
	dop := DopplerFactor(rvKmS)
	if share < cvSecondaryStarMin {
		ref := 1 / emissionPlanck(cvSecRefAA, teffK)
		g.emissionAddSmooth(f, w, func(x float64) float64 { return emissionPlanck(x/dop, teffK) * ref })
		return
	}
	sp, s := emissionGetScratch(len(f))
	defer emissionScratch.Put(sp)
	g.Star(s, StarParams{TeffK: teffK, Logg: cvSecondaryLogg, RVKmS: rvKmS})
	ref := g.emissionMeanAt(s, cvSecRefAA*dop, 10)
	if !(ref > 0) {
		return
	}
	w /= ref
	for i := range f {
		f[i] += w * s[i]
	}
}
