package dataset

import (
	"math"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// LAMOSTGridForTest is the LAMOST grid (a name for test tables).
func LAMOSTGridForTest() prep.Grid { return prep.LAMOSTGrid() }

// labelled returns an example with the given parameters.
func labelled(class int, p ...float64) Example {
	l := Unlabelled()
	l.Class = class
	copy(l.Params[:], p)
	return Example{Labels: l}
}

func TestFitNormalizer(t *testing.T) {
	nan := math.NaN()
	set := &Set{Examples: []Example{
		labelled(5, 1000, 1, -1, 10, nan),
		labelled(5, 10000, 3, 0, 30, nan),
		labelled(5, 100000, nan, 1, nan, nan), // logg undefined here
		labelled(9, nan, nan, nan, nan, 2),
		labelled(9, nan, nan, nan, nan, 2), // z constant: the floor applies
	}}
	n := FitNormalizer(set)
	// log10 Teff = 3, 4, 5: mean 4, population σ √(2/3).
	want := Normalizer{
		Mean: [NumParams]float64{4, 2, 0, 20, 2},
		Std:  [NumParams]float64{math.Sqrt(2.0 / 3), 1, math.Sqrt(2.0 / 3), 10, StdFloor[ParamZ]},
		Log:  [NumParams]bool{ParamTeff: true},
	}
	for k := range NumParams {
		if math.Abs(n.Mean[k]-want.Mean[k]) > 1e-12 || math.Abs(n.Std[k]-want.Std[k]) > 1e-12 || n.Log[k] != want.Log[k] {
			t.Errorf("%s: mean %v std %v log %v, want %v %v %v", ParamNames[k], n.Mean[k], n.Std[k], n.Log[k], want.Mean[k], want.Std[k], want.Log[k])
		}
	}
	// No defined value at all: mean 0, std 1.
	if e := FitNormalizer(&Set{Examples: []Example{labelled(-1)}}); e.Mean[ParamLogg] != 0 || e.Std[ParamLogg] != 1 {
		t.Errorf("empty: %+v", e)
	}
}

func TestNormalizerEncodeDecode(t *testing.T) {
	n := Normalizer{Mean: [NumParams]float64{3.7, 3, -0.5, 0, 1}, Std: [NumParams]float64{0.1, 1.5, 0.5, 50, 1}, Log: [NumParams]bool{ParamTeff: true}}
	p := [NumParams]float64{5011.872336272722, 4.5, -1.5, 100, math.NaN()} // 10^3.7 = 5011.87
	y, w := n.Encode(p)
	wantY := [NumParams]float32{0, 1, -2, 2, 0}
	wantW := [NumParams]float32{1, 1, 1, 1, 0}
	for k := range NumParams {
		if math.Abs(float64(y[k]-wantY[k])) > 1e-6 || w[k] != wantW[k] {
			t.Errorf("%s: y %v w %v, want %v %v", ParamNames[k], y[k], w[k], wantY[k], wantW[k])
		}
	}
	back := n.Decode(y)
	for k := range ParamZ {
		if math.Abs(back[k]-p[k]) > 1e-5*math.Max(1, math.Abs(p[k])) {
			t.Errorf("%s: round trip %v -> %v", ParamNames[k], p[k], back[k])
		}
	}
	// Non-positive Teff cannot be logged: weight 0.
	if y, w := n.Encode([NumParams]float64{-5, 0, 0, 0, 0}); w[ParamTeff] != 0 || y[ParamTeff] != 0 {
		t.Errorf("negative Teff encoded as %v (w %v)", y[ParamTeff], w[ParamTeff])
	}
	// Round trip over a range of values.
	for _, teff := range []float64{2500, 4480, 6000, 35000} {
		for _, z := range []float64{0, 0.3, 3.9} {
			q := [NumParams]float64{teff, 2.1, -1.3, -250, z}
			y, _ := n.Encode(q)
			r := n.Decode(y)
			for k := range NumParams {
				if math.Abs(r[k]-q[k]) > 2e-6*math.Max(1, math.Abs(q[k])) {
					t.Errorf("%s: %v -> %v", ParamNames[k], q[k], r[k])
				}
			}
		}
	}
}

func TestNormalizerDecodeSigma(t *testing.T) {
	n := Normalizer{Mean: [NumParams]float64{3.7, 3, -0.5, 0, 1}, Std: [NumParams]float64{0.1, 1.5, 0.5, 50, 2}, Log: [NumParams]bool{ParamTeff: true}}
	y := [NumParams]float32{0, 0, 0, 0, 0}
	sy := [NumParams]float32{0.01, 0.1, 0.2, 0.5, 0.005}
	s := n.DecodeSigma(y, sy)
	// Teff = 10^3.7; σ_logT = 0.01·0.1 = 0.001 dex → σ_T = T·ln10·0.001.
	teff := math.Pow(10, 3.7)
	want := [NumParams]float64{teff * math.Ln10 * 0.001, 0.15, 0.1, 25, 0.01}
	for k := range NumParams {
		if math.Abs(s[k]-want[k]) > 1e-6*want[k] {
			t.Errorf("%s: σ %v, want %v", ParamNames[k], s[k], want[k])
		}
	}
	// The delta method agrees with the spread of 10^(y·Std+Mean) for a small σ.
	lo := n.Decode([NumParams]float32{-0.01})[ParamTeff]
	hi := n.Decode([NumParams]float32{0.01})[ParamTeff]
	if got := (hi - lo) / 2; math.Abs(got/s[ParamTeff]-1) > 1e-4 {
		t.Errorf("finite-difference σ_T %v, delta method %v", got, s[ParamTeff])
	}
}
