package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
)

// BenchmarkLoadSimDir measures LoadSimDir on 200 simulated LAMOST DR8
// files (read, air→vacuum check, resampling, float32 conversion).
func BenchmarkLoadSimDir(b *testing.B) {
	dir := b.TempDir()
	const n = 200
	if err := sim.WriteSample(context.Background(), sim.SampleOptions{Dir: dir, N: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				set, ferrs, err := LoadSimDir(context.Background(), dir, LoadOptions{Workers: workers})
				if err != nil || len(ferrs) != 0 || len(set.Examples) != n {
					b.Fatal(err, ferrs)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "spectra/s")
		})
	}
}

// lamostSet returns n synthetic examples on the LAMOST grid.
func lamostSet(n int) *Set {
	g := prep.LAMOSTGrid()
	set := &Set{Grid: g}
	for i := range n {
		ex := gaussianLine(g, 100, 40, float64(200+i), 3)
		ex.ID = fmt.Sprint(i)
		ex.Labels.Class, ex.Labels.SNR = i%NumClasses, 60
		ex.Labels.Params[ParamTeff], ex.Labels.Params[ParamRV] = 5000, 10
		set.Examples = append(set.Examples, ex)
	}
	return set
}

// BenchmarkBatcherNext measures Next (with Recycle) for batches of 32
// LAMOST spectra, with and without augmentation; the consumer does
// nothing else, so this is the producer's assembly rate.
func BenchmarkBatcherNext(b *testing.B) {
	set := lamostSet(256)
	norm := FitNormalizer(set)
	for _, c := range []struct {
		name string
		aug  *Augment
	}{{"plain", nil}, {"augment", &Augment{RVSigmaKmS: 50, MinSNR: 10, FluxScale: [2]float64{0.5, 2}}}} {
		b.Run(c.name, func(b *testing.B) {
			bt, err := NewBatcher(set, norm, BatchOptions{Size: 32, Seed: 1, Shuffle: true, Augment: c.aug, Epochs: -1, DropLast: true})
			if err != nil {
				b.Fatal(err)
			}
			defer bt.Close()
			for b.Loop() {
				batch, err := bt.Next()
				if err != nil {
					b.Fatal(err)
				}
				bt.Recycle(batch)
			}
			b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "spectra/s")
		})
	}
}

// BenchmarkAugmentApply measures one augmentation of a LAMOST spectrum.
func BenchmarkAugmentApply(b *testing.B) {
	g := prep.LAMOSTGrid()
	ex := gaussianLine(g, 100, 40, 2000, 3)
	ex.Labels.SNR = 80
	a := Augment{RVSigmaKmS: 50, MinSNR: 10, FluxScale: [2]float64{0.5, 2}}
	rng := rand.New(rand.NewPCG(1, 2))
	var dst Example
	for b.Loop() {
		a.Apply(rng, &ex, g, &dst)
	}
}
