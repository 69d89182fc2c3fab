package baseline

import (
	"math"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

func TestShiftPixels(t *testing.T) {
	// z = 10^(100·1e-4) − 1: exactly 100 pixels of 1e-4 dex.
	z := math.Pow(10, 0.01) - 1
	if s := shiftPixels(z, 1e-4); !near(s, 100, 1e-9) {
		t.Errorf("shift %g, want 100", s)
	}
	if z2 := redshiftOf(100, 1e-4); !near(z2, z, 1e-15) {
		t.Errorf("redshift %g, want %g", z2, z)
	}
	if !math.IsNaN(shiftPixels(-1, 1e-4)) || !math.IsNaN(shiftPixels(math.NaN(), 1e-4)) {
		t.Error("z ≤ −1 and NaN must give NaN")
	}
}

func TestNormaliseScale(t *testing.T) {
	iv := []float64{1, 1, 1, 0, 1}
	if s := normaliseScale([]float64{2, 4, 8, 1000, 6}, iv); !near(s, 1/5.0, 1e-15) {
		t.Errorf("scale %g, want 1/median = 0.2", s) // median of 2, 4, 6, 8 is 5
	}
	if s := normaliseScale([]float64{-2, -4, 1, 0, -6}, iv); !near(s, 4/13.0, 1e-15) {
		t.Errorf("scale %g, want 4/Σ|f| = 4/13", s)
	}
	if s := normaliseScale([]float64{0, 0, 0, 0, 0}, iv); s != 0 {
		t.Errorf("scale %g for a zero spectrum, want 0", s)
	}
	if s := normaliseScale([]float64{1, 2}, []float64{0, 0}); s != 0 || !math.IsNaN(medianGood([]float64{1}, []float64{0})) {
		t.Errorf("no good pixels: scale %g", s)
	}
}

func TestFillUncovered(t *testing.T) {
	nan := math.NaN()
	v := []float64{nan, nan, 2, nan, nan, 5, 7, nan}
	lo, hi := fillUncovered(v)
	want := []float64{2, 2, 2, 3, 4, 5, 7, 7}
	if lo != 2 || hi != 6 {
		t.Errorf("covered range %d…%d, want 2…6", lo, hi)
	}
	for i := range want {
		if !near(v[i], want[i], 1e-15) {
			t.Errorf("v = %v, want %v", v, want)
			break
		}
	}
	all := []float64{nan, nan}
	if lo, _ := fillUncovered(all); lo != -1 || all[0] != 0 {
		t.Errorf("all NaN: lo %d, values %v", lo, all)
	}
}

func TestToRest(t *testing.T) {
	// A quadratic spectrum shifted by 2.25 pixels: cubic convolution
	// reproduces it exactly; flux scales by 0.5 and ivar by 4; a masked
	// pixel removes the four rest pixels whose stencil touches it.
	n := 40
	flux, ivar := make([]float64, n), make([]float64, n)
	for i := range flux {
		x := float64(i)
		flux[i], ivar[i] = 10+0.5*x-0.01*x*x, 2
	}
	ivar[20] = 0
	x, w := make([]float32, n), make([]float32, n)
	toRest(flux, ivar, 2.25, 0, 0.5, 1e9, x, w)
	for r := range x {
		pos := float64(r) + 2.25
		i := int(math.Floor(pos))
		switch {
		case i-1 < 0 || i+2 >= n || (i-1 <= 20 && 20 <= i+2):
			if w[r] != 0 {
				t.Errorf("rest pixel %d (observed %.2f): weight %g, want 0", r, pos, w[r])
			}
		default:
			want := 0.5 * (10 + 0.5*pos - 0.01*pos*pos)
			if !near(float64(x[r]), want, 1e-5) || w[r] != 8 {
				t.Errorf("rest pixel %d: %g (w %g), want %g (w 8)", r, x[r], w[r], want)
			}
		}
	}
	toRest(flux, ivar, 2.25, 0, 0.5, 3, x, w)
	if w[5] != 3 {
		t.Errorf("capped weight %g, want 3", w[5])
	}
}

func TestDereddenCurve(t *testing.T) {
	// A_V/E(B−V) = R_V = 3.1 at 5494.5 Å, where the CCM/O'Donnell curve is
	// A_λ/A_V = 1 by construction; dereddening multiplies the flux by
	// 10^(0.4·E(B−V)·A_λ/E(B−V)).
	g, err := prep.LogGrid(5494.5, 5500, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	c := dereddenCurve(g)
	if !near(c[0], 3.1, 1e-3) {
		t.Errorf("A/E(B−V) at 5494.5 Å = %g, want 3.1", c[0])
	}
	flux, ivar := []float64{1}, []float64{1}
	deredden(flux, ivar, c[:1], 0.1)
	f := math.Pow(10, 0.04*c[0])
	if !near(flux[0], f, 1e-12) || !near(ivar[0], 1/(f*f), 1e-12) {
		t.Errorf("dereddened %g, %g; want %g, %g", flux[0], ivar[0], f, 1/(f*f))
	}
	deredden(flux, ivar, c[:1], math.NaN()) // no-op
	if !near(flux[0], f, 1e-12) {
		t.Error("NaN E(B−V) changed the flux")
	}
	if dereddenCurve(prep.Grid{Log10Start: 5, Log10Step: 0.1, N: 3}) != nil {
		t.Error("a grid at 10⁵ Å is outside the law and must give nil")
	}
}
