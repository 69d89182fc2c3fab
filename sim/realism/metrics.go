package realism

import (
	"math"
	"slices"
)

// Interval is a wavelength range [FromAA, ToAA] (vacuum Å) with the reason
// it is excluded from a comparison.
type Interval struct {
	FromAA, ToAA float64
	Why          string
}

// TelluricBands are the strong telluric absorption bands in the LAMOST
// range, vacuum Å (air values +0.03%, rounded outward): O₂ B and A bands
// and the H₂O bands at 7200, 8200 and 9000 Å, with the extents of the
// Kitt Peak telluric atlas (Hinkle, Wallace & Livingston 2003) as used by
// SDSS and LAMOST telluric correction windows.
var TelluricBands = []Interval{
	{6865, 6960, "telluric O2 B band"},
	{7160, 7345, "telluric H2O"},
	{7590, 7705, "telluric O2 A band"},
	{8130, 8360, "telluric H2O"},
	{8940, 9250, "telluric H2O"},
}

// SkyLines are the strongest night-sky emission lines in the LAMOST range
// (vacuum Å, ±6 Å: a few LSF widths at R≈1800), whose subtraction
// residuals dominate real spectra there: [O I] 5577, Na D 5890/5896 (also
// inside the dichroic gap), [O I] 6300 and 6364 (Osterbrock et al. 1996,
// PASP 108, 277).
var SkyLines = []Interval{
	{5573, 5585, "sky [O I] 5577"},
	{5885, 5903, "sky Na D"},
	{6296, 6308, "sky [O I] 6300"},
	{6360, 6372, "sky [O I] 6364"},
}

// LAMOSTDichroic is the overlap of the blue and red arms of the LAMOST
// spectrographs, where the two are spliced and the flux is unreliable
// (Luo et al. 2015, RAA 15, 1095: arms 3700–5900 and 5700–9000 Å).
var LAMOSTDichroic = Interval{5700, 6000, "LAMOST dichroic (blue/red arm splice)"}

// LAMOSTExclusions are the intervals left out of every comparison with a
// real or simulated LAMOST spectrum: tellurics, strong sky lines and the
// dichroic region.
func LAMOSTExclusions() []Interval {
	out := append([]Interval{LAMOSTDichroic}, TelluricBands...)
	return append(out, SkyLines...)
}

// Excluded reports whether λ (Å) lies in one of the intervals.
func Excluded(waveAA float64, ex []Interval) bool {
	for _, iv := range ex {
		if waveAA >= iv.FromAA && waveAA <= iv.ToAA {
			return true
		}
	}
	return false
}

// Pearson returns the Pearson correlation coefficient of x and y over the
// pixels with use[i] (all pixels when use is nil) whose values are both
// finite. It is NaN with fewer than two such pixels or when either has no
// variance. Sums are taken about the means (two passes) to avoid the
// cancellation of the one-pass formula.
func Pearson(x, y []float64, use []bool) float64 {
	n := min(len(x), len(y))
	var mx, my float64
	k := 0
	for i := range n {
		if ok(x, y, use, i) {
			mx += x[i]
			my += y[i]
			k++
		}
	}
	if k < 2 {
		return math.NaN()
	}
	mx /= float64(k)
	my /= float64(k)
	var sxx, syy, sxy float64
	for i := range n {
		if ok(x, y, use, i) {
			dx, dy := x[i]-mx, y[i]-my
			sxx += dx * dx
			syy += dy * dy
			sxy += dx * dy
		}
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// RMSDiff returns the root mean square of x−y over the usable pixels (as
// for Pearson), and NaN when there are none.
func RMSDiff(x, y []float64, use []bool) float64 {
	var s float64
	k := 0
	for i := range min(len(x), len(y)) {
		if ok(x, y, use, i) {
			d := x[i] - y[i]
			s += d * d
			k++
		}
	}
	if k == 0 {
		return math.NaN()
	}
	return math.Sqrt(s / float64(k))
}

// Count returns the number of usable pixels (as for Pearson).
func Count(x, y []float64, use []bool) int {
	k := 0
	for i := range min(len(x), len(y)) {
		if ok(x, y, use, i) {
			k++
		}
	}
	return k
}

func ok(x, y []float64, use []bool, i int) bool {
	return (use == nil || use[i]) && finite(x[i]) && finite(y[i])
}

// RunningMedian returns the median of the usable values of x (use[i], or
// all when use is nil, and finite) within ±half pixels of each pixel, NaN
// where the window holds none. It is O(n·half·log half): meant for
// report plots and continuum-shape ratios, not for a hot loop.
func RunningMedian(x []float64, use []bool, half int) []float64 {
	out := make([]float64, len(x))
	buf := make([]float64, 0, 2*half+1)
	for i := range x {
		buf = buf[:0]
		for j := max(0, i-half); j <= min(len(x)-1, i+half); j++ {
			if (use == nil || use[j]) && finite(x[j]) {
				buf = append(buf, x[j])
			}
		}
		out[i] = medianInPlace(buf)
	}
	return out
}

// medianInPlace sorts v and returns its median (NaN when empty).
func medianInPlace(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return 0.5 * (v[n/2-1] + v[n/2])
}

// ShapeStats summarises the continuum-shape ratio of two spectrophotometric
// spectra.
type ShapeStats struct {
	// Ratio is the smoothed ratio sim/real at every pixel, scaled so that
	// its median over the usable pixels is 1 (NaN where undefined).
	Ratio []float64
	// RMS is the RMS of ln(Ratio) over the usable pixels: the fractional
	// error of the continuum shape when small (0.1 ≈ 10%), and still
	// symmetric and finite when one spectrum is several times the other.
	RMS float64
	// MaxAbs is the largest |ln(Ratio)| over the usable pixels.
	MaxAbs float64
}

// ContinuumShape compares the raw (not continuum-normalised) shapes of sim
// and real: the per-pixel ratio sim/real is smoothed by a running median
// of ±half pixels (so that line mismatches do not dominate), scaled to a
// median of 1, and summarised in ln. Pixels where either is not positive
// are not used.
func ContinuumShape(sim, real []float64, use []bool, half int) ShapeStats {
	n := min(len(sim), len(real))
	r := make([]float64, n)
	u := make([]bool, n)
	for i := range n {
		u[i] = (use == nil || use[i]) && real[i] > 0 && sim[i] > 0 && finite(sim[i]) && finite(real[i])
		if u[i] {
			r[i] = sim[i] / real[i]
		}
	}
	sm := RunningMedian(r, u, half)
	var vals []float64
	for i := range n {
		if u[i] && finite(sm[i]) {
			vals = append(vals, sm[i])
		}
	}
	st := ShapeStats{Ratio: sm, RMS: math.NaN(), MaxAbs: math.NaN()}
	med := medianInPlace(vals)
	if !(med > 0) {
		return st
	}
	var ss, mx float64
	k := 0
	for i := range sm {
		sm[i] /= med
		if u[i] && sm[i] > 0 && finite(sm[i]) {
			d := math.Log(sm[i])
			ss += d * d
			mx = math.Max(mx, math.Abs(d))
			k++
		}
	}
	if k > 0 {
		st.RMS, st.MaxAbs = math.Sqrt(ss/float64(k)), mx
	}
	return st
}

// Autocorr returns the lag-k autocorrelation of x over runs of usable
// pixels (use[i] and use[i+k], both finite): Σ dx_i·dx_{i+k} / Σ dx_i²,
// dx the deviation from the mean of the usable values. White noise gives
// ≈0; noise correlated between neighbouring pixels (resampling, binning)
// gives a positive value at small lags.
func Autocorr(x []float64, use []bool, k int) float64 {
	var m float64
	n := 0
	for i, v := range x {
		if (use == nil || use[i]) && finite(v) {
			m += v
			n++
		}
	}
	if n < 2 || k < 1 {
		return math.NaN()
	}
	m /= float64(n)
	var num, den float64
	for i, v := range x {
		if !((use == nil || use[i]) && finite(v)) {
			continue
		}
		d := v - m
		den += d * d
		if j := i + k; j < len(x) && (use == nil || use[j]) && finite(x[j]) {
			num += d * (x[j] - m)
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// BandDepth returns the fractional depth of an absorption band:
// 1 − median(band) / ½(median(left) + median(right)), medians over the
// usable pixels (use[i], finite) in each interval; NaN when an interval
// has none. The telluric O₂ A band, for instance, is 7595–7680 Å against
// 7540–7585 and 7690–7735 Å.
func BandDepth(waveAA, flux []float64, use []bool, band, left, right Interval) float64 {
	med := func(iv Interval) float64 {
		var v []float64
		for i, w := range waveAA {
			if w >= iv.FromAA && w <= iv.ToAA && (use == nil || use[i]) && finite(flux[i]) {
				v = append(v, flux[i])
			}
		}
		return medianInPlace(v)
	}
	return 1 - med(band)/(0.5*(med(left)+med(right)))
}

// TelluricABand and TelluricBBand are the O₂ A and B bands with their
// side windows (vacuum Å), for BandDepth.
var (
	TelluricABand = [3]Interval{{7596, 7680, "O2 A"}, {7540, 7585, "blue side"}, {7690, 7735, "red side"}}
	TelluricBBand = [3]Interval{{6868, 6925, "O2 B"}, {6820, 6860, "blue side"}, {6935, 6975, "red side"}}
)

// Dn4000 returns the narrow 4000 Å break of Balogh et al. (1999, ApJ 527,
// 54): the mean f_ν (∝ f_λ·λ²) over the pixels with centres in
// 4000–4100 Å divided by that over 3850–3950 Å (rest frame), using the
// usable pixels; NaN when a window has none. Old, metal-rich populations
// have Dn4000 ≈ 1.8–2.2, star-forming galaxies 1.1–1.5 (Kauffmann et al.
// 2003, MNRAS 341, 33).
func Dn4000(waveAA, flux []float64, use []bool) float64 {
	mean := func(lo, hi float64) float64 {
		var s float64
		k := 0
		for i, w := range waveAA {
			if w >= lo && w <= hi && (use == nil || use[i]) && finite(flux[i]) {
				s += flux[i] * w * w
				k++
			}
		}
		if k == 0 {
			return math.NaN()
		}
		return s / float64(k)
	}
	return mean(4000, 4100) / mean(3850, 3950)
}

// EquivalentWidth returns Σ (1 − norm_i)·Δλ_i over the usable pixels with
// centres in [fromAA, toAA] of a continuum-normalised spectrum (Å;
// positive for absorption, negative for emission), Δλ_i the pixel width
// from the neighbouring centres; NaN when there are none. Measured on two
// spectra normalised the same way (a Pair), it compares line strengths.
func EquivalentWidth(waveAA, norm []float64, use []bool, fromAA, toAA float64) float64 {
	var s float64
	k := 0
	n := len(waveAA)
	for i, w := range waveAA {
		if w < fromAA || w > toAA || !(use == nil || use[i]) || !finite(norm[i]) {
			continue
		}
		lo, hi := max(i-1, 0), min(i+1, n-1)
		s += (1 - norm[i]) * (waveAA[hi] - waveAA[lo]) / float64(hi-lo)
		k++
	}
	if k == 0 {
		return math.NaN()
	}
	return s
}

// Feature is a named wavelength window (vacuum Å) whose equivalent width
// is compared.
type Feature struct {
	Name         string
	FromAA, ToAA float64
}

// VegaFeatures are the A-star lines compared with Vega: Balmer lines
// (±30 Å windows about the vacuum centres, which hold the cores and inner
// wings; the outer wings go into the continuum fit alike for both
// spectra), Ca II K and the Paschen series blend.
var VegaFeatures = []Feature{
	{"Ca II K 3934", 3926, 3942},
	{"Hδ 4103", 4073, 4133},
	{"Hγ 4342", 4312, 4372},
	{"Hβ 4863", 4833, 4893},
	{"Hα 6565", 6535, 6595},
	{"Paschen 8440–8900", 8440, 8900},
}

// SolarFeatures are the G-star features compared with the solar
// analogs: Ca II H+K, the G band (CH 4300), Hβ, Mg b + MgH, Na D, Hα
// (vacuum windows).
var SolarFeatures = []Feature{
	{"Ca II H+K 3925–3980", 3925, 3980},
	{"G band 4282–4318", 4282, 4318},
	{"Hβ 4851–4875", 4851, 4875},
	{"Mg b 5160–5197", 5160, 5197},
	{"Na D 5885–5905", 5885, 5905},
	{"Hα 6553–6577", 6553, 6577},
}

// QSOFeatures are the quasar emission lines compared with the composite
// (rest-frame vacuum windows; emission gives negative equivalent widths).
var QSOFeatures = []Feature{
	{"Lyα+N V 1190–1290", 1190, 1290},
	{"C IV 1500–1600", 1500, 1600},
	{"C III] 1860–1960", 1860, 1960},
	{"Mg II 2740–2860", 2740, 2860},
	{"Hγ 4300–4380", 4300, 4380},
	{"Hβ 4800–4920", 4800, 4920},
	{"[O III] 4995–5020", 4995, 5020},
}
