package simplegokernel

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

func TestAxisOffsets(t *testing.T) {
	dims := []int{2, 3, 4, 5} // strides 60, 20, 5, 1
	for _, c := range []struct {
		axes []int
		want []int
	}{
		{nil, []int{0}},
		{[]int{3}, []int{0, 1, 2, 3, 4}},
		{[]int{1}, []int{0, 20, 40}},
		{[]int{2, 0}, []int{0, 60, 5, 65, 10, 70, 15, 75}},
		{[]int{0, 3}, []int{0, 1, 2, 3, 4, 60, 61, 62, 63, 64}},
	} {
		if got := axisOffsets(dims, c.axes); !slices.Equal(got, c.want) {
			t.Errorf("axisOffsets(%v, %v) = %v, want %v", dims, c.axes, got, c.want)
		}
	}
}

// TestRepackMatchesStock copies random operands into the block layout with simplego's stock
// copier and with repack (with the assembly transposes, and with the Go path forced), and
// requires identical blocks.
func TestRepackMatchesStock(t *testing.T) {
	defer forceGo.Store(forceGo.Load())
	for _, goPath := range []bool{false, true} {
		forceGo.Store(goPath)
		t.Run(fmt.Sprintf("forced Go %v", goPath), testRepackMatchesStock)
	}
}

func testRepackMatchesStock(t *testing.T) {
	if stockRepack == nil {
		t.Skip("the fast copier is not installed")
	}
	backend, err := backends.NewWithConfig(simplego.BackendName)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range []struct {
		dims          []int
		contract, bat []int
	}{
		{[]int{5, 7}, []int{1}, nil},
		{[]int{5, 7}, []int{0}, nil},
		{[]int{70, 33}, []int{1}, nil},
		{[]int{70, 33}, []int{0}, nil},
		{[]int{2, 3, 63, 32}, []int{3}, []int{0, 1}},
		{[]int{2, 3, 63, 45}, []int{2}, []int{0, 1}},
		{[]int{4, 9, 40}, []int{1, 2}, nil},
		{[]int{4, 9, 40}, []int{0, 1}, nil},
		{[]int{130}, []int{0}, nil},
		{[]int{6, 63, 2, 32}, []int{3}, []int{0, 2}}, // attention, heads not leading: rows of contract
		{[]int{6, 63, 2, 32}, []int{1}, []int{0, 2}}, // its gradient: rows of cross
		{[]int{7, 2, 5, 3}, []int{2}, []int{0, 3}},   // neither contiguous: gather
		{[]int{6, 40, 33}, []int{2, 1}, nil},         // contracting axes permuted: gather
		{[]int{33, 50, 40}, []int{0, 2}, nil},
	} {
		for _, log2Dim := range []int{3, 5, 6} {
			t.Run(fmt.Sprintf("%v c%v b%v dim %d", c.dims, c.contract, c.bat, 1<<log2Dim), func(t *testing.T) {
				src, srcData, err := backend.NewSharedBuffer(0, shapes.Make(dtypes.Float32, c.dims...))
				if err != nil {
					t.Fatal(err)
				}
				for i := range srcData.([]float32) {
					srcData.([]float32)[i] = rng.Float32() + 1
				}
				batch, contract := 1, 1
				for _, a := range c.bat {
					batch *= c.dims[a]
				}
				for _, a := range c.contract {
					contract *= c.dims[a]
				}
				cross := len(srcData.([]float32)) / batch / contract
				dim := 1 << log2Dim
				blocked := shapes.Make(dtypes.Float32, batch, (cross+dim-1)/dim, (contract+dim-1)/dim, dim, dim)
				var outs [2][]float32
				for i := range outs {
					out, data, err := backend.NewSharedBuffer(0, blocked)
					if err != nil {
						t.Fatal(err)
					}
					before := repacks.Load()
					if i == 0 {
						stockRepack(src.(*simplego.Buffer), out.(*simplego.Buffer), c.contract, c.bat, batch, cross, contract, log2Dim)
					} else if !repack(src.(*simplego.Buffer), out.(*simplego.Buffer), c.contract, c.bat, batch, cross, contract, log2Dim) {
						t.Fatal("repack declined a layout it handles")
					}
					if i == 1 && repacks.Load() != before+1 {
						t.Error("repack did not count the copy")
					}
					outs[i] = data.([]float32)
				}
				if !slices.Equal(outs[0], outs[1]) {
					t.Errorf("repack's blocks differ from simplego's")
				}
			})
		}
	}
}
