package baseline

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
)

// simSet simulates n LAMOST spectra (objects first … first+n−1 of the
// simulator with this seed) and converts them to a dataset.Set on the
// LAMOST grid, which the simulator writes on directly. tb may be nil
// (shared benchmark fixtures); a failure then panics.
func simSet(tb testing.TB, seed uint64, first, n int, classes []sim.Class, snrMin, snrMax float64) *dataset.Set {
	fail := func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
	if tb != nil {
		tb.Helper()
		fail = tb.Fatalf
	}
	s, err := sim.New(sim.Config{Seed: seed, Classes: classes, SNRMin: snrMin, SNRMax: snrMax})
	if err != nil {
		fail("%v", err)
	}
	g := prep.LAMOSTGrid()
	out := &dataset.Set{Grid: g, Examples: make([]dataset.Example, n)}
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := s.NewWorker()
			var sp spectrum.Spectrum
			for i := wk; i < n; i += workers {
				lab := w.Spectrum(first+i, &sp)
				out.Examples[i] = toExample(&sp, lab)
			}
		}()
	}
	wg.Wait()
	for i := range out.Examples {
		if len(out.Examples[i].Flux) != g.N {
			fail("example %d has %d pixels, want %d", i, len(out.Examples[i].Flux), g.N)
		}
	}
	return out
}

// toExample converts a simulated spectrum and its labels.
func toExample(sp *spectrum.Spectrum, lab sim.Labels) dataset.Example {
	ex := dataset.Example{ID: sp.Meta.ID, Flux: make([]float32, sp.Len()), Ivar: make([]float32, sp.Len())}
	for i := range sp.Flux {
		ex.Flux[i] = float32(sp.Flux[i])
		ex.Ivar[i] = float32(sp.Ivar[i])
	}
	l := dataset.Unlabelled()
	l.Class = lab.Class.Index()
	l.Subclass = lab.Subclass
	l.Params = [dataset.NumParams]float64{lab.TeffK, lab.Logg, lab.FeH, lab.RVKmS, math.NaN()}
	if !lab.Class.IsStar() && lab.Class != sim.ClassCV {
		l.Params[dataset.ParamZ] = lab.Z
	}
	l.SNR, l.EBV = lab.SNR, lab.EBV
	ex.Labels = l
	return ex
}
