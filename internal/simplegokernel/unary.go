package simplegokernel

import (
	"math"

	"github.com/gomlx/gomlx/backends/simplego"
)

// unaryOp is one of the unary ops with a float32 fast path.
type unaryOp int

const (
	unaryExp unaryOp = iota
	unaryTanh
	unarySqrt
)

// unaryExec returns the fast path of a unary op on float32 values: exp and tanh computed eight
// values at a time with AVX2 + FMA (unary_amd64.s), within a few float32 ulps of the correctly
// rounded result (TestExpTanhAccuracy states the bound). Values the vector code does not
// handle (NaN, ±Inf, and for exp |x| > 87, where the result overflows or is subnormal) are
// computed with package math, as simplego does; so are the last len%8 values. Sqrt uses VSQRTPS,
// correctly rounded like the stock float32(math.Sqrt(float64(x))). Without AVX2 the op goes to
// the stock executor.
func unaryExec(op unaryOp) fastExec {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
		inputsOwned []bool) (*simplego.Buffer, bool) {
		if !hasAsm || len(inputs) != 1 || !isF32(inputs[0]) {
			return nil, false
		}
		in := inputs[0]
		x := bufF32(in)
		if x == nil {
			return nil, false
		}
		out := in
		if inputsOwned[0] {
			inputs[0] = nil
		} else {
			out = getBufferForShape(backend, *bufShape(in))
			if out == nil {
				return nil, false
			}
		}
		o := bufF32(out)
		switch op {
		case unaryExp:
			expF32(o, x)
		case unaryTanh:
			tanhF32(o, x)
		default:
			sqrtF32(o, x)
		}
		return out, true
	}
}

// expF32 sets o[i] = exp(x[i]); o may be x.
func expF32(o, x []float32) {
	x = x[:len(o)]
	i := 0
	for hasAsm && i+8 <= len(o) {
		i += 8 * expAVX2(&o[i], &x[i], (len(o)-i)/8)
		if i+8 > len(o) {
			break
		}
		for j := i; j < i+8; j++ { // a block with a value the vector code leaves to package math
			o[j] = float32(math.Exp(float64(x[j])))
		}
		i += 8
	}
	for ; i < len(o); i++ {
		o[i] = float32(math.Exp(float64(x[i])))
	}
}

// tanhF32 sets o[i] = tanh(x[i]); o may be x.
func tanhF32(o, x []float32) {
	x = x[:len(o)]
	i := 0
	for hasAsm && i+8 <= len(o) {
		i += 8 * tanhAVX2(&o[i], &x[i], (len(o)-i)/8)
		if i+8 > len(o) {
			break
		}
		for j := i; j < i+8; j++ {
			o[j] = float32(math.Tanh(float64(x[j])))
		}
		i += 8
	}
	for ; i < len(o); i++ {
		o[i] = float32(math.Tanh(float64(x[i])))
	}
}

// sqrtF32 sets o[i] = sqrt(x[i]); o may be x.
func sqrtF32(o, x []float32) {
	x = x[:len(o)]
	i := 0
	if hasAsm && len(o) >= 8 {
		i = len(o) &^ 7
		sqrtAVX2(&o[0], &x[0], i)
	}
	for ; i < len(o); i++ {
		o[i] = float32(math.Sqrt(float64(x[i])))
	}
}
