package model

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/astroone/astroone-go/dataset"
)

// CalibrationFile is the name, in a run directory, of the calibration
// fitted on held-out labelled spectra (see Calibration).
const CalibrationFile = "calibration.json"

// Calibration is a post-hoc correction of a trained model's parameter
// estimates, fitted on labelled spectra the model was not trained on
// (the validation split), as survey pipelines calibrate their
// estimators against reference sets:
//
//   - a bias correction for Teff, on log10 Teff: the median residual
//     (prediction − truth) as a function of the prediction, in quantile
//     groups of the predictions, smoothed by a running median of three
//     groups, interpolated linearly between the groups' medians and
//     constant beyond them; it is subtracted from the prediction. (Log g
//     and [Fe/H] get none: pooled over all stars, their residuals
//     against the prediction mix classes, e.g. hot stars whose [Fe/H]
//     the spectrum barely constrains, and a one-dimensional curve would
//     move F, G and K stars by the others' errors.)
//   - a σ scale for Teff, log g, [Fe/H] and RV: the factor that makes
//     68.27% of the (corrected) residuals fall within 1σ, as they would
//     for honest Gaussian uncertainties. The redshift's σ is left as it
//     is: it spans every peak of the redshift head on purpose, and its
//     errors are not Gaussian (catastrophic failures); Prediction.ZMass
//     is the redshift's confidence.
//
// The class probabilities are not changed.
type Calibration struct {
	Spectra int                                 `json:"spectra"` // labelled spectra it was fitted on
	Params  [dataset.NumParams]ParamCalibration `json:"params"`  // dataset's parameter order
	// MKLetters, when set, makes Apply combine the class head's
	// probabilities of the MK letters O–M with those the (calibrated)
	// Teff and log g distributions imply (Prediction.MKProbs; a
	// normalised geometric mean). CalibrateRun sets it when that is
	// more accurate on the calibration spectra; the accuracies with and
	// without are recorded.
	MKLetters        bool    `json:"mk_letters"`
	HeadAccuracy     float64 `json:"head_accuracy,omitempty"`
	MKLetterAccuracy float64 `json:"mk_letter_accuracy,omitempty"`
}

// ParamCalibration is the calibration of one parameter. Knots and Bias
// are in the parameter's units, except Teff's, which are in log10 K.
// Empty knots: no bias correction. A SigmaScale of 0 (too few residuals
// to fit one) leaves σ unchanged.
type ParamCalibration struct {
	Name       string    `json:"name"`
	N          int       `json:"n"` // residuals it was fitted on
	Knots      []float64 `json:"knots,omitempty"`
	Bias       []float64 `json:"bias,omitempty"`
	SigmaScale float64   `json:"sigma_scale"`
}

// Calibration fitting constants: the bias groups hold at least
// calibGroupMin residuals and there are at most calibMaxGroups of them;
// fewer than calibMinN residuals of a parameter fit nothing.
const (
	calibGroupMin  = 60
	calibMaxGroups = 40
	calibMinN      = 30
)

// calibBiased are the parameters whose bias is corrected, calibScaled
// those whose σ is scaled.
var (
	calibBiased = map[int]bool{dataset.ParamTeff: true}
	calibScaled = map[int]bool{dataset.ParamTeff: true, dataset.ParamLogg: true, dataset.ParamFeH: true, dataset.ParamRV: true}
)

// calibScale maps a parameter value to the scale of its bias correction
// (log10 for Teff) and back.
func calibScale(k int, v float64) float64 {
	if k == dataset.ParamTeff {
		if !(v > 0) {
			return math.NaN()
		}
		return math.Log10(v)
	}
	return v
}

func calibUnscale(k int, u float64) float64 {
	if k == dataset.ParamTeff {
		return math.Pow(10, u)
	}
	return u
}

// ErrCalibration marks a calibration that cannot be fitted.
var ErrCalibration = errors.New("calibration")

// FitCalibration fits a Calibration on predictions and the true labels of
// the same spectra (in the same order). Each parameter uses the spectra
// where both its label and its prediction are finite (a star's Teff, a
// QSO's z); spectra whose prediction has an Err are skipped.
func FitCalibration(preds []Prediction, labels []dataset.Labels) (Calibration, error) {
	if len(preds) != len(labels) {
		return Calibration{}, fmt.Errorf("%w: %d predictions for %d labels", ErrCalibration, len(preds), len(labels))
	}
	var c Calibration
	for i := range preds {
		if preds[i].Err == nil {
			c.Spectra++
		}
	}
	for k := range dataset.NumParams {
		pc := &c.Params[k]
		pc.Name = dataset.ParamNames[k]
		var pred, truth, sigma []float64
		for i, p := range preds {
			if p.Err != nil {
				continue
			}
			u, t, s := calibScale(k, p.Params[k]), calibScale(k, labels[i].Params[k]), p.Sigma[k]
			if isFinite(u) && isFinite(t) && s > 0 && !math.IsInf(s, 0) {
				pred, truth, sigma = append(pred, u), append(truth, t), append(sigma, s)
			}
		}
		pc.N = len(pred)
		if pc.N < calibMinN {
			continue
		}
		if calibBiased[k] {
			pc.Knots, pc.Bias = fitBiasCurve(pred, truth)
		}
		if !calibScaled[k] {
			continue
		}
		ratios := make([]float64, len(pred))
		for i := range pred {
			corrected := calibUnscale(k, pred[i]-interpolate(pc.Knots, pc.Bias, pred[i]))
			ratios[i] = math.Abs(corrected-calibUnscale(k, truth[i])) / sigma[i]
		}
		pc.SigmaScale = quantile(ratios, 0.6827)
	}
	return c, nil
}

// fitBiasCurve groups the (prediction, truth) pairs by prediction into
// equal-count groups and returns each group's median prediction and
// median residual.
func fitBiasCurve(pred, truth []float64) (knots, bias []float64) {
	idx := make([]int, len(pred))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(pred[a], pred[b]) })
	groups := max(1, min(calibMaxGroups, len(pred)/calibGroupMin))
	for g := range groups {
		lo, hi := g*len(idx)/groups, (g+1)*len(idx)/groups
		xs, rs := make([]float64, 0, hi-lo), make([]float64, 0, hi-lo)
		for _, i := range idx[lo:hi] {
			xs = append(xs, pred[i])
			rs = append(rs, pred[i]-truth[i])
		}
		knots, bias = append(knots, quantile(xs, 0.5)), append(bias, quantile(rs, 0.5))
	}
	smooth := slices.Clone(bias)
	for i := 1; i+1 < len(bias); i++ {
		smooth[i] = quantile([]float64{bias[i-1], bias[i], bias[i+1]}, 0.5)
	}
	return knots, smooth
}

// teffBias returns the calibration's Teff bias (log10 K) at a predicted
// Teff: 0 without a calibration or a Teff correction.
func (c *Calibration) teffBias(teff float64) float64 {
	if c == nil {
		return 0
	}
	pc := c.Params[dataset.ParamTeff]
	u := calibScale(dataset.ParamTeff, teff)
	if len(pc.Knots) == 0 || !isFinite(u) {
		return 0
	}
	return interpolate(pc.Knots, pc.Bias, u)
}

// Apply corrects a prediction in place: the bias of each parameter, then
// its σ, then (with MKLetters) the stellar class probabilities. A
// prediction with an Err is left alone.
func (c *Calibration) Apply(p *Prediction) {
	if c == nil || p.Err != nil {
		return
	}
	if c.MKLetters {
		combineMKLetters(p, p.MKProbs)
	}
	for k := range dataset.NumParams {
		pc := c.Params[k]
		if len(pc.Knots) > 0 {
			if u := calibScale(k, p.Params[k]); isFinite(u) {
				v := calibUnscale(k, u-interpolate(pc.Knots, pc.Bias, u))
				if k == dataset.ParamTeff { // σ in K follows the value on the log scale
					p.Sigma[k] *= v / p.Params[k]
				}
				p.Params[k] = v
			}
		}
		if pc.SigmaScale > 0 {
			p.Sigma[k] *= pc.SigmaScale
		}
	}
}

// Save writes the calibration to runDir/calibration.json.
func (c Calibration) Save(runDir string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(runDir, CalibrationFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(runDir, CalibrationFile))
}

// LoadCalibration reads runDir/calibration.json. A run without one gets
// (nil, nil): its predictions are used as the model makes them.
func LoadCalibration(runDir string) (*Calibration, error) {
	data, err := os.ReadFile(filepath.Join(runDir, CalibrationFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Calibration
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", CalibrationFile, err)
	}
	for k, pc := range c.Params {
		if len(pc.Knots) != len(pc.Bias) || !slices.IsSorted(pc.Knots) || pc.SigmaScale < 0 || math.IsNaN(pc.SigmaScale) {
			return nil, fmt.Errorf("%s: %w: parameter %d has %d knots, %d biases, σ scale %v (want as many, knots ascending, scale ≥ 0)",
				CalibrationFile, ErrCalibration, k, len(pc.Knots), len(pc.Bias), pc.SigmaScale)
		}
	}
	return &c, nil
}

// CalibrateRun predicts the labelled spectra of set with the run's model
// (without any calibration it already has), fits a Calibration on them,
// saves it in the run directory and returns it. set must be held out
// from training: the run's validation split.
func CalibrateRun(runDir string, set *dataset.Set) (Calibration, error) {
	p, err := LoadPredictor(runDir)
	if err != nil {
		return Calibration{}, err
	}
	defer p.Close()
	p.Calibration = nil
	b := set.AsBatch()
	labels := make([]dataset.Labels, len(set.Examples))
	for i, ex := range set.Examples {
		labels[i] = ex.Labels
	}
	preds, err := p.Predict(b)
	if err != nil {
		return Calibration{}, fmt.Errorf("calibrate %s: %w", runDir, err)
	}
	c, err := FitCalibration(preds, labels)
	if err != nil {
		return c, fmt.Errorf("calibrate %s: %w", runDir, err)
	}
	if p.mk != nil {
		// Again with the Teff correction, which moves the MK letters.
		p.Calibration = &c
		if preds, err = p.Predict(b); err != nil {
			return Calibration{}, fmt.Errorf("calibrate %s: %w", runDir, err)
		}
		c.chooseMKLetters(preds, labels)
	}
	return c, c.Save(runDir)
}

// chooseMKLetters sets MKLetters when combining the class head with the
// MK letters of the parameters classifies more of the labelled spectra
// correctly than the head alone (preds made with the calibration's Teff
// correction, without the combination).
func (c *Calibration) chooseMKLetters(preds []Prediction, labels []dataset.Labels) {
	var n, head, comb int
	for i, p := range preds {
		if p.Err != nil || labels[i].Class < 0 {
			continue
		}
		n++
		if p.Class == labels[i].Class {
			head++
		}
		combineMKLetters(&p, p.MKProbs)
		if p.Class == labels[i].Class {
			comb++
		}
	}
	if n == 0 {
		return
	}
	c.HeadAccuracy, c.MKLetterAccuracy = float64(head)/float64(n), float64(comb)/float64(n)
	c.MKLetters = comb > head
}

// interpolate evaluates the piecewise-linear curve through (knots, vals)
// at x, constant beyond the end knots; 0 without knots.
func interpolate(knots, vals []float64, x float64) float64 {
	n := len(knots)
	switch {
	case n == 0:
		return 0
	case x <= knots[0]:
		return vals[0]
	case x >= knots[n-1]:
		return vals[n-1]
	}
	i, _ := slices.BinarySearch(knots, x) // knots[i-1] < x ≤ knots[i]
	if knots[i] == knots[i-1] {
		return vals[i]
	}
	f := (x - knots[i-1]) / (knots[i] - knots[i-1])
	return vals[i-1] + f*(vals[i]-vals[i-1])
}

// quantile returns the q-quantile of xs (linear between order
// statistics); xs is sorted in place. NaN for an empty slice.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
