package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// cvTestDraw draws CVs until one of the kind comes up.
func cvTestDraw(rng *rand.Rand, kind string) CVParams {
	for {
		if p := DrawCV(rng); p.Kind == kind {
			return p
		}
	}
}

func cvTestMedian(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func TestCVHeIIStrongerInPolars(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(11, 12))
	ratio := map[string][]float64{}
	for _, kind := range []string{CVDwarfNova, CVPolar} {
		for range 30 {
			p := cvTestDraw(rng, kind)
			p.WDFrac, p.WDBalmerEWAA = 0, 0 // no trough under Hβ to bias the measurement
			g.CV(f, p)
			dop := DopplerFactor(p.RVKmS)
			he := emissionTestLineFlux(g, f, 4687.02*dop, 35, 55)
			hb := emissionTestLineFlux(g, f, 4862.68*dop, 35, 55)
			ratio[kind] = append(ratio[kind], he/hb)
		}
	}
	dn, am := cvTestMedian(ratio[CVDwarfNova]), cvTestMedian(ratio[CVPolar])
	t.Logf("median He II 4686 / Hβ: dwarf novae %.3f, polars %.3f", dn, am)
	if !(am > 0.4 && dn < 0.2 && am > 3*dn) {
		t.Errorf("He II/Hβ: polars %.3f, dwarf novae %.3f; want polars > 0.4 (Silber 1992), dwarf novae < 0.2", am, dn)
	}
}

// cvTestMaxima returns the local maxima of f in [fromAA, toAA] that stand
// at least frac above the lowest point between them and the window edges.
func cvTestMaxima(g *Grid, f []float64, fromAA, toAA, frac float64) []float64 {
	lo, hi := g.Window(fromAA, toAA)
	var peaks []float64
	for i := lo + 1; i < hi-1; i++ {
		if f[i] > f[i-1] && f[i] >= f[i+1] {
			// Prominence: the dip on each side before a higher point.
			l, r := f[i], f[i]
			for j := i - 1; j >= lo && f[j] <= f[i]; j-- {
				l = min(l, f[j])
			}
			for j := i + 1; j < hi && f[j] <= f[i]; j++ {
				r = min(r, f[j])
			}
			if f[i]-max(l, r) > frac*f[i] {
				peaks = append(peaks, g.Wave[i])
			}
		}
	}
	return peaks
}

func TestCVDoublePeakedHalpha(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(13, 14))
	// A clean disk line: the peaks sit at ±PeakKmS.
	p := cvTestDraw(rng, CVDwarfNova)
	p.PeakKmS, p.PeakSigmaKmS, p.SpotFrac, p.RVKmS = 600, 240, 0, 0
	g.CV(f, p)
	peaks := cvTestMaxima(g, f, 6564.61-40, 6564.61+40, 0.02)
	if len(peaks) != 2 {
		t.Fatalf("clean DN Hα: maxima at %v, want 2", peaks)
	}
	sep := (peaks[1] - peaks[0]) / 6564.61 * SpeedOfLightKmS / 2
	if math.Abs(sep-600) > 60 {
		t.Errorf("half separation of the Hα peaks %.0f km/s, want 600 ± 60", sep)
	}
	// Every drawn dwarf nova shows (at least) two maxima.
	for i := range 40 {
		p := cvTestDraw(rng, CVDwarfNova)
		g.CV(f, p)
		c := 6564.61 * DopplerFactor(p.RVKmS)
		w := c * 2.2 * p.PeakKmS / SpeedOfLightKmS
		if peaks := cvTestMaxima(g, f, c-w, c+w, 0.01); len(peaks) < 2 {
			t.Errorf("DN draw %d (peak %.0f km/s, σ %.0f, spot %.2f): Hα maxima %v", i, p.PeakKmS, p.PeakSigmaKmS, p.SpotFrac, peaks)
		}
	}
	// A polar's lines are single-peaked.
	q := cvTestDraw(rng, CVPolar)
	q.SpotFrac = 0
	g.CV(f, q)
	c := 6564.61 * DopplerFactor(q.RVKmS)
	if peaks := cvTestMaxima(g, f, c-40, c+40, 0.01); len(peaks) != 1 {
		t.Errorf("polar Hα maxima %v, want 1", peaks)
	}
}

func TestCVLineCentroids(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(15, 16))
	for _, kind := range []string{CVDwarfNova, CVNovaLike, CVPolar} {
		p := cvTestDraw(rng, kind)
		p.SpotFrac, p.RVKmS, p.WDFrac = 0, 250, 0
		p.AbsEWAA = 0
		g.CV(f, p)
		// Hα, and He II 4686 where it is strong (both clear of other lines
		// within ±70 Å).
		rests := []float64{6564.61}
		if kind != CVDwarfNova {
			rests = append(rests, 4687.02)
		}
		for _, rest := range rests {
			want := rest * (1 + 250/SpeedOfLightKmS)
			lo, hi := g.Window(want-45, want+45)
			cb := emissionTestMean(g, f, want-70, want-50)
			cr := emissionTestMean(g, f, want+50, want+70)
			var sw, swx float64
			for i := lo; i < hi; i++ {
				c := cb + (cr-cb)*(g.Wave[i]-(want-60))/120
				sw += f[i] - c
				swx += (f[i] - c) * g.Wave[i]
			}
			got := swx / sw
			if d := math.Abs(got-want) / emissionTestPixelAA(g, want); d > 0.5 {
				t.Errorf("%s: line at %.2f has centroid %.2f, want %.2f (%.2f px)", kind, rest, got, want, d)
			}
		}
	}
}

func TestCVNovaLikeDiskSlope(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	p := CVParams{Kind: CVNovaLike, DiskFrac: 1, DiskSlope: -7.0 / 3}
	g.CV(f, p)
	a := emissionTestMean(g, f, 4200, 4230)
	b := emissionTestMean(g, f, 8000, 8040)
	got := math.Log(b/a) / math.Log(8020.0/4215)
	if math.Abs(got+7.0/3) > 0.01 {
		t.Errorf("steady-disk continuum slope %.4f, want −7/3", got)
	}
}

func TestCVWhiteDwarfTroughs(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	// A white dwarf only: the Hβ trough has WDBalmerEWAA of equivalent width.
	p := CVParams{Kind: CVDwarfNova, WDFrac: 1, WDTeffK: 15000, WDBalmerEWAA: 40}
	g.CV(f, p)
	flux := emissionTestLineFlux(g, f, 4862.68, 110, 150)
	cont := 0.5 * (emissionTestMean(g, f, 4862.68-150, 4862.68-110) + emissionTestMean(g, f, 4862.68+110, 4862.68+150))
	if ew := -flux / cont; math.Abs(ew-40) > 4 {
		t.Errorf("white-dwarf Hβ absorption EW %.1f Å, want 40", ew)
	}
}

func TestCVCyclotronHumps(t *testing.T) {
	g := emissionTestGrid()
	a := make([]float64, len(g.Wave))
	b := make([]float64, len(g.Wave))
	p := CVParams{Kind: CVPolar, WDFrac: 0.3, WDTeffK: 15000, CycBMG: 40}
	g.CV(a, p)
	p.CycAmp = 0.5
	g.CV(b, p)
	// B = 40 MG: λ_c = 1.0710e6/40 = 26775 Å; harmonic 3 at 8925 Å is the
	// reddest on the LAMOST grid and the strongest hump.
	// At harmonic 3 (8925 Å) the hump adds CycAmp of the continuum, at
	// harmonic 4 (6694 Å) 0.7 times that, and little in between.
	rel := func(w float64) float64 {
		i := int(math.Round(g.emissionPixel(w)))
		return (b[i] - a[i]) / a[i]
	}
	if r := rel(8925); math.Abs(r-0.5) > 0.02 {
		t.Errorf("hump 3 at 8925 Å adds %.3f of the continuum, want 0.5", r)
	}
	if r := rel(6694); math.Abs(r-0.35) > 0.02 {
		t.Errorf("hump 4 at 6694 Å adds %.3f of the continuum, want 0.35", r)
	}
	if r := rel(7800); r > 0.25 {
		t.Errorf("between humps 3 and 4 (7800 Å) %.3f, want a dip", r)
	}
	if r := b[len(b)/2] / a[len(a)/2]; !(r > 1) {
		t.Errorf("no hump contribution near harmonic 4/5: ratio %.3f", r)
	}
}

func TestCVSecondaryTiO(t *testing.T) {
	// An M3 secondary supplying 60% of the light at 7500 Å brings in the TiO
	// band with its head at 7055 Å (vacuum; air 7053.6, Pearse & Gaydon):
	// the flux drops redward of the head.
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	drop := func(frac float64) float64 {
		p := CVParams{Kind: CVDwarfNova, WDFrac: 0.3, WDTeffK: 15000, DiskFrac: 0.7, DiskSlope: -1.5,
			SecondaryTeffK: 3300, SecondaryFrac: frac}
		g.CV(f, p)
		return emissionTestMean(g, f, 7060, 7100) / emissionTestMean(g, f, 7010, 7050)
	}
	without, with := drop(0), drop(0.6)
	t.Logf("flux ratio across the TiO 7055 Å head: %.3f without, %.3f with the secondary", without, with)
	if !(with < without-0.05) {
		t.Errorf("no TiO band from the secondary: ratio %.3f with, %.3f without", with, without)
	}
}

func TestCVExtremeDrawsFinite(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(17, 18))
	kinds := map[string]int{}
	for i := range 300 {
		p := DrawCV(rng)
		kinds[p.Kind]++
		g.CV(f, p)
		emissionTestCheckFinite(t, "CV "+p.Kind, f)
		if m := emissionTestMean(g, f, g.Wave[len(f)/2-50], g.Wave[len(f)/2+50]); m < 0.5 || m > 3 {
			t.Fatalf("draw %d (%s): mid-grid flux %.3g, want ~1", i, p.Kind, m)
		}
	}
	gs := NewGrid(prep.SDSSGrid(), 2000)
	fs := make([]float64, len(gs.Wave))
	for range 30 {
		p := DrawCV(rng)
		gs.CV(fs, p)
		emissionTestCheckFinite(t, "CV on the SDSS grid", fs)
	}
	if kinds[CVDwarfNova] < 100 || kinds[CVNovaLike] < 40 || kinds[CVPolar] < 40 {
		t.Errorf("kind mix %v", kinds)
	}
}

func BenchmarkCV(b *testing.B) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(1, 2))
	ps := make([]CVParams, 64)
	for i := range ps {
		ps[i] = DrawCV(rng)
	}
	g.CV(f, ps[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		g.CV(f, ps[i%len(ps)])
	}
}
