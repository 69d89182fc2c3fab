package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/astroone/astroone-go/dataset"
)

// calibCase makes n stars with Teff uniform in 4,000–7,000 K, whose
// "predictions" are biased by +1.5% in Teff, with Gaussian errors of
// 50 K in Teff and 0.1 dex in log g, and reported σ twice those.
func calibCase(n int, seed uint64) ([]Prediction, []dataset.Labels) {
	rng := rand.New(rand.NewPCG(seed, 1))
	preds := make([]Prediction, n)
	labels := make([]dataset.Labels, n)
	for i := range n {
		l := dataset.Unlabelled()
		l.Params[dataset.ParamTeff] = 4000 + 3000*rng.Float64()
		l.Params[dataset.ParamLogg] = 1 + 4*rng.Float64()
		labels[i] = l
		p := &preds[i]
		for k := range p.Params {
			p.Params[k], p.Sigma[k] = math.NaN(), math.NaN()
		}
		p.Params[dataset.ParamTeff] = 1.015*l.Params[dataset.ParamTeff] + 50*rng.NormFloat64()
		p.Sigma[dataset.ParamTeff] = 100
		p.Params[dataset.ParamLogg] = l.Params[dataset.ParamLogg] + 0.1*rng.NormFloat64()
		p.Sigma[dataset.ParamLogg] = 0.2
	}
	return preds, labels
}

func TestCalibrationRemovesBiasAndScalesSigma(t *testing.T) {
	preds, labels := calibCase(6000, 1)
	c, err := FitCalibration(preds, labels)
	if err != nil {
		t.Fatal(err)
	}
	if c.Spectra != 6000 || c.Params[dataset.ParamTeff].N != 6000 || c.Params[dataset.ParamRV].N != 0 {
		t.Fatalf("counts: %d spectra, %d Teff, %d RV", c.Spectra, c.Params[dataset.ParamTeff].N, c.Params[dataset.ParamRV].N)
	}
	// σ was reported twice too large: the scale is ≈ 0.5.
	for _, k := range []int{dataset.ParamTeff, dataset.ParamLogg} {
		if s := c.Params[k].SigmaScale; math.Abs(s-0.5) > 0.04 {
			t.Errorf("%s: σ scale %.3f, want ≈ 0.5", dataset.ParamNames[k], s)
		}
	}
	if c.Params[dataset.ParamRV].SigmaScale != 0 || len(c.Params[dataset.ParamRV].Knots) != 0 {
		t.Errorf("RV without data got a calibration: %+v", c.Params[dataset.ParamRV])
	}
	// On fresh spectra the corrected estimates are unbiased, with 68% within 1σ.
	test, tl := calibCase(4000, 2)
	var within, n [2]int
	var bias [2]float64
	for i := range test {
		c.Apply(&test[i])
		for j, k := range []int{dataset.ParamTeff, dataset.ParamLogg} {
			r := test[i].Params[k] - tl[i].Params[k]
			bias[j] += r
			n[j]++
			if math.Abs(r) <= test[i].Sigma[k] {
				within[j]++
			}
		}
	}
	if b := bias[0] / float64(n[0]); math.Abs(b) > 6 {
		t.Errorf("Teff bias after calibration %.1f K (was ≈ +82 K)", b)
	}
	if len(c.Params[dataset.ParamLogg].Knots) != 0 {
		t.Error("log g got a bias correction")
	}
	for j := range 2 {
		if f := float64(within[j]) / float64(n[j]); math.Abs(f-0.6827) > 0.03 {
			t.Errorf("parameter %d: %.3f within 1σ, want ≈ 0.683", j, f)
		}
	}
}

func TestCalibrationSkipsBadPredictions(t *testing.T) {
	preds, labels := calibCase(100, 3)
	preds[0].Err = ErrNoData
	preds[1].Params[dataset.ParamTeff] = math.NaN()
	c, err := FitCalibration(preds, labels)
	if err != nil {
		t.Fatal(err)
	}
	if c.Spectra != 99 || c.Params[dataset.ParamTeff].N != 98 || c.Params[dataset.ParamLogg].N != 99 {
		t.Errorf("used %d spectra, %d Teff, %d log g (want 99, 98, 99)", c.Spectra, c.Params[dataset.ParamTeff].N, c.Params[dataset.ParamLogg].N)
	}
	before := preds[0]
	c.Apply(&preds[0])
	if !samePrediction(preds[0], before) {
		t.Error("Apply changed a prediction with an error")
	}
	var none *Calibration
	p := preds[2]
	none.Apply(&preds[2])
	if !samePrediction(preds[2], p) {
		t.Error("a nil calibration changed a prediction")
	}
	if _, err := FitCalibration(preds[:3], labels[:2]); !errors.Is(err, ErrCalibration) {
		t.Errorf("mismatched lengths: %v", err)
	}
}

func TestInterpolateAndQuantile(t *testing.T) {
	knots, vals := []float64{1, 2, 4}, []float64{10, 20, 0}
	for _, c := range []struct{ x, want float64 }{{0, 10}, {1, 10}, {1.5, 15}, {3, 10}, {4, 0}, {9, 0}} {
		if got := interpolate(knots, vals, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("interpolate(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := interpolate(nil, nil, 3); got != 0 {
		t.Errorf("no knots: %v", got)
	}
	xs := []float64{4, 1, 3, 2, 5}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {1, 5}, {0.125, 1.5}} {
		if got := quantile(xs, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if !math.IsNaN(quantile(nil, 0.5)) {
		t.Error("quantile of nothing is not NaN")
	}
}

func TestCalibrationFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if c, err := LoadCalibration(dir); c != nil || err != nil {
		t.Fatalf("run without calibration: %v, %v", c, err)
	}
	preds, labels := calibCase(500, 4)
	c, err := FitCalibration(preds, labels)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCalibration(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, q := preds[7], preds[7]
	c.Apply(&p)
	got.Apply(&q)
	if !samePrediction(p, q) {
		t.Errorf("loaded calibration differs: %+v against %+v", q.Params, p.Params)
	}
	bad := `{"params":[{"name":"teff","knots":[3.7,3.6],"bias":[0,0],"sigma_scale":1}]}`
	if err := os.WriteFile(filepath.Join(dir, CalibrationFile), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCalibration(dir); !errors.Is(err, ErrCalibration) {
		t.Errorf("unsorted knots: %v", err)
	}
}

// samePrediction compares the parameters and σ of two predictions (NaN
// equal to NaN).
func samePrediction(a, b Prediction) bool {
	same := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	for k := range a.Params {
		if !same(a.Params[k], b.Params[k]) || !same(a.Sigma[k], b.Sigma[k]) {
			return false
		}
	}
	return true
}
