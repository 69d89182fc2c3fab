package baseline

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestNormalRecoversExactPolynomial(t *testing.T) {
	// y = 2 − 3x + 0.5x² sampled at 50 points with arbitrary positive
	// weights: weighted least squares recovers the coefficients exactly
	// and χ² is zero.
	rng := rand.New(rand.NewPCG(1, 2))
	q := newNormal(3)
	for i := range 50 {
		x := -2 + 4*float64(i)/49
		y := 2 - 3*x + 0.5*x*x
		q.add([]float64{1, x, x * x}, y, 0.1+rng.Float64())
	}
	sol, scratch := make([]float64, 3), make([]float64, 9)
	chi2, err := q.solve(sol, scratch)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{2, -3, 0.5}
	for j := range want {
		if !near(sol[j], want[j], 1e-10) {
			t.Errorf("coef %d = %.15g, want %g", j, sol[j], want[j])
		}
	}
	if chi2 > 1e-18 {
		t.Errorf("χ² = %g, want 0", chi2)
	}
}

func TestNormalWeightedMeanAndChi2(t *testing.T) {
	// One unknown (a constant): the solution is the weighted mean
	// Σwb/Σw = (1·1 + 2·4 + 1·7)/4 = 4, and χ² = 1·9 + 0 + 1·9 = 18.
	q := newNormal(1)
	for _, r := range []struct{ b, w float64 }{{1, 1}, {4, 2}, {7, 1}, {100, 0}} {
		q.add([]float64{1}, r.b, r.w)
	}
	sol, scratch := make([]float64, 1), make([]float64, 1)
	chi2, err := q.solve(sol, scratch)
	if err != nil {
		t.Fatal(err)
	}
	if !near(sol[0], 4, 1e-14) || !near(chi2, 18, 1e-12) {
		t.Errorf("got x=%g χ²=%g, want 4 and 18", sol[0], chi2)
	}
	if q.n != 3 {
		t.Errorf("rows used = %d, want 3 (zero weight ignored)", q.n)
	}
}

func TestNormalChi2MatchesResiduals(t *testing.T) {
	// Overdetermined noisy problem: the χ² that solve returns from the
	// normal equations equals the directly summed weighted residuals.
	rng := rand.New(rand.NewPCG(3, 4))
	const n, m = 200, 5
	a := make([][]float64, n)
	b, w := make([]float64, n), make([]float64, n)
	q := newNormal(m)
	for i := range n {
		a[i] = make([]float64, m)
		for j := range m {
			a[i][j] = rng.NormFloat64() * math.Pow(10, float64(j)) // columns of very different scale
		}
		b[i] = rng.NormFloat64() * 5
		w[i] = rng.Float64()
		q.add(a[i], b[i], w[i])
	}
	sol, scratch := make([]float64, m), make([]float64, m*m)
	chi2, err := q.solve(sol, scratch)
	if err != nil {
		t.Fatal(err)
	}
	var direct float64
	for i := range n {
		r := b[i]
		for j := range m {
			r -= a[i][j] * sol[j]
		}
		direct += w[i] * r * r
	}
	if !near(chi2, direct, 1e-9*direct) {
		t.Errorf("χ² from normal equations %.12g, summed %.12g", chi2, direct)
	}
}

func TestNormalZeroColumnAndSingular(t *testing.T) {
	q := newNormal(2)
	for i := range 10 {
		q.add([]float64{float64(i), 0}, 3*float64(i), 1)
	}
	sol, scratch := make([]float64, 2), make([]float64, 4)
	if _, err := q.solve(sol, scratch); err != nil {
		t.Fatalf("zero column: %v", err)
	}
	if !near(sol[0], 3, 1e-12) || sol[1] != 0 {
		t.Errorf("zero column: got %v, want [3 0]", sol)
	}
	q = newNormal(2)
	for i := range 10 {
		q.add([]float64{float64(i), 2 * float64(i)}, 1, 1)
	}
	if _, err := q.solve(sol, scratch); !errors.Is(err, errSingular) {
		t.Errorf("dependent columns: err = %v, want errSingular", err)
	}
}

func TestCholeskyInverseDiag(t *testing.T) {
	// [[4 2] [2 3]]⁻¹ = 1/8 [[3 −2] [−2 4]].
	a := []float64{4, 2, 2, 3}
	if err := cholesky(a, 2); err != nil {
		t.Fatal(err)
	}
	if !near(a[0], 2, 1e-15) || !near(a[2], 1, 1e-15) || !near(a[3], math.Sqrt(2), 1e-15) {
		t.Errorf("L = %v, want [2 · 1 √2]", a)
	}
	d := cholInverseDiag(a, 2)
	if !near(d[0], 3.0/8, 1e-15) || !near(d[1], 0.5, 1e-15) {
		t.Errorf("diag of inverse = %v, want [0.375 0.5]", d)
	}
	b := []float64{8, 7} // x = A⁻¹ b = 1/8 (24−14, −16+28) = (1.25, 1.5)
	cholSolve(a, 2, b)
	if !near(b[0], 1.25, 1e-14) || !near(b[1], 1.5, 1e-14) {
		t.Errorf("solve = %v, want [1.25 1.5]", b)
	}
	if err := cholesky([]float64{1, 2, 2, 1}, 2); !errors.Is(err, errSingular) {
		t.Errorf("indefinite matrix: err = %v", err)
	}
}

func TestLegendreRow(t *testing.T) {
	for _, x := range []float64{-1, -0.3, 0, 0.7, 1} {
		p := make([]float64, 5)
		legendreRow(x, p)
		want := []float64{1, x, (3*x*x - 1) / 2, (5*x*x*x - 3*x) / 2, (35*x*x*x*x - 30*x*x + 3) / 8}
		for k := range want {
			if !near(p[k], want[k], 1e-14) {
				t.Errorf("P%d(%g) = %g, want %g", k, x, p[k], want[k])
			}
		}
	}
}

func TestInterpCubic(t *testing.T) {
	// Keys' kernel passes through the samples and reproduces quadratics.
	y := make([]float64, 20)
	f := func(x float64) float64 { return 3 - 0.7*x + 0.05*x*x }
	for i := range y {
		y[i] = f(float64(i))
	}
	for _, pos := range []float64{1, 1.25, 5.5, 9.999, 17.3} {
		if got := interpCubic(y, pos); !near(got, f(pos), 1e-12) {
			t.Errorf("interp(%g) = %.15g, want %.15g", pos, got, f(pos))
		}
	}
	// Constant extension beyond the ends, NaN for NaN.
	if got := interpCubic(y, -5); got != y[0] {
		t.Errorf("interp(-5) = %g, want %g", got, y[0])
	}
	if got := interpCubic(y, 40.5); !near(got, y[19], 1e-12) {
		t.Errorf("interp(40.5) = %g, want %g", got, y[19])
	}
	if !math.IsNaN(interpCubic(y, math.NaN())) {
		t.Error("interp(NaN) is not NaN")
	}
	w0, w1, w2, w3 := cubicWeights(0.37)
	if !near(w0+w1+w2+w3, 1, 1e-15) {
		t.Errorf("weights sum to %g", w0+w1+w2+w3)
	}
}

func TestJacobiEigen(t *testing.T) {
	// [[2 1] [1 2]]: eigenvalues 3 and 1, eigenvectors (1,1)/√2, (1,−1)/√2.
	vals, vecs := jacobiEigen([]float64{2, 1, 1, 2}, 2)
	if !near(vals[0], 3, 1e-13) || !near(vals[1], 1, 1e-13) {
		t.Errorf("eigenvalues %v, want [3 1]", vals)
	}
	if !near(math.Abs(vecs[0]), math.Sqrt(0.5), 1e-13) || !near(vecs[0], vecs[2], 1e-13) {
		t.Errorf("first eigenvector (%g, %g), want ±(1,1)/√2", vecs[0], vecs[2])
	}
	// A random symmetric 4×4: A v = λ v for every pair, decreasing λ.
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 4
	a := make([]float64, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			v := rng.NormFloat64()
			a[i*n+j], a[j*n+i] = v, v
		}
	}
	vals, vecs = jacobiEigen(a, n)
	for e := range n {
		for i := range n {
			var av float64
			for k := range n {
				av += a[i*n+k] * vecs[k*n+e]
			}
			if !near(av, vals[e]*vecs[i*n+e], 1e-10) {
				t.Errorf("eigenpair %d row %d: Av=%g λv=%g", e, i, av, vals[e]*vecs[i*n+e])
			}
		}
		if e > 0 && vals[e] > vals[e-1] {
			t.Errorf("eigenvalues not decreasing: %v", vals)
		}
	}
}
