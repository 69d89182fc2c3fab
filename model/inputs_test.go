package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// TestPrepareRamp checks the normalisation of a linear ramp against values
// worked out by hand: median 4.5, MAD 2, scale 1.4826·2.
func TestPrepareRamp(t *testing.T) {
	cfg := Config{Pixels: 8, Bin: 1, Patch: 4, Stride: 2}
	flux := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	ivar := []float32{4, 4, 4, 4, 4, 4, 4, 4}
	in, err := Prepare(cfg, flux, ivar, 1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Tokens != 3 || len(in.X) != 3*8 || len(in.Target) != 4*4 || in.Good[0] != 8 {
		t.Fatalf("tokens %d, len X %d, len target %d, good %d", in.Tokens, len(in.X), len(in.Target), in.Good[0])
	}
	const s = 1.4826 * 2
	noise := math.Log1p(s*2) / 4
	w := 1 / (1/(4*s*s) + 0.01)
	for tok := range 3 {
		for k := range 4 {
			j := 2*tok + k
			z := (float64(j+1) - 4.5) / s
			if got := float64(in.X[tok*8+k]); !near(got, z, 1e-6) {
				t.Errorf("token %d pixel %d: z %g, want %g", tok, k, got, z)
			}
			if got := float64(in.X[tok*8+4+k]); !near(got, noise, 1e-6) {
				t.Errorf("token %d pixel %d: noise channel %g, want %g", tok, k, got, noise)
			}
			if got := float64(in.Target[(tok+1)*4+k]); !near(got, z, 1e-6) {
				t.Errorf("token %d pixel %d: target %g, want %g", tok, k, got, z)
			}
			if got := float64(in.PixW[(tok+1)*4+k]); !near(got, w, 1e-6) {
				t.Errorf("token %d pixel %d: weight %g, want %g", tok, k, got, w)
			}
		}
	}
	for k := range 4 {
		if in.Target[k] != 0 || in.PixW[k] != 0 {
			t.Errorf("feature token has target %g weight %g", in.Target[k], in.PixW[k])
		}
	}
	// |f|·√ivar = 2, 4, …, 16: median 9.
	want := []float64{math.Asinh(4.5 / s), math.Log10(s) / 3, math.Log10(1 + 9), 1}
	for i, v := range want {
		if !near(float64(in.Feats[i]), v, 1e-6) {
			t.Errorf("feature %d = %g, want %g", i, in.Feats[i], v)
		}
	}
}

// TestPrepareBinningAndBadPixels bins pairs with inverse-variance weights
// and drops non-finite or non-positive-ivar pixels.
func TestPrepareBinningAndBadPixels(t *testing.T) {
	cfg := Config{Pixels: 8, Bin: 2, Patch: 1, Stride: 1}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	flux := []float32{1, 3, 2, nan, 5, 7, 9, 1}
	ivar := []float32{1, 3, 2, 1, 0, -1, inf, 0}
	in, err := Prepare(cfg, flux, ivar, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Binned: 2.5 (ivar 4), 2 (ivar 2), bad, bad. Median 2.25, MAD 0.25.
	if in.Good[0] != 3 || in.Tokens != 4 {
		t.Fatalf("good %d tokens %d, want 3 and 4", in.Good[0], in.Tokens)
	}
	s := 1.4826 * 0.25
	wantZ := []float64{0.25 / s, -0.25 / s, 0, 0}
	wantN := []float64{math.Log1p(s*2) / 4, math.Log1p(s*math.Sqrt(2)) / 4, 0, 0}
	for tok := range 4 {
		if z := float64(in.X[tok*2]); !near(z, wantZ[tok], 1e-6) {
			t.Errorf("token %d: z %g, want %g", tok, z, wantZ[tok])
		}
		if n := float64(in.X[tok*2+1]); !near(n, wantN[tok], 1e-6) {
			t.Errorf("token %d: noise %g, want %g", tok, n, wantN[tok])
		}
		if tok >= 2 && in.PixW[tok+1] != 0 {
			t.Errorf("bad token %d has weight %g", tok, in.PixW[tok+1])
		}
	}
	if got := float64(in.Feats[3]); !near(got, 0.5, 1e-6) {
		t.Errorf("good fraction %g, want 0.5", got)
	}
}

func TestPrepareEmptyAndErrors(t *testing.T) {
	cfg := Config{Pixels: 4, Bin: 1, Patch: 2, Stride: 2}
	in, err := Prepare(cfg, []float32{1, 2, 3, 4, 5, 6, 7, 8}, []float32{0, 0, 0, 0, 1, 1, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if in.Good[0] != 0 || in.Good[1] != 4 {
		t.Errorf("good %v, want [0 4]", in.Good)
	}
	for i := range 2 * 2 * 2 {
		if in.X[i] != 0 {
			t.Fatalf("empty spectrum has input %g at %d", in.X[i], i)
		}
	}
	if slices.ContainsFunc(in.Feats[:NumFeatures], func(v float32) bool { return v != 0 }) {
		t.Errorf("empty spectrum has features %v", in.Feats[:NumFeatures])
	}
	// A constant spectrum: MAD and standard deviation are 0, scale 1.
	in, err = Prepare(cfg, []float32{3, 3, 3, 3}, []float32{1, 1, 1, 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if in.X[0] != 0 || !near(float64(in.Feats[1]), 0, 1e-9) {
		t.Errorf("constant spectrum: z %g, log scale %g; want 0, 0", in.X[0], in.Feats[1])
	}
	if _, err := Prepare(cfg, make([]float32, 7), make([]float32, 8), 2); err == nil {
		t.Error("short flux: no error")
	}
}

func TestMaskTokens(t *testing.T) {
	const size, tokens = 50, 40
	m := MaskTokens(rand.New(rand.NewPCG(1, 2)), size, tokens, 0.3, 3)
	for b := range size {
		row := m[b*(tokens+1) : (b+1)*(tokens+1)]
		if row[0] != 0 {
			t.Fatalf("spectrum %d: feature token masked", b)
		}
		n := 0
		for _, v := range row {
			if v != 0 && v != 1 {
				t.Fatalf("mask value %g", v)
			}
			n += int(v)
		}
		if n != 12 {
			t.Errorf("spectrum %d: %d masked tokens, want round(0.3·40) = 12", b, n)
		}
	}
	again := MaskTokens(rand.New(rand.NewPCG(1, 2)), size, tokens, 0.3, 3)
	if !slices.Equal(m, again) {
		t.Error("same seed, different masks")
	}
	other := MaskTokens(rand.New(rand.NewPCG(1, 3)), size, tokens, 0.3, 3)
	if slices.Equal(m, other) {
		t.Error("different seeds, same masks")
	}
	none := MaskTokens(rand.New(rand.NewPCG(1, 2)), 3, tokens, 0, 3)
	if slices.Contains(none, 1) {
		t.Error("ratio 0 masked something")
	}
}

func BenchmarkPrepare(b *testing.B) {
	cfg, _ := ConfigByName("small")
	const size = 64
	flux, ivar := noisySpectra(cfg, size, 1, 0)
	b.ResetTimer()
	for range b.N {
		if _, err := Prepare(cfg, flux, ivar, size); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "spectra/s")
}

// TestMedian compares the selection-based median with sorting on random
// data with ties, and on small analytic cases.
func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		v    []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{2, 1}, 1.5}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 4, 1, 9}, 4}} {
		if got := newSelector(len(tc.v)).median(slices.Clone(tc.v)); got != tc.want {
			t.Errorf("median(%v) = %g, want %g", tc.v, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		if trial%3 == 0 { // spectrum-sized, beyond the sampled bracket's 512
			n = 500 + rng.IntN(3500)
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(1 + trial%20)) // many ties
			if trial%2 == 0 {
				v[i] += rng.NormFloat64()
			}
		}
		s := slices.Clone(v)
		slices.Sort(s)
		want := s[n/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		if got := newSelector(len(v)).median(v); got != want {
			t.Fatalf("trial %d (n=%d): median %g, want %g", trial, n, got, want)
		}
	}
}

// TestPrepareWithoutTargets: the inference path gives the same inputs as
// Prepare, without the reconstruction targets and weights.
func TestPrepareWithoutTargets(t *testing.T) {
	cfg, _ := ConfigByName("small")
	const size = 3
	flux, ivar := noisySpectra(cfg, size, 2, 17)
	full, err := Prepare(cfg, flux, ivar, size)
	if err != nil {
		t.Fatal(err)
	}
	inf, err := prepare(cfg, flux, ivar, size, false)
	if err != nil {
		t.Fatal(err)
	}
	if inf.Target != nil || inf.PixW != nil {
		t.Error("the inference inputs have reconstruction targets")
	}
	if !slices.Equal(full.X, inf.X) || !slices.Equal(full.Feats, inf.Feats) || !slices.Equal(full.Good, inf.Good) {
		t.Error("the inference inputs differ from Prepare's")
	}
}

// noisySpectra makes size spectra of flux 100 ± 10 (Gaussian, seeded)
// with ivar 0.01, every badEvery-th pixel bad (ivar 0) when badEvery > 0.
func noisySpectra(cfg Config, size int, seed uint64, badEvery int) (flux, ivar []float32) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	flux = make([]float32, size*cfg.Pixels)
	ivar = make([]float32, size*cfg.Pixels)
	for i := range flux {
		flux[i] = float32(100 + 10*rng.NormFloat64())
		if badEvery <= 0 || i%badEvery != 0 {
			ivar[i] = 0.01
		}
	}
	return flux, ivar
}

// TestRobustStatsAgainstSorting checks robustStats against medians taken
// by sorting, on spectrum-sized inputs of both parities with bad pixels:
// the selection must not disturb the values the MAD and the moments are
// computed from afterwards.
func TestRobustStatsAgainstSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	sortedMedian := func(v []float64) float64 {
		s := slices.Clone(v)
		slices.Sort(s)
		n := len(s)
		if n%2 == 1 {
			return s[n/2]
		}
		return (s[n/2-1] + s[n/2]) / 2
	}
	for _, n := range []int{3908, 3907, 700, 33} {
		f, iv := make([]float64, n), make([]float64, n)
		var good, mags []float64
		for j := range f {
			f[j] = 100 + 10*rng.NormFloat64() + 0.01*float64(j)
			if j%11 != 0 {
				iv[j] = 0.01 + 0.001*rng.Float64()
				good = append(good, f[j])
				mags = append(mags, math.Abs(f[j])*math.Sqrt(iv[j]))
			}
		}
		med := sortedMedian(good)
		dev := make([]float64, len(good))
		for i, x := range good {
			dev[i] = math.Abs(x - med)
		}
		wantScale, wantSNR := 1.4826*sortedMedian(dev), sortedMedian(mags)
		gotMed, gotScale, gotSNR, gotN := robustStats(f, iv, make([]float64, 0, n), newSelector(n))
		if gotMed != med || gotScale != wantScale || gotSNR != wantSNR || gotN != len(good) {
			t.Errorf("n=%d: median %v, scale %v, S/N %v, %d good; want %v, %v, %v, %d",
				n, gotMed, gotScale, gotSNR, gotN, med, wantScale, wantSNR, len(good))
		}
	}
}
