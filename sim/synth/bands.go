package synth

import "math"

// Molecular bands (TiO, C2, CN) at low resolution are drawn as one
// absorption per band: an optical depth that jumps to τ0 at the band head
// and decays exponentially away from it on the side the band is degraded
// to, the envelope of the unresolved rotational lines. The decay is
// exponential in ln λ with e-folding ln(1 + scale/head) ≈ scale/head, which
// equals an exponential in λ with e-folding scaleAA to within a few per
// cent over the band and makes the profile a fixed ratio per pixel on a
// log-λ grid. Convolved with a Gaussian LSF of σ (in ln λ, σ_u = σ/head),
// the profile has the closed form (the exponentially modified Gaussian)
//
//	P(u) = ½ exp(σ_u²/(2s²) − u/s) erfc((σ_u/s − u/σ_u)/√2),  u = ±ln(λ/head)
//
// with s the e-folding in ln λ and u measured into the band. It is
// evaluated with erfc only within 6σ_u of the head; beyond, erfc = 2 to
// double precision and the profile is updated by a constant factor per
// pixel, so a band costs about a dozen erfc calls and no exp per pixel.

// bandTauFloor is the optical depth at which a band's tail is cut.
const bandTauFloor = 1e-4

// bandMaxExtentLn bounds a band's extent in ln λ (≈ 25%).
const bandMaxExtentLn = 0.22

// bandMinScaleRatio: a band's e-folding is never taken below σ_LSF/20, so
// that exp(σ_u²/2s²) stays far from overflow (a narrower band is a line).
const bandMinScaleRatio = 1.0 / 20

// AbsorbBand multiplies f by exp(−τ(λ)) for a molecular band whose head is
// at headAA (Å, observed frame), degraded to the red (toRed, like TiO) or
// to the blue (like C2 Swan and CN violet), with optical depth tau just
// past the head falling off with e-folding scaleAA (Å), seen through the
// grid's Gaussian LSF. See the package comment above for the profile.
func (g *Grid) AbsorbBand(f []float64, headAA, scaleAA float64, toRed bool, tau float64) {
	if !(headAA > 0) {
		return
	}
	g.bandTau(f, headAA, scaleAA, g.LSFSigmaAA(headAA), toRed, tau, false)
}

// bandTau applies a band with Gaussian smoothing σ sigmaAA to f: in the
// log domain (f holds ln flux; τ is subtracted) when logDomain is set,
// else multiplying f by exp(−τ).
func (g *Grid) bandTau(f []float64, headAA, scaleAA, sigmaAA float64, toRed bool, tau float64, logDomain bool) {
	if !(tau > 0) || !(headAA > 0) || !(scaleAA > 0) || !(sigmaAA > 0) || len(f) == 0 || math.IsInf(tau, 0) {
		return
	}
	su := sigmaAA / headAA
	s := math.Log1p(scaleAA / headAA)
	if s < su*bandMinScaleRatio {
		s = su * bandMinScaleRatio
	}
	r := su / s
	lnC := 0.5 * r * r
	// Extent into the band: τ·exp(lnC − v/s) < bandTauFloor.
	vEnd := min(s*(math.Log(tau/bandTauFloor)+lnC), bandMaxExtentLn)
	vStart := -6 * su
	if vEnd <= vStart {
		return
	}
	du := g.Log10Step * math.Ln10
	u0 := g.Log10Start*math.Ln10 - math.Log(headAA) // u of pixel 0
	n := len(f)
	// Pixel range covering v in [vStart, vEnd], v = u (toRed) or −u.
	uMin, uMax := vStart, vEnd
	if !toRed {
		uMin, uMax = -vEnd, -vStart
	}
	lo := max(int(math.Ceil((uMin-u0)/du)), 0)
	hi := min(int(math.Floor((uMax-u0)/du))+1, n)
	if lo >= hi {
		return
	}
	i, step, end := lo, 1, hi // walk in the direction of increasing v
	if !toRed {
		i, step, end = hi-1, -1, lo-1
	}
	vSwitch := 6 * su
	invS, invSu := 1/s, 1/su
	apply := func(i int, t float64) {
		if logDomain {
			f[i] -= t
		} else {
			f[i] *= math.Exp(-t)
		}
	}
	// Near the head: the closed form with erfc.
	v := 0.0
	for ; i != end; i += step {
		v = u0 + float64(i)*du
		if !toRed {
			v = -v
		}
		if v >= vSwitch {
			break
		}
		apply(i, tau*0.5*math.Exp(lnC-v*invS)*math.Erfc((r-v*invSu)*(1/math.Sqrt2)))
	}
	if i == end {
		return
	}
	// The tail: a constant ratio per pixel.
	t := tau * math.Exp(lnC-v*invS)
	q := math.Exp(-du * invS)
	if logDomain {
		for ; i != end; i += step {
			f[i] -= t
			t *= q
		}
		return
	}
	for ; i != end; i += step {
		f[i] *= math.Exp(-t)
		t *= q
	}
}

// The line profiles work in pixel units of the log-λ grid: a line at λc
// sits at pixel pc = (log10 λc − Log10Start)/Log10Step and a width σ (Å)
// spans σ/(λc ln10 Log10Step) pixels; the grid is uniform in λ to 0.1% over
// ±5σ of a line, and to ~2% over the ±5% of λ that the widest damping
// wings reach, where τ < 10⁻³. Gaussian cores are evaluated by the exact
// recurrence g(d+h) = g(d)·exp(−dh − h²/2), three exp calls per line
// (starExp, the fast exp of star.go) and no other per-pixel exp.

// starPix returns the fractional pixel of vacuum wavelength 10^log10AA.
func (g *Grid) starPix(log10AA float64) float64 { return (log10AA - g.Log10Start) / g.Log10Step }

// starGauss subtracts from ln f a Gaussian line at pixel pc (wavelength
// centre, Å) of σ sig (Å) and τ-area area (Å), saturating at tmax.
func (g *Grid) starGauss(f []float64, pc, centre, sig, area, tmax float64) {
	sp := sig / (centre * math.Ln10 * g.Log10Step)
	starGaussPx(f, pc, sp, math.Log(area), 1/(sig*math.Sqrt(2*math.Pi)), 1/tmax)
}

// starGaussPx subtracts from ln f the saturated Gaussian line of pixel
// centre pc and pixel σ sp whose optical depth is τ(d) = e^(lnA − d²/2)·
// scale at d = (i − pc)/sp, i.e. peak optical depth e^lnA·scale; the line
// saturates as τ/(1 + τ·invTmax). It is evaluated over ±5σ. Folding the
// line's τ-area (e^lnA) into the first exponential saves an exp per line.
func starGaussPx(f []float64, pc, sp, lnA, scale, invTmax float64) {
	lo := max(int(math.Ceil(pc-5*sp)), 0)
	hi := min(int(math.Floor(pc+5*sp))+1, len(f))
	if lo >= hi {
		return
	}
	h := 1 / sp
	d := (float64(lo) - pc) * h
	t0 := scale * starExp(lnA-0.5*d*d) // τ at pixel lo
	r := starExp(-d*h - 0.5*h*h)
	c := starExp(-h * h)
	f = f[lo:hi]
	for i := range f {
		f[i] -= t0 / (1 + t0*invTmax)
		t0 *= r
		r *= c
	}
}

// starVoigtFloor is the optical depth where damping wings are cut.
const starVoigtFloor = 2e-4

// starHVoigtFloor is the cut of the hydrogen lines' Stark wings: higher,
// since a dozen strong, wide, overlapping lines would otherwise cost more
// than all metal lines together; 5e-4 in ln f is 0.05% of the flux.
const starHVoigtFloor = 5e-4

// starVoigt subtracts from ln f a line at pixel pc (centre, Å) with the
// pseudo-Voigt profile of AbsorbVoigt (Thompson, Cox & Hastings 1987):
// Gaussian σ sig, Lorentzian half width gamma, τ-area area (all Å),
// saturating at tmax. The wings are cut where τ < floor or at ±5% of λ.
func (g *Grid) starVoigt(f []float64, pc, centre, sig, gamma, area, tmax, floor float64) {
	fg := 2.3548200450309493 * sig
	fl := 2 * gamma
	fg2, fl2 := fg*fg, fl*fl
	fwhm := starExp(0.2 * math.Log(fg2*fg2*fg+2.69269*fg2*fg2*fl+2.42843*fg2*fg*fl2+
		4.47163*fg2*fl2*fl+0.07842*fg*fl2*fl2+fl2*fl2*fl)) // the fifth root
	r := fl / fwhm
	eta := 1.36603*r - 0.47719*r*r + 0.11116*r*r*r
	sg := fwhm * fwhmToSigma
	hl := fwhm / 2
	gn := area * (1 - eta) / (sg * math.Sqrt(2*math.Pi))
	ln := area * eta / (math.Pi * hl)
	reach := 6 * sg
	if x := ln / floor; x > 1 {
		reach = max(reach, hl*math.Sqrt(x-1))
	}
	reach = min(reach, 0.05*centre)
	px := centre * math.Ln10 * g.Log10Step // Å per pixel
	n := len(f)
	lo := max(int(math.Ceil(pc-reach/px)), 0)
	hi := min(int(math.Floor(pc+reach/px))+1, n)
	if lo >= hi {
		return
	}
	sp := sg / px
	glo := min(max(int(math.Ceil(pc-6*sp)), lo), hi)
	ghi := max(min(int(math.Floor(pc+6*sp))+1, hi), glo)
	invH := px / hl
	it := 1 / tmax
	lor := func(i int) float64 {
		v := (float64(i) - pc) * invH
		return ln / (1 + v*v)
	}
	// In the wings τ is the Lorentzian alone, and the saturated
	// t/(1 + t/tmax) with t = ln/(1 + v²) is ln/(1 + v² + ln/tmax): one
	// division per pixel instead of two.
	a := 1 + ln*it
	for i := lo; i < glo; i++ {
		v := (float64(i) - pc) * invH
		f[i] -= ln / (a + v*v)
	}
	if glo < ghi {
		h := 1 / sp
		d := (float64(glo) - pc) * h
		gv := gn * starExp(-0.5*d*d)
		q := starExp(-d*h - 0.5*h*h)
		c := starExp(-h * h)
		for i := glo; i < ghi; i++ {
			t := lor(i) + gv
			f[i] -= t / (1 + t*it)
			gv *= q
			q *= c
		}
	}
	for i := ghi; i < hi; i++ {
		v := (float64(i) - pc) * invH
		f[i] -= ln / (a + v*v)
	}
}
