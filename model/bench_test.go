package model

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
)

// BenchmarkPredict measures inference throughput (input preparation,
// the graph in batches of 64, decoding) of randomly initialised tiny and
// small models on 3908-pixel spectra, on nn.Backend(). Run with
// GOMAXPROCS=1 for the per-core figure. ASTROONE_BENCH_CONFIG=FILE
// measures the configuration in FILE instead.
//
//	go test -run '^$' -bench Predict -benchtime 4x ./model/
func BenchmarkPredict(b *testing.B) {
	names := []string{"tiny", "small"}
	if s := os.Getenv("ASTROONE_BENCH_CONFIG"); s != "" {
		names = []string{s}
	}
	for _, name := range names {
		b.Run(filepath.Base(name), func(b *testing.B) {
			cfg, err := ConfigByNameOrFile(name)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.New()
			if err := ctx.SetRNGStateFromSeed(1); err != nil {
				b.Fatal(err)
			}
			// Create and initialise the variables. Every output is returned:
			// simplego (v0.26.0) fails on graphs whose variables feed only
			// unused nodes.
			init, err := context.NewExec(backend(b), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
				o := Build(ctx, cfg, x, f, nil, Heads{Class: true, Params: true})
				return []*Node{o.Logits, o.Mean, o.LogSigma}
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := init.Exec(tensors.FromShape(shapeF32(1, cfg.Tokens(), cfg.TokenWidth())), tensors.FromShape(shapeF32(1, NumFeatures))); err != nil {
				b.Fatal(err)
			}
			init.Finalize()
			norm := dataset.Normalizer{Std: [dataset.NumParams]float64{1, 1, 1, 1, 1}}
			p, err := NewPredictor(cfg, norm, ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			const n = 256
			rng := rand.New(rand.NewPCG(1, 2))
			batch := &dataset.Batch{Size: n, Pixels: cfg.Pixels, Flux: make([]float32, n*cfg.Pixels), Ivar: make([]float32, n*cfg.Pixels)}
			for i := range batch.Flux {
				batch.Flux[i] = float32(100 + 10*rng.NormFloat64())
				batch.Ivar[i] = 0.01
			}
			if _, err := p.Predict(batch); err != nil { // compile
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := p.Predict(batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spectra/s")
		})
	}
}
