package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/prep"
)

// testPixels is the spectrum length of the synthetic test data.
const testPixels = 400

// testConfig is the tiny configuration on testPixels-pixel spectra with
// the given steps (pretraining included).
func testConfig(steps, pretrain int) model.Config {
	c, _ := model.ConfigByName("tiny")
	c.Pixels = testPixels
	c.Steps, c.PretrainSteps = steps, pretrain
	c.WarmupSteps = 2
	c.Batch = 8
	c.EvalEvery, c.CheckpointEvery = 3, 3
	return c
}

// synthSet makes n labelled spectra of four kinds whose shapes follow
// their labels: a continuum whose slope follows Teff, and per class
// absorption (stars) or emission (the "QSO" kind, shifted by z) lines
// whose depth follows logg and [Fe/H], with Gaussian noise at S/N ≈ 30.
func synthSet(n int, seed uint64) *dataset.Set {
	rng := rand.New(rand.NewPCG(seed, 99))
	classes := []int{2, 4, 6, 9} // A, G, M, QSO
	set := &dataset.Set{Grid: prep.Grid{Log10Start: 3.6, Log10Step: 1e-3, N: testPixels}}
	for i := range n {
		c := classes[i%len(classes)]
		l := dataset.Unlabelled()
		l.Class = c
		flux := make([]float32, testPixels)
		ivar := make([]float32, testPixels)
		var teff, logg, feh, z float64
		if c == 9 {
			z = 0.5 + rng.Float64()
			l.Params[dataset.ParamZ] = z
		} else {
			teff = 3500 + 1500*float64(c-2)/2 + 800*rng.Float64()
			logg, feh = 1+4*rng.Float64(), -2+2.5*rng.Float64()
			l.Params[dataset.ParamTeff], l.Params[dataset.ParamLogg], l.Params[dataset.ParamFeH] = teff, logg, feh
			l.Params[dataset.ParamRV] = 50 * rng.NormFloat64()
		}
		l.SNR = 30
		for j := range flux {
			x := float64(j) / testPixels
			f := 100.0
			if c == 9 {
				f *= 1 + 0.5*(1-x)
				for _, rest := range []float64{60, 150} {
					mu := rest * (1 + z) / 2
					f += 80 * math.Exp(-0.5*math.Pow((float64(j)-mu)/4, 2))
				}
			} else {
				f *= 1 + (teff-5000)/4000*(0.5-x)
				for k, mu := range []float64{40 + 10*float64(c), 200, 320 - 15*float64(c)} {
					depth := 0.2 + 0.05*logg + 0.1*feh*float64(k%2)
					f *= 1 - math.Max(0, depth)*math.Exp(-0.5*math.Pow((float64(j)-mu)/3, 2))
				}
			}
			sigma := f / 30
			flux[j] = float32(f + sigma*rng.NormFloat64())
			ivar[j] = float32(1 / (sigma * sigma))
		}
		set.Examples = append(set.Examples, dataset.Example{ID: fmt.Sprintf("s%04d", i), Flux: flux, Ivar: ivar, Labels: l})
	}
	return set
}

// quietLog sends progress lines to the test log.
type quietLog struct{ t *testing.T }

func (q quietLog) Write(p []byte) (int, error) {
	q.t.Helper()
	q.t.Log(string(p))
	return len(p), nil
}

// mustExecClip clips the gradients (3, 4) and (12) to maxNorm and returns
// both and the norm.
func mustExecClip(t *testing.T, b backends.Backend, maxNorm float64) []*tensors.Tensor {
	t.Helper()
	e, err := graph.NewExec(b, func(x, y *graph.Node) []*graph.Node {
		g, n := ClipByGlobalNorm([]*graph.Node{x, y}, maxNorm)
		return []*graph.Node{g[0], g[1], n}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs, err := e.Exec([]float32{3, 4}, []float32{12})
	if err != nil {
		t.Fatal(err)
	}
	return outs
}
