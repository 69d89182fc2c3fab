package realism

import (
	"errors"
	"fmt"
	"math"
)

// Target is a real spectrum prepared for grid fits: continuum-normalised
// flux and its weights on the pixels used.
type Target struct {
	WavelengthAA []float64
	Norm         []float64 // continuum-normalised real flux
	Weight       []float64 // inverse variance of Norm (ivar·continuum²)
	Use          []bool    // pixels fitted
	rawWeight    []float64 // the real ivar, reused for every model's continuum
	knots        int
}

// NewTarget normalises a real spectrum (flux and ivar at waveAA; use nil
// for every pixel with ivar > 0) with ContinuumOptions(opt.Knots) and
// leaves out opt.Exclude.
func NewTarget(waveAA, flux, ivar []float64, use []bool, opt Options) (*Target, error) {
	n := len(waveAA)
	if len(flux) != n || len(ivar) != n || (use != nil && len(use) != n) {
		return nil, fmt.Errorf("fit target: arrays of different lengths")
	}
	u := make([]bool, n)
	k := 0
	for i := range n {
		u[i] = (use == nil || use[i]) && finite(flux[i]) && ivar[i] > 0 && finite(ivar[i]) && !Excluded(waveAA[i], opt.Exclude)
		if u[i] {
			k++
		}
	}
	if k < 50 {
		return nil, fmt.Errorf("fit target: %w: %d", ErrTooFewPixels, k)
	}
	norm, cont, err := Normalize(waveAA, flux, ivar, u, opt.knots())
	if err != nil {
		return nil, fmt.Errorf("fit target: %w", err)
	}
	t := &Target{WavelengthAA: waveAA, Norm: norm, Weight: make([]float64, n), Use: u, rawWeight: ivar, knots: opt.knots()}
	for i := range n {
		if u[i] && finite(norm[i]) {
			t.Weight[i] = ivar[i] * cont[i] * cont[i]
		} else {
			u[i] = false
		}
	}
	return t, nil
}

// Score normalises model (on the target's pixels) by the same procedure
// and returns χ²/N of the continuum-normalised residuals with the target's
// weights, the Pearson correlation, and the normalised model.
func (t *Target) Score(model []float64) (chi2, corr float64, norm []float64, err error) {
	if len(model) != len(t.Norm) {
		return 0, 0, nil, fmt.Errorf("score: model has %d pixels, target %d", len(model), len(t.Norm))
	}
	norm, _, err = Normalize(t.WavelengthAA, model, t.rawWeight, t.Use, t.knots)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("score: model continuum: %w", err)
	}
	var s float64
	k := 0
	for i, u := range t.Use {
		if u && finite(norm[i]) {
			d := norm[i] - t.Norm[i]
			s += t.Weight[i] * d * d
			k++
		}
	}
	if k == 0 {
		return 0, 0, nil, fmt.Errorf("score: %w", ErrTooFewPixels)
	}
	return s / float64(k), Pearson(t.Norm, norm, t.Use), norm, nil
}

// StarGuess is a point of the stellar parameter space searched by FitStar.
type StarGuess struct {
	TeffK, Logg, FeH, RVKmS float64
}

// StarGrid lists the values FitStar tries for each parameter.
type StarGrid struct {
	TeffK, Logg, FeH, RVKmS []float64
}

// StarFit is the result of FitStar.
type StarFit struct {
	Best  StarGuess
	Chi2  float64   // χ²/N of the best model
	Corr  float64   // Pearson correlation of the normalised spectra
	Norm  []float64 // the best model, continuum-normalised
	Model []float64 // the best model, raw
	Tried int       // models evaluated
}

// StarModel writes the model of parameters p on the target's pixels into f.
type StarModel func(p StarGuess, f []float64)

// FitStar fits a stellar model to the target by grid χ² on
// continuum-normalised flux, by alternating searches: RV over grid.RVKmS at
// the starting point, then Teff × logg × [Fe/H] over their grids at that
// RV, then RV again at the best (Teff, logg, [Fe/H]), then the parameter
// grid again. The RV and atmospheric parameters are nearly independent
// for a smooth χ² surface, so two rounds suffice on a coarse grid.
func FitStar(t *Target, model StarModel, start StarGuess, grid StarGrid) (StarFit, error) {
	if len(grid.TeffK) == 0 || len(grid.Logg) == 0 || len(grid.FeH) == 0 || len(grid.RVKmS) == 0 {
		return StarFit{}, errors.New("fit star: every grid needs at least one value")
	}
	f := make([]float64, len(t.Norm))
	best := StarFit{Best: start, Chi2: math.Inf(1)}
	try := func(p StarGuess) error {
		model(p, f)
		chi2, corr, norm, err := t.Score(f)
		if err != nil {
			return err
		}
		best.Tried++
		if chi2 < best.Chi2 {
			best.Best, best.Chi2, best.Corr, best.Norm = p, chi2, corr, norm
			best.Model = append(best.Model[:0], f...)
		}
		return nil
	}
	rvScan := func() error {
		p := best.Best
		for _, rv := range grid.RVKmS {
			p.RVKmS = rv
			if err := try(p); err != nil {
				return err
			}
		}
		return nil
	}
	paramScan := func() error {
		p := best.Best
		for _, te := range grid.TeffK {
			for _, lg := range grid.Logg {
				for _, fe := range grid.FeH {
					p.TeffK, p.Logg, p.FeH = te, lg, fe
					if err := try(p); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	for _, step := range []func() error{rvScan, paramScan, rvScan, paramScan} {
		if err := step(); err != nil {
			return best, fmt.Errorf("fit star: %w", err)
		}
	}
	return best, nil
}
