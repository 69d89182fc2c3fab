package synth

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// Helpers shared by the QSO, galaxy and CV tests (prefixed emissionTest).

func emissionTestGrid() *Grid { return NewGrid(prep.LAMOSTGrid(), 1800) }

// emissionTestPixelAA is the pixel width (Å) of a log-λ grid at λ.
func emissionTestPixelAA(g *Grid, waveAA float64) float64 {
	return waveAA * math.Ln10 * g.Log10Step
}

// emissionTestPeak returns the wavelength of the highest pixel of f within
// ±halfAA of waveAA, refined by a parabola through it and its neighbours.
func emissionTestPeak(g *Grid, f []float64, waveAA, halfAA float64) float64 {
	lo, hi := g.Window(waveAA-halfAA, waveAA+halfAA)
	best := lo
	for i := lo; i < hi; i++ {
		if f[i] > f[best] {
			best = i
		}
	}
	if best == lo || best == hi-1 {
		return g.Wave[best] // at the window edge: no peak inside
	}
	a, b, c := f[best-1], f[best], f[best+1]
	off := 0.5 * (a - c) / (a - 2*b + c)
	return g.Wave[best] + off*emissionTestPixelAA(g, g.Wave[best])
}

// emissionTestMean is the mean of f over [fromAA, toAA].
func emissionTestMean(g *Grid, f []float64, fromAA, toAA float64) float64 {
	lo, hi := g.Window(fromAA, toAA)
	s := 0.0
	for i := lo; i < hi; i++ {
		s += f[i]
	}
	return s / float64(hi-lo)
}

// emissionTestLineFlux integrates f minus a straight continuum through the
// mean of the side bands [λ−out, λ−in] and [λ+in, λ+out] over |Δλ| < in.
func emissionTestLineFlux(g *Grid, f []float64, waveAA, inAA, outAA float64) float64 {
	cb := emissionTestMean(g, f, waveAA-outAA, waveAA-inAA)
	cr := emissionTestMean(g, f, waveAA+inAA, waveAA+outAA)
	mb, mr := waveAA-(inAA+outAA)/2, waveAA+(inAA+outAA)/2
	lo, hi := g.Window(waveAA-inAA, waveAA+inAA)
	s := 0.0
	for i := lo; i < hi; i++ {
		c := cb + (cr-cb)*(g.Wave[i]-mb)/(mr-mb)
		s += (f[i] - c) * emissionTestPixelAA(g, g.Wave[i])
	}
	return s
}

// emissionTestCheckFinite fails t unless every value is finite and > 0.
func emissionTestCheckFinite(t *testing.T, what string, f []float64) {
	t.Helper()
	for i, v := range f {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Fatalf("%s: f[%d] = %v", what, i, v)
		}
	}
}

func TestQSOLinePositions(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	// Vacuum rest wavelengths (SDSS line list; Vanden Berk et al. 2001).
	lines := []struct {
		name   string
		restAA float64
		halfAA float64 // search half-window, rest Å
		narrow bool
	}{
		{"CIV", 1549.06, 25, false}, {"CIII]", 1908.73, 25, false}, {"MgII", 2798.75, 30, false},
		{"Hbeta", 4862.68, 30, false}, {"Halpha", 6564.61, 30, false}, {"[OIII]5007", 5008.24, 8, true},
		{"[OII]", 3728.48, 8, true},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for _, z := range []float64{0.3, 1.2, 2.5, 3.8} {
		for trial := range 3 {
			p := DrawQSO(rng)
			p.Z = z
			p.BroadFWHMKmS = 3000 + 1000*float64(trial)
			for _, narrow := range []bool{false, true} {
				// Broad-line peaks are measured with weak narrow lines (the
				// narrow [N II] and [S II] on Hα's wings would otherwise be the
				// highest pixels), narrow-line peaks with strong ones.
				p.BroadEW, p.NarrowEW = 1, 0.1
				if narrow {
					p.NarrowEW = 2
				}
				g.QSO(f, p)
				for _, l := range lines {
					obs := l.restAA * (1 + z)
					if l.narrow != narrow || obs < g.Wave[0]+100 || obs > g.Wave[len(g.Wave)-1]-100 {
						continue
					}
					got := emissionTestPeak(g, f, obs, l.halfAA*(1+z))
					if d := math.Abs(got-obs) / emissionTestPixelAA(g, obs); d > 1.5 {
						t.Errorf("z=%.1f FWHM %.0f: %s peak at %.2f Å, want %.2f (%.2f px off)", z, p.BroadFWHMKmS, l.name, got, obs, d)
					}
					checked++
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d line positions checked", checked)
	}
}

// qsoTestBecker is the mean Lyα transmission exp(−τ_eff) measured by
// Becker et al. (2013, MNRAS 430, 2067, eq. 5 and Table 5 fit).
func qsoTestBecker(z float64) float64 {
	return math.Exp(-(0.751*math.Pow((1+z)/4.5, 2.90) - 0.132))
}

// qsoTestTransmission returns the mean of f over the continuum extrapolated
// as a power law from the line-free windows 1275–1290 and 1445–1465 Å rest
// (Shen et al. 2011), over 1090–1160 Å rest, and the Becker et al. mean
// transmission expected over the same pixels.
func qsoTestTransmission(g *Grid, f []float64, z float64) (got, want float64) {
	opz := 1 + z
	l1, l2 := 1282.5*opz, 1455*opz
	c1 := emissionTestMean(g, f, 1275*opz, 1290*opz)
	c2 := emissionTestMean(g, f, 1445*opz, 1465*opz)
	slope := math.Log(c2/c1) / math.Log(l2/l1)
	lo, hi := g.Window(1090*opz, 1160*opz)
	for i := lo; i < hi; i++ {
		got += f[i] / (c1 * math.Pow(g.Wave[i]/l1, slope))
		want += qsoTestBecker(g.Wave[i]/emissionLya - 1)
	}
	return got / float64(hi-lo), want / float64(hi-lo)
}

func TestQSOForestMeanTransmission(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(5, 6))
	prevDecrement := 0.0
	for _, z := range []float64{2.5, 3.1, 3.8} {
		const trials = 24
		var sumGot, sumWant float64
		for range trials {
			p := DrawQSO(rng)
			p.Z = z
			p.AlphaNuEUV = p.AlphaNu // one power law, so the extrapolation holds
			p.BroadFWHMKmS = 4000
			p.LLSTau912 = 0
			g.QSO(f, p)
			got, want := qsoTestTransmission(g, f, z)
			sumGot += got
			sumWant += want
		}
		got, want := sumGot/trials, sumWant/trials
		t.Logf("z=%.1f: mean transmission %.3f, Becker et al. 2013 %.3f", z, got, want)
		if math.Abs(got-want) > 0.04 {
			t.Errorf("z=%.1f: mean Lyα-forest transmission %.3f, Becker et al. (2013) %.3f", z, got, want)
		}
		dec := 1 - got
		if dec < 0.1 || dec < prevDecrement+0.05 {
			t.Errorf("z=%.1f: flux decrement %.3f, want > 0.1 and > %.3f (lower z) + 0.05", z, dec, prevDecrement)
		}
		prevDecrement = dec
	}
}

func TestQSOLymanLimit(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(7, 8))
	const zq, zl = 3.8, 3.7
	edge := emissionLL * (1 + zl)
	var below, above [2]float64
	for trial := range 16 {
		p := DrawQSO(rng)
		p.Z = zq
		for k, tau := range []float64{0, 3} {
			p.LLSZ, p.LLSTau912 = zl, tau
			g.QSO(f, p)
			emissionTestCheckFinite(t, "QSO with LLS", f)
			below[k] += emissionTestMean(g, f, edge-80, edge-10)
			above[k] += emissionTestMean(g, f, edge+10, edge+80)
		}
		_ = trial
	}
	r0, r3 := below[0]/above[0], below[1]/above[1]
	t.Logf("flux ratio across 912 Å (1+%.1f): no LLS %.3f, τ₉₁₂=3 LLS %.3f", zl, r0, r3)
	// With τ = 3 the ratio falls by e^−3·(λ/λ_LL)³ ≈ 0.05–0.06 relative to
	// the forest alone.
	if r3 > 0.1*r0 || r3 < 0.02*r0 {
		t.Errorf("LLS break: ratio %.4f vs %.4f without, want a drop by ≈ e^−3", r3, r0)
	}
	if r0 > 0.95 {
		t.Errorf("no drop across the Lyman limit from the forest's Lyman continuum: ratio %.3f", r0)
	}
}

func TestQSOExtremeDrawsFinite(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 300 {
		p := DrawQSO(rng)
		switch i % 3 {
		case 1:
			p.Z = 4
		case 2:
			p.Z = 0.1
		}
		g.QSO(f, p)
		emissionTestCheckFinite(t, "QSO", f)
		if m := emissionTestMean(g, f, g.Wave[len(f)/2-100], g.Wave[len(f)/2+100]); m < 0.2 || m > 20 {
			t.Fatalf("draw %d (z=%.2f): mid-grid flux %.3g, want ~1", i, p.Z, m)
		}
	}
	// The SDSS grid (3565–10400 Å) too.
	gs := NewGrid(prep.SDSSGrid(), 2000)
	fs := make([]float64, len(gs.Wave))
	for range 50 {
		p := DrawQSO(rng)
		gs.QSO(fs, p)
		emissionTestCheckFinite(t, "QSO on the SDSS grid", fs)
	}
	// Determinism, and the seed matters.
	p := DrawQSO(rng)
	p.Z = 3.5
	a := make([]float64, len(f))
	g.QSO(a, p)
	g.QSO(f, p)
	for i := range f {
		if a[i] != f[i] {
			t.Fatalf("QSO not deterministic at pixel %d", i)
		}
	}
	p.Seed++
	g.QSO(f, p)
	same := 0
	for i := range f {
		if a[i] == f[i] {
			same++
		}
	}
	if same == len(f) {
		t.Fatal("Seed has no effect on the forest")
	}
}

func TestQSOContinuumSlope(t *testing.T) {
	// Between the lines the continuum follows f_λ ∝ λ^(−2−α_ν).
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	p := QSOParams{Z: 0.5, AlphaNu: -0.44, AlphaNuRed: -0.44, AlphaNuEUV: -0.44, Seed: 1}
	g.QSO(f, p)
	// Line-free windows (Shen et al. 2011): 4200–4230 and 5100–5130 Å rest.
	a := emissionTestMean(g, f, 4200*1.5, 4230*1.5)
	b := emissionTestMean(g, f, 5100*1.5, 5130*1.5)
	got := math.Log(b/a) / math.Log(5115.0/4215)
	if want := -2 + 0.44; math.Abs(got-want) > 0.01 {
		t.Errorf("continuum slope %.4f, want %.4f", got, want)
	}
}

func TestEmissionAddMatchesAddGaussian(t *testing.T) {
	g := emissionTestGrid()
	a := make([]float64, len(g.Wave))
	b := make([]float64, len(g.Wave))
	for _, c := range []struct{ centre, sigma float64 }{{5000.3, 2}, {6563, 5}, {4000, 0.7}} {
		clear(a)
		clear(b)
		g.AddGaussian(a, c.centre, c.sigma, 10)
		g.emissionAdd(b, c.centre, c.sigma, 10)
		peak := 10 / (c.sigma * math.Sqrt(2*math.Pi))
		area := 0.0
		for i := range a {
			if d := math.Abs(a[i] - b[i]); d > 2e-3*peak {
				t.Fatalf("line at %.1f σ %.1f: pixel %d: %g vs AddGaussian %g", c.centre, c.sigma, i, b[i], a[i])
			}
			area += b[i] * emissionTestPixelAA(g, g.Wave[i])
		}
		if math.Abs(area-10) > 0.02 {
			t.Errorf("line at %.1f σ %.1f: area %.4f, want 10", c.centre, c.sigma, area)
		}
	}
}

func TestEmissionSmooth(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	for i := range f {
		f[i] = 2
	}
	// A smooth attenuation curve: the blue branch of Calzetti et al. (2000).
	k := func(w float64) float64 {
		x := 1e4 / w
		return 2.659*(-2.156+1.509*x-0.198*x*x+0.011*x*x*x) + 4.05
	}
	g.emissionScaleSmooth(f, func(w float64) float64 { return -0.4 * math.Ln10 * 0.3 * k(w) })
	h := make([]float64, len(g.Wave))
	g.emissionAddSmooth(h, 3, func(w float64) float64 { return emissionPlanck(w, 6000) })
	p0 := Planck(g.Wave[0], 6000)
	for i, w := range g.Wave {
		want := 2 * math.Pow(10, -0.4*0.3*k(w))
		if math.Abs(f[i]/want-1) > 1e-5 {
			t.Fatalf("scale at %.1f Å: %g, want %g", w, f[i], want)
		}
		if wp := 3 * Planck(w, 6000); math.Abs(h[i]/wp-1) > 1e-4 || math.Abs(emissionPlanck(w, 6000)/Planck(w, 6000)-1) > 1e-14 {
			t.Fatalf("add at %.1f Å: %g, want %g (P0 %g)", w, h[i], wp, p0)
		}
	}
}

func TestEmissionCalzetti(t *testing.T) {
	// k(V) = R_V = 4.05 and k(B) − k(V) = 1 (the definition of E(B−V)),
	// Calzetti et al. (2000), with B and V at 4400 and 5500 Å.
	if k := emissionCalzettiK(5500); math.Abs(k-4.05) > 0.02 {
		t.Errorf("k(5500 Å) = %.3f, want 4.05", k)
	}
	if d := emissionCalzettiK(4400) - emissionCalzettiK(5500); math.Abs(d-1) > 0.03 {
		t.Errorf("k(B) − k(V) = %.3f, want 1", d)
	}
	// The two branches of the published curve meet at 0.63 µm to within
	// 0.03 (their values there are 3.476 and 3.502).
	if d := emissionCalzettiK(6299.999) - emissionCalzettiK(6300); math.Abs(d) > 0.03 {
		t.Errorf("jump of %.3f at 6300 Å", d)
	}
}

func TestQSOCurveOfGrowth(t *testing.T) {
	// F(τ) = √π Σ (−1)^(n+1) τⁿ/(n! √n), the series of ∫(1−e^(−τe^(−x²)))dx.
	series := func(tau float64) float64 {
		s, term := 0.0, 1.0
		for n := 1; n < 80; n++ {
			term *= tau / float64(n)
			s += math.Pow(-1, float64(n+1)) * term / math.Sqrt(float64(n))
		}
		return math.Sqrt(math.Pi) * s
	}
	for _, tau := range []float64{1e-3, 0.3, 1, 3, 8} {
		if got, want := qsoCurveOfGrowth(tau), series(tau); math.Abs(got/want-1) > 1e-6 {
			t.Errorf("F(%g) = %.8f, series %.8f", tau, got, want)
		}
	}
	// Saturated: F → 2√(ln τ) (1 + 0.2886/ln τ + …) (Mihalas 1978 §10-3).
	if got := qsoCurveOfGrowth(1e8); math.Abs(got/(2*math.Sqrt(math.Log(1e8)))-1) > 0.02 {
		t.Errorf("F(1e8) = %.4f, asymptote %.4f", got, 2*math.Sqrt(math.Log(1e8)))
	}
	qsoTables.once.Do(qsoInit)
	for _, tau := range []float64{0.01, 0.5, 2, 10} {
		fv := qsoCurveOfGrowth(tau)
		if back := qsoTables.tauForF(fv); math.Abs(back/tau-1) > 2e-3 {
			t.Errorf("inverse curve of growth at τ=%g: %g", tau, back)
		}
	}
}

func TestEmissionLineTableVacuum(t *testing.T) {
	// Air wavelengths (NIST ASD) converted to vacuum must give the tables'
	// vacuum values.
	for _, c := range []struct{ vac, air float64 }{
		{emissionHalpha, 6562.80}, {emissionHbeta, 4861.33}, {emissionHgamma, 4340.47},
		{emissionHdelta, 4101.74}, {emissionHeps, 3970.07}, {emissionOIII2, 5006.84},
		{emissionOIII1, 4958.91}, {emissionNII2, 6583.45}, {emissionNII1, 6548.05},
		{emissionSII1, 6716.44}, {emissionSII2, 6730.82}, {emissionOII1, 3726.03},
		{emissionOII2, 3728.82}, {emissionNeIII, 3868.76}, {emissionNeV, 3425.88},
		{emissionOI, 6300.30}, {emissionHeII, 4685.70}, {emissionHeI447, 4471.48},
		{emissionHeI492, 4921.93}, {emissionHeI502, 5015.68}, {emissionHeI588, 5875.62},
		{emissionHeI668, 6678.15}, {emissionHeI706, 7065.19}, {emissionHeII54, 5411.52},
		{emissionCaT1, 8498.02}, {emissionCaT2, 8542.09}, {emissionCaT3, 8662.14},
	} {
		if got := prep.AirToVacuum(c.air); math.Abs(got-c.vac) > 0.03 {
			t.Errorf("air %.2f Å → vacuum %.3f, table has %.2f", c.air, got, c.vac)
		}
	}
}

func BenchmarkQSO(b *testing.B) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(1, 2))
	ps := make([]QSOParams, 64)
	for i := range ps {
		ps[i] = DrawQSO(rng)
	}
	g.QSO(f, ps[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		g.QSO(f, ps[i%len(ps)])
	}
}

// BenchmarkQSOHighZ is the slowest case: the Lyα forest over the whole
// blue half of the grid.
func BenchmarkQSOHighZ(b *testing.B) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	p := DrawQSO(rand.New(rand.NewPCG(1, 2)))
	p.Z = 4
	g.QSO(f, p)
	b.ReportAllocs()
	for b.Loop() {
		g.QSO(f, p)
	}
}

// TestQSOContinuumRollOver: without lines the rendered continuum follows
// the closed form: slope a = −2 − α_ν blueward of 5000 Å rest, a local
// slope a + (a_red − a)·ln(λ/5000)/0.336 across the roll-over, and a_red
// beyond 7000 Å rest (the slope of a power law is d ln f/d ln λ,
// measured here between pixels 20 apart).
func TestQSOContinuumRollOver(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	const z = 0.1
	p := QSOParams{Z: z, AlphaNu: -0.44, AlphaNuRed: -2.45, AlphaNuEUV: -1.76, Seed: 1}
	g.QSO(f, p)
	a, ar := -2+0.44, -2+2.45
	slope := func(restAA float64) float64 {
		i := int(math.Round(g.emissionPixel(restAA * (1 + z))))
		return math.Log(f[i+10]/f[i-10]) / math.Log(g.Wave[i+10]/g.Wave[i-10])
	}
	for _, c := range []struct{ rest, want float64 }{
		{4500, a},
		{5500, a + (ar-a)*math.Log(1.1)/0.336},
		{6000, a + (ar-a)*math.Log(1.2)/0.336},
		{6500, a + (ar-a)*math.Log(1.3)/0.336},
		{7800, ar},
	} {
		if got := slope(c.rest); math.Abs(got-c.want) > 0.01 {
			t.Errorf("slope at %.0f Å rest: %.4f, want %.4f", c.rest, got, c.want)
		}
	}
	// The level: ln f(7800)/f(4500) from the closed form, x₁ = 0.336.
	x := math.Log(7800.0 / 5000)
	want := a*math.Log(7800.0/4500) + (ar-a)*(x-0.168)
	i0 := int(math.Round(g.emissionPixel(4500 * (1 + z))))
	i1 := int(math.Round(g.emissionPixel(7800 * (1 + z))))
	got := math.Log(f[i1]/f[i0]) - a*math.Log(g.Wave[i1]/g.Wave[i0]/(7800.0/4500))
	if math.Abs(got-want) > 0.005 {
		t.Errorf("ln f(7800)/f(4500) = %.4f, want %.4f", got, want)
	}
}

// TestQSOBalmerShape: the Balmer continuum is half its edge value at the
// edge (the logistic's midpoint), follows Grandi's (1982) formula far
// below it (written out here with Planck) and vanishes far above it.
func TestQSOBalmerShape(t *testing.T) {
	if got := qsoBalmerShape(3646, 100); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("at the edge: %.6f, want 0.5", got)
	}
	const w = 3000.0
	want := Planck(w, 15000) * (1 - math.Exp(-math.Pow(w/3646, 3))) / (Planck(3646, 15000) * (1 - math.Exp(-1)))
	if got := qsoBalmerShape(w, 1); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("at %.0f Å: %.6f, want %.6f", w, got, want)
	}
	qsoBalmerOnce.Do(qsoBalmerInit)
	for _, w := range []float64{900, 2000, 3500, 3646, 3800, 4500} {
		if got, want := qsoBalmerAt(w), qsoBalmerShape(w, 100); math.Abs(got-want) > 1e-5 { // of the edge value (1)
			t.Errorf("table at %.0f Å: %.6f, direct %.6f", w, got, want)
		}
	}
	if got := qsoBalmerShape(8000, 100); got != 0 {
		t.Errorf("at 8000 Å: %g, want 0", got)
	}
	// In a spectrum: between the lines at 3400–3500 Å rest, BroadEW = 1
	// adds 0.15·shape of the continuum at the edge (no broad line within
	// 5σ there at 2000 km/s; the narrow [Ne V] 3427 line is off).
	g := emissionTestGrid()
	f0, f1 := make([]float64, len(g.Wave)), make([]float64, len(g.Wave))
	p := QSOParams{Z: 0.3, AlphaNu: -0.44, AlphaNuRed: -2.45, AlphaNuEUV: -1.76, BroadFWHMKmS: 2000, Seed: 3}
	g.QSO(f0, p)
	p.BroadEW = 1
	g.QSO(f1, p)
	i := int(math.Round(g.emissionPixel(3480 * 1.3)))
	ie := int(math.Round(g.emissionPixel(3646 * 1.3)))
	s := max(0.55*2000*fwhmToSigma/SpeedOfLightKmS*3646, 100)
	// f0 is the bare power law: its value at the edge is f0[ie] times the
	// pixel offset's correction (≤ 1e-4), neglected.
	wantBC := 0.15 * f0[ie] * qsoBalmerShape(g.Wave[i]/1.3, s)
	if got := f1[i] - f0[i]; math.Abs(got/wantBC-1) > 0.01 {
		t.Errorf("Balmer continuum at 3480 Å rest: %.5f, want %.5f", got, wantBC)
	}
}

// qsoBalmerAt interpolates the tabulated Balmer-continuum shape (what
// qsoAddBalmer reads at its knots) at rest λ (Å); 0 outside
// the table (blueward of 500 Å the Lyman continuum has absorbed it).
func qsoBalmerAt(restAA float64) float64 {
	x := (math.Log(restAA) - qsoBalmerLnMin) / qsoBalmerStep
	if !(x >= 0) || x >= qsoBalmerN {
		return 0
	}
	i := int(x)
	return qsoBalmerTable[i] + (x-float64(i))*(qsoBalmerTable[i+1]-qsoBalmerTable[i])
}
