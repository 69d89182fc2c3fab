package prep

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/spectrum"
)

// ApplyResponse applies an instrument response curve, given as values resp
// at strictly increasing wavelengths respWaveAA (Å), to a copy of s. The
// curve is linearly interpolated onto the spectrum's wavelengths; with
// divide true the flux is divided by it (flux calibration / correction:
// flux/R, ivar·R²), otherwise multiplied (flux·R, ivar/R²). Pixels outside
// the curve's wavelength range, or where the interpolated response is not
// positive, get flux 0, ivar 0 and spectrum.MaskBad. The curve needs at
// least 2 finite points. The input is not modified.
func ApplyResponse(s *spectrum.Spectrum, respWaveAA, resp []float64, divide bool) (*spectrum.Spectrum, error) {
	if err := checkSpectrum(s); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	if err := checkCurve(respWaveAA, resp); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	factor := make([]float64, s.Len())
	for i, w := range s.WavelengthAA {
		r, ok := interpLinear(respWaveAA, resp, w)
		switch {
		case !ok || !(r > 0):
			factor[i] = 0 // scaleFlux marks it bad
		case divide:
			factor[i] = 1 / r
		default:
			factor[i] = r
		}
	}
	out := s.Clone()
	scaleFlux(out, factor)
	return out, nil
}

// checkCurve validates a tabulated curve: equal lengths ≥ 2, finite values,
// strictly increasing positive wavelengths.
func checkCurve(waveAA, y []float64) error {
	if len(waveAA) != len(y) {
		return fmt.Errorf("%w: %d wavelengths for %d values", ErrBadParameter, len(waveAA), len(y))
	}
	if len(waveAA) < 2 {
		return fmt.Errorf("%w: curve has %d points, need at least 2", ErrTooFewPixels, len(waveAA))
	}
	for i, w := range waveAA {
		if !(w > 0) || !finite(w) || !finite(y[i]) {
			return fmt.Errorf("%w: curve point %d (%v Å, %v) not finite and positive", ErrBadParameter, i, w, y[i])
		}
		if i > 0 && w <= waveAA[i-1] {
			return fmt.Errorf("%w: curve wavelengths not increasing at point %d (%v Å after %v Å)", ErrBadParameter, i, w, waveAA[i-1])
		}
	}
	return nil
}

// interpLinear linearly interpolates (x, y) at t; ok is false when t lies
// outside [x[0], x[len−1]]. x must be strictly increasing.
func interpLinear(x, y []float64, t float64) (v float64, ok bool) {
	n := len(x)
	if n == 0 || !(t >= x[0] && t <= x[n-1]) {
		return 0, false
	}
	j := sort.SearchFloat64s(x, t) // x[j-1] < t ≤ x[j]
	if x[j] == t {
		return y[j], true
	}
	f := (t - x[j-1]) / (x[j] - x[j-1])
	return y[j-1] + f*(y[j]-y[j-1]), true
}

// ReadResponseText reads a response curve from text with two
// whitespace- or comma-separated columns, wavelength (Å) and response;
// further columns are ignored. Blank lines and everything after '#' on a
// line are skipped. Wavelengths must be strictly increasing and there must
// be at least 2 points; errors name the offending line.
func ReadResponseText(r io.Reader) (waveAA, resp []float64, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if k := strings.IndexByte(text, '#'); k >= 0 {
			text = text[:k]
		}
		fields := strings.FieldsFunc(text, func(c rune) bool {
			return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == ';'
		})
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 {
			return nil, nil, fmt.Errorf("read response: line %d: %w: want 2 columns (wavelength Å, response), got %q", line, ErrBadParameter, strings.TrimSpace(text))
		}
		var v [2]float64
		for k := range v {
			v[k], err = strconv.ParseFloat(fields[k], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("read response: line %d column %d: %w", line, k+1, err)
			}
		}
		if !(v[0] > 0) || !finite(v[0]) || !finite(v[1]) {
			return nil, nil, fmt.Errorf("read response: line %d: %w: wavelength %v Å, response %v", line, ErrBadParameter, v[0], v[1])
		}
		if n := len(waveAA); n > 0 && v[0] <= waveAA[n-1] {
			return nil, nil, fmt.Errorf("read response: line %d: %w: wavelength %v Å not above previous %v Å", line, ErrBadParameter, v[0], waveAA[n-1])
		}
		waveAA = append(waveAA, v[0])
		resp = append(resp, v[1])
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read response: line %d: %w", line+1, err)
	}
	if err := checkCurve(waveAA, resp); err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	return waveAA, resp, nil
}
