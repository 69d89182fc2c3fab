package baseline

import (
	"sync"
	"testing"
	"time"

	"github.com/astroone/astroone-go/dataset"
)

// benchFitters trains both baselines once for the benchmarks: 1100
// simulated spectra of all classes (100 per class) at S/N 20–100.
var benchFitters = sync.OnceValues(func() (*TemplateFitter, *Cannon) {
	train := simSet(nil, 41, 0, 1100, nil, 20, 100)
	f, err := FitTemplates(train, TemplateOptions{Workers: 1})
	if err != nil {
		panic(err)
	}
	c, err := TrainCannon(train, CannonOptions{Workers: 1})
	if err != nil {
		panic(err)
	}
	return f, c
})

// reportCPU adds the CPU time per operation (all threads), which on a
// shared machine is a steadier measure than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkTemplatePredict measures single-threaded predictions per
// second of the template fitter over a mix of all classes.
func BenchmarkTemplatePredict(b *testing.B) {
	f, _ := benchFitters()
	test := simSet(b, 42, 0, 55, nil, 20, 100)
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f.Predict(&test.Examples[i%len(test.Examples)])
	}
	reportCPU(b, c0)
}

// BenchmarkCannonPredict measures single-threaded Cannon predictions per
// second (own velocity estimate) on FGK stars.
func BenchmarkCannonPredict(b *testing.B) {
	_, c := benchFitters()
	test := fgk(simSet(b, 43, 0, 150, nil, 20, 100))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		c.Predict(&test[i%len(test)])
	}
	reportCPU(b, c0)
}

var _ = dataset.NumClasses
