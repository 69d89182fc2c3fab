package synth

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// Tests of the physical trends, measured on noiseless model spectra with
// Lick-style indices: the equivalent width (Å) of a feature band relative
// to a straight pseudo-continuum through the mean fluxes of a blue and a
// red side band (Worthey et al. 1994, ApJS 94, 687; Worthey & Ottaviani
// 1997, ApJS 111, 377). Band limits are the published air wavelengths,
// converted to vacuum.

type starTIndex struct{ blue, feat, red [2]float64 } // air Å

var (
	starTHdeltaA = starTIndex{[2]float64{4041.6, 4079.75}, [2]float64{4083.5, 4122.25}, [2]float64{4128.5, 4161.0}}
	starTHgammaA = starTIndex{[2]float64{4283.5, 4319.75}, [2]float64{4319.75, 4363.5}, [2]float64{4367.25, 4419.75}}
	starTMgb     = starTIndex{[2]float64{5142.625, 5161.375}, [2]float64{5160.125, 5192.625}, [2]float64{5191.375, 5206.375}}
	starTNaD     = starTIndex{[2]float64{5860.625, 5875.625}, [2]float64{5876.875, 5909.375}, [2]float64{5922.125, 5948.125}}
	starTFe5270  = starTIndex{[2]float64{5233.15, 5248.15}, [2]float64{5245.65, 5285.65}, [2]float64{5285.65, 5318.15}}
	// Ca II K: the 20 Å "K" band of the HK index family, side bands on
	// either side of H&K.
	starTCaK = starTIndex{[2]float64{3903, 3923}, [2]float64{3923.7, 3943.7}, [2]float64{4000, 4020}}
	// Ca II triplet: the three CaT line bands of Cenarro et al. (2001,
	// MNRAS 326, 959) with continuum bands on both sides.
	starTCaT = [3]starTIndex{
		{[2]float64{8474, 8484}, [2]float64{8484, 8513}, [2]float64{8563, 8577}},
		{[2]float64{8474, 8484}, [2]float64{8522, 8562}, [2]float64{8563, 8577}},
		{[2]float64{8619, 8642}, [2]float64{8642, 8682}, [2]float64{8700, 8725}},
	}
	// He lines: narrow bands on the line and clean continuum either side.
	starTHeII4686 = starTIndex{[2]float64{4660, 4672}, [2]float64{4678, 4694}, [2]float64{4700, 4712}}
	starTHeI4471  = starTIndex{[2]float64{4445, 4455}, [2]float64{4463, 4480}, [2]float64{4490, 4500}}
)

func starTGrid() *Grid { return NewGrid(prep.LAMOSTGrid(), 1800) }

func starTMean(g *Grid, f []float64, b [2]float64) (mean, centre float64) {
	lo, hi := g.Window(prep.AirToVacuum(b[0]), prep.AirToVacuum(b[1]))
	s := 0.0
	for i := lo; i < hi; i++ {
		s += f[i]
	}
	return s / float64(hi-lo), (g.Wave[lo] + g.Wave[hi-1]) / 2
}

// starTEW measures index x (Å) on f.
func starTEW(g *Grid, f []float64, x starTIndex) float64 {
	fb, wb := starTMean(g, f, x.blue)
	fr, wr := starTMean(g, f, x.red)
	lo, hi := g.Window(prep.AirToVacuum(x.feat[0]), prep.AirToVacuum(x.feat[1]))
	ew := 0.0
	for i := lo; i < hi; i++ {
		c := fb + (fr-fb)*(g.Wave[i]-wb)/(wr-wb)
		ew += (1 - f[i]/c) * g.Wave[i] * math.Ln10 * g.Log10Step
	}
	return ew
}

func starTSpectrum(g *Grid, p StarParams) []float64 {
	f := make([]float64, len(g.Wave))
	g.Star(f, p)
	return f
}

// Balmer equivalent width against Teff along the dwarf sequence peaks in
// the A stars.
func TestStarBalmerPeaksInAStars(t *testing.T) {
	g := starTGrid()
	for _, x := range []struct {
		name string
		idx  starTIndex
	}{{"HdeltaA", starTHdeltaA}, {"HgammaA", starTHgammaA}} {
		best, bestT := math.Inf(-1), 0.0
		for i := 0; i <= 60; i++ {
			teff := 4000 * math.Pow(30000.0/4000, float64(i)/60)
			ew := starTEW(g, starTSpectrum(g, StarParams{TeffK: teff, Logg: StarMainSequenceLogg(teff)}), x.idx)
			if ew > best {
				best, bestT = ew, teff
			}
		}
		at5000 := starTEW(g, starTSpectrum(g, StarParams{TeffK: 5000, Logg: 4.55}), x.idx)
		at25000 := starTEW(g, starTSpectrum(g, StarParams{TeffK: 25000, Logg: 4.05}), x.idx)
		if bestT < 8000 || bestT > 11000 {
			t.Errorf("%s peaks at %.0f K (%.2f Å), want 8000–11000 K", x.name, bestT, best)
		}
		if best < 5 || best < at5000+5 || best < 1.5*at25000 {
			t.Errorf("%s: peak %.2f Å not well above 5000 K (%.2f) and 25000 K (%.2f)", x.name, best, at5000, at25000)
		}
	}
}

// starTWidth returns the full width (Å) of the line at centreAA where its
// depth below the straight continuum through the flux at ±offAA falls to
// frac of the central depth, walking outward from the centre.
func starTWidth(g *Grid, f []float64, centreAA, offAA, frac float64) float64 {
	at := func(w float64) float64 {
		lo, _ := g.Window(w, w+10)
		return f[lo]
	}
	cl, cr := at(centreAA-offAA), at(centreAA+offAA)
	depth := func(i int) float64 {
		return 1 - f[i]/(cl+(cr-cl)*(g.Wave[i]-centreAA+offAA)/(2*offAA))
	}
	c, _ := g.Window(centreAA, centreAA+10)
	lo, hi := c, c
	for lo > 0 && depth(lo-1) >= frac*depth(c) {
		lo--
	}
	for hi < len(f)-1 && depth(hi+1) >= frac*depth(c) {
		hi++
	}
	return g.Wave[hi] - g.Wave[lo]
}

// Pressure (Stark) broadening: the Balmer wings of an A star widen with
// log g.
func TestStarBalmerWingsWidenWithLogg(t *testing.T) {
	g := starTGrid()
	hg := prep.AirToVacuum(4340.47)
	prev := 0.0
	var ws []float64
	for _, logg := range []float64{2.0, 3.0, 4.0, 4.5} {
		w := starTWidth(g, starTSpectrum(g, StarParams{TeffK: 9000, Logg: logg}), hg, 70, 0.2)
		ws = append(ws, w)
		if w <= prev {
			t.Errorf("Hγ width at 20%% depth does not grow with log g: %v", ws)
		}
		prev = w
	}
	if ws[3] < 1.5*ws[0] {
		t.Errorf("Hγ width log g 4.5 / 2.0 = %.2f, want > 1.5 (%v)", ws[3]/ws[0], ws)
	}
}

// Mg b and Ca II K strengthen with [Fe/H] at fixed Teff, and metallicity
// shows at every Teff below 7000 K.
func TestStarMetalLinesGrowWithFeH(t *testing.T) {
	g := starTGrid()
	var prevMg, prevK float64
	for i, feh := range []float64{-2.5, -1.5, -1.0, -0.5, 0, 0.5} {
		f := starTSpectrum(g, StarParams{TeffK: 5000, Logg: 4.5, FeH: feh})
		mg, k := starTEW(g, f, starTMgb), starTEW(g, f, starTCaK)
		if i > 0 && (mg <= prevMg+0.1 || k <= prevK+0.1) {
			t.Errorf("[Fe/H] %.1f: Mg b %.2f (prev %.2f), Ca II K %.2f (prev %.2f): not growing", feh, mg, prevMg, k, prevK)
		}
		prevMg, prevK = mg, k
	}
	for _, teff := range []float64{3500, 4500, 5500, 6200, 6900} {
		logg := StarMainSequenceLogg(teff)
		lo := starTSpectrum(g, StarParams{TeffK: teff, Logg: logg, FeH: -1})
		hi := starTSpectrum(g, StarParams{TeffK: teff, Logg: logg, FeH: 0})
		dMg := starTEW(g, hi, starTMgb) - starTEW(g, lo, starTMgb)
		dFe := starTEW(g, hi, starTFe5270) - starTEW(g, lo, starTFe5270)
		if dMg < 0.5 || dFe < 0.2 {
			t.Errorf("Teff %.0f: [Fe/H] −1 → 0 changes Mg b by %.2f Å and Fe5270 by %.2f Å", teff, dMg, dFe)
		}
	}
}

// Gravity-sensitive lines: Na D and Mg b are stronger in K–M dwarfs than
// in giants of the same Teff; the Ca II triplet is stronger in giants.
func TestStarGravityIndicators(t *testing.T) {
	g := starTGrid()
	for _, teff := range []float64{4000, 4500} {
		dwarf := starTSpectrum(g, StarParams{TeffK: teff, Logg: 4.7})
		giant := starTSpectrum(g, StarParams{TeffK: teff, Logg: 1.5})
		for _, x := range []struct {
			name string
			idx  starTIndex
		}{{"Na D", starTNaD}, {"Mg b", starTMgb}} {
			d, gi := starTEW(g, dwarf, x.idx), starTEW(g, giant, x.idx)
			if d < 1.2*gi {
				t.Errorf("%.0f K: %s dwarf %.2f Å, giant %.2f Å: want dwarf > 1.2 × giant", teff, x.name, d, gi)
			}
		}
		cat := func(f []float64) (s float64) {
			for _, x := range starTCaT {
				s += starTEW(g, f, x)
			}
			return s
		}
		if d, gi := cat(dwarf), cat(giant); gi < 1.2*d {
			t.Errorf("%.0f K: Ca II triplet dwarf %.2f Å, giant %.2f Å: want giant > 1.2 × dwarf", teff, d, gi)
		}
	}
}

// TiO: the depth of the 7054 Å γ(0,0) band, measured as 1 − TiO5 (Reid,
// Hawley & Gizis 1995: F(7126–7135)/F(7042–7046)), grows from M0 V to M5 V.
func TestStarTiOGrowsThroughM(t *testing.T) {
	g := starTGrid()
	prev := -1.0
	var depths []float64
	for _, r := range MKTable() {
		if r.LumClass != "V" || r.Letter != 'M' || r.Subtype > 5 {
			continue
		}
		f := starTSpectrum(g, StarParams{TeffK: r.TeffK, Logg: StarMainSequenceLogg(r.TeffK)})
		in, _ := starTMean(g, f, [2]float64{7126, 7135})
		out, _ := starTMean(g, f, [2]float64{7042, 7046})
		d := 1 - in/out
		depths = append(depths, d)
		if d <= prev+0.01 {
			t.Errorf("%s: TiO depth %.3f does not grow (%v)", r.Type, d, depths)
		}
		prev = d
	}
	if len(depths) != 6 || depths[0] < 0.05 || depths[5] < depths[0]+0.3 {
		t.Errorf("TiO depths M0–M5 V %v: want M0 ≥ 0.05 and M5 ≥ M0 + 0.3", depths)
	}
	// No TiO in a G dwarf.
	f := starTSpectrum(g, StarParams{TeffK: 5800, Logg: 4.4})
	in, _ := starTMean(g, f, [2]float64{7126, 7135})
	out, _ := starTMean(g, f, [2]float64{7042, 7046})
	if d := 1 - in/out; math.Abs(d) > 0.05 {
		t.Errorf("G2 V TiO depth %.3f, want ≈ 0 (metal lines only)", d)
	}
}

// He II 4686 only in O stars; He I 4471 peaks among the B stars.
func TestStarHelium(t *testing.T) {
	g := starTGrid()
	o5 := starTEW(g, starTSpectrum(g, StarParams{TeffK: 40860, Logg: 3.92}), starTHeII4686)
	if o5 < 0.3 {
		t.Fatalf("O5 V He II 4686 EW %.3f Å, want > 0.3", o5)
	}
	for _, r := range MKTable() {
		if r.LumClass != "V" {
			continue
		}
		ew := starTEW(g, starTSpectrum(g, StarParams{TeffK: r.TeffK, Logg: StarMainSequenceLogg(r.TeffK)}), starTHeII4686)
		switch {
		case r.Letter == 'O' && ew < 0.3*o5:
			t.Errorf("%s: He II 4686 EW %.3f Å, want ≥ 0.3 × O5 (%.3f)", r.Type, ew, o5)
		case r.Letter == 'B' && r.Subtype >= 1 && ew > 0.05*o5:
			t.Errorf("%s: He II 4686 EW %.3f Å, want < 0.05 × O5", r.Type, ew)
		}
	}
	best, bestT := 0.0, 0.0
	for i := 0; i <= 40; i++ {
		teff := 8000 * math.Pow(45000.0/8000, float64(i)/40)
		ew := starTEW(g, starTSpectrum(g, StarParams{TeffK: teff, Logg: StarMainSequenceLogg(teff)}), starTHeI4471)
		if ew > best {
			best, bestT = ew, teff
		}
	}
	if bestT < 15000 || bestT > 28000 || best < 0.4 {
		t.Errorf("He I 4471 peaks at %.0f K (%.2f Å), want a B star (15–28 kK) with > 0.4 Å", bestT, best)
	}
}

// starTLag returns the shift (pixels) of b relative to a from the peak of
// the cross-correlation of their high-pass filtered logarithms, with
// parabolic interpolation. The sum leaves out maxLag + 60 pixels at each
// end: a strong line straddling its boundary (P10 at 9017 Å sits 40
// pixels from the LAMOST grid's red end) biases the peak by ~0.1 pixel
// as it moves in or out.
func starTLag(a, b []float64, maxLag int) float64 {
	hp := func(f []float64) []float64 {
		out := make([]float64, len(f))
		const w = 25
		for i := range f {
			lo, hi := max(i-w, 0), min(i+w+1, len(f))
			s := 0.0
			for j := lo; j < hi; j++ {
				s += math.Log(f[j])
			}
			out[i] = math.Log(f[i]) - s/float64(hi-lo)
		}
		return out
	}
	x, y := hp(a), hp(b)
	cc := func(lag int) float64 {
		s := 0.0
		for i := maxLag + 60; i < len(x)-maxLag-60; i++ {
			s += x[i] * y[i+lag]
		}
		return s
	}
	best, bl := math.Inf(-1), 0
	for l := -maxLag; l <= maxLag; l++ {
		if c := cc(l); c > best {
			best, bl = c, l
		}
	}
	cm, c0, cp := cc(bl-1), cc(bl), cc(bl+1)
	return float64(bl) + 0.5*(cm-cp)/(cm-2*c0+cp)
}

// Lines move with the radial velocity by (1 + v/c).
func TestStarRadialVelocityShift(t *testing.T) {
	g := starTGrid()
	for _, teff := range []float64{5500, 9000} {
		rest := starTSpectrum(g, StarParams{TeffK: teff, Logg: 4.3})
		for _, rv := range []float64{-250, 37, 300} {
			moved := starTSpectrum(g, StarParams{TeffK: teff, Logg: 4.3, RVKmS: rv})
			want := math.Log10(1+rv/prep.SpeedOfLightKmS) / g.Log10Step
			if got := starTLag(rest, moved, 10); math.Abs(got-want) > 0.05 {
				t.Errorf("Teff %.0f, RV %g km/s: shift %.3f px, want %.3f", teff, rv, got, want)
			}
		}
	}
}

// The model is finite and positive over the whole parameter domain, on
// both survey grids, and its continuum is normalised near 5500 Å.
func TestStarFinitePositive(t *testing.T) {
	for _, pg := range []prep.Grid{prep.LAMOSTGrid(), prep.SDSSGrid()} {
		g := NewGrid(pg, 1800)
		f := make([]float64, len(g.Wave))
		for _, teff := range []float64{2000, 2400, 3000, 4000, 6000, 10000, 20000, 45000, 60000} {
			for _, logg := range []float64{-1, 0, 2, 4, 5.5} {
				for _, feh := range []float64{-2.5, 0, 0.5} {
					for _, rv := range []float64{-600, 0, 600} {
						g.Star(f, StarParams{TeffK: teff, Logg: logg, FeH: feh, RVKmS: rv, BroadeningKmS: 150})
						for i, v := range f {
							if !(v > 0) || math.IsInf(v, 0) {
								t.Fatalf("%v Teff %g log g %g [Fe/H] %g RV %g: pixel %d = %g", pg, teff, logg, feh, rv, i, v)
							}
						}
					}
				}
			}
		}
	}
	g := starTGrid()
	for _, teff := range []float64{8000, 20000, 45000} {
		f := starTSpectrum(g, StarParams{TeffK: teff, Logg: 4})
		if m, _ := starTMean(g, f, [2]float64{5480, 5520}); math.Abs(m-1) > 0.03 {
			t.Errorf("Teff %.0f: mean flux at 5500 Å %.3f, want 1", teff, m)
		}
	}
}

func TestStarNaNAndNoAllocation(t *testing.T) {
	g := starTGrid()
	f := make([]float64, len(g.Wave))
	g.Star(f, StarParams{TeffK: math.NaN(), Logg: 4})
	for i, v := range f {
		if !math.IsNaN(v) {
			t.Fatalf("NaN Teff: pixel %d = %g", i, v)
		}
	}
	p := StarParams{TeffK: 5100, Logg: 2.5, FeH: -0.4, RVKmS: 12, BroadeningKmS: 3}
	g.Star(f, p)
	if n := testing.AllocsPerRun(20, func() { g.Star(f, p) }); n != 0 {
		t.Errorf("Star allocates %v times per call", n)
	}
	// Star overwrites: the same call twice gives the same bytes.
	a := append([]float64(nil), f...)
	for i := range f {
		f[i] = -1
	}
	g.Star(f, p)
	for i := range f {
		if f[i] != a[i] {
			t.Fatalf("pixel %d: %g then %g", i, a[i], f[i])
		}
	}
}

// starTColour returns −2.5 log10 of the ratio of photon-weighted fluxes
// of f in two Gaussian passbands of the given centres and FWHMs (Å).
func starTColour(g *Grid, f []float64, c1, w1, c2, w2 float64) float64 {
	band := func(c, w float64) (s float64) {
		sig := w / 2.3548
		for i, l := range g.Wave {
			d := (l - c) / sig
			s += f[i] * math.Exp(-0.5*d*d) * l * l // f_λ · λ (photons) · dλ ∝ λ on a log grid
		}
		return s
	}
	return -2.5 * math.Log10(band(c1, w1)/band(c2, w2))
}

// The continuum shapes give the dwarf sequence's B − V: measured with
// Gaussian stand-ins for Johnson B (4400 Å, FWHM 980 Å) and V (5500 Å,
// FWHM 880 Å; Bessell 1990, PASP 102, 1181), relative to the simulated
// A0 V (so the zero point cancels), against the B − V of Pecaut & Mamajek
// (2013, ApJS 208, 9, Table 5), within 0.08 mag (the passbands are only
// approximate). The former continuum, Planck at Teff with blanketing,
// made G0 V–M0 V 0.1–0.3 mag too blue relative to A0 V.
func TestStarColours(t *testing.T) {
	g := starTGrid()
	bv := func(teff float64) float64 {
		return starTColour(g, starTSpectrum(g, StarParams{TeffK: teff, Logg: StarMainSequenceLogg(teff)}), 4400, 980, 5500, 880)
	}
	a0 := bv(9700)
	for _, c := range []struct{ teff, bv float64 }{
		{8080, 0.16}, {7220, 0.30}, {6510, 0.44}, {5930, 0.59}, {5660, 0.68}, {5270, 0.82}, {4440, 1.15}, {3850, 1.43},
	} {
		if got := bv(c.teff) - a0; math.Abs(got-c.bv) > 0.08 {
			t.Errorf("Teff %.0f K: B − V %.3f (relative to A0 V), Pecaut & Mamajek %.2f", c.teff, got, c.bv)
		}
	}
}

// starExp agrees with math.Exp to 1e-12 relative.
func TestStarExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		x := -700 + 1400*rng.Float64()
		if r := math.Abs(starExp(x)/math.Exp(x) - 1); r > 1e-12 {
			t.Fatalf("starExp(%v) = %v, math.Exp %v (rel. %g)", x, starExp(x), math.Exp(x), r)
		}
	}
	if starExp(0) != 1 || starExp(-800) != 0 || starExp(math.Inf(-1)) != 0 || !math.IsNaN(starExp(math.NaN())) {
		t.Error("starExp special values")
	}
}

// The Saha–Boltzmann n = 2 population at P_e = 200 dyn cm⁻² peaks near
// 9900 K (Carroll & Ostlie 2007, An Introduction to Modern Astrophysics, §8.1).
func TestStarHydrogenPopulationPeak(t *testing.T) {
	best, bestT := 0.0, 0.0
	for teff := 5000.0; teff < 20000; teff += 10 {
		if x2, _ := starHPop(teff, 200); x2 > best {
			best, bestT = x2, teff
		}
	}
	if math.Abs(bestT-9900) > 200 {
		t.Errorf("N2/N peaks at %.0f K, want ≈ 9900 K", bestT)
	}
}

// The air-to-vacuum conversion of the line list agrees with the vacuum
// wavelengths of the SDSS spectroscopic line list (idlspec2d).
func TestStarLineListVacuum(t *testing.T) {
	starInitVac()
	for _, c := range []struct{ air, vac float64 }{
		{6562.79, 6564.61}, {4861.35, 4862.68}, {4340.47, 4341.68}, {4101.74, 4102.89},
		{3933.66, 3934.78}, {3968.47, 3969.59}, {8498.02, 8500.36}, {8542.09, 8544.44}, {8662.14, 8664.52},
	} {
		found := false
		for _, l := range starVac.lines {
			if math.Abs(prep.VacuumToAir(l.vacAA)-c.air) < 1e-6 {
				found = true
				if math.Abs(l.vacAA-c.vac) > 0.05 {
					t.Errorf("%.2f Å air → %.3f Å vacuum, SDSS %.2f", c.air, l.vacAA, c.vac)
				}
			}
		}
		for k, h := range starHLines {
			if h.airAA == c.air {
				found = true
				if math.Abs(starVac.h[k]-c.vac) > 0.05 {
					t.Errorf("H %.2f Å air → %.3f Å vacuum, SDSS %.2f", c.air, starVac.h[k], c.vac)
				}
			}
		}
		if !found {
			t.Errorf("%.2f Å not in the line list", c.air)
		}
	}
}

func TestDrawStar(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var rvThin, rvHalo []float64
	for k := 0; k < len(mkLetters); k++ {
		letter := mkLetters[k]
		for _, giant := range []bool{false, true} {
			want := "V"
			if giant {
				want = "III"
			}
			for range 300 {
				p := DrawStar(rng, letter, giant)
				st := SpectralType(p.TeffK, p.Logg)
				if st == "" || st[0] != letter || LumClass(p.TeffK, p.Logg) != want {
					t.Fatalf("DrawStar(%c, %v) = %+v: type %s", letter, giant, p, st)
				}
				if p.FeH < -2.5 || p.FeH > 0.5 || !(p.BroadeningKmS >= 0) || math.IsNaN(p.RVKmS) || p.Logg < 0 || p.Logg > 5.6 {
					t.Fatalf("DrawStar(%c, %v) = %+v", letter, giant, p)
				}
				if p.FeH > -0.3 {
					rvThin = append(rvThin, p.RVKmS)
				} else if p.FeH < -1.6 {
					rvHalo = append(rvHalo, p.RVKmS)
				}
			}
		}
	}
	rms := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v * v
		}
		return math.Sqrt(s / float64(len(x)))
	}
	if a, b := rms(rvThin), rms(rvHalo); b < 2.5*a {
		t.Errorf("RV rms: metal-rich %.0f km/s, metal-poor %.0f km/s: want halo ≫ disc", a, b)
	}
	a := DrawStar(rand.New(rand.NewPCG(3, 4)), 'K', true)
	b := DrawStar(rand.New(rand.NewPCG(3, 4)), 'K', true)
	if a != b {
		t.Errorf("same seed, different draws: %+v, %+v", a, b)
	}
	defer func() {
		if recover() == nil {
			t.Error("DrawStar('X') did not panic")
		}
	}()
	DrawStar(rng, 'X', false)
}

// BenchmarkStar measures one LAMOST spectrum at R = 1800, cycling through
// 64 drawn stars of all types.
func BenchmarkStar(b *testing.B) {
	g := starTGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(1, 1))
	ps := make([]StarParams, 64)
	for i := range ps {
		ps[i] = DrawStar(rng, mkLetters[i%len(mkLetters)], i%3 == 0)
	}
	g.Star(f, ps[0])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Star(f, ps[i%len(ps)])
	}
}
