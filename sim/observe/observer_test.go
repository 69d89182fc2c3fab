package observe

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// observe runs one observation with a fresh generator seeded by seed;
// noiseless keeps every draw but adds no noise.
func observe(ins *Instrument, model []float64, c Conditions, seed uint64, noiseless bool) *spectrum.Spectrum {
	o := ins.NewObserver()
	o.noNoise = noiseless
	s := &spectrum.Spectrum{Meta: spectrum.NewMeta()}
	o.Observe(model, c, rand.New(rand.NewPCG(seed, 7)), s)
	return s
}

func planckModel(g *synth.Grid, teff float64) []float64 {
	m := make([]float64, len(g.Wave))
	for i, w := range g.Wave {
		m[i] = synth.Planck(w, teff)
	}
	return m
}

// median returns the usual median (mean of the middle two for even n).
func median(x []float64) float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}

// good returns the unmasked pixels with centres in [loAA, hiAA].
func good(s *spectrum.Spectrum, loAA, hiAA float64) []int {
	var idx []int
	for i, w := range s.WavelengthAA {
		if w >= loAA && w <= hiAA && s.Ivar[i] > 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

var dark = Conditions{SNRg: 20, EBV: 0.03, Airmass: 1.2, SkyScale: 1, Moon: 0, PWVmm: 5}

// TestMeasuredSNR measures the g-band S/N of the output two ways — the
// median of flux·√ivar, and the median of flux over the local rms of
// flux − noiseless flux, which does not use ivar — and requires both
// within 10% of the request.
func TestMeasuredSNR(t *testing.T) {
	for _, ins := range []*Instrument{LAMOST(), SDSS()} {
		g := ins.Grid()
		models := map[string][]float64{"G star": benchModel(g), "M-like": planckModel(g, 3300), "hot": planckModel(g, 20000)}
		for name, model := range models {
			for k, snr := range []float64{5, 20, 100} {
				conds := []Conditions{dark, DrawConditions(rand.New(rand.NewPCG(uint64(k), 3)), snr, snr)}
				conds[0].SNRg = snr
				for ci, c := range conds {
					seed := uint64(100*k + ci)
					s := observe(ins, model, c, seed, false)
					s0 := observe(ins, model, c, seed, true)
					idx := good(s, 4000, 5500)
					v := make([]float64, len(idx))
					for j, i := range idx {
						v[j] = s.Flux[i] * math.Sqrt(s.Ivar[i])
					}
					byIvar := median(v)
					// Scatter: local rms of flux − noiseless over ±50 pixels.
					var sc []float64
					for j := 50; j+50 < len(idx); j++ {
						var ss float64
						for _, i := range idx[j-50 : j+51] {
							d := s.Flux[i] - s0.Flux[i]
							ss += d * d
						}
						sc = append(sc, s.Flux[idx[j]]/math.Sqrt(ss/101))
					}
					byScatter := median(sc)
					if math.Abs(byIvar/snr-1) > 0.10 || math.Abs(byScatter/snr-1) > 0.10 {
						t.Errorf("%s %s S/N %v %+v: measured %.3f (flux·√ivar), %.3f (scatter)",
							ins.Params().Name, name, snr, c, byIvar, byScatter)
					}
					if got := s.Meta.SNR["g"]; math.Abs(got/byIvar-1) > 0.01 {
						t.Errorf("%s Meta.SNR[g] = %v, measured %v", ins.Params().Name, got, byIvar)
					}
				}
			}
		}
	}
}

// TestPulls checks that ivar describes the noise: (flux − noiseless)·√ivar
// has mean 0 and standard deviation 1.
func TestPulls(t *testing.T) {
	for _, ins := range []*Instrument{LAMOST(), SDSS()} {
		model := benchModel(ins.Grid())
		for _, snr := range []float64{5, 50} {
			c := dark
			c.SNRg, c.Moon = snr, 2
			var sum, sum2, n float64
			for seed := range uint64(4) {
				s := observe(ins, model, c, seed, false)
				s0 := observe(ins, model, c, seed, true)
				for i := range s.Flux {
					if s.Ivar[i] > 0 {
						p := (s.Flux[i] - s0.Flux[i]) * math.Sqrt(s.Ivar[i])
						sum, sum2, n = sum+p, sum2+p*p, n+1
					}
				}
			}
			mean := sum / n
			sd := math.Sqrt(sum2/n - mean*mean)
			if math.Abs(mean) > 0.03 || math.Abs(sd-1) > 0.03 {
				t.Errorf("%s S/N %v: pulls mean %.4f sd %.4f over %v pixels, want 0 and 1", ins.Params().Name, snr, mean, sd, n)
			}
		}
	}
}

// TestReddening compares two observations that differ only in E(B−V):
// the output ratio at 4000 Å over that at 8000 Å must follow
// 10^(−0.4·E·R_V·(A4000/A_V − A8000/A_V)) of O'Donnell (1994).
func TestReddening(t *testing.T) {
	ins := LAMOST()
	model := planckModel(ins.Grid(), 6500)
	c := Conditions{SNRg: 400, Airmass: 1.2, SkyScale: 1, PWVmm: 5}
	s0 := observe(ins, model, c, 1, false)
	const ebv = 0.25
	c.EBV = ebv
	s1 := observe(ins, model, c, 1, false)
	ratio := func(w float64) float64 {
		var r []float64
		for _, i := range good(s1, w-15, w+15) {
			if s0.Ivar[i] > 0 {
				r = append(r, s1.Flux[i]/s0.Flux[i])
			}
		}
		return median(r)
	}
	got := ratio(4000) / ratio(8000)
	a, err := prep.ODonnell94([]float64{4000, 8000}, 3.1)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Pow(10, -0.4*ebv*3.1*(a[0]-a[1]))
	if math.Abs(got/want-1) > 0.01 {
		t.Errorf("reddening E=%v: (4000/8000 Å) ratio %.4f, law gives %.4f", ebv, got, want)
	}
}

// bandDepth returns 1 − median flux in [lo, hi] over the median of the
// continuum windows.
func bandDepth(s *spectrum.Spectrum, lo, hi float64, cont [][2]float64) float64 {
	var in, out []float64
	for _, i := range good(s, lo, hi) {
		in = append(in, s.Flux[i])
	}
	for _, w := range cont {
		for _, i := range good(s, w[0], w[1]) {
			out = append(out, s.Flux[i])
		}
	}
	return 1 - median(in)/median(out)
}

// uncorrected returns a LAMOST instrument whose pipeline leaves the
// telluric bands in.
func uncorrected(t *testing.T) *Instrument {
	p := LAMOSTParams()
	p.TelluricCorrection = false
	ins, err := NewInstrument(p)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// TestTelluricGrowsWithAirmass checks the absorption itself, without the
// pipeline's correction.
func TestTelluricGrowsWithAirmass(t *testing.T) {
	ins := uncorrected(t)
	model := make([]float64, len(ins.Grid().Wave))
	for i := range model {
		model[i] = 1
	}
	c := Conditions{SNRg: 400, PWVmm: 5} // no sky, so only the bands shape the flux
	aBand := func(x float64) float64 {
		c.Airmass = x
		return bandDepth(observe(ins, model, c, 3, false), 7598, 7625, [][2]float64{{7480, 7560}, {7730, 7800}})
	}
	d1, d2 := aBand(1), aBand(2)
	if !(d1 > 0.2 && d2 > d1) {
		t.Fatalf("A band depth %.3f at airmass 1, %.3f at 2: want deep and growing", d1, d2)
	}
	// The median pixel's τ scales as X^0.55.
	if r := math.Log(1-d2) / math.Log(1-d1); math.Abs(r/math.Pow(2, TelluricExponent)-1) > 0.05 {
		t.Errorf("τ(X=2)/τ(X=1) = %.3f, want 2^%.2f = %.3f", r, TelluricExponent, math.Pow(2, TelluricExponent))
	}
	c.Airmass = 1
	h2o := func(pwv float64) float64 {
		c.PWVmm = pwv
		return bandDepth(observe(ins, model, c, 3, false), 8200, 8260, [][2]float64{{8000, 8080}, {8420, 8480}})
	}
	if w1, w2 := h2o(2), h2o(20); !(w1 > 0 && w2 > 1.5*w1) {
		t.Errorf("8200 Å water band depth %.3f at 2 mm, %.3f at 20 mm: want growing with water", w1, w2)
	}
}

// TestSkyResidualSpikes: residuals of the sky subtraction sit on bright
// sky lines, so [O I] 5577 (5578.9 Å vacuum) and the strongest red OH
// line stand out from the local continuum far more often than a pixel
// away from sky lines. Measured over 30 blocks of 240 seeds, the counts
// per block are 70–100 at 5577 (mean 84, σ ≈ 7), 91–121 on the OH line
// (mean 108) and 0–4 in the continuum (mean 1; 0.65 expected of
// Gaussian noise at 3σ): the thresholds n/6 = 40, n/5 = 48 and n/24 = 10
// lie 6σ, 8σ and far (Poisson) from them, so other seeds pass too.
func TestSkyResidualSpikes(t *testing.T) {
	ins := LAMOST()
	g := ins.Grid()
	model := make([]float64, len(g.Wave))
	for i := range model {
		model[i] = 1
	}
	at := func(w float64) int { i, _ := g.Window(w-0.6, w+0.6); return i }
	oh := at(8300)
	for i := at(8300); i < at(8450); i++ {
		if ins.skyLine[i] > ins.skyLine[oh] {
			oh = i
		}
	}
	pix := map[string]int{"5577": at(prep.AirToVacuum(5577.339)), "OH": oh, "continuum": at(5300)}
	count := map[string]int{}
	const n = 240
	o := ins.NewObserver()
	var s spectrum.Spectrum
	for seed := range uint64(n) {
		o.Observe(model, Conditions{SNRg: 10, Airmass: 1.2, SkyScale: 1, PWVmm: 5}, rand.New(rand.NewPCG(seed, 9)), &s)
		for name, p := range pix {
			var loc []float64
			for i := p - 40; i <= p+40; i++ {
				if (i < p-6 || i > p+6) && s.Ivar[i] > 0 {
					loc = append(loc, s.Flux[i])
				}
			}
			if s.Ivar[p] > 0 && math.Abs(s.Flux[p]-median(loc))*math.Sqrt(s.Ivar[p]) > 3 {
				count[name]++
			}
		}
	}
	if !(count["5577"] > n/6 && count["OH"] > n/5 && count["continuum"] < n/24) {
		t.Errorf(">3σ deviations in %d spectra: %v; want frequent at 5577 and OH, rare in the continuum", n, count)
	}
}

// TestMasks checks the mask conventions on many random observations.
func TestMasks(t *testing.T) {
	for _, ins := range []*Instrument{LAMOST(), SDSS()} {
		mb := ins.Params().Mask
		allowed := mb.BadColumn | mb.CosmicRay | mb.LowThroughput | mb.NoData
		o := ins.NewObserver()
		model := benchModel(ins.Grid())
		model[1000] = math.NaN()
		model[2000] = math.Inf(1)
		var s spectrum.Spectrum
		var cr, bad, crHigh int
		for seed := range uint64(150) {
			rng := rand.New(rand.NewPCG(seed, 11))
			o.Observe(model, DrawConditions(rng, 5, 100), rng, &s)
			for i := range s.Flux {
				f, iv, am, om := s.Flux[i], s.Ivar[i], s.AndMask[i], s.OrMask[i]
				if math.IsNaN(f) || math.IsInf(f, 0) || !(iv >= 0) || math.IsInf(iv, 0) {
					t.Fatalf("%s seed %d pixel %d: flux %v ivar %v", ins.Params().Name, seed, i, f, iv)
				}
				if (iv == 0) != (am != 0) || om&am != am || am&^allowed != 0 || om&^(allowed|mb.BrightSky) != 0 ||
					(am|om)&spectrum.MaskBad != 0 {
					t.Fatalf("%s seed %d pixel %d: ivar %v and-mask %#x or-mask %#x", ins.Params().Name, seed, i, iv, am, om)
				}
			}
			if s.AndMask[1000]&mb.NoData == 0 || s.AndMask[2000]&mb.NoData == 0 || s.AndMask[0]&mb.LowThroughput == 0 {
				t.Fatalf("%s: non-finite model pixels or the grid end not flagged", ins.Params().Name)
			}
			for i := 5; i < len(s.Flux)-5; i++ {
				if s.AndMask[i]&mb.BadColumn != 0 {
					bad++
				}
				if s.AndMask[i]&mb.CosmicRay != 0 && s.AndMask[i]&^mb.CosmicRay == 0 {
					cr++
					// A spike: ≥ 5σ above both neighbours' level.
					nb := []float64{s.Flux[i-3], s.Flux[i+3]}
					sig := 1 / math.Sqrt(max(s.Ivar[i-3], s.Ivar[i+3], 1e-300))
					if s.Flux[i]-max(nb[0], nb[1]) > 5*sig {
						crHigh++
					}
				}
			}
		}
		if cr == 0 || bad == 0 || crHigh < cr*3/4 {
			t.Errorf("%s: %d cosmic-ray pixels (%d spiky), %d dead-column pixels in 150 spectra", ins.Params().Name, cr, crHigh, bad)
		}
	}
}

func TestDeterminism(t *testing.T) {
	ins := LAMOST()
	model := benchModel(ins.Grid())
	c := DrawConditions(rand.New(rand.NewPCG(5, 5)), 5, 100)
	a := observe(ins, model, c, 42, false)
	o := ins.NewObserver()
	b := &spectrum.Spectrum{Meta: spectrum.NewMeta()}
	o.Observe(model, c, rand.New(rand.NewPCG(1, 1)), b) // a different spectrum first: no state may leak
	o.Observe(model, c, rand.New(rand.NewPCG(42, 7)), b)
	if !slices.Equal(a.Flux, b.Flux) || !slices.Equal(a.Ivar, b.Ivar) || !slices.Equal(a.AndMask, b.AndMask) ||
		!slices.Equal(a.OrMask, b.OrMask) || !slices.Equal(a.WavelengthAA, b.WavelengthAA) {
		t.Error("same seed, different spectra")
	}
	for k, v := range a.Meta.SNR {
		if b.Meta.SNR[k] != v {
			t.Errorf("SNR %s: %v vs %v", k, v, b.Meta.SNR[k])
		}
	}
	d := observe(ins, model, c, 43, false)
	if slices.Equal(a.Flux, d.Flux) {
		t.Error("different seeds, same spectrum")
	}
}

func TestNoAllocations(t *testing.T) {
	ins := LAMOST()
	o := ins.NewObserver()
	model := benchModel(ins.Grid())
	rng := rand.New(rand.NewPCG(1, 2))
	var s spectrum.Spectrum
	o.Observe(model, dark, rng, &s)
	if n := testing.AllocsPerRun(20, func() { o.Observe(model, dark, rng, &s) }); n != 0 {
		t.Errorf("%v allocations per Observe after warm-up, want 0", n)
	}
}

func TestSNRBands(t *testing.T) {
	s := observe(LAMOST(), benchModel(LAMOST().Grid()), dark, 1, false)
	for _, b := range []string{"u", "g", "r", "i", "z"} {
		if v, ok := s.Meta.SNR[b]; !ok || !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("LAMOST SNR[%s] = %v, %v", b, v, ok)
		}
	}
	// An instrument whose grid starts at 4100 Å has no u band: the key
	// is removed, even when the spectrum carried one.
	p := LAMOSTParams()
	var err error
	if p.Grid, err = prep.LogGrid(4100, 9000, 1e-4); err != nil {
		t.Fatal(err)
	}
	p.Blue.CutOnAA = 4120
	ins, err := NewInstrument(p)
	if err != nil {
		t.Fatal(err)
	}
	s.Meta.SNR["u"] = 3
	ins.NewObserver().Observe(benchModel(ins.Grid()), dark, rand.New(rand.NewPCG(1, 1)), s)
	if _, ok := s.Meta.SNR["u"]; ok || len(s.Meta.SNR) != 4 || len(s.Flux) != len(ins.Grid().Wave) {
		t.Errorf("4100 Å grid: SNR %v, %d pixels", s.Meta.SNR, len(s.Flux))
	}
}

// TestRoundTrip writes observed spectra in the survey layouts and reads
// them back: masks exactly, flux and ivar to float32 precision.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		ins    *Instrument
		layout spectrum.Layout
	}{{LAMOST(), spectrum.LayoutLAMOSTTable}, {LAMOST(), spectrum.LayoutLAMOSTImage}, {SDSS(), spectrum.LayoutSDSSCoadd}} {
		model := benchModel(tc.ins.Grid())
		var s *spectrum.Spectrum
		for seed := uint64(0); ; seed++ { // one with a cosmic ray
			s = observe(tc.ins, model, dark, seed, false)
			if slices.ContainsFunc(s.AndMask, func(m uint32) bool { return m&tc.ins.Params().Mask.CosmicRay != 0 }) {
				break
			}
		}
		path := filepath.Join(dir, string(tc.layout)+".fits")
		if err := spectrum.WriteFile(path, s, tc.layout); err != nil {
			t.Fatalf("%s: %v", tc.layout, err)
		}
		r, err := spectrum.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.layout, err)
		}
		if !slices.Equal(r.AndMask, s.AndMask) || !slices.Equal(r.OrMask, s.OrMask) {
			t.Errorf("%s: masks changed", tc.layout)
		}
		for i := range s.Flux {
			if r.Flux[i] != float64(float32(s.Flux[i])) || r.Ivar[i] != float64(float32(s.Ivar[i])) {
				t.Fatalf("%s pixel %d: flux %v ivar %v read as %v, %v", tc.layout, i, s.Flux[i], s.Ivar[i], r.Flux[i], r.Ivar[i])
			}
		}
	}
}

func TestDrawConditions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	var below, dark int
	var ebv []float64
	var pwv []float64
	for range n {
		c := DrawConditions(rng, 5, 100)
		if c.SNRg < 5 || c.SNRg > 100 || c.EBV < 0 || c.EBV > 0.5 || c.Airmass < 1 || c.Airmass > 1.8 ||
			!(c.SkyScale > 0) || c.Moon < 0 || c.Moon > 10 || !(c.PWVmm > 0) {
			t.Fatalf("out of range: %+v", c)
		}
		if c.SNRg < math.Sqrt(500) {
			below++
		}
		if c.Moon == 0 {
			dark++
		}
		ebv = append(ebv, c.EBV)
		pwv = append(pwv, c.PWVmm)
	}
	meanEBV := 0.0
	for _, v := range ebv {
		meanEBV += v / n
	}
	// Log-uniform S/N: half below the geometric mean; exponential E(B−V)
	// of mean 0.05 (the cap at 0.5 removes e^−10 of it); half dark time;
	// median PWV 5 mm.
	if math.Abs(float64(below)/n-0.5) > 0.02 || math.Abs(meanEBV-0.05) > 0.003 ||
		math.Abs(float64(dark)/n-0.5) > 0.02 || math.Abs(median(pwv)/5-1) > 0.05 {
		t.Errorf("S/N below √(5·100): %v; mean E(B−V) %v; dark %v; median PWV %v", float64(below)/n, meanEBV, float64(dark)/n, median(pwv))
	}
	a := DrawConditions(rand.New(rand.NewPCG(9, 9)), 5, 100)
	if b := DrawConditions(rand.New(rand.NewPCG(9, 9)), 5, 100); a != b {
		t.Errorf("not deterministic: %+v vs %+v", a, b)
	}
	if c := DrawConditions(rng, 7, 7); c.SNRg != 7 {
		t.Errorf("fixed S/N 7 drew %v", c.SNRg)
	}
}

// TestPurePoisson: without sky or read noise the variance is the object
// counts alone, S/N = √counts, and the solve must still hit the request.
func TestPurePoisson(t *testing.T) {
	p := LAMOSTParams()
	p.ReadNoiseE = 0
	ins, err := NewInstrument(p)
	if err != nil {
		t.Fatal(err)
	}
	model := benchModel(ins.Grid())
	model[3000] = 0 // no light and no noise: flagged, not ivar = +Inf
	s := observe(ins, model, Conditions{SNRg: 30}, 1, false)
	var v []float64
	for _, i := range good(s, 4000, 5500) {
		v = append(v, s.Flux[i]*math.Sqrt(s.Ivar[i]))
	}
	if got := median(v); math.Abs(got/30-1) > 0.01 {
		t.Errorf("measured S/N %v, want 30", got)
	}
	if s.Ivar[3000] != 0 || s.AndMask[3000]&p.Mask.NoData == 0 || math.IsInf(s.Flux[3000], 0) {
		t.Errorf("empty pixel: flux %v ivar %v mask %#x", s.Flux[3000], s.Ivar[3000], s.AndMask[3000])
	}
}

// TestConcurrentObservers: Observers on one shared Instrument in parallel
// goroutines give the sequential results (run with -race to check the
// sharing).
func TestConcurrentObservers(t *testing.T) {
	ins := SDSS()
	model := benchModel(ins.Grid())
	want := make([]*spectrum.Spectrum, 4)
	for k := range want {
		want[k] = observe(ins, model, dark, uint64(k), false)
	}
	got := make([]*spectrum.Spectrum, 4)
	done := make(chan int)
	for k := range got {
		go func() {
			got[k] = observe(ins, model, dark, uint64(k), false)
			done <- k
		}()
	}
	for range got {
		<-done
	}
	for k := range got {
		if !slices.Equal(got[k].Flux, want[k].Flux) || !slices.Equal(got[k].Ivar, want[k].Ivar) {
			t.Errorf("spectrum %d differs when observed concurrently", k)
		}
	}
}

// TestTelluricCorrection: the pipeline's correction leaves a residual
// 1 − ε·τ of the A band with ε of mean 0 and σ TelluricResidual, so over
// many spectra the residual depth has mean ≈ 0 and standard deviation
// σ·τ, τ = −ln(1 − depth) of the uncorrected band (measured here on the
// uncorrected instrument); inside the band the photon noise is that of
// the absorbed light, so the S/N there is √(1 − depth) of the sides'.
func TestTelluricCorrection(t *testing.T) {
	ins := LAMOST()
	model := make([]float64, len(ins.Grid().Wave))
	for i := range model {
		model[i] = 1
	}
	c := Conditions{SNRg: 400, Airmass: 1.3, PWVmm: 5} // no sky: photon noise only
	band, sides := [2]float64{7598, 7625}, [][2]float64{{7480, 7560}, {7730, 7800}}
	dUnc := bandDepth(observe(uncorrected(t), model, c, 3, true), band[0], band[1], sides)
	tau := -math.Log(1 - dUnc)
	const n = 300
	var sum, sum2 float64
	for seed := range uint64(n) {
		d := bandDepth(observe(ins, model, c, seed, false), band[0], band[1], sides)
		sum, sum2 = sum+d, sum2+d*d
	}
	mean := sum / n
	sd := math.Sqrt(sum2/n - mean*mean)
	want := ins.Params().TelluricResidual * tau
	if !(dUnc > 0.2) || math.Abs(mean) > 0.25*want || math.Abs(sd/want-1) > 0.15 {
		t.Errorf("uncorrected depth %.3f (τ %.3f); corrected: mean %.4f sd %.4f, want 0 and %.4f", dUnc, tau, mean, sd, want)
	}
	s := observe(ins, model, c, 1, false)
	snr := func(lo, hi float64) float64 {
		var v []float64
		for _, i := range good(s, lo, hi) {
			v = append(v, s.Flux[i]*math.Sqrt(s.Ivar[i]))
		}
		return median(v)
	}
	in, out := snr(band[0], band[1]), 0.5*(snr(sides[0][0], sides[0][1])+snr(sides[1][0], sides[1][1]))
	if r := in / out; math.Abs(r/math.Sqrt(1-dUnc)-1) > 0.05 {
		t.Errorf("S/N in the A band / sides = %.3f, want √(1 − %.3f) = %.3f", r, dUnc, math.Sqrt(1-dUnc))
	}
}

// TestNoiseCorrelation: the noise of neighbouring pixels has the lag-1
// correlation of linear resampling at a uniformly random phase,
// (1/6)/(2/3) = 0.25, and none at lag 2, while each pixel's variance
// stays the one ivar reports (TestPulls).
func TestNoiseCorrelation(t *testing.T) {
	for _, ins := range []*Instrument{LAMOST(), SDSS()} {
		model := benchModel(ins.Grid())
		var c1, c2, v float64
		for seed := range uint64(10) {
			s := observe(ins, model, dark, seed, false)
			s0 := observe(ins, model, dark, seed, true)
			p := make([]float64, len(s.Flux))
			for i := range p {
				p[i] = math.NaN()
				if s.Ivar[i] > 0 {
					p[i] = (s.Flux[i] - s0.Flux[i]) * math.Sqrt(s.Ivar[i])
				}
			}
			for i := range p {
				if p[i] != p[i] {
					continue
				}
				v += p[i] * p[i]
				if i+1 < len(p) && p[i+1] == p[i+1] {
					c1 += p[i] * p[i+1]
				}
				if i+2 < len(p) && p[i+2] == p[i+2] {
					c2 += p[i] * p[i+2]
				}
			}
		}
		if r1, r2 := c1/v, c2/v; math.Abs(r1-0.25) > 0.02 || math.Abs(r2) > 0.02 {
			t.Errorf("%s: noise autocorrelation %.3f at lag 1, %.3f at lag 2; want 0.25 and 0", ins.Params().Name, r1, r2)
		}
	}
	// rho = 0 leaves the draws white and untouched.
	z := []float64{1, -2, 3}
	corrNoise(z, 0)
	if !slices.Equal(z, []float64{1, -2, 3}) {
		t.Errorf("corrNoise(rho 0) changed the draws: %v", z)
	}
}
