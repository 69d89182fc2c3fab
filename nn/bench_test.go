package nn

import (
	"testing"
)

// BenchmarkTrainStep times one training step (forward, backward, Adam update) of
// benchTransformer (4 layers, d=128, 4 heads, batch 32 × 60 tokens) on Backend(), with GoMLX's
// stock Dot/DotGeneral gradients and with this package's gemm-based ones. Graph building,
// compilation and the first step are excluded. The stock case takes tens of seconds per step
// on 2 cores: run it with -benchtime=1x. Besides wall seconds per step it reports the process's
// CPU seconds per step (user+system), which other load on a shared machine disturbs less.
//
//	go test -run '^$' -bench TrainStep -benchtime=1x ./nn/
func BenchmarkTrainStep(b *testing.B) {
	for _, bc := range []struct {
		name string
		gemm bool
	}{{"stock", false}, {"gemm", true}} {
		b.Run(bc.name, func(b *testing.B) {
			backend, err := Backend()
			if err != nil {
				b.Fatal(err)
			}
			defer backend.Finalize()
			step, x, y := benchTransformer.trainStep(b, backend, 1)
			defer step.Finalize()
			// The VJPs are looked up while the graph is built, i.e. during the first Exec.
			useGemmVJPs(bc.gemm)
			_, err = step.Exec(x, y)
			useGemmVJPs(true)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("backend %s", BackendConfig())
			b.ResetTimer()
			cpu0 := processCPUTime()
			for range b.N {
				if _, err := step.Exec(x, y); err != nil {
					b.Fatal(err)
				}
			}
			cpu := processCPUTime() - cpu0
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/step")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/step")
		})
	}
}
