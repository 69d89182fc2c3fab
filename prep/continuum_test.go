package prep

import (
	"errors"
	"math"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

// syntheticStar returns a LAMOST-sampled spectrum: a smooth continuum
// (returned too) times Gaussian absorption lines, plus Gaussian noise at
// the given S/N (no noise when snr is 0).
func syntheticStar(seed uint64, snr float64) (*spectrum.Spectrum, []float64) {
	wave := LAMOSTGrid().Wavelengths()
	lo, hi := wave[0], wave[len(wave)-1]
	cont := mapWave(wave, func(w float64) float64 {
		x := 2*(w-lo)/(hi-lo) - 1
		return 1000 * (1 + 0.3*x - 0.25*x*x + 0.1*x*x*x)
	})
	lines := []struct{ c, sigma, depth float64 }{
		{3934, 8, 0.7}, {3969, 8, 0.6}, {4102, 6, 0.4}, {4341, 6, 0.45}, {4861, 6, 0.5},
		{5175, 5, 0.3}, {5890, 3, 0.4}, {6563, 6, 0.55}, {7700, 4, 0.2}, {8542, 5, 0.4}, {8662, 5, 0.35},
	}
	rng := newRand(seed)
	flux := make([]float64, len(wave))
	ivar := make([]float64, len(wave))
	for i, w := range wave {
		p := 1.0
		for _, l := range lines {
			p *= 1 - l.depth*math.Exp(-0.5*math.Pow((w-l.c)/l.sigma, 2))
		}
		flux[i] = cont[i] * p
		if snr > 0 {
			sig := cont[i] / snr
			flux[i] += sig * rng.NormFloat64()
			ivar[i] = 1 / (sig * sig)
		} else {
			ivar[i] = 1
		}
	}
	return mkSpec(wave, flux, ivar), cont
}

func TestFitContinuumRecoversContinuum(t *testing.T) {
	spline := DefaultContinuumOptions()
	spline.Method = ContinuumSpline
	tests := []struct {
		name string
		opt  ContinuumOptions
		snr  float64
		tol  float64
	}{
		{"legendre S/N 100", DefaultContinuumOptions(), 100, 0.01},
		{"legendre S/N 50", DefaultContinuumOptions(), 50, 0.01},
		{"spline S/N 100", spline, 100, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, want := syntheticStar(7, tc.snr)
			// A dead stretch of pixels must not matter.
			for i := 2000; i < 2100; i++ {
				s.Ivar[i] = 0
				s.Flux[i] = -5000
			}
			before := s.Clone()
			got, err := FitContinuum(s, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, before, s)
			var worst float64
			for i := range got {
				worst = math.Max(worst, math.Abs(got[i]/want[i]-1))
			}
			if worst > tc.tol {
				t.Errorf("max |fit/true − 1| = %.4f, want < %v", worst, tc.tol)
			}
			t.Logf("max |fit/true − 1| = %.5f", worst)
		})
	}
}

func TestFitContinuumExactPolynomial(t *testing.T) {
	// Noise-free data in the model space are reproduced exactly, for both
	// bases, with and without ivar.
	wave := linearWave(4000, 2, 1500)
	lo, hi := wave[0], wave[len(wave)-1]
	poly := func(w float64) float64 {
		x := 2*(w-lo)/(hi-lo) - 1
		return 5 - 2*x + 0.7*x*x - 0.3*x*x*x
	}
	flux := mapWave(wave, poly)
	for _, method := range []ContinuumMethod{ContinuumLegendre, ContinuumSpline} {
		for _, ivar := range [][]float64{nil, mapWave(wave, func(w float64) float64 { return 1 + w/1000 })} {
			opt := DefaultContinuumOptions()
			opt.Method, opt.Order = method, 3
			got, err := FitContinuum(mkSpec(wave, flux, ivar), opt)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if !near(got[i], flux[i], 1e-10, 0) {
					t.Fatalf("%v (ivar %v): pixel %d: %v, want %v", method, ivar != nil, i, got[i], flux[i])
				}
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	s, want := syntheticStar(3, 0)
	s.AndMask = make([]uint32, s.Len())
	s.OrMask = make([]uint32, s.Len())
	s.AndMask[11], s.OrMask[12] = 1<<2, 1<<3
	cont, err := FitContinuum(s, DefaultContinuumOptions())
	if err != nil {
		t.Fatal(err)
	}
	before := s.Clone()
	out, err := Normalize(s, DefaultContinuumOptions())
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, before, s)
	for i := range out.Flux {
		if !near(out.Flux[i], s.Flux[i]/cont[i], 1e-12, 0) || !near(out.Ivar[i], s.Ivar[i]*cont[i]*cont[i], 1e-12, 0) {
			t.Fatalf("pixel %d: flux %v ivar %v, want %v, %v", i, out.Flux[i], out.Ivar[i], s.Flux[i]/cont[i], s.Ivar[i]*cont[i]*cont[i])
		}
		// Far from lines the normalised flux is 1.
		if i == 3000 && !near(out.Flux[i], s.Flux[i]/want[i], 0.01, 0) {
			t.Errorf("continuum pixel %d: %v, want ≈ %v", i, out.Flux[i], s.Flux[i]/want[i])
		}
	}
	if out.AndMask[11] != 1<<2 || out.OrMask[12] != 1<<3 {
		t.Error("masks not carried over")
	}
}

func TestNormalizeNonPositiveContinuum(t *testing.T) {
	// A line through zero: a degree-1 continuum crosses 0 mid-spectrum.
	wave := linearWave(5000, 1, 100)
	flux := mapWave(wave, func(w float64) float64 { return w - 5049.5 })
	opt := DefaultContinuumOptions()
	opt.Order, opt.MaxIter = 1, 0
	out, err := Normalize(mkSpec(wave, flux, constant(100, 1)), opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range out.Flux {
		if wave[i] < 5049.5 && !isMarkedBad(out, i) {
			t.Errorf("pixel %d with negative continuum not marked bad", i)
		}
		if math.IsNaN(out.Flux[i]) || math.IsInf(out.Flux[i], 0) {
			t.Errorf("pixel %d: non-finite flux %v", i, out.Flux[i])
		}
	}
}

func TestFitContinuumErrors(t *testing.T) {
	s, _ := syntheticStar(1, 50)
	few := s.Clone()
	for i := 15; i < few.Len(); i++ {
		few.Ivar[i] = 0
	}
	mod := func(f func(*ContinuumOptions)) ContinuumOptions {
		o := DefaultContinuumOptions()
		f(&o)
		return o
	}
	tests := []struct {
		name string
		s    *spectrum.Spectrum
		opt  ContinuumOptions
		want error
	}{
		{"too few good pixels", few, DefaultContinuumOptions(), ErrTooFewPixels},
		{"too few for order", few, mod(func(o *ContinuumOptions) { o.MinGoodPixels = 1; o.Order = 9 }), ErrTooFewPixels},
		{"nil", nil, DefaultContinuumOptions(), spectrum.ErrInvalid},
		{"negative order", s, mod(func(o *ContinuumOptions) { o.Order = -1 }), ErrBadParameter},
		{"negative knots", s, mod(func(o *ContinuumOptions) { o.Method = ContinuumSpline; o.Knots = -2 }), ErrBadParameter},
		{"unknown method", s, mod(func(o *ContinuumOptions) { o.Method = 9 }), ErrBadParameter},
		{"zero sigma", s, mod(func(o *ContinuumOptions) { o.LowSigma = 0 }), ErrBadParameter},
		{"NaN sigma", s, mod(func(o *ContinuumOptions) { o.HighSigma = math.NaN() }), ErrBadParameter},
		{"negative iterations", s, mod(func(o *ContinuumOptions) { o.MaxIter = -1 }), ErrBadParameter},
	}
	for _, tc := range tests {
		if _, err := FitContinuum(tc.s, tc.opt); !errors.Is(err, tc.want) {
			t.Errorf("%s: FitContinuum err = %v, want %v", tc.name, err, tc.want)
		}
		if _, err := Normalize(tc.s, tc.opt); !errors.Is(err, tc.want) {
			t.Errorf("%s: Normalize err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if ContinuumLegendre.String() != "legendre" || ContinuumSpline.String() != "spline" || ContinuumMethod(7).String() == "" {
		t.Error("ContinuumMethod.String")
	}
}

func BenchmarkNormalize(b *testing.B) {
	s, _ := syntheticStar(1, 50)
	opt := DefaultContinuumOptions()
	for b.Loop() {
		if _, err := Normalize(s, opt); err != nil {
			b.Fatal(err)
		}
	}
}
