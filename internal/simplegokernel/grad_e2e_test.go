package simplegokernel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestGraphWithGradientsMatchesStock builds a small model by hand — dense layer with bias,
// LayerNorm-style normalisation with scale and shift, tanh-approximated GELU, second dense
// layer, softmax cross-entropy over the last axis, mean over a [batch, tokens] grid — and checks
// that the loss and the gradients of every parameter agree between the fast elementwise
// executors and the stock ones to float32 tolerance.
func TestGraphWithGradientsMatchesStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(31, 32))
	const batch, tokens, din, hidden, classes = 4, 31, 33, 64, 7
	_, x := randTensor(rng, []int{batch, tokens, din})
	_, w1 := randTensor(rng, []int{din, hidden})
	_, b1 := randTensor(rng, []int{hidden})
	_, gamma := randTensor(rng, []int{hidden})
	_, beta := randTensor(rng, []int{hidden})
	_, w2 := randTensor(rng, []int{hidden, classes})
	_, b2 := randTensor(rng, []int{classes})
	labels := make([]float32, batch*tokens*classes)
	for i := range batch * tokens {
		labels[i*classes+rng.IntN(classes)] = 1
	}
	y := tensors.FromFlatDataAndDimensions(labels, batch, tokens, classes)

	exec, err := NewExec(backend, func(in []*Node) []*Node {
		x, y, w1, b1, gamma, beta, w2, b2 := in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7]
		row := func(v *Node) *Node { return Reshape(v, 1, 1, -1) } // [1, 1, n]: broadcast rows
		h := Add(Einsum("btd,dh->bth", x, w1), row(b1))
		mean := ReduceAndKeep(h, ReduceMean, -1)
		centred := Sub(h, mean)
		variance := ReduceAndKeep(Square(centred), ReduceMean, -1)
		h = Div(centred, Sqrt(AddScalar(variance, 1e-5)))
		h = Add(Mul(h, row(gamma)), row(beta))
		// tanh GELU: 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))
		inner := MulScalar(Add(h, MulScalar(Mul(h, Square(h)), 0.044715)), math.Sqrt(2/math.Pi))
		h = Mul(MulScalar(h, 0.5), OnePlus(Tanh(inner)))
		logits := Add(Einsum("bth,hc->btc", h, w2), row(b2))
		logits = Sub(logits, StopGradient(ReduceAndKeep(logits, ReduceMax, -1)))
		logProbs := Sub(logits, Log(ReduceAndKeep(Exp(logits), ReduceSum, -1)))
		loss := Neg(ReduceAllMean(ReduceSum(Mul(y, logProbs), -1)))
		outs := []*Node{loss}
		return append(outs, Gradient(loss, w1, b1, gamma, beta, w2, b2)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	fast, stock := runBoth(t, exec, true, []*tensors.Tensor{x, y, w1, b1, gamma, beta, w2, b2})
	names := []string{"loss", "dw1", "db1", "dgamma", "dbeta", "dw2", "db2"}
	for k := range stock {
		var scale float64
		for _, v := range stock[k] {
			scale = max(scale, math.Abs(float64(v)))
		}
		for i := range stock[k] {
			f, s := float64(fast[k][i]), float64(stock[k][i])
			if math.IsNaN(f) || math.Abs(f-s) > 1e-5*scale+1e-7 {
				t.Errorf("%s[%d]: fast %g, stock %g (scale %g)", names[k], i, f, s, scale)
			}
		}
	}
	t.Logf("loss: fast %.8g, stock %.8g", fast[0][0], stock[0][0])
}
