package realism

import (
	"errors"
	"fmt"
	"math"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// fwhmPerSigma is the FWHM of a Gaussian in units of its σ, 2√(2 ln 2).
const fwhmPerSigma = 2.3548200450309493

// Options configures a comparison.
type Options struct {
	// Knots is the number of interior knots of the cubic-spline continuum
	// (prep.ContinuumSpline) fitted to both spectra; 12 when zero, i.e.
	// one knot every ~400 Å over the LAMOST range: stiff enough not to
	// follow Balmer wings, loose enough for an uncalibrated response.
	Knots int
	// ShapeHalf is the half width in pixels of the running median that
	// smooths the raw ratio sim/real for ContinuumShape; 25 when zero.
	ShapeHalf int
	// Exclude lists wavelength ranges left out of the metrics (and of the
	// continuum fits).
	Exclude []Interval
	// Spectrophotometric says both spectra are flux calibrated, so that
	// the raw continuum shape is compared too (Metrics.Shape).
	Spectrophotometric bool
}

func (o Options) knots() int {
	if o.Knots > 0 {
		return o.Knots
	}
	return 12
}

func (o Options) shapeHalf() int {
	if o.ShapeHalf > 0 {
		return o.ShapeHalf
	}
	return 25
}

// ContinuumOptions returns the continuum fit used for every spectrum in a
// comparison: a cubic spline with knots interior knots, clipped at
// −1.5σ/+3σ (absorption lines lie below the continuum) for up to 10
// iterations.
func ContinuumOptions(knots int) prep.ContinuumOptions {
	o := prep.DefaultContinuumOptions()
	o.Method = prep.ContinuumSpline
	o.Knots = knots
	o.LowSigma, o.HighSigma = 1.5, 3
	o.MaxIter = 10
	return o
}

// Normalize divides flux by a continuum fitted with ContinuumOptions(knots)
// to the pixels with use[i] (all finite pixels when use is nil), weighted
// by weight (uniform when nil). It returns the normalised flux and the
// continuum; where the continuum is not positive the normalised flux is
// NaN. When clipping leaves a knot span empty, the fit is redone with at
// most 3 clipping iterations, then with none.
func Normalize(waveAA, flux, weight []float64, use []bool, knots int) (norm, cont []float64, err error) {
	n := len(flux)
	s := &spectrum.Spectrum{WavelengthAA: waveAA, Vacuum: true, Flux: make([]float64, n), AndMask: make([]uint32, n)}
	if weight != nil {
		s.Ivar = make([]float64, n)
	}
	for i := range n {
		s.Flux[i] = flux[i]
		good := finite(flux[i]) && (use == nil || use[i])
		if weight != nil {
			w := weight[i]
			good = good && w > 0 && finite(w)
			if good {
				s.Ivar[i] = w
			}
		}
		if !good {
			s.Flux[i] = 0
			s.AndMask[i] = spectrum.MaskBad
		}
	}
	// Clipping can empty a knot span (deep, wide Balmer lines of A stars)
	// and make the spline fit rank-deficient: retry with fewer clipping
	// iterations, then none.
	for _, iters := range []int{10, 3, 0} {
		o := ContinuumOptions(knots)
		o.MaxIter = iters
		if cont, err = prep.FitContinuum(s, o); err == nil {
			break
		}
	}
	if err != nil {
		return nil, nil, err
	}
	norm = make([]float64, n)
	for i := range n {
		norm[i] = math.NaN()
		if cont[i] > 0 && finite(flux[i]) {
			norm[i] = flux[i] / cont[i]
		}
	}
	return norm, cont, nil
}

// Degrade convolves flux, sampled at the increasing wavelengths waveAA,
// with a Gaussian whose σ (Å) at output pixel i is sigmaAA(waveAA[i])
// (no change where it is ≤ 0). Each output is the kernel-weighted mean of
// the inputs within ±4σ, the weights including each pixel's width, so
// that a line's area is kept and its σ grows in quadrature — the way the
// resolution of a model is lowered to that of an observation.
func Degrade(waveAA, flux []float64, sigmaAA func(float64) float64) []float64 {
	n := len(flux)
	out := make([]float64, n)
	width := make([]float64, n)
	for i := range n {
		lo, hi := max(i-1, 0), min(i+1, n-1)
		width[i] = (waveAA[hi] - waveAA[lo]) / float64(hi-lo)
	}
	lo := 0
	for i := range n {
		s := sigmaAA(waveAA[i])
		if !(s > 0) || !finite(s) {
			out[i] = flux[i]
			continue
		}
		from, to := waveAA[i]-4*s, waveAA[i]+4*s
		for lo < n && waveAA[lo] < from {
			lo++
		}
		for lo > 0 && waveAA[lo-1] >= from {
			lo--
		}
		var sw, swf float64
		inv := 1 / s
		for j := lo; j < n && waveAA[j] <= to; j++ {
			if !finite(flux[j]) {
				continue
			}
			d := (waveAA[j] - waveAA[i]) * inv
			w := width[j] * math.Exp(-0.5*d*d)
			sw += w
			swf += w * flux[j]
		}
		out[i] = math.NaN()
		if sw > 0 {
			out[i] = swf / sw
		}
	}
	return out
}

// Rebin resamples flux (at waveAA, ≥ 2 increasing pixels) onto the log-λ
// grid g, conserving flux (prep.Resample); good[i] is false where the
// output pixel received no finite input (outside the input range, say).
func Rebin(waveAA, flux []float64, g prep.Grid) (out []float64, good []bool, err error) {
	s := &spectrum.Spectrum{WavelengthAA: waveAA, Vacuum: true, Flux: flux}
	r, err := prep.Resample(s, g)
	if err != nil {
		return nil, nil, err
	}
	good = make([]bool, g.N)
	for i := range good {
		good[i] = r.AndMask[i]&spectrum.MaskBad == 0
		if !good[i] {
			r.Flux[i] = math.NaN()
		}
	}
	return r.Flux, good, nil
}

// Metrics are the scores of one simulated/real pair.
type Metrics struct {
	N            int     // pixels used
	FromAA, ToAA float64 // first and last pixel used, Å
	// Corr is the Pearson correlation of the continuum-normalised fluxes.
	Corr float64
	// RMS is the RMS of SimNorm − RealNorm (fraction of the continuum).
	RMS float64
	// Shape compares the raw continua (spectrophotometric pairs only;
	// RMS and MaxAbs are NaN otherwise).
	Shape ShapeStats
	// RealSNR is the DER_SNR estimate (Stoehr et al. 2008) of the real
	// normalised flux over the pixels used: its noise per pixel is
	// 1/RealSNR of the continuum.
	RealSNR float64
	// Ceiling is the correlation a perfect model would reach against the
	// real spectrum given that noise: √(v/(v + 1/RealSNR²)), v the variance
	// of SimNorm (see NoiseCeiling).
	Ceiling float64
}

// NoiseCeiling returns the expected Pearson correlation between a signal
// x (over use) and the same signal plus independent noise of standard
// deviation sigma: cov = v, var = v + σ², so r = √(v/(v+σ²)), v the
// variance of x. It is what the correlation of a perfect model with a
// noisy real spectrum tends to.
func NoiseCeiling(x []float64, use []bool, sigma float64) float64 {
	var m, mm float64
	k := 0
	for i, v := range x {
		if (use == nil || use[i]) && finite(v) {
			m += v
			mm += v * v
			k++
		}
	}
	if k < 2 {
		return math.NaN()
	}
	m /= float64(k)
	v := mm/float64(k) - m*m
	return math.Sqrt(v / (v + sigma*sigma))
}

// Sub returns the correlation and RMS of the pair restricted to
// [fromAA, toAA] (the other fields of Metrics are left zero).
func (p *Pair) Sub(fromAA, toAA float64) Metrics {
	u := make([]bool, len(p.Use))
	for i, w := range p.WavelengthAA {
		u[i] = p.Use[i] && w >= fromAA && w <= toAA
	}
	return Metrics{N: Count(p.RealNorm, p.SimNorm, u), FromAA: fromAA, ToAA: toAA,
		Corr: Pearson(p.RealNorm, p.SimNorm, u), RMS: RMSDiff(p.SimNorm, p.RealNorm, u)}
}

// Pair is a simulated and a real spectrum on common pixels, normalised by
// the same procedure, with their scores.
type Pair struct {
	WavelengthAA []float64
	Real, Sim    []float64 // raw fluxes; Sim scaled to Real by the median ratio
	// RealNorm and SimNorm are the continuum-normalised fluxes.
	RealNorm, SimNorm []float64
	Use               []bool // pixels in the metrics
	Metrics           Metrics
}

// ErrTooFewPixels reports a comparison with too few usable common pixels.
var ErrTooFewPixels = errors.New("too few common pixels to compare")

// NewPair compares sim with real at the common wavelengths waveAA.
// weight (the real spectrum's inverse variance, or nil for uniform) weighs
// both continuum fits, so that the two are normalised the same way; use
// (nil: all) selects the pixels, from which opt.Exclude is removed.
func NewPair(waveAA, real, sim, weight []float64, use []bool, opt Options) (*Pair, error) {
	n := len(waveAA)
	if len(real) != n || len(sim) != n || (weight != nil && len(weight) != n) || (use != nil && len(use) != n) {
		return nil, fmt.Errorf("compare: arrays of different lengths (%d wavelengths, %d real, %d sim)", n, len(real), len(sim))
	}
	u := make([]bool, n)
	k := 0
	for i := range n {
		u[i] = (use == nil || use[i]) && finite(real[i]) && finite(sim[i]) && !Excluded(waveAA[i], opt.Exclude)
		if weight != nil {
			u[i] = u[i] && weight[i] > 0 && finite(weight[i])
		}
		if u[i] {
			k++
		}
	}
	if k < 50 {
		return nil, fmt.Errorf("compare: %w: %d", ErrTooFewPixels, k)
	}
	realNorm, _, err := Normalize(waveAA, real, weight, u, opt.knots())
	if err != nil {
		return nil, fmt.Errorf("compare: real continuum: %w", err)
	}
	simNorm, _, err := Normalize(waveAA, sim, weight, u, opt.knots())
	if err != nil {
		return nil, fmt.Errorf("compare: simulated continuum: %w", err)
	}
	// Scale the raw simulated flux to the real one (median ratio), for
	// overlays and the shape ratio.
	ratios := make([]float64, 0, k)
	for i := range n {
		if u[i] && sim[i] > 0 && real[i] > 0 {
			ratios = append(ratios, real[i]/sim[i])
		}
	}
	scale := medianInPlace(ratios)
	if !(scale > 0) {
		scale = 1
	}
	p := &Pair{WavelengthAA: waveAA, Real: real, Sim: make([]float64, n), RealNorm: realNorm, SimNorm: simNorm, Use: u}
	for i := range n {
		p.Sim[i] = sim[i] * scale
	}
	m := Metrics{
		N:    Count(realNorm, simNorm, u),
		Corr: Pearson(realNorm, simNorm, u),
		RMS:  RMSDiff(simNorm, realNorm, u),
		Shape: ShapeStats{
			RMS: math.NaN(), MaxAbs: math.NaN(),
		},
	}
	m.FromAA, m.ToAA = math.NaN(), math.NaN()
	for i := range n {
		if u[i] {
			if math.IsNaN(m.FromAA) {
				m.FromAA = waveAA[i]
			}
			m.ToAA = waveAA[i]
		}
	}
	if opt.Spectrophotometric {
		m.Shape = ContinuumShape(p.Sim, real, u, opt.shapeHalf())
	}
	used := make([]float64, 0, k)
	for i := range n {
		if u[i] && finite(realNorm[i]) {
			used = append(used, realNorm[i])
		}
	}
	m.RealSNR = prep.DERSNR(used)
	m.Ceiling = NoiseCeiling(simNorm, u, 1/m.RealSNR)
	p.Metrics = m
	return p, nil
}
