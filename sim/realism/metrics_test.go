package realism

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.6g, want %.6g ± %.2g", what, got, want, tol)
	}
}

func TestPearsonAnalytic(t *testing.T) {
	// Hand-computed: dx = (−2,−1,0,1,2), dy = (−1,−2,1,0,2): Σdxdy = 8,
	// Σdx² = Σdy² = 10, r = 0.8.
	near(t, "r(hand)", Pearson([]float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, nil), 0.8, 1e-12)
	x := make([]float64, 1000)
	y := make([]float64, 1000)
	z := make([]float64, 1000)
	s := make([]float64, 1000)
	c := make([]float64, 1000)
	for i := range x {
		x[i] = float64(i)
		y[i] = 3*x[i] + 7
		z[i] = -0.5*x[i] + 1
		ph := 2 * math.Pi * float64(i) / 1000 * 4 // four whole periods
		s[i], c[i] = math.Sin(ph), math.Cos(ph)
	}
	near(t, "r(linear)", Pearson(x, y, nil), 1, 1e-12)
	near(t, "r(anti)", Pearson(x, z, nil), -1, 1e-12)
	near(t, "r(sin,cos)", Pearson(s, c, nil), 0, 1e-12)
	// A wild pixel excluded by use or by NaN leaves r = 1.
	y2 := append([]float64(nil), y...)
	y2[10] = 1e9
	use := make([]bool, len(x))
	for i := range use {
		use[i] = i != 10
	}
	near(t, "r(masked)", Pearson(x, y2, use), 1, 1e-12)
	y2[10] = math.NaN()
	near(t, "r(NaN)", Pearson(x, y2, nil), 1, 1e-12)
	if v := Pearson([]float64{1, 1, 1}, []float64{1, 2, 3}, nil); !math.IsNaN(v) {
		t.Errorf("r with zero variance = %v, want NaN", v)
	}
	if v := Pearson([]float64{1}, []float64{1}, nil); !math.IsNaN(v) {
		t.Errorf("r of one pixel = %v, want NaN", v)
	}
}

func TestRMSDiff(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{1.5, 2.5, 2.5, 3.5} // |x−y| = 0.5 everywhere
	near(t, "rms", RMSDiff(x, y, nil), 0.5, 1e-15)
	near(t, "rms(3-4-5)", RMSDiff([]float64{3, 0}, []float64{0, 4}, nil), math.Sqrt(12.5), 1e-12)
	if v := RMSDiff(x, y, []bool{false, false, false, false}); !math.IsNaN(v) {
		t.Errorf("rms of nothing = %v", v)
	}
	if n := Count(x, []float64{1, math.NaN(), 3, 4}, []bool{true, true, true, false}); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}

func TestRunningMedian(t *testing.T) {
	x := make([]float64, 101)
	for i := range x {
		x[i] = 2*float64(i) + 1
	}
	x[50] = 1e6 // a spike a median ignores
	m := RunningMedian(x, nil, 3)
	for i := 3; i < 98; i++ {
		want := 2*float64(i) + 1
		if i >= 47 && i <= 53 { // the window holds the spike: median shifts by one sample
			if math.Abs(m[i]-want) > 2.01 {
				t.Errorf("median[%d] = %v near the spike, want %v ± 2", i, m[i], want)
			}
			continue
		}
		near(t, "median", m[i], want, 1e-12)
	}
	none := RunningMedian([]float64{1, 2, 3}, []bool{false, false, false}, 1)
	if !math.IsNaN(none[1]) {
		t.Errorf("median of an empty window = %v, want NaN", none[1])
	}
}

func TestContinuumShapeTilt(t *testing.T) {
	// sim = real·(1 + 0.1·x), x uniform in [−1, 1]: the ratio scaled to
	// median 1 is 1 + 0.1x, whose RMS deviation is 0.1/√3 and maximum 0.1.
	n := 2001
	real := make([]float64, n)
	sim := make([]float64, n)
	for i := range n {
		x := -1 + 2*float64(i)/float64(n-1)
		real[i] = 5 + math.Sin(float64(i)) // lines and wiggles cancel in the ratio
		sim[i] = real[i] * (1 + 0.1*x) * 3
	}
	st := ContinuumShape(sim, real, nil, 10)
	near(t, "shape rms", st.RMS, 0.1/math.Sqrt(3), 5e-4)
	near(t, "shape max", st.MaxAbs, 0.1, 2e-3)
	near(t, "ratio mid", st.Ratio[n/2], 1, 1e-9)
	same := ContinuumShape(real, real, nil, 10)
	near(t, "identical rms", same.RMS, 0, 1e-12)
}

func TestExclusions(t *testing.T) {
	ex := LAMOSTExclusions()
	for _, c := range []struct {
		w   float64
		out bool
	}{{5800, true}, {7650, true}, {5578.9, true}, {6302.0, true}, {4861, false}, {6564.6, false}, {8542, false}} {
		if got := Excluded(c.w, ex); got != c.out {
			t.Errorf("Excluded(%v) = %v, want %v", c.w, got, c.out)
		}
	}
}

func TestNoiseCeilingMatchesSimulation(t *testing.T) {
	// x = sin, variance ½; with noise σ = 0.5 the correlation of x with
	// x + noise tends to √(½ / (½ + ¼)) = 0.8165.
	rng := rand.New(rand.NewPCG(3, 4))
	n := 200000
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i) * 0.01)
		y[i] = x[i] + 0.5*rng.NormFloat64()
	}
	want := math.Sqrt(0.5 / 0.75)
	near(t, "ceiling formula", NoiseCeiling(x, nil, 0.5), want, 2e-3)
	near(t, "simulated correlation", Pearson(x, y, nil), want, 5e-3)
	near(t, "noiseless ceiling", NoiseCeiling(x, nil, 0), 1, 1e-12)
}

func TestPairSub(t *testing.T) {
	w := []float64{1, 2, 3, 4, 5, 6}
	p := &Pair{WavelengthAA: w, Use: []bool{true, true, true, true, true, false},
		RealNorm: []float64{1, 2, 3, 1, 2, 3}, SimNorm: []float64{1, 2, 3, 3, 2, 1}}
	near(t, "sub corr 1–3", p.Sub(1, 3).Corr, 1, 1e-12)
	near(t, "sub corr 4–6", p.Sub(4, 6).Corr, -1, 1e-12) // pixel 6 unused: (1,2) vs (3,2)
	if m := p.Sub(4, 6); m.N != 2 {
		t.Errorf("sub N = %d, want 2", m.N)
	}
}
