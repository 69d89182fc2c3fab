package train

import (
	"os"
	"path/filepath"
	"testing"

	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/internal/benchdata"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

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
			p, err := prepareBatch(cfg, dataset.Normalizer{Std: [dataset.NumParams]float64{1, 1, 1, 1, 1}}, benchdata.Batch(cfg.Pixels, cfg.Batch), PhaseFinetune, 1, 0)
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
