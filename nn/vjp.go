package nn

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// GoMLX v0.26.0 builds the gradient of Dot and DotGeneral as a broadcast Mul followed by a
// ReduceSum. For a product of [m,k]×[k,n] that materialises an m×k×n tensor per operand, and the
// simplego backend executes it literally: a 4-layer d=128 transformer spends most of each training
// step there (see docs/BENCHMARKS.md). Upstream replaced these VJPs with DotGeneral-based ones after
// v0.26 (gomlx PR #428), but the module proxy serves only v0.26.0, so this package installs its own
// through graph.VJPRegistration, keyed by node type, at package init.
//
// Each operand's gradient is one DotGeneral of the incoming adjoint with the other operand,
// followed by at most one Transpose back to the operand's axis order.

var (
	// stockVJPs holds GoMLX's own VJPs, saved before ours are installed.
	stockVJPs = map[graph.NodeType]graph.VJP{
		graph.NodeTypeDot:        graph.VJPRegistration[graph.NodeTypeDot],
		graph.NodeTypeDotGeneral: graph.VJPRegistration[graph.NodeTypeDotGeneral],
	}
	// gemmVJPs are the replacements.
	gemmVJPs = map[graph.NodeType]graph.VJP{
		graph.NodeTypeDot:        dotVJP,
		graph.NodeTypeDotGeneral: dotGeneralVJP,
	}
)

func init() {
	useGemmVJPs(true)
}

// useGemmVJPs installs the gemm-based VJPs (on=true) or restores GoMLX's stock ones (on=false).
// It writes the global graph.VJPRegistration map, so it must not run while any graph is being
// differentiated; tests and benchmarks use it to compare the two.
func useGemmVJPs(on bool) {
	src := stockVJPs
	if on {
		src = gemmVJPs
	}
	for t, fn := range src {
		graph.VJPRegistration[t] = fn
	}
}

// dotAxes are the axes of a DotGeneral (or a Dot seen as one), as in graph.DotGeneral.
type dotAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// dotGeneralVJP is the graph.VJP for NodeTypeDotGeneral.
func dotGeneralVJP(node *graph.Node, vjpOutputs []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	axes, err := readDotGeneralAxes(node)
	if err != nil {
		// Only possible if GoMLX's internals change: stay correct, if slow.
		return stockVJPs[graph.NodeTypeDotGeneral](node, vjpOutputs, outputShape)
	}
	return gemmVJP(node, vjpOutputs[0], axes)
}

// dotVJP is the graph.VJP for NodeTypeDot: vector·vector, matrix·vector and matrix·matrix, that
// is a DotGeneral contracting the last axis of lhs with the first of rhs, without batch axes.
func dotVJP(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	lhs := node.Inputs()[0]
	axes := dotAxes{lhsContracting: []int{lhs.Rank() - 1}, rhsContracting: []int{0}}
	return gemmVJP(node, vjpOutputs[0], axes)
}

// gemmVJP returns the gradients of node = DotGeneral(lhs, rhs; axes) with respect to lhs and rhs,
// given v, the gradient with respect to node (shaped like node:
// [batch..., lhs cross..., rhs cross...]).
func gemmVJP(node, v *graph.Node, axes dotAxes) []*graph.Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	lhsCross := crossAxes(lhs.Rank(), axes.lhsContracting, axes.lhsBatch)
	rhsCross := crossAxes(rhs.Rank(), axes.rhsContracting, axes.rhsBatch)
	nb := len(axes.lhsBatch)
	vLhsCross := seq(nb, len(lhsCross))
	vRhsCross := seq(nb+len(lhsCross), len(rhsCross))
	lhsSide := operand{rank: lhs.Rank(), batch: axes.lhsBatch, contracting: axes.lhsContracting, cross: lhsCross}
	rhsSide := operand{rank: rhs.Rank(), batch: axes.rhsBatch, contracting: axes.rhsContracting, cross: rhsCross}
	return []*graph.Node{
		operandGrad(v, nb, vRhsCross, lhsSide, rhs, rhsSide),
		operandGrad(v, nb, vLhsCross, rhsSide, lhs, lhsSide),
	}
}

// operand describes one side of a DotGeneral: its rank and its batch, contracting and cross
// (neither batch nor contracting, in increasing order) axes.
type operand struct {
	rank                      int
	batch, contracting, cross []int
}

// operandGrad returns the gradient with respect to the operand described by this, given the
// adjoint v of the product, the number nb of batch axes, the axes vOtherCross of v that come
// from the other operand's cross axes, and the other operand itself.
//
// The gradient contracts v's vOtherCross axes with other's cross axes, batched on the batch
// axes: a DotGeneral whose result holds, after the batch axes, this operand's cross axes
// (the v axes left) and this operand's contracting axes (the other's contracting axes, which
// DotGeneral leaves in increasing order of the other's axes). The operands are put in whichever
// order makes that result already laid out like this operand; otherwise one Transpose follows.
func operandGrad(v *graph.Node, nb int, vOtherCross []int, this operand, other *graph.Node, otherSide operand) *graph.Node {
	vBatch := seq(0, nb)
	// rankInSorted[k]: position of otherSide.contracting[k] among other's axes left after
	// contraction (its contracting axes, in increasing order).
	sortedOther := append([]int(nil), otherSide.contracting...)
	sort.Ints(sortedOther)
	rankInSorted := make([]int, len(otherSide.contracting))
	for k, axis := range otherSide.contracting {
		rankInSorted[k] = sort.SearchInts(sortedOther, axis)
	}
	nThisCross, nContract := len(this.cross), len(this.contracting)

	// perm[a] is the axis of the DotGeneral result that becomes axis a of this operand.
	// vFirst: result is [batch, this cross, this contracting]; otherwise
	// [batch, this contracting, this cross].
	permFor := func(vFirst bool) []int {
		perm := make([]int, this.rank)
		for i, a := range this.batch {
			perm[a] = i
		}
		crossStart, contractStart := nb, nb+nThisCross
		if !vFirst {
			crossStart, contractStart = nb+nContract, nb
		}
		for j, a := range this.cross {
			perm[a] = crossStart + j
		}
		for k, a := range this.contracting {
			perm[a] = contractStart + rankInSorted[k]
		}
		return perm
	}

	vFirst := true
	perm := permFor(true)
	if !isIdentity(perm) {
		if p := permFor(false); isIdentity(p) {
			vFirst, perm = false, p
		}
	}
	var grad *graph.Node
	if vFirst {
		grad = graph.DotGeneral(v, vOtherCross, vBatch, other, otherSide.cross, otherSide.batch)
	} else {
		grad = graph.DotGeneral(other, otherSide.cross, otherSide.batch, v, vOtherCross, vBatch)
	}
	if !isIdentity(perm) {
		grad = graph.TransposeAllAxes(grad, perm...)
	}
	return grad
}

// readDotGeneralAxes reads the contracting and batch axes of a DotGeneral node. GoMLX v0.26 keeps
// them in an unexported struct (printed by Node.String()); package reflect reads them without
// modifying anything. The axes are checked against the operands' and the node's shapes, so a
// change in GoMLX's internals yields an error, never wrong gradients.
func readDotGeneralAxes(node *graph.Node) (dotAxes, error) {
	var axes dotAxes
	if node.Type() != graph.NodeTypeDotGeneral {
		return axes, fmt.Errorf("node type %s, want DotGeneral", node.Type())
	}
	f := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return axes, fmt.Errorf("graph.Node has no inputs interface field")
	}
	p := f.Elem()
	if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Struct {
		return axes, fmt.Errorf("DotGeneral inputs are a %s, want a pointer to a struct", p.Kind())
	}
	s := p.Elem()
	read := func(name string) ([]int, error) {
		fv := s.FieldByName(name)
		if !fv.IsValid() || fv.Kind() != reflect.Slice || fv.Type().Elem().Kind() != reflect.Int {
			return nil, fmt.Errorf("DotGeneral inputs have no []int field %q", name)
		}
		out := make([]int, fv.Len())
		for i := range out {
			out[i] = int(fv.Index(i).Int())
		}
		return out, nil
	}
	var err error
	for _, x := range []struct {
		name string
		dst  *[]int
	}{
		{"lhsContractingAxes", &axes.lhsContracting},
		{"lhsBatchAxes", &axes.lhsBatch},
		{"rhsContractingAxes", &axes.rhsContracting},
		{"rhsBatchAxes", &axes.rhsBatch},
	} {
		if *x.dst, err = read(x.name); err != nil {
			return axes, err
		}
	}
	if err := checkAxes(node, axes); err != nil {
		return axes, err
	}
	return axes, nil
}

// checkAxes verifies that axes describe node: valid, distinct axes; matching batch and
// contracting dimensions; and the output shape [batch..., lhs cross..., rhs cross...].
func checkAxes(node *graph.Node, axes dotAxes) error {
	lhs, rhs := node.Inputs()[0].Shape(), node.Inputs()[1].Shape()
	if len(axes.lhsContracting) != len(axes.rhsContracting) || len(axes.lhsBatch) != len(axes.rhsBatch) {
		return fmt.Errorf("DotGeneral axes %+v: lhs and rhs counts differ", axes)
	}
	valid := func(rank int, lists ...[]int) bool {
		seen := make([]bool, rank)
		for _, l := range lists {
			for _, a := range l {
				if a < 0 || a >= rank || seen[a] {
					return false
				}
				seen[a] = true
			}
		}
		return true
	}
	if !valid(lhs.Rank(), axes.lhsContracting, axes.lhsBatch) || !valid(rhs.Rank(), axes.rhsContracting, axes.rhsBatch) {
		return fmt.Errorf("DotGeneral axes %+v invalid for shapes %s and %s", axes, lhs, rhs)
	}
	var want []int
	for i, a := range axes.lhsBatch {
		if lhs.Dimensions[a] != rhs.Dimensions[axes.rhsBatch[i]] {
			return fmt.Errorf("DotGeneral axes %+v: batch dimensions differ in %s and %s", axes, lhs, rhs)
		}
		want = append(want, lhs.Dimensions[a])
	}
	for i, a := range axes.lhsContracting {
		if lhs.Dimensions[a] != rhs.Dimensions[axes.rhsContracting[i]] {
			return fmt.Errorf("DotGeneral axes %+v: contracting dimensions differ in %s and %s", axes, lhs, rhs)
		}
	}
	for _, a := range crossAxes(lhs.Rank(), axes.lhsContracting, axes.lhsBatch) {
		want = append(want, lhs.Dimensions[a])
	}
	for _, a := range crossAxes(rhs.Rank(), axes.rhsContracting, axes.rhsBatch) {
		want = append(want, rhs.Dimensions[a])
	}
	got := node.Shape().Dimensions
	if len(got) != len(want) {
		return fmt.Errorf("DotGeneral axes %+v predict dimensions %v, node has %v", axes, want, got)
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("DotGeneral axes %+v predict dimensions %v, node has %v", axes, want, got)
		}
	}
	return nil
}

// crossAxes lists, in increasing order, the axes of a rank-rank operand that are neither
// contracting nor batch.
func crossAxes(rank int, contracting, batch []int) []int {
	used := make([]bool, rank)
	for _, a := range contracting {
		used[a] = true
	}
	for _, a := range batch {
		used[a] = true
	}
	out := make([]int, 0, rank)
	for a, u := range used {
		if !u {
			out = append(out, a)
		}
	}
	return out
}

// seq returns [start, start+1, ..., start+n-1].
func seq(start, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = start + i
	}
	return out
}

// isIdentity reports whether perm is [0, 1, ..., len-1].
func isIdentity(perm []int) bool {
	for i, p := range perm {
		if i != p {
			return false
		}
	}
	return true
}
