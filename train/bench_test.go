package train

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

// benchBatch returns a batch of random LAMOST-grid spectra with labels.
func benchBatch(cfg model.Config) *dataset.Batch {
	rng := rand.New(rand.NewPCG(1, 2))
	n, px := cfg.Batch, cfg.Pixels
	b := &dataset.Batch{Size: n, Pixels: px, Flux: make([]float32, n*px), Ivar: make([]float32, n*px),
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
	return b
}

// BenchmarkTrainStep times one fine-tuning optimizer step (forward,
// backward, clipping, AdamW; one micro-batch of Config.Batch spectra on
// the 3908-pixel LAMOST grid) of the named configurations on
// nn.Backend(), graph compilation and the first step excluded. Input
// preparation is not included (it runs ahead in a goroutine in Run).
//
//	go test -run '^$' -bench TrainStep -benchtime 10x ./train/
//
// ASTROONE_BENCH_CONFIG=FILE times the configuration in FILE instead.
func BenchmarkTrainStep(b *testing.B) {
	names := []string{"tiny", "small"}
	if s := os.Getenv("ASTROONE_BENCH_CONFIG"); s != "" {
		names = []string{s}
	}
	for _, name := range names {
		b.Run(filepath.Base(name), func(b *testing.B) {
			cfg, err := model.ConfigByNameOrFile(name)
			if err != nil {
				b.Fatal(err)
			}
			backend, err := nn.Backend()
			if err != nil {
				b.Fatal(err)
			}
			defer backend.Finalize()
			ctx := mlctx.New()
			if err := ctx.SetRNGStateFromSeed(1); err != nil {
				b.Fatal(err)
			}
			if err := setLearningRate(ctx, cfg.LearningRate); err != nil {
				b.Fatal(err)
			}
			exec, err := newStepExec(backend, ctx, cfg, PhaseFinetune, true)
			if err != nil {
				b.Fatal(err)
			}
			defer exec.Finalize()
			p, err := prepareBatch(cfg, dataset.Normalizer{Std: [dataset.NumParams]float64{1, 1, 1, 1, 1}}, benchBatch(cfg), PhaseFinetune, 1, 0)
			if err != nil {
				b.Fatal(err)
			}
			step := func() {
				outs, err := exec.Exec(p.tensors(PhaseFinetune)...)
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range outs {
					t.FinalizeAll()
				}
			}
			step()
			b.Logf("%s: %d tokens, d=%d, %d layers, batch %d, backend %s", name, cfg.Tokens()+1, cfg.Dim, cfg.Layers, cfg.Batch, nn.BackendConfig())
			b.ResetTimer()
			cpu0 := processCPUTime()
			for range b.N {
				step()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/step")
			b.ReportMetric((processCPUTime()-cpu0).Seconds()/float64(b.N), "cpu-s/step")
			b.ReportMetric(float64(b.N*cfg.Batch)/b.Elapsed().Seconds(), "spectra/s")
		})
	}
}
