package prep

import (
	"errors"
	"math"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

func TestDERSNRReference(t *testing.T) {
	// Hand computation: f = 1, 2, 4, 8, 16, 32; second differences at
	// i = 2, 3: |8−1−16| = 9, |16−2−32| = 18; median 13.5; median f = 6.
	want := 6 / (1.482602 / math.Sqrt(6) * 13.5)
	if got := DERSNR([]float64{1, 2, 4, 8, 16, 32}); !near(got, want, 1e-14, 0) {
		t.Errorf("DERSNR = %v, want %v", got, want)
	}
	// Zeros and non-finite values are dropped before differencing.
	if got := DERSNR([]float64{0, 1, 2, math.NaN(), 4, 0, 8, math.Inf(1), 16, 32, 0}); !near(got, want, 1e-14, 0) {
		t.Errorf("DERSNR with zeros/NaN = %v, want %v", got, want)
	}
	if got := DERSNR([]float64{1, 2, 0, 3, 4}); !math.IsNaN(got) {
		t.Errorf("4 usable pixels: %v, want NaN", got)
	}
	if got := DERSNR([]float64{5, 5, 5, 5, 5, 5}); !math.IsInf(got, 1) {
		t.Errorf("noiseless: %v, want +Inf", got)
	}
}

func TestDERSNRGaussianNoise(t *testing.T) {
	rng := newRand(11)
	for _, tc := range []struct{ level, sigma float64 }{{100, 2}, {100, 10}, {50, 0.5}} {
		flux := make([]float64, 4000)
		for i := range flux {
			flux[i] = tc.level + tc.sigma*rng.NormFloat64()
		}
		want := tc.level / tc.sigma
		if got := DERSNR(flux); math.Abs(got/want-1) > 0.04 {
			t.Errorf("S/N %v: DERSNR = %.2f", want, got)
		}
	}
}

func TestSNRFromIvar(t *testing.T) {
	n := 101
	s := mkSpec(linearWave(5000, 1, n), constant(n, 10), constant(n, 4))
	for i := 0; i < 40; i++ { // bad pixels with wild values are ignored
		s.Flux[i] = 1e6
		s.Ivar[i] = 0
	}
	got, err := SNRFromIvar(s)
	if err != nil || got != 20 {
		t.Errorf("SNRFromIvar = %v, %v; want 20", got, err)
	}
	if _, err := SNRFromIvar(mkSpec([]float64{1, 2}, []float64{1, 1}, nil)); !errors.Is(err, ErrBadParameter) {
		t.Errorf("no ivar: err = %v", err)
	}
	if _, err := SNRFromIvar(mkSpec([]float64{1, 2}, []float64{1, 1}, []float64{0, 0})); !errors.Is(err, ErrTooFewPixels) {
		t.Errorf("no good pixels: err = %v", err)
	}
	if _, err := SNRFromIvar(nil); !errors.Is(err, spectrum.ErrInvalid) {
		t.Errorf("nil: err = %v", err)
	}
}
