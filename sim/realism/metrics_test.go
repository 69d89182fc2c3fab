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
	// median 1 is 1 + 0.1x; the RMS of its logarithm is
	// √(½∫ln²(1+0.1x)dx) (midpoint rule below, independent of the code)
	// and its largest |ln| is −ln 0.9.
	n := 2001
	real := make([]float64, n)
	sim := make([]float64, n)
	for i := range n {
		x := -1 + 2*float64(i)/float64(n-1)
		real[i] = 5 + math.Sin(float64(i)) // lines and wiggles cancel in the ratio
		sim[i] = real[i] * (1 + 0.1*x) * 3
	}
	var integral float64
	const m = 100000
	for j := range m {
		x := -1 + (float64(j)+0.5)*2/m
		l := math.Log(1 + 0.1*x)
		integral += l * l * 2 / m
	}
	st := ContinuumShape(sim, real, nil, 10)
	near(t, "shape rms", st.RMS, math.Sqrt(integral/2), 5e-4)
	near(t, "shape max", st.MaxAbs, -math.Log(0.9), 2e-3)
	near(t, "ratio mid", st.Ratio[n/2], 1, 1e-9)
	same := ContinuumShape(real, real, nil, 10)
	near(t, "identical rms", same.RMS, 0, 1e-12)
	// A factor of 5 over half the range: ln 5 in that half.
	for i := range n {
		sim[i] = real[i]
		if i < n/2 {
			sim[i] *= 5
		}
	}
	st = ContinuumShape(sim, real, nil, 3)
	near(t, "step max", st.MaxAbs, math.Log(5), 1e-9)
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

func TestAutocorr(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 100000
	white := make([]float64, n)
	for i := range white {
		white[i] = rng.NormFloat64()
	}
	near(t, "white lag 1", Autocorr(white, nil, 1), 0, 0.01)
	// A two-pixel running sum of white noise has lag-1 autocorrelation ½
	// and none at lag 2.
	sum := make([]float64, n-1)
	for i := range sum {
		sum[i] = white[i] + white[i+1]
	}
	near(t, "MA(1) lag 1", Autocorr(sum, nil, 1), 0.5, 0.01)
	near(t, "MA(1) lag 2", Autocorr(sum, nil, 2), 0, 0.01)
	// Alternating signs: −1 at lag 1.
	near(t, "alternating", Autocorr([]float64{1, -1, 1, -1, 1, -1, 1, -1}, nil, 1), -7.0/8, 1e-12)
}

func TestBandDepth(t *testing.T) {
	var w, f []float64
	for x := 7500.0; x < 7800; x += 1 {
		w = append(w, x)
		v := 2.0 + 0.001*(x-7650) // a tilt the side average cancels at the centre
		if x >= 7596 && x <= 7680 {
			v *= 0.7
		}
		f = append(f, v)
	}
	b := TelluricABand
	near(t, "A-band depth", BandDepth(w, f, nil, b[0], b[1], b[2]), 0.3, 0.005)
	if d := BandDepth(w, f, nil, Interval{FromAA: 9000, ToAA: 9100}, b[1], b[2]); !math.IsNaN(d) {
		t.Errorf("depth of an empty band = %v, want NaN", d)
	}
}

func TestDn4000(t *testing.T) {
	var w, fnu, flam []float64
	for x := 3800.0; x <= 4200; x += 10 {
		w = append(w, x)
		fnu = append(fnu, 3/(x*x)) // f_λ ∝ λ⁻²: constant f_ν
		flam = append(flam, 1)
	}
	near(t, "flat f_ν", Dn4000(w, fnu, nil), 1, 1e-12)
	// Flat f_λ: mean λ² over 4000…4100 (11 samples) over 3850…3950.
	var a, b float64
	for k := 0; k <= 10; k++ {
		a += math.Pow(4000+10*float64(k), 2) / 11
		b += math.Pow(3850+10*float64(k), 2) / 11
	}
	near(t, "flat f_λ", Dn4000(w, flam, nil), a/b, 1e-12)
	// A step of 2 in f_ν at 3975 Å.
	step := make([]float64, len(w))
	for i, x := range w {
		step[i] = 1 / (x * x)
		if x > 3975 {
			step[i] *= 2
		}
	}
	near(t, "break of 2", Dn4000(w, step, nil), 2, 1e-12)
}

func TestEquivalentWidth(t *testing.T) {
	// A Gaussian absorption of EW 2 Å (σ 3 Å) on a 0.5 Å grid.
	var w, f []float64
	for x := 4800.0; x <= 4920; x += 0.5 {
		w = append(w, x)
		f = append(f, 1-gauss(x, 4862, 3, 2))
	}
	near(t, "EW", EquivalentWidth(w, f, nil, 4830, 4890), 2, 1e-3)
	// Emission: negative; a window holding half the line: half.
	for i := range f {
		f[i] = 2 - f[i]
	}
	near(t, "emission EW", EquivalentWidth(w, f, nil, 4800, 4920), -2, 1e-3)
	near(t, "half window", EquivalentWidth(w, f, nil, 4862.25, 4920), -1+gauss(4862, 4862, 3, 2)*0.25, 2e-3)
	if v := EquivalentWidth(w, f, nil, 5000, 5100); !math.IsNaN(v) {
		t.Errorf("EW of an empty window = %v", v)
	}
}
