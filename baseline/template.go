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
)

// TemplateOptions configures FitTemplates. Zero fields take the defaults
// of DefaultTemplateOptions.
type TemplateOptions struct {
	// Components is the number of eigenspectra per class (Redrock uses
	// 4–10); the first points along the class's mean spectrum.
	Components int
	// PolyDegree is the degree of the Legendre polynomial (in pixel
	// index, i.e. log λ, scaled to [−1, 1]) that multiplies the first
	// eigenspectrum at fit time: it absorbs flux-calibration errors and
	// reddening. A negative value means none (DefaultTemplateOptions: 3).
	PolyDegree int
	// PCAIters bounds the alternating-least-squares iterations per class.
	PCAIters int
	// MaxPerClass caps the training spectra used per class (the first
	// ones in set order), bounding training time.
	MaxPerClass int
	// StarRVMaxKmS is the half-width of the velocity scan for stars,
	// carbon stars and CVs, km/s.
	StarRVMaxKmS float64
	// QSOZMax and GalaxyZMax are the upper ends of the redshift scans
	// (they start at 0 and −0.005); both are clipped to the rest-frame
	// range the training spectra cover.
	QSOZMax, GalaxyZMax float64
	// QSOBin and GalaxyBin are the pixel binning factors of the coarse
	// redshift scans (the scan step is one binned pixel); the best coarse
	// minima are refined at full resolution.
	QSOBin, GalaxyBin int
	// ArchetypeTeffDex, ArchetypeLoggDex and ArchetypeFeHDex are the cell
	// sizes of the stellar archetype grid in log10 Teff, logg and [Fe/H].
	ArchetypeTeffDex, ArchetypeLoggDex, ArchetypeFeHDex float64
	// Workers is the number of goroutines for training and PredictAll;
	// runtime.NumCPU() when 0.
	Workers int
	// Seed seeds the PCA's starting point.
	Seed uint64
	// KeepTellurics uses the pixels in TelluricBandsAA, which are
	// otherwise given zero weight in training and fitting.
	KeepTellurics bool
}

// DefaultTemplateOptions returns 8 eigenspectra per class (class accuracy
// 0.80, 0.84 and 0.87 with 3, 5 and 8 on 1000 training and 300 test
// simulated spectra, 8 costing about 1.6 times as much as 5), a cubic
// multiplicative polynomial, at most 15 PCA iterations (10 and 100 gave
// the same accuracy to ±1%), at most 500
// training spectra per class, velocity scans of ±600 km/s, redshift scans
// to 4.5 (QSOs, 16-pixel coarse bins: 1100 km/s) and 0.6 (galaxies,
// 8-pixel bins), and archetype cells of 0.02 dex in Teff and 0.5 dex in
// logg and [Fe/H].
func DefaultTemplateOptions() TemplateOptions {
	return TemplateOptions{
		Components: 8, PolyDegree: 3, PCAIters: 15, MaxPerClass: 500,
		StarRVMaxKmS: 600, QSOZMax: 4.5, GalaxyZMax: 0.6, QSOBin: 16, GalaxyBin: 8,
		ArchetypeTeffDex: 0.02, ArchetypeLoggDex: 0.5, ArchetypeFeHDex: 0.5,
	}
}

// withDefaults fills zero fields from DefaultTemplateOptions.
func (o TemplateOptions) withDefaults() TemplateOptions {
	d := DefaultTemplateOptions()
	setI := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setF := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	setI(&o.Components, d.Components)
	setI(&o.PolyDegree, d.PolyDegree)
	setI(&o.PCAIters, d.PCAIters)
	setI(&o.MaxPerClass, d.MaxPerClass)
	setI(&o.QSOBin, d.QSOBin)
	setI(&o.GalaxyBin, d.GalaxyBin)
	setF(&o.StarRVMaxKmS, d.StarRVMaxKmS)
	setF(&o.QSOZMax, d.QSOZMax)
	setF(&o.GalaxyZMax, d.GalaxyZMax)
	setF(&o.ArchetypeTeffDex, d.ArchetypeTeffDex)
	setF(&o.ArchetypeLoggDex, d.ArchetypeLoggDex)
	setF(&o.ArchetypeFeHDex, d.ArchetypeFeHDex)
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.PolyDegree < 0 {
		o.PolyDegree = -1
	}
	return o
}

// ErrNoTraining reports a training set with nothing to learn from.
var ErrNoTraining = errors.New("no usable training spectra")

// Classes by index (dataset.ClassNames).
const (
	classCarbon = 7
	classCV     = 8
	classQSO    = 9
	classGalaxy = 10
)

// isStarClass reports whether class index c has Teff/logg/[Fe/H] (O–M and
// carbon stars).
func isStarClass(c int) bool { return c >= 0 && c <= classCarbon }

// usesRV reports whether class c is scanned in velocity (stars, carbon
// stars, CVs) rather than redshift.
func usesRV(c int) bool { return c >= 0 && c <= classCV }

// wCap caps training weights at S/N 50 per pixel in normalised units, so
// that a few very bright spectra do not make the templates.
const wCap = 2500

// classModel is one class's rest-frame eigenspectra and scan range.
type classModel struct {
	class      int
	r0         int         // rest pixel of observed pixel 0 at zero shift
	smin, smax int         // allowed integer shifts (fine pixels)
	bin        int         // coarse-scan binning factor
	basis      [][]float64 // K × rest length, uncovered pixels filled
	binned     [][]float64 // K × binned rest length (bins start at r0 mod bin)
	nTrain     int         // training spectra used
}

// archetype is the mean rest-frame spectrum of the training stars in one
// (Teff, logg, [Fe/H]) cell.
type archetype struct {
	flux   []float64 // star rest grid (TemplateFitter.starR0)
	vari   []float64 // variance of flux (of the weighted mean)
	teff   float64   // mean Teff of the members, K
	logg   float64   // mean logg
	feh    float64   // mean [Fe/H]
	class  int       // most common class among the members
	weight int       // members
}

// TemplateFitter classifies spectra and measures their redshift or radial
// velocity by χ² fits of per-class rest-frame eigenspectra over a scan of
// trial redshifts, and stellar parameters from the best-fitting stellar
// archetype. Build it with FitTemplates; it is safe for concurrent use.
type TemplateFitter struct {
	grid    prep.Grid
	opts    TemplateOptions
	models  [dataset.NumClasses]*classModel
	arch    []archetype
	starR0  int
	starLen int
	leg     [][]float64         // per observed pixel: P_0 … P_d
	obsLo   int                 // first and last observed pixels outside the
	obsHi   int                 // telluric masks
	inflate []float64           // observed-frame variance inflation (nil: none)
	legBin  map[int][][]float64 // per binning factor, per bin
	pool    sync.Pool           // *scanWork
}

// Grid returns the wavelength grid the fitter works on.
func (f *TemplateFitter) Grid() prep.Grid { return f.grid }

// ObservedInflation returns a copy of the learned per-pixel variance
// factors (see observedInflation; nil when there were too few QSO and
// galaxy training spectra to learn them).
func (f *TemplateFitter) ObservedInflation() []float64 {
	if f.inflate == nil {
		return nil
	}
	return append([]float64(nil), f.inflate...)
}

// Archetypes returns the number of stellar archetypes.
func (f *TemplateFitter) Archetypes() int { return len(f.arch) }

// TrainedClasses returns, per class index, the number of training spectra
// its eigenspectra were built from (0: the class cannot be predicted).
func (f *TemplateFitter) TrainedClasses() [dataset.NumClasses]int {
	var out [dataset.NumClasses]int
	for c, m := range f.models {
		if m != nil {
			out[c] = m.nTrain
		}
	}
	return out
}

// trainItem is a training example with its known shift.
type trainItem struct {
	flux, ivar []float64
	shift      float64 // log10(1+z)/step
	ex         *dataset.Example
}

// FitTemplates builds a TemplateFitter from the labelled examples of
// train: for each class with at least Components+1 usable examples (a
// class label and the z or RV that sets its rest frame), the examples are
// dereddened with their E(B−V) label (O'Donnell 1994, R_V = 3.1) when it
// is known, normalised by their median flux, shifted to the rest frame on
// an extended log-λ grid with the set's step, and reduced to Components
// eigenspectra by weighted PCA (weights: inverse variance, capped at S/N
// 50 per pixel; stars and CVs are first flattened to their class's mean
// shape, see buildClass). Telluric bands are masked unless
// KeepTellurics. Stars with Teff, logg and [Fe/H] labels are also averaged
// into archetypes on a (log Teff, logg, [Fe/H]) grid.
func FitTemplates(train *dataset.Set, opts TemplateOptions) (*TemplateFitter, error) {
	if train == nil || len(train.Examples) == 0 {
		return nil, fmt.Errorf("fit templates: %w", ErrNoTraining)
	}
	g := train.Grid
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("fit templates: %w", err)
	}
	opts = opts.withDefaults()
	if opts.Components < 1 || opts.Components > 12 || opts.PolyDegree > 8 {
		return nil, fmt.Errorf("fit templates: %d components, polynomial degree %d: want 1–12 and ≤ 8", opts.Components, opts.PolyDegree)
	}
	f := &TemplateFitter{grid: g, opts: opts, legBin: map[int][][]float64{}}
	f.leg = legendreTable(g.N, 1, opts.PolyDegree+1)
	f.obsLo, f.obsHi = 0, g.N-1
	if !opts.KeepTellurics {
		probe := make([]float64, g.N)
		for i := range probe {
			probe[i] = 1
		}
		maskTellurics(g, probe)
		for f.obsLo < g.N-1 && probe[f.obsLo] == 0 {
			f.obsLo++
		}
		for f.obsHi > 0 && probe[f.obsHi] == 0 {
			f.obsHi--
		}
	}
	curve := dereddenCurve(g)

	byClass := make([][]trainItem, dataset.NumClasses)
	for i := range train.Examples {
		ex := &train.Examples[i]
		c := ex.Labels.Class
		if c < 0 || c >= dataset.NumClasses || len(byClass[c]) >= opts.MaxPerClass {
			continue
		}
		z := ex.Labels.Params[dataset.ParamZ]
		if usesRV(c) {
			z = ex.Labels.Params[dataset.ParamRV] / SpeedOfLightKmS
		}
		s := shiftPixels(z, g.Log10Step)
		if math.IsNaN(s) || math.IsInf(s, 0) {
			continue
		}
		flux, ivar, good := f.arrays(ex)
		if good < g.N/4 {
			continue
		}
		deredden(flux, ivar, curve, ex.Labels.EBV)
		byClass[c] = append(byClass[c], trainItem{flux, ivar, s, ex})
	}
	// Redshift classes first: their training spectra, spread over a wide
	// range of z, reveal the observed-frame artefacts (sky-subtraction
	// residuals, telluric band edges) that the velocity classes' templates
	// would otherwise learn at zero velocity.
	build := func(c int) error {
		if len(byClass[c]) < opts.Components+1 {
			return nil
		}
		m, err := f.buildClass(c, byClass[c])
		if err != nil {
			return fmt.Errorf("fit templates: class %s: %w", dataset.ClassNames[c], err)
		}
		f.models[c] = m
		return nil
	}
	for _, c := range []int{classQSO, classGalaxy} {
		if err := build(c); err != nil {
			return nil, err
		}
	}
	f.inflate = f.observedInflation(byClass)
	for c := 0; c <= classCV; c++ {
		if f.inflate != nil {
			for _, it := range byClass[c] {
				for i, g := range f.inflate {
					it.ivar[i] /= g
				}
			}
		}
		if err := build(c); err != nil {
			return nil, err
		}
	}
	n := 0
	for _, m := range f.models {
		if m != nil {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("fit templates: %w: no class has %d labelled spectra with z or RV", ErrNoTraining, opts.Components+1)
	}
	f.buildArchetypes(byClass)
	return f, nil
}

// arrays returns an example's flux and ivar on the grid, telluric bands
// masked unless KeepTellurics and the variance inflated by the learned
// observed-frame map (once it exists), and the number of usable pixels.
func (f *TemplateFitter) arrays(ex *dataset.Example) (flux, ivar []float64, good int) {
	flux, ivar, _ = exampleArrays(ex, f.grid.N)
	if !f.opts.KeepTellurics {
		maskTellurics(f.grid, ivar)
	}
	for i, g := range f.inflate {
		ivar[i] /= g
	}
	for _, v := range ivar {
		if v > 0 {
			good++
		}
	}
	return flux, ivar, good
}

// scanRange returns the integer shift range and binning of class c before
// clipping to the templates' coverage.
func (f *TemplateFitter) scanRange(c int) (smin, smax, bin int) {
	o, step := f.opts, f.grid.Log10Step
	switch {
	case usesRV(c):
		s := shiftPixels(o.StarRVMaxKmS/SpeedOfLightKmS, step)
		return -int(math.Ceil(s)), int(math.Ceil(s)), 1
	case c == classQSO:
		return 0, int(math.Ceil(shiftPixels(o.QSOZMax, step))), max(o.QSOBin, 1)
	default:
		return int(math.Floor(shiftPixels(-0.005, step))), int(math.Ceil(shiftPixels(o.GalaxyZMax, step))), max(o.GalaxyBin, 1)
	}
}

// edgeFraction is the largest share of a spectrum's pixels that a trial
// redshift may place beyond the rest-frame range covered by the training
// spectra (the eigenspectra are extended there by their end values). It
// lets the scan reach the ends of the training redshift range, where only
// one or two spectra cover the rest frame's ends.
const edgeFraction = 0.05

// stencilPad is the rest-grid margin kept for the cubic stencil.
const stencilPad = 3

// buildClass computes one class's eigenspectra.
func (f *TemplateFitter) buildClass(c int, items []trainItem) (*classModel, error) {
	n := f.grid.N
	smin, smax, bin := f.scanRange(c)
	m := &classModel{class: c, bin: bin, nTrain: len(items)}
	m.r0 = smax + stencilPad
	restLen := n + (smax - smin) + 2*stencilPad
	x, w := make([][]float32, len(items)), make([][]float32, len(items))
	for i, it := range items {
		x[i], w[i] = make([]float32, restLen), make([]float32, restLen)
		toRest(it.flux, it.ivar, it.shift, m.r0, normaliseScale(it.flux, it.ivar), wCap, x[i], w[i])
	}
	k := min(f.opts.Components, len(items)-1)
	seed := f.opts.Seed + uint64(c)
	res := weightedPCA(x, w, k, f.opts.PCAIters, 2, f.opts.Workers, seed)
	if len(res.Basis) == 0 {
		return nil, errors.New("PCA found no components")
	}
	if lo, _ := fillUncovered(res.Basis[0]); lo < 0 {
		return nil, errors.New("no rest-frame pixel is covered by two spectra")
	}
	// For the velocity classes, bring every training spectrum to the mean
	// spectrum's shape with the multiplicative polynomial used at fit time
	// and redo the PCA: the eigenspectra then describe what the polynomial
	// cannot (lines, bands, breaks) rather than calibration errors,
	// residual reddening and continuum slopes (class accuracy 0.847 →
	// 0.873 on 1000 training / 300 test spectra). It is not done for QSOs
	// and galaxies, whose rest-frame ends are covered by a few spectra
	// only, so that the mean there is too uncertain to flatten against.
	if f.opts.PolyDegree >= 1 && usesRV(c) {
		parallelRange(len(items), f.opts.Workers, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				it := items[i]
				flux, ivar := f.flatten(it, res.Basis[0], m.r0)
				toRest(flux, ivar, it.shift, m.r0, normaliseScale(flux, ivar), wCap, x[i], w[i])
			}
		})
		res = weightedPCA(x, w, k, f.opts.PCAIters, 2, f.opts.Workers, seed)
	}
	covLo, covHi := -1, -1
	for _, b := range res.Basis {
		covLo, covHi = fillUncovered(b)
	}
	if covLo < 0 {
		return nil, errors.New("no rest-frame pixel is covered by two spectra")
	}
	m.basis = res.Basis
	// Clip the scan so that at most edgeFraction of the observed pixels fall outside
	// the covered rest range (filled by constant extension): observed
	// pixels obsLo … obsHi (the range outside the telluric masks) land on
	// rest pixels obsLo+r0−s … obsHi+r0−s.
	edge := int(math.Ceil(edgeFraction * float64(n)))
	m.smin = max(smin, f.obsHi+m.r0-covHi-edge)
	m.smax = min(smax, f.obsLo+m.r0-covLo+edge)
	if m.smin > m.smax {
		return nil, fmt.Errorf("rest-frame coverage %d … %d too narrow for any trial redshift", covLo, covHi)
	}
	if bin > 1 {
		ph := m.r0 % bin
		nb := (restLen - ph) / bin
		m.binned = make([][]float64, len(m.basis))
		for k, b := range m.basis {
			m.binned[k] = make([]float64, nb)
			for j := range nb {
				var s float64
				for u := range bin {
					s += b[ph+j*bin+u]
				}
				m.binned[k][j] = s / float64(bin)
			}
		}
		if _, ok := f.legBin[bin]; !ok {
			f.legBin[bin] = legendreTable(n/bin, bin, f.opts.PolyDegree+1)
		}
	}
	return m, nil
}

// flatten divides a training spectrum by the multiplicative polynomial
// that best matches it to the mean spectrum t0 (rest grid with offset r0)
// and returns the new flux and ivar; the spectrum is returned unchanged
// when the fit fails or the polynomial is not positive on its pixels.
func (f *TemplateFitter) flatten(it trainItem, t0 []float64, r0 int) (flux, ivar []float64) {
	np := len(f.leg[0])
	q := newNormal(np)
	row := make([]float64, np)
	off := float64(r0) - it.shift
	for i, v := range it.ivar {
		if !(v > 0) {
			continue
		}
		t := interpCubic(t0, float64(i)+off)
		for j, p := range f.leg[i] {
			row[j] = p * t
		}
		q.add(row, it.flux[i], v)
	}
	sol := make([]float64, np)
	if _, err := q.solve(sol, make([]float64, np*np)); err != nil {
		return it.flux, it.ivar
	}
	flux, ivar = make([]float64, len(it.flux)), make([]float64, len(it.ivar))
	for i, v := range it.ivar {
		var p float64
		for j, l := range f.leg[i] {
			p += sol[j] * l
		}
		if v > 0 && !(p > 0) {
			return it.flux, it.ivar
		}
		if p > 0 {
			flux[i], ivar[i] = it.flux[i]/p, v*p*p
		}
	}
	return flux, ivar
}

// legendreTable returns, for each of nb bins of width bin observed pixels,
// the Legendre polynomials P_0 … P_{deg1−1} at the bin centre, in pixel
// index scaled to [−1, 1] over the full grid of nb·bin pixels.
func legendreTable(nb, bin, deg1 int) [][]float64 {
	out := make([][]float64, nb)
	span := float64(nb*bin - 1)
	for j := range out {
		out[j] = make([]float64, max(deg1, 0))
		centre := float64(j*bin) + 0.5*float64(bin-1)
		x := 0.0
		if span > 0 {
			x = 2*centre/span - 1
		}
		legendreRow(x, out[j])
	}
	return out
}

// buildArchetypes averages the training stars (classes O–M and carbon with
// Teff, logg and [Fe/H] labels) into cells of the archetype grid.
func (f *TemplateFitter) buildArchetypes(byClass [][]trainItem) {
	n := f.grid.N
	smin, smax, _ := f.scanRange(0)
	f.starR0 = smax + stencilPad
	f.starLen = n + (smax - smin) + 2*stencilPad
	o := f.opts
	type cell struct {
		sum, wsum       []float64
		teff, logg, feh float64
		members         int
		classes         [dataset.NumClasses]int
	}
	cells := map[[3]int]*cell{}
	var keys [][3]int
	x, w := make([]float32, f.starLen), make([]float32, f.starLen)
	for c := 0; c <= classCarbon; c++ {
		for _, it := range byClass[c] {
			p := it.ex.Labels.Params
			teff, logg, feh := p[dataset.ParamTeff], p[dataset.ParamLogg], p[dataset.ParamFeH]
			if !(teff > 0) || math.IsNaN(logg) || math.IsNaN(feh) {
				continue
			}
			key := [3]int{
				int(math.Floor(math.Log10(teff) / o.ArchetypeTeffDex)),
				int(math.Floor(logg / o.ArchetypeLoggDex)),
				int(math.Floor(feh / o.ArchetypeFeHDex)),
			}
			ce := cells[key]
			if ce == nil {
				ce = &cell{sum: make([]float64, f.starLen), wsum: make([]float64, f.starLen)}
				cells[key] = ce
				keys = append(keys, key)
			}
			toRest(it.flux, it.ivar, it.shift, f.starR0, normaliseScale(it.flux, it.ivar), wCap, x, w)
			for r := range x {
				if w[r] > 0 {
					ce.sum[r] += float64(w[r]) * float64(x[r])
					ce.wsum[r] += float64(w[r])
				}
			}
			ce.teff += teff
			ce.logg += logg
			ce.feh += feh
			ce.members++
			ce.classes[c]++
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		ka, kb := keys[a], keys[b]
		for i := range ka {
			if ka[i] != kb[i] {
				return ka[i] < kb[i]
			}
		}
		return false
	})
	for _, key := range keys {
		ce := cells[key]
		a := archetype{flux: make([]float64, f.starLen), vari: make([]float64, f.starLen), weight: ce.members}
		for r := range a.flux {
			a.flux[r], a.vari[r] = math.NaN(), math.NaN()
			if ce.wsum[r] > 0 {
				a.flux[r] = ce.sum[r] / ce.wsum[r]
				a.vari[r] = 1 / ce.wsum[r]
			}
		}
		if lo, _ := fillUncovered(a.flux); lo < 0 {
			continue
		}
		fillUncovered(a.vari)
		k := float64(ce.members)
		a.teff, a.logg, a.feh = ce.teff/k, ce.logg/k, ce.feh/k
		for c, v := range ce.classes {
			if v > ce.classes[a.class] {
				a.class = c
			}
		}
		f.arch = append(f.arch, a)
	}
}
