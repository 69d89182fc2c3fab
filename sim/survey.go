package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/astroone/astroone-go/sim/observe"
	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// Survey names the spectrograph and file conventions a Simulator imitates.
type Survey string

// Surveys the simulator can imitate.
const (
	SurveyLAMOST Survey = "lamost" // LAMOST LRS: 3908 px, 3700–9100 Å, R≈1800
	SurveySDSS   Survey = "sdss"   // SDSS/BOSS: 4648 px, 3567–10400 Å, R≈2000
)

// Config chooses what a Simulator makes. The zero value of each field
// means its default.
type Config struct {
	Seed    uint64  // random seed; (Seed, index) fixes each object
	Survey  Survey  // SurveyLAMOST (default) or SurveySDSS
	Classes []Class // classes drawn with equal probability; all when empty
	SNRMin  float64 // g-band S/N drawn log-uniformly in [SNRMin, SNRMax]; 5 and 100 by default
	SNRMax  float64
	// GiantFraction is the share of luminosity class III (and I) among
	// F/G/K/M stars; 0.4 by default. Hotter stars get half of it.
	GiantFraction float64
}

// Labels are the true parameters of a simulated object. Values that do
// not apply to the class are NaN (written as empty cells).
type Labels struct {
	Class    Class
	Subclass string  // MK type ("K3III"), carbon kind (C-R/C-N/C-H), CV kind (DN/NL/AM), galaxy kind (PASSIVE/STARFORMING/AGN); empty for QSOs
	TeffK    float64 // stars and carbon stars: effective temperature, K
	Logg     float64 // stars and carbon stars: log10 surface gravity, cgs
	FeH      float64 // stars and carbon stars: [Fe/H], dex
	RVKmS    float64 // stars, carbon stars and CVs: heliocentric radial velocity, km/s
	Z        float64 // redshift; for stars and CVs RV/c
	EBV      float64 // Galactic reddening E(B−V), mag
	SNR      float64 // requested median S/N per pixel in the g band
}

// Simulator makes labelled spectra. It is safe for concurrent use; each
// goroutine needs its own Worker.
type Simulator struct {
	cfg     Config
	ins     *observe.Instrument
	grid    *synth.Grid
	classes []Class
}

// New returns a Simulator for cfg.
func New(cfg Config) (*Simulator, error) {
	if cfg.Survey == "" {
		cfg.Survey = SurveyLAMOST
	}
	if cfg.SNRMin == 0 && cfg.SNRMax == 0 {
		cfg.SNRMin, cfg.SNRMax = 5, 100
	}
	if !(cfg.SNRMin > 0) || !(cfg.SNRMax >= cfg.SNRMin) || math.IsInf(cfg.SNRMax, 0) {
		return nil, fmt.Errorf("simulator: S/N range %g:%g: need 0 < MIN <= MAX", cfg.SNRMin, cfg.SNRMax)
	}
	if cfg.GiantFraction == 0 {
		cfg.GiantFraction = 0.4
	}
	if cfg.GiantFraction < 0 || cfg.GiantFraction > 1 {
		return nil, fmt.Errorf("simulator: giant fraction %g is not in [0, 1]", cfg.GiantFraction)
	}
	s := &Simulator{cfg: cfg, classes: cfg.Classes}
	if len(s.classes) == 0 {
		s.classes = AllClasses
	}
	for _, c := range s.classes {
		if c.Index() < 0 {
			return nil, fmt.Errorf("simulator: unknown class %q", c)
		}
	}
	switch cfg.Survey {
	case SurveyLAMOST:
		s.ins = observe.LAMOST()
	case SurveySDSS:
		s.ins = observe.SDSS()
	default:
		return nil, fmt.Errorf("simulator: unknown survey %q (want lamost or sdss)", cfg.Survey)
	}
	s.grid = s.ins.Grid()
	return s, nil
}

// Config returns the configuration with defaults filled in.
func (s *Simulator) Config() Config { return s.cfg }

// Worker makes spectra for one goroutine, reusing its buffers.
type Worker struct {
	sim   *Simulator
	obs   *observe.Observer
	model []float64
}

// NewWorker returns a Worker.
func (s *Simulator) NewWorker() *Worker {
	return &Worker{sim: s, obs: s.ins.NewObserver(), model: make([]float64, len(s.grid.Wave))}
}

// Spectrum makes object i into out (whose slices are reused when large
// enough) and returns its labels. The result depends only on the
// simulator's configuration and i.
func (w *Worker) Spectrum(i int, out *spectrum.Spectrum) Labels {
	s := w.sim
	rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(i)))
	cls := s.classes[rng.IntN(len(s.classes))]
	nan := math.NaN()
	lab := Labels{Class: cls, TeffK: nan, Logg: nan, FeH: nan, RVKmS: nan}
	cond := observe.DrawConditions(rng, s.cfg.SNRMin, s.cfg.SNRMax)
	lab.SNR, lab.EBV = cond.SNRg, cond.EBV
	g := s.grid
	switch {
	case cls.IsNormalStar():
		giant := rng.Float64() < s.giantFraction(cls)
		p := synth.DrawStar(rng, cls[0], giant)
		lab.TeffK, lab.Logg, lab.FeH, lab.RVKmS = p.TeffK, p.Logg, p.FeH, p.RVKmS
		lab.Subclass = synth.SpectralType(p.TeffK, p.Logg)
		lab.Class = Class(lab.Subclass[:1]) // near a boundary the type decides the letter
		g.Star(w.model, p)
	case cls == ClassCarbon:
		p := synth.DrawCarbon(rng)
		lab.TeffK, lab.Logg, lab.FeH, lab.RVKmS, lab.Subclass = p.TeffK, p.Logg, p.FeH, p.RVKmS, p.Kind
		g.CarbonStar(w.model, p)
	case cls == ClassCV:
		p := synth.DrawCV(rng)
		lab.RVKmS, lab.Subclass = p.RVKmS, p.Kind
		g.CV(w.model, p)
	case cls == ClassQSO:
		p := synth.DrawQSO(rng)
		lab.Z = p.Z
		g.QSO(w.model, p)
	case cls == ClassGalaxy:
		kinds := [...]string{"PASSIVE", "STARFORMING", "AGN"}
		p := synth.DrawGalaxy(rng, kinds[rng.IntN(len(kinds))])
		lab.Z, lab.Subclass = p.Z, p.Kind
		g.Galaxy(w.model, p)
	}
	if !math.IsNaN(lab.RVKmS) {
		lab.Z = lab.RVKmS / synth.SpeedOfLightKmS
	}
	out.Meta = spectrum.NewMeta() // nothing stale from a previous object
	w.obs.Observe(w.model, cond, rng, out)
	s.fillMeta(out, i, lab, rng)
	return lab
}

// giantFraction returns the probability that a star of class c is drawn as
// a giant: cfg.GiantFraction for F–M, half of it for O–A (hot giants are
// rarer in magnitude-limited surveys).
func (s *Simulator) giantFraction(c Class) float64 {
	switch c {
	case ClassO, ClassB, ClassA:
		return s.cfg.GiantFraction / 2
	}
	return s.cfg.GiantFraction
}

// Spectrum makes object i in a new Spectrum. For many spectra, use a
// Worker per goroutine, which reuses its buffers.
func (s *Simulator) Spectrum(i int) (*spectrum.Spectrum, Labels) {
	out := new(spectrum.Spectrum)
	lab := s.NewWorker().Spectrum(i, out)
	return out, lab
}
