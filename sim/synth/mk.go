package synth

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/astroone/astroone-go/internal/textdata"
)

// MKType is one row of an MK spectral-type ↔ effective-temperature table.
type MKType struct {
	Type     string  // the full type as written, e.g. "K3III"
	Letter   byte    // temperature class letter: one of OBAFGKM
	Subtype  float64 // decimal subclass, e.g. 3 for K3, 9.5 for B9.5
	LumClass string  // luminosity class: I, Ia, Iab, Ib, II, III, IV or V
	TeffK    float64 // effective temperature, K
}

// mkLetters lists the temperature classes from hot to cool.
const mkLetters = "OBAFGKM"

// mkLumClasses are the luminosity classes ParseMKParams accepts.
var mkLumClasses = []string{"Iab", "Ia", "Ib", "III", "II", "IV", "I", "V"}

// maxMKLine bounds one line of a parameter file (the real one has 60
// characters per line).
const maxMKLine = 4096

// ParseMKParams reads an MK parameter table in the format of IRAF's
// noao/lib/onedstds/blackbody/params.dat: one row per spectral type, the
// columns "Type Teff V J H K L Lprime M" separated by blanks, '#' starting
// a comment, blank lines ignored, and INDEF for a missing value. Only the
// type and Teff are kept; the other columns must be numbers or INDEF. Rows
// are returned in file order. Errors name the offending line.
func ParseMKParams(r io.Reader) ([]MKType, error) {
	var out []MKType
	err := textdata.Fields(r, maxMKLine, func(line int, fields []string) error {
		t, err := mkParseRow(fields)
		if err != nil {
			return fmt.Errorf("mk params: line %d: %w", line, err)
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "mk params:") {
			err = fmt.Errorf("mk params: %w", err)
		}
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("mk params: no spectral types")
	}
	return out, nil
}

// mkParseRow parses the fields of one params.dat row.
func mkParseRow(fields []string) (MKType, error) {
	if len(fields) < 2 {
		return MKType{}, fmt.Errorf("want at least a type and a Teff, got %q", strings.Join(fields, " "))
	}
	t, err := mkParseType(fields[0])
	if err != nil {
		return t, err
	}
	if fields[1] == "INDEF" {
		return t, fmt.Errorf("%s: Teff is INDEF", t.Type)
	}
	teff, err := strconv.ParseFloat(fields[1], 64)
	if err != nil || math.IsNaN(teff) || !(teff > 0) || teff > 1e6 {
		return t, fmt.Errorf("%s: Teff %q is not a temperature in (0, 1e6] K", t.Type, fields[1])
	}
	t.TeffK = teff
	for j, v := range fields[2:] {
		if v == "INDEF" {
			continue
		}
		if x, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return t, fmt.Errorf("%s: column %d: %q is neither a number nor INDEF", t.Type, j+3, v)
		}
	}
	return t, nil
}

// mkParseType splits a type such as "B9.5V" or "M4III" into its parts.
func mkParseType(s string) (MKType, error) {
	t := MKType{Type: s}
	if len(s) < 3 || strings.IndexByte(mkLetters, s[0]) < 0 {
		return t, fmt.Errorf("type %q: want a class letter (OBAFGKM), a subclass and a luminosity class", s)
	}
	t.Letter = s[0]
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	sub, err := strconv.ParseFloat(s[1:i], 64)
	if err != nil || sub < 0 || sub >= 10 {
		return t, fmt.Errorf("type %q: subclass %q is not a number in [0, 10)", s, s[1:i])
	}
	t.Subtype = sub
	for _, c := range mkLumClasses {
		if s[i:] == c {
			t.LumClass = c
			return t, nil
		}
	}
	return t, fmt.Errorf("type %q: luminosity class %q is not one of %s", s, s[i:], strings.Join(mkLumClasses, ", "))
}

// mkIRAF transcribes the Type and Teff columns of params.dat from Debian's
// iraf-noao package (/usr/lib/iraf/noao/lib/onedstds/blackbody/params.dat,
// the table IRAF's mkbbcal uses), in the file's order: supergiants (I),
// giants (III), dwarfs (V). TestMKTableMatchesIRAF checks it against the
// installed file.
var mkIRAF = [...]struct {
	t    string
	teff float64
}{
	{"O9I", 32500}, {"B0I", 26000}, {"B1I", 20700}, {"B2I", 17800}, {"B3I", 15600},
	{"B4I", 13900}, {"B5I", 13400}, {"B6I", 12700}, {"B7I", 12000}, {"B8I", 11200},
	{"B9I", 10500}, {"A0I", 9730}, {"A1I", 9230}, {"A2I", 9080}, {"A3I", 8800},
	{"A4I", 8620}, {"A5I", 8510}, {"A6I", 8350}, {"A7I", 8210}, {"A8I", 8050},
	{"A9I", 7855}, {"F0I", 7700}, {"F1I", 7445}, {"F2I", 7170}, {"F3I", 7025},
	{"F4I", 6825}, {"F5I", 6640}, {"F6I", 6435}, {"F7I", 6235}, {"F8I", 6100},
	{"F9I", 5815}, {"G0I", 5510}, {"G1I", 5365}, {"G2I", 5155}, {"G3I", 4980},
	{"G4I", 4820}, {"G5I", 4710}, {"G6I", 4635}, {"G7I", 4585}, {"G8I", 4590},
	{"G9I", 4505}, {"K0I", 4420}, {"K1I", 4330}, {"K2I", 4260}, {"K3I", 4130},
	{"K4I", 3990}, {"K5I", 3850}, {"K6I", 3765}, {"K7I", 3695}, {"M0I", 3650},
	{"M1I", 3550}, {"M2I", 3450}, {"M3I", 3200}, {"M4I", 2980},

	{"G0III", 5910}, {"G1III", 5600}, {"G2III", 5405}, {"G3III", 5280}, {"G4III", 5190},
	{"G5III", 5115}, {"G6III", 5050}, {"G7III", 5000}, {"G8III", 4960}, {"G9III", 4900},
	{"K0III", 4810}, {"K1III", 4620}, {"K2III", 4500}, {"K3III", 4320}, {"K4III", 4080},
	{"K5III", 3980}, {"K6III", 3910}, {"K7III", 3855}, {"M0III", 3820}, {"M1III", 3780},
	{"M2III", 3710}, {"M3III", 3630}, {"M4III", 3560}, {"M5III", 3420}, {"M6III", 3250},

	{"O9V", 35900}, {"B0V", 31500}, {"B1V", 25600}, {"B2V", 22300}, {"B3V", 19000},
	{"B4V", 17200}, {"B5V", 15400}, {"B6V", 14100}, {"B7V", 13000}, {"B8V", 11800},
	{"B9V", 10700}, {"A0V", 9480}, {"A1V", 9005}, {"A2V", 8810}, {"A3V", 8545},
	{"A4V", 8430}, {"A5V", 8160}, {"A6V", 8075}, {"A7V", 7930}, {"A8V", 7575},
	{"A9V", 7310}, {"F0V", 7020}, {"F1V", 6870}, {"F2V", 6750}, {"F3V", 6650},
	{"F4V", 6605}, {"F5V", 6530}, {"F6V", 6405}, {"F7V", 6240}, {"F8V", 6090},
	{"F9V", 5990}, {"G0V", 5930}, {"G1V", 5880}, {"G2V", 5830}, {"G3V", 5780},
	{"G4V", 5730}, {"G5V", 5680}, {"G6V", 5620}, {"G7V", 5545}, {"G8V", 5455},
	{"G9V", 5350}, {"K0V", 5240}, {"K1V", 5135}, {"K2V", 5010}, {"K3V", 4805},
	{"K4V", 4560}, {"K5V", 4340}, {"K6V", 4155}, {"K7V", 4040}, {"M0V", 3800},
	{"M1V", 3680}, {"M2V", 3530}, {"M3V", 3380}, {"M4V", 3180}, {"M5V", 3030},
	{"M6V", 2850},
}

// mkMartins extends the dwarf sequence to the hottest O stars with the
// observational Teff scale of Martins, Schaerer & Hillier (2005, A&A 436,
// 1049), Table 1 (luminosity class V). params.dat starts at O9V.
var mkMartins = [...]struct {
	t    string
	teff float64
}{
	{"O3V", 44850}, {"O4V", 42860}, {"O5V", 40860}, {"O6V", 38870}, {"O7V", 36870},
}

// mkData holds the parsed tables, built once.
var mkData struct {
	once sync.Once
	all  []MKType            // MKTable order
	seq  map[string][]MKType // Teff sequence per luminosity class: "V", "III", "I"
}

func mkInit() {
	mkData.once.Do(func() {
		add := func(t string, teff float64) MKType {
			m, err := mkParseType(t)
			if err != nil {
				panic("synth: embedded MK table: " + err.Error()) // a typo in the table above
			}
			m.TeffK = teff
			return m
		}
		var all []MKType
		var sI, sIII, sV, irafV []MKType
		for _, r := range mkIRAF {
			m := add(r.t, r.teff)
			all = append(all, m)
			switch m.LumClass {
			case "I":
				sI = append(sI, m)
			case "III":
				sIII = append(sIII, m)
			case "V":
				irafV = append(irafV, m)
			}
		}
		for _, r := range mkMartins {
			m := add(r.t, r.teff)
			all = append(all, m)
			sV = append(sV, m)
		}
		sV = append(sV, irafV...) // O3V–O7V, then O9V–M6V
		// Giants: the table has III rows only for G0–M6; hotter giants use
		// the dwarf Teff scale (the brief's fallback), keeping the class.
		var giants []MKType
		for _, m := range sV {
			if strings.IndexByte("OBAF", m.Letter) >= 0 {
				giants = append(giants, m)
			}
		}
		giants = append(giants, sIII...)
		mkData.all = all
		mkData.seq = map[string][]MKType{"V": sV, "III": giants, "I": sI}
	})
}

// MKTable returns the MK Teff table: the rows of IRAF's params.dat (I,
// III and V, in file order) followed by the O3V–O7V rows of Martins,
// Schaerer & Hillier (2005). The slice is a copy.
func MKTable() []MKType {
	mkInit()
	return append([]MKType(nil), mkData.all...)
}

// Luminosity-class boundaries in log g (cgs), piecewise linear in
// log10 Teff between the nodes and constant beyond them. They follow the
// typical surface gravities of each class: dwarfs (V) of all types have
// log g ≳ 3.9 (O V: 3.92, Martins et al. 2005; A–M V: 4.1–5.1, from the
// masses and radii of Pecaut & Mamajek 2013), cool giants (III) 0.5–3.5
// along the red giant branch, O giants and supergiants 3.6–3.9 and
// 3.2–3.6 (Martins et al. 2005), B/A supergiants about 1.5–3
// (e.g. Rigel B8Ia log g ≈ 1.75, Deneb A2Ia ≈ 1.1), red supergiants ≲ 0.
// Subgiants (IV) are counted as dwarfs.
var (
	mkBoundLogT = [...]float64{3.5441, 3.6990, 3.8751, 4.0, 4.3010, 4.6021} // 3500, 5000, 7500, 10000, 20000, 40000 K
	mkVIIILogg  = [...]float64{3.5, 3.5, 3.5, 3.5, 3.6, 3.75}               // V ≥ this
	mkIIIILogg  = [...]float64{0.0, 0.5, 1.5, 2.3, 2.9, 3.45}               // III ≥ this > I
)

// mkInterp evaluates the piecewise-linear boundary y at log10 Teff x.
func mkInterp(y *[6]float64, x float64) float64 {
	n := &mkBoundLogT
	if x <= n[0] {
		return y[0]
	}
	for i := 1; i < len(n); i++ {
		if x <= n[i] {
			t := (x - n[i-1]) / (n[i] - n[i-1])
			return y[i-1] + t*(y[i]-y[i-1])
		}
	}
	return y[len(y)-1]
}

// LumClassBounds returns the log g boundaries (cgs) used by SpectralType at
// teffK: a star is a dwarf (V) when log g ≥ dwarfMin, a giant (III) when
// supergiantMax ≤ log g < dwarfMin, and a supergiant (I) below.
func LumClassBounds(teffK float64) (supergiantMax, dwarfMin float64) {
	x := math.Log10(teffK)
	return mkInterp(&mkIIIILogg, x), mkInterp(&mkVIIILogg, x)
}

// LumClass returns "V", "III" or "I" for a star of the given Teff and
// log g (see LumClassBounds).
func LumClass(teffK, logg float64) string {
	sg, dw := LumClassBounds(teffK)
	switch {
	case logg >= dw:
		return "V"
	case logg >= sg:
		return "III"
	default:
		return "I"
	}
}

// SpectralType returns the MK type, e.g. "G2V" or "K3III", of a star with
// effective temperature teffK and surface gravity logg (cgs): the
// luminosity class from LumClass, then the type of that class whose
// tabulated Teff is nearest (MKTable; O, B, A and F giants use the dwarf
// Teff scale, since the table has no III rows for them, but keep the III
// class). It returns "" for a non-finite or non-positive Teff or a NaN
// log g.
func SpectralType(teffK, logg float64) string {
	if !(teffK > 0) || math.IsInf(teffK, 0) || math.IsNaN(logg) {
		return ""
	}
	mkInit()
	class := LumClass(teffK, logg)
	best := mkNearest(mkData.seq[class], teffK)
	return mkFormat(best.Letter, best.Subtype) + class
}

// mkNearest returns the row of seq whose Teff is nearest teffK (the first
// on a tie).
func mkNearest(seq []MKType, teffK float64) MKType {
	best, bd := seq[0], math.Inf(1)
	for _, m := range seq {
		if d := math.Abs(m.TeffK - teffK); d < bd {
			best, bd = m, d
		}
	}
	return best
}

func mkFormat(letter byte, sub float64) string {
	return string(letter) + strconv.FormatFloat(sub, 'f', -1, 64)
}

// TeffRange returns the effective temperatures spanned by the dwarf (V)
// subtypes of a class letter (O, B, A, F, G, K or M): the midpoints
// between the letter's first and last subtype and their neighbours in the
// sequence, so that SpectralType(t, dwarf log g) has that letter for any t
// strictly inside. The O range ends at 45000 K (just above O3V) and the M
// range at 2400 K (about M9V, Pecaut & Mamajek 2013). An unknown letter
// gives (0, 0).
func TeffRange(letter byte) (loK, hiK float64) { return TeffRangeClass(letter, "V") }

// TeffRangeClass is TeffRange for the sequence of luminosity class
// lumClass ("V", "III" or "I"; "III" uses the dwarf scale for O–F, like
// SpectralType). The coolest giant (M6III) and supergiant (M4I) ranges
// extend half a subtype step below the last tabulated Teff. An unknown
// letter or class gives (0, 0).
func TeffRangeClass(letter byte, lumClass string) (loK, hiK float64) {
	mkInit()
	seq, ok := mkData.seq[lumClass]
	if !ok {
		return 0, 0
	}
	first, last := -1, -1
	for i, m := range seq {
		if m.Letter == letter {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, 0
	}
	if first == 0 {
		hiK = 45000
		if seq[0].TeffK > hiK {
			hiK = seq[0].TeffK
		}
	} else {
		hiK = (seq[first-1].TeffK + seq[first].TeffK) / 2
	}
	switch {
	case last+1 < len(seq):
		loK = (seq[last].TeffK + seq[last+1].TeffK) / 2
	case lumClass == "V":
		loK = 2400
	default:
		loK = seq[last].TeffK - (seq[last-1].TeffK-seq[last].TeffK)/2
	}
	return loK, hiK
}
