package model

import (
	"math"
	"testing"
)

// lineSpectrum returns a continuum cont(j) with Gaussian absorption lines
// of depth 30% and σ 2 pixels every 37 pixels.
func lineSpectrum(n int, cont func(j int) float64) []float64 {
	f := make([]float64, n)
	for j := range f {
		a := 0.0
		for c := 5; c < n; c += 37 {
			d := float64(j-c) / 2
			a += 0.3 * math.Exp(-0.5*d*d)
		}
		f[j] = cont(j) * (1 - math.Min(a, 0.9))
	}
	return f
}

func TestPseudoContinuumFollowsASlopedContinuumUnderLines(t *testing.T) {
	const n = 3908
	cont := func(j int) float64 { return 100 + 0.02*float64(j) }
	f := lineSpectrum(n, cont)
	w := make([]float64, n)
	for j := range w {
		w[j] = 1
	}
	for j := 1000; j < 1150; j++ { // a gap wider than a block
		w[j] = 0
	}
	c := make([]float64, n)
	pseudoContinuum(f, w, 96, -1, c, make([]float64, 0, n), make([]float64, n))
	worst := 0.0
	for j := 48; j < n-48; j++ { // inside the first and last block centres
		worst = math.Max(worst, math.Abs(c[j]/cont(j)-1))
	}
	// Lines every 37 pixels leave about half of each block within 0.1%
	// of the continuum; the refit through the upper half still takes in
	// some line wings, most where a gap leaves fewer pixels.
	if worst > 0.01 {
		t.Errorf("continuum off by up to %.2f%%", 100*worst)
	}
	// At a line centre the channel reads 10·(−0.3).
	j := 5 + 37*50
	if got := continuumRelative(f[j], c[j], 1); math.Abs(float64(got)+3) > 0.1 {
		t.Errorf("continuum-relative flux at a 30%% line = %.3f, want -3", got)
	}
}

func TestPseudoContinuumIsExactForALineFreeSlope(t *testing.T) {
	const n = 1000
	f, w := make([]float64, n), make([]float64, n)
	for j := range f {
		f[j], w[j] = 3-0.001*float64(j), 1
	}
	c := make([]float64, n)
	pseudoContinuum(f, w, 96, -1, c, make([]float64, 0, n), make([]float64, n))
	for j := 48; j < n-48; j++ {
		if math.Abs(c[j]-f[j]) > 1e-9 {
			t.Fatalf("c[%d] = %g, want %g", j, c[j], f[j])
		}
	}
}

func TestPseudoContinuumWithoutDataUsesTheFallback(t *testing.T) {
	f := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	w := make([]float64, len(f))
	w[3] = 1 // one good pixel: no block has a quarter of its pixels
	c := make([]float64, len(f))
	pseudoContinuum(f, w, 8, 42, c, make([]float64, 0, 8), make([]float64, 8))
	for j, v := range c {
		if v != 42 {
			t.Fatalf("c[%d] = %g, want the fallback 42", j, v)
		}
	}
}

func TestContinuumRelativeFloorsTheDenominator(t *testing.T) {
	// A continuum near zero divides by the floor instead.
	if got := continuumRelative(1.5, 1e-9, 0.5); math.Abs(float64(got)-20) > 1e-6 {
		t.Errorf("got %g, want the clip 20", got)
	}
	if got := continuumRelative(0.6, 0.5, 1); math.Abs(float64(got)-1) > 1e-6 {
		t.Errorf("got %g, want 10·0.1/1 = 1", got)
	}
}
