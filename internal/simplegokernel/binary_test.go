package simplegokernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refBinary is the reference of a binary op on one pair of values.
func refBinary(op binaryOp, a, b float32) float32 {
	switch op {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opMax:
		return max(a, b)
	default:
		return min(a, b)
	}
}

// TestBinaryKernels checks the contiguous kernels (assembly and Go) against refBinary for every
// op, every length up to 80 (assembly blocks of 32 and 8 and the Go tail), at unaligned offsets,
// with NaN and ±Inf, out of place and in place.
func TestBinaryKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0,
		float32(math.Copysign(0, -1))}
	gen := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = 4*rng.Float32() - 2
			if rng.IntN(10) == 0 {
				x[i] = specials[rng.IntN(len(specials))]
			}
		}
		return x
	}
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b) }
	defer forceGoBinary.Store(false)
	for _, goPath := range []bool{false, true} {
		forceGoBinary.Store(goPath)
		for op := opAdd; op <= opMin; op++ {
			for n := range 81 {
				off := rng.IntN(3)
				a, b := gen(n + off)[off:], gen(n + off)[off:]
				c := specials[rng.IntN(len(specials))]
				if rng.IntN(2) == 0 {
					c = 4*rng.Float32() - 2
				}
				o := make([]float32, n)
				check := func(pattern string, i int, got, want float32) {
					if !same(got, want) {
						t.Fatalf("go=%v op %d %s n=%d [%d]: got %g, want %g", goPath, op, pattern, n, i, got, want)
					}
				}
				binaryVV(op, o, a, b)
				for i := range o {
					check("VV", i, o[i], refBinary(op, a[i], b[i]))
				}
				binaryVS(op, o, a, c)
				for i := range o {
					check("VS", i, o[i], refBinary(op, a[i], c))
				}
				binarySV(op, o, c, b)
				for i := range o {
					check("SV", i, o[i], refBinary(op, c, b[i]))
				}
				inPlace := append([]float32(nil), a...)
				binaryVV(op, inPlace, inPlace, b)
				for i := range o {
					check("VV in place", i, inPlace[i], refBinary(op, a[i], b[i]))
				}
			}
		}
	}
}

// TestFillF32 checks fillF32 (assembly and Go) for every length up to 300.
func TestFillF32(t *testing.T) {
	defer forceGoBinary.Store(false)
	for n := range 602 {
		forceGoBinary.Store(n > 300)
		n %= 301
		o := make([]float32, n+1)
		o[n] = -1
		fillF32(o[:n], 2.5)
		for i := range n {
			if o[i] != 2.5 {
				t.Fatalf("n=%d: o[%d] = %g", n, i, o[i])
			}
		}
		if o[n] != -1 {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}
