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

// TestNormalsDistribution checks normals against the standard normal
// over 10⁶ deviates (enough to take the tail and wedge paths thousands of
// times): the moments, the fractions beyond 1, 2, 3, r (the tail) and 4σ
// against erfc, and the Kolmogorov–Smirnov distance to Φ; and that the
// same generator state gives the same values, for odd lengths too.
func TestNormalsDistribution(t *testing.T) {
	const n = 1000001
	z := make([]float64, n)
	normals(rand.New(rand.NewPCG(5, 6)), z)
	var m1, m2, m4 float64
	for _, v := range z {
		m1 += v
		m2 += v * v
		m4 += v * v * v * v
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	// Standard errors: 1/√n, √(2/n), √(96/n).
	if math.Abs(m1) > 5/math.Sqrt(n) || math.Abs(m2-1) > 5*math.Sqrt(2.0/n) || math.Abs(m4-3) > 5*math.Sqrt(96.0/n) {
		t.Errorf("moments: mean %.5f, variance %.5f, fourth %.4f; want 0, 1, 3", m1, m2, m4)
	}
	for _, c := range []float64{1, 2, 3, zigR, 4} {
		k := 0
		for _, v := range z {
			if math.Abs(v) > c {
				k++
			}
		}
		p := math.Erfc(c / math.Sqrt2)
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(float64(k)-n*p) > 5*sd {
			t.Errorf("%d deviates beyond ±%g, want %.0f ± %.0f", k, c, n*p, sd)
		}
	}
	// The tail beyond ±r: each side's mean excess |x| − r is
	// φ(r)/(1 − Φ(r)) − r (the inverse Mills ratio), with a standard
	// error below 0.3/√count.
	want := math.Exp(-zigR*zigR/2)/math.Sqrt(2*math.Pi)/(0.5*math.Erfc(zigR/math.Sqrt2)) - zigR
	for _, sign := range []float64{1, -1} {
		var sum float64
		k := 0
		for _, v := range z {
			if v*sign > zigR {
				sum += v*sign - zigR
				k++
			}
		}
		if got := sum / float64(k); math.Abs(got-want) > 4*0.3/math.Sqrt(float64(k)) {
			t.Errorf("tail %+g: mean excess beyond r %.4f over %d deviates, want %.4f", sign, got, k, want)
		}
	}
	s := slices.Clone(z)
	slices.Sort(s)
	d := 0.0
	for i, v := range s {
		phi := 0.5 * math.Erfc(-v/math.Sqrt2)
		d = max(d, math.Abs(phi-float64(i)/n), math.Abs(phi-float64(i+1)/n))
	}
	if d > 1.63/math.Sqrt(n) { // the 1% critical value
		t.Errorf("Kolmogorov–Smirnov distance %.5f, want < %.5f", d, 1.63/math.Sqrt(n))
	}
	a, b := make([]float64, 7), make([]float64, 7)
	normals(rand.New(rand.NewPCG(1, 2)), a)
	normals(rand.New(rand.NewPCG(1, 2)), b)
	if !slices.Equal(a, b) || a[6] == 0 || a[5] == a[6] {
		t.Errorf("not deterministic or last deviate missing: %v %v", a, b)
	}
}

func BenchmarkNormals(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]float64, 3908)
	for b.Loop() {
		normals(rng, z)
	}
}
