//go:build !purego

package simplegokernel

import (
	"math/rand/v2"
	"testing"
)

func TestTransposeTiles(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2 + FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{8, 16, 24, 32, 64, 128} {
		src := randBlock(rng, n*n)
		dst := make([]float32, n*n+8)
		dst[n*n] = 42
		transposeTilesAVX2(&dst[0], &src[0], n, n, n/8, n/8)
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				if dst[k*n+j] != src[j*n+k] {
					t.Fatalf("n=%d: dst[%d][%d] = %g, want src[%d][%d] = %g", n, k, j, dst[k*n+j], j, k, src[j*n+k])
				}
			}
		}
		if dst[n*n] != 42 {
			t.Fatalf("n=%d: wrote past the block", n)
		}
	}
}

// TestTransposeTilesStrided transposes sub-matrices of larger arrays with unequal strides.
func TestTransposeTilesStrided(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2 + FMA")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ srcStride, dstStride, rowTiles, colTiles int }{
		{8, 8, 1, 1}, {64, 32, 4, 3}, {130, 32, 2, 4}, {17, 40, 3, 2},
	} {
		src := randBlock(rng, 8*c.rowTiles*c.srcStride+8)
		dst := make([]float32, 8*c.colTiles*c.dstStride+8)
		transposeTiles(dst, src, c.dstStride, c.srcStride, c.rowTiles, c.colTiles)
		want := make([]float32, len(dst))
		for r := range 8 * c.rowTiles {
			for col := range 8 * c.colTiles {
				want[col*c.dstStride+r] = src[r*c.srcStride+col]
			}
		}
		for i := range dst {
			if dst[i] != want[i] {
				t.Fatalf("%+v: dst[%d] = %g, want %g", c, i, dst[i], want[i])
			}
		}
	}
}
