//go:build !purego

package simplegokernel

import "golang.org/x/sys/cpu"

// hasAsm reports whether this CPU runs the AVX2 + FMA kernels of kernel_amd64.s.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// asmMultiple is the block dimension's required multiple for the assembly path: 16 columns per
// micro-kernel tile (4 rows per tile and 8 per transposed tile divide it).
const asmMultiple = 16

// transposeTilesAVX2 sets dst[c*dstStride+r] = src[r*srcStride+c] for 0 <= r < 8*rowTiles and
// 0 <= c < 8*colTiles (strides in values); rowTiles and colTiles must be positive and both
// arrays must hold every value addressed.
//
//go:noescape
func transposeTilesAVX2(dst, src *float32, dstStride, srcStride, rowTiles, colTiles int)

// transposeTiles is transposeTilesAVX2 after checking that dst and src hold every value it
// addresses (it panics otherwise).
func transposeTiles(dst, src []float32, dstStride, srcStride, rowTiles, colTiles int) {
	if rowTiles <= 0 || colTiles <= 0 {
		return
	}
	_ = src[(8*rowTiles-1)*srcStride+8*colTiles-1]
	_ = dst[(8*colTiles-1)*dstStride+8*rowTiles-1]
	transposeTilesAVX2(&dst[0], &src[0], dstStride, srcStride, rowTiles, colTiles)
}

// mulAddAVX2 adds to c (n×n, row-major) the product of a (n×n) and bt (n×n, the right operand
// already transposed): c[i*n+j] += Σ_k a[i*n+k]·bt[k*n+j]; n must be a positive multiple of 16.
//
//go:noescape
func mulAddAVX2(a, bt, c *float32, n int)

// mulAddBlockAsm does c[i][j] += Σ_k a[i][k]·b[j][k] on n×n blocks with the assembly kernels,
// using scratch (at least n*n values) for b's transpose. The caller checks n%asmMultiple == 0,
// n > 0 and the slice lengths.
func mulAddBlockAsm(a, b, c, scratch []float32, n int) {
	transposeTilesAVX2(&scratch[0], &b[0], n, n, n/8, n/8)
	mulAddAVX2(&a[0], &scratch[0], &c[0], n)
}
