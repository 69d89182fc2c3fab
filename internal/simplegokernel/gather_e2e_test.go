package simplegokernel_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestGatherScatterSliceMatchStock runs row gathers (rows of one value, as in the model, and of
// several axes; indices out of range are clamped), their gradients (ScatterSum of rows) and
// slices (contiguous, strided, single elements), fast and stock: the values must be identical.
func TestGatherScatterSliceMatchStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct {
		params, batch []int
		outOfRange    bool
	}{
		{[]int{2844, 1}, []int{31, 33}, false}, {[]int{7}, []int{5}, false}, {[]int{7}, []int{5}, true},
		{[]int{50, 33}, []int{4, 9}, false}, {[]int{9, 2, 5}, []int{17}, true}, {[]int{1, 8}, []int{3}, false},
	} {
		_, pt := randTensor(rng, c.params)
		n := 1
		for _, d := range c.batch {
			n *= d
		}
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(rng.IntN(c.params[0]))
			if c.outOfRange && i%3 == 0 {
				idx[i] = int32(c.params[0] + 2 - 5*(i%2)*c.params[0])
			}
		}
		it := tensors.FromFlatDataAndDimensions(idx, append(append([]int(nil), c.batch...), 1)...)
		name := fmt.Sprintf("gather %v by %v (out of range: %v)", c.params, c.batch, c.outOfRange)
		exec, err := NewExec(backend, func(p, i *Node) []*Node {
			g := Gather(p, i)
			if c.outOfRange {
				return []*Node{g} // the gradient of an out-of-range gather is left to the stock code
			}
			w := Iota(g.Graph(), g.Shape(), g.Rank()-1)
			loss := ReduceAllSum(Mul(g, AddScalar(w, 0.5)))
			return []*Node{g, Gradient(loss, p)[0]}
		})
		if err != nil {
			t.Fatal(err)
		}
		fast, stock := runBoth(t, exec, true, pt, it)
		exec.Finalize()
		for k := range stock {
			for i := range stock[k] {
				if !sameBits(fast[k][i], stock[k][i]) {
					t.Fatalf("%s, output %d [%d]: fast %g, stock %g", name, k, i, fast[k][i], stock[k][i])
				}
			}
		}
	}
	for _, c := range []struct {
		dims []int
		spec []SliceAxisSpec
	}{
		{[]int{32, 3980}, []SliceAxisSpec{AxisRange(), AxisRange(7, 3975)}},
		{[]int{32, 63, 64}, []SliceAxisSpec{AxisRange(), AxisRange(1, 63), AxisRange()}},
		{[]int{32, 63, 64}, []SliceAxisSpec{AxisRange(), AxisElem(0), AxisRange()}},
		{[]int{5, 31, 33}, []SliceAxisSpec{AxisRange(1, 5).Stride(2), AxisRange(0, 31).Stride(3), AxisRange(2, 33).Stride(5)}},
		{[]int{7}, []SliceAxisSpec{AxisRange(2, 3)}},
		{[]int{6, 9}, []SliceAxisSpec{AxisRange(1, 6), AxisRange(0, 9).Stride(4)}},
	} {
		_, xt := randTensor(rng, c.dims)
		exec, err := NewExec(backend, func(x *Node) *Node { return Slice(x, c.spec...) })
		if err != nil {
			t.Fatal(err)
		}
		fast, stock := runBoth(t, exec, true, xt)
		exec.Finalize()
		for i := range stock[0] {
			if fast[0][i] != stock[0][i] {
				t.Fatalf("slice of %v [%d]: fast %g, stock %g", c.dims, i, fast[0][i], stock[0][i])
			}
		}
	}
}
