package simplegokernel

import (
	"sync"
	"sync/atomic"
)

// maxScratch is the largest block (dim × dim values) whose transpose uses a pooled scratch
// array; larger blocks allocate their own.
const maxScratch = 128 * 128

// scratchPool holds the arrays that receive the transposed right-hand block. The kernel runs on
// many goroutines at once (simplego spawns one per split of the block grid), so each call takes
// its own.
var scratchPool = sync.Pool{New: func() any { return new([maxScratch]float32) }}

// forceGo, when set (by tests), makes mulAddBlock take the pure-Go path even where the assembly
// kernel is available.
var forceGo atomic.Bool

// useAsm reports whether mulAddBlock runs the assembly kernel for blocks of dim × dim.
func useAsm(dim int) bool {
	return hasAsm && !forceGo.Load() && dim > 0 && dim%asmMultiple == 0
}

// mulAddBlock adds to the dim × dim block c the product of the blocks a and b, both indexed
// [row][contracting]: c[i*dim+j] += Σ_k a[i*dim+k]·b[j*dim+k]. This is simplego's block-kernel
// contract (both operands are stored with the contracting axis last). It uses the AVX2 + FMA
// kernel when the CPU has it and dim is a multiple of asmMultiple, a pure-Go kernel otherwise.
func mulAddBlock(a, b, c []float32, dim int) {
	size := dim * dim
	a, b, c = a[:size], b[:size], c[:size] // one bounds check here covers the kernels' accesses
	if size == 0 {
		return
	}
	if !useAsm(dim) {
		mulAddBlockGo(a, b, c, dim)
		return
	}
	if size > maxScratch {
		mulAddBlockAsm(a, b, c, make([]float32, size), dim)
		return
	}
	scratch := scratchPool.Get().(*[maxScratch]float32)
	mulAddBlockAsm(a, b, c, scratch[:size], dim)
	scratchPool.Put(scratch)
}

// mulAddBlockGo is the pure-Go kernel: c[i*dim+j] += Σ_k a[i*dim+k]·b[j*dim+k]. It computes
// four outputs of a row at a time (four rows of b against one row of a), each a float32 dot
// product accumulated in k order, and handles any dim.
func mulAddBlockGo(a, b, c []float32, dim int) {
	for i := 0; i < dim; i++ {
		ai := a[i*dim : i*dim+dim]
		ci := c[i*dim : i*dim+dim]
		j := 0
		for ; j+4 <= dim; j += 4 {
			b0 := b[j*dim : j*dim+dim]
			b1 := b[(j+1)*dim : (j+1)*dim+dim]
			b2 := b[(j+2)*dim : (j+2)*dim+dim]
			b3 := b[(j+3)*dim : (j+3)*dim+dim]
			var s0, s1, s2, s3 float32
			for k, x := range ai {
				s0 += x * b0[k]
				s1 += x * b1[k]
				s2 += x * b2[k]
				s3 += x * b3[k]
			}
			ci[j] += s0
			ci[j+1] += s1
			ci[j+2] += s2
			ci[j+3] += s3
		}
		for ; j < dim; j++ {
			bj := b[j*dim : j*dim+dim]
			var s float32
			for k, x := range ai {
				s += x * bj[k]
			}
			ci[j] += s
		}
	}
}
