package realism

import (
	"fmt"
	"math"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim/synth"
)

// ModelFunc writes a noiseless model f_λ on the synthesis grid g (len(f) ==
// len(g.Wave)), seen through g's LSF, e.g. a closure around
// (*synth.Grid).Star with fixed parameters.
type ModelFunc func(g *synth.Grid, f []float64)

// Setup says how a model is brought to a reference spectrum.
type Setup struct {
	// FromAA and ToAA bound the comparison (reference frame, Å); clipped
	// to the reference's range.
	FromAA, ToAA float64
	// Log10Step is the comparison pixel in dex; when 0, the coarsest
	// sampling of the reference in the range, so that no pixel of the
	// comparison is finer than the data.
	Log10Step float64
	// RefR is the reference's resolving power λ/FWHM, used when the file
	// has no FWHM column (HST/FOS high-dispersion gratings: ≈1300, FOS
	// Instrument Handbook; LBQS composite: 4 Å FWHM per its header).
	RefR float64
	// RefFWHMAA, when positive, is a constant reference FWHM in Å; it takes
	// precedence over RefR.
	RefFWHMAA float64
	// ModelR is the resolving power at which the model is synthesised
	// before it is degraded to the reference's; 3× the reference's highest
	// R in the range when 0.
	ModelR float64
	// Z is the redshift of the model: it is synthesised at (1+Z)·λ and
	// compared at λ (rest-frame templates such as the QSO composite).
	Z float64
}

// refFWHM returns the reference's FWHM (Å) at λ.
func refFWHM(ref *Reference, s Setup, waveAA float64) (float64, error) {
	if s.RefFWHMAA > 0 {
		return s.RefFWHMAA, nil
	}
	if v, ok := ref.FWHMAt(waveAA); ok {
		return v, nil
	}
	if s.RefR > 0 {
		return waveAA / s.RefR, nil
	}
	return 0, fmt.Errorf("reference %s: no FWHM at %.1f Å and no RefR given", ref.Name, waveAA)
}

// CompareReference synthesises model at (1+Z)·λ over the comparison
// range, degrades it from ModelR to the reference's resolution (Degrade
// with σ_extra² = σ_ref² − σ_model²), rebins model and reference onto a
// common log-λ grid (flux conserving) and compares them with NewPair.
func CompareReference(ref *Reference, model ModelFunc, s Setup, opt Options) (*Pair, error) {
	r0, r1 := ref.Range()
	from, to := math.Max(s.FromAA, r0), math.Min(s.ToAA, r1)
	if s.FromAA == 0 && s.ToAA == 0 {
		from, to = r0, r1
	}
	if !(to > from) {
		return nil, fmt.Errorf("compare %s: no overlap with %.0f–%.0f Å", ref.Name, s.FromAA, s.ToAA)
	}
	step := s.Log10Step
	if step <= 0 {
		for i := 1; i < len(ref.WavelengthAA); i++ {
			w0, w1 := ref.WavelengthAA[i-1], ref.WavelengthAA[i]
			if w1 >= from && w0 <= to {
				step = math.Max(step, math.Log10(w1/w0))
			}
		}
	}
	// Stay half a pixel inside the reference so that every comparison
	// pixel is covered.
	g, err := prep.LogGrid(from*math.Pow(10, step/2), to*math.Pow(10, -step/2), step)
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", ref.Name, err)
	}
	wave := g.Wavelengths()
	real, good, err := Rebin(ref.WavelengthAA, ref.Flux, g)
	if err != nil {
		return nil, fmt.Errorf("compare %s: rebin reference: %w", ref.Name, err)
	}
	modelR := s.ModelR
	maxSigma := 0.0
	for _, w := range wave {
		fw, err := refFWHM(ref, s, w)
		if err != nil {
			return nil, err
		}
		if s.ModelR <= 0 {
			modelR = math.Max(modelR, 3*w/fw)
		}
		maxSigma = math.Max(maxSigma, fw/fwhmPerSigma)
	}
	// Synthesis grid: half a model σ per pixel, ±6 reference σ beyond the
	// range so that the convolution is complete at the ends.
	fine := math.Min(step/4, 0.5*math.Log10E/(fwhmPerSigma*modelR))
	lo, hi := wave[0]-6*maxSigma, wave[len(wave)-1]+6*maxSigma
	fg, err := prep.LogGrid(lo*(1+s.Z), hi*(1+s.Z), fine)
	if err != nil {
		return nil, fmt.Errorf("compare %s: synthesis grid: %w", ref.Name, err)
	}
	sg := synth.NewGrid(fg, modelR)
	f := make([]float64, len(sg.Wave))
	model(sg, f)
	rest := make([]float64, len(sg.Wave))
	for i, w := range sg.Wave {
		rest[i] = w / (1 + s.Z)
	}
	deg := Degrade(rest, f, func(w float64) float64 {
		fw, err := refFWHM(ref, s, w)
		if err != nil {
			fw, _ = refFWHM(ref, s, math.Min(math.Max(w, wave[0]), wave[len(wave)-1]))
		}
		sr := fw / fwhmPerSigma
		sm := w / (fwhmPerSigma * modelR)
		return math.Sqrt(math.Max(sr*sr-sm*sm, 0))
	})
	simFlux, simGood, err := Rebin(rest, deg, g)
	if err != nil {
		return nil, fmt.Errorf("compare %s: rebin model: %w", ref.Name, err)
	}
	for i := range good {
		good[i] = good[i] && simGood[i]
	}
	p, err := NewPair(wave, real, simFlux, nil, good, opt)
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", ref.Name, err)
	}
	return p, nil
}
