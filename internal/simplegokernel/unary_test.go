package simplegokernel

import (
	"math"
	"testing"
)

// ulpDist returns the distance in float32 ulps between got and the float64 reference want
// rounded to float32 (0 when both are the same NaN class or the same infinity).
func ulpDist(got float32, want float64) float64 {
	w := float32(want)
	if math.IsNaN(float64(got)) || math.IsNaN(want) {
		if math.IsNaN(float64(got)) && math.IsNaN(want) {
			return 0
		}
		return math.Inf(1)
	}
	if got == w {
		return 0
	}
	if math.IsInf(float64(got), 0) || math.IsInf(float64(w), 0) {
		return math.Inf(1)
	}
	// ulp of the reference's float32 magnitude (the spacing above |w|, at least the subnormal
	// spacing).
	aw := math.Abs(float64(w))
	ulp := float64(math.Nextafter32(float32(aw), float32(math.Inf(1)))) - aw
	return math.Abs(float64(got)-want) / ulp
}

// sweep returns every float32 whose bit pattern is a multiple of step, positive and negative,
// with |x| <= limit, plus special values.
func sweep(step uint32, limit float32) []float32 {
	var xs []float32
	for b := uint32(0); b < 0x7f800000; b += step {
		v := math.Float32frombits(b)
		if v > limit {
			break
		}
		xs = append(xs, v, -v)
	}
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	xs = append(xs, 0, float32(math.Copysign(0, -1)), inf, -inf, nan, 87, -87, 87.5, -87.5, 88.7, 88.8,
		-103, -104, 0.55, -0.55, 0.5499999, 9.99, 10, 10.01, 20, -20, 44, 89, -89, math.MaxFloat32,
		-math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-30, -1e-30, 1e-7, -1e-7)
	// Put special values inside blocks of ordinary ones too.
	for i := range 8 {
		block := []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}
		block[i] = nan
		xs = append(xs, block...)
		block[i] = inf
		xs = append(xs, block...)
		block[i] = 100
		xs = append(xs, block...)
	}
	return xs
}

// Measured maximum errors against the exact (float64) result, over every 97th and every 389th
// float32 bit pattern (TestExpTanhAccuracy logs them): exp 1.00 ulp, tanh 1.44 ulps (at
// x ≈ 0.556, just above the switch from the series to 1 − 2/(e^{2x} + 1)). The test bounds
// leave a margin.
const (
	expMaxUlp  = 2
	tanhMaxUlp = 3
)

// TestExpTanhAccuracy checks the vector exp and tanh against float64 package math over a dense
// sweep of float32 values (every 389th bit pattern, so every binade is hit densely) and special
// values: NaN, ±Inf, ±0, overflow and underflow of exp, the tanh switch point and saturation.
func TestExpTanhAccuracy(t *testing.T) {
	if !hasAsm {
		t.Skip("no AVX2/FMA")
	}
	step := uint32(389)
	if testing.Short() {
		step = 9973
	}
	for _, c := range []struct {
		name  string
		limit float32
		f32   func(o, x []float32)
		f64   func(float64) float64
		bound float64
	}{
		{"exp", 120, expF32, math.Exp, expMaxUlp},
		{"tanh", float32(math.Inf(1)), tanhF32, math.Tanh, tanhMaxUlp},
	} {
		xs := sweep(step, c.limit)
		got := make([]float32, len(xs))
		c.f32(got, xs)
		worst, worstX := 0.0, float32(0)
		for i, x := range xs {
			d := ulpDist(got[i], c.f64(float64(x)))
			if d > worst {
				worst, worstX = d, x
			}
			if d > c.bound {
				t.Errorf("%s(%g) = %g, want %g (%.2f ulp)", c.name, x, got[i], c.f64(float64(x)), d)
			}
		}
		t.Logf("%s: %d values, max error %.2f ulp at %g", c.name, len(xs), worst, worstX)
		// In place (o == x) gives the same.
		inPlace := append([]float32(nil), xs...)
		c.f32(inPlace, inPlace)
		for i := range xs {
			if math.Float32bits(inPlace[i]) != math.Float32bits(got[i]) && !(got[i] != got[i] && inPlace[i] != inPlace[i]) {
				t.Fatalf("%s in place differs at %g: %g vs %g", c.name, xs[i], inPlace[i], got[i])
			}
		}
	}
}

// TestSqrtExact checks the vector sqrt against float32(math.Sqrt(float64(x))) bit for bit (NaNs
// of either sign equal) on a sweep of float32 values, specials, and every length up to 40.
func TestSqrtExact(t *testing.T) {
	xs := sweep(4099, float32(math.Inf(1)))
	got := make([]float32, len(xs))
	for n := range 41 {
		sqrtF32(got[:n], xs[:n])
	}
	sqrtF32(got, xs)
	for i, x := range xs {
		want := float32(math.Sqrt(float64(x)))
		if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
			t.Fatalf("sqrt(%g) = %g, want %g", x, got[i], want)
		}
	}
}
