package observe

import (
	"math"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

func TestFastExp(t *testing.T) {
	worst := 0.0
	for x := -700.0; x <= 700; x += 0.0173 {
		worst = max(worst, math.Abs(fastExp(x)/math.Exp(x)-1))
	}
	if worst > 1e-8 {
		t.Errorf("fastExp relative error %g, want < 1e-8", worst)
	}
	if fastExp(-800) != 0 || fastExp(0) != 1 {
		t.Errorf("fastExp(-800) = %v, fastExp(0) = %v", fastExp(-800), fastExp(0))
	}
}

func TestSkyLineIntensities(t *testing.T) {
	lines := SkyLines()
	air, r, _ := skyLineIntensities(lines, 1)
	band := map[[2]int]float64{}
	for i, l := range lines {
		switch {
		case l.Kind == SkyOH:
			band[[2]int{l.VUpper, l.VLower}] += r[i]
		case l.Kind == SkyNebular && r[i] != 0:
			t.Errorf("nebular line %v has %v R, want 0 (not sky)", l.AirAA, r[i])
		case l.Species == "[OI]" && l.AirAA == 5579:
			if air[i] != 5577.339 || r[i] != 320 {
				t.Errorf("[O I] green line at %v Å with %v R, want 5577.339 Å (NIST) and 320 R", air[i], r[i])
			}
		case l.Species == "[OI]" && l.AirAA == 6363.8:
			if math.Abs(r[i]-160/3.1) > 1e-9 {
				t.Errorf("[O I] 6364 has %v R, want 6300/3.1", r[i])
			}
		}
	}
	for b, want := range ohBandR {
		if got, ok := band[b]; ok && math.Abs(got-want) > 1e-9*want {
			t.Errorf("OH band %v: lines sum to %v R, want %v", b, got, want)
		}
	}
	// The OH forest grows strongly into the red: the 8000–9000 Å bands
	// outshine the 5000–6000 Å ones by more than tenfold.
	var blue, red float64
	for i, l := range lines {
		if l.Kind == SkyOH && l.AirAA >= 5000 && l.AirAA < 6000 {
			blue += r[i]
		}
		if l.Kind == SkyOH && l.AirAA >= 8000 && l.AirAA < 9000 {
			red += r[i]
		}
	}
	if !(red > 10*blue) {
		t.Errorf("OH 8000–9000 Å: %v R, 5000–6000 Å: %v R; want a red forest", red, blue)
	}
	// Light pollution scales the lamp lines only.
	_, r0, _ := skyLineIntensities(lines, 0)
	for i, l := range lines {
		lamp := l.Kind == SkyManMade && l.Species != "KI" || l.Species == "Hg"
		if lamp && r0[i] != 0 || !lamp && r0[i] != r[i] {
			t.Errorf("%v %s: %v R without light pollution, %v with", l.AirAA, l.Species, r0[i], r[i])
		}
	}
}

// TestSkyCountsPhysical checks the sky in electrons against the photon
// bookkeeping done here by hand: a line of I rayleighs gives
// I · 10⁶/(4π) photons s⁻¹ cm⁻² sr⁻¹ × fibre solid angle × area × time ×
// efficiency; the continuum at 5500 Å is the V magnitude's f_λ.
func TestSkyCountsPhysical(t *testing.T) {
	ins := LAMOST()
	p := ins.Params()
	eff := ins.Efficiency()
	w := ins.Grid().Wave
	sr := p.FiberAreaArcsec2 * math.Pow(math.Pi/180/3600, 2)
	// [O I] 5577 (air 5577.339 Å, vacuum 5578.89 Å), 320 R.
	c := prep.AirToVacuum(5577.339)
	lo, hi := ins.Grid().Window(c-8, c+8)
	var got float64
	for i := lo; i < hi; i++ {
		got += ins.skyLine[i]
	}
	ic := (lo + hi) / 2
	want := 320 * 1e6 / (4 * math.Pi) * sr * p.TelescopeAreaCm2 * p.ExposureS * eff[ic]
	if math.Abs(got/want-1) > 0.03 {
		t.Errorf("[O I] 5577: %.0f e⁻, want %.0f (320 R)", got, want)
	}
	// Continuum at 5500 Å: f_λ = 3.63e-9 · 10^(−0.4 V) erg s⁻¹ cm⁻² Å⁻¹ arcsec⁻².
	i, _ := ins.Grid().Window(5500, 5510)
	dl := w[i] * math.Ln10 * p.Grid.Log10Step
	fl := 3.63e-9 * math.Pow(10, -0.4*p.SkyVMag) * math.Pow(w[i]/5500, 0.8)
	want = fl * w[i] / 1.98644586e-8 * p.FiberAreaArcsec2 * p.TelescopeAreaCm2 * p.ExposureS * dl * eff[i]
	if math.Abs(ins.skyCont[i]/want-1) > 1e-6 {
		t.Errorf("continuum at %.1f Å: %v e⁻, want %v", w[i], ins.skyCont[i], want)
	}
	// Moonlight (Moon = 1) equals the dark continuum at 5500 Å and is bluer.
	if r := ins.skyMoon[i] / ins.skyCont[i]; math.Abs(r-1) > 0.01 {
		t.Errorf("moon/dark continuum at 5500 Å = %v, want 1", r)
	}
	j, _ := ins.Grid().Window(4500, 4510)
	k, _ := ins.Grid().Window(8000, 8010)
	if !(ins.skyMoon[j]/ins.skyCont[j] > 1.5*ins.skyMoon[k]/ins.skyCont[k]) {
		t.Errorf("moonlight is not bluer than the dark sky")
	}
	sky := ins.SkyCounts(2, 0)
	if sky[i] != 2*(ins.skyCont[i]+ins.skyLine[i]) {
		t.Errorf("SkyCounts(2, 0) = %v, want twice the dark sky", sky[i])
	}
}

func TestTelluricTau(t *testing.T) {
	ins := LAMOST()
	w := ins.Grid().Wave
	// The A band's deepest pixel lies in 7594–7640 Å (air).
	lo, hi := ins.Grid().Window(7400, 7800)
	best := lo
	for i := lo; i < hi; i++ {
		if ins.tauO2[i] > ins.tauO2[best] {
			best = i
		}
	}
	if a := prep.VacuumToAir(w[best]); a < 7594 || a > 7640 {
		t.Errorf("A band deepest at %.1f Å air, want 7594–7640", a)
	}
	// The LSF smoothing keeps ∫τ dλ: the A band components sum to
	// Σ τ·σ·√(2π).
	var want float64
	for _, c := range telluricO2[:5] {
		want += c.tau * c.sigmaAA * math.Sqrt(2*math.Pi)
	}
	var got float64
	for i := lo; i < hi; i++ {
		got += ins.tauO2[i] * w[i] * math.Ln10 * ins.Params().Grid.Log10Step
	}
	if math.Abs(got/want-1) > 0.01 {
		t.Errorf("∫τ over the A band = %v Å, want %v", got, want)
	}
	// No telluric absorption in the blue.
	for i := range w {
		if w[i] < 6000 && ins.tauO2[i]+ins.tauH2O[i] != 0 {
			t.Fatalf("telluric τ at %.1f Å", w[i])
		}
	}
}

func TestInstrumentShape(t *testing.T) {
	for _, tc := range []struct {
		ins       *Instrument
		n         int
		r, w0     float64
		dichroic  float64
		flagsJoin bool
	}{
		{LAMOST(), 3908, 1800, 3699.99, 5900, true},
		{SDSS(), 4648, 2000, 3566.97, 6000, false},
	} {
		ins := tc.ins
		g := ins.Grid()
		if len(g.Wave) != tc.n || g.R != tc.r || math.Abs(g.Wave[0]-tc.w0) > 0.01 || ins.Grid() != g {
			t.Errorf("%s grid: %d px from %.2f Å, R %v", ins.Params().Name, len(g.Wave), g.Wave[0], g.R)
		}
		eff := ins.Efficiency()
		at := func(wl float64) int { i, _ := g.Window(wl, wl+3); return i }
		lo, hi := g.Window(tc.dichroic-60, tc.dichroic+60)
		dip := math.Inf(1)
		for i := lo; i < hi; i++ {
			dip = min(dip, eff[i])
		}
		if !(dip < 0.8*min(eff[at(tc.dichroic-300)], eff[at(tc.dichroic+300)])) {
			t.Errorf("%s: no throughput dip at the dichroic (%v)", ins.Params().Name, dip)
		}
		m := ins.Params().Mask.LowThroughput
		if ins.static[0] != m || ins.static[tc.n-1] != m || ins.static[at(5000)] != 0 {
			t.Errorf("%s: grid ends not flagged, or 5000 Å flagged", ins.Params().Name)
		}
		if got := ins.static[at(tc.dichroic)] == m; got != tc.flagsJoin {
			t.Errorf("%s: dichroic flagged %v, want %v", ins.Params().Name, got, tc.flagsJoin)
		}
	}
}
