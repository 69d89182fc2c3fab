package prep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

// mkSpec builds a vacuum spectrum from the given arrays (ivar may be nil).
func mkSpec(wave, flux, ivar []float64) *spectrum.Spectrum {
	s := &spectrum.Spectrum{WavelengthAA: wave, Vacuum: true, Flux: flux, Ivar: ivar, FluxUnit: "test", Meta: spectrum.NewMeta()}
	s.Meta.ID = "test"
	return s
}

// linearWave returns n wavelengths from start with step Å.
func linearWave(start, step float64, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = start + float64(i)*step
	}
	return w
}

// mapWave evaluates f at each wavelength.
func mapWave(wave []float64, f func(float64) float64) []float64 {
	y := make([]float64, len(wave))
	for i, w := range wave {
		y[i] = f(w)
	}
	return y
}

// newRand returns a deterministic generator.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// assertUnchanged fails if s differs from the snapshot taken before a call.
func assertUnchanged(t *testing.T, before, after *spectrum.Spectrum) {
	t.Helper()
	// Compare printed forms: Meta holds NaN, which DeepEqual never matches.
	if fmt.Sprintf("%#v", *before) != fmt.Sprintf("%#v", *after) {
		t.Errorf("input spectrum was modified")
	}
}

// near reports whether got is within rel relative (or abs absolute) of want.
func near(got, want, rel, abs float64) bool {
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}

// isMarkedBad reports whether pixel i has flux 0, ivar 0 (if any) and
// MaskBad in both masks.
func isMarkedBad(s *spectrum.Spectrum, i int) bool {
	if s.AndMask == nil || s.OrMask == nil {
		return false
	}
	ok := s.AndMask[i]&spectrum.MaskBad != 0 && s.OrMask[i]&spectrum.MaskBad != 0
	if s.Ivar != nil {
		ok = ok && s.Ivar[i] == 0
	}
	return ok
}
