package prep

import (
	"errors"
	"math"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

func TestMaskBadPixels(t *testing.T) {
	n := 60
	wave := linearWave(5000, 1, n)
	rng := newRand(5)
	base := func() *spectrum.Spectrum {
		flux := make([]float64, n)
		for i := range flux {
			flux[i] = 100 + rng.NormFloat64()
		}
		return mkSpec(wave, flux, constant(n, 1))
	}
	tests := []struct {
		name  string
		setup func(s *spectrum.Spectrum)
		opt   MaskOptions
		bad   []int // pixels expected bad afterwards
		count int
	}{
		{"clean", func(*spectrum.Spectrum) {}, DefaultMaskOptions(), nil, 0},
		{"NaN flux", func(s *spectrum.Spectrum) { s.Flux[3] = math.NaN() }, DefaultMaskOptions(), []int{3}, 1},
		{"Inf flux", func(s *spectrum.Spectrum) { s.Flux[4] = math.Inf(-1) }, DefaultMaskOptions(), []int{4}, 1},
		{"NaN ivar", func(s *spectrum.Spectrum) { s.Ivar[5] = math.NaN() }, DefaultMaskOptions(), []int{5}, 1},
		{"Inf ivar", func(s *spectrum.Spectrum) { s.Ivar[5] = math.Inf(1) }, DefaultMaskOptions(), []int{5}, 1},
		{"negative ivar", func(s *spectrum.Spectrum) { s.Ivar[6] = -1 }, DefaultMaskOptions(), []int{6}, 1},
		{"zero ivar", func(s *spectrum.Spectrum) { s.Ivar[7] = 0 }, DefaultMaskOptions(), []int{7}, 1},
		{"survey bit selected", func(s *spectrum.Spectrum) {
			s.AndMask = make([]uint32, n)
			s.AndMask[8] = 1 << 23
			s.AndMask[9] = 1 << 2
		}, MaskOptions{SurveyBits: 1 << 23}, []int{8}, 1},
		{"any survey bit", func(s *spectrum.Spectrum) {
			s.AndMask = make([]uint32, n)
			s.AndMask[8] = 1 << 23
			s.AndMask[9] = 1 << 2
		}, DefaultMaskOptions(), []int{8, 9}, 2},
		{"or-mask only is kept", func(s *spectrum.Spectrum) {
			s.OrMask = make([]uint32, n)
			s.OrMask[8] = 1 << 23
		}, DefaultMaskOptions(), nil, 0},
		{"already bad not counted", func(s *spectrum.Spectrum) {
			s.OrMask = make([]uint32, n)
			s.OrMask[10] = spectrum.MaskBad
			s.Flux[11] = math.NaN()
		}, DefaultMaskOptions(), []int{10, 11}, 1},
		{"cosmic ray", func(s *spectrum.Spectrum) { s.Flux[30] += 50; s.Flux[31] += 30; s.Flux[40] -= 50 },
			MaskOptions{ClipSigma: 6, ClipWindow: 9}, []int{30, 31}, 2},
		{"cosmic ray and dip", func(s *spectrum.Spectrum) { s.Flux[30] += 50; s.Flux[40] -= 50 },
			MaskOptions{ClipSigma: 6, ClipWindow: 9, ClipNegative: true}, []int{30, 40}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.setup(s)
			before := s.Clone()
			out, count, err := MaskBadPixels(s, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, before, s)
			if count != tc.count {
				t.Errorf("count = %d, want %d", count, tc.count)
			}
			want := map[int]bool{}
			for _, i := range tc.bad {
				want[i] = true
			}
			for i := range n {
				if want[i] != isMarkedBad(out, i) {
					t.Errorf("pixel %d: bad=%v, want %v", i, isMarkedBad(out, i), want[i])
				}
				if math.IsNaN(out.Flux[i]) || math.IsInf(out.Flux[i], 0) {
					t.Errorf("pixel %d: flux %v left non-finite", i, out.Flux[i])
				}
				if !want[i] && out.Flux[i] != s.Flux[i] {
					t.Errorf("pixel %d: good flux changed", i)
				}
			}
			if err := out.Validate(); err != nil {
				t.Errorf("output invalid: %v", err)
			}
		})
	}
}

func TestMaskBadPixelsNoIvar(t *testing.T) {
	n := 40
	flux := constant(n, 10)
	flux[20] = 1000
	flux[5] = math.NaN()
	out, count, err := MaskBadPixels(mkSpec(linearWave(4000, 1, n), flux, nil), MaskOptions{ClipSigma: 5, ClipWindow: 7})
	if err != nil {
		t.Fatal(err)
	}
	if count != 2 || !isMarkedBad(out, 20) || !isMarkedBad(out, 5) || out.Ivar != nil {
		t.Errorf("count %d, bad(20)=%v bad(5)=%v", count, isMarkedBad(out, 20), isMarkedBad(out, 5))
	}
}

func TestMaskBadPixelsErrors(t *testing.T) {
	s := mkSpec([]float64{1, 2, 3}, []float64{1, 1, 1}, []float64{1, 1, 1})
	tests := []struct {
		name string
		s    *spectrum.Spectrum
		opt  MaskOptions
		want error
	}{
		{"nil", nil, DefaultMaskOptions(), spectrum.ErrInvalid},
		{"ivar length", mkSpec([]float64{1, 2}, []float64{1, 1}, []float64{1}), DefaultMaskOptions(), spectrum.ErrInvalid},
		{"decreasing wavelengths", mkSpec([]float64{2, 1}, []float64{1, 1}, nil), DefaultMaskOptions(), spectrum.ErrInvalid},
		{"negative sigma", s, MaskOptions{ClipSigma: -1}, ErrBadParameter},
		{"even window", s, MaskOptions{ClipSigma: 5, ClipWindow: 8}, ErrBadParameter},
		{"tiny window", s, MaskOptions{ClipSigma: 5, ClipWindow: 1}, ErrBadParameter},
	}
	for _, tc := range tests {
		if _, _, err := MaskBadPixels(tc.s, tc.opt); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
