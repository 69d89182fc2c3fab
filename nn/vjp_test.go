package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// dgCase is one product to differentiate: DotGeneral(lhs, lc, lb, rhs, rc, rb), or Dot(lhs, rhs)
// when dot is set, or DotGeneral(lhs, lc, lb, lhs, rc, rb) when same is set.
type dgCase struct {
	name           string
	lhs, rhs       []int
	lc, lb, rc, rb []int
	dot, same      bool
}

func (c dgCase) String() string {
	if c.dot {
		return fmt.Sprintf("%s: Dot(%v, %v)", c.name, c.lhs, c.rhs)
	}
	return fmt.Sprintf("%s: DotGeneral(%v c%v b%v, %v c%v b%v)", c.name, c.lhs, c.lc, c.lb, c.rhs, c.rc, c.rb)
}

// product builds the product of c on l and r.
func (c dgCase) product(l, r *Node) *Node {
	switch {
	case c.dot:
		return Dot(l, r)
	case c.same:
		return DotGeneral(l, c.lc, c.lb, l, c.rc, c.rb)
	}
	return DotGeneral(l, c.lc, c.lb, r, c.rc, c.rb)
}

// namedCases covers the layouts that models use and the corner cases of the axis bookkeeping.
var namedCases = []dgCase{
	{name: "matmul", lhs: []int{3, 4}, rhs: []int{4, 5}, lc: []int{1}, rc: []int{0}},
	{name: "matmul lhs transposed", lhs: []int{4, 3}, rhs: []int{4, 5}, lc: []int{0}, rc: []int{0}},
	{name: "matmul rhs transposed", lhs: []int{3, 4}, rhs: []int{5, 4}, lc: []int{1}, rc: []int{1}},
	{name: "dense rank 3 (abc,cd->abd)", lhs: []int{2, 3, 4}, rhs: []int{4, 5}, lc: []int{2}, rc: []int{0}},
	{name: "attention scores (bhqd,bhkd->bhqk)", lhs: []int{2, 3, 4, 5}, rhs: []int{2, 3, 6, 5},
		lc: []int{3}, lb: []int{0, 1}, rc: []int{3}, rb: []int{0, 1}},
	{name: "attention values (bhqk,bhkd->bhqd)", lhs: []int{2, 3, 4, 6}, rhs: []int{2, 3, 6, 5},
		lc: []int{3}, lb: []int{0, 1}, rc: []int{2}, rb: []int{0, 1}},
	{name: "GoMLX attention layout (bqhd,bkhd)", lhs: []int{2, 4, 3, 5}, rhs: []int{2, 6, 3, 5},
		lc: []int{3}, lb: []int{0, 2}, rc: []int{3}, rb: []int{0, 2}},
	{name: "permuted batch axes", lhs: []int{2, 3, 4, 5}, rhs: []int{3, 5, 2, 6},
		lc: []int{3}, lb: []int{0, 1}, rc: []int{1}, rb: []int{2, 0}},
	{name: "two contracting axes in swapped order", lhs: []int{3, 4, 5}, rhs: []int{5, 6, 4},
		lc: []int{2, 1}, rc: []int{0, 2}},
	{name: "equal dims: permuted batch and contracting axes", lhs: []int{3, 3, 4, 4, 2}, rhs: []int{4, 3, 4, 3},
		lc: []int{2, 3}, lb: []int{0, 1}, rc: []int{2, 0}, rb: []int{1, 3}},
	{name: "full contraction to a scalar", lhs: []int{3, 4}, rhs: []int{4, 3}, lc: []int{0, 1}, rc: []int{1, 0}},
	{name: "outer product", lhs: []int{3}, rhs: []int{4}},
	{name: "batched outer product", lhs: []int{2, 3}, rhs: []int{4, 2}, lb: []int{0}, rb: []int{1}},
	{name: "batch axes only (elementwise)", lhs: []int{2, 3}, rhs: []int{3, 2}, lb: []int{0, 1}, rb: []int{1, 0}},
	{name: "negative axes", lhs: []int{2, 3, 4}, rhs: []int{2, 4, 5}, lc: []int{-1}, lb: []int{0}, rc: []int{-2}, rb: []int{0}},
	{name: "Gram matrix (same operand twice)", lhs: []int{3, 4}, lc: []int{1}, rc: []int{1}, same: true},
	{name: "Dot vector·vector", lhs: []int{5}, rhs: []int{5}, dot: true},
	{name: "Dot matrix·vector", lhs: []int{3, 5}, rhs: []int{5}, dot: true},
	{name: "Dot matrix·matrix", lhs: []int{3, 4}, rhs: []int{4, 5}, dot: true},
}

// randomCases draws n products with 0–2 batch, contracting and cross axes per operand, each
// operand's axes in a random order, dimensions 1–4.
func randomCases(n int, seed uint64) []dgCase {
	rng := rand.New(rand.NewPCG(seed, 0x6e6e))
	var out []dgCase
	for i := range n {
		nb, nc, nlx, nrx := rng.IntN(3), rng.IntN(3), rng.IntN(3), rng.IntN(3)
		dim := func() int { return 1 + rng.IntN(4) }
		bDims, cDims := make([]int, nb), make([]int, nc)
		for k := range bDims {
			bDims[k] = dim()
		}
		for k := range cDims {
			cDims[k] = dim()
		}
		// side lays out batch, contracting and nx cross axes in a random order.
		side := func(nx int) (dims, contracting, batch []int) {
			rank := nb + nc + nx
			pos := rng.Perm(rank) // pos[logical] = physical axis
			dims = make([]int, rank)
			for k := range nb {
				dims[pos[k]] = bDims[k]
				batch = append(batch, pos[k])
			}
			for k := range nc {
				dims[pos[nb+k]] = cDims[k]
				contracting = append(contracting, pos[nb+k])
			}
			for k := range nx {
				dims[pos[nb+nc+k]] = dim()
			}
			return
		}
		c := dgCase{name: fmt.Sprintf("random #%d", i)}
		c.lhs, c.lc, c.lb = side(nlx)
		c.rhs, c.rc, c.rb = side(nrx)
		out = append(out, c)
	}
	return out
}

// randTensor returns a tensor of float64 N(0,1) values.
func randTensor(rng *rand.Rand, dims []int) *tensors.Tensor {
	size := 1
	for _, d := range dims {
		size *= d
	}
	data := make([]float64, size)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

func flat(t *tensors.Tensor) []float64 { return tensors.MustCopyFlatData[float64](t) }

// gradients returns d/d(lhs, rhs) of sum(w ⊙ product), and the node types of each gradient
// (the node, and its input when the node is a Transpose).
func gradients(t *testing.T, backend backends.Backend, c dgCase, l, r, w *tensors.Tensor) (gl, gr []float64, types [2][]NodeType) {
	t.Helper()
	exec, err := NewExec(backend, func(l, r, w *Node) (*Node, *Node) {
		loss := ReduceAllSum(Mul(w, c.product(l, r)))
		g := Gradient(loss, l, r)
		for i, n := range g {
			types[i] = append(types[i], n.Type())
			if n.Type() == NodeTypeTranspose {
				types[i] = append(types[i], n.Inputs()[0].Type())
			}
		}
		return g[0], g[1]
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(l, r, w)
	if err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	return flat(out[0]), flat(out[1]), types
}

// maxRelDiff returns max|a-b| / max(max|b|, 1e-300).
func maxRelDiff(a, b []float64) float64 {
	var diff, scale float64
	for i := range a {
		diff = math.Max(diff, math.Abs(a[i]-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	return diff / math.Max(scale, 1e-300)
}

// finiteDifferences returns the central differences of the loss sum(w ⊙ product) with respect
// to each element of l (which = 0) or r (which = 1). The loss is linear in each operand (for
// the same-operand case, quadratic), so the central difference is exact up to rounding for any
// step; a step of 0.5 keeps the rounding error near 1e-15.
func finiteDifferences(t *testing.T, backend backends.Backend, c dgCase, l, r, w *tensors.Tensor, which int) []float64 {
	t.Helper()
	exec, err := NewExec(backend, func(l, r, w *Node) *Node {
		return ReduceAllSum(Mul(w, c.product(l, r)))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	base := [2][]float64{flat(l), flat(r)}
	dims := [2][]int{l.Shape().Dimensions, r.Shape().Dimensions}
	loss := func(x []float64) float64 {
		args := [2]*tensors.Tensor{l, r}
		args[which] = tensors.FromFlatDataAndDimensions(x, dims[which]...)
		out, err := exec.Exec(args[0], args[1], w)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.ToScalar[float64](out[0])
	}
	const h = 0.5
	x := slices.Clone(base[which])
	fd := make([]float64, len(x))
	for i := range x {
		x[i] = base[which][i] + h
		plus := loss(x)
		x[i] = base[which][i] - h
		minus := loss(x)
		x[i] = base[which][i]
		fd[i] = (plus - minus) / (2 * h)
	}
	return fd
}

// TestGemmVJPs compares, in float64, the gradients of each product with GoMLX's stock VJP and
// with central finite differences, and checks that each operand's gradient is a DotGeneral,
// possibly followed by one Transpose.
func TestGemmVJPs(t *testing.T) {
	backend, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(1, 2))
	cases := append(slices.Clone(namedCases), randomCases(40, 3)...)
	const tol = 1e-9
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c)
			rhsDims := c.rhs
			if c.same {
				rhsDims = c.lhs
			}
			l, r := randTensor(rng, c.lhs), randTensor(rng, rhsDims)
			out, err := ExecOnce(backend, func(l, r *Node) *Node { return c.product(l, r) }, l, r)
			if err != nil {
				t.Fatal(err)
			}
			w := randTensor(rng, out.Shape().Dimensions)

			gl, gr, types := gradients(t, backend, c, l, r, w)
			var sl, sr []float64
			var stockTypes [2][]NodeType
			withStockVJPs(func() { sl, sr, stockTypes = gradients(t, backend, c, l, r, w) })

			if !c.same {
				for i, ty := range types {
					ok := slices.Equal(ty, []NodeType{NodeTypeDotGeneral}) ||
						slices.Equal(ty, []NodeType{NodeTypeTranspose, NodeTypeDotGeneral})
					if !ok {
						t.Errorf("gradient %d is %v, want DotGeneral with at most one Transpose", i, ty)
					}
				}
				if slices.Equal(stockTypes[0], types[0]) && slices.Equal(stockTypes[1], types[1]) {
					t.Errorf("stock and new gradients have the same structure %v: the toggle did nothing", types)
				}
			}
			check := func(what string, got, want []float64) {
				d := maxRelDiff(got, want)
				t.Logf("%s: max relative difference %.2g", what, d)
				if d > tol {
					t.Errorf("%s: max relative difference %.3g > %g", what, d, tol)
				}
			}
			check("lhs gradient vs stock", gl, sl)
			check("lhs gradient vs finite differences", gl, finiteDifferences(t, backend, c, l, r, w, 0))
			if c.same {
				return
			}
			check("rhs gradient vs stock", gr, sr)
			check("rhs gradient vs finite differences", gr, finiteDifferences(t, backend, c, l, r, w, 1))
		})
	}
}

// withStockVJPs runs fn with GoMLX's stock VJPs installed, and restores the gemm ones after,
// even if fn calls t.Fatal.
func withStockVJPs(fn func()) {
	useGemmVJPs(false)
	defer useGemmVJPs(true)
	fn()
}

// TestGemmVJPsLowPrecision checks float32 and bfloat16 gradients against the float64 ones.
func TestGemmVJPsLowPrecision(t *testing.T) {
	backend, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(4, 5))
	for _, dt := range []struct {
		dtype dtypes.DType
		tol   float64
	}{{dtypes.Float32, 1e-5}, {dtypes.BFloat16, 3e-2}} {
		for _, c := range namedCases {
			if c.same {
				continue
			}
			t.Run(dt.dtype.String()+" "+c.name, func(t *testing.T) {
				l, r := randTensor(rng, c.lhs), randTensor(rng, c.rhs)
				out, err := ExecOnce(backend, func(l, r *Node) *Node { return c.product(l, r) }, l, r)
				if err != nil {
					t.Fatal(err)
				}
				w := randTensor(rng, out.Shape().Dimensions)
				want := [2][]float64{}
				want[0], want[1], _ = gradients(t, backend, c, l, r, w)

				exec, err := NewExec(backend, func(l, r, w *Node) (*Node, *Node) {
					l, r, w = ConvertDType(l, dt.dtype), ConvertDType(r, dt.dtype), ConvertDType(w, dt.dtype)
					loss := ReduceAllSum(Mul(w, c.product(l, r)))
					g := Gradient(loss, l, r)
					if g[0].DType() != dt.dtype || g[1].DType() != dt.dtype {
						t.Errorf("gradient dtypes %s, %s, want %s", g[0].DType(), g[1].DType(), dt.dtype)
					}
					return ConvertDType(g[0], dtypes.Float64), ConvertDType(g[1], dtypes.Float64)
				})
				if err != nil {
					t.Fatal(err)
				}
				got, err := exec.Exec(l, r, w)
				exec.Finalize()
				if err != nil {
					t.Fatal(err)
				}
				for i := range got {
					if d := maxRelDiff(flat(got[i]), want[i]); d > dt.tol {
						t.Errorf("gradient %d differs from float64 by %.3g (relative)", i, d)
					}
				}
			})
		}
	}
}

// TestReadDotGeneralAxes checks the axes read by reflection against the ones given to
// DotGeneral (negative axes normalised) and against Node.String().
func TestReadDotGeneralAxes(t *testing.T) {
	backend, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	norm := func(axes []int, rank int) []int {
		out := make([]int, len(axes))
		for i, a := range axes {
			if a < 0 {
				a += rank
			}
			out[i] = a
		}
		return out
	}
	for _, c := range append(slices.Clone(namedCases), randomCases(10, 7)...) {
		if c.dot || c.same {
			continue
		}
		g := NewGraph(backend, "axes")
		l := Parameter(g, "l", shapes.Make(dtypes.Float64, c.lhs...))
		r := Parameter(g, "r", shapes.Make(dtypes.Float64, c.rhs...))
		node := c.product(l, r)
		got, err := readDotGeneralAxes(node)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		want := dotAxes{norm(c.lc, len(c.lhs)), norm(c.lb, len(c.lhs)), norm(c.rc, len(c.rhs)), norm(c.rb, len(c.rhs))}
		eq := func(a, b []int) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }
		if !eq(got.lhsContracting, want.lhsContracting) || !eq(got.lhsBatch, want.lhsBatch) ||
			!eq(got.rhsContracting, want.rhsContracting) || !eq(got.rhsBatch, want.rhsBatch) {
			t.Errorf("%s: read %+v, want %+v", c, got, want)
		}
		printed := fmt.Sprintf("lhsContractingAxes=%v, lhsBatchAxes=%v, rhs=[#%d], rhsContractingAxes=%v, rhsBatchAxes=%v)",
			got.lhsContracting, got.lhsBatch, r.Id(), got.rhsContracting, got.rhsBatch)
		if s := node.String(); !strings.Contains(s, printed) {
			t.Errorf("%s: node prints %q, which lacks %q", c, s, printed)
		}
		g.Finalize()
	}
}
