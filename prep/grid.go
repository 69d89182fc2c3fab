package prep

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// Grid is a wavelength grid uniform in log10(λ/Å): pixel i is centred at
// λ_i = 10^(Log10Start + i·Log10Step) Å, for i = 0 … N−1. This is the
// sampling of LAMOST and SDSS/BOSS spectra (COEFF0/COEFF1 and loglam).
type Grid struct {
	Log10Start float64 `json:"log10_start"` // log10 of the first pixel centre in Å
	Log10Step  float64 `json:"log10_step"`  // pixel step in log10(λ/Å), dex
	N          int     `json:"n"`           // number of pixels
}

// Equal reports whether two grids describe the same pixels.
func (g Grid) Equal(o Grid) bool {
	return g.N == o.N && g.Log10Start == o.Log10Start && g.Log10Step == o.Log10Step
}

// String formats the grid for messages.
func (g Grid) String() string {
	return fmt.Sprintf("grid{log10_start=%g log10_step=%g n=%d}", g.Log10Start, g.Log10Step, g.N)
}

// WavelengthAA returns the centre wavelength of pixel i in Å (i may lie
// outside [0, N)).
func (g Grid) WavelengthAA(i int) float64 {
	return math.Pow(10, g.Log10Start+float64(i)*g.Log10Step)
}

// LAMOSTGrid returns the LAMOST LRS grid: 3908 pixels from
// log10 λ = 3.5682 with a step of 1e-4 dex, i.e. 3699.99 Å … 9097.04 Å
// (vacuum, COEFF0 = 3.5682, COEFF1 = 1e-4).
func LAMOSTGrid() Grid { return Grid{Log10Start: 3.5682, Log10Step: 1e-4, N: 3908} }

// SDSSGrid returns a BOSS-like common grid: 4648 pixels from
// log10 λ = 3.5523 with a step of 1e-4 dex, i.e. 3566.97 Å … 10399.20 Å
// (vacuum). Individual SDSS-I/II and BOSS spectra start at varying loglam
// on the same 1e-4 dex lattice; this grid covers the BOSS spectrograph range
// so that every spectrum can be resampled onto one common sampling.
func SDSSGrid() Grid { return Grid{Log10Start: 3.5523, Log10Step: 1e-4, N: 4648} }

// LogGrid returns the grid with step log10StepDex that starts at startAA and
// has as many pixels as needed for the last centre to reach at least endAA.
func LogGrid(startAA, endAA, log10StepDex float64) (Grid, error) {
	if !(startAA > 0) || !finite(startAA) || !finite(endAA) || !(endAA > startAA) {
		return Grid{}, fmt.Errorf("log grid: %w: need 0 < start < end, got %v Å … %v Å", ErrBadParameter, startAA, endAA)
	}
	if !(log10StepDex > 0) || !finite(log10StepDex) {
		return Grid{}, fmt.Errorf("log grid: %w: step %v dex", ErrBadParameter, log10StepDex)
	}
	l0 := math.Log10(startAA)
	n := int(math.Ceil((math.Log10(endAA)-l0)/log10StepDex-1e-9)) + 1
	g := Grid{Log10Start: l0, Log10Step: log10StepDex, N: n}
	if err := g.Validate(); err != nil {
		return Grid{}, fmt.Errorf("log grid: %w", err)
	}
	return g, nil
}

// maxGridPixels bounds Grid.N to catch corrupt or absurd inputs before they
// allocate gigabytes.
const maxGridPixels = 1 << 26

// Validate checks that the start and step are finite, the step is positive,
// N is at least 1 (and at most 2^26), and every wavelength is finite.
func (g Grid) Validate() error {
	switch {
	case !finite(g.Log10Start):
		return fmt.Errorf("grid: %w: log10 start %v", ErrBadParameter, g.Log10Start)
	case !(g.Log10Step > 0) || !finite(g.Log10Step):
		return fmt.Errorf("grid: %w: log10 step %v (must be > 0)", ErrBadParameter, g.Log10Step)
	case g.N < 1 || g.N > maxGridPixels:
		return fmt.Errorf("grid: %w: %d pixels (must be 1 … %d)", ErrBadParameter, g.N, maxGridPixels)
	}
	lo := g.Log10Start - 0.5*g.Log10Step
	hi := g.Log10Start + (float64(g.N)-0.5)*g.Log10Step
	if lo < -300 || hi > 300 {
		return fmt.Errorf("grid: %w: wavelengths 10^%v … 10^%v Å overflow", ErrBadParameter, lo, hi)
	}
	return nil
}

// Wavelengths returns the N pixel-centre wavelengths in Å.
func (g Grid) Wavelengths() []float64 {
	if g.N <= 0 {
		return nil
	}
	return append([]float64(nil), g.arrays().wave...)
}

// Edges returns the N+1 pixel boundaries in Å, at half steps in log10:
// edge i is 10^(Log10Start + (i − ½)·Log10Step), so pixel i spans
// [Edges()[i], Edges()[i+1]].
func (g Grid) Edges() []float64 {
	if g.N <= 0 {
		return nil
	}
	return append([]float64(nil), g.arrays().edges...)
}

// gridArrays are the pixel centres and edges of a grid, computed once.
type gridArrays struct {
	wave, edges []float64
}

// gridCache maps a Grid to its *gridArrays; a pipeline uses one or two
// grids, and math.Pow for every pixel of every spectrum dominated the cost
// of Resample before the arrays were cached.
var (
	gridCache   sync.Map
	gridCacheN  atomic.Int32
	maxGridsHit = int32(64) // beyond this many distinct grids, stop caching
)

// arrays returns the shared, read-only centres and edges of g (N > 0).
func (g Grid) arrays() *gridArrays {
	if a, ok := gridCache.Load(g); ok {
		return a.(*gridArrays)
	}
	a := &gridArrays{wave: make([]float64, g.N), edges: make([]float64, g.N+1)}
	for i := range a.wave {
		a.wave[i] = math.Pow(10, g.Log10Start+float64(i)*g.Log10Step)
	}
	for i := range a.edges {
		a.edges[i] = math.Pow(10, g.Log10Start+(float64(i)-0.5)*g.Log10Step)
	}
	if gridCacheN.Load() < maxGridsHit {
		if _, loaded := gridCache.LoadOrStore(g, a); !loaded {
			gridCacheN.Add(1)
		}
	}
	return a
}

// MinAA returns the first pixel-centre wavelength in Å.
func (g Grid) MinAA() float64 { return math.Pow(10, g.Log10Start) }

// MaxAA returns the last pixel-centre wavelength in Å.
func (g Grid) MaxAA() float64 { return math.Pow(10, g.Log10Start+float64(g.N-1)*g.Log10Step) }
