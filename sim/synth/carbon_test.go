package synth

import (
	"math"
	"math/rand/v2"
	"testing"
)

// carbonTPair returns a carbon star and the normal star of the same
// parameters.
func carbonTPair(g *Grid, p CarbonParams) (carbon, normal []float64) {
	carbon = make([]float64, len(g.Wave))
	g.CarbonStar(carbon, p)
	return carbon, starTSpectrum(g, p.StarParams)
}

// carbonTRatio is the mean flux in band a over that in band b (air Å).
func carbonTRatio(g *Grid, f []float64, a, b [2]float64) float64 {
	x, _ := starTMean(g, f, a)
	y, _ := starTMean(g, f, b)
	return x / y
}

var carbonTKinds = []CarbonParams{
	{StarParams{TeffK: 4500, Logg: 2.2, FeH: -0.2, BroadeningKmS: 4}, "C-R"},
	{StarParams{TeffK: 3000, Logg: 0.5, FeH: -0.2, BroadeningKmS: 4}, "C-N"},
	{StarParams{TeffK: 4400, Logg: 1.5, FeH: -1.5, BroadeningKmS: 4}, "C-H"},
}

// The C2 Swan (0,0) band: the flux just blueward of its 5165 Å head is
// depressed relative to just redward, in carbon stars only.
func TestCarbonSwanBand(t *testing.T) {
	g := starTGrid()
	blue, red := [2]float64{5130, 5160}, [2]float64{5168, 5180}
	for _, p := range carbonTKinds {
		c, n := carbonTPair(g, p)
		rc, rn := carbonTRatio(g, c, blue, red), carbonTRatio(g, n, blue, red)
		if rc > rn-0.15 || rc > 0.85 {
			t.Errorf("%s: C2 5165 blue/red flux %.3f, normal star %.3f: no band", p.Kind, rc, rn)
		}
	}
}

// No TiO in carbon stars: at 3000 K a normal giant has a deep 7054 Å TiO
// head, a C-N star none.
func TestCarbonNoTiO(t *testing.T) {
	g := starTGrid()
	c, n := carbonTPair(g, carbonTKinds[1])
	in, out := [2]float64{7060, 7075}, [2]float64{7035, 7050}
	if rc, rn := carbonTRatio(g, c, in, out), carbonTRatio(g, n, in, out); rc < 0.97 || rn > 0.7 {
		t.Errorf("TiO 7054 in/out flux: carbon %.3f (want ≈ 1), normal M giant %.3f (want < 0.7)", rc, rn)
	}
	// CN red bands instead: the 7876 Å head.
	if r := carbonTRatio(g, c, [2]float64{7880, 7900}, [2]float64{7850, 7870}); r > 0.85 {
		t.Errorf("CN 7876 in/out flux %.3f, want a band", r)
	}
}

// C-N stars have the most depleted violet; C-H stars the strongest CH G
// band at a given Teff, log g and [Fe/H] (Keenan 1993).
func TestCarbonKindsDiffer(t *testing.T) {
	g := starTGrid()
	violet := func(f []float64) float64 {
		return carbonTRatio(g, f, [2]float64{4000, 4100}, [2]float64{5500, 5600})
	}
	sp := StarParams{TeffK: 3300, Logg: 0.8, FeH: -0.3}
	cn, n := carbonTPair(g, CarbonParams{sp, "C-N"})
	cr, _ := carbonTPair(g, CarbonParams{sp, "C-R"})
	if violet(cn) > 0.3*violet(n) || violet(cn) > 0.7*violet(cr) {
		t.Errorf("violet/green flux: C-N %.4f, C-R %.4f, normal %.4f", violet(cn), violet(cr), violet(n))
	}
	gband := starTIndex{[2]float64{4266.375, 4282.625}, [2]float64{4281.375, 4316.375}, [2]float64{4318.875, 4335.125}}
	sp = StarParams{TeffK: 4400, Logg: 1.5, FeH: -1.5}
	ch, n := carbonTPair(g, CarbonParams{sp, "C-H"})
	cr, _ = carbonTPair(g, CarbonParams{sp, "C-R"})
	if a, b, c := starTEW(g, ch, gband), starTEW(g, cr, gband), starTEW(g, n, gband); a < b+1 || b < c+0.2 {
		t.Errorf("G band: C-H %.2f Å, C-R %.2f Å, normal %.2f Å: want C-H > C-R > normal", a, b, c)
	}
	// An unknown kind is drawn as C-R.
	x, _ := carbonTPair(g, CarbonParams{sp, "C-?"})
	for i := range x {
		if x[i] != cr[i] {
			t.Fatalf("unknown kind differs from C-R at pixel %d", i)
		}
	}
}

func TestDrawCarbon(t *testing.T) {
	g := starTGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(11, 12))
	count := map[string]int{}
	const n = 3000
	for i := range n {
		p := DrawCarbon(rng)
		count[p.Kind]++
		lo, hi := 3600.0, 5000.0
		if p.Kind == "C-N" {
			lo, hi = 2600, 3500
		}
		if p.TeffK < lo || p.TeffK > hi || p.Logg < 0 || p.Logg > 2.8 || p.FeH < -2.5 || p.FeH > 0.2 ||
			(p.Kind == "C-H") != (p.FeH < -0.75) || math.IsNaN(p.RVKmS) || p.BroadeningKmS < 0 {
			t.Fatalf("draw %d: %+v", i, p)
		}
		if i%10 == 0 {
			g.CarbonStar(f, p)
			for j, v := range f {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Fatalf("%+v: pixel %d = %g", p, j, v)
				}
			}
		}
	}
	for k, want := range map[string]float64{"C-N": 0.5, "C-R": 0.3, "C-H": 0.2} {
		if got := float64(count[k]) / n; math.Abs(got-want) > 0.04 {
			t.Errorf("%s fraction %.3f, want %.2f", k, got, want)
		}
	}
	if n := testing.AllocsPerRun(10, func() { g.CarbonStar(f, carbonTKinds[0]) }); n != 0 {
		t.Errorf("CarbonStar allocates %v times per call", n)
	}
}

// BenchmarkCarbonStar measures one LAMOST carbon-star spectrum at
// R = 1800, cycling through 64 drawn stars.
func BenchmarkCarbonStar(b *testing.B) {
	g := starTGrid()
	f := make([]float64, len(g.Wave))
	rng := rand.New(rand.NewPCG(2, 2))
	ps := make([]CarbonParams, 64)
	for i := range ps {
		ps[i] = DrawCarbon(rng)
	}
	g.CarbonStar(f, ps[0])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.CarbonStar(f, ps[i%len(ps)])
	}
}
