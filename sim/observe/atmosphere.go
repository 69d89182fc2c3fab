package observe

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/internal/textdata"
	"github.com/astroone/astroone-go/prep"
)

// ExtinctionPoint is one row of an atmospheric extinction table: the
// extinction at WavelengthAA in magnitudes per unit airmass.
type ExtinctionPoint struct {
	WavelengthAA  float64 // Å, as the table gives it (IRAF tables: air)
	MagPerAirmass float64 // extinction, mag per airmass
}

// ErrTable reports a malformed table or line list.
var ErrTable = errors.New("malformed table")

// ParseExtinctionTable reads an IRAF onedstds extinction table: one
// "wavelength extinction" pair per line (Å, mag/airmass), blank lines and
// '#' comments ignored. Wavelengths must be positive, finite and strictly
// increasing, extinctions finite and non-negative; at least two rows are
// needed. Errors wrap ErrTable and name the line.
func ParseExtinctionTable(r io.Reader) ([]ExtinctionPoint, error) {
	var out []ExtinctionPoint
	err := textdata.Fields(r, 1<<20, func(ln int, f []string) error {
		if len(f) != 2 {
			return fmt.Errorf("extinction table line %d: %w: want 2 fields, got %d", ln, ErrTable, len(f))
		}
		w, err1 := strconv.ParseFloat(f[0], 64)
		k, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("extinction table line %d: %w: %q is not two numbers", ln, ErrTable, strings.Join(f, " "))
		}
		if !(w > 0) || math.IsInf(w, 0) || !(k >= 0) || math.IsInf(k, 0) {
			return fmt.Errorf("extinction table line %d: %w: bad values %g, %g", ln, ErrTable, w, k)
		}
		if n := len(out); n > 0 && !(w > out[n-1].WavelengthAA) {
			return fmt.Errorf("extinction table line %d: %w: wavelength %g not above %g", ln, ErrTable, w, out[n-1].WavelengthAA)
		}
		out = append(out, ExtinctionPoint{w, k})
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrTable) {
			err = fmt.Errorf("extinction table: %w", err)
		}
		return nil, err
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("extinction table: %w: %d rows, need at least 2", ErrTable, len(out))
	}
	return out, nil
}

// kpnoExtinction is a transcription of Debian iraf-noao's
// /usr/lib/iraf/noao/lib/onedstds/kpnoextinct.dat (IRAF, © AURA, IRAF
// licence): the mean Kitt Peak atmospheric extinction curve, mag/airmass
// against air wavelength (Å). As the file says, its last four rows come
// from the CTIO list. TestEmbeddedExtinctionMatchesInstalled compares it
// with the installed file.
const kpnoExtinction = `3200. 1.017
3250. 0.881
3300. 0.787
3350. 0.731
3400. 0.683
3450. 0.639
3500. 0.6
3571. 0.556
3636. 0.518
3704. 0.484
3760. 0.457
3816. 0.433
3862. 0.414
3945. 0.383
4000. 0.365
4036. 0.353
4065. 0.344
4167. 0.315
4190. 0.31
4255. 0.293
4290. 0.284
4370. 0.268
4464. 0.25
4498. 0.243
4566. 0.231
4604. 0.225
4678. 0.215
4735. 0.206
4785. 0.202
4825. 0.197
4914. 0.186
5000. 0.18
5067. 0.174
5145. 0.167
5206. 0.163
5263. 0.161
5341. 0.158
5440. 0.153
5504. 0.15
5556. 0.148
5630. 0.147
5710. 0.146
5775. 0.144
5840. 0.137
5910. 0.133
5980. 0.133
6056. 0.132
6140. 0.125
6220. 0.119
6290. 0.114
6365. 0.109
6436. 0.104
6473. 0.101
6530. 0.097
6600. 0.093
6670. 0.09
6740. 0.085
6790. 0.083
6850. 0.081
6975. 0.075
7055. 0.073
7100. 0.072
7150. 0.07
7220. 0.068
7270. 0.066
7365. 0.065
7460. 0.063
7550. 0.061
7580. 0.058
7725. 0.056
7780. 0.055
7820. 0.055
7910. 0.054
8000. 0.052
8090. 0.051
8210. 0.05
8260. 0.049
8370. 0.048
8708. 0.030
9832. 0.053
10256. 0.023
10400. 0.024


# Last four extinction coefficients from CTIO list - no data available
# for KPNO.
`

// KPNOExtinction returns the embedded KPNO extinction table.
func KPNOExtinction() []ExtinctionPoint {
	t, err := ParseExtinctionTable(strings.NewReader(kpnoExtinction))
	if err != nil {
		panic("observe: embedded KPNO extinction table: " + err.Error()) // a build defect, caught by the tests
	}
	return t
}

// interpExtinction returns the table's extinction at air wavelength w by
// linear interpolation, held constant beyond the ends (the grids here stay
// inside 3200–10400 Å).
func interpExtinction(t []ExtinctionPoint, w float64) float64 {
	if w <= t[0].WavelengthAA {
		return t[0].MagPerAirmass
	}
	for j := 1; j < len(t); j++ {
		if w <= t[j].WavelengthAA {
			a, b := t[j-1], t[j]
			f := (w - a.WavelengthAA) / (b.WavelengthAA - a.WavelengthAA)
			return a.MagPerAirmass + f*(b.MagPerAirmass-a.MagPerAirmass)
		}
	}
	return t[len(t)-1].MagPerAirmass
}

// telluricComponent is one Gaussian piece of a telluric band's optical
// depth: centre (air Å), intrinsic σ (Å) and peak τ at the reference
// column (airmass 1; for H2O also RefPWVmm of precipitable water).
type telluricComponent struct {
	airAA, sigmaAA, tau float64
}

// Telluric absorption, which the survey pipelines divide out imperfectly
// (Params.TelluricCorrection and TelluricResidual). Band positions (air Å) are those of the O2 b–X system (A band
// 0–0 head at 7594 Å, B band 1–0 at 6867 Å, γ band 2–0 at 6277 Å) and the
// H2O vibration–rotation bands near 7200, 8200 and 9300 Å (e.g. the
// telluric atlas of Hinkle, Wallace & Livingston 2003 and the line data of
// HITRAN). Each band is a few Gaussians in τ with the R-branch head on the
// blue side; the depths are an assumption of this model, typical of
// R ≈ 2000 spectra at airmass 1 and 5 mm of water (A band ≈ 60% deep at its
// head, B band ≈ 30%, the 9300 Å water band ≈ 25–45%), not a radiative
// transfer calculation. The band τ is added to the LSF in quadrature like a
// line, i.e. exp(−τ) is applied after smoothing τ, a good approximation
// for the unresolved line forests.
var (
	telluricO2 = []telluricComponent{
		// A band: head at 7594, R and P branches to ~7690.
		{7599, 2.5, 0.75}, {7608, 4, 0.55}, {7624, 7, 0.38}, {7650, 10, 0.12}, {7676, 8, 0.04},
		// B band: head at 6867.
		{6871, 2.0, 0.30}, {6879, 3.0, 0.22}, {6891, 5, 0.08}, {6906, 6, 0.03},
		// γ band: head at 6277.
		{6281, 3, 0.05}, {6293, 5, 0.03},
	}
	telluricH2O = []telluricComponent{
		{6515, 20, 0.015}, {6940, 15, 0.02},
		{7185, 12, 0.05}, {7245, 25, 0.07}, {7305, 20, 0.04},
		{8165, 15, 0.08}, {8230, 30, 0.10}, {8300, 25, 0.06},
		{8990, 25, 0.10}, {9110, 60, 0.18}, {9260, 60, 0.30}, {9380, 50, 0.55},
		{9510, 80, 0.45}, {9700, 100, 0.12},
	}
)

// RefPWVmm is the precipitable water vapour (mm) at which the H2O band
// depths above apply (airmass 1).
const RefPWVmm = 5.0

// TelluricExponent is the power of the column (airmass, or airmass × PWV
// ratio) by which the band optical depths scale: telluric lines are
// saturated, so on the square-root part of the curve of growth their
// equivalent widths grow about as column^0.5, slower than Beer's law; low-
// resolution telluric corrections commonly use an exponent near 0.55.
const TelluricExponent = 0.55

// telluricTau fills tau with the smoothed optical depth of the components
// at the reference column on grid g (vacuum wavelengths).
func telluricTau(tau []float64, wave []float64, r float64, comps []telluricComponent) {
	for _, c := range comps {
		cv := prep.AirToVacuum(c.airAA)
		lsf := cv / r / 2.3548200450309493
		s := math.Sqrt(c.sigmaAA*c.sigmaAA + lsf*lsf)
		area := c.tau * c.sigmaAA * math.Sqrt(2*math.Pi) // ∫τ dλ is kept by the smoothing
		peak := area / (s * math.Sqrt(2*math.Pi))
		for i, w := range wave {
			d := (w - cv) / s
			if d > -6 && d < 6 {
				tau[i] += peak * math.Exp(-0.5*d*d)
			}
		}
	}
}
