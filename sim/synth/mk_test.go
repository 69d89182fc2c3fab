package synth

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/internal/reftool"
)

// mkTestIRAFPath is where Debian's iraf-noao installs the MK table.
const mkTestIRAFPath = "/usr/lib/iraf/noao/lib/onedstds/blackbody/params.dat"

// The embedded transcription must equal the installed reference file.
func TestMKTableMatchesIRAF(t *testing.T) {
	data, err := os.ReadFile(mkTestIRAFPath)
	if err != nil {
		reftool.SkipOrFail(t, "Debian iraf-noao's %s: %v", mkTestIRAFPath, err)
		return
	}
	rows, err := ParseMKParams(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	table := MKTable()
	if len(rows) != len(mkIRAF) || len(table) != len(mkIRAF)+len(mkMartins) {
		t.Fatalf("installed file has %d rows, embedded %d (+%d Martins), MKTable %d", len(rows), len(mkIRAF), len(mkMartins), len(table))
	}
	for i, r := range rows {
		if r != table[i] {
			t.Errorf("row %d: file %+v, embedded %+v", i, r, table[i])
		}
	}
}

func TestParseMKParamsFormat(t *testing.T) {
	const in = `# The default for the spectral type given Teff should be last.

# Type    Teff     V      J      H      K      L   Lprime    M
  B9.5V  10300   0.00   0.10  INDEF  -0.01   0.16  INDEF  INDEF   # trailing comment
	K3III   4320   0.00  -2.18  -2.86  -3.00  -3.10  -3.12  -2.94
  O9Iab  32000
`
	got, err := ParseMKParams(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []MKType{
		{Type: "B9.5V", Letter: 'B', Subtype: 9.5, LumClass: "V", TeffK: 10300},
		{Type: "K3III", Letter: 'K', Subtype: 3, LumClass: "III", TeffK: 4320},
		{Type: "O9Iab", Letter: 'O', Subtype: 9, LumClass: "Iab", TeffK: 32000},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestParseMKParamsErrors(t *testing.T) {
	long := "G2V 5800 " + strings.Repeat("0 ", 3000)
	for _, c := range []struct{ name, in, want string }{
		{"empty", "# only a comment\n\n", "no spectral types"},
		{"one field", "G2V 5800\nK0V\n", "line 2"},
		{"letter", "\n\nX5V 5000\n", "line 3: type \"X5V\""},
		{"subclass", "Gx.V 5000\n", "subclass"},
		{"subclass range", "G12V 5000\n", "subclass"},
		{"class", "G2Z 5000\n", "luminosity class \"Z\""},
		{"INDEF Teff", "G2V INDEF 0.0\n", "line 1: G2V: Teff is INDEF"},
		{"Teff text", "G2V hot\n", "Teff \"hot\""},
		{"Teff negative", "G2V -5800\n", "Teff \"-5800\""},
		{"Teff NaN", "G2V NaN\n", "Teff \"NaN\""},
		{"column", "G2V 5800 0.00 1.2.3\n", "column 4: \"1.2.3\""},
		{"column inf", "G2V 5800 Inf\n", "column 3"},
		{"too long", long, "longer than"},
	} {
		_, err := ParseMKParams(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func FuzzParseMKParams(f *testing.F) {
	if data, err := os.ReadFile(mkTestIRAFPath); err == nil {
		f.Add(data)
	}
	f.Add([]byte("  G2V 5830 0.00 -1.09 INDEF\n# c\n\nM6III 3250 0 0 0 INDEF INDEF INDEF\n"))
	f.Add([]byte("B9.5Iab 10000e0\n"))
	f.Add([]byte("O3V 4.485e4 # x\nK0 4800\n"))
	f.Add([]byte("\x00\xff#\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseMKParams(bytes.NewReader(data))
		if err != nil {
			if rows != nil {
				t.Fatalf("rows %v with error %v", rows, err)
			}
			return
		}
		var b strings.Builder
		for _, r := range rows {
			if strings.IndexByte(mkLetters, r.Letter) < 0 || r.Type == "" || r.Type[0] != r.Letter ||
				!(r.TeffK > 0 && r.TeffK <= 1e6) || !(r.Subtype >= 0 && r.Subtype < 10) {
				t.Fatalf("invalid row %+v", r)
			}
			fmt.Fprintf(&b, "%s %s\n", r.Type, strconv.FormatFloat(r.TeffK, 'g', -1, 64))
		}
		again, err := ParseMKParams(strings.NewReader(b.String()))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(rows) {
			t.Fatalf("round trip: %v, %v != %v", err, again, rows)
		}
	})
}

// Every tabulated type maps back to itself at its own Teff and a gravity
// typical of its class.
func TestSpectralTypeRoundTrip(t *testing.T) {
	n := 0
	for _, r := range MKTable() {
		var logg float64
		switch r.LumClass {
		case "V":
			logg = 4.5
		case "III":
			logg = 2.0
		case "I":
			logg = -0.5
		}
		if got := SpectralType(r.TeffK, logg); got != r.Type {
			t.Errorf("SpectralType(%g, %g) = %q, want %q", r.TeffK, logg, got, r.Type)
		}
		n++
	}
	if n != 140 {
		t.Errorf("%d types, want 140 (135 in params.dat + 5 Martins et al.)", n)
	}
	for _, c := range []struct {
		teff, logg float64
		want       string
	}{
		{5830, 4.44, "G2V"},
		{9600, 3.95, "A0V"},
		{4290, 1.7, "K3III"},
		{3560, -0.3, "M1I"},
		{12000, 3.2, "B8III"}, // B giants use the dwarf Teff scale, keep III
		{60000, 4, "O3V"},
		{2000, 5, "M6V"},
	} {
		if got := SpectralType(c.teff, c.logg); got != c.want {
			t.Errorf("SpectralType(%g, %g) = %q, want %q", c.teff, c.logg, got, c.want)
		}
	}
	for _, bad := range [][2]float64{{math.NaN(), 4}, {5000, math.NaN()}, {0, 4}, {-10, 4}, {math.Inf(1), 4}} {
		if got := SpectralType(bad[0], bad[1]); got != "" {
			t.Errorf("SpectralType(%v) = %q, want \"\"", bad, got)
		}
	}
}

// Any Teff strictly inside a letter's range gets that letter, and the
// ranges tile the sequence without gaps.
func TestTeffRangeRoundTrip(t *testing.T) {
	for _, class := range []string{"V", "III", "I"} {
		prevLo := 0.0
		for k := 0; k < len(mkLetters); k++ {
			letter := mkLetters[k]
			lo, hi := TeffRangeClass(letter, class)
			if !(lo > 0 && lo < hi) {
				t.Fatalf("%s %c: range (%g, %g)", class, letter, lo, hi)
			}
			if k == 0 && hi != 45000 {
				t.Errorf("%s O: hi %g, want 45000", class, hi)
			}
			if k > 0 && hi != prevLo {
				t.Errorf("%s %c: hi %g != lo of %c %g", class, letter, hi, mkLetters[k-1], prevLo)
			}
			prevLo = lo
			for i := 1; i < 40; i++ {
				teff := lo * math.Pow(hi/lo, float64(i)/40)
				sg, dw := LumClassBounds(teff)
				logg := map[string]float64{"V": dw + 0.3, "III": (sg + dw) / 2, "I": sg - 0.3}[class]
				st := SpectralType(teff, logg)
				if st == "" || st[0] != letter || !strings.HasSuffix(st, class) || LumClass(teff, logg) != class {
					t.Errorf("%s %c: SpectralType(%.0f, %.2f) = %q", class, letter, teff, logg, st)
				}
			}
		}
	}
	if lo, hi := TeffRange('M'); lo != 2400 || hi != (4040+3800)/2.0 {
		t.Errorf("TeffRange(M) = %g, %g", lo, hi)
	}
	if lo, hi := TeffRange('Q'); lo != 0 || hi != 0 {
		t.Errorf("TeffRange(Q) = %g, %g", lo, hi)
	}
	if lo, hi := TeffRangeClass('G', "IV"); lo != 0 || hi != 0 {
		t.Errorf("TeffRangeClass(G, IV) = %g, %g", lo, hi)
	}
}

// The class boundaries place the well-known standards in their classes.
func TestLumClassStandards(t *testing.T) {
	for _, c := range []struct {
		name       string
		teff, logg float64
		want       string
	}{
		{"Sun", 5772, 4.44, "V"},
		{"Vega", 9600, 3.95, "V"},
		{"Arcturus", 4286, 1.66, "III"},
		{"Aldebaran", 3900, 1.2, "III"},
		{"Betelgeuse", 3600, -0.5, "I"},
		{"Rigel", 12100, 1.75, "I"},
		{"Deneb", 8500, 1.1, "I"},
		{"O supergiant", 40000, 3.3, "I"},
		{"O giant", 40000, 3.65, "III"},
		{"O9.5V", 31500, 4.0, "V"},
		{"Proxima", 3050, 5.2, "V"},
	} {
		if got := LumClass(c.teff, c.logg); got != c.want {
			t.Errorf("%s: LumClass(%g, %g) = %s, want %s", c.name, c.teff, c.logg, got, c.want)
		}
	}
}
