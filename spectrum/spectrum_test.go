package spectrum

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		wave []float64
		ivar []float64
		want string // "" for valid
	}{
		{"ok", []float64{1, 2, 3}, []float64{0, 1, inf}, ""},
		{"no ivar", []float64{1, 2, 3}, nil, ""},
		{"zero first", []float64{0, 2, 3}, nil, "wavelength[0]=0"},
		{"negative first", []float64{-1, 2, 3}, nil, "wavelength[0]=-1"},
		{"NaN first", []float64{nan, 2, 3}, nil, "wavelength[0]=NaN"},
		{"NaN middle", []float64{1, nan, 3}, nil, "wavelength[1]=NaN"},
		{"equal", []float64{1, 2, 2}, nil, "not increasing at pixel 2"},
		{"decreasing", []float64{1, 3, 2}, nil, "not increasing at pixel 2"},
		{"Inf last", []float64{1, 2, inf}, nil, "wavelength[2]=+Inf"},
		{"NaN ivar", []float64{1, 2, 3}, []float64{1, nan, 1}, "ivar[1]=NaN"},
		{"negative ivar", []float64{1, 2, 3}, []float64{1, 1, -1}, "ivar[2]=-1"},
		{"short ivar", []float64{1, 2, 3}, []float64{1}, "1 ivar values for 3"},
	}
	for _, c := range cases {
		s := &Spectrum{WavelengthAA: c.wave, Flux: make([]float64, 3), Ivar: c.ivar}
		err := s.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if err := (&Spectrum{}).Validate(); err == nil {
		t.Error("empty spectrum accepted")
	}
	s := &Spectrum{WavelengthAA: []float64{1, 2}, Flux: []float64{1, 2}, Extra: map[string][]float64{"sky": {1}}}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `"sky"`) {
		t.Errorf("short extra array: %v", err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	s := testSpectrum(1, 10)
	s.Extra = map[string][]float64{"sky": make([]float64, 10)}
	c := s.Clone()
	c.Flux[0], c.Ivar[0], c.AndMask[0], c.Extra["sky"][0], c.Meta.SNR["g"] = -1, -1, 99, -1, -1
	if s.Flux[0] == -1 || s.Ivar[0] == -1 || s.AndMask[0] == 99 || s.Extra["sky"][0] == -1 || s.Meta.SNR["g"] == -1 {
		t.Error("Clone shares storage with the original")
	}
}
