package baseline

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lowRankData makes n spectra of p pixels that are exact combinations of
// three smooth vectors, with a share of pixels missing (w = 0) at the
// ends of each row, as de-redshifted spectra are.
func lowRankData(n, p int, seed uint64) (x, w [][]float32, truth [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	truth = make([][]float64, 3)
	for k := range truth {
		truth[k] = make([]float64, p)
		for j := range p {
			t := float64(j) / float64(p)
			switch k {
			case 0:
				truth[k][j] = 1 + 0.3*t
			case 1:
				truth[k][j] = math.Sin(6 * t)
			case 2:
				truth[k][j] = math.Exp(-50 * (t - 0.4) * (t - 0.4))
			}
		}
	}
	x, w = make([][]float32, n), make([][]float32, n)
	for i := range n {
		c := []float64{1 + 0.2*rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		lo := rng.IntN(p / 4)
		hi := p - rng.IntN(p/4)
		if i < 5 {
			lo, hi = 0, p // every pixel covered by at least five rows
		}
		x[i], w[i] = make([]float32, p), make([]float32, p)
		for j := range p {
			var v float64
			for k := range c {
				v += c[k] * truth[k][j]
			}
			x[i][j] = float32(v)
			if j >= lo && j < hi {
				w[i][j] = float32(0.5 + rng.Float64())
			}
		}
	}
	return x, w, truth
}

func TestWeightedPCARecoversSubspace(t *testing.T) {
	x, w, truth := lowRankData(60, 120, 7)
	res := weightedPCA(x, w, 3, 200, 3, 2, 1)
	if len(res.Basis) != 3 {
		t.Fatalf("%d basis vectors, want 3", len(res.Basis))
	}
	// Every true vector lies in the span of the basis (orthonormal over
	// the covered pixels, which are all of them here).
	for k, v := range truth {
		r := append([]float64(nil), v...)
		for _, b := range res.Basis {
			var d float64
			for j := range r {
				d += r[j] * b[j]
			}
			for j := range r {
				r[j] -= d * b[j]
			}
		}
		var rr, vv float64
		for j := range r {
			rr += r[j] * r[j]
			vv += v[j] * v[j]
		}
		if math.Sqrt(rr/vv) > 1e-4 {
			t.Errorf("true vector %d: relative residual %.2g outside the fitted span", k, math.Sqrt(rr/vv))
		}
	}
	// Orthonormal basis.
	for a := range res.Basis {
		for b := range res.Basis {
			var d float64
			for j := range res.Basis[a] {
				d += res.Basis[a][j] * res.Basis[b][j]
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if !near(d, want, 1e-9) {
				t.Errorf("basis %d·%d = %g, want %g", a, b, d, want)
			}
		}
	}
	// Basis 0 is the mean direction: it correlates with the mean far more
	// than the others (the mean of the data is ≈ truth[0]).
	var c0 float64
	for j := range truth[0] {
		c0 += truth[0][j] * res.Basis[0][j]
	}
	c0 /= math.Sqrt(dotSelf(truth[0]))
	if math.Abs(c0) < 0.95 {
		t.Errorf("basis 0 has cosine %.3f with the mean spectrum", c0)
	}
	// Noiseless rank-3 data are fitted exactly up to the ridge's tiny bias.
	var total float64
	for i := range x {
		for j := range x[i] {
			total += float64(w[i][j]) * float64(x[i][j]) * float64(x[i][j])
		}
	}
	if res.Chi2 > 1e-8*total {
		t.Errorf("χ² = %g for noiseless rank-3 data (Σwx² = %g)", res.Chi2, total)
	}
}

func dotSelf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

func TestWeightedPCACoverage(t *testing.T) {
	x, w, _ := lowRankData(10, 40, 9)
	for i := range w {
		w[i][0] = 0 // pixel 0 never observed
	}
	w[0][1], w[1][1] = 1, 1 // pixel 1 observed twice only
	for i := 2; i < len(w); i++ {
		w[i][1] = 0
	}
	res := weightedPCA(x, w, 2, 20, 3, 1, 1)
	if res.Covered[0] || res.Covered[1] || !res.Covered[20] {
		t.Errorf("covered = %v %v %v, want false false true", res.Covered[0], res.Covered[1], res.Covered[20])
	}
	if !math.IsNaN(res.Basis[0][0]) || !math.IsNaN(res.Basis[1][1]) || math.IsNaN(res.Basis[0][20]) {
		t.Error("uncovered pixels must be NaN and covered ones finite")
	}
	if got := weightedPCA(nil, nil, 2, 5, 1, 1, 1); got.Basis != nil {
		t.Error("empty input must give an empty result")
	}
}
