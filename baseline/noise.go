package baseline

import (
	"math"
	"slices"
)

// minInflationSpectra is the least number of QSO and galaxy training
// spectra from which the observed-frame inflation map is learned.
const minInflationSpectra = 20

// observedInflation learns where in the observed frame spectra carry
// artefacts that no rest-frame template describes: sky-subtraction
// residuals at the night-sky lines ([O I] 5577, 6300, 6364 Å, the OH
// bands), the wings of telluric bands, the dichroic crossover. The QSO and
// galaxy training spectra, spread over a wide range of redshift, are
// fitted with their class's eigenspectra at their true redshift; their
// rest-frame misfits then fall at different observed pixels, while the
// artefacts stay put. For every observed pixel the median m_i of the
// normalised residual |r|·√ivar over those spectra, relative to the
// median m over all pixels (at least 0.6745, the value for pure noise),
// gives the factor g_i = max(1, (m_i/m)²) by which the
// variance there is inflated, in the velocity classes' training and in
// every fit. It returns nil (no inflation) when there are fewer than
// minInflationSpectra such spectra. A pixel needs ten spectra with data
// for a factor.
func (f *TemplateFitter) observedInflation(byClass [][]trainItem) []float64 {
	n := f.grid.N
	var items []trainItem
	var models []*classModel
	for _, c := range []int{classQSO, classGalaxy} {
		if f.models[c] == nil {
			continue
		}
		for _, it := range byClass[c] {
			items = append(items, it)
			models = append(models, f.models[c])
		}
	}
	if len(items) < minInflationSpectra {
		return nil
	}
	res := make([][]float32, n)
	w := f.newWork()
	model := make([]float64, n)
	for j, it := range items {
		if math.IsInf(f.fitModel(models[j], it.shift, it.flux, it.ivar, w, model), 1) {
			continue
		}
		for i, v := range it.ivar {
			if v > 0 {
				res[i] = append(res[i], float32(math.Abs(it.flux[i]-model[i])*math.Sqrt(v)))
			}
		}
	}
	med := make([]float64, n)
	var all []float64
	for i, r := range res {
		med[i] = math.NaN()
		if len(r) >= 10 {
			slices.Sort(r)
			med[i] = float64(r[len(r)/2])
			all = append(all, med[i])
		}
	}
	if len(all) == 0 {
		return nil
	}
	slices.Sort(all)
	// The reference is the median over pixels, but at least the median
	// |r| of pure Gaussian noise, 0.6745: an artefact must stand out of
	// the noise (noiseless spectra get no inflation).
	ref := max(all[len(all)/2], medianAbsNormal)
	g := make([]float64, n)
	for i, m := range med {
		g[i] = 1
		if m > ref {
			g[i] = (m / ref) * (m / ref)
		}
	}
	return g
}

// medianAbsNormal is the median of |x| for x ~ N(0, 1).
const medianAbsNormal = 0.6744897501960817

// fitModel fits class model m at shift s like chi2At and writes the
// best-fitting model spectrum into model; it returns the χ².
func (f *TemplateFitter) fitModel(m *classModel, s float64, flux, ivar []float64, w *scanWork, model []float64) float64 {
	chi2 := f.chi2At(m, s, flux, ivar, w)
	if math.IsInf(chi2, 1) {
		return chi2
	}
	np := len(f.leg[0])
	off := max(np, 1)
	for i := range model {
		var v float64
		if np == 0 {
			v = w.sol[0] * w.cols[0][i]
		}
		for j, p := range f.leg[i] {
			v += w.sol[j] * p * w.cols[0][i]
		}
		for c := 1; c < len(m.basis); c++ {
			v += w.sol[off+c-1] * w.cols[c][i]
		}
		model[i] = v
	}
	return chi2
}
