package baseline

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/astroone/astroone-go/dataset"
)

// cannonMetrics summarises the Cannon on the FGK stars of a test set.
type cannonMetrics struct {
	n, failed      int
	mae            [3]float64
	bias           [3]float64
	within1σ       [3]float64
	rvMAE          float64
	cpuPerSpectrum time.Duration
}

func (m cannonMetrics) String() string {
	return fmt.Sprintf("n=%d failed=%d MAE Teff %.0f K logg %.3f [Fe/H] %.3f; bias %.0f %.3f %.3f; within 1σ %.2f %.2f %.2f; RV MAE %.1f km/s; cpu %.1f ms/spectrum",
		m.n, m.failed, m.mae[0], m.mae[1], m.mae[2], m.bias[0], m.bias[1], m.bias[2], m.within1σ[0], m.within1σ[1], m.within1σ[2], m.rvMAE, float64(m.cpuPerSpectrum.Microseconds())/1000)
}

// fgk returns the examples of classes F, G and K.
func fgk(s *dataset.Set) []dataset.Example {
	var out []dataset.Example
	for _, ex := range s.Examples {
		if c := ex.Labels.Class; c >= 3 && c <= 5 {
			out = append(out, ex)
		}
	}
	return out
}

func evaluateCannon(c *Cannon, test []dataset.Example) cannonMetrics {
	var m cannonMetrics
	c0 := cpuTime()
	res := c.PredictAll(test)
	m.cpuPerSpectrum = (cpuTime() - c0) / time.Duration(max(len(res), 1))
	var rv float64
	for i, r := range res {
		if r.Err != nil {
			m.failed++
			continue
		}
		truth := LabelsFromParams(test[i].Labels.Params)
		for k := range 3 {
			d := r.Labels[k] - truth[k]
			m.mae[k] += math.Abs(d)
			m.bias[k] += d
			if math.Abs(d) <= r.Sigma[k] {
				m.within1σ[k]++
			}
		}
		rv += math.Abs(r.RVKmS - test[i].Labels.Params[dataset.ParamRV])
		m.n++
	}
	for k := range 3 {
		m.mae[k] /= float64(m.n)
		m.bias[k] /= float64(m.n)
		m.within1σ[k] /= float64(m.n)
	}
	m.rvMAE = rv / float64(m.n)
	return m
}

// TestCannonEvaluation is the Cannon's large, opt-in evaluation on FGK
// stars: BASELINE_EVAL=1 go test -run CannonEvaluation -v ./baseline
// (BASELINE_TRAIN and BASELINE_TEST spectra of all classes, S/N 20–100;
// BASELINE_INFLATE=1 also trains the template fitter and uses its learned
// observed-frame variance inflation).
func TestCannonEvaluation(t *testing.T) {
	if os.Getenv("BASELINE_EVAL") == "" {
		t.Skip("set BASELINE_EVAL=1 for the large evaluation")
	}
	ntrain, ntest := envInt("BASELINE_TRAIN", 5000), envInt("BASELINE_TEST", 1000)
	train := simSet(t, 11, 0, ntrain, nil, 20, 100)
	test := simSet(t, 11, 1_000_000, ntest, nil, 20, 100)
	var infl []float64
	if os.Getenv("BASELINE_INFLATE") != "" {
		f, err := FitTemplates(train, TemplateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		infl = f.ObservedInflation()
	}
	t0, c0 := time.Now(), cpuTime()
	c, err := TrainCannon(train, CannonOptions{Inflation: infl})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained on %d stars in %v (cpu %v)", c.TrainingStars(), time.Since(t0), cpuTime()-c0)
	t.Logf("FGK test stars: %v", evaluateCannon(c, fgk(test)))
}
