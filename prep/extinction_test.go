package prep

import (
	"errors"
	"math"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

// Reference values: A_λ/A_V at R_V = 3.1 from the Python extinction
// package 0.4.6 (ccm89, odonnell94, fitzpatrick99 with a_v = 1), printed to
// 8 decimals.
func TestExtinctionSpotValues(t *testing.T) {
	wave := []float64{1000, 1100, 2000, 3000, 5494.5, 9000, 20000, 33000}
	tests := []struct {
		law  Law
		want []float64
	}{
		{LawCCM89, []float64{5.23835484, 4.21720654, 2.84252644, 1.8181567, 1.00000115, 0.47880753, 0.13234973, 0.05909815}},
		{LawODonnell94, []float64{5.23835484, 4.21720654, 2.84252644, 1.8181567, 1.00000134, 0.47890915, 0.13234973, 0.05909815}},
		{LawFitzpatrick99, []float64{4.95825743, 4.01484448, 2.76225609, 1.79674653, 0.97917236, 0.45259124, 0.12455879, 0.06523715}},
	}
	for _, tc := range tests {
		got, err := tc.law.Curve(wave, 3.1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range wave {
			if !near(got[i], tc.want[i], 0, 6e-9) {
				t.Errorf("%v at %v Å: %.9f, want %.8f", tc.law, wave[i], got[i], tc.want[i])
			}
		}
	}
}

func TestCCM89Analytic(t *testing.T) {
	for _, rv := range []float64{2.5, 3.1, 5} {
		// V band: a(x) = 1, b(x) ≈ 0 at 5494.5 Å, so A/A_V ≈ 1 for any R_V.
		v, err := CCM89([]float64{5494.5}, rv)
		if err != nil || math.Abs(v[0]-1) > 1e-3 {
			t.Errorf("R_V=%v: A(5494.5 Å)/A_V = %v, %v; want 1", rv, v, err)
		}
		// Infrared: (0.574 − 0.527/R_V)·x^1.61.
		for _, w := range []float64{10000, 20000, 30000} {
			x := 1e4 / w
			want := (0.574 - 0.527/rv) * math.Pow(x, 1.61)
			got, _ := CCM89([]float64{w}, rv)
			if !near(got[0], want, 1e-14, 0) {
				t.Errorf("R_V=%v, %v Å: %v, want %v", rv, w, got[0], want)
			}
		}
		// Far UV at x = 8 (1250 Å): a = −1.073, b = 13.670.
		got, _ := CCM89([]float64{1250}, rv)
		if want := -1.073 + 13.670/rv; !near(got[0], want, 1e-12, 0) {
			t.Errorf("R_V=%v, 1250 Å: %v, want %v", rv, got[0], want)
		}
	}
	// B band: A_B/A_V = 1 + 1/R_V by definition of R_V; CCM89 gets close at 4400 Å.
	b, _ := CCM89([]float64{4400}, 3.1)
	if math.Abs(b[0]-(1+1/3.1)) > 0.01 {
		t.Errorf("A(4400 Å)/A_V = %v, want ≈ %v", b[0], 1+1/3.1)
	}
}

func TestFitzpatrick99Anchors(t *testing.T) {
	for _, rv := range []float64{2.3, 3.1, 5.3} {
		k := f99KnotValues(rv)
		for i := 1; i < len(f99Knots); i++ {
			w := 1e4 / f99Knots[i]
			got, err := Fitzpatrick99([]float64{w}, rv)
			if err != nil {
				t.Fatal(err)
			}
			if want := 1 + k[i]/rv; !near(got[0], want, 1e-12, 0) {
				t.Errorf("R_V=%v anchor %.1f Å: %v, want %v", rv, w, got[0], want)
			}
		}
		// UV: continuous across the 2700 Å switch to the FM90 curve.
		c, _ := Fitzpatrick99([]float64{2700 * (1 - 1e-9), 2700 * (1 + 1e-9)}, rv)
		if math.Abs(c[0]-c[1]) > 1e-7 {
			t.Errorf("R_V=%v: jump at 2700 Å: %v vs %v", rv, c[0], c[1])
		}
	}
}

func TestExtinctionMonotonicLongward(t *testing.T) {
	// Longward of 3500 Å extinction decreases with wavelength. (Shortward
	// lies the 2175 Å bump, and CCM89 at R_V = 5.5 rises slightly from 3150
	// to 3410 Å, in the reference implementation too.)
	for _, law := range []Law{LawCCM89, LawODonnell94, LawFitzpatrick99} {
		_, hi := law.RangeAA()
		wave := mapWave(linearWave(0, 1, 2000), func(i float64) float64 { return 3500 * math.Pow(hi/3500, i/1999) })
		for _, rv := range []float64{2.5, 3.1, 4, 5.5} {
			a, err := law.Curve(wave, rv)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(a); i++ {
				if !(a[i] < a[i-1]) || a[i] <= 0 {
					t.Fatalf("%v R_V=%v: A/A_V not decreasing at %v Å (%v after %v)", law, rv, wave[i], a[i], a[i-1])
				}
			}
		}
	}
}

func TestExtinctionErrors(t *testing.T) {
	tests := []struct {
		law  Law
		wave float64
		rv   float64
		want error
	}{
		{LawCCM89, 999, 3.1, ErrOutOfRange},
		{LawCCM89, 33334, 3.1, ErrOutOfRange},
		{LawODonnell94, 500, 3.1, ErrOutOfRange},
		{LawODonnell94, 1e5, 3.1, ErrOutOfRange},
		{LawFitzpatrick99, 909, 3.1, ErrOutOfRange},
		{LawFitzpatrick99, 60001, 3.1, ErrOutOfRange},
		{LawCCM89, math.NaN(), 3.1, ErrOutOfRange},
		{LawFitzpatrick99, math.Inf(1), 3.1, ErrOutOfRange},
		{LawCCM89, 5000, 0, ErrBadParameter},
		{LawFitzpatrick99, 5000, -3.1, ErrBadParameter},
		{LawODonnell94, 5000, math.NaN(), ErrBadParameter},
		{Law(42), 5000, 3.1, ErrBadParameter},
	}
	for _, tc := range tests {
		if _, err := tc.law.Curve([]float64{5000, tc.wave}, tc.rv); !errors.Is(err, tc.want) {
			t.Errorf("%v(%v Å, R_V=%v): err = %v, want %v", tc.law, tc.wave, tc.rv, err, tc.want)
		}
	}
	// Range ends are inside.
	for _, law := range []Law{LawCCM89, LawODonnell94, LawFitzpatrick99} {
		lo, hi := law.RangeAA()
		if _, err := law.Curve([]float64{lo, hi}, 3.1); err != nil {
			t.Errorf("%v at its range ends: %v", law, err)
		}
	}
}

func TestParseLaw(t *testing.T) {
	tests := []struct {
		in   string
		want Law
		ok   bool
	}{
		{"ccm89", LawCCM89, true},
		{" CCM ", LawCCM89, true},
		{"odonnell94", LawODonnell94, true},
		{"OD94", LawODonnell94, true},
		{"O'Donnell94", LawODonnell94, true},
		{"fitzpatrick99", LawFitzpatrick99, true},
		{"F99", LawFitzpatrick99, true},
		{"calzetti00", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseLaw(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseLaw(%q) = %v, %v", tc.in, got, err)
		}
	}
	for _, l := range []Law{LawCCM89, LawODonnell94, LawFitzpatrick99} {
		if got, err := ParseLaw(l.String()); err != nil || got != l {
			t.Errorf("ParseLaw(%v.String()) = %v, %v", l, got, err)
		}
	}
	if Law(9).String() != "Law(9)" {
		t.Errorf("Law(9).String() = %q", Law(9).String())
	}
}

func TestDeredden(t *testing.T) {
	wave := linearWave(3700, 5, 1000)
	s := mkSpec(wave, constant(1000, 2), constant(1000, 9))
	const ebv, rv = 0.15, 3.1
	for _, law := range []Law{LawCCM89, LawODonnell94, LawFitzpatrick99} {
		before := s.Clone()
		out, err := Deredden(s, ebv, rv, law)
		if err != nil {
			t.Fatal(err)
		}
		assertUnchanged(t, before, s)
		curve, _ := law.Curve(wave, rv)
		for i := range wave {
			f := math.Pow(10, 0.4*rv*ebv*curve[i])
			if !near(out.Flux[i], 2*f, 1e-14, 0) || !near(out.Ivar[i], 9/(f*f), 1e-14, 0) {
				t.Fatalf("%v pixel %d: (%v, %v), want (%v, %v)", law, i, out.Flux[i], out.Ivar[i], 2*f, 9/(f*f))
			}
		}
		// Negative E(B−V) undoes it.
		back, err := Deredden(out, -ebv, rv, law)
		if err != nil {
			t.Fatal(err)
		}
		for i := range wave {
			if !near(back.Flux[i], 2, 1e-13, 0) || !near(back.Ivar[i], 9, 1e-13, 0) {
				t.Fatalf("%v round trip pixel %d: (%v, %v)", law, i, back.Flux[i], back.Ivar[i])
			}
		}
	}
	// A_V = R_V·E(B−V): at 5494.5 Å CCM gives A ≈ A_V = 0.465 mag.
	v, _ := Deredden(mkSpec([]float64{5494, 5494.5, 5495}, []float64{1, 1, 1}, nil), ebv, rv, LawCCM89)
	if got := 2.5 * math.Log10(v.Flux[1]); !near(got, rv*ebv, 1e-5, 0) {
		t.Errorf("correction at V = %v mag, want %v", got, rv*ebv)
	}
	bad := []struct {
		name string
		s    *spectrum.Spectrum
		ebv  float64
		rv   float64
		want error
	}{
		{"out of range", mkSpec([]float64{900, 5000}, []float64{1, 1}, nil), 0.1, 3.1, ErrOutOfRange},
		{"NaN ebv", s, math.NaN(), 3.1, ErrBadParameter},
		{"zero rv", s, 0.1, 0, ErrBadParameter},
		{"nil", nil, 0.1, 3.1, spectrum.ErrInvalid},
	}
	for _, tc := range bad {
		if _, err := Deredden(tc.s, tc.ebv, tc.rv, LawCCM89); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
