package prep

import (
	"fmt"
	"math"
	"strings"

	"github.com/astroone/astroone-go/spectrum"
)

// Law selects a Milky Way dust extinction curve.
type Law int

// Extinction laws.
const (
	// LawCCM89 is Cardelli, Clayton & Mathis (1989, ApJ 345, 245).
	LawCCM89 Law = iota
	// LawODonnell94 is CCM89 with the optical coefficients of O'Donnell
	// (1994, ApJ 422, 158).
	LawODonnell94
	// LawFitzpatrick99 is Fitzpatrick (1999, PASP 111, 63).
	LawFitzpatrick99
)

// String returns the canonical name accepted by ParseLaw.
func (l Law) String() string {
	switch l {
	case LawCCM89:
		return "ccm89"
	case LawODonnell94:
		return "odonnell94"
	case LawFitzpatrick99:
		return "fitzpatrick99"
	}
	return fmt.Sprintf("Law(%d)", int(l))
}

// ParseLaw parses a law name, case-insensitively: "ccm89" (or "ccm",
// "cardelli89"), "odonnell94" (or "od94", "o'donnell94"), "fitzpatrick99"
// (or "f99", "fitz99").
func ParseLaw(name string) (Law, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "ccm89", "ccm", "cardelli89", "cardelli":
		return LawCCM89, nil
	case "odonnell94", "od94", "o'donnell94", "odonnell":
		return LawODonnell94, nil
	case "fitzpatrick99", "f99", "fitz99", "fitzpatrick":
		return LawFitzpatrick99, nil
	}
	return 0, fmt.Errorf("extinction law %q: %w: want ccm89, odonnell94 or fitzpatrick99", name, ErrBadParameter)
}

// RangeAA returns the wavelength interval, in Å, on which the law is
// defined here: 1000 Å … 33333 Å (x = 0.3 … 10 µm⁻¹) for CCM89 and
// O'Donnell94, 910 Å … 60000 Å for Fitzpatrick99.
func (l Law) RangeAA() (minAA, maxAA float64) {
	if l == LawFitzpatrick99 {
		return 910, 60000
	}
	return 1000, 1e4 / 0.3
}

// Curve returns A(λ)/A_V at each wavelength (Å) for the law and R_V.
func (l Law) Curve(waveAA []float64, rv float64) ([]float64, error) {
	switch l {
	case LawCCM89:
		return CCM89(waveAA, rv)
	case LawODonnell94:
		return ODonnell94(waveAA, rv)
	case LawFitzpatrick99:
		return Fitzpatrick99(waveAA, rv)
	}
	return nil, fmt.Errorf("extinction: %w: unknown law %d", ErrBadParameter, int(l))
}

// abFunc returns the CCM-style a(x), b(x) for x in µm⁻¹.
type abFunc func(x float64) (a, b float64)

// CCM89 returns A(λ)/A_V = a(x) + b(x)/R_V of Cardelli, Clayton & Mathis
// (1989, ApJ 345, 245) at each wavelength in Å, with x = 10⁴/λ µm⁻¹:
// the infrared power law (0.3 ≤ x < 1.1), the optical/near-IR 7th-order
// polynomial in y = x − 1.82 (1.1 ≤ x < 3.3), the ultraviolet term with its
// far-UV curvature above x = 5.9 (3.3 ≤ x < 8) and the far-UV cubic
// (8 ≤ x ≤ 10). Valid from 1000 Å to 3.33 µm; any wavelength outside is an
// error wrapping ErrOutOfRange. At 5494.5 Å, a = 1 and b = 0.
func CCM89(waveAA []float64, rv float64) ([]float64, error) {
	return ccmStyle("CCM89", waveAA, rv, ccm89Optical)
}

// ODonnell94 is CCM89 with the optical (1.1 ≤ x < 3.3 µm⁻¹, 3030 Å …
// 9091 Å) polynomial coefficients of O'Donnell (1994, ApJ 422, 158); the
// infrared and ultraviolet terms are those of CCM89. This is the curve of
// the IDL astrolib CCM_UNRED routine. Valid from 1000 Å to 3.33 µm.
func ODonnell94(waveAA []float64, rv float64) ([]float64, error) {
	return ccmStyle("O'Donnell94", waveAA, rv, od94Optical)
}

// ccmStyle evaluates a CCM-form law with the given optical a(x), b(x).
func ccmStyle(name string, waveAA []float64, rv float64, optical abFunc) ([]float64, error) {
	if err := checkRV(rv); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lo, hi := LawCCM89.RangeAA()
	out := make([]float64, len(waveAA))
	for i, w := range waveAA {
		x := 1e4 / w
		if !finite(w) || !(x >= 0.3 && x <= 10) {
			return nil, fmt.Errorf("%s: %w: wavelength[%d]=%v Å outside %v … %.0f Å", name, ErrOutOfRange, i, w, lo, hi)
		}
		var a, b float64
		switch {
		case x < 1.1:
			a, b = ccm89Infrared(x)
		case x < 3.3:
			a, b = optical(x)
		case x < 8:
			a, b = ccm89Ultraviolet(x)
		default:
			a, b = ccm89FarUV(x)
		}
		out[i] = a + b/rv
	}
	return out, nil
}

// checkRV rejects a non-finite or non-positive R_V.
func checkRV(rv float64) error {
	if !finite(rv) || !(rv > 0) {
		return fmt.Errorf("%w: R_V=%v (must be finite and > 0)", ErrBadParameter, rv)
	}
	return nil
}

// ccm89Infrared is CCM89 eq. 2: 0.3 ≤ x < 1.1 µm⁻¹.
func ccm89Infrared(x float64) (a, b float64) {
	y := math.Pow(x, 1.61)
	return 0.574 * y, -0.527 * y
}

// ccm89Optical is CCM89 eq. 3: 1.1 ≤ x < 3.3 µm⁻¹, y = x − 1.82.
func ccm89Optical(x float64) (a, b float64) {
	y := x - 1.82
	a = ((((((0.32999*y-0.77530)*y+0.01979)*y+0.72085)*y-0.02427)*y-0.50447)*y+0.17699)*y + 1
	b = ((((((-2.09002*y+5.30260)*y-0.62251)*y-5.38434)*y+1.07233)*y+2.28305)*y + 1.41338) * y
	return a, b
}

// od94Optical is O'Donnell (1994) eq. 2: 1.1 ≤ x < 3.3 µm⁻¹, y = x − 1.82.
func od94Optical(x float64) (a, b float64) {
	y := x - 1.82
	a = (((((((-0.505*y+1.647)*y-0.827)*y-1.718)*y+1.137)*y+0.701)*y-0.609)*y+0.104)*y + 1
	b = (((((((3.347*y-10.805)*y+5.491)*y+11.102)*y-7.985)*y-3.989)*y+2.908)*y + 1.952) * y
	return a, b
}

// ccm89Ultraviolet is CCM89 eq. 4: 3.3 ≤ x < 8 µm⁻¹, with the far-UV
// curvature terms F_a, F_b for x > 5.9.
func ccm89Ultraviolet(x float64) (a, b float64) {
	ya, yb := x-4.67, x-4.62
	a = 1.752 - 0.316*x - 0.104/(ya*ya+0.341)
	b = -3.090 + 1.825*x + 1.206/(yb*yb+0.263)
	if x > 5.9 {
		y := x - 5.9
		y2 := y * y
		a += -0.04473*y2 - 0.009779*y2*y
		b += 0.2130*y2 + 0.1207*y2*y
	}
	return a, b
}

// ccm89FarUV is CCM89 eq. 5: 8 ≤ x ≤ 10 µm⁻¹.
func ccm89FarUV(x float64) (a, b float64) {
	y := x - 8
	y2 := y * y
	a = -1.073 - 0.628*y + 0.137*y2 - 0.070*y2*y
	b = 13.670 + 4.257*y - 0.420*y2 + 0.374*y2*y
	return a, b
}

// Fitzpatrick (1999) / Fitzpatrick & Massa (1990) UV parameters.
const (
	f99X0    = 4.596 // bump centre, µm⁻¹
	f99Gamma = 0.99  // bump width, µm⁻¹
	f99C3    = 3.23  // bump strength
	f99C4    = 0.41  // far-UV curvature
	f99C5    = 5.9   // far-UV curvature onset, µm⁻¹
	f99XUV   = 1e4 / 2700.0
)

// f99Knots are the optical/IR spline anchor points of Fitzpatrick (1999)
// in x = 1/λ (µm⁻¹): x = 0 (λ → ∞), 26500, 12200, 6000, 5470, 4670, 4110 Å
// and two UV points at 2700 and 2600 Å.
var f99Knots = [9]float64{0, 1e4 / 26500, 1e4 / 12200, 1e4 / 6000, 1e4 / 5470, 1e4 / 4670, 1e4 / 4110, 1e4 / 2700, 1e4 / 2600}

// f99UVK returns k(x) = E(λ−V)/E(B−V) of the Fitzpatrick & Massa (1990)
// UV form with the F99 R_V-dependent c1, c2 (without the far-UV term).
func f99UVK(x, rv float64) float64 {
	c2 := -0.824 + 4.717/rv
	c1 := 2.030 - 3.007*c2
	x2 := x * x
	y := x2 - f99X0*f99X0
	d := x2 / (y*y + x2*f99Gamma*f99Gamma)
	return c1 + c2*x + f99C3*d
}

// f99KnotValues returns k = E(λ−V)/E(B−V) at f99Knots for R_V. The optical
// values are the updated ones of E. Fitzpatrick used by the IDL astrolib
// FM_UNRED routine and by the Python extinction package (K. Barbary), not
// those of F99 Table 4.
func f99KnotValues(rv float64) [9]float64 {
	rv2 := rv * rv
	var k [9]float64
	k[0] = -rv
	k[1] = 0.26469*rv/3.1 - rv
	k[2] = 0.82925*rv/3.1 - rv
	k[3] = -0.422809 + 1.00270*rv + 2.13572e-04*rv2 - rv
	k[4] = -5.13540e-02 + 1.00216*rv - 7.35778e-05*rv2 - rv
	k[5] = 0.700127 + 1.00184*rv - 3.32598e-05*rv2 - rv
	k[6] = 1.19456 + 1.01707*rv - 5.46959e-03*rv2 + 7.97809e-04*rv2*rv - 4.45636e-05*rv2*rv2 - rv
	k[7] = f99UVK(f99Knots[7], rv)
	k[8] = f99UVK(f99Knots[8], rv)
	return k
}

// Fitzpatrick99 returns A(λ)/A_V = 1 + k(x)/R_V of Fitzpatrick (1999, PASP
// 111, 63) at each wavelength in Å: for λ ≤ 2700 Å the Fitzpatrick & Massa
// (1990) UV curve with c2 = −0.824 + 4.717/R_V, c1 = 2.030 − 3.007·c2,
// x0 = 4.596, γ = 0.99, c3 = 3.23, c4 = 0.41 (far-UV term above
// 5.9 µm⁻¹); longward, a natural cubic spline in x through the anchor points
// at 26500, 12200, 6000, 5470, 4670 and 4110 Å (updated optical values, as
// in IDL FM_UNRED), the two UV points at 2700 and 2600 Å, and k = −R_V at
// x = 0. This reproduces fitzpatrick99 of the Python extinction package.
// Defined from 910 Å to 6 µm (the curve's claimed validity starts at
// 1150 Å); wavelengths outside are an error wrapping ErrOutOfRange.
func Fitzpatrick99(waveAA []float64, rv float64) ([]float64, error) {
	if err := checkRV(rv); err != nil {
		return nil, fmt.Errorf("Fitzpatrick99: %w", err)
	}
	lo, hi := LawFitzpatrick99.RangeAA()
	kk := f99KnotValues(rv)
	sp := newNaturalSpline(f99Knots[:], kk[:])
	out := make([]float64, len(waveAA))
	for i, w := range waveAA {
		if !finite(w) || !(w >= lo && w <= hi) {
			return nil, fmt.Errorf("Fitzpatrick99: %w: wavelength[%d]=%v Å outside %v … %v Å", ErrOutOfRange, i, w, lo, hi)
		}
		x := 1e4 / w
		var k float64
		if x < f99XUV {
			k = sp.eval(x)
		} else {
			k = f99UVK(x, rv)
			if x >= f99C5 {
				y := x - f99C5
				y2 := y * y
				k += f99C4 * (0.5392*y2 + 0.05644*y2*y)
			}
		}
		out[i] = 1 + k/rv
	}
	return out, nil
}

// naturalSpline is an interpolating cubic spline with zero second
// derivative at both ends.
type naturalSpline struct {
	x, y, m []float64 // knots, values, second derivatives
}

// newNaturalSpline builds the natural cubic spline through (x_i, y_i), x
// strictly increasing, len ≥ 2, by solving the tridiagonal system for the
// second derivatives (Thomas algorithm).
func newNaturalSpline(x, y []float64) naturalSpline {
	n := len(x)
	m := make([]float64, n)
	if n < 3 {
		return naturalSpline{x: x, y: y, m: m}
	}
	// Unknowns m[1…n−2]; row i: h_{i−1} m_{i−1} + 2(h_{i−1}+h_i) m_i + h_i m_{i+1} = r_i.
	c := make([]float64, n) // modified super-diagonal
	r := make([]float64, n) // modified right-hand side
	for i := 1; i < n-1; i++ {
		h0, h1 := x[i]-x[i-1], x[i+1]-x[i]
		rhs := 6 * ((y[i+1]-y[i])/h1 - (y[i]-y[i-1])/h0)
		diag := 2 * (h0 + h1)
		if i > 1 {
			diag -= h0 * c[i-1]
			rhs -= h0 * r[i-1]
		}
		c[i] = h1 / diag
		r[i] = rhs / diag
	}
	for i := n - 2; i >= 1; i-- {
		m[i] = r[i] - c[i]*m[i+1]
	}
	return naturalSpline{x: x, y: y, m: m}
}

// eval returns the spline at t; outside the knots it extends the end
// cubic pieces.
func (s naturalSpline) eval(t float64) float64 {
	n := len(s.x)
	i := 0
	for i < n-2 && t > s.x[i+1] {
		i++
	}
	h := s.x[i+1] - s.x[i]
	a := (s.x[i+1] - t) / h
	b := (t - s.x[i]) / h
	return a*s.y[i] + b*s.y[i+1] + ((a*a*a-a)*s.m[i]+(b*b*b-b)*s.m[i+1])*h*h/6
}

// Deredden corrects s for Galactic extinction with colour excess ebv =
// E(B−V) (mag), ratio R_V = A_V/E(B−V) and the given law: with A_V =
// R_V·E(B−V) and A_λ = A_V·(A(λ)/A_V), flux is multiplied by 10^(0.4·A_λ)
// and ivar divided by the square of that factor. A negative ebv applies
// (adds) extinction instead. Wavelengths are used as given (the air/vacuum
// difference is negligible for these smooth curves); any wavelength outside
// the law's range is an error. The input is not modified.
func Deredden(s *spectrum.Spectrum, ebv, rv float64, law Law) (*spectrum.Spectrum, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("deredden: %w", err)
	}
	if !finite(ebv) {
		return nil, fmt.Errorf("deredden: %w: E(B-V)=%v", ErrBadParameter, ebv)
	}
	curve, err := law.Curve(s.WavelengthAA, rv)
	if err != nil {
		return nil, fmt.Errorf("deredden: %w", err)
	}
	av := rv * ebv
	factor := make([]float64, len(curve))
	for i, c := range curve {
		factor[i] = math.Pow(10, 0.4*av*c)
	}
	out := s.Clone()
	scaleFlux(out, factor)
	return out, nil
}
