package dataset

import "math"

// StdFloor is the smallest standard deviation FitNormalizer records for
// each parameter, in the units it is standardised in: 0.001 dex of Teff
// (about 10 K at 4500 K), 0.01 dex in logg and [Fe/H], 1 km/s in RV and
// 1e-4 in z, about the precision that matters for each. It keeps a
// parameter that is constant in the training set (or has a single
// defined value) from being divided by zero.
var StdFloor = [NumParams]float64{ParamTeff: 1e-3, ParamLogg: 0.01, ParamFeH: 0.01, ParamRV: 1, ParamZ: 1e-4}

// FitNormalizer fits the normaliser on a training set: Teff is
// standardised in log10, the others linearly; each mean and standard
// deviation is taken over the examples where the parameter is defined
// (finite, and positive for a log parameter), and the standard deviation
// is at least StdFloor. A parameter with no defined value gets mean 0 and
// standard deviation 1.
func FitNormalizer(train *Set) Normalizer {
	var n Normalizer
	n.Log[ParamTeff] = true
	for k := range NumParams {
		// Two passes (mean, then squared deviations): exact enough for
		// log10 Teff ≈ 3.7 ± 0.1 where one pass would cancel digits.
		var sum float64
		cnt := 0
		for i := range train.Examples {
			if v, ok := n.forward(k, train.Examples[i].Labels.Params[k]); ok {
				sum += v
				cnt++
			}
		}
		if cnt == 0 {
			n.Mean[k], n.Std[k] = 0, 1
			continue
		}
		mean := sum / float64(cnt)
		var ss float64
		for i := range train.Examples {
			if v, ok := n.forward(k, train.Examples[i].Labels.Params[k]); ok {
				ss += (v - mean) * (v - mean)
			}
		}
		n.Mean[k] = mean
		n.Std[k] = max(math.Sqrt(ss/float64(cnt)), StdFloor[k])
	}
	return n
}

// forward applies the parameter's transform (log10 or identity) and
// reports whether the value is defined.
func (n Normalizer) forward(k int, p float64) (float64, bool) {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return 0, false
	}
	if n.Log[k] {
		if !(p > 0) {
			return 0, false
		}
		return math.Log10(p), true
	}
	return p, true
}

// std returns Std[k], or 1 when it is not a positive finite number (a
// zero Normalizer).
func (n Normalizer) std(k int) float64 {
	if s := n.Std[k]; s > 0 && !math.IsInf(s, 0) {
		return s
	}
	return 1
}

// Encode standardises physical parameters: y = (f(p) − Mean)/Std with a
// loss weight w = 1, or y = 0 and w = 0 where p is NaN (or, for a log
// parameter, not positive).
func (n Normalizer) Encode(p [NumParams]float64) (y, w [NumParams]float32) {
	for k := range NumParams {
		if v, ok := n.forward(k, p[k]); ok {
			y[k] = float32((v - n.Mean[k]) / n.std(k))
			w[k] = 1
		}
	}
	return y, w
}

// Decode maps standardised values back to physical units: the inverse of
// Encode (p = 10^(y·Std + Mean) for a log parameter).
func (n Normalizer) Decode(y [NumParams]float32) [NumParams]float64 {
	var p [NumParams]float64
	for k := range NumParams {
		v := float64(y[k])*n.std(k) + n.Mean[k]
		if n.Log[k] {
			v = math.Pow(10, v)
		}
		p[k] = v
	}
	return p
}

// DecodeSigma converts standard deviations predicted in standardised
// units (sigmaY, for the prediction y) to physical units: σ_p = σ_y·Std
// for a linear parameter and, by the delta method, σ_p = p·ln10·σ_y·Std
// for a log10 parameter, p being the decoded value of y.
func (n Normalizer) DecodeSigma(y, sigmaY [NumParams]float32) [NumParams]float64 {
	p := n.Decode(y)
	var s [NumParams]float64
	for k := range NumParams {
		s[k] = float64(sigmaY[k]) * n.std(k)
		if n.Log[k] {
			s[k] *= p[k] * math.Ln10
		}
	}
	return s
}
