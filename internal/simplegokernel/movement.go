package simplegokernel

import (
	"github.com/gomlx/gomlx/backends/simplego"
)

// Fast paths for two float32 data-movement ops that simplego runs one value at a time through
// multi-axis iterators: BroadcastInDim (copies or fills of contiguous runs, the same plan as the
// binary ops) and Transpose (row copies when the last axis stays last, 8 × 8 AVX2 tile
// transposes of the two axes that trade places otherwise). Both give exactly the stock result
// (they only move values).

// broadcastInDimExec is the fast path of BroadcastInDim on float32 operands.
func broadcastInDimExec(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	_ []bool) (*simplego.Buffer, bool) {
	if len(inputs) != 1 || !isF32(inputs[0]) {
		return nil, false
	}
	axes, ok := nodeData(node).([]int)
	src := bufF32(inputs[0])
	inDims := bufShape(inputs[0]).Dimensions
	outShape := nodeShape(node)
	if !ok || src == nil || len(axes) != len(inDims) || outShape.Rank() > 64 {
		return nil, false
	}
	var plan broadcastPlan
	if len(src) != 1 {
		var dims [64]int
		ld := dims[:outShape.Rank()]
		for a := range ld {
			ld[a] = 1
		}
		for i, a := range axes {
			if a < 0 || a >= len(ld) {
				return nil, false
			}
			ld[a] = inDims[i]
		}
		if !plan.make(ld, outShape.Dimensions, outShape.Dimensions) {
			return nil, false
		}
	}
	out := getBufferForShape(backend, *outShape)
	if out == nil {
		return nil, false
	}
	o := bufF32(out)
	if len(src) == 1 {
		fillF32(o, src[0])
	} else {
		plan.runCopy(o, src)
	}
	return out, true
}

// runCopy sets o to the lhs operand of the plan broadcast to the output (the rhs is ignored).
func (p *broadcastPlan) runCopy(o, l []float32) {
	last := p.rank - 1
	n := p.dims[last]
	if len(l) < p.lSize {
		panic("simplegokernel: broadcast operand smaller than its plan")
	}
	var idx [maxBinaryRank]int
	lo := 0
	for oo := 0; oo+n <= len(o); oo += n {
		if p.lBcast[last] {
			fillF32(o[oo:oo+n], l[lo])
		} else {
			copy(o[oo:oo+n], l[lo:lo+n])
		}
		for a := last - 1; a >= 0; a-- {
			idx[a]++
			lo += p.lStr[a]
			if idx[a] < p.dims[a] {
				break
			}
			lo -= p.lStr[a] * p.dims[a]
			idx[a] = 0
		}
	}
}

// maxTransposeRank is the largest rank, after dropping unit axes and merging axes that stay
// together, that the transpose fast path handles.
const maxTransposeRank = 8

// transposeExec is the fast path of Transpose on float32 operands.
func transposeExec(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	_ []bool) (*simplego.Buffer, bool) {
	if len(inputs) != 1 || !isF32(inputs[0]) {
		return nil, false
	}
	perm, ok := nodeData(node).([]int)
	src := bufF32(inputs[0])
	inDims := bufShape(inputs[0]).Dimensions
	if !ok || src == nil || len(perm) != len(inDims) {
		return nil, false
	}
	var t transposePlan
	if !t.make(inDims, perm) {
		return nil, false
	}
	out := getBufferForShape(backend, *nodeShape(node))
	if out == nil {
		return nil, false
	}
	t.run(bufF32(out), src)
	return out, true
}

// transposePlan is a transpose reduced to its essential axes: unit axes dropped and operand axes
// that stay adjacent and in order merged. perm[i] is the operand axis of output axis i.
type transposePlan struct {
	rank     int
	inDims   [maxTransposeRank]int // reduced operand dimensions
	perm     [maxTransposeRank]int
	inStride [maxTransposeRank]int
}

// make builds the plan; it reports false for an invalid permutation or too many axes.
func (t *transposePlan) make(dims, perm []int) bool {
	const maxRank = 64
	if len(dims) > maxRank {
		return false
	}
	// Reduced index of each kept operand axis, merging runs that are adjacent in the output too.
	var newAxis [maxRank]int
	var seen [maxRank]bool
	var kept []int // operand axes (dimension > 1) in output order
	for _, a := range perm {
		if a < 0 || a >= len(dims) || seen[a] {
			return false
		}
		seen[a] = true
		if dims[a] > 1 {
			kept = append(kept, a)
		}
	}
	// Group: output-consecutive kept axes a, b merge when b is the next kept operand axis after a.
	nextKept := func(a int) int {
		for b := a + 1; b < len(dims); b++ {
			if dims[b] > 1 {
				return b
			}
		}
		return -1
	}
	var groups [][2]int // [first operand axis, last operand axis] in output order
	for i, a := range kept {
		if i > 0 && nextKept(groups[len(groups)-1][1]) == a {
			groups[len(groups)-1][1] = a
			continue
		}
		groups = append(groups, [2]int{a, a})
	}
	if len(groups) > maxTransposeRank {
		return false
	}
	// Order the groups by operand position to get the reduced operand axes.
	t.rank = len(groups)
	for i := range newAxis[:len(dims)] {
		newAxis[i] = -1
	}
	for gi, g := range groups {
		newAxis[g[0]] = gi
	}
	r := 0
	var groupOfReduced [maxTransposeRank]int
	for a := range dims {
		if gi := newAxis[a]; gi >= 0 {
			g := groups[gi]
			d := 1
			for b := g[0]; b <= g[1]; b++ {
				d *= dims[b]
			}
			t.inDims[r] = d
			groupOfReduced[gi] = r
			r++
		}
	}
	for gi := range groups {
		t.perm[gi] = groupOfReduced[gi]
	}
	s := 1
	for a := t.rank - 1; a >= 0; a-- {
		t.inStride[a] = s
		s *= t.inDims[a]
	}
	return true
}

// run sets o to the transpose of src.
func (t *transposePlan) run(o, src []float32) {
	if t.rank <= 1 {
		copy(o, src)
		return
	}
	last := t.rank - 1
	var outDims, outStride [maxTransposeRank]int
	s := 1
	for i := last; i >= 0; i-- {
		outDims[i] = t.inDims[t.perm[i]]
		outStride[i] = s
		s *= outDims[i]
	}
	if len(o) < s || len(src) < s {
		panic("simplegokernel: transpose buffers smaller than the plan")
	}
	if t.perm[last] == last {
		// The operand's last axis stays last: copy rows of outDims[last] values.
		n := outDims[last]
		var idx [maxTransposeRank]int
		so := 0
		for oo := 0; oo+n <= len(o); oo += n {
			copy(o[oo:oo+n], src[so:so+n])
			for i := last - 1; i >= 0; i-- {
				idx[i]++
				so += t.inStride[t.perm[i]]
				if idx[i] < outDims[i] {
					break
				}
				so -= t.inStride[t.perm[i]] * outDims[i]
				idx[i] = 0
			}
		}
		return
	}
	// The output's last axis is operand axis j (stride sj); the operand's last axis is output
	// axis p. For every index of the other axes, transpose the rows × cols block
	// dst[c*outStride[p]+r] = src[r*sj+c].
	j := t.perm[last]
	p := 0
	for i := range t.rank {
		if t.perm[i] == last {
			p = i
		}
	}
	rows, cols, sj, dp := t.inDims[j], t.inDims[last], t.inStride[j], outStride[p]
	var others []int // output axes other than p and last
	for i := range last {
		if i != p {
			others = append(others, i)
		}
	}
	var idx [maxTransposeRank]int
	oo, so := 0, 0
	for {
		transpose2D(o[oo:], src[so:], dp, sj, rows, cols)
		k := len(others) - 1
		for ; k >= 0; k-- {
			i := others[k]
			idx[i]++
			oo += outStride[i]
			so += t.inStride[t.perm[i]]
			if idx[i] < outDims[i] {
				break
			}
			oo -= outStride[i] * outDims[i]
			so -= t.inStride[t.perm[i]] * outDims[i]
			idx[i] = 0
		}
		if k < 0 {
			return
		}
	}
}

// transpose2D sets dst[c*dstStride+r] = src[r*srcStride+c] for r < rows, c < cols, with 8 × 8
// AVX2 tiles where the CPU has them.
func transpose2D(dst, src []float32, dstStride, srcStride, rows, cols int) {
	r8, c8 := 0, 0
	if hasAsm && !forceGoBinary.Load() {
		r8, c8 = rows&^7, cols&^7
		transposeTiles(dst, src, dstStride, srcStride, r8/8, c8/8)
	}
	for r := range rows {
		c0 := c8
		if r >= r8 {
			c0 = 0
		}
		row := src[r*srcStride:]
		for c := c0; c < cols; c++ {
			dst[c*dstStride+r] = row[c]
		}
	}
}
