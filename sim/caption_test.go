package sim

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestCaptionStar(t *testing.T) {
	en, zh := Caption(Labels{Class: ClassK, Subclass: "K3III", TeffK: 4480, Logg: 2.1, FeH: -1.3, RVKmS: -45.2, EBV: 0.05, SNR: 35})
	wantEN := "metal-poor K giant (K3III), Teff 4480 K, logg 2.1, [Fe/H] −1.3, RV −45 km/s, S/N 35"
	if en != wantEN {
		t.Errorf("en = %q\nwant %q", en, wantEN)
	}
	for _, w := range []string{"贫金属K型巨星（K3III）", "有效温度 4480 K", "[Fe/H] −1.3", "视向速度 −45 km/s", "信噪比 35"} {
		if !strings.Contains(zh, w) {
			t.Errorf("zh %q lacks %q", zh, w)
		}
	}
}

func TestCaptionClasses(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		l      Labels
		en, zh string
	}{
		{Labels{Class: ClassG, Subclass: "G2V", TeffK: 5780, Logg: 4.44, FeH: 0.02}, "solar-metallicity G dwarf (G2V)", "太阳金属丰度G型矮星"},
		{Labels{Class: ClassM, Subclass: "M2V", TeffK: 3500, Logg: 4.8, FeH: 0.4}, "metal-rich M dwarf", "富金属"},
		{Labels{Class: ClassCarbon, Subclass: "C-N", TeffK: 3000, Logg: 0.5, FeH: -0.2}, "C-N carbon giant", "碳星"},
		{Labels{Class: ClassCV, Subclass: "AM", RVKmS: 12, TeffK: nan}, "polar (AM Her star)", "激变变星"},
		{Labels{Class: ClassQSO, Z: 2.5}, "quasar at z = 2.500", "莱曼α森林"},
		{Labels{Class: ClassGalaxy, Subclass: "STARFORMING", Z: 0.08}, "star-forming galaxy", "恒星形成星系"},
		{Labels{Class: ClassGalaxy, Subclass: "PASSIVE", Z: 0.2, EBV: 0.3}, "reddened, E(B−V) 0.30", "受星际红化"},
	} {
		en, zh := Caption(c.l)
		if !strings.Contains(en, c.en) || !strings.Contains(zh, c.zh) {
			t.Errorf("%s %s: en %q (want %q), zh %q (want %q)", c.l.Class, c.l.Subclass, en, c.en, zh, c.zh)
		}
	}
}

func TestSignedHasNoNegativeZero(t *testing.T) {
	for v, want := range map[float64]string{-0.04: "0.0", -0.06: "−0.1", 0: "0.0", 1.25: "1.2"} {
		if got := signed(v, 1); got != want && !(v == 1.25 && got == "1.3") {
			t.Errorf("signed(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestReadLabelsErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"no class":    "id,file\n1,a.fits\n",
		"bad class":   "id,file,class\n1,a.fits,PULSAR\n",
		"bad number":  "id,file,class,teff\n1,a.fits,G,hot\n",
		"inf number":  "id,file,class,teff\n1,a.fits,G,Inf\n",
		"missing id":  "id,file,class\n,a.fits,G\n",
		"bad quoting": "id,file,class\n1,\"a.fits,G\n",
	} {
		if _, err := ReadLabels(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	recs, err := ReadLabels(strings.NewReader("extra,class,file,id,teff\nx,qso,q.fits,7,\n"))
	if err != nil || len(recs) != 1 || recs[0].Class != ClassQSO || recs[0].ID != "7" || !math.IsNaN(recs[0].TeffK) {
		t.Errorf("reordered columns: %+v, %v", recs, err)
	}
}

func FuzzReadLabels(f *testing.F) {
	var b bytes.Buffer
	b.WriteString(strings.Join(LabelColumns, ",") + "\n")
	row := labelRow("100000001", "spec-1.fits", Labels{Class: ClassK, Subclass: "K3III", TeffK: 4480, Logg: 2.1, FeH: -1.3, RVKmS: 3, Z: 1e-5, EBV: 0.1, SNR: 30})
	b.WriteString(strings.Join(row[:11], ",") + ",a,b\n")
	f.Add(b.String())
	f.Add("id,file,class\n1,a,QSO\n")
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := ReadLabels(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range recs {
			if r.Class.Index() < 0 || r.ID == "" || r.File == "" {
				t.Fatalf("accepted a bad record %+v", r)
			}
		}
	})
}
