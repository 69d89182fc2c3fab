package simplegokernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/astroone/astroone-go/internal/simplegokernel"
)

// runBoth executes a graph with the fast elementwise executors and with the stock ones and
// returns both results, checking that the fast run took at least one fast path if wantFast
// and none with the fast executors disabled.
func runBoth(t *testing.T, exec *Exec, wantFast bool, args ...any) (fast, stock [][]float32) {
	t.Helper()
	for _, on := range []bool{true, false} {
		prev := simplegokernel.SetElementwiseEnabled(on)
		before := simplegokernel.FastOps.Load()
		outs, err := exec.Exec(args...)
		simplegokernel.SetElementwiseEnabled(prev)
		if err != nil {
			t.Fatal(err)
		}
		n := simplegokernel.FastOps.Load() - before
		if on && wantFast && simplegokernel.InstallElementwise() && n == 0 {
			t.Errorf("no fast path taken")
		}
		if !on && n != 0 {
			t.Errorf("%d fast paths taken while disabled", n)
		}
		var res [][]float32
		for _, o := range outs {
			res = append(res, tensors.MustCopyFlatData[float32](o))
		}
		if on {
			fast = res
		} else {
			stock = res
		}
	}
	return fast, stock
}

// randSpecial returns a tensor of random values in (-3, 3) with about one in 16 replaced by NaN,
// ±Inf, ±0 or (if big) a large finite value (left out for sums, where their cancellation
// depends on the order of the additions).
func randSpecial(rng *rand.Rand, dims []int, big bool) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0,
		float32(math.Copysign(0, -1)), 1e30, -1e30, 100, -100}
	if !big {
		specials = specials[:5]
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = 6*rng.Float32() - 3
		if rng.IntN(16) == 0 {
			x[i] = specials[rng.IntN(len(specials))]
		}
	}
	return tensors.FromFlatDataAndDimensions(x, dims...)
}

// sameBits reports whether a and b are equal value by value (NaNs equal).
func sameBits(a, b float32) bool {
	return a == b || (a != a && b != b)
}

// broadcastCases returns operand dimensions for every broadcasting pattern: same shape, scalars,
// size-1 tensors, row and column vectors, leading and trailing axes, both operands broadcast on
// different axes, and random ones, with odd sizes.
func broadcastCases(rng *rand.Rand) [][2][]int {
	cases := [][2][]int{
		{{7, 33}, {7, 33}}, {{31}, {}}, {{}, {31}}, {{1, 1}, {5, 7}}, {{2, 3, 4}, {1, 1, 1}},
		{{5, 7}, {1, 7}}, {{1, 7}, {5, 7}}, {{5, 7}, {5, 1}}, {{5, 1}, {5, 7}},
		{{4, 33}, {1, 33}}, {{4, 1, 33}, {1, 6, 33}}, {{3, 1, 5, 1}, {1, 4, 1, 2}},
		{{1, 1, 31}, {2, 3, 1}}, {{1}, {1}}, {{1, 1}, {1, 1}}, {{63, 64}, {1, 64}},
		{{2, 63, 64}, {2, 63, 1}}, {{32, 63, 64}, {1, 1, 64}}, {{1, 1, 64}, {32, 63, 64}},
		{{3, 1}, {1, 3}}, {{33, 1, 1}, {33, 7, 1}},
	}
	sizes := []int{1, 2, 7, 31, 33}
	for range 24 {
		rank := 1 + rng.IntN(4)
		var l, r []int
		for range rank {
			d := sizes[rng.IntN(len(sizes))]
			ld, rd := d, d
			switch rng.IntN(4) {
			case 0:
				ld = 1
			case 1:
				rd = 1
			}
			l, r = append(l, ld), append(r, rd)
		}
		cases = append(cases, [2][]int{l, r})
	}
	return cases
}

// TestBinaryOpsMatchStock runs Add, Sub, Mul, Div, Max and Min on every broadcasting pattern,
// with inputs that hold NaN and ±Inf, fast and stock: the results must be identical (the same
// IEEE operations on the same values), both for graph inputs and for intermediate results
// whose buffers the op may reuse for its output.
func TestBinaryOpsMatchStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(21, 22))
	ops := []struct {
		name string
		f    func(a, b *Node) *Node
	}{{"Add", Add}, {"Sub", Sub}, {"Mul", Mul}, {"Div", Div}, {"Max", Max}, {"Min", Min}}
	for _, c := range broadcastCases(rng) {
		lt, rt := randSpecial(rng, c[0], true), randSpecial(rng, c[1], true)
		for _, op := range ops {
			name := fmt.Sprintf("%s/%v,%v", op.name, c[0], c[1])
			exec, err := NewExec(backend, func(l, r *Node) (*Node, *Node) {
				// The second output's operands are intermediate (owned) buffers.
				return op.f(l, r), op.f(Neg(l), Neg(r))
			})
			if err != nil {
				t.Fatal(err)
			}
			fast, stock := runBoth(t, exec, true, lt, rt)
			exec.Finalize()
			for k := range fast {
				bad := 0
				for i := range fast[k] {
					if !sameBits(fast[k][i], stock[k][i]) {
						if bad++; bad <= 3 {
							t.Errorf("%s output %d [%d]: fast %g, stock %g", name, k, i, fast[k][i], stock[k][i])
						}
					}
				}
			}
		}
	}
}

// TestReductionsMatchStock runs ReduceSum, ReduceMax and ReduceMin over single axes, leading
// and trailing groups of axes, every axis and non-contiguous axes (stock path), fast and stock:
// max and min must be identical, sums equal to float32 rounding.
func TestReductionsMatchStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(23, 24))
	cases := []struct {
		dims  []int
		axes  []int
		stock bool // no fast path: the reduced axes are not contiguous
	}{
		{[]int{7}, []int{0}, false}, {[]int{5, 33}, []int{1}, false}, {[]int{5, 33}, []int{0}, false}, {[]int{1, 31}, []int{1}, false},
		{[]int{31, 1}, []int{0}, false}, {[]int{3, 7, 33}, []int{2}, false}, {[]int{3, 7, 33}, []int{0, 1}, false},
		{[]int{3, 7, 33}, []int{1}, false}, {[]int{3, 7, 33}, []int{1, 2}, false}, {[]int{3, 7, 33}, []int{0, 1, 2}, false},
		{[]int{3, 7, 33}, []int{0, 2}, true}, {[]int{32, 63, 64}, []int{2}, false}, {[]int{32, 63, 64}, []int{0, 1}, false},
		{[]int{2, 1, 7, 1, 5}, []int{1, 2, 3}, false}, {[]int{4, 1, 9}, []int{0, 1}, false},
	}
	ops := []struct {
		name  string
		f     func(x *Node, axes ...int) *Node
		exact bool
	}{{"Sum", ReduceSum, false}, {"Max", ReduceMax, true}, {"Min", ReduceMin, true}}
	for _, c := range cases {
		for _, special := range []bool{false, true} {
			var xt *tensors.Tensor
			if special {
				xt = randSpecial(rng, c.dims, false)
			} else {
				_, xt = randTensor(rng, c.dims)
			}
			for _, op := range ops {
				name := fmt.Sprintf("%s/%v/%v/special=%v", op.name, c.dims, c.axes, special)
				exec, err := NewExec(backend, func(x *Node) *Node { return op.f(x, c.axes...) })
				if err != nil {
					t.Fatal(err)
				}
				fast, stock := runBoth(t, exec, !c.stock, xt)
				exec.Finalize()
				reduced := 1
				for _, a := range c.axes {
					reduced *= c.dims[a]
				}
				for i := range fast[0] {
					f, s := fast[0][i], stock[0][i]
					ok := sameBits(f, s)
					if !ok && !op.exact && !math.IsNaN(float64(s)) && !math.IsInf(float64(s), 0) {
						// A few float32 ulps of the largest partial sum (|x| < 3).
						ok = math.Abs(float64(f-s)) <= 4*0x1p-23*3*float64(reduced)
					}
					if !ok {
						t.Errorf("%s [%d]: fast %g, stock %g", name, i, f, s)
					}
				}
			}
		}
	}
}

// TestExpTanhMatchStock compares Exp, Tanh and Sqrt (exact), fast against stock (float64 package math rounded
// to float32), on random values with NaN and ±Inf: within 2 ulps, specials identical.
func TestExpTanhMatchStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(25, 26))
	for _, dims := range [][]int{{1}, {7}, {8}, {31}, {33}, {32, 63, 64}} {
		xt := randSpecial(rng, dims, true)
		for _, op := range []struct {
			name string
			f    func(*Node) *Node
		}{{"Exp", Exp}, {"Tanh", Tanh}, {"Sqrt", Sqrt}} {
			exec, err := NewExec(backend, func(x *Node) (*Node, *Node) { return op.f(x), op.f(Neg(x)) })
			if err != nil {
				t.Fatal(err)
			}
			fast, stock := runBoth(t, exec, simplegokernel.HasAsm, xt) // without AVX2: stock
			exec.Finalize()
			for k := range fast {
				for i := range fast[k] {
					f, s := fast[k][i], stock[k][i]
					if sameBits(f, s) {
						continue
					}
					if s != s || math.IsInf(float64(s), 0) || math.Abs(float64(f-s)) > 2.5*ulp32(s) {
						t.Errorf("%s%v output %d [%d]: fast %g, stock %g", op.name, dims, k, i, f, s)
					}
				}
			}
		}
	}
}

// ulp32 returns the spacing of float32 values above |x|.
func ulp32(x float32) float64 {
	a := float32(math.Abs(float64(x)))
	return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
}
