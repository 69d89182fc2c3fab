package simplegokernel

import "github.com/gomlx/gomlx/backends/simplego"

// binaryOp is one of the elementwise binary ops with a float32 fast path.
type binaryOp int

const (
	opAdd binaryOp = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
)

// maxBinaryRank is the largest rank the broadcast path handles (after dropping unit axes and
// merging axes with the same broadcasting); larger ones go to the stock executor.
const maxBinaryRank = 8

// binaryExec returns the fast path of a binary op: float32 operands of the same shape, a scalar
// (or size-1) operand, or operands of equal rank whose axes are either equal or 1 (broadcast).
func binaryExec(op binaryOp) fastExec {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
		inputsOwned []bool) (*simplego.Buffer, bool) {
		if len(inputs) != 2 || !isF32(inputs[0]) || !isF32(inputs[1]) {
			return nil, false
		}
		lhs, rhs := inputs[0], inputs[1]
		outShape := nodeShape(node)
		lShape, rShape := bufShape(lhs), bufShape(rhs)
		l, r := bufF32(lhs), bufF32(rhs)
		n := outShape.Size()
		if l == nil || r == nil || len(l) != lShape.Size() || len(r) != rShape.Size() {
			return nil, false
		}
		var plan broadcastPlan
		switch {
		case len(r) == 1 && len(l) == n, len(l) == 1 && len(r) == n, len(l) == n && len(r) == n && lShape.Equal(*rShape):
		default:
			if !plan.make(lShape.Dimensions, rShape.Dimensions, outShape.Dimensions) {
				return nil, false
			}
		}
		// Reuse an operand's buffer for the output as simplego does (the rhs first).
		var out *simplego.Buffer
		switch {
		case inputsOwned[1] && rShape.Equal(*outShape):
			out, inputs[1] = rhs, nil
		case inputsOwned[0] && lShape.Equal(*outShape):
			out, inputs[0] = lhs, nil
		default:
			out = getBufferForShape(backend, *outShape)
			if out == nil {
				return nil, false
			}
		}
		o := bufF32(out)
		switch {
		case len(r) == 1 && len(l) == n:
			binaryVS(op, o, l, r[0])
		case len(l) == 1 && len(r) == n:
			binarySV(op, o, l[0], r)
		case plan.rank == 0:
			binaryVV(op, o, l, r)
		default:
			plan.run(op, o, l, r)
		}
		return out, true
	}
}

// broadcastPlan is a binary op with broadcasting, reduced to at most maxBinaryRank axes: unit
// axes of the output are dropped and neighbouring axes that are broadcast the same way (in
// neither, the lhs or the rhs) are merged, so that the innermost axis is one contiguous run.
type broadcastPlan struct {
	rank         int
	dims         [maxBinaryRank]int
	lBcast       [maxBinaryRank]bool // the lhs is broadcast along the axis (stride 0)
	rBcast       [maxBinaryRank]bool
	lStr, rStr   [maxBinaryRank]int // strides in values (0 on broadcast axes)
	lSize, rSize int
}

// make builds the plan for operands of dimensions ld and rd broadcast to od; it reports false
// for layouts it does not handle (rank mismatch, a dimension neither equal to the output's nor
// 1, too many axes).
func (p *broadcastPlan) make(ld, rd, od []int) bool {
	if len(ld) != len(od) || len(rd) != len(od) {
		return false
	}
	p.rank = 0
	for a, d := range od {
		if d == 1 {
			if ld[a] != 1 || rd[a] != 1 {
				return false
			}
			continue
		}
		if (ld[a] != d && ld[a] != 1) || (rd[a] != d && rd[a] != 1) {
			return false
		}
		lb, rb := ld[a] == 1, rd[a] == 1
		if lb && rb {
			return false
		}
		if p.rank > 0 && p.lBcast[p.rank-1] == lb && p.rBcast[p.rank-1] == rb {
			p.dims[p.rank-1] *= d
			continue
		}
		if p.rank == maxBinaryRank {
			return false
		}
		p.dims[p.rank], p.lBcast[p.rank], p.rBcast[p.rank] = d, lb, rb
		p.rank++
	}
	if p.rank == 0 {
		return false // every axis is 1: handled as same-shape or scalar by the caller
	}
	ls, rs := 1, 1
	for a := p.rank - 1; a >= 0; a-- {
		p.lStr[a], p.rStr[a] = 0, 0
		if !p.lBcast[a] {
			p.lStr[a] = ls
			ls *= p.dims[a]
		}
		if !p.rBcast[a] {
			p.rStr[a] = rs
			rs *= p.dims[a]
		}
	}
	p.lSize, p.rSize = ls, rs
	return true
}

// run computes o = l op r following the plan: one contiguous kernel call per run of the
// innermost axis.
func (p *broadcastPlan) run(op binaryOp, o, l, r []float32) {
	last := p.rank - 1
	n := p.dims[last]
	if len(l) < p.lSize || len(r) < p.rSize {
		panic("simplegokernel: broadcast operand smaller than its plan")
	}
	var idx [maxBinaryRank]int
	lo, ro := 0, 0
	for oo := 0; oo+n <= len(o); oo += n {
		dst := o[oo : oo+n]
		switch {
		case p.lBcast[last]:
			binarySV(op, dst, l[lo], r[ro:ro+n])
		case p.rBcast[last]:
			binaryVS(op, dst, l[lo:lo+n], r[ro])
		default:
			binaryVV(op, dst, l[lo:lo+n], r[ro:ro+n])
		}
		// Advance the outer axes (odometer), keeping the operand offsets in step.
		for a := last - 1; a >= 0; a-- {
			idx[a]++
			lo += p.lStr[a]
			ro += p.rStr[a]
			if idx[a] < p.dims[a] {
				break
			}
			lo -= p.lStr[a] * p.dims[a]
			ro -= p.rStr[a] * p.dims[a]
			idx[a] = 0
		}
	}
}
