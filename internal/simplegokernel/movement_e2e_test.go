package simplegokernel_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/astroone/astroone-go/internal/simplegokernel"
)

// TestMovementMatchesStock runs BroadcastInDim (through BroadcastToDims) and Transpose on many
// layouts, fast and stock (assembly tiles and the Go path): the values must be identical.
func TestMovementMatchesStock(t *testing.T) {
	backend := defaultBackend(t)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(27, 28))
	type movCase struct {
		name string
		dims []int
		f    func(x *Node) *Node
	}
	var cases []movCase
	for _, b := range []struct{ from, to []int }{
		{[]int{}, []int{7, 33}}, {[]int{1}, []int{31}}, {[]int{1, 33}, []int{5, 33}}, {[]int{5, 1}, []int{5, 33}},
		{[]int{4, 1, 33}, []int{4, 7, 33}}, {[]int{1, 7, 1}, []int{3, 7, 31}}, {[]int{7}, []int{7, 9, 2}},
		{[]int{2, 3}, []int{2, 3, 64}}, {[]int{1, 1}, []int{1, 1}}, {[]int{1, 64}, []int{2016, 64}},
	} {
		cases = append(cases, movCase{fmt.Sprintf("broadcast %v to %v", b.from, b.to), b.from,
			func(x *Node) *Node { return BroadcastToDims(x, b.to...) }})
	}
	for _, tr := range []struct{ dims, perm []int }{
		{[]int{7, 33}, []int{1, 0}}, {[]int{64, 63}, []int{1, 0}}, {[]int{33, 1}, []int{1, 0}},
		{[]int{2, 63, 4, 16}, []int{0, 2, 1, 3}}, {[]int{2, 4, 63, 16}, []int{0, 2, 1, 3}},
		{[]int{2, 4, 63, 16}, []int{0, 1, 3, 2}}, {[]int{3, 5, 7}, []int{2, 0, 1}}, {[]int{3, 5, 7}, []int{1, 2, 0}},
		{[]int{3, 1, 17, 9}, []int{3, 2, 1, 0}}, {[]int{2, 3, 4, 5, 6}, []int{4, 1, 3, 0, 2}},
		{[]int{1, 1, 5}, []int{2, 1, 0}}, {[]int{16, 24, 40}, []int{0, 2, 1}}, {[]int{40, 16, 24}, []int{2, 1, 0}},
		{[]int{4, 6, 8}, []int{0, 1, 2}},
	} {
		cases = append(cases, movCase{fmt.Sprintf("transpose %v by %v", tr.dims, tr.perm), tr.dims,
			func(x *Node) *Node { return TransposeAllDims(x, tr.perm...) }})
	}
	defer simplegokernel.ForceGoBinary.Store(false)
	for _, c := range cases {
		_, xt := randTensor(rng, c.dims)
		exec, err := NewExec(backend, c.f)
		if err != nil {
			t.Fatal(err)
		}
		for _, goPath := range []bool{false, true} {
			simplegokernel.ForceGoBinary.Store(goPath)
			fast, stock := runBoth(t, exec, len(c.dims) > 0 || c.name[0] == 'b', xt)
			for i := range stock[0] {
				if fast[0][i] != stock[0][i] {
					t.Fatalf("%s (Go path %v) [%d]: fast %g, stock %g", c.name, goPath, i, fast[0][i], stock[0][i])
				}
			}
		}
		exec.Finalize()
	}
}
