package fastmath

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectMatchesSortAndPartitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(n int) []float64{
		"random": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			return v
		},
		"sorted": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(i)
			}
			return v
		},
		"reversed": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(n - i)
			}
			return v
		},
		"ties": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(rng.IntN(3))
			}
			return v
		},
		"constant": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = 7
			}
			return v
		},
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 10, 17, 100, 1001} {
			for _, k := range []int{0, n / 2, n - 1, rng.IntN(n)} {
				x := gen(n)
				want := slices.Clone(x)
				slices.Sort(want)
				got := Select(x, k)
				if got != want[k] || x[k] != want[k] {
					t.Fatalf("%s n=%d k=%d: got %v (x[k]=%v), want %v", name, n, k, got, x[k], want[k])
				}
				for i := range k {
					if x[i] > x[k] {
						t.Fatalf("%s n=%d k=%d: x[%d]=%v > x[k]=%v", name, n, k, i, x[i], x[k])
					}
				}
				for i := k + 1; i < n; i++ {
					if x[i] < x[k] {
						t.Fatalf("%s n=%d k=%d: x[%d]=%v < x[k]=%v", name, n, k, i, x[i], x[k])
					}
				}
				s := slices.Clone(x)
				slices.Sort(s)
				if !slices.Equal(s, want) {
					t.Fatalf("%s: Select lost or changed values", name)
				}
			}
		}
	}
}

func TestSelectPanicsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for k = len(x)")
		}
	}()
	Select([]float64{1, 2}, 2)
}
