package prep

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// SpeedOfLightKmS is the speed of light in vacuum, km/s.
const SpeedOfLightKmS = 299792.458

// ToRestFrame shifts s from the observed frame to the rest frame of a
// source at redshift z (z > −1):
//
//	λ_rest = λ_obs / (1+z)
//	f_λ,rest = f_λ,obs · (1+z)
//	ivar_rest = ivar_obs / (1+z)²
//
// The flux convention keeps ∫ f_λ dλ unchanged: the same energy spread over
// a (1+z)-times narrower wavelength interval. (No cosmological (1+z)
// surface-brightness or luminosity-distance factor is applied.) Masks, the
// air/vacuum flag and metadata (including Meta.Z) are carried over; the
// input is not modified.
func ToRestFrame(s *spectrum.Spectrum, z float64) (*spectrum.Spectrum, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("rest frame: %w", err)
	}
	if !finite(z) || !(z > -1) {
		return nil, fmt.Errorf("rest frame: %w: redshift %v (must be finite and > -1)", ErrBadParameter, z)
	}
	out := s.Clone()
	f := 1 + z
	for i := range out.WavelengthAA {
		out.WavelengthAA[i] /= f
	}
	scaleFlux(out, constant(out.Len(), f))
	return out, nil
}

// DopplerZ returns the relativistic Doppler redshift of a source moving
// along the line of sight at vKmS km/s (positive: receding):
// z = √((1+β)/(1−β)) − 1 with β = v/c. It returns NaN when |v| ≥ c or v is
// not finite.
func DopplerZ(vKmS float64) float64 {
	beta := vKmS / SpeedOfLightKmS
	if !finite(beta) || math.Abs(beta) >= 1 {
		return math.NaN()
	}
	return math.Sqrt((1+beta)/(1-beta)) - 1
}

// ShiftRV removes a line-of-sight velocity vKmS (km/s, positive: receding)
// from s, returning the spectrum in the source's rest frame. It is
// ToRestFrame(s, DopplerZ(vKmS)); to apply a velocity instead, pass −vKmS.
func ShiftRV(s *spectrum.Spectrum, vKmS float64) (*spectrum.Spectrum, error) {
	z := DopplerZ(vKmS)
	if math.IsNaN(z) {
		return nil, fmt.Errorf("shift RV: %w: velocity %v km/s (|v| must be < c)", ErrBadParameter, vKmS)
	}
	out, err := ToRestFrame(s, z)
	if err != nil {
		return nil, fmt.Errorf("shift RV: %w", err)
	}
	return out, nil
}
