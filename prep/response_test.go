package prep

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

func TestApplyResponse(t *testing.T) {
	// A linear response is interpolated exactly from sparse points.
	resp := func(w float64) float64 { return 2 + 0.001*(w-5000) }
	rw := []float64{4500, 5200, 5900, 6600}
	rv := mapWave(rw, resp)
	wave := linearWave(4400, 5, 480) // 4400 … 6795 Å: both ends outside the curve
	flux := mapWave(wave, func(w float64) float64 { return 3 * resp(w) })
	s := mkSpec(wave, flux, constant(len(wave), 4))
	before := s.Clone()
	out, err := ApplyResponse(s, rw, rv, true)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, before, s)
	for i, w := range wave {
		if w < 4500 || w > 6600 {
			if !isMarkedBad(out, i) || out.Flux[i] != 0 {
				t.Fatalf("pixel %d (%v Å) outside curve: flux %v ivar %v", i, w, out.Flux[i], out.Ivar[i])
			}
			continue
		}
		r := resp(w)
		if !near(out.Flux[i], 3, 1e-12, 0) || !near(out.Ivar[i], 4*r*r, 1e-12, 0) || out.AndMask[i] != 0 {
			t.Fatalf("pixel %d: (%v, %v), want (3, %v)", i, out.Flux[i], out.Ivar[i], 4*r*r)
		}
	}
	mul, err := ApplyResponse(s, rw, rv, false)
	if err != nil {
		t.Fatal(err)
	}
	if i := 100; !near(mul.Flux[i], flux[i]*resp(wave[i]), 1e-12, 0) || !near(mul.Ivar[i], 4/math.Pow(resp(wave[i]), 2), 1e-12, 0) {
		t.Errorf("multiply: pixel %d: (%v, %v)", i, mul.Flux[i], mul.Ivar[i])
	}
	// Non-positive response masks the pixel.
	zero := []float64{1, 0, -1, 1}
	out, err = ApplyResponse(s, rw, zero, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range wave {
		if w >= 5200 && w <= 5900 && !isMarkedBad(out, i) {
			t.Fatalf("pixel %d (%v Å) with response ≤ 0 not masked", i, w)
		}
	}
}

func TestApplyResponseErrors(t *testing.T) {
	s := mkSpec([]float64{5000, 5001}, []float64{1, 1}, nil)
	tests := []struct {
		name string
		s    *spectrum.Spectrum
		w, r []float64
		want error
	}{
		{"length mismatch", s, []float64{1, 2}, []float64{1}, ErrBadParameter},
		{"one point", s, []float64{1}, []float64{1}, ErrTooFewPixels},
		{"decreasing", s, []float64{2, 1}, []float64{1, 1}, ErrBadParameter},
		{"NaN value", s, []float64{1, 2}, []float64{1, math.NaN()}, ErrBadParameter},
		{"nil spectrum", nil, []float64{1, 2}, []float64{1, 1}, spectrum.ErrInvalid},
	}
	for _, tc := range tests {
		if _, err := ApplyResponse(tc.s, tc.w, tc.r, true); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestReadResponseText(t *testing.T) {
	const text = `# instrument response
# wavelength_AA  response
4000  0.5
4500, 0.8   # comma separated

5000	1.0	extra-column
5500 9.5e-1
`
	w, r, err := ReadResponseText(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	wantW := []float64{4000, 4500, 5000, 5500}
	wantR := []float64{0.5, 0.8, 1.0, 0.95}
	if len(w) != len(wantW) {
		t.Fatalf("read %d points, want %d", len(w), len(wantW))
	}
	for i := range wantW {
		if w[i] != wantW[i] || r[i] != wantR[i] {
			t.Errorf("point %d: (%v, %v), want (%v, %v)", i, w[i], r[i], wantW[i], wantR[i])
		}
	}
	bad := []struct {
		name, text, inMsg string
	}{
		{"one column", "4000 1\n4500\n", "line 2"},
		{"not a number", "4000 1\n4500 abc\n", "line 2 column 2"},
		{"decreasing", "# c\n4000 1\n3900 1\n", "line 3"},
		{"negative wavelength", "-4000 1\n4500 1\n", "line 1"},
		{"too few", "# only one\n4000 1\n", "at least 2"},
		{"empty", "", "at least 2"},
	}
	for _, tc := range bad {
		_, _, err := ReadResponseText(strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.inMsg) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.inMsg)
		}
	}
}
