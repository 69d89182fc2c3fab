package observe

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/internal/reftool"
)

const (
	installedKPNO     = "/usr/lib/iraf/noao/lib/onedstds/kpnoextinct.dat"
	installedSkyLines = "/usr/lib/iraf/noao/lib/linelists/skylines.dat"
)

func TestKPNOExtinctionEmbedded(t *testing.T) {
	tab := KPNOExtinction()
	if len(tab) != 82 {
		t.Fatalf("%d rows, the file has 82", len(tab))
	}
	// First, last and a middle row as printed in kpnoextinct.dat.
	for _, want := range []ExtinctionPoint{{3200, 1.017}, {5000, 0.18}, {8708, 0.030}, {10400, 0.024}} {
		found := false
		for _, p := range tab {
			if p == want {
				found = true
			}
		}
		if !found {
			t.Errorf("row %v missing", want)
		}
	}
	// Interpolation halfway between 5000 (0.18) and 5067 (0.174).
	if got := interpExtinction(tab, 5033.5); math.Abs(got-0.177) > 1e-12 {
		t.Errorf("interp(5033.5) = %v, want 0.177", got)
	}
	if got := interpExtinction(tab, 3000); got != 1.017 {
		t.Errorf("interp below the table = %v, want the first value 1.017", got)
	}
}

func TestEmbeddedExtinctionMatchesInstalled(t *testing.T) {
	data, err := os.ReadFile(installedKPNO)
	if err != nil {
		reftool.SkipOrFail(t, "Debian iraf-noao's %s: %v", installedKPNO, err)
	}
	got, err := ParseExtinctionTable(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("installed file: %v", err)
	}
	want := KPNOExtinction()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("embedded table differs from %s:\n got %v\nwant %v", installedKPNO, want, got)
	}
}

func TestParseExtinctionTableErrors(t *testing.T) {
	for _, in := range []string{
		"",                           // no rows
		"4000 0.3\n",                 // one row
		"4000 0.3\n3900 0.4\n",       // decreasing
		"4000 0.3\n4000 0.4\n",       // repeated
		"4000 0.3 1\n5000 0.2\n",     // three fields
		"4000 x\n5000 0.2\n",         // not a number
		"-4000 0.3\n5000 0.2\n",      // negative wavelength
		"4000 -0.3\n5000 0.2\n",      // negative extinction
		"4000 NaN\n5000 0.2\n",       // NaN
		"4000 0.3\n+Inf 0.2\n",       // infinite
		"4000 0.3\n5000 0.2\n6000\n", // one field
	} {
		if _, err := ParseExtinctionTable(strings.NewReader(in)); !errors.Is(err, ErrTable) {
			t.Errorf("%q: err = %v, want ErrTable", in, err)
		}
	}
	tab, err := ParseExtinctionTable(strings.NewReader("# c\n\n4000 0.3 # x\n5000. 0.2\n"))
	if err != nil || len(tab) != 2 || tab[1] != (ExtinctionPoint{5000, 0.2}) {
		t.Errorf("comments and blanks: %v, %v", tab, err)
	}
}

func FuzzParseExtinctionTable(f *testing.F) {
	f.Add(kpnoExtinction)
	f.Add("4000 0.3\n5000 0.2\n")
	f.Add("4000 0.3\n3900 0.2\n")
	f.Add("# only a comment\n")
	f.Add("4000 1e400\n5000 0.1\n")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := ParseExtinctionTable(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrTable) && !strings.Contains(err.Error(), "token too long") {
				t.Fatalf("error does not wrap ErrTable: %v", err)
			}
			return
		}
		// Invariants, and a round trip through a formatted table.
		var sb strings.Builder
		for i, p := range tab {
			if !(p.WavelengthAA > 0) || !(p.MagPerAirmass >= 0) || math.IsInf(p.WavelengthAA+p.MagPerAirmass, 0) ||
				(i > 0 && !(p.WavelengthAA > tab[i-1].WavelengthAA)) {
				t.Fatalf("row %d = %v breaks the invariants", i, p)
			}
			fmt.Fprintf(&sb, "%v %v\n", p.WavelengthAA, p.MagPerAirmass)
		}
		again, err := ParseExtinctionTable(strings.NewReader(sb.String()))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(tab) {
			t.Fatalf("round trip: %v, %v != %v", err, again, tab)
		}
	})
}

func TestSkyLinesEmbedded(t *testing.T) {
	lines := SkyLines()
	if len(lines) != 1345 {
		t.Fatalf("%d lines, the file has 1345", len(lines))
	}
	count := map[SkyLineKind]int{}
	for _, l := range lines {
		count[l.Kind]++
	}
	if count[SkyOH] != 1276 || count[SkyManMade] != 37 || count[SkyNebular] != 23 || count[SkyAtomic] != 5 || count[SkyOther] != 4 {
		t.Errorf("kinds %v, want 1276 OH, 37 ML, 23 DN, 5 AN, 4 others", count)
	}
	find := func(w float64) SkyLine {
		for _, l := range lines {
			if l.AirAA == w {
				return l
			}
		}
		t.Fatalf("no line at %v", w)
		return SkyLine{}
	}
	if l := find(5187.3957); l.Kind != SkyOH || l.VUpper != 9 || l.VLower != 2 || l.Branch != "R1" {
		t.Errorf("5187.3957: %+v, want OH 9-2 R1", l)
	}
	if l := find(5579); l.Kind != SkyAtomic || l.Species != "[OI]" {
		t.Errorf("5579: %+v, want [OI] AN", l)
	}
	if l := find(6562.8); l.Kind != SkyNebular || l.Species != "HI" || l.Strength != 350 {
		t.Errorf("6562.8: %+v, want HI DN 350", l)
	}
	if l := find(3726.05); !l.Blend || l.Strength != 127 {
		t.Errorf("3726.05: %+v, want [OII] DN 127 blend", l)
	}
	if l := find(4494); l.Kind != SkyManMade || l.Species != "Na I" {
		t.Errorf("4494: %+v, want Na I HP ML", l)
	}
	if l := find(5980); l.Kind != SkyManMade || !l.Broad || l.Species != "HgP" {
		t.Errorf("5980: %+v, want HgP ML broad", l)
	}
	if l := find(10830.3); l.Kind != SkyOther || l.Species != "He I" || l.Strength != 70 {
		t.Errorf("10830.3: %+v, want He I with strength 70", l)
	}
	if l := find(3651); l.Kind != SkyOther || l.Species != "Hg" || !math.IsNaN(l.Strength) {
		t.Errorf("3651: %+v, want unlabelled Hg", l)
	}
}

func TestEmbeddedSkyLinesMatchInstalled(t *testing.T) {
	data, err := os.ReadFile(installedSkyLines)
	if err != nil {
		reftool.SkipOrFail(t, "Debian iraf-noao's %s: %v", installedSkyLines, err)
	}
	if string(data) != skyLinesDat {
		t.Errorf("data/skylines.dat differs from %s", installedSkyLines)
	}
	if _, err := ParseSkyLines(bytes.NewReader(data)); err != nil {
		t.Errorf("installed file: %v", err)
	}
}

func TestParseSkyLinesErrors(t *testing.T) {
	for _, in := range []string{
		"x Hg ML\n",           // bad wavelength
		"-5000 Hg\n",          // negative
		"5000 9-2\n",          // OH without branch
		"5000 9-2 S1\n",       // bad branch
		"5000 9-2 P3\n",       // bad spin component
		"5000 2-9 P1\n",       // v' < v''
		"5000 9-2 P1 extra\n", // trailing token
		"5000 Hg ML lamp\n",   // text after the labels
		"5000 HI DN -3\n",     // negative strength
	} {
		if _, err := ParseSkyLines(strings.NewReader(in)); !errors.Is(err, ErrTable) {
			t.Errorf("%q: err = %v, want ErrTable", in, err)
		}
	}
}

func FuzzParseSkyLines(f *testing.F) {
	f.Add(skyLinesDat[:4000])
	f.Add("5187.3957 9-2 R1\n5579. [OI] AN\n")
	f.Add("6562.8 HI DN 350\n3726.05 [OII] DN 127 blend\n5980. HgP ML broad\n")
	f.Add("5000 9-2 S1\n")
	f.Add("10830.3 He I 70\n")
	f.Fuzz(func(t *testing.T, in string) {
		lines, err := ParseSkyLines(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrTable) && !strings.Contains(err.Error(), "token too long") {
				t.Fatalf("error does not wrap ErrTable: %v", err)
			}
			return
		}
		for _, l := range lines {
			if !(l.AirAA > 0) || math.IsInf(l.AirAA, 0) {
				t.Fatalf("bad wavelength in %+v", l)
			}
			if (l.Kind == SkyOH) != (l.VUpper >= 0) || (l.Kind == SkyOH && len(l.Branch) != 2) {
				t.Fatalf("inconsistent OH fields in %+v", l)
			}
		}
		// The intensity assignment accepts whatever parses.
		_, r, sig := skyLineIntensities(lines, 1)
		for i := range r {
			if !(r[i] >= 0) || !(sig[i] >= 0) {
				t.Fatalf("line %+v: intensity %v, σ %v", lines[i], r[i], sig[i])
			}
		}
	})
}
