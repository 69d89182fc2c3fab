package synth

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// starFinish and starSteps agree with a direct evaluation: ln C linearly
// interpolated between the exact nodes, the steps' cubic at every pixel,
// and math.Exp of the sum, to 1e-11 relative, on the LAMOST grid and on a
// grid whose length is not a multiple of the node spacing.
func TestStarFinishMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, g := range []*Grid{NewGrid(prep.LAMOSTGrid(), 1800), NewGrid(prep.Grid{Log10Start: 3.55, Log10Step: 1e-4, N: 1001}, 2000)} {
		n := len(g.Wave)
		for trial := range 20 {
			c := starCont{t: 3000 + 20000*rng.Float64(), blank: 0.3 * rng.Float64(), brk: 0.6 * rng.Float64(),
				jump: 1.2 * rng.Float64(), violet: float64(trial%2) * rng.Float64()}
			c.norm = c.smooth(5500)
			dop := 1 + 1e-3*rng.NormFloat64()
			f := make([]float64, n)
			for i := range f { // line depressions on some pixels, none on others
				if rng.IntN(3) > 0 {
					f[i] = -2 * rng.Float64()
				}
			}
			want := make([]float64, n)
			inv := 1 / dop
			for i := range want {
				// The continuum node below and above i, linear in ln C between.
				i0 := i / starContinuumStep * starContinuumStep
				i1 := min(i0+starContinuumStep, n-1)
				lnC := c.smooth(g.Wave[i0]*inv) - c.norm
				if i1 > i0 {
					c1 := c.smooth(g.Wave[i1]*inv) - c.norm
					lnC += (c1 - lnC) * float64(i-i0) / float64(i1-i0)
				}
				v := f[i]
				for _, s := range [2]struct{ tau, at, w float64 }{{c.brk, starBreakAA, starBreakWidthAA}, {c.jump, starJumpAA, starJumpWidthAA}} {
					u := (s.at + s.w - g.Wave[i]*inv) / (2 * s.w)
					switch {
					case !(s.tau > 1e-4):
					case u >= 1:
						v -= s.tau
					case u > 0:
						v -= s.tau * u * u * (3 - 2*u)
					}
				}
				want[i] = math.Exp(lnC + v)
			}
			g.starSteps(f, &c, dop)
			g.starFinish(f, &c, dop)
			for i := range f {
				if r := math.Abs(f[i]/want[i] - 1); !(r < 1e-11) {
					t.Fatalf("n=%d trial %d pixel %d: %g, direct %g (rel. %g)", n, trial, i, f[i], want[i], r)
				}
			}
		}
	}
}

// starExp meets its documented 2e-13 relative accuracy, including at the
// table's nodes and midpoints.
func TestStarExpTight(t *testing.T) {
	worst := 0.0
	for x := -699.9999; x < 700; x += 0.000731 {
		worst = max(worst, math.Abs(starExp(x)/math.Exp(x)-1))
	}
	for j := -20000; j <= 20000; j++ {
		x := float64(j) * math.Ln2 / 512
		worst = max(worst, math.Abs(starExp(x)/math.Exp(x)-1))
	}
	if worst > 2e-13 {
		t.Errorf("starExp relative error %g, want < 2e-13", worst)
	}
}
