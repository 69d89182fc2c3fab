package observe

import (
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// benchModel is a 5800 K Planck continuum with a few absorption lines.
func benchModel(g *synth.Grid) []float64 {
	m := make([]float64, len(g.Wave))
	for i, w := range g.Wave {
		m[i] = synth.Planck(w, 5800)
	}
	for _, c := range []float64{3934.8, 3969.6, 4102.9, 4341.7, 4862.7, 5175, 5891.6, 6564.6, 8500, 8544, 8665} {
		g.AbsorbGaussian(m, c, g.LSFSigmaAA(c), 1.5)
	}
	return m
}

func BenchmarkObserveLAMOST(b *testing.B) { benchObserve(b, LAMOST()) }

func BenchmarkObserveSDSS(b *testing.B) { benchObserve(b, SDSS()) }

// benchObserve times Observe of a solar-type model through ins.
func benchObserve(b *testing.B, ins *Instrument) {
	o := ins.NewObserver()
	model := benchModel(ins.Grid())
	rng := rand.New(rand.NewPCG(1, 2))
	var s spectrum.Spectrum
	c := Conditions{SNRg: 20, EBV: 0.05, Airmass: 1.2, SkyScale: 1, Moon: 0.5, PWVmm: 5}
	o.Observe(model, c, rng, &s)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		o.Observe(model, c, rng, &s)
	}
}
