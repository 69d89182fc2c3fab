package sim

import (
	"context"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

// BenchmarkSpectrum measures making one object in memory (model,
// instrument, sky and noise), all classes in equal shares, on the LAMOST
// grid.
func BenchmarkSpectrum(b *testing.B) {
	s, err := New(Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	w := s.NewWorker()
	var sp spectrum.Spectrum
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.Spectrum(i, &sp)
	}
}

// BenchmarkWriteSampleLAMOST measures the simulate command's work per
// spectrum with one worker: make the object and write its LAMOST DR8+
// FITS file and label row. spectra/s per core = 1e9 / (ns/op).
func BenchmarkWriteSampleLAMOST(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	if err := WriteSample(context.Background(), SampleOptions{Dir: dir, N: b.N, Seed: 1, Workers: 1}); err != nil {
		b.Fatal(err)
	}
}
