//go:build !purego

package simplegokernel

import "golang.org/x/sys/cpu"

// hasAsm reports whether this CPU runs the AVX2 + FMA kernels of kernel_amd64.s.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// asmMultiple is the block dimension's required multiple for the assembly path: 16 columns per
// micro-kernel tile (4 rows per tile and 8 per transposed tile divide it).
const asmMultiple = 16

// transposeAVX2 sets dst[k*n+j] = src[j*n+k] for 0 <= j, k < n; n must be a positive multiple of 8
// and both arrays must hold n*n values.
//
//go:noescape
func transposeAVX2(dst, src *float32, n int)

// mulAddAVX2 adds to c (n×n, row-major) the product of a (n×n) and bt (n×n, the right operand
// already transposed): c[i*n+j] += Σ_k a[i*n+k]·bt[k*n+j]; n must be a positive multiple of 16.
//
//go:noescape
func mulAddAVX2(a, bt, c *float32, n int)

// mulAddBlockAsm does c[i][j] += Σ_k a[i][k]·b[j][k] on n×n blocks with the assembly kernels,
// using scratch (at least n*n values) for b's transpose. The caller checks n%asmMultiple == 0,
// n > 0 and the slice lengths.
func mulAddBlockAsm(a, b, c, scratch []float32, n int) {
	transposeAVX2(&scratch[0], &b[0], n)
	mulAddAVX2(&a[0], &scratch[0], &c[0], n)
}
