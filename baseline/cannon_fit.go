package baseline

import (
	"errors"
	"fmt"
	"math"

	"github.com/astroone/astroone-go/dataset"
)

// ErrNoFit reports a spectrum the Cannon could not fit.
var ErrNoFit = errors.New("cannon: no fit")

// Predict returns Teff (K), logg and [Fe/H] of one spectrum with their
// formal 1σ uncertainties and the fit's χ². The spectrum is
// continuum-normalised like the training stars and put in the rest frame
// by the Cannon's own velocity estimate: a χ² scan over ±RVMaxKmS of the
// model at the training set's median labels, refined to a fraction of a
// pixel, and measured again at the fitted labels (use PredictAtRV to
// supply a velocity, e.g. the template fitter's). The labels are then
// optimised by Levenberg–Marquardt with weights 1/(σ² + s²), starting
// from the best of 27 points (each scaled label at −1, 0, +1 standard
// deviations). The result is meaningful for stars like the training ones
// (FGK by default); the model extrapolates badly outside them.
func (c *Cannon) Predict(ex *dataset.Example) (labels [3]float64, sigma [3]float64, chi2 float64, err error) {
	r := c.predict(ex, math.NaN())
	return r.Labels, r.Sigma, r.Chi2, r.Err
}

// PredictAtRV is Predict with a given radial velocity (km/s) for the rest
// frame instead of the Cannon's own estimate.
func (c *Cannon) PredictAtRV(ex *dataset.Example, rvKmS float64) (labels [3]float64, sigma [3]float64, chi2 float64, err error) {
	if math.IsNaN(rvKmS) || math.IsInf(rvKmS, 0) {
		nan := math.NaN()
		return [3]float64{nan, nan, nan}, [3]float64{nan, nan, nan}, nan, fmt.Errorf("%w: velocity %v", ErrNoFit, rvKmS)
	}
	r := c.predict(ex, rvKmS)
	return r.Labels, r.Sigma, r.Chi2, r.Err
}

// predict fits one example; rv NaN means estimate it.
func (c *Cannon) predict(ex *dataset.Example, rv float64) CannonResult {
	nan := math.NaN()
	res := CannonResult{Labels: [3]float64{nan, nan, nan}, Sigma: [3]float64{nan, nan, nan}, Chi2: nan, RVKmS: rv}
	obs, err := c.normalise(ex)
	if err != nil {
		res.Err = fmt.Errorf("%w: continuum: %v", ErrNoFit, err)
		return res
	}
	step := c.grid.Log10Step
	estimate := math.IsNaN(rv)
	var l [nLabels]float64
	if estimate {
		smax := shiftPixels(c.opts.RVMaxKmS/SpeedOfLightKmS, step)
		s := c.scanShift(obs, l, -smax, smax)
		rv = redshiftOf(s, step) * SpeedOfLightKmS
	}
	fit, ok := c.fitLabels(restFrame(obs, rv, step), nil)
	if ok && estimate {
		// Measure the velocity again with the model at the fitted labels.
		s0 := shiftPixels(rv/SpeedOfLightKmS, step)
		s := c.scanShift(obs, fit.l, s0-2, s0+2)
		rv = redshiftOf(s, step) * SpeedOfLightKmS
		fit, ok = c.fitLabels(restFrame(obs, rv, step), &fit.l)
	}
	res.RVKmS = rv
	if !ok {
		res.Err = fmt.Errorf("%w: too few pixels or a singular fit", ErrNoFit)
		return res
	}
	for k := range nLabels {
		v, d := c.fromLabel(k, c.pivot[k]+c.scale[k]*fit.l[k])
		res.Labels[k] = v
		res.Sigma[k] = math.Abs(d) * c.scale[k] * fit.sigma[k]
	}
	res.Chi2, res.Pixels = fit.chi2, fit.pixels
	return res
}

// model returns the model flux at scaled labels l (0 where a pixel has no
// model).
func (c *Cannon) model(l [nLabels]float64) []float64 {
	var v [nTerms]float64
	labelVector(l, &v)
	m := make([]float64, len(c.theta))
	for i := range m {
		if c.ok[i] {
			var s float64
			for k, t := range c.theta[i] {
				s += t * v[k]
			}
			m[i] = s
		}
	}
	return m
}

// shiftChi2 is the χ² of the observed-frame spectrum against the rest-frame
// model m moved by s pixels (observed pixel i against rest position i − s).
func (c *Cannon) shiftChi2(obs normalised, m []float64, s float64) float64 {
	n := len(m)
	pos := -s
	base := math.Floor(pos)
	ib := int(base)
	w0, w1, w2, w3 := cubicWeights(pos - base)
	var chi2 float64
	for i, iv := range obs.ivar {
		j := i + ib
		if !(iv > 0) || j < 1 || j+2 >= n || !c.ok[j] || !c.ok[j+1] || !c.ok[j-1] || !c.ok[j+2] {
			continue
		}
		mv := w0*m[j-1] + w1*m[j] + w2*m[j+1] + w3*m[j+2]
		r := obs.flux[i] - mv
		chi2 += r * r / (1/iv + c.s2[j])
	}
	return chi2
}

// scanShift finds the shift in [lo, hi] (pixels) that minimises shiftChi2
// of the model at labels l: integer steps, then a parabola through the
// best three, then one through the vertex ± ½ pixel.
func (c *Cannon) scanShift(obs normalised, l [nLabels]float64, lo, hi float64) float64 {
	m := c.model(l)
	best, bestS := math.Inf(1), 0.0
	vals := map[int]float64{}
	for s := int(math.Ceil(lo)); s <= int(math.Floor(hi)); s++ {
		v := c.shiftChi2(obs, m, float64(s))
		vals[s] = v
		if v < best {
			best, bestS = v, float64(s)
		}
	}
	s0 := int(bestS)
	a, okA := vals[s0-1]
	b, okB := vals[s0+1]
	if !okA || !okB {
		return bestS
	}
	sp := bestS + parabolaVertex(a, best, b, 0.5)
	cm, c0, cp := c.shiftChi2(obs, m, sp-0.5), c.shiftChi2(obs, m, sp), c.shiftChi2(obs, m, sp+0.5)
	if c0 <= cm && c0 <= cp {
		return sp + 0.5*parabolaVertex(cm, c0, cp, 0.5)
	}
	return sp
}

// labelFit is the result of fitLabels.
type labelFit struct {
	l      [nLabels]float64 // scaled labels
	sigma  [nLabels]float64 // scaled formal σ
	chi2   float64
	pixels int
}

// labelBound keeps the scaled labels within this many training standard
// deviations, where the quadratic model is still a description of data.
const labelBound = 4

// chi2Labels returns χ² of the rest-frame spectrum at scaled labels l and
// accumulates, when a and g are not nil, JᵀWJ (3×3) and JᵀW r.
func (c *Cannon) chi2Labels(rest normalised, l [nLabels]float64, a *[nLabels * nLabels]float64, g *[nLabels]float64) (float64, int) {
	var v [nTerms]float64
	var d [nLabels][nTerms]float64
	labelVector(l, &v)
	labelJacobian(l, &d)
	if a != nil {
		*a, *g = [nLabels * nLabels]float64{}, [nLabels]float64{}
	}
	var chi2 float64
	n := 0
	for i, iv := range rest.ivar {
		if !(iv > 0) || !c.ok[i] {
			continue
		}
		th := &c.theta[i]
		var m float64
		for k := range nTerms {
			m += th[k] * v[k]
		}
		w := 1 / (1/iv + c.s2[i])
		r := rest.flux[i] - m
		chi2 += w * r * r
		n++
		if a == nil {
			continue
		}
		var j [nLabels]float64
		for p := range nLabels {
			var s float64
			for k := range nTerms {
				s += th[k] * d[p][k]
			}
			j[p] = s
		}
		for p := range nLabels {
			g[p] += w * j[p] * r
			for q := range nLabels {
				a[p*nLabels+q] += w * j[p] * j[q]
			}
		}
	}
	return chi2, n
}

// fitLabels optimises the scaled labels for a rest-frame spectrum by
// Levenberg–Marquardt, from start or else from the best point of the
// {−1, 0, 1}³ grid.
func (c *Cannon) fitLabels(rest normalised, start *[nLabels]float64) (labelFit, bool) {
	var l [nLabels]float64
	best := math.Inf(1)
	if start != nil {
		l = *start
	} else {
		for _, a := range []float64{-1, 0, 1} {
			for _, b := range []float64{-1, 0, 1} {
				for _, cc := range []float64{-1, 0, 1} {
					p := [nLabels]float64{a, b, cc}
					if v, _ := c.chi2Labels(rest, p, nil, nil); v < best {
						best, l = v, p
					}
				}
			}
		}
	}
	var a [nLabels * nLabels]float64
	var g [nLabels]float64
	chi2, n := c.chi2Labels(rest, l, &a, &g)
	if n < 2*nTerms {
		return labelFit{}, false
	}
	lambda := 1e-3
	for it := 0; it < c.opts.MaxIter; it++ {
		var m [nLabels * nLabels]float64
		step := g
		copy(m[:], a[:])
		for p := range nLabels {
			m[p*nLabels+p] *= 1 + lambda
		}
		if cholesky(m[:], nLabels) != nil {
			lambda *= 10
			if lambda > 1e10 {
				break
			}
			continue
		}
		cholSolve(m[:], nLabels, step[:])
		var trial [nLabels]float64
		var move float64
		for p := range nLabels {
			trial[p] = min(max(l[p]+step[p], -labelBound), labelBound)
			move = math.Max(move, math.Abs(trial[p]-l[p]))
		}
		var ta [nLabels * nLabels]float64
		var tg [nLabels]float64
		tchi2, _ := c.chi2Labels(rest, trial, &ta, &tg)
		if tchi2 < chi2 {
			done := chi2-tchi2 < 1e-8*chi2 || move < 1e-7
			l, chi2, a, g = trial, tchi2, ta, tg
			lambda = math.Max(lambda/10, 1e-9)
			if done {
				break
			}
		} else {
			lambda *= 10
			if lambda > 1e10 || move < 1e-7 {
				break
			}
		}
	}
	fit := labelFit{l: l, chi2: chi2, pixels: n}
	m := a
	if cholesky(m[:], nLabels) != nil {
		fit.sigma = [nLabels]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
		return fit, true
	}
	for p, v := range cholInverseDiag(m[:], nLabels) {
		fit.sigma[p] = math.Sqrt(v)
	}
	return fit, true
}

// LabelsFromParams returns the Teff, logg and [Fe/H] of a parameter vector
// in the order of the Cannon's labels.
func LabelsFromParams(p [dataset.NumParams]float64) [3]float64 {
	return [3]float64{p[dataset.ParamTeff], p[dataset.ParamLogg], p[dataset.ParamFeH]}
}
