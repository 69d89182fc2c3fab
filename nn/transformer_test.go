package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// transformerConfig is a small pre-LN transformer regressor of the SpecFormer kind: tokens of
// patch values embedded to d, learned positions, layers of multi-head self-attention and a
// GELU MLP (4d), mean pooling and a linear head, trained by Adam on a mean squared error.
type transformerConfig struct {
	batch, tokens, patch, d, heads, layers int
}

// benchTransformer is the benchmark's model: 4 layers, d=128, 4 heads, batch 32 × 60 tokens.
var benchTransformer = transformerConfig{batch: 32, tokens: 60, patch: 20, d: 128, heads: 4, layers: 4}

// forward returns the model's prediction, shaped [batch, 1], for x shaped [batch, tokens, patch].
func (c transformerConfig) forward(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	h := layers.Dense(ctx.In("embed"), x, true, c.d)
	pos := ctx.In("positions").VariableWithShape("pos", shapes.Make(x.DType(), c.tokens, c.d)).ValueGraph(g)
	h = Add(h, InsertAxes(pos, 0))
	for i := range c.layers {
		lc := ctx.In(fmt.Sprintf("layer_%d", i))
		a := layers.LayerNormalization(lc.In("ln_attn"), h, -1).Done()
		a = layers.MultiHeadAttention(lc.In("attn"), a, a, a, c.heads, c.d/c.heads).Done()
		h = Add(h, a)
		f := layers.LayerNormalization(lc.In("ln_mlp"), h, -1).Done()
		f = layers.Dense(lc.In("mlp_in"), f, true, 4*c.d)
		f = activations.GeluApproximate(f)
		f = layers.Dense(lc.In("mlp_out"), f, true, c.d)
		h = Add(h, f)
	}
	h = layers.LayerNormalization(ctx.In("ln_final"), h, -1).Done()
	return layers.Dense(ctx.In("head"), ReduceMean(h, 1), true, 1)
}

// trainStep returns an executable that runs one training step (forward, backward, Adam update
// of the context's variables) on (x, y) and returns the loss, and a batch to run it on.
func (c transformerConfig) trainStep(t testing.TB, backend backends.Backend, seed uint64) (step *context.Exec, x, y *tensors.Tensor) {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(seed)); err != nil {
		t.Fatal(err)
	}
	opt := optimizers.Adam().LearningRate(3e-4).Done()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) *Node {
		pred := c.forward(ctx, x)
		loss := ReduceAllMean(Square(Sub(pred, y)))
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float32, c.batch*c.tokens*c.patch)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	ys := make([]float32, c.batch)
	for i := range ys {
		ys[i] = float32(rng.NormFloat64())
	}
	return step, tensors.FromFlatDataAndDimensions(xs, c.batch, c.tokens, c.patch),
		tensors.FromFlatDataAndDimensions(ys, c.batch, 1)
}

// TestTrainStepFinishes runs training steps of a small transformer on Backend() and fails if
// they do not finish in time: with simplego's default bounded worker pool such graphs (many
// DotGenerals runnable at once, as the gemm-based gradients make) can deadlock at 0% CPU.
// It also checks that the loss goes down, i.e. that the gradients train.
func TestTrainStepFinishes(t *testing.T) {
	backend, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	cfg := transformerConfig{batch: 8, tokens: 24, patch: 8, d: 64, heads: 4, layers: 2}
	step, x, y := cfg.trainStep(t, backend, 1)
	defer step.Finalize()

	const steps = 30
	done := make(chan []float32, 1)
	errc := make(chan error, 1)
	var g *Graph
	go func() {
		var losses []float32
		for i := range steps {
			out, gi, err := step.ExecWithGraph(x, y)
			if err != nil {
				errc <- err
				return
			}
			if i == 0 {
				g = gi
			}
			losses = append(losses, tensors.ToScalar[float32](out[0]))
		}
		done <- losses
	}()
	const deadline = 60 * time.Second
	select {
	case losses := <-done:
		t.Logf("backend %s, losses %v", BackendConfig(), losses)
		if !(losses[steps-1] < 0.5*losses[0]) {
			t.Errorf("loss went from %g to %g in %d steps on one batch; want at least halved", losses[0], losses[steps-1], steps)
		}
		checkNoHugeNodes(t, g, cfg)
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(deadline):
		t.Fatalf("%d training steps on %s did not finish in %s (simplego worker-pool deadlock?)", steps, BackendConfig(), deadline)
	}
}

// checkNoHugeNodes fails if the training graph g holds a tensor larger than the largest one a
// transformer step needs (the MLP activations, batch·tokens·4d, or the attention matrices,
// batch·heads·tokens²): GoMLX's stock Dot/DotGeneral gradients materialise tensors of
// batch·tokens·d·4d elements for the MLP weights. It also checks that every DotGeneral's axes
// can be read, i.e. that no gradient fell back to the stock VJP.
func checkNoHugeNodes(t *testing.T, g *Graph, c transformerConfig) {
	t.Helper()
	limit := max(c.batch*c.tokens*4*c.d, c.batch*c.heads*c.tokens*c.tokens)
	var dots int
	for _, n := range g.Nodes() {
		if n.NumOutputs() == 1 && n.Shape().Size() > limit {
			t.Errorf("node %s has %d elements, more than the %d a training step needs", n, n.Shape().Size(), limit)
		}
		if n.Type() == NodeTypeDotGeneral {
			dots++
			if _, err := readDotGeneralAxes(n); err != nil {
				t.Error(err)
			}
		}
	}
	if dots == 0 {
		t.Error("no DotGeneral in the training graph")
	}
	t.Logf("%d nodes, %d DotGenerals, largest allowed tensor %d elements", len(g.Nodes()), dots, limit)
}
