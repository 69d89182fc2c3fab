package main

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

// TestCountParamsSmall checks the parameter count of the `small` model
// against the count written out layer by layer (the figure the PyTorch
// replica must reproduce).
func TestCountParamsSmall(t *testing.T) {
	cfg, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	backend, err := nn.Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, x, f, m *Node) []*Node {
		o := model.Build(ctx, cfg, x, f, m, model.Heads{Class: true, Params: true, Recon: true})
		return []*Node{o.Logits, o.Mean, o.LogSigma, o.Recon}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	f32 := func(dims ...int) *tensors.Tensor { return tensors.FromShape(shapes.Make(dtypes.Float32, dims...)) }
	outs, err := exec.Exec(f32(1, 62, 128), f32(1, model.NumFeatures), f32(1, 63))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		o.FinalizeAll()
	}
	// d=64, 62 patch tokens of 2×64 inputs, 3 blocks, MLP 128, 11 classes, 5 parameters.
	const d, in, toks, mlp = 64, 128, 63, 128
	embed := (in*d + d) + (4*d + d) + d + toks*d
	block := 2*2*d + 4*(d*d+d) + (d*mlp + mlp) + (mlp*d + d)
	heads := 2*d + (d*d + d) + (d*11 + 11) + (d*d + d) + 2*(d*5+5) + (d*64 + 64)
	want := embed + 3*block + heads
	if want != 127061 {
		t.Fatalf("hand count %d, expected 127061", want)
	}
	if got := countParams(ctx); got != want {
		t.Errorf("countParams = %d, want %d", got, want)
	}
}

// TestMedian checks median on odd, even and unsorted inputs.
func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{nil, 0},
	} {
		if got := median(c.in); math.Abs(got-c.want) > 0 {
			t.Errorf("median(%v) = %g, want %g", c.in, got, c.want)
		}
	}
	v := []float64{4, 1, 3, 2}
	median(v)
	if v[0] != 4 {
		t.Errorf("median reordered its input: %v", v)
	}
}
