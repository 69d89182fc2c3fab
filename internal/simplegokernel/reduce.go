package simplegokernel

import (
	"math"

	"github.com/gomlx/gomlx/backends/simplego"
)

// reduceOp is one of the reductions with a float32 fast path.
type reduceOp int

const (
	reduceSum reduceOp = iota
	reduceMax
	reduceMin
)

// reduceExec returns the fast path of a reduction: float32 operands whose reduced axes form one
// contiguous group once unit axes are dropped, i.e. the operand is [outer, reduced, inner] in
// row-major order and the output [outer, inner]. That covers the last axis (softmax,
// LayerNorm), leading axes (gradients of bias and scale) and any single axis. Sums are
// accumulated in a different order than simplego's (several partial sums over the last axis),
// so they agree with it to float32 rounding; max and min are exact.
func reduceExec(op reduceOp) fastExec {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
		_ []bool) (*simplego.Buffer, bool) {
		if len(inputs) != 1 || !isF32(inputs[0]) {
			return nil, false
		}
		axes, ok := nodeData(node).([]int)
		if !ok || len(axes) == 0 {
			return nil, false
		}
		in := bufF32(inputs[0])
		dims := bufShape(inputs[0]).Dimensions
		outer, red, inner, ok := reduceSplit(dims, axes)
		if !ok || in == nil || len(in) != outer*red*inner {
			return nil, false
		}
		outShape := nodeShape(node)
		if outShape.Size() != outer*inner {
			return nil, false
		}
		out := getBufferForShape(backend, *outShape)
		if out == nil {
			return nil, false
		}
		reduceRows(op, bufF32(out), in, outer, red, inner)
		return out, true
	}
}

// reduceSplit returns the sizes [outer, reduced, inner] of an operand of dimensions dims reduced
// over axes, or false if the reduced axes (ignoring unit axes) are not contiguous.
func reduceSplit(dims, axes []int) (outer, red, inner int, ok bool) {
	const maxRank = 64
	if len(dims) > maxRank {
		return 0, 0, 0, false
	}
	var reduced [maxRank]bool
	for _, a := range axes {
		if a < 0 || a >= len(dims) {
			return 0, 0, 0, false
		}
		reduced[a] = true
	}
	outer, red, inner = 1, 1, 1
	stage := 0 // 0: before the reduced group, 1: in it, 2: after it
	for a, d := range dims {
		if d == 1 {
			continue
		}
		switch {
		case reduced[a] && stage == 2:
			return 0, 0, 0, false
		case reduced[a]:
			stage = 1
			red *= d
		case stage == 0:
			outer *= d
		default:
			stage = 2
			inner *= d
		}
	}
	return outer, red, inner, true
}

// reduceRows sets o[a*inner+b] = op over r of in[(a*red+r)*inner+b].
func reduceRows(op reduceOp, o, in []float32, outer, red, inner int) {
	o = o[:outer*inner]
	if inner == 1 {
		for a := range o {
			row := in[a*red : a*red+red]
			switch op {
			case reduceSum:
				o[a] = sumF32(row)
			case reduceMax:
				o[a] = maxF32(row)
			default:
				o[a] = minF32(row)
			}
		}
		return
	}
	for a := range outer {
		dst := o[a*inner : a*inner+inner]
		block := in[a*red*inner : (a+1)*red*inner]
		switch op {
		case reduceSum:
			clear(dst)
		case reduceMax:
			fillF32(dst, float32(math.Inf(-1)))
		default:
			fillF32(dst, float32(math.Inf(1)))
		}
		for r := range red {
			src := block[r*inner : r*inner+inner]
			switch op {
			case reduceSum:
				binaryVV(opAdd, dst, dst, src)
			case reduceMax:
				binaryVV(opMax, dst, dst, src)
			default:
				binaryVV(opMin, dst, dst, src)
			}
		}
	}
}

// fillF32 sets every value of o to v: with AVX2 stores where the CPU has them, otherwise a loop
// for the first 64 values and then doubling copies (copy is the runtime's vectorised memmove).
func fillF32(o []float32, v float32) {
	if hasAsm && len(o) >= 8 && !forceGoBinary.Load() {
		k := len(o) &^ 7
		fillAVX2(&o[0], v, k)
		for i := k; i < len(o); i++ {
			o[i] = v
		}
		return
	}
	k := min(len(o), 64)
	for i := range o[:k] {
		o[i] = v
	}
	for ; k < len(o); k *= 2 {
		copy(o[k:], o[:k])
	}
}

// sumF32 returns the sum of x, accumulated in four interleaved partial sums.
func sumF32(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// maxF32 returns the largest value of x (-Inf if empty; NaN if any is NaN).
func maxF32(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// minF32 returns the smallest value of x (+Inf if empty; NaN if any is NaN).
func minF32(x []float32) float32 {
	m := float32(math.Inf(1))
	for _, v := range x {
		m = min(m, v)
	}
	return m
}
