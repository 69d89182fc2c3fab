package simplegokernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/astroone/astroone-go/internal/simplegokernel"
	"github.com/astroone/astroone-go/nn"
)

// dgCase is a DotGeneral(lhs, lc, lb, rhs, rc, rb) on float32 operands of the given dimensions.
type dgCase struct {
	name     string
	lhs, rhs []int
	lc, lb   []int
	rc, rb   []int
}

var dgCases = []dgCase{
	{"matmul 1x1x1", []int{1, 1}, []int{1, 1}, []int{1}, nil, []int{0}, nil},
	{"matmul 5x7x3", []int{5, 7}, []int{7, 3}, []int{1}, nil, []int{0}, nil},
	{"matmul 33x65x17", []int{33, 65}, []int{65, 17}, []int{1}, nil, []int{0}, nil},
	{"matmul 64x64x64", []int{64, 64}, []int{64, 64}, []int{1}, nil, []int{0}, nil},
	{"matmul 100x70x130", []int{100, 70}, []int{70, 130}, []int{1}, nil, []int{0}, nil},
	{"matmul 200x1x96", []int{200, 1}, []int{1, 96}, []int{1}, nil, []int{0}, nil},
	{"dense rank 3: [4,63,64]x[64,130]", []int{4, 63, 64}, []int{64, 130}, []int{2}, nil, []int{0}, nil},
	{"weight gradient: [2016,64]^T x [2016,40]", []int{2016, 64}, []int{2016, 40}, []int{0}, nil, []int{0}, nil},
	{"batched [3,45,70]x[3,70,20]", []int{3, 45, 70}, []int{3, 70, 20}, []int{2}, []int{0}, []int{1}, []int{0}},
	{"attention bhqd,bhkd->bhqk", []int{2, 3, 63, 32}, []int{2, 3, 63, 32}, []int{3}, []int{0, 1}, []int{3}, []int{0, 1}},
	{"attention bqhd,bkhd->bhqk", []int{2, 63, 3, 32}, []int{2, 63, 3, 32}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}},
	{"attention bhqk,bkhd->bhqd", []int{2, 3, 63, 63}, []int{2, 63, 3, 32}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}},
	{"attention bhqk,bhkd->bhqd", []int{2, 3, 63, 63}, []int{2, 3, 63, 32}, []int{3}, []int{0, 1}, []int{2}, []int{0, 1}},
	{"two contracting axes in order", []int{6, 5, 8}, []int{5, 8, 7}, []int{1, 2}, nil, []int{0, 1}, nil},
	{"permuted batch axes", []int{7, 2, 5, 3}, []int{3, 9, 7, 5}, []int{2}, []int{0, 3}, []int{3}, []int{2, 0}},
	{"two contracting axes", []int{6, 40, 33}, []int{33, 50, 40}, []int{2, 1}, nil, []int{0, 2}, nil},
}

// naiveDotGeneral computes the DotGeneral in float64 by enumeration, with GoMLX's output layout
// [batch…, lhs cross…, rhs cross…]. It also returns Σ|l||r| per output (for tolerances).
func naiveDotGeneral(c dgCase, l, r []float32) (out, scale []float64) {
	cross := func(dims, contract, batch []int) []int {
		var axes []int
		for a := range dims {
			if !slices.Contains(contract, a) && !slices.Contains(batch, a) {
				axes = append(axes, a)
			}
		}
		return axes
	}
	lx, rx := cross(c.lhs, c.lc, c.lb), cross(c.rhs, c.rc, c.rb)
	// Index spaces: batch, lhs cross, rhs cross, contracting.
	var bDims, lDims, rDims, kDims []int
	for _, a := range c.lb {
		bDims = append(bDims, c.lhs[a])
	}
	for _, a := range lx {
		lDims = append(lDims, c.lhs[a])
	}
	for _, a := range rx {
		rDims = append(rDims, c.rhs[a])
	}
	for _, a := range c.lc {
		kDims = append(kDims, c.lhs[a])
	}
	prod := func(d []int) int {
		n := 1
		for _, x := range d {
			n *= x
		}
		return n
	}
	unflat := func(i int, dims []int) []int {
		idx := make([]int, len(dims))
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a] = i % dims[a]
			i /= dims[a]
		}
		return idx
	}
	flatIdx := func(dims []int, set func(axis int) int) int {
		f := 0
		for a, d := range dims {
			f = f*d + set(a)
		}
		return f
	}
	nb, nl, nr, nk := prod(bDims), prod(lDims), prod(rDims), prod(kDims)
	out, scale = make([]float64, nb*nl*nr), make([]float64, nb*nl*nr)
	for bi := range nb {
		bIdx := unflat(bi, bDims)
		for li := range nl {
			lIdx := unflat(li, lDims)
			for ri := range nr {
				rIdx := unflat(ri, rDims)
				var s, sa float64
				for ki := range nk {
					kIdx := unflat(ki, kDims)
					lv := l[flatIdx(c.lhs, func(axis int) int {
						if p := slices.Index(c.lb, axis); p >= 0 {
							return bIdx[p]
						}
						if p := slices.Index(c.lc, axis); p >= 0 {
							return kIdx[p]
						}
						return lIdx[slices.Index(lx, axis)]
					})]
					rv := r[flatIdx(c.rhs, func(axis int) int {
						if p := slices.Index(c.rb, axis); p >= 0 {
							return bIdx[p]
						}
						if p := slices.Index(c.rc, axis); p >= 0 {
							return kIdx[p]
						}
						return rIdx[slices.Index(rx, axis)]
					})]
					s += float64(lv) * float64(rv)
					sa += math.Abs(float64(lv) * float64(rv))
				}
				o := (bi*nl+li)*nr + ri
				out[o], scale[o] = s, sa
			}
		}
	}
	return out, scale
}

func randTensor(rng *rand.Rand, dims []int) ([]float32, *tensors.Tensor) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x, tensors.FromFlatDataAndDimensions(x, dims...)
}

// defaultBackend returns the backend of nn.Backend with $GOMLX_BACKEND unset: simplego with
// nn.DefaultBackendConfig (dotgeneral_large, so every DotGeneral goes through the block kernel).
func defaultBackend(t *testing.T) backends.Backend {
	t.Setenv(backends.ConfigEnvVar, "")
	if cfg := nn.BackendConfig(); !strings.Contains(cfg, "dotgeneral_large") {
		t.Fatalf("nn.BackendConfig() = %q: the test needs dotgeneral_large", cfg)
	}
	backend, err := nn.Backend()
	if err != nil {
		t.Fatal(err)
	}
	return backend
}

// TestDotGeneralEndToEnd runs DotGenerals through GoMLX on simplego with the fast kernel (the
// assembly, then the forced pure-Go path) and with the stock kernel, against a float64 reference.
func TestDotGeneralEndToEnd(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(11, 12))
	modes := []struct {
		name            string
		enabled, goPath bool
	}{{"fast", true, false}, {"fast, Go path", true, true}, {"stock", false, false}}
	for _, c := range dgCases {
		l, lt := randTensor(rng, c.lhs)
		r, rt := randTensor(rng, c.rhs)
		want, scale := naiveDotGeneral(c, l, r)
		exec, err := NewExec(backend, func(l, r *Node) *Node { return DotGeneral(l, c.lc, c.lb, r, c.rc, c.rb) })
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range modes {
			t.Run(fmt.Sprintf("%s/%s", c.name, m.name), func(t *testing.T) {
				defer simplegokernel.SetEnabled(simplegokernel.SetEnabled(m.enabled))
				defer simplegokernel.ForceGo.Store(simplegokernel.ForceGo.Load())
				simplegokernel.ForceGo.Store(m.goPath)
				before, beforeRepacks := simplegokernel.Builds.Load(), simplegokernel.Repacks.Load()
				out, err := exec.Exec(lt, rt)
				if err != nil {
					t.Fatal(err)
				}
				built := simplegokernel.Builds.Load() - before
				repacked := simplegokernel.Repacks.Load() - beforeRepacks
				fast := m.enabled && simplegokernel.Installed()
				if fast != (built > 0) {
					t.Errorf("fast kernels built: %d; want them built: %v", built, fast)
				}
				switch {
				case fast && repacked != 2:
					t.Errorf("operands copied by the fast copier: %d, want 2", repacked)
				case !fast && repacked != 0:
					t.Errorf("operands copied by the fast copier with the stock kernel: %d, want 0", repacked)
				}
				got := tensors.MustCopyFlatData[float32](out[0])
				if len(got) != len(want) {
					t.Fatalf("got %d values, want %d", len(got), len(want))
				}
				bad := 0
				for i := range want {
					tol := 1e-5*scale[i] + 1e-6
					if d := math.Abs(float64(got[i]) - want[i]); d > tol || math.IsNaN(d) {
						if bad++; bad <= 5 {
							t.Errorf("out[%d] = %g, want %g (tolerance %.2g)", i, got[i], want[i], tol)
						}
					}
				}
			})
		}
		exec.Finalize()
	}
}

// TestInstalledHere checks that the kernel is installed where it should be (amd64 with AVX2 and
// FMA, ASTROONE_STOCK_MATMUL unset), as reported by the benchmark's log line.
func TestInstalledHere(t *testing.T) {
	t.Logf("fast float32 kernel installed: %v", simplegokernel.Installed())
	if !simplegokernel.Installed() {
		return
	}
	if prev := simplegokernel.SetEnabled(false); !prev {
		t.Error("SetEnabled(false) returned false on an installed, enabled kernel")
	}
	if prev := simplegokernel.SetEnabled(true); prev {
		t.Error("SetEnabled(true) returned true after SetEnabled(false)")
	}
}

// BenchmarkDotGeneral1024 times a 1024 × 1024 × 1024 float32 matrix product through GoMLX on
// simplego (nn's default configuration), with the stock kernel and the fast one.
func BenchmarkDotGeneral1024(b *testing.B) {
	b.Setenv(backends.ConfigEnvVar, "")
	backend, err := nn.Backend()
	if err != nil {
		b.Fatal(err)
	}
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 1024
	_, l := randTensor(rng, []int{n, n})
	_, r := randTensor(rng, []int{n, n})
	exec, err := NewExec(backend, func(l, r *Node) *Node { return Dot(l, r) })
	if err != nil {
		b.Fatal(err)
	}
	defer exec.Finalize()
	for _, mode := range []struct {
		name string
		on   bool
	}{{"stock", false}, {"new", true}} {
		b.Run(mode.name, func(b *testing.B) {
			defer simplegokernel.SetEnabled(simplegokernel.SetEnabled(mode.on))
			for b.Loop() {
				out, err := exec.Exec(l, r)
				if err != nil {
					b.Fatal(err)
				}
				out[0].FinalizeAll()
			}
			b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
