package synth

import (
	"math"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// bandTestTau is the band optical depth at u = ln(λ/head), computed by
// direct numerical convolution (Simpson's rule) of the one-sided
// exponential τ0·exp(−v/s), v = ±u ≥ 0, with a Gaussian of σ su, both in
// ln λ: an independent check of the closed form in bands.go.
func bandTestTau(u, tau0, s, su float64, toRed bool) float64 {
	if !toRed {
		u = -u
	}
	// ∫_0^∞ exp(−v/s) N(u − v; su) dv, over v ∈ [max(0, u − 10su), u + 10su].
	a, b := max(0, u-10*su), u+10*su
	if b <= a {
		return 0
	}
	const n = 2000
	h := (b - a) / n
	sum := 0.0
	for i := 0; i <= n; i++ {
		v := a + float64(i)*h
		w := 2.0
		if i == 0 || i == n {
			w = 1
		} else if i%2 == 1 {
			w = 4
		}
		d := (u - v) / su
		sum += w * math.Exp(-v/s) * math.Exp(-0.5*d*d) / (su * math.Sqrt(2*math.Pi))
	}
	return tau0 * sum * h / 3
}

func TestAbsorbBandMatchesConvolution(t *testing.T) {
	g := NewGrid(prep.LAMOSTGrid(), 1800)
	for _, c := range []struct {
		head, scale, tau float64
		toRed            bool
	}{
		{7054.2, 110, 0.8, true}, // TiO γ(0,0)
		{5165.2, 60, 1.5, false}, // C2 Swan (0,0)
		{4216.0, 3, 0.5, false},  // a band narrower than the LSF
		{8432.5, 0.2, 2.0, true}, // e-folding far below σ: clamped to σ/20
		{3701.0, 40, 1.0, false}, // head at the grid edge
		{9096.0, 200, 1.0, true}, // tail off the red end
	} {
		f := make([]float64, len(g.Wave))
		for i := range f {
			f[i] = 1
		}
		g.AbsorbBand(f, c.head, c.scale, c.toRed, c.tau)
		s := math.Log1p(c.scale / c.head)
		su := g.LSFSigmaAA(c.head) / c.head
		s = max(s, su/20)
		worst := 0.0
		for i, w := range g.Wave {
			want := bandTestTau(math.Log(w/c.head), c.tau, s, su, c.toRed)
			got := -math.Log(f[i])
			// The tail is cut where τ < 1e-4.
			if d := math.Abs(got - want); d > worst && !(got == 0 && want < 1.1e-4) {
				worst = d
			}
		}
		if worst > 1e-6 {
			t.Errorf("band %+v: max |τ − τ_numerical| = %.2g", c, worst)
		}
	}
}

// The LSF conserves the band's integrated optical depth: for an
// exponential in ln λ, ∫τ dλ = τ0·head·s/(1 ∓ s).
func TestAbsorbBandArea(t *testing.T) {
	g := NewGrid(prep.LAMOSTGrid(), 1800)
	for _, toRed := range []bool{true, false} {
		const head, scale, tau = 6000.0, 80.0, 0.3
		f := make([]float64, len(g.Wave))
		for i := range f {
			f[i] = 2
		}
		g.AbsorbBand(f, head, scale, toRed, tau)
		area := 0.0
		for i, w := range g.Wave {
			area += -math.Log(f[i]/2) * w * (math.Pow(10, g.Log10Step/2) - math.Pow(10, -g.Log10Step/2))
		}
		s := math.Log1p(scale / head)
		want := tau * head * s / (1 - s)
		if !toRed {
			want = tau * head * s / (1 + s)
		}
		if math.Abs(area/want-1) > 2e-3 {
			t.Errorf("toRed=%v: ∫τ dλ = %.4f Å, want %.4f", toRed, area, want)
		}
	}
}

func TestAbsorbBandNoOp(t *testing.T) {
	g := NewGrid(prep.LAMOSTGrid(), 1800)
	f := make([]float64, len(g.Wave))
	for _, c := range [][3]float64{{5000, 50, 0}, {5000, 50, -1}, {5000, 50, math.NaN()}, {5000, 0, 1}, {-5, 50, 1}, {5000, 50, math.Inf(1)}, {20000, 50, 1}} {
		for i := range f {
			f[i] = 1
		}
		g.AbsorbBand(f, c[0], c[1], true, c[2])
		for i := range f {
			if f[i] != 1 {
				t.Fatalf("AbsorbBand(%v) changed pixel %d to %g", c, i, f[i])
			}
		}
	}
}

// The Gaussian recurrence of starGauss reproduces the directly evaluated
// profile, and the pseudo-Voigt of starVoigt has the requested area.
func TestStarLineProfiles(t *testing.T) {
	g := NewGrid(prep.LAMOSTGrid(), 1800)
	f := make([]float64, len(g.Wave))
	const centre, sig, area = 5000.3, 1.3, 0.01 // weak: saturation negligible
	g.starGauss(f, g.starPix(math.Log10(centre)), centre, sig, area, 1e9)
	for i, w := range g.Wave {
		d := (w - centre) / sig
		want := 0.0
		if math.Abs(d) < 4.9 {
			want = area / (sig * math.Sqrt(2*math.Pi)) * math.Exp(-0.5*d*d)
		}
		if math.Abs(-f[i]-want) > 2e-3*area/sig+1e-12 && math.Abs(d) < 4.9 {
			t.Fatalf("pixel %d (%.2f Å): τ %g, want %g", i, w, -f[i], want)
		}
	}
	for _, gamma := range []float64{0.1, 1, 5} {
		for i := range f {
			f[i] = 0
		}
		const strong = 1.0
		g.starVoigt(f, g.starPix(math.Log10(centre)), centre, sig, gamma, strong, 1e9, starVoigtFloor)
		sum := 0.0
		for i, w := range g.Wave {
			sum += -f[i] * w * math.Ln10 * g.Log10Step
		}
		// The wings beyond the τ floor or ±5% carry a few per cent.
		if math.Abs(sum/strong-1) > 0.05 {
			t.Errorf("γ %g: ∫τ dλ = %.5f, want %.5f", gamma, sum, strong)
		}
	}
}
