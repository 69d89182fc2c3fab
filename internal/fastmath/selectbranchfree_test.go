package fastmath

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectBranchFree compares SelectBranchFree with a full sort: random, sorted,
// reversed, heavy ties, infinities, a sample that misses rank k, every
// rank of small inputs and the ranks near the ends of large ones.
func TestSelectBranchFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	gen := map[string]func(i, n int) float64{
		"normal":   func(int, int) float64 { return rng.NormFloat64() },
		"sorted":   func(i, _ int) float64 { return float64(i) },
		"reversed": func(i, n int) float64 { return float64(n - i) },
		"ties":     func(int, int) float64 { return float64(rng.IntN(3)) },
		"constant": func(int, int) float64 { return 7 },
		"trend":    func(i, _ int) float64 { return 20 + 0.01*float64(i%300) + rng.NormFloat64() },
		// Huge values exactly where SelectBranchFree samples: its bracket misses.
		"spiky": func(i, n int) float64 {
			if st := n / 64; st > 0 && i%st == st/2 {
				return 1e9
			}
			return rng.NormFloat64()
		},
		"inf": func(int, int) float64 {
			if rng.IntN(3) == 0 {
				return math.Inf(1)
			}
			return rng.ExpFloat64()
		},
	}
	buf := make([]float64, 4000)
	for name, f := range gen {
		for _, n := range []int{1, 2, 5, 100, 257, 300, 1000, 1383, 4000} {
			x := make([]float64, n)
			for i := range x {
				x[i] = f(i, n)
			}
			sorted := slices.Clone(x)
			slices.Sort(sorted)
			ks := []int{0, n / 2, (n - 1) / 2, n - 1, n / 3, n - 1 - n/5, min(5, n-1), max(n-6, 0)}
			if n <= 300 {
				ks = ks[:0]
				for k := range n {
					ks = append(ks, k)
				}
			}
			for _, k := range ks {
				y := slices.Clone(x)
				if got := SelectBranchFree(y, buf, k); got != sorted[k] {
					t.Errorf("%s n=%d k=%d: got %v, want %v", name, n, k, got, sorted[k])
				}
			}
		}
	}
}

func BenchmarkSelectBranchFree(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1383)
	y, buf := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		x[i] = 20 + 0.01*float64(i%300) + rng.NormFloat64()
	}
	for b.Loop() {
		copy(y, x)
		SelectBranchFree(y, buf, len(y)/2)
	}
}
