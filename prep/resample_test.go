package prep

import (
	"errors"
	"math"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

func TestPixelEdges(t *testing.T) {
	// Linear grid: arithmetic midpoints, half a step beyond the ends.
	e, err := PixelEdges([]float64{10, 20, 30, 45})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5, 15, 25, 37.5, 52.5}
	for i := range want {
		if !near(e[i], want[i], 0, 1e-12) {
			t.Errorf("irregular edges[%d] = %v, want %v", i, e[i], want[i])
		}
	}
	// Log grid: reproduces Grid.Edges.
	g := Grid{Log10Start: 3.6, Log10Step: 1e-4, N: 50}
	e, err = PixelEdges(g.Wavelengths())
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range g.Edges() {
		if !near(e[i], w, 1e-13, 0) {
			t.Errorf("log edges[%d] = %v, want %v", i, e[i], w)
		}
	}
	for _, bad := range [][]float64{{5000}, {5000, 4999}, {5000, 5000}, {-1, 2}, {1, math.NaN()}} {
		if _, err := PixelEdges(bad); err == nil {
			t.Errorf("PixelEdges(%v): want error", bad)
		}
	}
}

func TestResampleConstantAndOutside(t *testing.T) {
	tests := []struct {
		name string
		wave []float64
	}{
		{"linear", linearWave(4000, 0.7, 5000)},
		{"log", Grid{Log10Start: math.Log10(4000), Log10Step: 7e-5, N: 4300}.Wavelengths()},
		{"irregular", mapWave(linearWave(0, 1, 4000), func(i float64) float64 { return 4000 + i + 0.3*math.Sin(i) })},
	}
	g := LAMOSTGrid()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.wave)
			s := mkSpec(tc.wave, constant(n, 5), constant(n, 2))
			before := s.Clone()
			out, err := Resample(s, g)
			if err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, before, s)
			if err := out.Validate(); err != nil {
				t.Fatal(err)
			}
			edges, _ := PixelEdges(tc.wave)
			lo, hi := edges[0], edges[n]
			ge := g.Edges()
			inside, outside := 0, 0
			for j := range out.Flux {
				switch {
				case ge[j+1] <= lo || ge[j] >= hi:
					outside++
					if !isMarkedBad(out, j) || out.Flux[j] != 0 {
						t.Fatalf("pixel %d outside input: flux %v ivar %v mask %x", j, out.Flux[j], out.Ivar[j], out.AndMask[j])
					}
				default:
					inside++
					if !near(out.Flux[j], 5, 1e-12, 0) || out.AndMask[j]&spectrum.MaskBad != 0 {
						t.Fatalf("pixel %d: flux %v, want 5", j, out.Flux[j])
					}
				}
			}
			if inside == 0 || outside == 0 {
				t.Errorf("test grid should have pixels inside (%d) and outside (%d) the input", inside, outside)
			}
		})
	}
}

// pieceIntegral integrates the piecewise-constant input over [a, b].
func pieceIntegral(edges, flux []float64, a, b float64) float64 {
	var sum float64
	for i := range flux {
		ov := math.Min(edges[i+1], b) - math.Max(edges[i], a)
		if ov > 0 {
			sum += ov * flux[i]
		}
	}
	return sum
}

func TestResampleRampConservesIntegral(t *testing.T) {
	wave := linearWave(4500, 0.5, 6000) // 4500 … 7499.5 Å
	ramp := func(w float64) float64 { return 100 + 0.01*(w-4500) }
	s := mkSpec(wave, mapWave(wave, ramp), constant(len(wave), 1))
	g, err := LogGrid(4600, 7400, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	ge := g.Edges()
	var got float64
	for j, f := range out.Flux {
		got += f * (ge[j+1] - ge[j])
		// Mean of a linear function over the pixel = value at the pixel's mid-λ.
		if want := ramp(0.5 * (ge[j] + ge[j+1])); !near(f, want, 1e-5, 0) {
			t.Errorf("pixel %d: flux %v, want %v", j, f, want)
		}
	}
	in, _ := PixelEdges(wave)
	if want := pieceIntegral(in, s.Flux, ge[0], ge[g.N]); !near(got, want, 1e-12, 0) {
		t.Errorf("∫f dλ = %v after resampling, %v before", got, want)
	}
	// Analytic integral of the ramp, up to the piecewise-constant sampling error.
	a, b := ge[0], ge[g.N]
	analytic := (100-45)*(b-a) + 0.005*(b*b-a*a)
	if !near(got, analytic, 1e-7, 0) {
		t.Errorf("∫f dλ = %v, analytic %v", got, analytic)
	}
}

func TestResampleConservesEquivalentWidth(t *testing.T) {
	const (
		centre, sigma, depth = 6000.0, 3.0, 0.5
	)
	wave := linearWave(5800, 0.2, 2000)
	line := func(w float64) float64 { return 1 - depth*math.Exp(-0.5*math.Pow((w-centre)/sigma, 2)) }
	s := mkSpec(wave, mapWave(wave, line), constant(len(wave), 1))
	g, _ := LogGrid(5850, 6150, 1e-4)
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	ge := g.Edges()
	var ew float64
	for j, f := range out.Flux {
		ew += (1 - f) * (ge[j+1] - ge[j])
	}
	want := depth * sigma * math.Sqrt(2*math.Pi)
	if !near(ew, want, 1e-4, 0) {
		t.Errorf("EW = %.6f Å, want %.6f Å", ew, want)
	}
}

func TestResampleNoiseMonteCarlo(t *testing.T) {
	rng := newRand(42)
	wave := mapWave(linearWave(0, 1, 300), func(i float64) float64 { return 5000 + 0.45*i + 0.1*math.Sin(0.7*i) })
	n := len(wave)
	sigma := make([]float64, n)
	ivar := make([]float64, n)
	for i := range sigma {
		sigma[i] = 0.5 + 1.5*rng.Float64()
		ivar[i] = 1 / (sigma[i] * sigma[i])
	}
	// A few dead pixels with absurd flux that must not contribute.
	for _, i := range []int{40, 41, 150} {
		ivar[i] = 0
	}
	g, _ := LogGrid(5002, 5130, 1e-4)
	const trials = 3000
	sum := make([]float64, g.N)
	sum2 := make([]float64, g.N)
	var prop []float64
	for k := range trials {
		flux := make([]float64, n)
		for i := range flux {
			flux[i] = 10 + sigma[i]*rng.NormFloat64()
		}
		flux[40], flux[41], flux[150] = 1e6, -1e6, 1e9
		out, err := Resample(mkSpec(wave, flux, ivar), g)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			prop = out.Ivar
		}
		for j, f := range out.Flux {
			sum[j] += f
			sum2[j] += f * f
		}
	}
	var ratioSum float64
	for j := range sum {
		if prop[j] <= 0 {
			t.Fatalf("output pixel %d has ivar %v", j, prop[j])
		}
		mean := sum[j] / trials
		v := sum2[j]/trials - mean*mean
		ratio := v * prop[j] // empirical variance / propagated variance
		ratioSum += ratio
		if math.Abs(ratio-1) > 0.15 { // ~6σ for 3000 trials
			t.Errorf("pixel %d: empirical/propagated variance = %.3f", j, ratio)
		}
		if math.Abs(mean-10) > 6/math.Sqrt(prop[j]*trials) {
			t.Errorf("pixel %d: mean %v, want 10 (bad pixels leaked?)", j, mean)
		}
	}
	r := ratioSum / float64(g.N)
	if math.Abs(r-1) > 0.02 {
		t.Errorf("mean empirical/propagated variance = %.4f, want 1 ± 0.02", r)
	}
	t.Logf("%d output pixels, %d realisations: mean empirical/propagated variance %.4f", g.N, trials, r)
}

func TestResampleIdentity(t *testing.T) {
	g := LAMOSTGrid()
	wave := g.Wavelengths()
	rng := newRand(1)
	s := mkSpec(wave, mapWave(wave, func(float64) float64 { return 1 + rng.Float64() }), mapWave(wave, func(float64) float64 { return 1 + 9*rng.Float64() }))
	s.AndMask = make([]uint32, g.N)
	s.OrMask = make([]uint32, g.N)
	s.AndMask[7], s.OrMask[7], s.OrMask[8] = 1<<3, 1<<3|1<<5, 1<<2
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wave {
		if !near(out.Flux[i], s.Flux[i], 1e-9, 0) || !near(out.Ivar[i], s.Ivar[i], 1e-9, 0) ||
			out.AndMask[i] != s.AndMask[i] || out.OrMask[i] != s.OrMask[i] || out.WavelengthAA[i] != wave[i] {
			t.Fatalf("pixel %d: got (%v, %v, %x, %x), want (%v, %v, %x, %x)", i,
				out.Flux[i], out.Ivar[i], out.AndMask[i], out.OrMask[i], s.Flux[i], s.Ivar[i], s.AndMask[i], s.OrMask[i])
		}
	}
	if out.Meta.ID != s.Meta.ID || out.FluxUnit != s.FluxUnit || !out.Vacuum {
		t.Errorf("metadata not carried: %+v", out.Meta)
	}
}

func TestResampleMasks(t *testing.T) {
	// Input pixels of 1 Å; output pixels ~1.15 Å at 5000 Å, so each output
	// pixel overlaps two or three inputs.
	wave := linearWave(4990, 1, 21)
	n := len(wave)
	flux := constant(n, 3)
	ivar := constant(n, 1)
	s := mkSpec(wave, flux, ivar)
	s.AndMask = make([]uint32, n)
	s.OrMask = make([]uint32, n)
	for i := range n {
		s.AndMask[i] = 1 << 1
		s.OrMask[i] = 1 << 1
	}
	s.AndMask[10] |= 1 << 4
	s.OrMask[10] |= 1 << 4
	// Pixels 5 and 14 are unusable in two different ways; each is narrower
	// than an output pixel, so no output pixel is left without good input.
	s.Flux[5] = math.NaN()
	s.AndMask[14] |= spectrum.MaskBad
	s.Flux[14] = 1e9
	g := Grid{Log10Start: math.Log10(4991), Log10Step: 1e-4, N: 16}
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	ge := g.Edges()
	inEdges, _ := PixelEdges(wave)
	for j := range out.Flux {
		if out.AndMask[j]&spectrum.MaskBad != 0 {
			t.Errorf("pixel %d unexpectedly bad", j)
			continue
		}
		if out.Flux[j] != 3 && !near(out.Flux[j], 3, 1e-12, 0) {
			t.Errorf("pixel %d flux %v, want 3 (bad input leaked)", j, out.Flux[j])
		}
		touches10 := ge[j] < inEdges[11] && ge[j+1] > inEdges[10]
		wantOr := uint32(1 << 1)
		if touches10 {
			wantOr |= 1 << 4
		}
		if out.OrMask[j] != wantOr || out.AndMask[j]&(1<<1) == 0 {
			t.Errorf("pixel %d masks and=%x or=%x, want or=%x and ⊇ 2", j, out.AndMask[j], out.OrMask[j], wantOr)
		}
		// Bit 4 survives the AND only if pixel 10 is the sole contributor.
		only10 := ge[j] >= inEdges[10] && ge[j+1] <= inEdges[11]
		if (out.AndMask[j]&(1<<4) != 0) != only10 {
			t.Errorf("pixel %d and-mask %x: bit 4 should be %v", j, out.AndMask[j], only10)
		}
	}
	// An output pixel entirely covered by bad input is marked bad.
	for i := 3; i <= 9; i++ { // with pixel 5 already NaN
		s.Ivar[i] = 0
	}
	out, err = Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	nbad := 0
	for j := range out.Flux {
		if ge[j] >= inEdges[3] && ge[j+1] <= inEdges[10] {
			nbad++
			if !isMarkedBad(out, j) || out.Flux[j] != 0 {
				t.Errorf("pixel %d over dead input: flux %v ivar %v masks %x/%x", j, out.Flux[j], out.Ivar[j], out.AndMask[j], out.OrMask[j])
			}
		}
	}
	if nbad == 0 {
		t.Error("test layout should have an output pixel over dead input")
	}
}

func TestResampleWithoutIvar(t *testing.T) {
	wave := linearWave(5000, 0.5, 400)
	s := mkSpec(wave, constant(len(wave), 2), nil)
	g, _ := LogGrid(5010, 5180, 1e-4)
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	if out.Ivar != nil {
		t.Error("Ivar should stay nil when the input has none")
	}
	for j, f := range out.Flux {
		if !near(f, 2, 1e-12, 0) {
			t.Fatalf("pixel %d: flux %v, want 2", j, f)
		}
	}
}

func TestResampleErrors(t *testing.T) {
	good := mkSpec([]float64{5000, 5001, 5002}, []float64{1, 1, 1}, []float64{1, 1, 1})
	tests := []struct {
		name string
		s    *spectrum.Spectrum
		g    Grid
		want error
	}{
		{"nil", nil, LAMOSTGrid(), spectrum.ErrInvalid},
		{"one pixel", mkSpec([]float64{5000}, []float64{1}, []float64{1}), LAMOSTGrid(), ErrTooFewPixels},
		{"decreasing", mkSpec([]float64{5002, 5001}, []float64{1, 1}, nil), LAMOSTGrid(), spectrum.ErrInvalid},
		{"length mismatch", mkSpec([]float64{5000, 5001}, []float64{1, 1}, []float64{1}), LAMOSTGrid(), spectrum.ErrInvalid},
		{"bad grid", good, Grid{3.7, 0, 10}, ErrBadParameter},
	}
	for _, tc := range tests {
		_, err := Resample(tc.s, tc.g)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func BenchmarkResampleToLAMOST(b *testing.B) {
	sdss := SDSSGrid().Wavelengths()
	s := mkSpec(sdss, constant(len(sdss), 1), constant(len(sdss), 1))
	g := LAMOSTGrid()
	for b.Loop() {
		if _, err := Resample(s, g); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResampleFloat32Grid: wavelengths stored as float32 (as LAMOST and
// SDSS files do) are on the grid: each output pixel is its input pixel,
// bad pixels are marked, and a shift beyond float32 precision is
// resampled instead (the flux then mixes neighbouring pixels).
func TestResampleFloat32Grid(t *testing.T) {
	g := LAMOSTGrid()
	w := g.Wavelengths()
	flux := make([]float64, g.N)
	for i := range w {
		w[i] = float64(float32(w[i]))
		flux[i] = float64(i % 7)
	}
	s := mkSpec(w, flux, constant(g.N, 2))
	s.AndMask = make([]uint32, g.N)
	s.AndMask[10] = spectrum.MaskBad | 4
	s.AndMask[11] = 8
	s.Ivar[20] = 0 // no information
	s.Ivar[21] = math.Inf(1)
	out, err := Resample(s, g)
	if err != nil {
		t.Fatal(err)
	}
	for i := range flux {
		if i == 10 || i == 20 || i == 21 {
			wantMask := spectrum.MaskBad
			if i == 10 {
				wantMask |= 4
			}
			if out.Flux[i] != 0 || out.Ivar[i] != 0 || out.AndMask[i] != wantMask || out.OrMask[i]&spectrum.MaskBad == 0 {
				t.Errorf("bad pixel %d: flux %v ivar %v masks %#x %#x", i, out.Flux[i], out.Ivar[i], out.AndMask[i], out.OrMask[i])
			}
			continue
		}
		if out.Flux[i] != flux[i] || out.Ivar[i] != 2 {
			t.Fatalf("pixel %d: flux %v ivar %v, want %v 2", i, out.Flux[i], out.Ivar[i], flux[i])
		}
	}
	if out.AndMask[11] != 8 {
		t.Errorf("mask bits not carried: %#x", out.AndMask[11])
	}
	for i := range w {
		w[i] *= 1 + 1e-5 // 0.04 of a pixel: must be resampled
	}
	shifted, err := Resample(mkSpec(w, flux, constant(g.N, 2)), g)
	if err != nil {
		t.Fatal(err)
	}
	if shifted.Flux[100] == flux[100] {
		t.Error("a shift of 0.04 pixel was treated as on-grid")
	}
}
