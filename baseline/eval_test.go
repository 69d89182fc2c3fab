package baseline

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/astroone/astroone-go/dataset"
)

// templateMetrics summarises the template fitter on a labelled test set.
type templateMetrics struct {
	n, correct       int
	confusion        [dataset.NumClasses][dataset.NumClasses]int
	qsoN, qsoGood    int       // QSOs with |Δz|/(1+z) < 0.01
	galN, galGood    int       // galaxies with |Δz|/(1+z) < 0.01
	rvErr            []float64 // |ΔRV| of correctly classified stars, km/s
	rvErrHi          []float64 // same for F, G, K, M and carbon stars at S/N ≥ 30
	teffErr, loggErr []float64
	fehErr           []float64
	perSpectrum      time.Duration
	cpuPerSpectrum   time.Duration
	teffByClass      [dataset.NumClasses][]float64
}

func (m *templateMetrics) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "accuracy %.3f (%d/%d); QSO z ok %d/%d; galaxy z ok %d/%d; ", float64(m.correct)/float64(m.n), m.correct, m.n, m.qsoGood, m.qsoN, m.galGood, m.galN)
	fmt.Fprintf(&b, "star |ΔRV| median %.1f km/s (FGKM+C at S/N≥30: median %.1f, p90 %.1f, n=%d); ", median(m.rvErr), median(m.rvErrHi), quantile(m.rvErrHi, 0.9), len(m.rvErrHi))
	fmt.Fprintf(&b, "archetype MAE Teff %.0f K, logg %.2f, [Fe/H] %.2f (n=%d); %.1f ms/spectrum\n", mean(m.teffErr), mean(m.loggErr), mean(m.fehErr), len(m.teffErr), float64(m.perSpectrum.Microseconds())/1000)
	fmt.Fprintf(&b, "cpu %.1f ms/spectrum; archetype Teff MAE by class:", float64(m.cpuPerSpectrum.Microseconds())/1000)
	for c := 0; c <= classCarbon; c++ {
		fmt.Fprintf(&b, " %s %.0f", dataset.ClassNames[c], mean(m.teffByClass[c]))
	}
	b.WriteString("\n")
	b.WriteString("confusion (rows true, cols predicted):\n       ")
	for _, n := range dataset.ClassNames {
		fmt.Fprintf(&b, "%4.4s", n)
	}
	for i, row := range m.confusion {
		fmt.Fprintf(&b, "\n%6.6s ", dataset.ClassNames[i])
		for _, v := range row {
			fmt.Fprintf(&b, "%4d", v)
		}
	}
	return b.String()
}

func evaluateTemplates(f *TemplateFitter, test *dataset.Set) *templateMetrics {
	m := &templateMetrics{}
	t0, c0 := time.Now(), cpuTime()
	preds := f.PredictAll(test.Examples)
	m.perSpectrum = time.Since(t0) / time.Duration(max(len(preds), 1))
	m.cpuPerSpectrum = (cpuTime() - c0) / time.Duration(max(len(preds), 1))
	for i, p := range preds {
		l := test.Examples[i].Labels
		m.n++
		if p.Class >= 0 {
			m.confusion[l.Class][p.Class]++
		}
		if p.Class == l.Class {
			m.correct++
		}
		switch {
		case l.Class == classQSO || l.Class == classGalaxy:
			z := l.Params[dataset.ParamZ]
			ok := math.Abs(p.Z-z)/(1+z) < 0.01
			if l.Class == classQSO {
				m.qsoN++
				if ok {
					m.qsoGood++
				}
			} else {
				m.galN++
				if ok {
					m.galGood++
				}
			}
		case isStarClass(l.Class) && isStarClass(p.Class):
			m.teffByClass[l.Class] = append(m.teffByClass[l.Class], math.Abs(p.Params[dataset.ParamTeff]-l.Params[dataset.ParamTeff]))
			e := math.Abs(p.RVKmS - l.Params[dataset.ParamRV])
			m.rvErr = append(m.rvErr, e)
			if l.SNR >= 30 && l.Class >= 3 {
				m.rvErrHi = append(m.rvErrHi, e)
			}
			m.teffErr = append(m.teffErr, math.Abs(p.Params[dataset.ParamTeff]-l.Params[dataset.ParamTeff]))
			m.loggErr = append(m.loggErr, math.Abs(p.Params[dataset.ParamLogg]-l.Params[dataset.ParamLogg]))
			m.fehErr = append(m.fehErr, math.Abs(p.Params[dataset.ParamFeH]-l.Params[dataset.ParamFeH]))
		}
	}
	return m
}

// cpuTime returns the process's user+system CPU time (all threads): the
// machine is shared, so wall time overstates the cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func median(v []float64) float64 { return quantile(v, 0.5) }

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// envInt reads a positive integer from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestTemplateEvaluation is the large, opt-in evaluation:
// BASELINE_EVAL=1 go test -run Evaluation -v ./baseline
// (BASELINE_TRAIN and BASELINE_TEST set the sizes, 5000 and 1000 by
// default; S/N 20–100).
func TestTemplateEvaluation(t *testing.T) {
	if os.Getenv("BASELINE_EVAL") == "" {
		t.Skip("set BASELINE_EVAL=1 for the large evaluation")
	}
	ntrain, ntest := envInt("BASELINE_TRAIN", 5000), envInt("BASELINE_TEST", 1000)
	t0 := time.Now()
	train := simSet(t, 11, 0, ntrain, nil, 20, 100)
	test := simSet(t, 11, 1_000_000, ntest, nil, 20, 100)
	t.Logf("simulated %d+%d in %v", ntrain, ntest, time.Since(t0))
	t0, c0 := time.Now(), cpuTime()
	f, err := FitTemplates(train, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained in %v (cpu %v): %d archetypes, per class %v", time.Since(t0), cpuTime()-c0, f.Archetypes(), f.TrainedClasses())
	t.Logf("%v", evaluateTemplates(f, test))
}
