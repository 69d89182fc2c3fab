package prep

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/spectrum"
)

// derSNRScale is 1.482602/√6: 1.482602 turns a median absolute deviation
// into a Gaussian σ, and √6 is the norm of the (−1, 2, −1) second-difference
// stencil on pixels i−2, i, i+2.
var derSNRScale = 1.482602 / math.Sqrt(6)

// DERSNR returns the DER_SNR signal-to-noise estimate of Stoehr et al.
// (2008, ASP Conf. Ser. 394, 505):
//
//	S/N = median(f) / (1.482602/√6 · median |2f_i − f_{i−2} − f_{i+2}|)
//
// computed, as in the reference code, after dropping pixels whose flux is
// exactly 0 (and, here, non-finite ones). The noise estimate assumes
// uncorrelated noise over ~5 pixels and a spectrum smooth on that scale.
// It returns NaN when fewer than 5 usable pixels remain, and ±Inf when the
// noise estimate is 0 (e.g. a noiseless constant or linear spectrum).
func DERSNR(flux []float64) float64 {
	f := make([]float64, 0, len(flux))
	for _, v := range flux {
		if v != 0 && finite(v) {
			f = append(f, v)
		}
	}
	n := len(f)
	if n < 5 {
		return math.NaN()
	}
	d := make([]float64, n-4)
	for i := 2; i < n-2; i++ {
		d[i-2] = math.Abs(2*f[i] - f[i-2] - f[i+2])
	}
	return median(f) / (derSNRScale * median(d))
}

// SNRFromIvar returns the median of flux·√ivar over the good pixels of s
// (PixelOK), the per-pixel S/N implied by the pipeline's inverse variance.
// It fails if s has no Ivar or no good pixel.
func SNRFromIvar(s *spectrum.Spectrum) (float64, error) {
	if err := checkSpectrum(s); err != nil {
		return 0, fmt.Errorf("S/N from ivar: %w", err)
	}
	if s.Ivar == nil {
		return 0, fmt.Errorf("S/N from ivar: %w: spectrum has no ivar", ErrBadParameter)
	}
	snr := make([]float64, 0, s.Len())
	for i := range s.Flux {
		if PixelOK(s, i) {
			snr = append(snr, s.Flux[i]*math.Sqrt(s.Ivar[i]))
		}
	}
	if len(snr) == 0 {
		return 0, fmt.Errorf("S/N from ivar: %w: no good pixels", ErrTooFewPixels)
	}
	return median(snr), nil
}
