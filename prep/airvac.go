package prep

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// AirVacuumMinAA is the wavelength, in Å, below which AirToVacuum and
// VacuumToAir return their argument unchanged: by convention, wavelengths
// shortward of 2000 Å are always quoted in vacuum.
const AirVacuumMinAA = 2000

// VacuumToAir converts a vacuum wavelength (Å) to air with the dispersion
// of standard air of Ciddor (1996, Applied Optics 35, 1566; eq. 1, the
// two-term formula for dry air with 450 ppm CO2), as used by SDSS
// (idlutils vactoair) and the VALD database:
//
//	σ² = (10⁴/λ_vac)²   (µm⁻²)
//	n  = 1 + 5.792105e-2/(238.0185 − σ²) + 1.67917e-3/(57.362 − σ²)
//	λ_air = λ_vac / n
//
// Below AirVacuumMinAA the wavelength is returned unchanged; a non-finite or
// non-positive input returns NaN.
func VacuumToAir(vacAA float64) float64 {
	if !(vacAA > 0) || !finite(vacAA) {
		return math.NaN()
	}
	if vacAA < AirVacuumMinAA {
		return vacAA
	}
	return vacAA / refractiveIndexVac(vacAA)
}

// refractiveIndexVac is the Ciddor (1996) refractive index of standard air
// at vacuum wavelength λ (Å).
func refractiveIndexVac(vacAA float64) float64 {
	s2 := 1e8 / (vacAA * vacAA)
	return 1 + 5.792105e-2/(238.0185-s2) + 1.67917e-3/(57.362-s2)
}

// AirToVacuum converts an air wavelength (Å) to vacuum as the exact inverse
// of VacuumToAir: starting from λ_vac = λ_air·n(λ_air), it iterates
// λ_vac ← λ_air·n(λ_vac) (a contraction: dn/dλ·λ ≈ 10⁻⁵) until the change
// is below 10⁻¹⁰ Å, so VacuumToAir(AirToVacuum(λ)) = λ to ~10⁻¹⁰ Å. Air
// wavelengths below AirVacuumMinAA are returned unchanged; a non-finite or
// non-positive input returns NaN.
func AirToVacuum(airAA float64) float64 {
	if !(airAA > 0) || !finite(airAA) {
		return math.NaN()
	}
	if airAA < AirVacuumMinAA {
		return airAA
	}
	vac := airAA * refractiveIndexVac(airAA)
	for range 20 {
		next := airAA * refractiveIndexVac(vac)
		if math.Abs(next-vac) < 1e-10 {
			return next
		}
		vac = next
	}
	return vac
}

// ToVacuum returns a copy of s with vacuum wavelengths (AirToVacuum applied
// and Vacuum set); if s is already in vacuum it returns an unmodified copy.
// Flux densities are left unchanged (the per-Å rescaling by dλ_vac/dλ_air
// ≈ 1 + 10⁻⁶ is negligible).
func ToVacuum(s *spectrum.Spectrum) (*spectrum.Spectrum, error) {
	return convertAirVac(s, true, AirToVacuum, "to vacuum")
}

// ToAir returns a copy of s with air wavelengths (VacuumToAir applied and
// Vacuum cleared); if s is already in air it returns an unmodified copy.
func ToAir(s *spectrum.Spectrum) (*spectrum.Spectrum, error) {
	return convertAirVac(s, false, VacuumToAir, "to air")
}

// convertAirVac maps the wavelengths of a copy of s through conv unless s
// already has the target Vacuum flag, and checks that they stay increasing
// (a spectrum straddling AirVacuumMinAA may not).
func convertAirVac(s *spectrum.Spectrum, toVacuum bool, conv func(float64) float64, what string) (*spectrum.Spectrum, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := s.Clone()
	if s.Vacuum == toVacuum {
		return out, nil
	}
	for i, w := range out.WavelengthAA {
		out.WavelengthAA[i] = conv(w)
	}
	out.Vacuum = toVacuum
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("%s: converted wavelengths: %w", what, err)
	}
	return out, nil
}
