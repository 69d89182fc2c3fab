package observe

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFastExpTight holds fastExp to its documented 1e-13 over the range
// Observe uses, including the table boundaries (multiples of ln2/64).
func TestFastExpTight(t *testing.T) {
	worst := 0.0
	for x := -700.0; x <= 700; x += 0.00731 {
		worst = max(worst, math.Abs(fastExp(x)/math.Exp(x)-1))
	}
	for j := -3000; j <= 3000; j++ {
		x := float64(j) * math.Ln2 / 128 // midpoints and nodes of the table
		worst = max(worst, math.Abs(fastExp(x)/math.Exp(x)-1))
	}
	if worst > 1e-13 {
		t.Errorf("fastExp relative error %g, want < 1e-13", worst)
	}
}

// TestNormalsMatchNormFloat64: normals must give exactly the values of
// rng.NormFloat64 and leave the generator in the same state, over enough
// draws to take every slow path (tail and wedges) many times.
func TestNormalsMatchNormFloat64(t *testing.T) {
	r1 := rand.New(rand.NewPCG(5, 6))
	r2 := rand.New(rand.NewPCG(5, 6))
	z := make([]float64, 300001)
	normals(r1, z)
	bad, tail := 0, 0
	for i, v := range z {
		w := r2.NormFloat64()
		if math.Float64bits(w) != math.Float64bits(v) {
			if bad++; bad <= 3 {
				t.Errorf("deviate %d: %v, NormFloat64 %v", i, v, w)
			}
		}
		if math.Abs(v) > zigR {
			tail++
		}
	}
	if r1.Uint64() != r2.Uint64() {
		t.Error("generator states differ after the draws")
	}
	// The tail beyond r holds 2(1 − Φ(r)) = 5.76e-4 of the deviates.
	if want := float64(len(z)) * math.Erfc(zigR/math.Sqrt2); math.Abs(float64(tail)-want) > 5*math.Sqrt(want) {
		t.Errorf("%d deviates beyond %g, want %.0f", tail, zigR, want)
	}
}

// TestSelectK compares selectK with a full sort: random, sorted,
// reversed, heavy ties, infinities, a sample that misses rank k, every
// rank of small inputs and the ranks near the ends of large ones.
func TestSelectK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	gen := map[string]func(i, n int) float64{
		"normal":   func(int, int) float64 { return rng.NormFloat64() },
		"sorted":   func(i, _ int) float64 { return float64(i) },
		"reversed": func(i, n int) float64 { return float64(n - i) },
		"ties":     func(int, int) float64 { return float64(rng.IntN(3)) },
		"constant": func(int, int) float64 { return 7 },
		"trend":    func(i, _ int) float64 { return 20 + 0.01*float64(i%300) + rng.NormFloat64() },
		// Huge values exactly where selectK samples: its bracket misses.
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
				if got := selectK(y, buf, k); got != sorted[k] {
					t.Errorf("%s n=%d k=%d: got %v, want %v", name, n, k, got, sorted[k])
				}
			}
		}
	}
}

func BenchmarkNormals(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]float64, 3908)
	for b.Loop() {
		normals(rng, z)
	}
}

func BenchmarkSelectK(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1383)
	y, buf := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		x[i] = 20 + 0.01*float64(i%300) + rng.NormFloat64()
	}
	for b.Loop() {
		copy(y, x)
		selectK(y, buf, len(y)/2)
	}
}
