package simplegokernel

import "sync/atomic"

// Contiguous float32 kernels of the binary ops: o = a op b value by value (VV), with a scalar
// right operand (VS) or a scalar left operand (SV). o may be the same slice as a or b. Add, Sub,
// Mul and Div run in AVX2 assembly (binary_amd64.s) on multiples of 8 values where the CPU has
// it, the same IEEE operations as Go's; Max and Min are Go's built-in max and min (NaN if either
// operand is NaN), as in simplego: AVX2's VMAXPS/VMINPS do not propagate NaN that way.

// forceGoBinary, when set (by tests), keeps the binary kernels in Go.
var forceGoBinary atomic.Bool

// binaryAsm returns how many of n values the assembly kernels should do for op (a multiple of 8).
func binaryAsm(op binaryOp, n int) int {
	if !hasAsm || op > opDiv || n < 8 || forceGoBinary.Load() {
		return 0
	}
	return n &^ 7
}

// binaryVV sets o[i] = a[i] op b[i]; a and b must hold at least len(o) values.
func binaryVV(op binaryOp, o, a, b []float32) {
	a, b = a[:len(o)], b[:len(o)]
	if k := binaryAsm(op, len(o)); k > 0 {
		binaryVVAVX2(int(op), &o[0], &a[0], &b[0], k)
		o, a, b = o[k:], a[k:], b[k:]
	}
	switch op {
	case opAdd:
		for i := range o {
			o[i] = a[i] + b[i]
		}
	case opSub:
		for i := range o {
			o[i] = a[i] - b[i]
		}
	case opMul:
		for i := range o {
			o[i] = a[i] * b[i]
		}
	case opDiv:
		for i := range o {
			o[i] = a[i] / b[i]
		}
	case opMax:
		for i := range o {
			o[i] = max(a[i], b[i])
		}
	case opMin:
		for i := range o {
			o[i] = min(a[i], b[i])
		}
	}
}

// binaryVS sets o[i] = a[i] op c; a must hold at least len(o) values.
func binaryVS(op binaryOp, o, a []float32, c float32) {
	a = a[:len(o)]
	if k := binaryAsm(op, len(o)); k > 0 {
		binaryVSAVX2(int(op), &o[0], &a[0], c, k)
		o, a = o[k:], a[k:]
	}
	switch op {
	case opAdd:
		for i := range o {
			o[i] = a[i] + c
		}
	case opSub:
		for i := range o {
			o[i] = a[i] - c
		}
	case opMul:
		for i := range o {
			o[i] = a[i] * c
		}
	case opDiv:
		for i := range o {
			o[i] = a[i] / c
		}
	case opMax:
		for i := range o {
			o[i] = max(a[i], c)
		}
	case opMin:
		for i := range o {
			o[i] = min(a[i], c)
		}
	}
}

// binarySV sets o[i] = c op b[i]; b must hold at least len(o) values.
func binarySV(op binaryOp, o []float32, c float32, b []float32) {
	b = b[:len(o)]
	if k := binaryAsm(op, len(o)); k > 0 {
		binarySVAVX2(int(op), &o[0], c, &b[0], k)
		o, b = o[k:], b[k:]
	}
	switch op {
	case opAdd:
		for i := range o {
			o[i] = c + b[i]
		}
	case opSub:
		for i := range o {
			o[i] = c - b[i]
		}
	case opMul:
		for i := range o {
			o[i] = c * b[i]
		}
	case opDiv:
		for i := range o {
			o[i] = c / b[i]
		}
	case opMax:
		for i := range o {
			o[i] = max(c, b[i])
		}
	case opMin:
		for i := range o {
			o[i] = min(c, b[i])
		}
	}
}
