package prep

import (
	"errors"
	"math"
	"testing"
)

func TestLstsq(t *testing.T) {
	// Overdetermined but consistent: y = 1 − 2x + 0.5x² sampled at 6 points.
	xs := []float64{-1, -0.5, 0, 0.3, 0.7, 1}
	want := []float64{1, -2, 0.5}
	a := make([]float64, 0, 18)
	b := make([]float64, 0, 6)
	for _, x := range xs {
		a = append(a, 1, x, x*x)
		b = append(b, want[0]+want[1]*x+want[2]*x*x)
	}
	got, err := lstsq(a, 6, 3, b)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !near(got[k], want[k], 0, 1e-12) {
			t.Errorf("coef %d = %v, want %v", k, got[k], want[k])
		}
	}
	// Inconsistent: the least-squares mean of 1, 2, 6 is 3.
	got, err = lstsq([]float64{1, 1, 1}, 3, 1, []float64{1, 2, 6})
	if err != nil || !near(got[0], 3, 0, 1e-12) {
		t.Errorf("mean fit = %v, %v; want 3", got, err)
	}
	// Dependent columns.
	if _, err := lstsq([]float64{1, 2, 2, 4, 3, 6}, 3, 2, []float64{1, 2, 3}); !errors.Is(err, errRankDeficient) {
		t.Errorf("dependent columns: err = %v, want errRankDeficient", err)
	}
	if _, err := lstsq([]float64{1, 2}, 1, 2, []float64{1}); !errors.Is(err, errRankDeficient) {
		t.Errorf("n < m: err = %v, want errRankDeficient", err)
	}
}

func TestLegendre(t *testing.T) {
	tests := []struct {
		x    float64
		want []float64 // P0 … P3
	}{
		{0.5, []float64{1, 0.5, -0.125, -0.4375}},
		{1, []float64{1, 1, 1, 1}},
		{-1, []float64{1, -1, 1, -1}},
		{0, []float64{1, 0, -0.5, 0}},
	}
	for _, tc := range tests {
		p := make([]float64, 4)
		legendre(tc.x, p)
		for k := range p {
			if !near(p[k], tc.want[k], 0, 1e-15) {
				t.Errorf("P%d(%v) = %v, want %v", k, tc.x, p[k], tc.want[k])
			}
		}
	}
}

func TestBSplinePartitionOfUnity(t *testing.T) {
	b := newBSpline(-1, 1, []float64{-0.6, -0.1, 0.2, 0.75})
	row := make([]float64, b.size())
	if b.size() != 8 {
		t.Fatalf("size = %d, want 8", b.size())
	}
	for i := 0; i <= 200; i++ {
		x := -1 + float64(i)/100
		b.eval(x, row)
		var sum float64
		for _, v := range row {
			if v < -1e-15 {
				t.Fatalf("negative basis value %v at x=%v", v, x)
			}
			sum += v
		}
		if !near(sum, 1, 0, 1e-13) {
			t.Errorf("Σ B_i(%v) = %v, want 1", x, sum)
		}
	}
	// Clamped ends: only the first / last function is non-zero.
	b.eval(-1, row)
	if row[0] != 1 {
		t.Errorf("B_0(-1) = %v, want 1", row[0])
	}
	b.eval(1, row)
	if row[len(row)-1] != 1 {
		t.Errorf("B_last(1) = %v, want 1", row[len(row)-1])
	}
}

func TestNaturalSpline(t *testing.T) {
	x := []float64{0, 0.5, 1.2, 2, 3.1}
	lin := mapWave(x, func(v float64) float64 { return 2 - 3*v })
	s := newNaturalSpline(x, lin)
	for _, tv := range []float64{0, 0.2, 0.9, 1.7, 2.5, 3.1} {
		if got := s.eval(tv); !near(got, 2-3*tv, 0, 1e-13) {
			t.Errorf("linear data: spline(%v) = %v, want %v", tv, got, 2-3*tv)
		}
	}
	y := []float64{1, -2, 0.5, 4, 3}
	s = newNaturalSpline(x, y)
	for i := range x {
		if got := s.eval(x[i]); !near(got, y[i], 0, 1e-13) {
			t.Errorf("spline(%v) = %v, want knot value %v", x[i], got, y[i])
		}
	}
	if s.m[0] != 0 || s.m[len(s.m)-1] != 0 {
		t.Errorf("end second derivatives %v, %v; want 0 (natural)", s.m[0], s.m[len(s.m)-1])
	}
	// Continuity of the first derivative at an interior knot.
	h := 1e-6
	dl := (s.eval(1.2) - s.eval(1.2-h)) / h
	dr := (s.eval(1.2+h) - s.eval(1.2)) / h
	if math.Abs(dl-dr) > 1e-4 {
		t.Errorf("derivative jump at knot: %v vs %v", dl, dr)
	}
}
