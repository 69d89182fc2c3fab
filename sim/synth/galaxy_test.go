package synth

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/prep"
)

// galaxyTestLines returns the emission-line spectrum of p: the model minus
// the same galaxy without lines (what a pipeline gets by subtracting a
// fitted stellar continuum).
func galaxyTestLines(g *Grid, p GalaxyParams) []float64 {
	f := make([]float64, len(g.Wave))
	c := make([]float64, len(g.Wave))
	g.Galaxy(f, p)
	q := p
	q.HbetaEWAA = 0
	g.Galaxy(c, q)
	// The normalisation does not involve the lines, so the difference is
	// the lines alone.
	for i := range f {
		f[i] -= c[i]
	}
	return f
}

// galaxyTestFlux integrates f over ±halfAA around waveAA.
func galaxyTestFlux(g *Grid, f []float64, waveAA, halfAA float64) float64 {
	lo, hi := g.Window(waveAA-halfAA, waveAA+halfAA)
	s := 0.0
	for i := lo; i < hi; i++ {
		s += f[i] * emissionTestPixelAA(g, g.Wave[i])
	}
	return s
}

// galaxyTestD4000 is the narrow 4000 Å break of Balogh et al. (1999, ApJ
// 527, 54): mean f_ν over 4000–4100 Å over mean f_ν over 3850–3950 Å,
// rest frame, with f_ν ∝ λ² f_λ.
func galaxyTestD4000(g *Grid, f []float64, z float64) float64 {
	band := func(a, b float64) float64 {
		lo, hi := g.Window(a*(1+z), b*(1+z))
		s := 0.0
		for i := lo; i < hi; i++ {
			s += f[i] * g.Wave[i] * g.Wave[i]
		}
		return s / float64(hi-lo)
	}
	return band(4000, 4100) / band(3850, 3950)
}

func TestGalaxyLinePositions(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(21, 22))
	checked := 0
	for _, z := range []float64{0.02, 0.15, 0.3, 0.45} {
		for _, kind := range []string{GalaxyStarForming, GalaxyAGN} {
			p := DrawGalaxy(rng, kind)
			p.Z, p.GasSigmaKmS, p.HbetaEWAA, p.BroadHaFrac = z, 80, 15, 0
			g.Galaxy(f, p)
			emissionTestCheckFinite(t, kind, f)
			type want struct {
				name    string
				lo, hi  float64 // rest range the peak must fall in (a blend: its components)
				checkIt bool
			}
			ws := []want{
				{"Halpha", 6564.61, 6564.61, true},
				{"[OIII]5007", 5008.24, 5008.24, true},
				{"[OII]", 3727.09, 3729.88, true},
				{"Hbeta", 4862.68, 4862.68, kind == GalaxyStarForming},
				{"[NII]6583", 6585.27, 6585.27, kind == GalaxyAGN},
			}
			for _, w := range ws {
				lo, hi := w.lo*(1+z), w.hi*(1+z)
				if !w.checkIt || lo < g.Wave[0]+20 || hi > g.Wave[len(g.Wave)-1]-20 {
					continue
				}
				px := emissionTestPixelAA(g, lo)
				got := emissionTestPeak(g, f, (lo+hi)/2, 8*(1+z))
				if got < lo-1.5*px || got > hi+1.5*px {
					t.Errorf("%s z=%.2f: %s peak at %.2f Å, want %.2f–%.2f", kind, z, w.name, got, lo, hi)
				}
				checked++
			}
		}
	}
	if checked < 25 {
		t.Fatalf("only %d line positions checked", checked)
	}
	// The stellar light is redshifted too: the Ca II K absorption minimum
	// (3934.78 Å vacuum) of a passive galaxy sits at (1+z)·λ.
	for _, z := range []float64{0.02, 0.3, 0.45, 0.5} {
		p := DrawGalaxy(rng, GalaxyPassive)
		p.Z, p.SigmaKmS = z, 150
		g.Galaxy(f, p)
		for i := range f {
			f[i] = -f[i]
		}
		want := 3934.78 * (1 + z)
		if got := emissionTestPeak(g, f, want, 12); math.Abs(got-want) > 2*emissionTestPixelAA(g, want) {
			t.Errorf("passive z=%.2f: Ca II K minimum at %.2f Å, want %.2f", z, got, want)
		}
	}
}

func TestGalaxyConcurrentUse(t *testing.T) {
	g := emissionTestGrid()
	rng := rand.New(rand.NewPCG(31, 32))
	const n = 8
	var ps [n]GalaxyParams
	var want [n][]float64
	for i := range ps {
		ps[i] = DrawGalaxy(rng, []string{GalaxyPassive, GalaxyStarForming, GalaxyAGN}[i%3])
		want[i] = make([]float64, len(g.Wave))
		g.Galaxy(want[i], ps[i])
	}
	done := make(chan int)
	var got [n][]float64
	for i := range ps {
		got[i] = make([]float64, len(g.Wave))
		go func() {
			for range 5 {
				g.Galaxy(got[i], ps[i])
			}
			done <- i
		}()
	}
	for range n {
		i := <-done
		for k := range want[i] {
			if got[i][k] != want[i][k] {
				t.Fatalf("galaxy %d differs at pixel %d when run concurrently", i, k)
			}
		}
	}
}

func TestGalaxyD4000PassiveAboveStarForming(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(23, 24))
	var pas, sf []float64
	for range 15 {
		p := DrawGalaxy(rng, GalaxyPassive)
		g.Galaxy(f, p)
		pas = append(pas, galaxyTestD4000(g, f, p.Z))
		q := DrawGalaxy(rng, GalaxyStarForming)
		g.Galaxy(f, q)
		sf = append(sf, galaxyTestD4000(g, f, q.Z))
	}
	mp, ms := cvTestMedian(pas), cvTestMedian(sf)
	t.Logf("median D_n(4000): passive %.3f, star-forming %.3f", mp, ms)
	// SDSS: passive galaxies have D_n(4000) ≈ 1.6–2.1, star-forming ones
	// 1.1–1.5 (Kauffmann et al. 2003, MNRAS 341, 33, Fig. 2).
	if !(mp > ms+0.2) {
		t.Errorf("D_n(4000): passive median %.3f not above star-forming %.3f + 0.2", mp, ms)
	}
	if mp < 1.4 {
		t.Errorf("passive D_n(4000) median %.3f, want ≳ 1.6", mp)
	}
}

func TestGalaxyBPTAndBalmerDecrement(t *testing.T) {
	g := emissionTestGrid()
	rng := rand.New(rand.NewPCG(25, 26))
	for _, kind := range []string{GalaxyStarForming, GalaxyAGN} {
		for i := range 8 {
			p := DrawGalaxy(rng, kind)
			// Narrow lines (σ 100 km/s + LSF ≈ 2.9 Å at Hα) keep Hα and
			// [N II] apart within the ±9 Å windows.
			p.Z, p.BroadHaFrac, p.GasSigmaKmS = 0.1, 0, 100
			if i == 0 {
				p.EBV = 0
			}
			l := galaxyTestLines(g, p)
			flux := func(rest float64) float64 { return galaxyTestFlux(g, l, rest*1.1, 9) }
			ha, hb := flux(6564.61), flux(4862.68)
			n2 := galaxyTestFlux(g, l, 6585.27*1.1, 6)
			o3 := flux(5008.24)
			x, y := math.Log10(n2/ha), math.Log10(o3/hb)
			kau, kew := 0.61/(x-0.05)+1.3, 0.61/(x-0.47)+1.19
			switch {
			case kind == GalaxyStarForming && !(x < 0.05 && y < kau):
				t.Errorf("star-forming draw %d: BPT (%.2f, %.2f) not below the Kauffmann line (%.2f)", i, x, y, kau)
			case kind == GalaxyAGN && !(x >= 0.47 || y > kew):
				t.Errorf("AGN draw %d: BPT (%.2f, %.2f) not above the Kewley line (%.2f)", i, x, y, kew)
			}
			// Balmer decrement: 2.86 (Case B) without dust; with dust
			// between 2.86·10^(0.4·E·1.0) and 2.86·10^(0.4·E·1.4), the
			// range of k(Hβ) − k(Hα) of common attenuation curves (CCM:
			// 1.08, Calzetti: 1.27).
			d := ha / hb
			lo, hi := 2.86*math.Pow(10, 0.4*p.EBV*1.0), 2.86*math.Pow(10, 0.4*p.EBV*1.4)
			if d < lo*0.98 || d > hi*1.02 {
				t.Errorf("%s draw %d (E(B−V) %.2f): Hα/Hβ = %.3f, want %.3f–%.3f", kind, i, p.EBV, d, lo, hi)
			}
		}
	}
}

func TestGalaxyLineWidth(t *testing.T) {
	// The [O III] line's second moment is the gas dispersion and the LSF
	// (c/R/2.3548 km/s) in quadrature.
	g := emissionTestGrid()
	p := DrawGalaxy(rand.New(rand.NewPCG(27, 28)), GalaxyAGN)
	p.Z, p.GasSigmaKmS = 0.2, 250
	l := galaxyTestLines(g, p)
	c := 5008.24 * 1.2
	lo, hi := g.Window(c-40, c+40)
	var s0, s2 float64
	for i := lo; i < hi; i++ {
		d := g.Wave[i] - c
		s0 += l[i]
		s2 += l[i] * d * d
	}
	got := math.Sqrt(s2/s0) / c * SpeedOfLightKmS
	want := math.Hypot(250, SpeedOfLightKmS/1800/2.3548200450309493)
	if math.Abs(got/want-1) > 0.03 {
		t.Errorf("[O III] σ %.1f km/s, want %.1f", got, want)
	}
}

func TestGalaxyExtremeDrawsFinite(t *testing.T) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(29, 30))
	for i := range 60 {
		kind := []string{GalaxyPassive, GalaxyStarForming, GalaxyAGN}[i%3]
		p := DrawGalaxy(rng, kind)
		switch i % 4 {
		case 1:
			p.Z = 0.5
		case 2:
			p.Z = 0
		}
		g.Galaxy(f, p)
		emissionTestCheckFinite(t, "galaxy "+kind, f)
		if m := emissionTestMean(g, f, g.Wave[len(f)/2-50], g.Wave[len(f)/2+50]); m < 0.7 || m > 1.5 {
			t.Fatalf("draw %d (%s z=%.2f): mid-grid flux %.3g, want ~1", i, kind, p.Z, m)
		}
	}
	gs := NewGrid(prep.SDSSGrid(), 2000)
	fs := make([]float64, len(gs.Wave))
	for i := range 30 {
		p := DrawGalaxy(rng, []string{GalaxyPassive, GalaxyStarForming, GalaxyAGN}[i%3])
		gs.Galaxy(fs, p)
		emissionTestCheckFinite(t, "galaxy on the SDSS grid", fs)
	}
	if p := DrawGalaxy(rng, "bogus"); p.Kind != GalaxyPassive {
		t.Errorf("unknown kind drawn as %q", p.Kind)
	}
}

func BenchmarkGalaxy(b *testing.B) {
	g := emissionTestGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(1, 2))
	ps := make([]GalaxyParams, 63)
	for i := range ps {
		ps[i] = DrawGalaxy(rng, []string{GalaxyPassive, GalaxyStarForming, GalaxyAGN}[i%3])
	}
	g.Galaxy(f, ps[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		g.Galaxy(f, ps[i%len(ps)])
	}
}

// TestGalaxyOldBlanketing: a passive galaxy without dust or lines at z = 0
// is the old star's spectrum times B(λ), so the ratio of the two spectra,
// scaled to 1 redward of 4500 Å, must equal the knot values written out
// here (ln B = −0.55 at 4100 Å, −0.5 halfway to 3950 Å, −0.45 at 3850 Å,
// −0.675 halfway between 3850 and 3700 Å, −0.225 halfway between 4500
// and 4300 Å), scaled by 10^(0.5[Fe/H]).
func TestGalaxyOldBlanketing(t *testing.T) {
	g := emissionTestGrid()
	n := len(g.Wave)
	for _, feh := range []float64{0, 0.2} {
		p := GalaxyParams{Kind: GalaxyPassive, SigmaKmS: 200, OldTeffK: 5000, OldLogg: 2.5, OldFeH: feh}
		gal, star := make([]float64, n), make([]float64, n)
		g.Galaxy(gal, p)
		g.Star(star, StarParams{TeffK: 5000, Logg: 2.5, FeH: feh, BroadeningKmS: 200})
		i5 := int(g.emissionPixel(5500))
		scale := star[i5] / gal[i5]
		s := math.Pow(10, 0.5*feh)
		for _, c := range []struct{ wave, lnB float64 }{{4100, -0.55}, {4025, -0.5}, {3850, -0.45}, {3775, -0.675}, {4400, -0.225}, {4600, 0}, {7000, 0}} {
			i := int(math.Round(g.emissionPixel(c.wave)))
			got := math.Log(gal[i] * scale / star[i])
			if math.Abs(got-s*c.lnB) > 0.01 {
				t.Errorf("[Fe/H] %+.1f, %.0f Å: ln(galaxy/star) = %.4f, want %.4f", feh, c.wave, got, s*c.lnB)
			}
		}
	}
}
