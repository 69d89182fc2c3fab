package observe

import (
	"fmt"
	"github.com/astroone/astroone-go/internal/fastmath"
	"math"
	"math/rand/v2"

	"github.com/astroone/astroone-go/spectrum"
)

// maxHits bounds the cosmic-ray hits per spectrum (the Poisson draw is
// truncated there; with CosmicRate ≈ 1–2 this never matters).
const maxHits = 8

// defect is a run of flagged pixels: a cosmic ray (amp > 0, in units of
// the pixel's noise σ) or a dead column (amp = 0).
type defect struct {
	lo, hi int
	amp    float64
}

// Observer observes model spectra through an Instrument. It holds scratch
// buffers, so each goroutine needs its own.
type Observer struct {
	ins   *Instrument
	a     []float64 // object e⁻ per unit flux scale
	conv  []float64 // output flux (FluxUnit) per e⁻
	bvar  []float64 // variance of sky, sky model and read noise, e⁻²
	res   []float64 // sky-subtraction residual, e⁻
	z     []float64 // noise in σ units: n+1 standard normal draws, made correlated in place (see corrNoise)
	snr   []float64 // output S/N per pixel (NaN when masked)
	sel   []float64 // selection scratch
	buf   []float64 // second selection scratch
	objN  []float64 // object transmission at the extinction nodes
	outN  []float64 // atmospheric correction at the nodes
	hits  [maxHits + 1]defect
	nhits int

	noNoise bool // tests: draw the noise (so the scale is unchanged) but do not add it
}

// NewObserver returns an Observer for ins.
func (ins *Instrument) NewObserver() *Observer {
	n := ins.n
	return &Observer{
		ins: ins, a: make([]float64, n), conv: make([]float64, n),
		bvar: make([]float64, n), res: make([]float64, n), z: make([]float64, n+1), snr: make([]float64, n),
		sel: make([]float64, n), buf: make([]float64, n),
		objN: make([]float64, len(ins.nodes)), outN: make([]float64, len(ins.nodes)),
	}
}

// Observe observes the noiseless model f_λ (arbitrary units, on the
// instrument's grid, len(model) == len(Grid().Wave), observed frame, LSF
// applied) under conditions c and fills s: WavelengthAA (vacuum pixel
// centres), Vacuum, Flux, Ivar, AndMask, OrMask (reusing their storage
// when large enough), FluxUnit and Meta.SNR (lower median of flux·√ivar
// over the unmasked pixels of each SDSS band u, g, r, i, z; the key of a
// band without such pixels is deleted; the map is allocated if nil). No
// other field is touched. Out-of-range conditions are sanitised (see
// Conditions). Non-finite model pixels are masked (MaskBits.NoData);
// negative ones count as 0. It panics if len(model) is not the grid's
// length (a programming error).
//
// Steps, in the order light meets them:
//  1. Galactic extinction 10^(−0.4·E(B−V)·R_V·A_λ/A_V), O'Donnell (1994);
//  2. telluric O2 and H2O bands, τ × airmass^0.55 (H2O: × (PWV/5 mm)^0.55);
//  3. atmospheric extinction 10^(−0.4·k(λ)·X), KPNO curve (IRAF);
//  4. efficiency of the arms and the dichroic, exposure → electrons;
//  5. night sky: airglow and lamp lines at the LSF width, continuum,
//     moonlight; c.SkyScale × (dark sky) + c.Moon × (moonlight);
//  6. noise: Gaussian with variance object + (sky + read²)·(1 + 1/SkyFibers),
//     the Gaussian limit of Poisson counts, accurate here since pixels
//     collect tens to thousands of electrons, with the lag-1 correlation
//     NoiseCorrLag1 of the pipeline's resampling (corrNoise) and the same
//     per-pixel variance;
//  7. sky subtraction leaving residuals: per-arm scale errors of the
//     line and continuum sky and a sub-pixel wavelength misregistration
//     (∝ dSky/dλ), so residual spikes sit on the bright lines;
//  8. relative flux calibration: ÷ efficiency and atmospheric extinction
//     (Galactic features stay), × (1 + Σ c_k P_k(x)) smooth error and a
//     red-arm scale error; with TelluricCorrection, ÷ the telluric
//     transmission with a per-spectrum error, leaving 1 − ε·τ of each band;
//  9. defects: cosmic rays (spikes) and dead columns, masked, and the
//     static low-throughput mask; ivar = 1/variance of the final flux,
//     0 where masked.
//
// The object's flux scale (the exposure, in effect) is solved so that the
// measured median S/N over the unmasked g-band pixels, which includes the
// drawn noise and the sky residual, is c.SNRg (solveScale).
func (o *Observer) Observe(model []float64, c Conditions, rng *rand.Rand, s *spectrum.Spectrum) {
	ins, p, n := o.ins, o.ins.p, o.ins.n
	if len(model) != n {
		panic(fmt.Sprintf("observe: model has %d pixels, the %s grid %d", len(model), p.Name, n))
	}
	c = c.sanitize()

	// Systematic draws, a fixed number of them.
	var cal [3]float64
	for k := range cal {
		cal[k] = p.CalibrationError * rng.NormFloat64()
	}
	armErr := p.ArmMismatch * rng.NormFloat64()
	// The pipeline's telluric correction errs by a fraction ε of each
	// band's optical depth, independently for O₂ and H₂O (their columns
	// vary independently), clamped to ±3σ so that 1 − ε·τ stays positive
	// for any plausible τ.
	var tellErr [2]float64
	for k := range tellErr {
		tellErr[k] = p.TelluricResidual * max(-3, min(3, rng.NormFloat64()))
	}
	var lineRes, contRes, shift [2]float64 // [blue, red]
	for k := range 2 {
		lineRes[k] = p.SkyLineResidual * rng.NormFloat64()
		contRes[k] = p.SkyContResidual * rng.NormFloat64()
		shift[k] = p.SkyShiftPx * rng.NormFloat64()
	}
	// Defects: a Poisson number of cosmic rays (Knuth's method), 1–2
	// pixels each, 10–50 σ high; a dead column of 1–4 pixels with
	// probability BadColumnRate.
	o.nhits = 0
	lim, prod := math.Exp(-p.CosmicRate), rng.Float64()
	for prod > lim && o.nhits < maxHits {
		lo := rng.IntN(n)
		o.hits[o.nhits] = defect{lo, min(lo+1+rng.IntN(2), n), 10 + 40*rng.Float64()}
		o.nhits++
		prod *= rng.Float64()
	}
	if rng.Float64() < p.BadColumnRate {
		lo := rng.IntN(n)
		o.hits[o.nhits] = defect{lo, min(lo+1+rng.IntN(4), n), 0}
		o.nhits++
	}
	// Noise, drawn last.
	normals(rng, o.z[:n+1])
	corrNoise(o.z[:n+1], p.NoiseCorrLag1)

	s.WavelengthAA = grow(s.WavelengthAA, n)
	copy(s.WavelengthAA, ins.grid.Wave)
	s.Vacuum = true
	s.Flux, s.Ivar = grow(s.Flux, n), grow(s.Ivar, n)
	s.AndMask, s.OrMask = grow(s.AndMask, n), grow(s.OrMask, n)
	s.FluxUnit = p.FluxUnit
	mask := s.AndMask
	copy(mask, ins.static)
	for _, h := range o.hits[:o.nhits] {
		bit := p.Mask.CosmicRay
		if h.amp == 0 {
			bit = p.Mask.BadColumn
		}
		for i := h.lo; i < h.hi; i++ {
			mask[i] |= bit
		}
	}

	o.transmit(model, c, mask, cal, armErr, tellErr, lineRes, contRes, shift)
	scale, gMedian := o.solveScale(c.SNRg, mask)

	noise := 1.0
	if o.noNoise {
		noise = 0
	}
	// 1. Counts with noise, flux and its 1/σ (kept in ivar for now).
	a, conv, bvar, res, z := o.a[:n], o.conv[:n], o.bvar[:n], o.res[:n], o.z[:n]
	flux, ivar := s.Flux[:n], s.Ivar[:n]
	mask = mask[:n]
	nodata := p.Mask.NoData
	for i := range n {
		obj := scale * a[i]
		v := obj + bvar[i]
		sd := math.Sqrt(v)
		cv := conv[i]
		flux[i] = (obj + res[i] + noise*sd*z[i]) * cv
		ivar[i] = 1 / (sd * cv)
		if !(v > 0) { // no signal and no noise at all (a noiseless custom instrument)
			mask[i] |= nodata
		}
	}
	// 2. Masks, inverse variance and S/N per pixel.
	orm, snr := s.OrMask[:n], o.snr[:n]
	for i, m := range mask {
		orm[i] = m
		if m != 0 {
			ivar[i] = 0
			snr[i] = math.NaN()
		} else {
			w := ivar[i]
			ivar[i] = w * w
			snr[i] = flux[i] * w
		}
	}
	// 3. Bright sky lines (informational, OrMask only): where sky lines
	// dominate the sky and the sky outshines the object by 10σ.
	bright := p.Mask.BrightSky
	invSkyF, readVar := 1/(1+1/float64(p.SkyFibers)), ins.readVar
	for _, i := range ins.nearIdx {
		obj := scale * a[i]
		sd := math.Sqrt(obj + bvar[i])
		if bvar[i]*invSkyF-readVar > obj+10*sd {
			orm[i] |= bright
		}
	}
	for _, h := range o.hits[:o.nhits] {
		for i := h.lo; i < h.hi; i++ {
			if h.amp == 0 {
				flux[i] = 0 // dead column
			} else {
				flux[i] += h.amp * math.Sqrt(scale*a[i]+bvar[i]) * conv[i]
			}
		}
	}
	o.bandSNR(s, gMedian)
}

// transmit fills o.a, o.conv, o.bvar and o.res, and flags non-finite
// model pixels in mask. The smooth factors (Galactic and atmospheric
// extinction, the calibration error) are evaluated at the nodes and
// interpolated linearly; only the telluric bands need an exponential per
// pixel. It works in three short passes, each with few live values (a
// single pass kept more values than there are registers and spilled them
// on every pixel): the object's electrons and the calibration; the
// telluric bands; the sky's variance and subtraction residual.
func (o *Observer) transmit(model []float64, c Conditions, mask []uint32, cal [3]float64, armErr float64, tellErr, lineRes, contRes, shift [2]float64) {
	ins, p, n := o.ins, o.ins.p, o.ins.n
	x := c.Airmass
	for j := range ins.nodes {
		l := legendre3(ins.nodeX[j])
		calv := (1 + cal[0]*l[0] + cal[1]*l[1] + cal[2]*l[2]) * (1 + armErr*ins.nodeRF[j])
		o.objN[j] = fastExp(-c.EBV*ins.galA[j] - x*ins.atmA[j])
		o.outN[j] = calv * 1e17 * fastExp(x*ins.atmA[j])
	}
	a, conv, bvar, res := o.a[:n], o.conv[:n], o.bvar[:n], o.res[:n]

	// 1. Object electrons per unit flux scale (model × photons per unit
	// flux × smooth transmission) and output flux per e⁻, by segments
	// between nodes (the last segment includes its end node). Non-finite
	// model pixels are flagged; negative ones count as 0.
	nodata := p.Mask.NoData
	model, mask = model[:n], mask[:n]
	nodes, phot, invPhot := ins.nodes, ins.phot[:n], ins.invPhot[:n]
	for j := 0; j+1 < len(nodes); j++ {
		i0, i1 := nodes[j], nodes[j+1]
		end := i1
		if j+2 == len(nodes) {
			end = i1 + 1
		}
		inv := 1 / float64(i1-i0)
		o0, do := o.objN[j], o.objN[j+1]-o.objN[j]
		u0, du := o.outN[j], o.outN[j+1]-o.outN[j]
		for i := i0; i < end; i++ {
			t := float64(i-i0) * inv
			m := model[i]
			if m-m != 0 { // NaN or ±Inf
				mask[i] |= nodata
				m = 0
			} else if m < 0 {
				m = 0
			}
			a[i] = m * phot[i] * (o0 + do*t)
			conv[i] = (u0 + du*t) * invPhot[i]
		}
	}

	// 2. Telluric bands, where they are not negligible: they absorb the
	// object's light (so the photon noise is that of the absorbed flux);
	// a correcting pipeline divides by its estimate of the transmission,
	// e^−(1−ε)τ, leaving e^−ετ ≈ 1 − ετ of each band in the output.
	to2 := math.Pow(x, TelluricExponent)
	th2o := math.Pow(x*c.PWVmm/RefPWVmm, TelluricExponent)
	if lo, hi := ins.tellLo, ins.tellHi; lo < hi {
		tO2, tH2O, at, ct := ins.tauO2[lo:hi], ins.tauH2O[lo:hi], a[lo:hi], conv[lo:hi]
		if p.TelluricCorrection {
			eO2, eH2O := tellErr[0]*to2, tellErr[1]*th2o
			for i := range at {
				if tt := to2*tO2[i] + th2o*tH2O[i]; tt != 0 {
					e := fastExp(-tt)
					at[i] *= e
					ct[i] *= (1 - eO2*tO2[i] - eH2O*tH2O[i]) / e
				}
			}
		} else {
			for i := range at {
				if tt := to2*tO2[i] + th2o*tH2O[i]; tt != 0 {
					at[i] *= fastExp(-tt)
				}
			}
		}
	}

	// 3. Sky: variance of sky, sky model and read noise, and the
	// subtraction residual (per-arm line and continuum scale errors and a
	// wavelength shift, interpolated across the dichroic by the red
	// fraction).
	skyF := 1 + 1/float64(p.SkyFibers)
	readVar := ins.readVar
	ss, moon := c.SkyScale, c.Moon
	lr0, dlr := lineRes[0], lineRes[1]-lineRes[0]
	cr0, dcr := contRes[0], contRes[1]-contRes[0]
	sh0, dsh := shift[0]*ss, (shift[1]-shift[0])*ss
	skyLine, skyCont, skyMoon := ins.skyLine[:n], ins.skyCont[:n], ins.skyMoon[:n]
	dLine, redFrac := ins.dSkyLine[:n], ins.redFrac[:n]
	for i := range n {
		line := ss * skyLine[i]
		cont := ss*skyCont[i] + moon*skyMoon[i]
		bvar[i] = (line + cont + readVar) * skyF
		rf := redFrac[i]
		res[i] = (lr0+dlr*rf)*line + (cr0+dcr*rf)*cont - (sh0+dsh*rf)*dLine[i]
	}
}

// solveScale returns the flux scale A (erg s⁻¹ cm⁻² Å⁻¹ per model unit)
// that makes the measured g-band S/N equal target, and that measured
// median (NaN when the g band has no object light). The measured S/N of
// pixel i is s_i(A) + z_i, with s_i(A) = (A·a_i + r_i)/√(A·a_i + b_i) (r_i
// the sky residual, b_i the sky and read variance) and z_i its noise
// draw in σ units. Each s_i increases with A, so pixel i measures at
// least S exactly when A ≥ A_i, the root of s_i(A_i) + z_i = S (a
// quadratic: A_i·a_i = [t² − 2r_i + t·√(t² − 4r_i + 4b_i)]/2 with
// t = S − z_i). The lower median of N values equals S when exactly
// ⌊(N−1)/2⌋ pixels stay below S, i.e. A is the order statistic of rank
// N−1−⌊(N−1)/2⌋ of the A_i: one pass and one selection, no iteration and
// no trial noise draws (the draws z_i are made once, before, as for any
// spectrum).
func (o *Observer) solveScale(target float64, mask []uint32) (scale, median float64) {
	ins := o.ins
	g := ins.bands[ins.gBand]
	n := o.roots(target, mask, g.lo, g.hi)
	if n == 0 { // the whole g band masked: use every pixel
		n = o.roots(target, mask, 0, ins.n)
	}
	if n == 0 {
		return 1e-17, math.NaN()
	}
	scale = fastmath.SelectBranchFree(o.sel[:n], o.buf, n-1-(n-1)/2)
	switch {
	case math.IsInf(scale, 1): // most of the g band has no object light
		return 1e-17, math.NaN()
	case scale == 0: // the sky residual and noise alone reach S
		return 1e-30, math.NaN()
	}
	return scale, target
}

// roots writes to o.sel the roots A_i of the unmasked pixels in [lo, hi)
// (see solveScale) and returns their number.
func (o *Observer) roots(target float64, mask []uint32, lo, hi int) int {
	a, b, r, z, m := o.a[lo:hi], o.bvar[lo:hi], o.res[lo:hi], o.z[lo:hi], mask[lo:hi]
	roots := o.sel[:hi-lo]
	k := 0
	for i := range m {
		if m[i] != 0 {
			continue
		}
		t := target - z[i]
		ai, bi, ri := a[i], b[i], r[i]
		var root float64
		switch {
		case t <= 0 || bi > 0 && t*t*bi <= ri*math.Abs(ri): // at or above S without object light: t√b ≤ r
			root = 0
		case !(ai > 0):
			root = math.Inf(1)
		default:
			root = (t*t - 2*ri + t*math.Sqrt(t*t-4*ri+4*bi)) / (2 * ai)
		}
		roots[k] = root
		k++
	}
	return k
}

// bandSNR sets s.Meta.SNR to the lower median of o.snr over each band;
// for g, the solver's median gMedian (the same pixels and values) unless
// it is NaN.
func (o *Observer) bandSNR(s *spectrum.Spectrum, gMedian float64) {
	if s.Meta.SNR == nil {
		s.Meta.SNR = make(map[string]float64, 5)
	}
	for k, b := range o.ins.bands {
		if k == o.ins.gBand && gMedian == gMedian {
			s.Meta.SNR[b.name] = gMedian
			continue
		}
		sel, m := o.sel[:b.hi-b.lo], 0
		for _, v := range o.snr[b.lo:b.hi] {
			sel[m] = v // kept (m advances) unless NaN: no branch
			keep := 0
			if v == v {
				keep = 1
			}
			m += keep
		}
		sel = sel[:m]
		if len(sel) == 0 {
			delete(s.Meta.SNR, b.name)
			continue
		}
		s.Meta.SNR[b.name] = fastmath.SelectBranchFree(sel, o.buf, (len(sel)-1)/2)
	}
}

// corrNoise turns the n+1 independent standard normals in z into n
// stationary ones, z[:n], with lag-1 correlation rho and none beyond, in
// place: z_i ← c₀·z_i + c₁·z_{i+1} with c₀² + c₁² = 1 (unit variance) and
// c₀c₁ = rho, i.e. c₀ = √((1 + √(1 − 4rho²))/2). This moving average is
// linear interpolation between two detector pixels at phase f = c₁/(c₀+c₁),
// rescaled to unit variance: the pipeline's resampling (LAMOSTParams).
// Gaussian noise is fixed by its covariance, so this is exactly in
// distribution the noise of resampling at a phase that varies with an
// average lag-1 correlation rho. rho = 0 leaves z[:n] as drawn.
func corrNoise(z []float64, rho float64) {
	if rho == 0 {
		return
	}
	c0 := math.Sqrt((1 + math.Sqrt(1-4*rho*rho)) / 2)
	c1 := rho / c0
	n := len(z) - 1
	for i := range z[:n] {
		z[i] = c0*z[i] + c1*z[i+1]
	}
}

// grow returns s resized to n, reusing its storage when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
