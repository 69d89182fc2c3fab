package sim

import (
	"math"
	"sort"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// Physical trends measured on the simulator's output (noise, extinction,
// sky, tellurics and all), with line indices defined independently of the
// simulator: Lick/IDS bands of Worthey et al. (1994, ApJS 94, 687) and
// Worthey & Ottaviani (1997, ApJS 111, 377), given in air and converted to
// vacuum here, and the Ca II K index of Beers et al. (1999, AJ 117, 981).

// index is a Lick-style index: a feature band between two pseudo-continua.
type index struct {
	name            string
	band, blue, red [2]float64 // air Å
}

var (
	lickHdeltaA = index{name: "HdeltaA", band: [2]float64{4083.500, 4122.250}, blue: [2]float64{4041.600, 4079.750}, red: [2]float64{4128.500, 4161.000}}
	lickMgb     = index{name: "Mgb", band: [2]float64{5160.125, 5192.625}, blue: [2]float64{5142.625, 5161.375}, red: [2]float64{5191.375, 5206.375}}
	beersKP     = index{name: "CaII K (KP)", band: [2]float64{3927.7, 3939.7}, blue: [2]float64{3903, 3923}, red: [2]float64{4000, 4020}}
)

// sample makes n objects of the given classes at high S/N.
func sample(t testing.TB, seed uint64, n int, classes []Class, snrMin, snrMax float64) ([]*spectrum.Spectrum, []Labels) {
	t.Helper()
	sim, err := New(Config{Seed: seed, Classes: classes, SNRMin: snrMin, SNRMax: snrMax})
	if err != nil {
		t.Fatal(err)
	}
	w := sim.NewWorker()
	specs := make([]*spectrum.Spectrum, n)
	labs := make([]Labels, n)
	for i := range n {
		specs[i] = new(spectrum.Spectrum)
		labs[i] = w.Spectrum(i, specs[i])
	}
	return specs, labs
}

// ew measures an index's equivalent width (Å, positive for absorption) in
// the object's rest frame, using only unmasked pixels. ok is false when a
// window has no good pixel.
func ew(s *spectrum.Spectrum, z float64, ix index) (float64, bool) {
	vac := func(w [2]float64) [2]float64 {
		return [2]float64{prep.AirToVacuum(w[0]) * (1 + z), prep.AirToVacuum(w[1]) * (1 + z)}
	}
	mean := func(w [2]float64) (float64, bool) {
		var sum, n float64
		for i, x := range s.WavelengthAA {
			if x >= w[0] && x <= w[1] && s.Ivar[i] > 0 {
				sum += s.Flux[i]
				n++
			}
		}
		return sum / n, n > 0
	}
	b, r, f := vac(ix.blue), vac(ix.red), vac(ix.band)
	cb, ok1 := mean(b)
	cr, ok2 := mean(r)
	if !ok1 || !ok2 {
		return 0, false
	}
	xb, xr := (b[0]+b[1])/2, (r[0]+r[1])/2
	var w float64
	for i, x := range s.WavelengthAA {
		if x < f[0] || x > f[1] || s.Ivar[i] == 0 {
			continue
		}
		c := cb + (cr-cb)*(x-xb)/(xr-xb)
		dx := x * (math.Pow(10, 1e-4) - 1) / (1 + z) // rest-frame pixel width
		w += (1 - s.Flux[i]/c) * dx
	}
	return w, true
}

func TestBalmerEquivalentWidthPeaksInAStars(t *testing.T) {
	specs, labs := sample(t, 11, 700, []Class{ClassO, ClassB, ClassA, ClassF, ClassG, ClassK}, 60, 100)
	// Mean HδA in bins of log Teff.
	edges := []float64{3500, 4500, 5500, 6500, 7500, 8500, 9500, 11000, 13000, 16000, 20000, 27000, 45000}
	sum := make([]float64, len(edges)-1)
	cnt := make([]float64, len(edges)-1)
	for i, s := range specs {
		v, ok := ew(s, labs[i].Z, lickHdeltaA)
		if !ok {
			continue
		}
		k := sort.SearchFloat64s(edges, labs[i].TeffK) - 1
		if k >= 0 && k < len(sum) {
			sum[k] += v
			cnt[k]++
		}
	}
	best, bestK := math.Inf(-1), -1
	for k := range sum {
		if cnt[k] < 5 {
			continue
		}
		m := sum[k] / cnt[k]
		t.Logf("Teff %5.0f–%5.0f K: HδA %6.2f Å (%v stars)", edges[k], edges[k+1], m, cnt[k])
		if m > best {
			best, bestK = m, k
		}
	}
	if bestK < 0 || edges[bestK] < 7500 || edges[bestK+1] > 13000 {
		t.Fatalf("HδA peaks outside the A stars (7500–13000 K): bin %d", bestK)
	}
	if cool := sum[1] / cnt[1]; !(best > cool+4) {
		t.Errorf("HδA peak %.2f Å is not clearly above the K stars' %.2f Å", best, cool)
	}
}

// fehSlope regresses an index on [Fe/H], Teff and logg over stars in a Teff
// window and returns the [Fe/H] coefficient and its t statistic.
func fehSlope(t *testing.T, specs []*spectrum.Spectrum, labs []Labels, ix index, tlo, thi float64) (float64, float64) {
	var rows [][]float64
	var y []float64
	for i, s := range specs {
		l := labs[i]
		if !(l.TeffK >= tlo && l.TeffK <= thi) {
			continue
		}
		v, ok := ew(s, l.Z, ix)
		if !ok {
			continue
		}
		rows = append(rows, []float64{1, l.FeH, (l.TeffK - 5000) / 1000, l.Logg - 3})
		y = append(y, v)
	}
	if len(y) < 30 {
		t.Fatalf("%s: only %d stars in %v–%v K", ix.name, len(y), tlo, thi)
	}
	beta, se := leastSquares(rows, y)
	return beta[1], beta[1] / se[1]
}

func TestMetalLinesStrengthenWithFeH(t *testing.T) {
	specs, labs := sample(t, 12, 500, []Class{ClassG, ClassK}, 40, 100)
	for _, c := range []struct {
		ix       index
		tlo, thi float64
	}{{lickMgb, 4500, 5600}, {beersKP, 5000, 6000}} {
		b, tstat := fehSlope(t, specs, labs, c.ix, c.tlo, c.thi)
		t.Logf("%s: d(EW)/d[Fe/H] = %.2f Å/dex (t = %.1f) at %v–%v K", c.ix.name, b, tstat, c.tlo, c.thi)
		if !(b > 0.3 && tstat > 5) {
			t.Errorf("%s does not strengthen with [Fe/H] at fixed Teff: slope %.2f Å/dex, t = %.1f", c.ix.name, b, tstat)
		}
	}
}

// leastSquares solves the normal equations and returns coefficients and
// their standard errors.
func leastSquares(x [][]float64, y []float64) ([]float64, []float64) {
	p := len(x[0])
	a := make([][]float64, p)
	for i := range a {
		a[i] = make([]float64, 2*p)
		a[i][p+i] = 1
	}
	b := make([]float64, p)
	for r, row := range x {
		for i := range p {
			b[i] += row[i] * y[r]
			for j := range p {
				a[i][j] += row[i] * row[j]
			}
		}
	}
	// Gauss–Jordan inverse of XᵀX.
	for c := range p {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		a[c], a[piv] = a[piv], a[c]
		d := a[c][c]
		for j := range a[c] {
			a[c][j] /= d
		}
		for r := range p {
			if r != c {
				f := a[r][c]
				for j := range a[r] {
					a[r][j] -= f * a[c][j]
				}
			}
		}
	}
	beta := make([]float64, p)
	for i := range p {
		for j := range p {
			beta[i] += a[i][p+j] * b[j]
		}
	}
	var rss float64
	for r, row := range x {
		f := 0.0
		for i := range p {
			f += row[i] * beta[i]
		}
		rss += (y[r] - f) * (y[r] - f)
	}
	s2 := rss / float64(len(y)-p)
	se := make([]float64, p)
	for i := range p {
		se[i] = math.Sqrt(s2 * a[i][p+i])
	}
	return beta, se
}

// centroid returns the flux-weighted centre of the emission above a
// straight continuum through the window's edges.
func centroid(s *spectrum.Spectrum, lo, hi float64) float64 {
	var i0, i1 = -1, -1
	for i, x := range s.WavelengthAA {
		if x >= lo && i0 < 0 {
			i0 = i
		}
		if x <= hi {
			i1 = i
		}
	}
	if i0 < 0 || i1-i0 < 4 {
		return math.NaN()
	}
	c0, c1 := edgeLevel(s, i0), edgeLevel(s, i1)
	var sw, swx float64
	for i := i0; i <= i1; i++ {
		if s.Ivar[i] == 0 {
			continue
		}
		c := c0 + (c1-c0)*float64(i-i0)/float64(i1-i0)
		e := math.Max(s.Flux[i]-c, 0)
		sw += e
		swx += e * s.WavelengthAA[i]
	}
	return swx / sw
}

// edgeLevel is the median of good pixels within 3 of pixel i.
func edgeLevel(s *spectrum.Spectrum, i int) float64 {
	var v []float64
	for j := max(i-3, 0); j <= min(i+3, len(s.Flux)-1); j++ {
		if s.Ivar[j] > 0 {
			v = append(v, s.Flux[j])
		}
	}
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func TestExtragalacticLinesAtRedshift(t *testing.T) {
	const c = 299792.458
	checks := []struct {
		class   Class
		restAA  float64 // vacuum
		halfKmS float64 // window half width
		tolKmS  float64 // allowed centroid offset
	}{
		{ClassQSO, 2799.12, 9000, 700},  // Mg II (broad)
		{ClassQSO, 1549.06, 9000, 900},  // C IV (broad)
		{ClassGalaxy, 5008.24, 500, 60}, // [O III] (narrow)
	}
	specs, labs := sample(t, 13, 300, []Class{ClassQSO, ClassGalaxy}, 60, 100)
	for _, ck := range checks {
		var n int
		var offs []float64
		for i, s := range specs {
			l := labs[i]
			if l.Class != ck.class || (ck.class == ClassGalaxy && l.Subclass == "PASSIVE") {
				continue
			}
			at := ck.restAA * (1 + l.Z)
			lo, hi := at*(1-ck.halfKmS/c), at*(1+ck.halfKmS/c)
			if lo < s.WavelengthAA[0]+20 || hi > s.WavelengthAA[len(s.WavelengthAA)-1]-20 || (lo < 7700 && hi > 7550) {
				continue // off the grid or under the telluric A band
			}
			cen := centroid(s, lo, hi)
			if math.IsNaN(cen) {
				continue
			}
			offs = append(offs, (cen/at-1)*c)
			n++
		}
		if n < 8 {
			t.Fatalf("%s %.0f Å: only %d objects with the line on the grid", ck.class, ck.restAA, n)
		}
		sort.Float64s(offs)
		med := offs[len(offs)/2]
		t.Logf("%s %.0f Å: median centroid offset %+.0f km/s over %d objects", ck.class, ck.restAA, med, n)
		if math.Abs(med) > ck.tolKmS {
			t.Errorf("%s line %.0f Å is not at (1+z)λ: median offset %.0f km/s (allowed %.0f)", ck.class, ck.restAA, med, ck.tolKmS)
		}
	}
}

func TestMeasuredSNRMatchesRequest(t *testing.T) {
	for _, snr := range []float64{5, 20, 100} {
		specs, labs := sample(t, 14, 40, nil, snr, snr)
		var ratios []float64
		for i, s := range specs {
			var v []float64
			for j, x := range s.WavelengthAA {
				if x >= 4000 && x <= 5500 && s.Ivar[j] > 0 {
					v = append(v, s.Flux[j]*math.Sqrt(s.Ivar[j]))
				}
			}
			sort.Float64s(v)
			ratios = append(ratios, v[len(v)/2]/labs[i].SNR)
		}
		sort.Float64s(ratios)
		lo, hi := ratios[len(ratios)/20], ratios[len(ratios)-1-len(ratios)/20]
		t.Logf("S/N %v: measured/requested %.3f … %.3f (5–95%%)", snr, lo, hi)
		if lo < 0.9 || hi > 1.1 {
			t.Errorf("S/N %v: measured g-band S/N off by more than 10%%: ratio %.3f … %.3f", snr, lo, hi)
		}
	}
}
