package baseline

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
)

// gauss is a Gaussian line profile of unit peak.
func gauss(x, mu, sigma float64) float64 {
	d := (x - mu) / sigma
	return math.Exp(-0.5 * d * d)
}

// synthSpectrum makes a noiseless spectrum on grid g of a toy object of
// class c at redshift z with shape parameters a, b ∈ [0, 1], times a
// smooth calibration factor. Stars: unit continuum with two families of
// absorption lines scaled by a and b; QSOs: a power law with broad
// emission lines scaled by a; galaxies: a 4000 Å break of depth a with
// narrow emission lines scaled by b. Every class is thus a rank-3 family
// in its rest frame.
func synthSpectrum(g prep.Grid, c int, z, a, b, calib float64) dataset.Example {
	ex := dataset.Example{Flux: make([]float32, g.N), Ivar: make([]float32, g.N), Labels: dataset.Unlabelled()}
	ex.Labels.Class = c
	for i := range g.N {
		rest := g.WavelengthAA(i) / (1 + z)
		x := 2*float64(i)/float64(g.N-1) - 1
		var f float64
		switch c {
		case 4: // star
			f = 1
			for k, l := range []float64{3934, 4227, 4384, 5175, 5270, 5895, 6495, 8542} {
				depth := 0.5 * a
				if k%2 == 1 {
					depth = 0.4 * b
				}
				f -= depth * gauss(rest, l, 1.5*l/1800/2.355)
			}
		case classQSO:
			f = math.Pow(rest/3000, -1.2)
			for _, l := range []float64{1216, 1549, 1909, 2799, 4861, 6563} {
				f += (0.5 + a) * gauss(rest, l, l*0.012)
			}
		case classGalaxy:
			f = 1
			if rest < 4000 {
				f = 1 - 0.5*a
			}
			for _, l := range []float64{3727, 4862.7, 5008.2, 6564.6} {
				f += 2 * b * gauss(rest, l, 2.5)
			}
		}
		ex.Flux[i] = float32(100 * f * (1 + calib*x))
		ex.Ivar[i] = 1e2
	}
	if c == 4 {
		ex.Labels.Params[dataset.ParamRV] = z * SpeedOfLightKmS
		ex.Labels.Params[dataset.ParamTeff] = 5000 + 1000*a
		ex.Labels.Params[dataset.ParamLogg] = 4
		ex.Labels.Params[dataset.ParamFeH] = 0
	} else {
		ex.Labels.Params[dataset.ParamZ] = z
	}
	return ex
}

// synthSet makes n toy spectra of each of the three toy classes, with
// calibration factors 1 + calib·N(0,1)·x. Test sets (inner) draw
// redshifts inside the training range.
func synthSet(g prep.Grid, n int, seed uint64, calib float64, inner bool) *dataset.Set {
	rng := rand.New(rand.NewPCG(seed, 2))
	s := &dataset.Set{Grid: g}
	for range n {
		for _, c := range []int{4, classQSO, classGalaxy} {
			var z float64
			switch c {
			case 4:
				z = (rng.Float64()*600 - 300) / SpeedOfLightKmS
			case classQSO:
				z = 0.3 + 2.5*rng.Float64()
			default:
				z = 0.02 + 0.45*rng.Float64()
			}
			if inner && c != 4 {
				z = 0.1 + 0.8*z
			}
			s.Examples = append(s.Examples, synthSpectrum(g, c, z, rng.Float64(), rng.Float64(), calib*rng.NormFloat64()))
		}
	}
	return s
}

func TestTemplateFitterRecoversToyRedshifts(t *testing.T) {
	g := prep.LAMOSTGrid()
	// Training spectra are exact rank-3 families in the rest frame; test
	// spectra with and without a 5% calibration error (absorbed by the
	// polynomial) must come out at the right redshift to a pixel or less
	// (one pixel is 2.3e-4 in Δz/(1+z), 69 km/s). Measured: stars 3.2
	// km/s, QSOs 1.3e-4 (their lines are 50 pixels wide), galaxies 1.0e-5,
	// about the same with and without the calibration error.
	train := synthSet(g, 30, 1, 0, false)
	f, err := FitTemplates(train, TemplateOptions{Components: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.TrainedClasses(); got[4] != 30 || got[classQSO] != 30 || got[classGalaxy] != 30 || got[0] != 0 {
		t.Fatalf("trained classes %v", got)
	}
	// Toy stars: Teff 5000–6000 K, i.e. log10 Teff/0.02 from 184.9 to
	// 188.9 (five cells), logg 4 and [Fe/H] 0 (one cell each).
	if n := f.Archetypes(); n != 5 {
		t.Errorf("%d archetypes, want 5", n)
	}
	for _, tc := range []struct {
		calib, ztol, rvtol float64
	}{{0, 4e-4, 5}, {0.05, 4e-4, 5}} {
		test := synthSet(g, 6, 2, tc.calib, true)
		var worst [dataset.NumClasses]float64
		defer func() { t.Logf("calib %g: largest |Δz|/(1+z) or |ΔRV| (km/s) per class: %.3g", tc.calib, worst) }()
		for i, p := range f.PredictAll(test.Examples) {
			l := test.Examples[i].Labels
			if l.Class == 4 {
				worst[4] = max(worst[4], math.Abs(p.RVKmS-l.Params[dataset.ParamRV]))
			} else {
				worst[l.Class] = max(worst[l.Class], math.Abs(p.Z-l.Params[dataset.ParamZ])/(1+l.Params[dataset.ParamZ]))
			}
			if p.Class != l.Class {
				t.Errorf("calib %g example %d: class %d, want %d (χ² %v)", tc.calib, i, p.Class, l.Class, p.Chi2)
				continue
			}
			switch l.Class {
			case 4:
				rv := l.Params[dataset.ParamRV]
				if math.Abs(p.RVKmS-rv) > tc.rvtol || math.Abs(p.Params[dataset.ParamRV]-rv) > tc.rvtol {
					t.Errorf("calib %g star %d: RV %.2f km/s, want %.2f", tc.calib, i, p.RVKmS, rv)
				}
				if !math.IsNaN(p.Params[dataset.ParamZ]) || math.Abs(p.Params[dataset.ParamTeff]-l.Params[dataset.ParamTeff]) > 250 {
					t.Errorf("calib %g star %d: params %v, want Teff %.0f and no z", tc.calib, i, p.Params, l.Params[dataset.ParamTeff])
				}
			default:
				z := l.Params[dataset.ParamZ]
				tol := tc.ztol
				if l.Class == classGalaxy {
					tol = 1e-4
				}
				if d := math.Abs(p.Z-z) / (1 + z); d > tol {
					t.Errorf("calib %g class %d example %d: z %.5f, want %.5f", tc.calib, l.Class, i, p.Z, z)
				}
				if !math.IsNaN(p.RVKmS) || !math.IsNaN(p.Params[dataset.ParamTeff]) {
					t.Errorf("class %d example %d: RV %v, Teff %v for an extragalactic class", l.Class, i, p.RVKmS, p.Params[dataset.ParamTeff])
				}
			}
			if !math.IsNaN(p.Chi2[0]) || math.IsNaN(p.Chi2[l.Class]) {
				t.Errorf("χ² per class %v: want NaN for untrained classes only", p.Chi2)
			}
		}
	}
}

func TestTemplateFitterErrors(t *testing.T) {
	g := prep.LAMOSTGrid()
	if _, err := FitTemplates(&dataset.Set{Grid: g}, TemplateOptions{}); !errors.Is(err, ErrNoTraining) {
		t.Errorf("empty set: %v", err)
	}
	// Too few examples of any class.
	if _, err := FitTemplates(synthSet(g, 2, 1, 0, false), TemplateOptions{}); !errors.Is(err, ErrNoTraining) {
		t.Errorf("two per class: %v", err)
	}
	if _, err := FitTemplates(&dataset.Set{Grid: prep.Grid{}, Examples: make([]dataset.Example, 3)}, TemplateOptions{}); err == nil {
		t.Error("invalid grid accepted")
	}
	f, err := FitTemplates(synthSet(g, 8, 1, 0, false), TemplateOptions{Components: 2, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A spectrum with no usable pixel gets class −1 and NaNs, not a panic.
	ex := dataset.Example{Flux: make([]float32, g.N), Ivar: make([]float32, g.N)}
	ex.Flux[5] = float32(math.NaN())
	p := f.Predict(&ex)
	if p.Class != -1 || !math.IsNaN(p.Z) || p.Pixels != 0 {
		t.Errorf("empty spectrum: %+v", p)
	}
	// A short spectrum is padded with masked pixels.
	short := synthSpectrum(g, classQSO, 1.5, 0.5, 0.5, 0)
	short.Flux, short.Ivar = short.Flux[:3000], short.Ivar[:3000]
	if p := f.Predict(&short); p.Class != classQSO || math.Abs(p.Z-1.5)/2.5 > 1e-3 {
		t.Errorf("short QSO spectrum: class %d z %.4f", p.Class, p.Z)
	}
}

// simTemplateSets returns the simulated training and test sets of the
// template fitter's test: 30 objects of every class plus 150 more QSOs and
// 90 more galaxies (their rest frames span a wide range, which each trial
// redshift needs covered) and 160 more F–M stars (the velocity test) for
// training, all at S/N 20–100; and for testing
// 20 QSOs, 12 galaxies and 22 mixed objects at S/N 20–100 and 12 F–M
// stars at S/N 40–100 for the velocities.
func simTemplateSets(t *testing.T) (train, test *dataset.Set) {
	train = simSet(t, 21, 0, 330, nil, 20, 100)
	train.Examples = append(train.Examples, simSet(t, 22, 0, 150, []sim.Class{sim.ClassQSO}, 20, 100).Examples...)
	train.Examples = append(train.Examples, simSet(t, 26, 0, 90, []sim.Class{sim.ClassGalaxy}, 20, 100).Examples...)
	late := []sim.Class{sim.ClassF, sim.ClassG, sim.ClassK, sim.ClassM}
	train.Examples = append(train.Examples, simSet(t, 28, 0, 160, late, 20, 100).Examples...)
	test = simSet(t, 23, 0, 20, []sim.Class{sim.ClassQSO}, 20, 100)
	test.Examples = append(test.Examples, simSet(t, 24, 0, 12, []sim.Class{sim.ClassGalaxy}, 20, 100).Examples...)
	test.Examples = append(test.Examples, simSet(t, 25, 0, 22, nil, 20, 100).Examples...)
	test.Examples = append(test.Examples, simSet(t, 27, 0, 12, late, 40, 100).Examples...)
	return train, test
}

func TestTemplateFitterOnSimulatedSpectra(t *testing.T) {
	if testing.Short() {
		t.Skip("simulated training (a few seconds)")
	}
	train, test := simTemplateSets(t)
	c0 := cpuTime()
	f, err := FitTemplates(train, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("training: %v CPU", cpuTime()-c0)
	m := evaluateTemplates(f, test)
	t.Logf("%v", m)
	// Thresholds: the measured values (in the log above) with margin.
	if acc := float64(m.correct) / float64(m.n); acc < 0.80 {
		t.Errorf("class accuracy %.3f < 0.80", acc)
	}
	if m.qsoN < 20 || float64(m.qsoGood) < 0.9*float64(m.qsoN) {
		t.Errorf("QSO redshifts within 1%%: %d of %d, want ≥ 90%%", m.qsoGood, m.qsoN)
	}
	if m.galN < 12 || float64(m.galGood) < 0.9*float64(m.galN) {
		t.Errorf("galaxy redshifts within 1%%: %d of %d, want ≥ 90%%", m.galGood, m.galN)
	}
	if med := median(m.rvErrHi); !(med < 20) {
		t.Errorf("median |ΔRV| of F–M and carbon stars at S/N ≥ 30: %.1f km/s, want < 20", med)
	}
}

func TestObservedInflationFindsFixedArtefacts(t *testing.T) {
	// Toy QSOs and galaxies with noise and, at five fixed observed pixels,
	// a residual of random sign and ten times the noise (like sky-line
	// residuals): the learned map inflates those pixels' variance by a
	// large factor and leaves almost every other pixel alone.
	g := prep.LAMOSTGrid()
	rng := rand.New(rand.NewPCG(9, 9))
	set := synthSet(g, 40, 3, 0, false)
	artefacts := []int{500, 1200, 2300, 2301, 3050} // outside the telluric masks
	var kept []dataset.Example
	for _, ex := range set.Examples {
		if ex.Labels.Class == 4 {
			continue
		}
		for i := range ex.Flux {
			sigma := 1 / math.Sqrt(float64(ex.Ivar[i]))
			ex.Flux[i] += float32(sigma * rng.NormFloat64())
		}
		for _, i := range artefacts {
			ex.Flux[i] += float32(10 / math.Sqrt(float64(ex.Ivar[i])) * math.Copysign(1, rng.NormFloat64()))
		}
		kept = append(kept, ex)
	}
	set.Examples = kept
	f, err := FitTemplates(set, TemplateOptions{Components: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f.inflate == nil {
		t.Fatal("no inflation map from 80 QSO and galaxy spectra")
	}
	for _, i := range artefacts {
		if f.inflate[i] < 20 {
			t.Errorf("artefact pixel %d: inflation %.1f, want ≥ 20", i, f.inflate[i])
		}
	}
	cp := f.ObservedInflation()
	cp[500] = -1
	if f.inflate[500] < 20 || len(cp) != g.N {
		t.Error("ObservedInflation must return a copy of the grid's factors")
	}
	big := 0
	for _, v := range f.inflate {
		if v > 4 {
			big++
		}
	}
	if big > len(artefacts)+20 {
		t.Errorf("%d pixels inflated by more than 4, want about %d", big, len(artefacts))
	}
}

func TestTemplateFitterDeterministic(t *testing.T) {
	// The same training set gives bit-identical predictions whatever the
	// number of workers.
	g := prep.LAMOSTGrid()
	train := synthSet(g, 6, 4, 0.02, false)
	test := synthSet(g, 2, 6, 0.02, true)
	var preds [2][]TemplatePrediction
	for k, workers := range []int{1, 3} {
		f, err := FitTemplates(train, TemplateOptions{Components: 3, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		preds[k] = f.PredictAll(test.Examples)
	}
	for i := range preds[0] {
		a, b := preds[0][i], preds[1][i]
		if a.Class != b.Class || math.Float64bits(a.Z) != math.Float64bits(b.Z) || math.Float64bits(a.Chi2[a.Class]) != math.Float64bits(b.Chi2[b.Class]) {
			t.Errorf("example %d: %d %v %v with 1 worker, %d %v %v with 3", i, a.Class, a.Z, a.Chi2[a.Class], b.Class, b.Z, b.Chi2[b.Class])
		}
	}
}
