package observe

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/internal/textdata"
	"github.com/astroone/astroone-go/prep"
)

// skyLinesDat is a copy of Debian iraf-noao's
// /usr/lib/iraf/noao/lib/linelists/skylines.dat (IRAF, © AURA, IRAF
// licence; compiled by D. G. York, 1991; OH wavelengths from Hubbard,
// Brault, Engleman & Palmer, lamp lines from Osterbrock et al. 1976, nebular
// lines from H. M. Johnson). TestEmbeddedSkyLinesMatchInstalled compares it
// with the installed file.
//
//go:embed data/skylines.dat
var skyLinesDat string

// SkyLineKind says what emits a night-sky line, as skylines.dat labels it.
type SkyLineKind int

// Kinds of night-sky lines.
const (
	SkyOH      SkyLineKind = iota // OH Meinel band line ("9-2 R1")
	SkyAtomic                     // atomic airglow ("AN"): [O I], Na I
	SkyManMade                    // artificial light ("ML"): Hg, high-pressure Na, ...
	SkyNebular                    // diffuse nebulae ("DN"), strength relative to Hβ = 100
	SkyOther                      // none of the above labels
)

// SkyLine is one entry of an IRAF night-sky line list.
type SkyLine struct {
	AirAA    float64     // wavelength as listed, Å (air, per the file's intent)
	Kind     SkyLineKind // emitter class
	Species  string      // "OH", "[OI]", "Hg", "Na I", ... ("" if unlabelled)
	VUpper   int         // OH: upper vibrational level (−1 otherwise)
	VLower   int         // OH: lower vibrational level (−1 otherwise)
	Branch   string      // OH: rotational branch and spin component, e.g. "P1"
	Strength float64     // the file's strength (DN lines: Orion nebula, Hβ = 100); NaN when none
	Broad    bool        // marked "broad" (lamp phosphor bands)
	Blend    bool        // marked "blend"
}

// ParseSkyLines reads an IRAF night-sky line list (skylines.dat format):
// '#' comments; each other non-blank line is a wavelength (Å) followed
// either by an OH band and branch ("9-2 R1") or by a species and optional
// labels ML / AN / DN, "HP", "broad", "blend" and a strength number.
// Wavelengths must be positive and finite; an OH entry needs a valid band
// and a branch [PQR][12]. Errors wrap ErrTable and name the line. The lines
// are returned in file order (which is not sorted).
func ParseSkyLines(r io.Reader) ([]SkyLine, error) {
	var out []SkyLine
	err := textdata.Fields(r, 1<<20, func(ln int, f []string) error {
		l, err := parseSkyLine(f)
		if err != nil {
			return fmt.Errorf("sky line list line %d: %w", ln, err)
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrTable) {
			err = fmt.Errorf("sky line list: %w", err)
		}
		return nil, err
	}
	return out, nil
}

// parseSkyLine parses the fields of one line of a sky line list.
func parseSkyLine(f []string) (SkyLine, error) {
	w, err := strconv.ParseFloat(f[0], 64)
	if err != nil || !(w > 0) || math.IsInf(w, 0) {
		return SkyLine{}, fmt.Errorf("%w: bad wavelength %q", ErrTable, f[0])
	}
	l := SkyLine{AirAA: w, Kind: SkyOther, VUpper: -1, VLower: -1, Strength: math.NaN()}
	if len(f) > 1 && isBand(f[1]) {
		return l, parseOH(&l, f[1:])
	}
	var species []string
	labelled := false
	for _, tok := range f[1:] {
		switch tok {
		case "ML":
			l.Kind, labelled = SkyManMade, true
		case "AN":
			l.Kind, labelled = SkyAtomic, true
		case "DN":
			l.Kind, labelled = SkyNebular, true
		case "HP":
			labelled = true
		case "broad":
			l.Broad, labelled = true, true
		case "blend":
			l.Blend, labelled = true, true
		default:
			if v, err := strconv.ParseFloat(tok, 64); err == nil {
				if !(v >= 0) || math.IsInf(v, 0) {
					return SkyLine{}, fmt.Errorf("%w: bad strength %q", ErrTable, tok)
				}
				l.Strength, labelled = v, true
			} else if !labelled {
				species = append(species, tok)
			} else {
				return SkyLine{}, fmt.Errorf("%w: unexpected %q after the labels", ErrTable, tok)
			}
		}
	}
	l.Species = strings.Join(species, " ")
	return l, nil
}

// isBand reports whether s looks like an OH band "v'-v”".
func isBand(s string) bool {
	i := strings.IndexByte(s, '-')
	return i > 0 && i < len(s)-1 && strings.Trim(s, "0123456789-") == "" && strings.Count(s, "-") == 1
}

// parseOH fills the OH fields of l from "v'-v”" and the branch.
func parseOH(l *SkyLine, f []string) error {
	i := strings.IndexByte(f[0], '-')
	vu, err1 := strconv.Atoi(f[0][:i])
	vl, err2 := strconv.Atoi(f[0][i+1:])
	if err1 != nil || err2 != nil || vu > 20 || vl > 20 || vu < vl {
		return fmt.Errorf("%w: bad OH band %q", ErrTable, f[0])
	}
	if len(f) != 2 || len(f[1]) != 2 || !strings.ContainsRune("PQR", rune(f[1][0])) || (f[1][1] != '1' && f[1][1] != '2') {
		return fmt.Errorf("%w: OH band %s needs one branch P1…R2, got %q", ErrTable, f[0], strings.Join(f[1:], " "))
	}
	l.Kind, l.Species, l.VUpper, l.VLower, l.Branch = SkyOH, "OH", vu, vl, f[1]
	return nil
}

// SkyLines returns the embedded night-sky line list.
func SkyLines() []SkyLine {
	l, err := ParseSkyLines(strings.NewReader(skyLinesDat))
	if err != nil {
		panic("observe: embedded sky line list: " + err.Error()) // a build defect, caught by the tests
	}
	return l
}

// ohBandR is the intensity (rayleighs) of each OH Meinel band [v', v”].
// Measured (mid-latitude, 1991; "Spectroscopic observations of the night
// airglow from 3000 Å to 9200 Å", PhD thesis, ADS 1992PhDT.........8J):
// (9-4) 450 R, (8-3) 450, (7-2) 90, (7-3) 1620, (6-2) 970, (5-1) 680,
// (4-0) 190. The others are assumptions that follow the sequences (bands
// of larger Δv = v'−v” are weaker; compare Osterbrock et al. 1996, PASP
// 108, 277 and 2000, PASP 112, 733, who detect the Δv = 6–7 bands only
// faintly). OH intensity varies by a factor of ~2 from night to night.
var ohBandR = map[[2]int]float64{
	{9, 4}: 450, {8, 3}: 450, {7, 2}: 90, {7, 3}: 1620, {6, 2}: 970, {5, 1}: 680, {4, 0}: 190,
	{6, 1}: 120, {5, 0}: 40, // Δv = 5
	{9, 3}: 60, {8, 2}: 45, {7, 1}: 25, {6, 0}: 8, // Δv = 6
	{9, 2}: 6,                               // Δv = 7
	{8, 4}: 1500, {9, 5}: 1200, {3, 0}: 250, // beyond 9200 Å (SDSS grid only)
}

// atomicLine gives an accurate air wavelength (NIST Atomic Spectra
// Database) and an intensity for a line that skylines.dat lists with an
// approximate wavelength ("The wavelengths of atomic night sky lines and of
// man-made lamp lines need to be improved", says the file).
type atomicLine struct {
	species string  // species as the file writes it
	nearAA  float64 // the file's wavelength, matched within 3 Å
	airAA   float64 // NIST air wavelength
	rayleys float64 // intensity, R
}

// atomicLines: airglow intensities [O I] 5577 320 R and 6300 160 R as
// measured in the thesis above; 6364 = 6300/3.1, the ratio of their
// transition probabilities (Storey & Zeippen 2000, MNRAS 312, 813); Na D1
// 20 R (Keck/HIRES four-year mean, Slanger et al. 2005, JGR 110, D23302)
// and D2/D1 = 1.6 (Slanger & Plane 2005, SPIE 5979). Artificial light:
// Xinglong (LAMOST) sees Hg I and Na I lamp lines (Zhang et al. 2016, PASP
// 128, 105004); the intensities below are assumptions (a few to tens of R,
// Hg 5461 and 4358 strongest), scaled per site by Params.LightPollution.
// K I 7699 is also airglow (≈1 R, Slanger et al.).
var atomicLines = []atomicLine{
	{"[OI]", 5579, 5577.339, 320}, {"[OI]", 6300.3, 6300.304, 160}, {"[OI]", 6363.8, 6363.776, 160 / 3.1},
	{"Na I", 5890, 5889.950, 32}, {"Na I", 5896, 5895.924, 20},
	{"Hg", 3651, 3650.153, 5}, {"Hg", 3663, 3663.276, 3}, {"Hg", 4047, 4046.563, 10}, {"Hg", 4078, 4077.831, 2},
	{"Hg", 4358, 4358.328, 25}, {"Hg", 5461, 5460.735, 30}, {"HgI", 5770, 5769.598, 8}, {"HgI", 5791, 5790.663, 8},
	{"NaI", 5683, 5682.633, 6}, {"NaI", 5688, 5688.205, 6}, {"Na I", 6154, 6154.226, 6}, {"Na I", 6161, 6160.747, 6},
	{"Na I", 8183, 8183.255, 8}, {"Na I", 8195, 8194.824, 8},
	{"Ar I", 8015, 8014.786, 1}, {"Ar I", 8104, 8103.693, 1}, {"Ar I", 8408, 8408.210, 1}, {"Ar I", 8425, 8424.648, 1},
	{"KI", 7665, 7664.899, 0.6}, {"KI", 7699, 7698.965, 1},
}

// Other man-made lines without an entry above: high-pressure Na pairs
// get manMadeDefaultR, the broad Hg-lamp phosphor bands ("HgP ... broad")
// phosphorR over a Gaussian of σ phosphorSigmaAA (assumptions).
const (
	manMadeDefaultR = 3
	phosphorR       = 8
	phosphorSigmaAA = 15
)

// OH rotational distribution within a band (an approximation that only
// needs the branch and the order of the lines): a Boltzmann population at
// T_rot ≈ 190 K, typical of the mesopause (e.g. Osterbrock et al. 1996),
// with rotational constant B ≈ 15 cm⁻¹ (hcB/k ≈ 21.6 K), weight
// (2N+1)·exp(−hcB·N(N+1)/kT_rot); the rotational number N of a line is
// taken from its rank in its branch (Λ-doubled pairs share N); P lines
// are strongest, Q weaker, R weakest, and the F2 (Π1/2) components are
// weaker than F1 at these temperatures.
const (
	ohRotK    = 21.6 / 190
	ohQWeight = 0.55
	ohRWeight = 0.3
	ohF2      = 0.45
)

// skyLineIntensities returns the intensity (R) and extra Gaussian σ (Å,
// before the LSF) of each line, and its air wavelength (corrected for the
// atomic and lamp lines). Nebular and unlabelled lines get 0.
func skyLineIntensities(lines []SkyLine, lightPollution float64) (air, rayleys, sigma []float64) {
	n := len(lines)
	air, rayleys, sigma = make([]float64, n), make([]float64, n), make([]float64, n)
	type key struct {
		vu, vl int
		br     string
	}
	groups := map[key][]int{}
	for i, l := range lines {
		air[i] = l.AirAA
		switch l.Kind {
		case SkyOH:
			k := key{l.VUpper, l.VLower, l.Branch}
			groups[k] = append(groups[k], i)
		case SkyAtomic, SkyManMade, SkyOther:
			scale := 1.0
			if l.Kind != SkyAtomic {
				scale = lightPollution
			}
			found := false
			for _, a := range atomicLines {
				if a.species == l.Species && math.Abs(a.nearAA-l.AirAA) < 3 {
					air[i], rayleys[i], found = a.airAA, a.rayleys, true
					if a.species == "KI" {
						scale = 1 // K I 7665/7699 is airglow, not lamps
					}
				}
			}
			switch {
			case found:
			case l.Broad:
				rayleys[i], sigma[i] = phosphorR, phosphorSigmaAA
			case l.Kind == SkyManMade:
				rayleys[i] = manMadeDefaultR
			}
			rayleys[i] *= scale
		}
	}
	// Deterministic order (map iteration is random, and the sums must be
	// bit-identical from run to run): bands, then branches, sorted.
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].vu != keys[b].vu {
			return keys[a].vu < keys[b].vu
		}
		if keys[a].vl != keys[b].vl {
			return keys[a].vl < keys[b].vl
		}
		return keys[a].br < keys[b].br
	})
	weight := make([]float64, n)
	total := map[[2]int]float64{}
	for _, k := range keys {
		idx := groups[k]
		sort.SliceStable(idx, func(a, b int) bool { return lines[idx[a]].AirAA < lines[idx[b]].AirAA })
		bw := 1.0
		switch k.br[0] {
		case 'Q':
			bw = ohQWeight
		case 'R':
			bw = ohRWeight
		}
		if k.br[1] == '2' {
			bw *= ohF2
		}
		for r, i := range idx {
			nr := float64(1 + r/2)
			weight[i] = bw * (2*nr + 1) * math.Exp(-ohRotK*nr*(nr+1))
			total[[2]int{k.vu, k.vl}] += weight[i]
		}
	}
	for _, k := range keys {
		b := [2]int{k.vu, k.vl}
		for _, i := range groups[k] {
			rayleys[i] = ohBandR[b] * weight[i] / total[b]
		}
	}
	return air, rayleys, sigma
}

// Photon-flux units: 1 R = 10⁶/(4π) photons s⁻¹ cm⁻² sr⁻¹, and 1 arcsec²
// = (π/648000)² sr, so 1 R = 1.8704e-6 photons s⁻¹ cm⁻² arcsec⁻².
const (
	rayleighPhotonsArcsec2 = 1e6 / (4 * math.Pi) * (math.Pi / 648000) * (math.Pi / 648000)
	hcErgAA                = 1.98644586e-8 // h·c in erg·Å (CODATA 2018)
	vegaV5500              = 3.63e-9       // f_λ of V = 0 at 5500 Å, erg s⁻¹ cm⁻² Å⁻¹ (Bessell 1998)
)

// skyPhotons returns the dark-sky line and continuum spectra and the moonlight
// continuum (for Moon = 1) on the grid, in photons s⁻¹ cm⁻² Å⁻¹ arcsec⁻².
//
// Continuum: f_λ ∝ λ^0.8 through 5500 Å, the slope of the dark-sky B−V ≈ 0.8
// colour (Benn & Ellison 1998, New Astron. Rev. 42, 503), normalised to
// p.SkyVMag at 5500 Å (lines excluded). O2 Atmospheric (0–1) airglow at
// 8645 Å, absent from skylines.dat, is added as two Gaussians for its R
// and P branches with 350 R in all (the thesis above). Moonlight:
// scattered sunlight, a 5800 K Planck spectrum times λ^−2.5 (between
// Rayleigh λ^−4 and aerosol ≈λ^−1.3 scattering, cf. Krisciunas & Schaefer
// 1991, PASP 103, 1033), equal to the dark continuum at 5500 Å for Moon = 1.
func skyPhotons(p Params, wave []float64, r float64) (lines, cont, moon []float64) {
	n := len(wave)
	lines, cont, moon = make([]float64, n), make([]float64, n), make([]float64, n)
	f5500 := vegaV5500 * math.Pow(10, -0.4*p.SkyVMag)
	planck := func(w float64) float64 {
		x := w * 1e-4
		return 1 / (x * x * x * x * x * math.Expm1(1.438777e8/(w*5800)))
	}
	p5500 := planck(5500)
	for i, w := range wave {
		ph := w / hcErgAA
		cont[i] = f5500 * math.Pow(w/5500, 0.8) * ph
		moon[i] = f5500 * planck(w) / p5500 * math.Pow(w/5500, -2.5) * ph
	}
	sl := SkyLines()
	air, rr, sig := skyLineIntensities(sl, p.LightPollution)
	add := func(airAA, rayleys, sigmaAA float64) {
		if rayleys <= 0 {
			return
		}
		c := prep.AirToVacuum(airAA)
		lsf := c / r / 2.3548200450309493
		s := math.Sqrt(lsf*lsf + sigmaAA*sigmaAA)
		area := rayleys * rayleighPhotonsArcsec2
		peak := area / (s * math.Sqrt(2*math.Pi))
		lo := sort.SearchFloat64s(wave, c-6*s)
		for i := lo; i < n && wave[i] <= c+6*s; i++ {
			d := (wave[i] - c) / s
			lines[i] += peak * math.Exp(-0.5*d*d)
		}
	}
	for i := range sl {
		add(air[i], rr[i], sig[i])
	}
	add(8630, 120, 8) // O2 (0–1) R branch
	add(8670, 230, 12)
	return lines, cont, moon
}
