package simplegokernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randBlock returns n values uniform in [-1, 1).
func randBlock(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}

// checkBlock compares c (after c0 += a·bᵀ on dim × dim blocks) with a float64 reference, to a
// tolerance of a few float32 roundings of Σ|a||b|.
func checkBlock(t *testing.T, name string, a, b, c0, c []float32, dim int) {
	t.Helper()
	bad := 0
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			want, scale := float64(c0[i*dim+j]), math.Abs(float64(c0[i*dim+j]))
			for k := 0; k < dim; k++ {
				p := float64(a[i*dim+k]) * float64(b[j*dim+k])
				want += p
				scale += math.Abs(p)
			}
			got := float64(c[i*dim+j])
			if tol := 4 * float64(dim+1) * 0x1p-24 * scale; math.Abs(got-want) > tol || math.IsNaN(got) {
				if bad++; bad <= 5 {
					t.Errorf("%s dim %d: c[%d][%d] = %g, want %g (tolerance %.2g)", name, dim, i, j, got, want, tol)
				}
			}
		}
	}
}

// testKernel runs mulAddBlock on random blocks of several sizes, accumulating into a non-zero
// output, and checks each against the float64 reference.
func testKernel(t *testing.T, name string) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{1, 3, 8, 12, 16, 24, 32, 48, 64, 80, 128, 144} {
		size := dim * dim
		// Operands sit inside larger buffers at a non-zero block index, as in simplego.
		a := randBlock(rng, 3*size)
		b := randBlock(rng, 3*size)
		c := randBlock(rng, 3*size)
		c0 := append([]float32(nil), c...)
		mulAddBlock(a[size:], b[2*size:], c[size:], dim)
		checkBlock(t, name, a[size:2*size], b[2*size:], c0[size:2*size], c[size:2*size], dim)
		for i := range c {
			if (i < size || i >= 2*size) && c[i] != c0[i] {
				t.Fatalf("%s dim %d: wrote outside the output block at %d", name, dim, i)
			}
		}
	}
}

func TestMulAddBlock(t *testing.T) {
	if !hasAsm {
		t.Log("no AVX2 + FMA kernel on this machine: this tests the pure-Go kernel")
	}
	testKernel(t, "default")
}

func TestMulAddBlockGoPath(t *testing.T) {
	defer forceGo.Store(forceGo.Load())
	forceGo.Store(true)
	if useAsm(32) {
		t.Fatal("useAsm(32) is true with forceGo set")
	}
	testKernel(t, "forced Go")
}

func TestUseAsm(t *testing.T) {
	for _, dim := range []int{0, 8, 24, 40} {
		if useAsm(dim) {
			t.Errorf("useAsm(%d) = true: the assembly needs a multiple of 16", dim)
		}
	}
	if hasAsm && !useAsm(32) {
		t.Error("useAsm(32) = false on a CPU with AVX2 + FMA")
	}
}

// TestBuildKernel checks the block indexing of the kernel that the builder returns.
func TestBuildKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const dim = 32
	const size = dim * dim
	lhs, rhs, out := randBlock(rng, 4*size), randBlock(rng, 3*size), randBlock(rng, 5*size)
	out0 := append([]float32(nil), out...)
	kernel := buildKernel(lhs, rhs, out, dim)
	kernel(3, 1, 4)
	checkBlock(t, "buildKernel", lhs[3*size:4*size], rhs[size:2*size], out0[4*size:], out[4*size:], dim)
	if buildKernel(nil, rhs, out, dim) != nil {
		t.Error("buildKernel with a missing buffer is not nil")
	}
}
