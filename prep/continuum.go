package prep

import (
	"errors"
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// ContinuumMethod selects the functional form of the continuum.
type ContinuumMethod int

// Continuum methods.
const (
	// ContinuumLegendre fits a Legendre series of degree Order in the
	// wavelength scaled to x ∈ [−1, 1] over the spectrum's range.
	ContinuumLegendre ContinuumMethod = iota
	// ContinuumSpline fits a clamped cubic B-spline in the same scaled
	// variable with Knots interior knots placed at equal quantiles of the
	// good pixels (so every knot span holds data).
	ContinuumSpline
)

// String returns "legendre" or "spline".
func (m ContinuumMethod) String() string {
	switch m {
	case ContinuumLegendre:
		return "legendre"
	case ContinuumSpline:
		return "spline"
	}
	return fmt.Sprintf("ContinuumMethod(%d)", int(m))
}

// ContinuumOptions configures FitContinuum and Normalize.
type ContinuumOptions struct {
	Method ContinuumMethod
	// Order is the Legendre degree (Order+1 coefficients) for
	// ContinuumLegendre.
	Order int
	// Knots is the number of interior knots for ContinuumSpline (Knots+4
	// coefficients).
	Knots int
	// LowSigma and HighSigma are the asymmetric clipping thresholds, in
	// units of the RMS of the ivar-normalised residuals: a pixel is
	// rejected when (f−c)·√ivar < −LowSigma·σ or > HighSigma·σ. LowSigma is
	// normally the smaller, since absorption lines lie below the continuum.
	// Either may be +Inf to disable clipping on that side.
	LowSigma, HighSigma float64
	// MaxIter is the maximum number of clip-and-refit iterations (0: one
	// fit, no clipping).
	MaxIter int
	// MinGoodPixels is the minimum number of usable pixels; the fit also
	// needs at least twice as many pixels as coefficients.
	MinGoodPixels int
}

// DefaultContinuumOptions returns a Legendre fit of degree 5 with clipping at
// −2σ/+3σ, at most 10 iterations and at least 20 good pixels (spline
// alternative preset to 12 interior knots).
func DefaultContinuumOptions() ContinuumOptions {
	return ContinuumOptions{
		Method:        ContinuumLegendre,
		Order:         5,
		Knots:         12,
		LowSigma:      2,
		HighSigma:     3,
		MaxIter:       10,
		MinGoodPixels: 20,
	}
}

// validate checks the options and returns the number of coefficients.
func (o ContinuumOptions) validate() (int, error) {
	var ncoef int
	switch o.Method {
	case ContinuumLegendre:
		if o.Order < 0 || o.Order > 50 {
			return 0, fmt.Errorf("%w: Legendre order %d (must be 0 … 50)", ErrBadParameter, o.Order)
		}
		ncoef = o.Order + 1
	case ContinuumSpline:
		if o.Knots < 0 || o.Knots > 500 {
			return 0, fmt.Errorf("%w: %d spline knots (must be 0 … 500)", ErrBadParameter, o.Knots)
		}
		ncoef = o.Knots + 4
	default:
		return 0, fmt.Errorf("%w: unknown continuum method %d", ErrBadParameter, int(o.Method))
	}
	if !(o.LowSigma > 0) || !(o.HighSigma > 0) {
		return 0, fmt.Errorf("%w: clipping thresholds low=%v high=%v (must be > 0)", ErrBadParameter, o.LowSigma, o.HighSigma)
	}
	if o.MaxIter < 0 {
		return 0, fmt.Errorf("%w: MaxIter %d", ErrBadParameter, o.MaxIter)
	}
	return ncoef, nil
}

// FitContinuum fits a smooth continuum to s and returns it at every pixel
// (same units as Flux).
//
// The fit is an ivar-weighted linear least-squares fit (Householder QR) of
// the basis selected by opt.Method in x = 2(λ−λ_min)/(λ_max−λ_min) − 1,
// using only good pixels (PixelOK). It is iterated with asymmetric sigma
// clipping: after each fit, pixels with normalised residual
// r = (f−c)·√ivar below −LowSigma·σ or above HighSigma·σ are excluded from
// the next fit, σ being the RMS of r over the pixels used; iteration stops
// when the set of used pixels no longer changes, after MaxIter iterations,
// or when clipping would leave too few pixels (the last fit is kept). If s
// has no Ivar, all good pixels weigh equally. The input is not modified.
//
// It fails with ErrTooFewPixels when fewer than max(MinGoodPixels,
// 2·coefficients) pixels are usable, and with ErrBadParameter for invalid
// options.
func FitContinuum(s *spectrum.Spectrum, opt ContinuumOptions) ([]float64, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("continuum: %w", err)
	}
	ncoef, err := opt.validate()
	if err != nil {
		return nil, fmt.Errorf("continuum: %w", err)
	}
	n := s.Len()
	use := make([]bool, n)
	nuse := 0
	for i := range use {
		use[i] = PixelOK(s, i)
		if use[i] {
			nuse++
		}
	}
	need := max(opt.MinGoodPixels, 2*ncoef, 1)
	if nuse < need {
		return nil, fmt.Errorf("continuum: %w: %d usable pixels, need %d for %d coefficients", ErrTooFewPixels, nuse, need, ncoef)
	}
	x := scaledX(s.WavelengthAA)
	basis, ncoef := continuumBasis(opt, x, use)
	weight := func(i int) float64 {
		if s.Ivar == nil {
			return 1
		}
		return s.Ivar[i]
	}

	var cont []float64
	for iter := 0; ; iter++ {
		cont, err = fitOnce(s.Flux, x, use, nuse, ncoef, basis, weight)
		if err != nil {
			return nil, fmt.Errorf("continuum: iteration %d: %w", iter, err)
		}
		if iter >= opt.MaxIter {
			break
		}
		var ss float64
		for i, u := range use {
			if u {
				r := (s.Flux[i] - cont[i]) * math.Sqrt(weight(i))
				ss += r * r
			}
		}
		sigma := math.Sqrt(ss / float64(max(nuse-ncoef, 1)))
		next := make([]bool, n)
		nnext, changed := 0, false
		for i := range next {
			if PixelOK(s, i) {
				r := (s.Flux[i] - cont[i]) * math.Sqrt(weight(i))
				next[i] = r >= -opt.LowSigma*sigma && r <= opt.HighSigma*sigma
			}
			if next[i] {
				nnext++
			}
			changed = changed || next[i] != use[i]
		}
		if !changed || nnext < need {
			break
		}
		use, nuse = next, nnext
	}
	return cont, nil
}

// scaledX maps wavelengths linearly onto [−1, 1].
func scaledX(waveAA []float64) []float64 {
	lo, hi := waveAA[0], waveAA[len(waveAA)-1]
	x := make([]float64, len(waveAA))
	if hi == lo {
		return x
	}
	for i, w := range waveAA {
		x[i] = 2*(w-lo)/(hi-lo) - 1
	}
	return x
}

// continuumBasis returns a function that fills a row with the basis
// functions of opt.Method at x, and the number of basis functions. For
// splines the interior knots are placed at equal quantiles of the used x
// values; since there are at least 2·(Knots+4) of them, the quantiles are
// strictly increasing and strictly inside (−1, 1).
func continuumBasis(opt ContinuumOptions, x []float64, use []bool) (func(float64, []float64), int) {
	if opt.Method == ContinuumLegendre {
		return legendre, opt.Order + 1
	}
	var xs []float64
	for i, u := range use {
		if u {
			xs = append(xs, x[i])
		}
	}
	interior := make([]float64, 0, opt.Knots)
	for k := 1; k <= opt.Knots; k++ {
		q := float64(k) / float64(opt.Knots+1) * float64(len(xs)-1)
		j := int(q)
		v := xs[j]
		if j+1 < len(xs) {
			v += (q - float64(j)) * (xs[j+1] - xs[j])
		}
		interior = append(interior, v)
	}
	b := newBSpline(-1, 1, interior)
	return b.eval, b.size()
}

// fitOnce performs one weighted least-squares fit over the used pixels and
// returns the model at every pixel.
func fitOnce(flux, x []float64, use []bool, nuse, ncoef int, basis func(float64, []float64), weight func(int) float64) ([]float64, error) {
	a := make([]float64, 0, nuse*ncoef)
	b := make([]float64, 0, nuse)
	row := make([]float64, ncoef)
	for i, u := range use {
		if !u {
			continue
		}
		basis(x[i], row)
		sw := math.Sqrt(weight(i))
		for _, v := range row {
			a = append(a, v*sw)
		}
		b = append(b, flux[i]*sw)
	}
	coef, err := lstsq(a, nuse, ncoef, b)
	if err != nil {
		if errors.Is(err, errRankDeficient) {
			return nil, fmt.Errorf("%w (%d pixels, %d coefficients): too few independent pixels", err, nuse, ncoef)
		}
		return nil, err
	}
	cont := make([]float64, len(x))
	for i := range x {
		basis(x[i], row)
		var c float64
		for k, v := range row {
			c += coef[k] * v
		}
		cont[i] = c
	}
	return cont, nil
}

// Normalize divides s by its continuum (FitContinuum with opt) and returns
// the normalised spectrum: flux/c, ivar·c², masks carried over. Pixels where
// the fitted continuum is not positive get flux 0, ivar 0 and
// spectrum.MaskBad. The input is not modified.
func Normalize(s *spectrum.Spectrum, opt ContinuumOptions) (*spectrum.Spectrum, error) {
	cont, err := FitContinuum(s, opt)
	if err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	out := s.Clone()
	inv := make([]float64, len(cont))
	for i, c := range cont {
		inv[i] = 1 / c
	}
	scaleFlux(out, inv)
	return out, nil
}
