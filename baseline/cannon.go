package baseline

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// CannonOptions configures TrainCannon. Zero fields take the defaults of
// DefaultCannonOptions.
type CannonOptions struct {
	// Classes are the class indices (dataset.ClassNames) of the training
	// stars. A quadratic model in the labels describes a limited range of
	// stellar types well; the default, F, G and K (about 3900–7500 K), is
	// the FGK domain of the LAMOST Cannon and SLAM work.
	Classes []int
	// TeffMinK and TeffMaxK further restrict the training stars (0: no
	// limit).
	TeffMinK, TeffMaxK float64
	// Continuum is the per-spectrum continuum fit (prep.FitContinuum),
	// applied in the observed frame with telluric bands masked; the same
	// fit is used in training and at test time. The zero value means
	// prep.DefaultContinuumOptions (Legendre degree 5, −2σ/+3σ clipping).
	Continuum prep.ContinuumOptions
	// ScatterIters is the number of alternations between the per-pixel
	// coefficients and the intrinsic scatter in training.
	ScatterIters int
	// MinStars is the least number of training stars with data at a pixel
	// for the pixel to get a model.
	MinStars int
	// RVMaxKmS is the half-width of Predict's own velocity scan, km/s.
	RVMaxKmS float64
	// MaxIter bounds the Levenberg–Marquardt iterations at test time.
	MaxIter int
	// Workers is the number of goroutines for training and PredictAll;
	// runtime.NumCPU() when 0.
	Workers int
	// KeepTellurics uses the pixels in TelluricBandsAA.
	KeepTellurics bool
	// Inflation, when not nil, holds one factor per grid pixel by which
	// the variance is multiplied in training and prediction, e.g. the
	// TemplateFitter's ObservedInflation (sky-line residuals).
	Inflation []float64
	// LinearFeH uses [Fe/H] itself as the third label, as Ness et al.
	// (2015) do. By default the label is (Z/Z☉)^½ = 10^([Fe/H]/2): line
	// depths grow about linearly with abundance for weak lines and more
	// slowly as they saturate, and over the simulator's −2.5 … +0.5 dex a
	// quadratic in [Fe/H] itself leaves a systematic error of 0.1–0.3 dex
	// (MAE 0.25 dex against 0.12 dex with the square root, 1500 FGK
	// training stars at S/N 20–100; exponents 0.35 and 0.7 gave 0.125 and
	// 0.17 dex).
	LinearFeH bool
}

// DefaultCannonOptions returns F, G and K training stars, the default
// continuum, 3 scatter iterations, at least 20 stars per pixel, a ±600
// km/s velocity scan and at most 50 LM iterations.
func DefaultCannonOptions() CannonOptions {
	return CannonOptions{
		Classes:      []int{3, 4, 5},
		Continuum:    prep.DefaultContinuumOptions(),
		ScatterIters: 3, MinStars: 20, RVMaxKmS: 600, MaxIter: 50,
	}
}

func (o CannonOptions) withDefaults() CannonOptions {
	d := DefaultCannonOptions()
	if len(o.Classes) == 0 {
		o.Classes = d.Classes
	}
	if o.Continuum == (prep.ContinuumOptions{}) {
		o.Continuum = d.Continuum
	}
	if o.ScatterIters <= 0 {
		o.ScatterIters = d.ScatterIters
	}
	if o.MinStars <= 0 {
		o.MinStars = d.MinStars
	}
	if o.RVMaxKmS <= 0 {
		o.RVMaxKmS = d.RVMaxKmS
	}
	if o.MaxIter <= 0 {
		o.MaxIter = d.MaxIter
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	return o
}

// nLabels is the number of Cannon labels: Teff, logg, [Fe/H].
const nLabels = 3

// nTerms is the length of the quadratic label vector
// [1, ℓ₁, ℓ₂, ℓ₃, ℓ₁², ℓ₁ℓ₂, ℓ₁ℓ₃, ℓ₂², ℓ₂ℓ₃, ℓ₃²].
const nTerms = 10

// labelVector fills v with the quadratic label vector of scaled labels l.
func labelVector(l [nLabels]float64, v *[nTerms]float64) {
	a, b, c := l[0], l[1], l[2]
	*v = [nTerms]float64{1, a, b, c, a * a, a * b, a * c, b * b, b * c, c * c}
}

// labelJacobian fills d[k] with ∂v/∂ℓ_k.
func labelJacobian(l [nLabels]float64, d *[nLabels][nTerms]float64) {
	a, b, c := l[0], l[1], l[2]
	d[0] = [nTerms]float64{0, 1, 0, 0, 2 * a, b, c, 0, 0, 0}
	d[1] = [nTerms]float64{0, 0, 1, 0, 0, a, 0, 2 * b, c, 0}
	d[2] = [nTerms]float64{0, 0, 0, 1, 0, 0, a, 0, b, 2 * c}
}

// Cannon is a trained quadratic-in-labels spectral model (Ness et al.
// 2015, ApJ 808, 16): at every rest-frame pixel λ of the grid,
// continuum-normalised flux f_λ = θ_λ · v(ℓ) + noise of variance
// σ²_λ + s²_λ, where ℓ are Teff, logg and (Z/Z☉)^½ (see
// CannonOptions.LinearFeH) shifted and scaled by the training set's median
// and standard deviation, v(ℓ) the quadratic label vector and s_λ the
// intrinsic scatter. It is safe for concurrent use.
type Cannon struct {
	grid   prep.Grid
	opts   CannonOptions
	pivot  [nLabels]float64
	scale  [nLabels]float64
	theta  [][nTerms]float64 // per rest pixel
	s2     []float64         // intrinsic scatter², per rest pixel
	ok     []bool            // pixel has a model
	nTrain int
	curve  []float64
}

// TrainingStars returns the number of stars the model was trained on.
func (c *Cannon) TrainingStars() int { return c.nTrain }

// Scatter returns the intrinsic scatter s_λ per grid pixel (NaN where the
// pixel has no model).
func (c *Cannon) Scatter() []float64 {
	out := make([]float64, len(c.s2))
	for i, v := range c.s2 {
		out[i] = math.NaN()
		if c.ok[i] {
			out[i] = math.Sqrt(v)
		}
	}
	return out
}

// normalised is a continuum-normalised spectrum on the grid.
type normalised struct {
	flux, ivar []float64
}

// normalise continuum-normalises an example in the observed frame.
func (c *Cannon) normalise(ex *dataset.Example) (normalised, error) {
	g := c.grid
	flux, ivar, good := exampleArrays(ex, g.N)
	if !c.opts.KeepTellurics {
		maskTellurics(g, ivar)
	}
	for i, f := range c.opts.Inflation {
		ivar[i] /= f
	}
	if good == 0 {
		return normalised{}, errors.New("no usable pixels")
	}
	sp := &spectrum.Spectrum{WavelengthAA: g.Wavelengths(), Vacuum: true, Flux: flux, Ivar: ivar}
	cont, err := prep.FitContinuum(sp, c.opts.Continuum)
	if err != nil {
		return normalised{}, err
	}
	for i, k := range cont {
		if !(k > 0) || !(ivar[i] > 0) {
			flux[i], ivar[i] = 0, 0
			continue
		}
		flux[i] /= k
		ivar[i] *= k * k
	}
	return normalised{flux, ivar}, nil
}

// restFrame shifts a normalised spectrum with velocity rvKmS onto the rest
// grid (pixel i of the result samples rest wavelength λ_i).
func restFrame(n normalised, rvKmS, log10Step float64) normalised {
	s := shiftPixels(rvKmS/SpeedOfLightKmS, log10Step)
	x, w := make([]float32, len(n.flux)), make([]float32, len(n.flux))
	toRest(n.flux, n.ivar, s, 0, 1, math.Inf(1), x, w)
	out := normalised{make([]float64, len(x)), make([]float64, len(x))}
	for i := range x {
		out.flux[i], out.ivar[i] = float64(x[i]), float64(w[i])
	}
	return out
}

// TrainCannon trains the model on the stars of train in opts.Classes (and
// the optional Teff range) with finite Teff, logg, [Fe/H] and RV labels:
// each is continuum-normalised in the observed frame, shifted to the rest
// frame by its label RV (training labels are known), and at every pixel
// the coefficients θ_λ are fitted by weighted least squares with weights
// 1/(σ² + s²), alternating with the maximum-likelihood s²_λ.
func TrainCannon(train *dataset.Set, opts CannonOptions) (*Cannon, error) {
	if train == nil {
		return nil, fmt.Errorf("train cannon: %w", ErrNoTraining)
	}
	if err := train.Grid.Validate(); err != nil {
		return nil, fmt.Errorf("train cannon: %w", err)
	}
	opts = opts.withDefaults()
	if opts.Inflation != nil {
		if len(opts.Inflation) != train.Grid.N {
			return nil, fmt.Errorf("train cannon: %d inflation factors for %d pixels", len(opts.Inflation), train.Grid.N)
		}
		for i, f := range opts.Inflation {
			if !(f >= 1) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("train cannon: inflation factor %v at pixel %d (want finite and ≥ 1)", f, i)
			}
		}
		opts.Inflation = append([]float64(nil), opts.Inflation...)
	}
	c := &Cannon{grid: train.Grid, opts: opts}
	want := map[int]bool{}
	for _, k := range opts.Classes {
		want[k] = true
	}
	var idx []int
	for i := range train.Examples {
		l := train.Examples[i].Labels
		p := l.Params
		if !want[l.Class] || !(p[dataset.ParamTeff] > 0) || math.IsNaN(p[dataset.ParamLogg]) ||
			math.IsNaN(p[dataset.ParamFeH]) || math.IsNaN(p[dataset.ParamRV]) {
			continue
		}
		if (opts.TeffMinK > 0 && p[dataset.ParamTeff] < opts.TeffMinK) || (opts.TeffMaxK > 0 && p[dataset.ParamTeff] > opts.TeffMaxK) {
			continue
		}
		idx = append(idx, i)
	}
	if len(idx) < 2*nTerms {
		return nil, fmt.Errorf("train cannon: %w: %d stars in the chosen classes, need at least %d", ErrNoTraining, len(idx), 2*nTerms)
	}
	// Label scaling from the training stars.
	for k := range nLabels {
		v := make([]float64, len(idx))
		for j, i := range idx {
			v[j] = c.toLabel(k, train.Examples[i].Labels.Params[k])
		}
		sort.Float64s(v)
		c.pivot[k] = v[len(v)/2]
		var ss float64
		for _, x := range v {
			ss += (x - c.pivot[k]) * (x - c.pivot[k])
		}
		c.scale[k] = math.Sqrt(ss / float64(len(v)))
		if !(c.scale[k] > 0) {
			return nil, fmt.Errorf("train cannon: %w: label %s does not vary", ErrNoTraining, dataset.ParamNames[k])
		}
	}
	// Normalised rest-frame spectra and label vectors.
	specs := make([]normalised, len(idx))
	vecs := make([][nTerms]float64, len(idx))
	errs := make([]error, len(idx))
	parallelRange(len(idx), opts.Workers, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			ex := &train.Examples[idx[j]]
			n, err := c.normalise(ex)
			if err != nil {
				errs[j] = err
				continue
			}
			specs[j] = restFrame(n, ex.Labels.Params[dataset.ParamRV], c.grid.Log10Step)
			labelVector(c.scaled(ex.Labels.Params), &vecs[j])
		}
	})
	kept := 0
	for j := range specs {
		if errs[j] == nil {
			specs[kept], vecs[kept] = specs[j], vecs[j]
			kept++
		}
	}
	specs, vecs = specs[:kept], vecs[:kept]
	if kept < 2*nTerms {
		return nil, fmt.Errorf("train cannon: %w: only %d stars could be continuum-normalised", ErrNoTraining, kept)
	}
	c.nTrain = kept
	n := c.grid.N
	c.theta, c.s2, c.ok = make([][nTerms]float64, n), make([]float64, n), make([]bool, n)
	parallelRange(n, opts.Workers, func(lo, hi int) {
		for px := lo; px < hi; px++ {
			c.trainPixel(px, specs, vecs)
		}
	})
	return c, nil
}

// scaled returns the scaled Cannon labels of a parameter vector.
func (c *Cannon) scaled(p [dataset.NumParams]float64) [nLabels]float64 {
	var l [nLabels]float64
	for k := range nLabels {
		l[k] = (c.toLabel(k, p[k]) - c.pivot[k]) / c.scale[k]
	}
	return l
}

// fehExponent is the power in the metallicity label 10^(fehExponent·[Fe/H])
// = (Z/Z☉)^½ that the model uses unless LinearFeH is set.
const fehExponent = 0.5

// toLabel maps physical label k to the model's label: the identity, or
// (Z/Z☉)^½ for [Fe/H].
func (c *Cannon) toLabel(k int, v float64) float64 {
	if k == dataset.ParamFeH && !c.opts.LinearFeH {
		return math.Pow(10, fehExponent*v)
	}
	return v
}

// fromLabel inverts toLabel and returns the derivative of the physical
// label with respect to the model's (for the uncertainties).
func (c *Cannon) fromLabel(k int, v float64) (float64, float64) {
	if k == dataset.ParamFeH && !c.opts.LinearFeH {
		v = max(v, 1e-4) // [Fe/H] = −8: far below any training star
		return math.Log10(v) / fehExponent, 1 / (fehExponent * v * math.Ln10)
	}
	return v, 1
}

// trainPixel fits θ and s² at one pixel.
func (c *Cannon) trainPixel(px int, specs []normalised, vecs [][nTerms]float64) {
	var ys, iv []float64
	var vs [][nTerms]float64
	for j, s := range specs {
		if s.ivar[px] > 0 {
			ys = append(ys, s.flux[px])
			iv = append(iv, s.ivar[px])
			vs = append(vs, vecs[j])
		}
	}
	if len(ys) < max(c.opts.MinStars, 2*nTerms) {
		return
	}
	q := newNormal(nTerms)
	sol, scratch := make([]float64, nTerms), make([]float64, nTerms*nTerms)
	var theta [nTerms]float64
	s2 := 0.0
	fit := func() bool {
		q.reset()
		for j := range ys {
			q.add(vs[j][:], ys[j], iv[j]/(1+iv[j]*s2))
		}
		if _, err := q.solve(sol, scratch); err != nil {
			return false
		}
		copy(theta[:], sol)
		return true
	}
	resid := make([]float64, len(ys))
	for it := 0; it < c.opts.ScatterIters; it++ {
		if !fit() {
			return
		}
		for j := range ys {
			var m float64
			for k, v := range vs[j] {
				m += theta[k] * v
			}
			resid[j] = ys[j] - m
		}
		s2 = maxLikeScatter(resid, iv)
	}
	if !fit() {
		return
	}
	c.theta[px], c.s2[px], c.ok[px] = theta, s2, true
}

// maxLikeScatter returns the s² ≥ 0 that maximises the Gaussian likelihood
// of residuals r with inverse variances iv, −½ Σ [r²/(σ²+s²) + ln(σ²+s²)],
// by golden-section search in ln s over [10⁻⁶, 10] (s² = 0 when that is
// better than the smallest value tried).
func maxLikeScatter(r, iv []float64) float64 {
	negLL := func(s2 float64) float64 {
		var sum float64
		for j, x := range r {
			v := 1/iv[j] + s2
			sum += x*x/v + math.Log(v)
		}
		return sum
	}
	lo, hi := math.Log(1e-6), math.Log(10.0)
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := negLL(math.Exp(2*a)), negLL(math.Exp(2*b))
	for range 40 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = negLL(math.Exp(2 * a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = negLL(math.Exp(2 * b))
		}
	}
	s := math.Exp(0.5 * (lo + hi))
	if negLL(0) <= negLL(s*s) {
		return 0
	}
	return s * s
}

// CannonResult is one spectrum's Cannon labels.
type CannonResult struct {
	Labels [nLabels]float64 // Teff (K), logg, [Fe/H]
	Sigma  [nLabels]float64 // formal 1σ uncertainties
	Chi2   float64          // χ² of the best fit (with the intrinsic scatter)
	Pixels int              // pixels in the fit
	RVKmS  float64          // the velocity used for the rest frame
	Err    error            // why the fit failed, if it did
}

// PredictAll runs Predict on every example with the Cannon's Workers
// goroutines; results are in input order.
func (c *Cannon) PredictAll(examples []dataset.Example) []CannonResult {
	out := make([]CannonResult, len(examples))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range max(c.opts.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = c.predict(&examples[i], math.NaN())
			}
		}()
	}
	for i := range examples {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}
