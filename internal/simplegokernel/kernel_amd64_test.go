//go:build !purego

package simplegokernel

import (
	"math/rand/v2"
	"testing"
)

func TestTransposeAVX2(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2 + FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{8, 16, 24, 32, 64, 128} {
		src := randBlock(rng, n*n)
		dst := make([]float32, n*n+8)
		dst[n*n] = 42
		transposeAVX2(&dst[0], &src[0], n)
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
