package baseline

import (
	"math"
	"sort"
	"sync"

	"github.com/astroone/astroone-go/dataset"
)

// TemplatePrediction is the template fitter's answer for one spectrum.
type TemplatePrediction struct {
	// Class is the index (dataset.ClassNames) of the class with the
	// lowest χ², or −1 when the spectrum has too few usable pixels.
	Class int
	// Z is the redshift of the best fit (for stars and CVs, RV/c).
	Z float64
	// RVKmS is c·Z for stars, carbon stars and CVs; NaN otherwise.
	RVKmS float64
	// Params holds Teff, logg and [Fe/H] of the best-fitting stellar
	// archetype (stars and carbon stars), RV (stars, carbon stars, CVs)
	// and z (QSOs and galaxies), in dataset.Param* order; NaN where the
	// predicted class has no such parameter.
	Params [dataset.NumParams]float64
	// Chi2 is the best χ² of each class over its scan (NaN for classes
	// without templates). Every class has the same number of free
	// parameters, so the values compare directly.
	Chi2 []float64
	// Pixels is the number of pixels used: positive inverse variance,
	// outside the telluric bands (see TemplateOptions.KeepTellurics).
	Pixels int
}

// scanWork holds one goroutine's scratch buffers.
type scanWork struct {
	q                 *normal
	sol, scratch, row []float64
	cols              [][]float64 // shifted basis values per pixel, K × N
}

func (f *TemplateFitter) newWork() *scanWork {
	m := f.nCols()
	k := f.opts.Components
	w := &scanWork{q: newNormal(m), sol: make([]float64, m), scratch: make([]float64, m*m), row: make([]float64, m)}
	w.cols = make([][]float64, k)
	for i := range w.cols {
		w.cols[i] = make([]float64, f.grid.N)
	}
	return w
}

// nCols is the number of linear parameters of a class fit: the
// polynomial terms on eigenspectrum 0 plus the other eigenspectra.
func (f *TemplateFitter) nCols() int { return max(f.opts.PolyDegree+1, 1) + f.opts.Components - 1 }

func (f *TemplateFitter) getWork() *scanWork {
	if w, ok := f.pool.Get().(*scanWork); ok {
		return w
	}
	return f.newWork()
}

func (f *TemplateFitter) putWork(w *scanWork) { f.pool.Put(w) }

// fitShifted returns the χ² of the best linear fit of the model columns
// (poly × cols[0], cols[1…]) to flux with weights ivar, where cols hold the
// shifted basis at each pixel and leg the polynomial rows.
func fitShifted(w *scanWork, k int, cols [][]float64, leg [][]float64, flux, ivar []float64) float64 {
	q := w.q
	q.reset()
	np := len(leg[0])
	row := w.row
	for i, v := range ivar {
		if !(v > 0) {
			continue
		}
		t0 := cols[0][i]
		if np == 0 {
			row[0] = t0
		}
		for j, p := range leg[i] {
			row[j] = p * t0
		}
		off := max(np, 1)
		for c := 1; c < k; c++ {
			row[off+c-1] = cols[c][i]
		}
		q.add(row, flux[i], v)
	}
	chi2, err := q.solve(w.sol, w.scratch)
	if err != nil {
		return math.Inf(1)
	}
	return chi2
}

// chi2At fits class model m at shift s (fine pixels, fractional allowed)
// to the full-resolution spectrum.
func (f *TemplateFitter) chi2At(m *classModel, s float64, flux, ivar []float64, w *scanWork) float64 {
	off := float64(m.r0) - s // rest position of observed pixel i: i + off
	base := math.Floor(off)
	t := off - base
	ib := int(base)
	n := len(flux)
	k := len(m.basis)
	if t == 0 {
		for c := range k {
			b, col := m.basis[c], w.cols[c][:n]
			for i := range col {
				col[i] = b[clampIdx(i+ib, len(b))]
			}
		}
	} else {
		w0, w1, w2, w3 := cubicWeights(t)
		for c := range k {
			b, col := m.basis[c], w.cols[c][:n]
			nb := len(b)
			for i := range col {
				j := i + ib
				if j >= 1 && j+2 < nb {
					col[i] = w0*b[j-1] + w1*b[j] + w2*b[j+1] + w3*b[j+2]
				} else {
					col[i] = b[clampIdx(j, nb)]
				}
			}
		}
	}
	return fitShifted(w, k, w.cols, f.leg, flux, ivar)
}

// chi2Binned fits class model m at the integer shift S·bin to the binned
// spectrum.
func (f *TemplateFitter) chi2Binned(m *classModel, S int, bflux, bivar []float64, w *scanWork) float64 {
	bin := m.bin
	// Observed bin J covers rest bin J − S + (r0 − ph)/bin.
	ph := m.r0 % bin
	jb := (m.r0-ph)/bin - S
	k := len(m.binned)
	nb := len(bflux)
	for c := range k {
		b, col := m.binned[c], w.cols[c][:nb]
		for j := range col {
			col[j] = b[clampIdx(j+jb, len(b))]
		}
	}
	return fitShifted(w, k, w.cols, f.legBin[bin], bflux, bivar)
}

func clampIdx(i, n int) int { return min(max(i, 0), n-1) }

// binSpectrum averages flux over bins of bin pixels with inverse-variance
// weights; the binned ivar is the sum. A trailing partial bin is dropped.
func binSpectrum(flux, ivar []float64, bin int) (bf, bv []float64) {
	nb := len(flux) / bin
	bf, bv = make([]float64, nb), make([]float64, nb)
	for j := range nb {
		var sw, swf float64
		for u := range bin {
			i := j*bin + u
			sw += ivar[i]
			swf += ivar[i] * flux[i]
		}
		if sw > 0 {
			bf[j], bv[j] = swf/sw, sw
		}
	}
	return
}

// scanClass scans class m over its shift range and returns the best χ²
// and the refined shift in fine pixels.
func (f *TemplateFitter) scanClass(m *classModel, flux, ivar []float64, binned map[int][2][]float64, w *scanWork) (float64, float64) {
	eval := map[int]float64{}
	full := func(s int) float64 {
		if v, ok := eval[s]; ok {
			return v
		}
		v := f.chi2At(m, float64(s), flux, ivar, w)
		eval[s] = v
		return v
	}
	if m.bin <= 1 {
		// Every second pixel, then the neighbours of the two best minima.
		coarse := map[int]float64{}
		for s := m.smin; ; s += 2 {
			s = min(s, m.smax)
			coarse[s] = full(s)
			if s == m.smax {
				break
			}
		}
		for _, s := range localMinima(m.smin, m.smax, 1, coarse, 2) {
			for _, d := range []int{-1, 1} {
				if s+d >= m.smin && s+d <= m.smax {
					full(s + d)
				}
			}
		}
	} else {
		b := binned[m.bin]
		coarse := map[int]float64{}
		lo := int(math.Ceil(float64(m.smin) / float64(m.bin)))
		hi := int(math.Floor(float64(m.smax) / float64(m.bin)))
		for S := lo; S <= hi; S++ {
			coarse[S*m.bin] = f.chi2Binned(m, S, b[0], b[1], w)
		}
		for _, s := range localMinima(lo*m.bin, hi*m.bin, m.bin, coarse, 3) {
			for d := -m.bin/2 - 1; d <= m.bin/2+1; d++ {
				if s+d >= m.smin && s+d <= m.smax {
					full(s + d)
				}
			}
		}
	}
	best, bestS := math.Inf(1), math.NaN()
	for s, v := range eval {
		if v < best || (v == best && float64(s) < bestS) {
			best, bestS = v, float64(s)
		}
	}
	if math.IsInf(best, 1) {
		return best, bestS
	}
	// Sub-pixel refinement: a parabola through the integer neighbours,
	// then one through χ² at the vertex ± ½ pixel (cubic-convolution
	// shifted templates).
	s0 := int(bestS)
	if s0-1 < m.smin || s0+1 > m.smax {
		return best, bestS
	}
	sp := float64(s0) + parabolaVertex(full(s0-1), best, full(s0+1), 0.5)
	cm := f.chi2At(m, sp-0.5, flux, ivar, w)
	c0 := f.chi2At(m, sp, flux, ivar, w)
	cp := f.chi2At(m, sp+0.5, flux, ivar, w)
	if c0 < best {
		best, bestS = c0, sp
	}
	if c0 <= cm && c0 <= cp {
		s1 := sp + 0.5*parabolaVertex(cm, c0, cp, 0.5)
		if c1 := f.chi2At(m, s1, flux, ivar, w); c1 < best {
			best, bestS = c1, s1
		} else if c0 <= best {
			bestS = s1 // χ² is flat to rounding: keep the vertex
		}
	}
	return best, bestS
}

// parabolaVertex returns the abscissa, in units of the spacing, of the
// vertex of the parabola through (−1, a), (0, b), (1, c), clamped to
// [−lim, lim]; 0 when the points are not convex.
func parabolaVertex(a, b, c, lim float64) float64 {
	den := a - 2*b + c
	if !(den > 0) {
		return 0
	}
	return min(max(0.5*(a-c)/den, -lim), lim)
}

// localMinima returns up to n shifts s in [lo, hi] (step apart) whose χ²
// is a local minimum of vals, lowest first.
func localMinima(lo, hi, step int, vals map[int]float64, n int) []int {
	var mins []int
	for s := lo; s <= hi; s += step {
		v, ok := vals[s]
		if !ok || math.IsInf(v, 1) {
			continue
		}
		l, okl := vals[s-step]
		r, okr := vals[s+step]
		if (!okl || v <= l) && (!okr || v < r) {
			mins = append(mins, s)
		}
	}
	sort.Slice(mins, func(a, b int) bool {
		va, vb := vals[mins[a]], vals[mins[b]]
		return va < vb || (va == vb && mins[a] < mins[b])
	})
	if len(mins) > n {
		mins = mins[:n]
	}
	return mins
}

// Predict classifies one spectrum on the fitter's grid and measures its
// redshift or velocity: every class is scanned over its range, the class
// with the lowest χ² wins, and for stars the archetypes are fitted at the
// winning velocity to give Teff, logg and [Fe/H].
func (f *TemplateFitter) Predict(ex *dataset.Example) TemplatePrediction {
	nan := math.NaN()
	pred := TemplatePrediction{Class: -1, Z: nan, RVKmS: nan, Chi2: make([]float64, dataset.NumClasses)}
	for i := range pred.Params {
		pred.Params[i] = nan
	}
	for i := range pred.Chi2 {
		pred.Chi2[i] = nan
	}
	flux, ivar, good := f.arrays(ex)
	pred.Pixels = good
	if good < f.nCols()*4 {
		return pred
	}
	w := f.getWork()
	defer f.putWork(w)
	binned := map[int][2][]float64{}
	for b := range f.legBin {
		bf, bv := binSpectrum(flux, ivar, b)
		binned[b] = [2][]float64{bf, bv}
	}
	best, bestShift := math.Inf(1), nan
	for c, m := range f.models {
		if m == nil {
			continue
		}
		chi2, s := f.scanClass(m, flux, ivar, binned, w)
		pred.Chi2[c] = chi2
		if chi2 < best {
			best, bestShift, pred.Class = chi2, s, c
		}
	}
	if pred.Class < 0 {
		return pred
	}
	pred.Z = redshiftOf(bestShift, f.grid.Log10Step)
	if usesRV(pred.Class) {
		pred.RVKmS = pred.Z * SpeedOfLightKmS
		pred.Params[dataset.ParamRV] = pred.RVKmS
	} else {
		pred.Params[dataset.ParamZ] = pred.Z
	}
	if isStarClass(pred.Class) {
		if a := f.bestArchetype(pred.Class, bestShift, flux, ivar, w); a != nil {
			pred.Params[dataset.ParamTeff] = a.teff
			pred.Params[dataset.ParamLogg] = a.logg
			pred.Params[dataset.ParamFeH] = a.feh
		}
	}
	return pred
}

// archetypeAllowed reports whether an archetype whose members are mostly
// of class ac may describe a spectrum classified as class c: the same MK
// letter or a neighbouring one, or carbon for carbon. The class decision
// of the eigenspectrum fit thus acts as a prior that keeps a noisy
// archetype of a very different type from winning.
func archetypeAllowed(c, ac int) bool {
	if c == classCarbon || ac == classCarbon {
		return c == ac
	}
	return ac >= c-1 && ac <= c+1
}

// bestArchetype fits the stellar archetypes allowed for class c (times the
// multiplicative polynomial) at shift s and returns the one with the
// lowest −2 ln L. The likelihood counts the archetype's own noise (it is
// a mean of a few training spectra): a first fit gives the model scale P_i
// at every pixel, the second uses the variance V_i = 1/ivar_i +
// P_i²·var(A_i), and the score is χ² + Σ ln(V_i·ivar_i), so that a noisy
// archetype neither wins by its inflated variance nor loses by its noise.
func (f *TemplateFitter) bestArchetype(c int, s float64, flux, ivar []float64, w *scanWork) *archetype {
	off := float64(f.starR0) - s
	base := math.Floor(off)
	ib := int(base)
	w0, w1, w2, w3 := cubicWeights(off - base)
	n := len(flux)
	col, vcol := w.cols[0][:n], w.cols[min(1, len(w.cols)-1)][:n]
	np := max(len(f.leg[0]), 1)
	q := newNormal(np)
	sol, scratch := make([]float64, np), make([]float64, np*np)
	row := make([]float64, np)
	fill := func(i int) {
		if len(f.leg[i]) == 0 {
			row[0] = col[i]
		}
		for j, p := range f.leg[i] {
			row[j] = p * col[i]
		}
	}
	var best *archetype
	bestChi2 := math.Inf(1)
	for ai := range f.arch {
		a := &f.arch[ai]
		if !archetypeAllowed(c, a.class) {
			continue
		}
		b, bv := a.flux, a.vari
		for i := range col {
			j := i + ib
			if j >= 1 && j+2 < len(b) {
				col[i] = w0*b[j-1] + w1*b[j] + w2*b[j+1] + w3*b[j+2]
				vcol[i] = max(bv[j], bv[j+1])
			} else {
				col[i], vcol[i] = b[clampIdx(j, len(b))], bv[clampIdx(j, len(b))]
			}
		}
		q.reset()
		for i, v := range ivar {
			if v > 0 {
				fill(i)
				q.add(row, flux[i], v)
			}
		}
		if _, err := q.solve(sol, scratch); err != nil {
			continue
		}
		q.reset()
		var lnDet float64
		for i, v := range ivar {
			if !(v > 0) {
				continue
			}
			var p float64
			if len(f.leg[i]) == 0 {
				p = sol[0]
			}
			for j, l := range f.leg[i] {
				p += sol[j] * l
			}
			fill(i)
			vi := 1 + v*p*p*vcol[i] // variance relative to the data's own
			lnDet += math.Log(vi)
			q.add(row, flux[i], v/vi)
		}
		chi2, err := q.solve(sol, scratch)
		if score := chi2 + lnDet; err == nil && score < bestChi2 {
			best, bestChi2 = a, score
		}
	}
	return best
}

// PredictAll runs Predict on every example of set with the fitter's
// Workers goroutines; the result is in set order.
func (f *TemplateFitter) PredictAll(examples []dataset.Example) []TemplatePrediction {
	out := make([]TemplatePrediction, len(examples))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(f.opts.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = f.Predict(&examples[i])
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
