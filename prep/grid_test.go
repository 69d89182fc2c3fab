package prep

import (
	"errors"
	"math"
	"testing"
)

func TestSurveyGrids(t *testing.T) {
	tests := []struct {
		name           string
		g              Grid
		n              int
		firstAA, lastA float64
	}{
		{"LAMOST", LAMOSTGrid(), 3908, 3699.99, 9097.04},
		{"SDSS", SDSSGrid(), 4648, 3566.97, 10399.20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.g.Validate(); err != nil {
				t.Fatal(err)
			}
			w := tc.g.Wavelengths()
			if len(w) != tc.n {
				t.Fatalf("%d pixels, want %d", len(w), tc.n)
			}
			if math.Abs(w[0]-tc.firstAA) > 0.01 || math.Abs(w[len(w)-1]-tc.lastA) > 0.01 {
				t.Errorf("range %.3f … %.3f Å, want %.2f … %.2f", w[0], w[len(w)-1], tc.firstAA, tc.lastA)
			}
			if tc.g.MinAA() != w[0] || tc.g.MaxAA() != w[len(w)-1] {
				t.Errorf("MinAA/MaxAA %v/%v disagree with Wavelengths", tc.g.MinAA(), tc.g.MaxAA())
			}
			e := tc.g.Edges()
			if len(e) != tc.n+1 {
				t.Fatalf("%d edges, want %d", len(e), tc.n+1)
			}
			for i := range w {
				// Each centre lies half a log step above its lower edge.
				if d := math.Log10(w[i]/e[i]) - tc.g.Log10Step/2; math.Abs(d) > 1e-12 {
					t.Fatalf("pixel %d: log10(λ/edge) off by %v", i, d)
				}
				if !(e[i] < w[i] && w[i] < e[i+1]) {
					t.Fatalf("pixel %d: centre %v not inside [%v, %v]", i, w[i], e[i], e[i+1])
				}
			}
		})
	}
}

func TestGridValidate(t *testing.T) {
	tests := []struct {
		name string
		g    Grid
		ok   bool
	}{
		{"lamost", LAMOSTGrid(), true},
		{"one pixel", Grid{3.7, 1e-4, 1}, true},
		{"zero pixels", Grid{3.7, 1e-4, 0}, false},
		{"negative pixels", Grid{3.7, 1e-4, -5}, false},
		{"too many pixels", Grid{3.7, 1e-9, 1 << 27}, false},
		{"zero step", Grid{3.7, 0, 10}, false},
		{"negative step", Grid{3.7, -1e-4, 10}, false},
		{"NaN start", Grid{math.NaN(), 1e-4, 10}, false},
		{"Inf step", Grid{3.7, math.Inf(1), 10}, false},
		{"overflow", Grid{299, 1, 10}, false},
	}
	for _, tc := range tests {
		err := tc.g.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadParameter) {
			t.Errorf("%s: error %v does not wrap ErrBadParameter", tc.name, err)
		}
	}
	var empty Grid
	if empty.Wavelengths() != nil || empty.Edges() != nil {
		t.Error("zero Grid should give nil wavelengths and edges")
	}
}

func TestLogGrid(t *testing.T) {
	g, err := LogGrid(4000, 5000, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	want := int(math.Ceil(math.Log10(5000.0/4000)/1e-4-1e-9)) + 1
	if g.N != want || math.Abs(g.MinAA()-4000) > 1e-9 || g.MaxAA() < 5000-1e-6 {
		t.Errorf("LogGrid = %+v (%v … %v Å), want %d pixels from 4000 Å reaching 5000 Å", g, g.MinAA(), g.MaxAA(), want)
	}
	for _, bad := range [][3]float64{{0, 5000, 1e-4}, {5000, 4000, 1e-4}, {4000, 5000, 0}, {4000, math.NaN(), 1e-4}} {
		if _, err := LogGrid(bad[0], bad[1], bad[2]); !errors.Is(err, ErrBadParameter) {
			t.Errorf("LogGrid%v: err = %v, want ErrBadParameter", bad, err)
		}
	}
}
