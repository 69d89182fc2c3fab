// Package benchdata makes the synthetic labelled batches that the model's
// speed benchmarks feed (train's BenchmarkTrainStep and bench/torch's
// gobench, whose PyTorch replica draws the same kind of batch), so that
// every benchmark times the same work.
package benchdata

import (
	"math/rand/v2"
	"slices"

	"github.com/astroone/astroone-go/dataset"
)

// Batch returns n random spectra of pixels pixels with labels, the same
// for every call: flux N(100, 10²) with ivar 0.01, every class in turn,
// the four stellar parameters N(0, 1) (already standardised) and, for
// QSOs and galaxies, a redshift in [0.1, 3.6) in physical units (the
// benchmarks use a Normalizer with mean 0 and std 1).
func Batch(pixels, n int) *dataset.Batch {
	rng := rand.New(rand.NewPCG(1, 2))
	b := &dataset.Batch{Size: n, Pixels: pixels, Flux: make([]float32, n*pixels), Ivar: make([]float32, n*pixels),
		Class: make([]int32, n), Y: make([]float32, n*dataset.NumParams), W: make([]float32, n*dataset.NumParams)}
	for i := range b.Flux {
		b.Flux[i] = float32(100 + 10*rng.NormFloat64())
		b.Ivar[i] = 0.01
	}
	for i := range n {
		b.Class[i] = int32(i % dataset.NumClasses)
		for k := range 4 {
			b.Y[i*dataset.NumParams+k] = float32(rng.NormFloat64())
			b.W[i*dataset.NumParams+k] = 1
		}
	}
	qso, galaxy := slices.Index(dataset.ClassNames, "QSO"), slices.Index(dataset.ClassNames, "GALAXY")
	for i, c := range b.Class {
		if int(c) == qso || int(c) == galaxy {
			b.Y[i*dataset.NumParams+dataset.ParamZ] = float32(0.1 + 3.5*rng.Float64())
			b.W[i*dataset.NumParams+dataset.ParamZ] = 1
		}
	}
	return b
}
