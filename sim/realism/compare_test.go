package realism

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim/synth"
)

// logWave returns n wavelengths uniform in log λ from startAA with step dex.
func logWave(startAA, step float64, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = startAA * math.Pow(10, step*float64(i))
	}
	return w
}

func gauss(x, mu, sigma, area float64) float64 {
	d := (x - mu) / sigma
	return area / (sigma * math.Sqrt(2*math.Pi)) * math.Exp(-0.5*d*d)
}

// moments returns the area, mean and σ of a line (flux − base) by
// trapezoid sums.
func moments(w, f []float64, base float64) (area, mean, sigma float64) {
	var s0, s1, s2 float64
	for i := 1; i < len(w); i++ {
		dw := w[i] - w[i-1]
		a, b := f[i-1]-base, f[i]-base
		s0 += 0.5 * (a + b) * dw
		s1 += 0.5 * (a*w[i-1] + b*w[i]) * dw
		s2 += 0.5 * (a*w[i-1]*w[i-1] + b*w[i]*w[i]) * dw
	}
	mean = s1 / s0
	return s0, mean, math.Sqrt(s2/s0 - mean*mean)
}

func TestDegradeGaussianQuadrature(t *testing.T) {
	// A Gaussian of σ1 = 1.5 Å convolved with σ2 = 3 Å is a Gaussian of
	// σ = √(σ1² + σ2²) = 3.354 Å with the same area and centre.
	w := logWave(4800, 2e-5, 2000) // ≈0.22 Å pixels around 5000 Å
	f := make([]float64, len(w))
	for i, x := range w {
		f[i] = 1 + gauss(x, 5000, 1.5, 10)
	}
	out := Degrade(w, f, func(float64) float64 { return 3 })
	area, mean, sigma := moments(w, out, 1)
	near(t, "area", area, 10, 0.02)
	near(t, "centre", mean, 5000, 0.01)
	near(t, "sigma", sigma, math.Sqrt(1.5*1.5+9), 0.01)
	near(t, "peak", out[nearestIndex(w, 5000)]-1, 10/(math.Sqrt(2*math.Pi)*math.Sqrt(11.25)), 0.01)
	// σ ≤ 0 leaves the spectrum as it is.
	same := Degrade(w, f, func(float64) float64 { return 0 })
	for i := range f {
		if same[i] != f[i] {
			t.Fatalf("Degrade with σ=0 changed pixel %d", i)
		}
	}
}

func nearestIndex(w []float64, x float64) int {
	best := 0
	for i := range w {
		if math.Abs(w[i]-x) < math.Abs(w[best]-x) {
			best = i
		}
	}
	return best
}

// toyStar is a tilted continuum with absorption lines whose depths follow
// a toy temperature law, shifted by RV.
func toyStar(w []float64, f []float64, teff, rv float64) {
	lines := []float64{4102, 4341, 4861, 5184, 5270, 5890, 6563, 8542}
	dop := 1 + rv/prep.SpeedOfLightKmS
	for i, x := range w {
		v := 1 + 0.3*(x-6000)/3000
		for k, l := range lines {
			depth := 0.3 * math.Exp(-math.Pow((teff-(5000+float64(k)*400))/1500, 2))
			d := (x - l*dop) / 3
			v *= 1 - depth*math.Exp(-0.5*d*d)
		}
		f[i] = v
	}
}

func TestNormalizeRemovesContinuum(t *testing.T) {
	w := logWave(3700, 1e-4, 3908)
	f := make([]float64, len(w))
	toyStar(w, f, 7000, 0)
	lineFree := make([]float64, len(w))
	toyStar(w, lineFree, 1e9, 0) // lines vanish: the continuum itself
	norm, cont, err := Normalize(w, f, nil, nil, 12)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i := range w {
		worst = math.Max(worst, math.Abs(cont[i]/lineFree[i]-1))
	}
	if worst > 0.01 {
		t.Errorf("continuum off by up to %.2f%%, want < 1%%", 100*worst)
	}
	i := nearestIndex(w, 4861)
	near(t, "normalised Hβ core", norm[i], f[i]/lineFree[i], 0.01)
}

func TestNewPairIdenticalAndTilted(t *testing.T) {
	w := logWave(3700, 1e-4, 3908)
	real := make([]float64, len(w))
	toyStar(w, real, 6000, 0)
	p, err := NewPair(w, real, real, nil, nil, Options{Spectrophotometric: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "corr(identical)", p.Metrics.Corr, 1, 1e-12)
	near(t, "rms(identical)", p.Metrics.RMS, 0, 1e-12)
	near(t, "shape(identical)", p.Metrics.Shape.RMS, 0, 1e-12)

	// The same lines on a continuum tilted by ±10 %: the normalised
	// spectra still agree, the raw shape does not.
	tilted := make([]float64, len(w))
	for i, x := range w {
		tilted[i] = 2 * real[i] * (1 + 0.1*(x-6400)/2700)
	}
	p, err = NewPair(w, real, tilted, nil, nil, Options{Spectrophotometric: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Metrics.Corr < 0.999 || p.Metrics.RMS > 0.005 {
		t.Errorf("tilted continuum: corr %.4f rms %.4f, want ≥ 0.999 and ≤ 0.005", p.Metrics.Corr, p.Metrics.RMS)
	}
	if p.Metrics.Shape.RMS < 0.04 || p.Metrics.Shape.MaxAbs < 0.08 {
		t.Errorf("tilted continuum: shape rms %.3f max %.3f, want ≈0.058 and ≈0.1", p.Metrics.Shape.RMS, p.Metrics.Shape.MaxAbs)
	}

	// Different line strengths and an RV error of 300 km/s score worse.
	other := make([]float64, len(w))
	toyStar(w, other, 8500, 300)
	q, err := NewPair(w, real, other, nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Metrics.Corr > 0.5 {
		t.Errorf("wrong model: corr %.3f, want < 0.5", q.Metrics.Corr)
	}
	// Excluded intervals are not used.
	r, err := NewPair(w, real, real, nil, nil, Options{Exclude: LAMOSTExclusions()})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range w {
		if r.Use[i] && Excluded(x, LAMOSTExclusions()) {
			t.Fatalf("pixel at %.1f Å used though excluded", x)
		}
	}
	if r.Metrics.N >= len(w)-500 {
		t.Errorf("%d pixels used, exclusions dropped too few", r.Metrics.N)
	}
}

// toyLines are the rest wavelengths (Å) of the toy absorption lines,
// each of equivalent width toyEW (Å) and intrinsic σ toySigma (Å).
var toyLines = []float64{4102, 4341, 4861, 5184, 5890, 6563}

const toyEW, toySigma = 3.0, 1.0

// toyModel is a 7000 K Planck continuum with the toy lines, redshifted by
// z, drawn through the grid's LSF (line σ in quadrature, EW kept).
func toyModel(z float64) ModelFunc {
	return func(g *synth.Grid, f []float64) {
		for i, x := range g.Wave {
			v := 1.0
			for _, l := range toyLines {
				v -= toyEW * (1 + z) * gauss(x, l*(1+z), g.TotalSigmaAA(x, toySigma*(1+z), 0), 1)
			}
			f[i] = synth.Planck(x/(1+z), 7000) * v
		}
	}
}

// TestCompareReferenceRecoversResolution builds a "reference" at a
// resolution of FWHM = λ/800 on a linear 2.5 Å grid, and checks that the
// same physics synthesised at high R and degraded by CompareReference
// matches it, while a model at the wrong resolution or redshift matches
// worse.
func TestCompareReferenceRecoversResolution(t *testing.T) {
	const refR = 800.0
	ref := Reference{Name: "toy"}
	for x := 3600.0; x <= 7200; x += 2.5 {
		v := 1.0
		for _, l := range toyLines {
			s := x / refR / fwhmPerSigma
			v -= toyEW * gauss(x, l, math.Sqrt(s*s+toySigma*toySigma), 1)
		}
		ref.WavelengthAA = append(ref.WavelengthAA, x)
		ref.Flux = append(ref.Flux, synth.Planck(x, 7000)*v)
	}
	cmp := func(z float64, s Setup, opt Options) *Pair {
		t.Helper()
		s.FromAA, s.ToAA = 3700, 7000
		p, err := CompareReference(&ref, toyModel(z), s, opt)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := cmp(0, Setup{RefR: refR}, Options{Spectrophotometric: true})
	if good.Metrics.Corr < 0.995 || good.Metrics.Shape.RMS > 0.005 {
		t.Errorf("matching model: corr %.4f shape rms %.4f, want ≥ 0.995 and ≤ 0.005", good.Metrics.Corr, good.Metrics.Shape.RMS)
	}
	sharp := cmp(0, Setup{RefR: 4 * refR}, Options{})
	if sharp.Metrics.RMS <= 2*good.Metrics.RMS {
		t.Errorf("wrong resolution: rms %.4f not clearly worse than %.4f", sharp.Metrics.RMS, good.Metrics.RMS)
	}
	shifted := cmp(0.002, Setup{RefR: refR}, Options{})
	if shifted.Metrics.Corr >= good.Metrics.Corr-0.1 {
		t.Errorf("shifted model: corr %.4f not clearly below %.4f", shifted.Metrics.Corr, good.Metrics.Corr)
	}
	// The same shift declared as the model's redshift is undone.
	back := cmp(0.002, Setup{RefR: refR, Z: 0.002}, Options{})
	near(t, "corr with Z undone", back.Metrics.Corr, good.Metrics.Corr, 0.002)
	t.Logf("good r=%.4f rms=%.4f shape=%.4f; sharp rms=%.4f; shifted r=%.4f; z undone r=%.4f",
		good.Metrics.Corr, good.Metrics.RMS, good.Metrics.Shape.RMS, sharp.Metrics.RMS, shifted.Metrics.Corr, back.Metrics.Corr)
}

func TestFitStarRecoversToyParameters(t *testing.T) {
	w := logWave(3700, 1e-4, 3908)
	truth := StarGuess{TeffK: 6200, RVKmS: 40}
	flux := make([]float64, len(w))
	toyStar(w, flux, truth.TeffK, truth.RVKmS)
	rng := rand.New(rand.NewPCG(1, 2))
	ivar := make([]float64, len(w))
	for i := range flux {
		sigma := 0.02 * flux[i] // S/N 50
		flux[i] += sigma * rng.NormFloat64()
		ivar[i] = 1 / (sigma * sigma)
	}
	tg, err := NewTarget(w, flux, ivar, nil, Options{Exclude: LAMOSTExclusions()})
	if err != nil {
		t.Fatal(err)
	}
	grid := StarGrid{
		TeffK: []float64{5000, 5600, 6200, 6800, 7400},
		Logg:  []float64{4},
		FeH:   []float64{0},
		RVKmS: []float64{-100, -60, -20, 0, 20, 40, 60, 100},
	}
	fit, err := FitStar(tg, func(p StarGuess, f []float64) { toyStar(w, f, p.TeffK, p.RVKmS) }, StarGuess{TeffK: 5000}, grid)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Best.TeffK != truth.TeffK || fit.Best.RVKmS != truth.RVKmS {
		t.Errorf("best fit %+v, want Teff %v RV %v", fit.Best, truth.TeffK, truth.RVKmS)
	}
	if fit.Chi2 > 1.3 || fit.Chi2 < 0.7 {
		t.Errorf("χ²/N of the true model = %.2f, want ≈1 (noise only)", fit.Chi2)
	}
	if fit.Tried != 2*len(grid.RVKmS)+2*len(grid.TeffK) {
		t.Errorf("tried %d models", fit.Tried)
	}
}
