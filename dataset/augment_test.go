package dataset

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// gaussianLine returns a spectrum on g: continuum c plus a Gaussian of
// amplitude a, centre mu and width sigma (pixels), with ivar 1 everywhere.
func gaussianLine(g prep.Grid, c, a, mu, sigma float64) Example {
	ex := Example{ID: "line", Flux: make([]float32, g.N), Ivar: make([]float32, g.N), Labels: Unlabelled()}
	for i := range ex.Flux {
		d := (float64(i) - mu) / sigma
		ex.Flux[i] = float32(c + a*math.Exp(-0.5*d*d))
		ex.Ivar[i] = 1
	}
	return ex
}

// centroid returns Σ i·(f_i − c) / Σ (f_i − c) over [lo, hi).
func centroid(f []float32, c float64, lo, hi int) float64 {
	var s, sw float64
	for i := lo; i < hi; i++ {
		w := float64(f[i]) - c
		s += float64(i) * w
		sw += w
	}
	return s / sw
}

func TestShiftPixelsMovesLine(t *testing.T) {
	g := prep.LAMOSTGrid()
	for _, shift := range []float64{0, 7.3, -4.75, 0.5, 12, -0.01} {
		ex := gaussianLine(g, 0, 100, 1500, 3)
		df, di := make([]float32, g.N), make([]float32, g.N)
		ShiftPixels(ex.Flux, ex.Ivar, shift, df, di)
		got := centroid(df, 0, 1400, 1600)
		if math.Abs(got-(1500+shift)) > 1e-4 {
			t.Errorf("shift %v: centroid %v, want %v", shift, got, 1500+shift)
		}
		// Flux conserved (the line is far from the ends).
		var in, out float64
		for i := range df {
			in += float64(ex.Flux[i])
			out += float64(df[i])
		}
		if math.Abs(out-in) > 1e-4*in {
			t.Errorf("shift %v: flux sum %v, was %v", shift, out, in)
		}
		// Variance: a pixel mixing two unit-variance pixels with weights
		// 1−f, f has σ² = (1−f)² + f².
		f := shift - math.Floor(shift)
		wantIvar := 1 / ((1-f)*(1-f) + f*f)
		if math.Abs(float64(di[2000])-wantIvar) > 1e-5*wantIvar {
			t.Errorf("shift %v: ivar %v, want %v", shift, di[2000], wantIvar)
		}
	}
}

func TestShiftPixelsEdgesAndMasks(t *testing.T) {
	flux := []float32{1, 2, 3, 4, 5, 6}
	ivar := []float32{1, 1, 0, 1, 1, 1} // pixel 2 masked (flux would be 0 in a loaded example)
	df, di := make([]float32, 6), make([]float32, 6)
	ShiftPixels(flux, ivar, 2, df, di)
	// Shifted in from beyond the start: no data. Pixel 4 takes input 2, masked.
	wantF := []float32{0, 0, 1, 2, 0, 4}
	wantI := []float32{0, 0, 1, 1, 0, 1}
	if !slices.Equal(df, wantF) || !slices.Equal(di, wantI) {
		t.Errorf("shift 2: flux %v ivar %v, want %v %v", df, di, wantF, wantI)
	}
	ShiftPixels(flux, ivar, -1.5, df, di)
	// Output j mixes inputs j+2 (weight 0.5) and j+1 (0.5), good ones only.
	wantF = []float32{2, 4, 4.5, 5.5, 6, 0}
	if !slices.Equal(df, wantF) || di[5] != 0 || di[0] != 1 || di[2] != 2 {
		t.Errorf("shift -1.5: flux %v ivar %v, want flux %v", df, di, wantF)
	}
	ShiftPixels(flux, ivar, math.NaN(), df, di)
	if slices.ContainsFunc(di, func(v float32) bool { return v != 0 }) {
		t.Error("NaN shift kept data")
	}
}

func TestAugmentRVShiftAndLabels(t *testing.T) {
	g := prep.LAMOSTGrid()
	ex := gaussianLine(g, 0, 100, 2000, 2)
	ex.Labels.Class = 5
	ex.Labels.Params[ParamRV] = 40
	a := Augment{RVSigmaKmS: 200}
	var dst Example
	// Reproduce the draw: Apply takes one normal for v first.
	seed := uint64(3)
	v := 200 * rand.New(rand.NewPCG(seed, 0)).NormFloat64()
	a.Apply(rand.New(rand.NewPCG(seed, 0)), &ex, g, &dst)
	beta := v / prep.SpeedOfLightKmS
	wantShift := math.Log10(1+beta) / g.Log10Step
	if got := centroid(dst.Flux, 0, 1900, 2100) - 2000; math.Abs(got-wantShift) > 1e-4 {
		t.Errorf("line moved %v pixels, want %v (v = %v km/s)", got, wantShift, v)
	}
	// Wavelength of the centroid scales by 1 + v/c.
	lam := math.Pow(10, g.Log10Start+centroid(dst.Flux, 0, 1900, 2100)*g.Log10Step)
	if want := g.WavelengthAA(2000) * (1 + beta); math.Abs(lam/want-1) > 1e-8 {
		t.Errorf("line at %v Å, want %v Å", lam, want)
	}
	wantRV := prep.SpeedOfLightKmS * ((1+40/prep.SpeedOfLightKmS)*(1+beta) - 1)
	if math.Abs(dst.Labels.Params[ParamRV]-wantRV) > 1e-9 || math.Abs(wantRV-(40+v)) > 1 {
		t.Errorf("RV label %v, want %v (≈ 40 + %v)", dst.Labels.Params[ParamRV], wantRV, v)
	}
	if !math.IsNaN(dst.Labels.Params[ParamZ]) || !math.IsNaN(dst.Labels.Params[ParamTeff]) {
		t.Errorf("undefined labels changed: %v", dst.Labels.Params)
	}
	if ex.Flux[2000] != float32(100) || ex.Labels.Params[ParamRV] != 40 {
		t.Error("the source example was modified")
	}

	// A QSO: z composes as (1+z)(1+v/c) − 1.
	q := gaussianLine(g, 0, 100, 2000, 2)
	q.Labels.Class, q.Labels.Params[ParamZ] = 9, 2.0
	a.Apply(rand.New(rand.NewPCG(seed, 0)), &q, g, &dst)
	if want := 3*(1+beta) - 1; math.Abs(dst.Labels.Params[ParamZ]-want) > 1e-12 {
		t.Errorf("z label %v, want %v", dst.Labels.Params[ParamZ], want)
	}
	if !math.IsNaN(dst.Labels.Params[ParamRV]) {
		t.Errorf("QSO got an RV %v", dst.Labels.Params[ParamRV])
	}
}

func TestAugmentNoisePulls(t *testing.T) {
	g := prep.LAMOSTGrid()
	ex := gaussianLine(g, 100, 0, 0, 1) // flat 100, ivar 1: per-pixel S/N 100
	ex.Labels.SNR = 100
	a := Augment{MinSNR: 10}
	var dst Example
	var pulls []float64
	var logTargets []float64
	rng := rand.New(rand.NewPCG(11, 12))
	for range 40 {
		a.Apply(rng, &ex, g, &dst)
		target := dst.Labels.SNR
		if !(target >= 10 && target <= 100) {
			t.Fatalf("target S/N %v outside [10, 100]", target)
		}
		logTargets = append(logTargets, math.Log(target))
		k := 100 / target
		for i := range dst.Flux {
			if want := float32(1 / (k * k)); math.Abs(float64(dst.Ivar[i]/want-1)) > 1e-6 {
				t.Fatalf("ivar %v, want %v", dst.Ivar[i], want)
			}
			pulls = append(pulls, (float64(dst.Flux[i])-100)/math.Sqrt(k*k-1))
		}
		// The S/N measured on the output matches the label.
		if got := GBandSNR(dst.Flux, dst.Ivar, g); math.Abs(got/target-1) > 0.05 {
			t.Errorf("measured S/N %v, label %v", got, target)
		}
	}
	mean, std := meanStd(pulls)
	// 156k pulls: the mean's σ is 0.0025, the std's 0.0018.
	if math.Abs(mean) > 0.012 || math.Abs(std-1) > 0.01 {
		t.Errorf("pulls: mean %v std %v, want 0, 1", mean, std)
	}
	// Log-uniform targets: mean of ln s' is (ln 10 + ln 100)/2, σ = ln 10/√12.
	m, _ := meanStd(logTargets)
	if want := math.Log(1000) / 2; math.Abs(m-want) > 3*math.Log(10)/math.Sqrt(12)/math.Sqrt(40) {
		t.Errorf("mean ln target %v, want %v", m, want)
	}
	// S/N unknown: measured from the spectrum instead.
	ex.Labels.SNR = math.NaN()
	a.Apply(rand.New(rand.NewPCG(1, 2)), &ex, g, &dst)
	if !(dst.Labels.SNR >= 10 && dst.Labels.SNR < 100) {
		t.Errorf("target from the measured S/N: %v", dst.Labels.SNR)
	}
	// Already below MinSNR, or KeepSNRProb 1: unchanged.
	ex.Labels.SNR = 5
	a.Apply(rng, &ex, g, &dst)
	b := Augment{MinSNR: 10, KeepSNRProb: 1}
	ex2 := ex
	ex2.Labels.SNR = 100
	var dst2 Example
	b.Apply(rng, &ex2, g, &dst2)
	if !slices.Equal(dst.Flux, ex.Flux) || dst.Labels.SNR != 5 || !slices.Equal(dst2.Flux, ex.Flux) || dst2.Labels.SNR != 100 {
		t.Error("noise added where it should not be")
	}
}

// meanStd returns the mean and population standard deviation.
func meanStd(x []float64) (float64, float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	m := s / float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)))
}

func TestAugmentFluxScale(t *testing.T) {
	g := prep.LAMOSTGrid()
	ex := gaussianLine(g, 50, 30, 1000, 4)
	for i := range ex.Ivar {
		ex.Ivar[i] = float32(0.5 + float64(i%7))
	}
	ex.Ivar[10], ex.Flux[10] = 0, 0
	a := Augment{FluxScale: [2]float64{0.5, 4}}
	var dst Example
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		a.Apply(rng, &ex, g, &dst)
		s := float64(dst.Flux[0] / ex.Flux[0])
		if s < 0.5-1e-6 || s > 4+1e-6 {
			t.Fatalf("scale %v outside [0.5, 4]", s)
		}
		for i := range ex.Flux {
			if ex.Ivar[i] == 0 {
				if dst.Ivar[i] != 0 || dst.Flux[i] != 0 {
					t.Fatalf("masked pixel became %v/%v", dst.Flux[i], dst.Ivar[i])
				}
				continue
			}
			// One factor for all pixels, and S/N per pixel unchanged.
			if r := float64(dst.Flux[i] / ex.Flux[i]); math.Abs(r/s-1) > 1e-6 {
				t.Fatalf("pixel %d scaled by %v, pixel 0 by %v", i, r, s)
			}
			snr0 := float64(ex.Flux[i]) * math.Sqrt(float64(ex.Ivar[i]))
			snr1 := float64(dst.Flux[i]) * math.Sqrt(float64(dst.Ivar[i]))
			if math.Abs(snr1/snr0-1) > 1e-6 {
				t.Fatalf("pixel %d: S/N %v -> %v", i, snr0, snr1)
			}
		}
	}
}

func TestAugmentZeroAndInPlace(t *testing.T) {
	g := prep.LAMOSTGrid()
	ex := gaussianLine(g, 10, 5, 700, 3)
	ex.Labels.SNR = 80
	var dst Example
	Augment{}.Apply(rand.New(rand.NewPCG(1, 1)), &ex, g, &dst)
	if !slices.Equal(dst.Flux, ex.Flux) || !slices.Equal(dst.Ivar, ex.Ivar) || dst.Labels.SNR != 80 || dst.ID != ex.ID {
		t.Error("the zero Augment changed the example")
	}
	// In place gives the same as into a separate destination.
	a := Augment{RVSigmaKmS: 100, MinSNR: 5, FluxScale: [2]float64{0.5, 2}}
	a.Apply(rand.New(rand.NewPCG(9, 9)), &ex, g, &dst)
	a.Apply(rand.New(rand.NewPCG(9, 9)), &ex, g, &ex)
	if !slices.Equal(dst.Flux, ex.Flux) || !slices.Equal(dst.Ivar, ex.Ivar) || dst.Labels.SNR != ex.Labels.SNR {
		t.Error("in-place Apply differs")
	}
}

func TestGBandSNR(t *testing.T) {
	g := prep.LAMOSTGrid()
	flux, ivar := make([]float32, g.N), make([]float32, g.N)
	for i := range flux {
		w := g.WavelengthAA(i)
		flux[i], ivar[i] = 1000, 1
		if w >= 4000 && w <= 5500 {
			flux[i] = float32(20 + i%3) // S/N 20, 21, 22: median 21
		}
	}
	if got := GBandSNR(flux, ivar, g); got != 21 {
		t.Errorf("g-band S/N %v, want 21", got)
	}
	clear(ivar)
	if got := GBandSNR(flux, ivar, g); !math.IsNaN(got) {
		t.Errorf("no good pixel: %v", got)
	}
}
