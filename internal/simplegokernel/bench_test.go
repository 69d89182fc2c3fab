package simplegokernel

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// stockKernel returns simplego's own float32 block kernel over copies of the given block-layout
// data in simplego buffers, and the output buffer's data.
func stockKernel(tb testing.TB, lhs, rhs, out []float32, dim int) (kernel func(l, r, o int), outData []float32) {
	tb.Helper()
	builder := stockBuilder
	if !builder.IsValid() {
		builder = reflect.ValueOf(dotGeneralKernels.Get(dtypes.Float32))
	}
	backend, err := backends.NewWithConfig(simplego.BackendName)
	if err != nil {
		tb.Fatal(err)
	}
	buffer := func(flat []float32) (reflect.Value, []float32) {
		b, shared, err := backend.NewSharedBuffer(0, shapes.Make(dtypes.Float32, len(flat)))
		if err != nil {
			tb.Fatal(err)
		}
		data := shared.([]float32)
		copy(data, flat)
		if got := float32Data(reflect.ValueOf(b)); len(got) != len(flat) || &got[0] != &data[0] {
			tb.Fatal("float32Data does not return the buffer's data")
		}
		return reflect.ValueOf(b), data
	}
	l, _ := buffer(lhs)
	r, _ := buffer(rhs)
	o, outData := buffer(out)
	k := builder.Call([]reflect.Value{l, r, o, reflect.ValueOf(dim)})[0]
	return k.Convert(reflect.TypeOf(func(int, int, int) {})).Interface().(func(int, int, int)), outData
}

// TestStockKernelAgrees checks that the benchmark's access to simplego's stock kernel (and
// float32Data's access to buffers) works, by comparing it with the fast kernel.
func TestStockKernelAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const dim = 32
	a, b := randBlock(rng, dim*dim), randBlock(rng, dim*dim)
	c0 := randBlock(rng, dim*dim)
	kernel, c := stockKernel(t, a, b, c0, dim)
	kernel(0, 0, 0)
	checkBlock(t, "stock", a, b, c0, c, dim)
}

// BenchmarkBlock times one dim × dim × dim block product (2·dim³ flop) with simplego's stock
// kernel and with this package's kernel, and reports GFLOP/s.
func BenchmarkBlock(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, dim := range []int{32, 64} {
		lhs, rhs, out := randBlock(rng, dim*dim), randBlock(rng, dim*dim), make([]float32, dim*dim)
		stock, _ := stockKernel(b, lhs, rhs, out, dim)
		kernels := []struct {
			name string
			fn   func(l, r, o int)
		}{
			{"stock", stock},
			{"new", buildKernel(lhs, rhs, out, dim)},
		}
		for _, k := range kernels {
			b.Run(fmt.Sprintf("%s/%d", k.name, dim), func(b *testing.B) {
				for b.Loop() {
					k.fn(0, 0, 0)
				}
				b.ReportMetric(2*float64(dim*dim*dim)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
