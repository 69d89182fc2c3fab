package realism

import (
	"testing"

	"github.com/astroone/astroone-go/sim/synth"
)

// BenchmarkNewPairLAMOST measures one comparison of two LAMOST-grid
// spectra: two continuum fits (cubic spline, clipped), correlation, RMS,
// DER_SNR and the noise ceiling.
func BenchmarkNewPairLAMOST(b *testing.B) {
	real := ObserveLAMOST(synth.StarParams{TeffK: 5800, Logg: 4.4}, 20, 0.05, 1)
	sim := ObserveLAMOST(synth.StarParams{TeffK: 5800, Logg: 4.4}, 20, 0.05, 2)
	b.ResetTimer()
	for b.Loop() {
		if _, err := CompareLAMOST(real, sim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTargetScore measures one model evaluation of a grid fit (the
// simulator's star on the LAMOST grid, its continuum fit and χ²): the
// inner loop of FitStar.
func BenchmarkTargetScore(b *testing.B) {
	real := ObserveLAMOST(synth.StarParams{TeffK: 5800, Logg: 4.4}, 20, 0.05, 1)
	tg, err := LAMOSTTarget(real)
	if err != nil {
		b.Fatal(err)
	}
	model := LAMOSTStarModel()
	f := make([]float64, len(tg.Norm))
	b.ResetTimer()
	for b.Loop() {
		model(StarGuess{TeffK: 5600, Logg: 4, FeH: -0.5, RVKmS: 10}, f)
		if _, _, _, err := tg.Score(f); err != nil {
			b.Fatal(err)
		}
	}
}
