// Package sim makes labelled synthetic spectra in the survey layouts, for
// demos, benchmarks, pipeline tests and training.
//
// Quick is the fast sampler used by `astroone demo` and the benchmarks: a
// Planck continuum with the strongest stellar absorption features for
// stars, an old stellar continuum with nebular emission lines for
// galaxies, and a power law with broad emission lines for QSOs, observed
// through a Gaussian line-spread function at R≈1800 on the LAMOST grid
// with Gaussian noise at a requested S/N. Every spectrum is a pure
// function of (seed, index), so samples can be made in parallel and
// reproduced exactly.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// Resolution is the LAMOST LRS resolving power used for line widths.
const Resolution = 1800

// Labels are the true parameters of a simulated object.
type Labels struct {
	Class    string  // STAR, GALAXY or QSO (survey pipeline classes)
	Subclass string  // MK type for stars (e.g. G2), else empty
	TeffK    float64 // stars: effective temperature, K
	Logg     float64 // stars: log10 surface gravity, cgs
	FeH      float64 // stars: [Fe/H], dex
	RVKmS    float64 // stars: radial velocity, km/s
	Z        float64 // redshift (stars: RV/c)
	SNR      float64 // requested median S/N per pixel
}

// line is a spectral feature at a vacuum rest wavelength.
type line struct {
	name    string
	waveAA  float64
	sigmaAA float64 // intrinsic Gaussian width before the LSF
}

// Vacuum rest wavelengths (Å) from the SDSS line list and NIST.
var (
	balmer = []line{{"Halpha", 6564.61, 3}, {"Hbeta", 4862.68, 3}, {"Hgamma", 4341.68, 3}, {"Hdelta", 4102.89, 3}, {"Hepsilon", 3971.20, 3}}
	metals = []line{{"CaII_K", 3934.78, 2}, {"CaII_H", 3969.59, 2}, {"CaI_4227", 4227.92, 1}, {"Gband", 4305.0, 6},
		{"Mgb_5169", 5168.76, 1}, {"Mgb_5174", 5174.13, 1}, {"Mgb_5185", 5185.05, 1}, {"NaD_5892", 5891.58, 1}, {"NaD_5898", 5897.56, 1}}
	nebular = []line{{"OII_3727", 3728.48, 2}, {"Hbeta", 4862.68, 2}, {"OIII_5008", 5008.24, 2}, {"NII_6585", 6585.27, 2}, {"Halpha", 6564.61, 2}}
	broad   = []line{{"CIV", 1549.06, 0}, {"CIII]", 1908.73, 0}, {"MgII", 2799.12, 0}, {"Hbeta", 4862.68, 0}, {"Halpha", 6564.61, 0}}
)

// mkAnchors are dwarf Teff values (K) at selected MK subtypes, after
// Pecaut & Mamajek (2013, ApJS 208, 9; their Table 5). A subtype is coded
// as 10*letter index (O=0 ... M=6) + digit.
var mkAnchors = []struct {
	code  float64
	teffK float64
}{{5, 41400}, {10, 31400}, {15, 15700}, {20, 9700}, {25, 8080}, {30, 7220}, {35, 6510},
	{40, 5920}, {42, 5770}, {45, 5660}, {50, 5270}, {55, 4440}, {60, 3850}, {65, 3060}, {69, 2400}}

// Subclass returns the MK subclass (e.g. "G2") nearest to a Teff in K,
// interpolating the anchor table in log Teff.
func Subclass(teffK float64) string {
	code := mkAnchors[0].code
	switch {
	case teffK >= mkAnchors[0].teffK:
	case teffK <= mkAnchors[len(mkAnchors)-1].teffK:
		code = mkAnchors[len(mkAnchors)-1].code
	default:
		for i := 1; i < len(mkAnchors); i++ {
			a, b := mkAnchors[i-1], mkAnchors[i]
			if teffK >= b.teffK {
				f := math.Log(a.teffK/teffK) / math.Log(a.teffK/b.teffK)
				code = a.code + f*(b.code-a.code)
				break
			}
		}
	}
	c := int(math.Round(code))
	return fmt.Sprintf("%c%d", "OBAFGKM"[c/10], c%10)
}

// Quick is a fast, deterministic sampler of labelled spectra.
type Quick struct {
	Seed   uint64
	SNRMin float64 // S/N drawn log-uniformly in [SNRMin, SNRMax]
	SNRMax float64
	wave   []float64
}

// NewQuick returns a sampler on the LAMOST grid with S/N between 5 and 100.
func NewQuick(seed uint64) *Quick {
	return NewQuickOnGrid(seed, prep.LAMOSTGrid())
}

// NewQuickOnGrid returns a sampler whose spectra are sampled on g (for
// example prep.SDSSGrid() for SDSS/BOSS-like files).
func NewQuickOnGrid(seed uint64, g prep.Grid) *Quick {
	return &Quick{Seed: seed, SNRMin: 5, SNRMax: 100, wave: g.Wavelengths()}
}

// Spectrum returns object i of the sample and its labels. The mix is 80%
// stars, 12% galaxies and 8% QSOs.
func (q *Quick) Spectrum(i int) (*spectrum.Spectrum, Labels) {
	rng := rand.New(rand.NewPCG(q.Seed, uint64(i)))
	lab := Labels{SNR: q.SNRMin * math.Pow(q.SNRMax/q.SNRMin, rng.Float64())}
	model := make([]float64, len(q.wave))
	switch u := rng.Float64(); {
	case u < 0.80:
		lab.Class = "STAR"
		lab.TeffK = 3200 * math.Pow(30000.0/3200, rng.Float64()*rng.Float64())
		lab.Logg = 1 + 4*rng.Float64()
		lab.FeH = -2.5 + 3*rng.Float64()
		lab.RVKmS = 60 * rng.NormFloat64()
		lab.Z = lab.RVKmS / prep.SpeedOfLightKmS
		lab.Subclass = Subclass(lab.TeffK)
		q.star(model, lab)
	case u < 0.92:
		lab.Class = "GALAXY"
		lab.Z = 0.01 + 0.3*rng.Float64()
		q.galaxy(model, lab, rng)
	default:
		lab.Class = "QSO"
		lab.Z = 0.2 + 2.8*rng.Float64()
		q.qso(model, lab, rng)
	}
	s := q.observe(model, lab, rng)
	s.Meta.ID = fmt.Sprintf("%d", 100000000+i)
	s.Meta.Class, s.Meta.Subclass = lab.Class, lab.Subclass
	s.Meta.Z = lab.Z
	s.Meta.ZErr = 1 / (lab.SNR * 1000)
	s.Meta.RA = 360 * rng.Float64()
	s.Meta.Dec = math.Asin(2*rng.Float64()-1) * 180 / math.Pi
	s.Meta.SNR = map[string]float64{"g": lab.SNR}
	s.Meta.DataRelease = "AstroOne-Go quick sample"
	return s, lab
}

// planck returns B_λ(T) up to a constant, λ in Å.
func planck(waveAA, teffK float64) float64 {
	const hcOverK = 1.438777e8 // h c / k in Å K
	return 1 / (math.Pow(waveAA, 5) * (math.Exp(hcOverK/(waveAA*teffK)) - 1))
}

// lsfSigma returns the Gaussian sigma (Å) of the line-spread function.
func lsfSigma(waveAA float64) float64 { return waveAA / Resolution / 2.3548 }

// addLine adds amp·G(λ; centre, σ) to model in place, σ combining the
// intrinsic width and the LSF, over ±5σ only.
func (q *Quick) addLine(model []float64, centreAA, sigmaAA, amp float64, relative bool) {
	sig := math.Hypot(sigmaAA, lsfSigma(centreAA))
	lo, hi := centreAA-5*sig, centreAA+5*sig
	for i, w := range q.wave {
		if w < lo || w > hi {
			continue
		}
		g := amp * math.Exp(-0.5*((w-centreAA)/sig)*((w-centreAA)/sig))
		if relative {
			model[i] *= 1 - g
		} else {
			model[i] += g
		}
	}
}

// star: Planck continuum; Balmer depth peaking near 9500 K (A0-A2) and
// widening with gravity; metal lines growing toward cool types and with
// [Fe/H]; Mg b and Na D stronger at high gravity.
func (q *Quick) star(model []float64, lab Labels) {
	for i, w := range q.wave {
		model[i] = planck(w, lab.TeffK)
	}
	shift := 1 + lab.RVKmS/prep.SpeedOfLightKmS
	lt := math.Log10(lab.TeffK)
	balmerDepth := 0.7 * math.Exp(-math.Pow((lt-math.Log10(9500))/0.15, 2))
	for _, l := range balmer {
		q.addLine(model, l.waveAA*shift, l.sigmaAA*(0.5+0.4*lab.Logg), balmerDepth, true)
	}
	cool := 1 / (1 + math.Exp((lab.TeffK-5800)/700)) // 0 for hot, 1 for cool stars
	metal := math.Pow(10, 0.4*lab.FeH)
	for _, l := range metals {
		depth := 0.6 * cool * metal
		if l.name[:3] == "Mgb" || l.name[:3] == "NaD" {
			depth *= 0.6 + 0.1*lab.Logg
		}
		q.addLine(model, l.waveAA*shift, l.sigmaAA, math.Min(depth, 0.9), true)
	}
}

// galaxy: a 5000 K continuum with emission lines of random strength.
func (q *Quick) galaxy(model []float64, lab Labels, rng *rand.Rand) {
	for i, w := range q.wave {
		model[i] = planck(w/(1+lab.Z), 5000)
	}
	peak := planck(5500, 5000)
	sf := rng.Float64() // star-formation strength
	for _, l := range nebular {
		q.addLine(model, l.waveAA*(1+lab.Z), l.sigmaAA*(1+lab.Z), 3*sf*peak*(0.3+rng.Float64()), false)
	}
}

// qso: f_λ ∝ λ^-1.5 with broad lines of σ = 3000 km/s.
func (q *Quick) qso(model []float64, lab Labels, rng *rand.Rand) {
	for i, w := range q.wave {
		model[i] = math.Pow(w/5000, -1.5)
	}
	for _, l := range broad {
		c := l.waveAA * (1 + lab.Z)
		q.addLine(model, c, c*3000/prep.SpeedOfLightKmS, 0.5+rng.Float64(), false)
	}
}

// observe scales the model to a median of 100 counts and adds Gaussian
// noise with σ = median/SNR.
func (q *Quick) observe(model []float64, lab Labels, rng *rand.Rand) *spectrum.Spectrum {
	med := median(model)
	n := len(model)
	s := &spectrum.Spectrum{
		WavelengthAA: append([]float64(nil), q.wave...), Vacuum: true, FluxUnit: "relative flux",
		Flux: make([]float64, n), Ivar: make([]float64, n), AndMask: make([]uint32, n), OrMask: make([]uint32, n),
		Meta: spectrum.NewMeta(),
	}
	sigma := 100 / lab.SNR
	for i, m := range model {
		s.Flux[i] = 100*m/med + sigma*rng.NormFloat64()
		s.Ivar[i] = 1 / (sigma * sigma)
	}
	s.Meta.Survey = spectrum.SurveyLAMOST
	return s
}

func median(v []float64) float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c[len(c)/2]
}
