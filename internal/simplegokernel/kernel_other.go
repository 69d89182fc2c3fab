//go:build !amd64 || purego

package simplegokernel

// hasAsm is false: there is no assembly kernel for this architecture (or the build has the
// purego tag), so Install leaves simplego's stock kernel in place.
var hasAsm = false

// asmMultiple is unused without assembly; 1 keeps the arithmetic in kernel.go valid.
const asmMultiple = 1

// mulAddBlockAsm is never called without assembly (hasAsm is false); it falls back to the Go
// kernel so that a forced call is still correct.
func mulAddBlockAsm(a, b, c, scratch []float32, n int) {
	mulAddBlockGo(a, b, c, n)
}

// transposeTiles sets dst[c*dstStride+r] = src[r*srcStride+c] for 0 <= r < 8*rowTiles and
// 0 <= c < 8*colTiles, in Go (never called without assembly: hasAsm is false).
func transposeTiles(dst, src []float32, dstStride, srcStride, rowTiles, colTiles int) {
	for r := range 8 * rowTiles {
		for c := range 8 * colTiles {
			dst[c*dstStride+r] = src[r*srcStride+c]
		}
	}
}
