package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// QSOParams are the parameters of a quasar spectrum (see Grid.QSO).
type QSOParams struct {
	// Z is the redshift.
	Z float64
	// AlphaNu is the continuum slope, f_ν ∝ ν^AlphaNu, between 1200 and
	// 5000 Å rest (Vanden Berk et al. 2001, AJ 122, 549: −0.44 in the
	// SDSS composite).
	AlphaNu float64
	// AlphaNuRed is the slope redward of 7000 Å rest, where host-galaxy
	// light and hot dust redden the composite (Vanden Berk et al.: −2.45
	// redward of 5000 Å); the slope turns from AlphaNu to it gradually
	// between 5000 and 7000 Å (qsoRedRollLn).
	AlphaNuRed float64
	// AlphaNuEUV is the slope blueward of 1200 Å rest, where the continuum
	// steepens (Telfer et al. 2002, ApJ 565, 773: −1.76).
	AlphaNuEUV float64
	// BroadFWHMKmS is the FWHM of the broad lines, km/s.
	BroadFWHMKmS float64
	// NarrowFWHMKmS is the FWHM of the narrow lines, km/s.
	NarrowFWHMKmS float64
	// BroadEW multiplies the composite's broad-line equivalent widths.
	BroadEW float64
	// NarrowEW multiplies the composite's narrow-line equivalent widths.
	NarrowEW float64
	// FeII multiplies the Fe II pseudo-continuum (1: R_FeII ≈ 0.4).
	FeII float64
	// LLSZ is the redshift of the nearest Lyman-limit system in front of
	// the quasar; LLSTau912 is its optical depth at the Lyman limit (0:
	// none).
	LLSZ, LLSTau912 float64
	// Seed seeds the model's own randomness: the scatter of each line
	// about the composite and the Lyα-forest absorbers.
	Seed uint64
}

// DrawQSO draws quasar parameters:
//   - Z uniform in [0.1, 4] (uniform for training coverage, not the
//     luminosity function);
//   - AlphaNu ~ N(−0.44, 0.3) clipped to [−1.4, 0.5] (the composite slope
//     with the object-to-object spread of Richards et al. 2003, AJ 126,
//     1131); AlphaNuRed ~ N(−2.45, 0.3); AlphaNuEUV ~ N(−1.76, 0.3);
//   - BroadFWHMKmS log-uniform in [2000, 8000] (the bulk of the Hβ and
//     Mg II widths of Shen et al. 2011, ApJS 194, 45); NarrowFWHMKmS
//     uniform in [300, 700];
//   - BroadEW log-normal with σ = 0.2 dex (the EW spread in Shen et al.
//     2011), NarrowEW with σ = 0.3 dex, both cut at ±2.5σ; FeII uniform in
//     [0, 2.5] (R_FeII from 0 to 1, Boroson & Green 1992);
//   - the nearest Lyman-limit system (τ₉₁₂ ≥ 1) at a distance Δz ~ Exp(ℓ)
//     below Z with ℓ(z) = 0.28 (1+z)^1.19 per unit z (Ribaudo, Lehner &
//     Howk 2011, ApJ 736, 42), none when that falls below z = 0, and
//     τ₉₁₂ from dN/dτ ∝ τ^−1.5 on [1, 20] (the H I column-density
//     distribution slope, Kim et al. 2001, A&A 373, 757).
func DrawQSO(rng *rand.Rand) QSOParams {
	clip := func(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
	p := QSOParams{
		Z:             0.1 + 3.9*rng.Float64(),
		AlphaNu:       clip(-0.44+0.3*rng.NormFloat64(), -1.4, 0.5),
		AlphaNuRed:    clip(-2.45+0.3*rng.NormFloat64(), -3.5, -1.2),
		AlphaNuEUV:    clip(-1.76+0.3*rng.NormFloat64(), -2.8, -0.7),
		BroadFWHMKmS:  emissionLogUniform(rng, 2000, 8000),
		NarrowFWHMKmS: emissionUniform(rng, 300, 700),
		BroadEW:       math.Pow(10, 0.2*clip(rng.NormFloat64(), -2.5, 2.5)),
		NarrowEW:      math.Pow(10, 0.3*clip(rng.NormFloat64(), -2.5, 2.5)),
		FeII:          2.5 * rng.Float64(),
		Seed:          rng.Uint64(),
	}
	ell := 0.28 * math.Pow(1+p.Z, 1.19)
	if zl := p.Z - rng.ExpFloat64()/ell; zl > 0 {
		p.LLSZ = zl
		u := rng.Float64()
		p.LLSTau912 = 1 / math.Pow(1-u*(1-1/math.Sqrt(20)), 2)
	}
	return p
}

// Continuum break points, Å rest.
const (
	qsoBreakRedAA = 5000 // Vanden Berk et al. (2001) §4.1
	qsoBreakEUVAA = 1200 // Telfer et al. (2002) §4
)

// qsoRedRollLn is the width, in ln λ, over which the continuum slope turns
// from AlphaNu to AlphaNuRed redward of qsoBreakRedAA: the local slope
// changes linearly in ln λ from 5000 Å to 5000·e^0.336 = 7000 Å rest and
// is AlphaNuRed beyond. Vanden Berk et al. (2001) ascribe the red
// steepening of the SDSS composite to host-galaxy starlight (and hot
// dust), whose share of the light grows gradually with λ rather than
// switching on at 5000 Å; a sharp break put the simulated continuum
// 1.4–1.8× above the LBQS composite of bright quasars (Francis et al.
// 1991) at 5500–6000 Å. Calibrated, not taken from a paper: the width
// was set against that composite (sim/realism, bench/simrealism).
const qsoRedRollLn = 0.336

// qsoLnCont is ln f_λ of the broken power-law continuum at rest λ (Å), up
// to a constant; f_λ ∝ λ^(−2−α_ν) for f_ν ∝ ν^α_ν, with the slope rolling
// over from AlphaNu to AlphaNuRed across qsoRedRollLn redward of 5000 Å:
// with x = ln(λ/5000 Å), ln f gains (a_red − a)·x²/(2·x₁) for x < x₁ and
// (a_red − a)·(x − x₁/2) beyond.
func qsoLnCont(p *QSOParams, restAA float64) float64 {
	ab, ar, ae := -2-p.AlphaNu, -2-p.AlphaNuRed, -2-p.AlphaNuEUV
	switch {
	case restAA > qsoBreakRedAA:
		x := math.Log(restAA / qsoBreakRedAA)
		extra := x - 0.5*qsoRedRollLn
		if x < qsoRedRollLn {
			extra = x * x / (2 * qsoRedRollLn)
		}
		return ab*math.Log(restAA) + (ar-ab)*extra
	case restAA < qsoBreakEUVAA:
		return ab*math.Log(qsoBreakEUVAA) + ae*math.Log(restAA/qsoBreakEUVAA)
	default:
		return ab * math.Log(restAA)
	}
}

// The Balmer continuum of the broad-line region (the "small blue bump"
// with the UV Fe II blends): optically thin-to-moderate bound-free
// emission of hydrogen below the Balmer edge, λ_BE = 3646 Å (Grandi 1982,
// ApJ 255, 25, eq. 1; Dietrich et al. 2002, ApJ 564, 581):
//
//	F_BC(λ) = F_BE · B_λ(T_e)(1 − e^(−τ_λ)) / (B_λBE(T_e)(1 − e^(−τ_BE))),
//	τ_λ = τ_BE (λ/λ_BE)³, T_e = 15 000 K, τ_BE = 1,
//
// F_BE its value at the edge relative to the power law. The edge is
// smeared by the high-order Balmer lines, which merge into a
// pseudo-continuum from the edge to ≈3800 Å (Wills, Netzer & Wills 1985,
// ApJ 288, 94, model them to n = 50; the LBQS composite shows no step at
// 3646 Å): the model multiplies by a logistic step of scale
// qsoBalmerEdgeScaleAA, far wider than the broad-line velocity smearing
// (σ ≤ 45 Å at 3646 Å for FWHM ≤ 8000 km/s), which it therefore
// includes. Calibrated, not taken from a paper: F_BE = 0.15 × BroadEW
// and the 100 Å scale were set against the 3000–3800 Å continuum of the
// LBQS composite (Francis et al. 1991; sim/realism), within the 0.1–0.5
// of Grandi's and Wills et al.'s fits.
const (
	qsoBalmerEdgeAA      = 3646.0
	qsoBalmerTeK         = 15000.0
	qsoBalmerTauBE       = 1.0
	qsoBalmerFBE         = 0.15
	qsoBalmerEdgeScaleAA = 100.0
	// qsoBalmerTopAA is where the logistic has fallen to e^−30.
	qsoBalmerTopAA = qsoBalmerEdgeAA + 30*qsoBalmerEdgeScaleAA
	// The shape is tabulated (qsoBalmerInit) in ln λ from 500 Å to
	// qsoBalmerTopAA with qsoBalmerStep: linear interpolation on it is
	// good to ~1e-5 of the edge value.
	qsoBalmerLnMin = 6.2146080984221914 // ln 500
	qsoBalmerStep  = 0.001
	qsoBalmerN     = 2960 // > (ln qsoBalmerTopAA − ln 500)/qsoBalmerStep
)

// qsoBalmerShape is F_BC(λ)/F_BE at rest λ (Å) with the edge smeared by a
// logistic of scale sAA (Å).
func qsoBalmerShape(restAA, sAA float64) float64 {
	d := (restAA - qsoBalmerEdgeAA) / sAA
	if d > 30 {
		return 0
	}
	r := restAA / qsoBalmerEdgeAA
	num := emissionPlanck(restAA, qsoBalmerTeK) * -math.Expm1(-qsoBalmerTauBE*r*r*r)
	den := emissionPlanck(qsoBalmerEdgeAA, qsoBalmerTeK) * -math.Expm1(-qsoBalmerTauBE)
	return num / den / (1 + math.Exp(d))
}

var (
	qsoBalmerOnce  sync.Once
	qsoBalmerTable [qsoBalmerN + 1]float64
)

func qsoBalmerInit() {
	for i := range qsoBalmerTable {
		qsoBalmerTable[i] = qsoBalmerShape(math.Exp(qsoBalmerLnMin+float64(i)*qsoBalmerStep), qsoBalmerEdgeScaleAA)
	}
}

// QSO overwrites f (len(g.Wave)) with the observed-frame f_λ of a quasar,
// normalised so the continuum is 1 at the middle pixel of the grid:
//
//   - a broken power-law continuum (QSOParams slopes);
//   - broad lines (qsoBroadLines) and narrow lines (qsoNarrowLines), each
//     a Gaussian in velocity (the high-ionisation UV lines two: a core
//     and a broader wing, qsoBroadWing) at (1+z)·λ_rest, of area
//     EW·(1+z)·continuum, EW the composite's times BroadEW or NarrowEW times a per-line
//     log-normal scatter of 0.1 dex; widths are the FWHM added to the LSF
//     in quadrature (TotalSigmaAA);
//   - the Fe II pseudo-continuum as broad blends (qsoFeIIBumps) × FeII;
//   - the Balmer continuum (qsoBalmerShape) × BroadEW;
//   - the Lyα forest, Lyβ forest and Lyman-continuum absorption of the
//     intervening H I absorbers (qsoForest) and of the Lyman-limit
//     system (LLSZ, LLSTau912), applied to continuum and lines alike.
//
// It is safe for concurrent use and allocates nothing in steady state.
func (g *Grid) QSO(f []float64, p QSOParams) {
	n := len(f)
	if n == 0 {
		return
	}
	p.Z = max(p.Z, 0)
	opz := 1 + p.Z
	// Continuum: a geometric recurrence per segment (f_λ ∝ λ^a is
	// multiplied by 10^(a·step) per pixel of a log-λ grid).
	mid := n / 2
	ln0 := qsoLnCont(&p, g.Wave[0]/opz) - qsoLnCont(&p, g.Wave[mid]/opz)
	perPix := func(alphaNu float64) float64 { return math.Exp((-2 - alphaNu) * math.Ln10 * g.Log10Step) }
	rEUV, rBlue, rRed := perPix(p.AlphaNuEUV), perPix(p.AlphaNu), perPix(p.AlphaNuRed)
	// Pixels below iEUV are blueward of 1200 Å rest, from iRed on redward
	// of 5000 Å rest, from iRoll on past the roll-over (qsoRedRollLn).
	// Across the roll-over the per-pixel ratio is
	// exp(aΔ + (a_red − a)Δ(2x + Δ)/(2x₁)), Δ = ln10·step, x = ln(λ/5000 Å)
	// of the pixel, itself a geometric sequence of ratio
	// exp((a_red − a)Δ²/x₁).
	iEUV := int(math.Ceil(g.emissionPixel(qsoBreakEUVAA * opz)))
	iRed := int(math.Floor(g.emissionPixel(qsoBreakRedAA*opz))) + 1
	iRoll := int(math.Floor(g.emissionPixel(qsoBreakRedAA*math.Exp(qsoRedRollLn)*opz))) + 1
	dl := math.Ln10 * g.Log10Step
	dab := p.AlphaNu - p.AlphaNuRed // a_red − a
	var rRoll, qRoll float64
	if iRed >= 0 && iRed < n {
		x := math.Log(g.Wave[iRed] / (qsoBreakRedAA * opz))
		rRoll = rBlue * math.Exp(dab*dl*(2*x+dl)/(2*qsoRedRollLn))
		qRoll = math.Exp(dab * dl * dl / qsoRedRollLn)
	}
	lnMid := qsoLnCont(&p, g.Wave[mid]/opz)
	cont := func(obsAA float64) float64 { return math.Exp(qsoLnCont(&p, obsAA/opz) - lnMid) }
	// The Balmer continuum is added in the same pass, linear between
	// knots every qsoBalmerKnot pixels up to bcTop (qsoBalmerKnotAt).
	kn, bcTop := -1, 0
	var bcw, bcx0, bcdx float64
	if w := qsoBalmerFBE * p.BroadEW; w > 0 && g.Wave[0] < qsoBalmerTopAA*opz {
		qsoBalmerOnce.Do(qsoBalmerInit)
		bcw = w * cont(qsoBalmerEdgeAA*opz)
		bcTop = min(n, int(g.emissionPixel(qsoBalmerTopAA*opz))+2)
		bcx0 = (math.Log(g.Wave[0]/opz) - qsoBalmerLnMin) / qsoBalmerStep
		bcdx = math.Ln10 * g.Log10Step / qsoBalmerStep
		kn = 0
	}
	var bcv, bcd float64
	v := math.Exp(ln0)
	for i := range f {
		r := rBlue
		if i < iEUV {
			r = rEUV
		} else if i >= iRoll {
			r = rRed
		} else if i >= iRed {
			if rRoll == 0 { // the grid starts inside the roll-over
				x := math.Log(g.Wave[i] / (qsoBreakRedAA * opz))
				rRoll = rBlue * math.Exp(dab*dl*(2*x+dl)/(2*qsoRedRollLn))
				qRoll = math.Exp(dab * dl * dl / qsoRedRollLn)
			}
			r = rRoll
			rRoll *= qRoll
		}
		if i == kn {
			if i >= bcTop {
				bcv, bcd, kn = 0, 0, -1
			} else {
				hi := min(i+qsoBalmerKnot, bcTop-1)
				bcv = bcw * qsoBalmerKnotAt(bcx0+float64(i)*bcdx)
				bcd, kn = 0, bcTop
				if hi > i {
					bcd = (bcw*qsoBalmerKnotAt(bcx0+float64(hi)*bcdx) - bcv) / float64(hi-i)
					kn = hi
				}
			}
		}
		f[i] = v + bcv
		v *= r
		bcv += bcd
	}

	var rng emissionRNG
	rng.seed(p.Seed)
	loAA, hiAA := g.Wave[0], g.Wave[n-1]
	sigB := p.BroadFWHMKmS * fwhmToSigma
	sigN := p.NarrowFWHMKmS * fwhmToSigma
	// addLine adds a line of rest EW ew; a share wing of it goes into a
	// second Gaussian qsoWingWidth times broader (the very broad wings of
	// the high-ionisation lines).
	addLine := func(restAA, ew, sigKmS, extraRestSigAA, wing float64) {
		scatter := math.Exp(0.1 * math.Ln10 * rng.normal()) // drawn for every line: keeps the stream aligned
		obs := restAA * opz
		s := g.TotalSigmaAA(obs, extraRestSigAA*opz, sigKmS)
		reach := 5 * s
		if wing > 0 {
			reach *= qsoWingWidth
		}
		if obs+reach < loAA || obs-reach > hiAA || !(ew > 0) {
			return
		}
		area := ew * scatter * opz * cont(obs)
		if wing > 0 {
			g.emissionAdd(f, obs, g.TotalSigmaAA(obs, extraRestSigAA*opz, qsoWingWidth*sigKmS), wing*area)
			area *= 1 - wing
		}
		g.emissionAdd(f, obs, s, area)
	}
	for i, l := range qsoBroadLines {
		addLine(l.restAA, l.strength*p.BroadEW, sigB, 0, qsoBroadWing[i])
	}
	for _, l := range qsoNarrowLines {
		addLine(l.restAA, l.strength*p.NarrowEW, sigN, 0, 0)
	}
	for _, b := range qsoFeIIBumps {
		addLine(b.restAA, b.ew*p.FeII, sigB, b.sigmaAA, 0)
	}
	g.qsoForest(f, &p, &rng)
}

// qsoBalmerKnot is the knot spacing (pixels) of the Balmer continuum in
// QSO: 64 pixels of 1e-4 dex are 0.54 of the edge's logistic scale at
// 3646 Å, where linear interpolation is good to ~3e-3 of the edge value
// (5e-4 of the continuum at F_BE = 0.15), less at z ≥ 1 on the LAMOST
// grid.
const qsoBalmerKnot = 64

// qsoBalmerKnotAt interpolates the tabulated shape at table coordinate x
// ((ln λ_rest − qsoBalmerLnMin)/qsoBalmerStep, linear in the pixel on a
// log-λ grid, so no logarithm per knot); 0 outside the table.
func qsoBalmerKnotAt(x float64) float64 {
	if !(x >= 0) || x >= qsoBalmerN {
		return 0
	}
	k := int(x)
	return qsoBalmerTable[k] + (x-float64(k))*(qsoBalmerTable[k+1]-qsoBalmerTable[k])
}

// ---- Lyα forest ----
//
// Absorbers are a Poisson process in redshift with column densities N
// from f(N) ∝ N^−1.5 on [10^13, 10^17.2] cm⁻² (Kim et al. 2001, A&A 373,
// 757; Petitjean et al. 1993) and Doppler parameters b log-uniform in
// [18, 45] km/s (Kim et al. 2001: median ≈ 30 km/s). Each has a Lyα line
// of central optical depth τ₀ = 1.497e-15 N f λ / b (N in cm⁻², λ in Å,
// b in km/s; f = 0.4164, λ = 1215.67 Å), a Lyβ line (f = 0.07912,
// λ = 1025.72 Å) and a Lyman-continuum edge τ(λ) = N σ₉₁₂ (λ/λ_LL)³ with
// σ₉₁₂ = 6.30e-18 cm² (Osterbrock & Ferland 2006 §2.1). A line's rest
// equivalent width is W = (λb/c)·F(τ₀) with F(τ) = ∫(1 − e^(−τ e^(−x²)))dx
// (the curve of growth of a Doppler profile). At R ≈ 1800 the lines are
// unresolved; each is drawn as a Gaussian τ profile of the LSF width whose
// central depth is chosen so that its equivalent width is exactly W, so
// the LSF conserves what the absorber removes.
//
// The rate n(z) per unit redshift is set so that the mean transmission is
// that measured by Becker et al. (2013, MNRAS 430, 2067, eq. 5):
// τ_eff(z) = 0.751 ((1+z)/4.5)^2.90 − 0.132 for z ≥ 2 (continued below
// z = 2 as τ_eff(2)·((1+z)/3)^2.5, the dN/dz ∝ (1+z)^2.5 evolution). For
// a Poisson process of lines, ⟨e^(−Στ)⟩ = exp(−n(z)·(1+z)⟨W⟩/λ_Lyα)
// exactly (Campbell's theorem), so n(z) = τ_eff(z)·λ_Lyα/((1+z)⟨W⟩),
// with ⟨W⟩ the mean over the N and b distributions; this makes the line
// density rise with z as (1+z)^≈3.

const (
	qsoLyaF     = 0.4164
	qsoLybF     = 0.07912
	qsoTauConst = 1.497e-15 // √π e²/(m_e c) in cm² Å⁻¹ (km/s)
	qsoSigma912 = 6.30e-18  // H I photoionisation cross-section at 912 Å, cm²
	qsoLnNMin   = 13 * math.Ln10
	qsoLnNMax   = 17.2 * math.Ln10
	qsoBMin     = 18.0 // km/s
	qsoBMax     = 45.0 // km/s; the render width includes the widest b

	qsoCogLnMin = -12.0 // curve-of-growth table: ln τ from −12 to +14
	qsoCogStep  = 0.02
	qsoCogN     = 1301
	qsoInvStep  = 0.002 // inverse table τ(F), F from 0 to 8
	qsoInvN     = 4000
	qsoNQuant   = 2048 // quantiles of N
	qsoNB       = 64   // b values (log-uniform bin centres)
	qsoLamZMin  = 1.0  // Λ(z) table, z from 1 to 7
	qsoLamStep  = 0.005
	qsoLamN     = 1201
	qsoLamInvN  = 4096 // log10(1+z) on a uniform Λ grid
	qsoPhases   = 16   // sub-pixel phases of the absorber kernel
	qsoMaxHalf  = 12   // kernel half width, pixels
)

// qsoTables are computed once (qsoInit).
var qsoTables qsoTableSet

// qsoTableSet holds the curve of growth F(τ) and its inverse, the
// quantiles of the column-density distribution, the b values, and the
// cumulative absorber count Λ(z) = ∫ n(z) dz with its inverse.
type qsoTableSet struct {
	once   sync.Once
	cogF   [qsoCogN]float64 // F(τ) at ln τ = qsoCogLnMin + i·qsoCogStep
	cogTau [qsoCogN]float64 // τ at the same nodes
	invTau [qsoInvN + 1]float64
	lnN    [qsoNQuant + 1]float64
	nN     [qsoNQuant + 1]float64
	b      [qsoNB]float64
	lnB    [qsoNB]float64
	meanW  float64 // ⟨W_rest⟩ of the Lyα lines, Å
	lam    [qsoLamN]float64
	l10    [qsoLamInvN + 1]float64
}

func qsoInit() {
	t := &qsoTables
	for i := range t.cogF {
		tau := math.Exp(qsoCogLnMin + float64(i)*qsoCogStep)
		t.cogTau[i] = tau
		t.cogF[i] = qsoCurveOfGrowth(tau)
	}
	for j := range t.invTau {
		t.invTau[j] = qsoTauForFSearch(t, float64(j)*qsoInvStep)
	}
	// N quantiles of f(N) ∝ N^−1.5: N^−½ = a − u(a − b), a = N_min^−½.
	a, b := math.Exp(-0.5*qsoLnNMin), math.Exp(-0.5*qsoLnNMax)
	for i := range t.lnN {
		u := float64(i) / qsoNQuant
		t.lnN[i] = -2 * math.Log(a-u*(a-b))
		t.nN[i] = math.Exp(t.lnN[i])
	}
	for j := range t.b {
		t.lnB[j] = math.Log(qsoBMin) + (float64(j)+0.5)/qsoNB*math.Log(qsoBMax/qsoBMin)
		t.b[j] = math.Exp(t.lnB[j])
	}
	// ⟨W⟩ over N (quantile midpoints) and b.
	sum := 0.0
	lnTauLya := math.Log(qsoTauConst * qsoLyaF * emissionLya)
	for i := range qsoNQuant {
		lnN := t.lnNAt((float64(i) + 0.5) / qsoNQuant)
		for j := range t.b {
			sum += emissionLya * t.b[j] / SpeedOfLightKmS * t.cogAt(lnN+lnTauLya-t.lnB[j])
		}
	}
	t.meanW = sum / (qsoNQuant * qsoNB)
	// Λ(z) by the trapezoid rule, then its inverse on a uniform Λ grid.
	prev := qsoRate(qsoLamZMin, t.meanW)
	for i := 1; i < qsoLamN; i++ {
		z := qsoLamZMin + float64(i)*qsoLamStep
		cur := qsoRate(z, t.meanW)
		t.lam[i] = t.lam[i-1] + 0.5*(prev+cur)*qsoLamStep
		prev = cur
	}
	top := t.lam[qsoLamN-1]
	i := 1
	for j := range t.l10 {
		l := float64(j) / qsoLamInvN * top
		for i < qsoLamN-1 && t.lam[i] < l {
			i++
		}
		l0, l1 := t.lam[i-1], t.lam[i]
		z := qsoLamZMin + (float64(i-1)+(l-l0)/(l1-l0))*qsoLamStep
		t.l10[j] = math.Log10(1 + z)
	}
}

// qsoCurveOfGrowth integrates F(τ) = ∫(1 − exp(−τ e^(−x²))) dx by
// Simpson's rule over |x| ≤ √(ln τ + 40) (beyond it the integrand is below
// e^−40·…); F(τ) → √π τ for τ → 0 and 2√(ln τ) for τ → ∞.
func qsoCurveOfGrowth(tau float64) float64 {
	xmax := math.Sqrt(max(math.Log(tau), 0) + 40)
	const m = 500 // even
	h := xmax / m
	s := 0.0
	for k := 0; k <= m; k++ {
		x := float64(k) * h
		v := -math.Expm1(-tau * math.Exp(-x*x))
		w := 2.0
		if k == 0 || k == m {
			w = 1
		} else if k%2 == 1 {
			w = 4
		}
		s += w * v
	}
	return 2 * s * h / 3
}

// qsoTauEff is the Lyα effective optical depth of Becker et al. (2013).
func qsoTauEff(z float64) float64 {
	if z >= 2 {
		return 0.751*math.Pow((1+z)/4.5, 2.90) - 0.132
	}
	return (0.751*math.Pow(3/4.5, 2.90) - 0.132) * math.Pow((1+z)/3, 2.5)
}

// qsoRate is the absorber rate n(z) per unit redshift.
func qsoRate(z, meanW float64) float64 {
	return qsoTauEff(z) * emissionLya / ((1 + z) * meanW)
}

// cogAt interpolates F at ln τ (the linear regime √π τ below the table).
func (t *qsoTableSet) cogAt(lnTau float64) float64 {
	x := (lnTau - qsoCogLnMin) / qsoCogStep
	if x <= 0 {
		return math.Sqrt(math.Pi) * math.Exp(lnTau)
	}
	i := int(x)
	if i >= qsoCogN-1 {
		return t.cogF[qsoCogN-1]
	}
	return t.cogF[i] + (x-float64(i))*(t.cogF[i+1]-t.cogF[i])
}

// qsoTauForFSearch inverts the curve of growth by bisection of the table.
func qsoTauForFSearch(t *qsoTableSet, fv float64) float64 {
	if fv <= t.cogF[0] {
		return fv / math.Sqrt(math.Pi)
	}
	i := sort.SearchFloat64s(t.cogF[:], fv) // first node with F ≥ fv
	if i >= qsoCogN {
		return t.cogTau[qsoCogN-1]
	}
	f0, f1 := t.cogF[i-1], t.cogF[i]
	return t.cogTau[i-1] + (fv-f0)/(f1-f0)*(t.cogTau[i]-t.cogTau[i-1])
}

// tauForF returns the central τ of a Gaussian τ profile whose F is fv.
func (t *qsoTableSet) tauForF(fv float64) float64 {
	x := fv / qsoInvStep
	i := int(x)
	if i >= qsoInvN {
		return t.invTau[qsoInvN]
	}
	return t.invTau[i] + (x-float64(i))*(t.invTau[i+1]-t.invTau[i])
}

// lnNAt and nAt interpolate the column-density quantiles at u ∈ [0, 1).
func (t *qsoTableSet) lnNAt(u float64) float64 {
	x := u * qsoNQuant
	i := min(int(x), qsoNQuant-1)
	return t.lnN[i] + (x-float64(i))*(t.lnN[i+1]-t.lnN[i])
}

func (t *qsoTableSet) nAt(u float64) float64 {
	x := u * qsoNQuant
	i := min(int(x), qsoNQuant-1)
	return t.nN[i] + (x-float64(i))*(t.nN[i+1]-t.nN[i])
}

// qsoLambda returns Λ(z), the expected number of absorbers in [1, z].
func qsoLambda(z float64) float64 {
	x := (z - qsoLamZMin) / qsoLamStep
	if x <= 0 {
		return 0
	}
	i := int(x)
	if i >= qsoLamN-1 {
		return qsoTables.lam[qsoLamN-1]
	}
	return qsoTables.lam[i] + (x-float64(i))*(qsoTables.lam[i+1]-qsoTables.lam[i])
}

// l10At returns log10(1+z) of the z with Λ(z) = l.
func (t *qsoTableSet) l10At(l float64) float64 {
	x := l / t.lam[qsoLamN-1] * qsoLamInvN
	i := min(max(int(x), 0), qsoLamInvN-1)
	return t.l10[i] + (x-float64(i))*(t.l10[i+1]-t.l10[i])
}

// qsoForest multiplies f by the transmission of the intervening H I.
func (g *Grid) qsoForest(f []float64, p *QSOParams, rng *emissionRNG) {
	qsoTables.once.Do(qsoInit)
	t := &qsoTables
	n := len(f)
	// Render width: the LSF and the widest b in quadrature, in pixels.
	sigLSF := SpeedOfLightKmS / g.R * fwhmToSigma
	sigV := math.Sqrt(sigLSF*sigLSF + 0.5*qsoBMax*qsoBMax)
	sp := sigV / (SpeedOfLightKmS * math.Ln10 * g.Log10Step)
	half := int(math.Ceil(5 * sp))
	xTop := g.emissionPixel(emissionLya * (1 + p.Z))
	top := min(int(math.Floor(xTop))+half+1, n)
	zMin := max(g.emissionWaveAt(-float64(half))/emissionLya-1, qsoLamZMin)
	if top <= 0 || zMin >= p.Z {
		return
	}
	sp0, buf := emissionGetScratch(2 * top)
	defer emissionScratch.Put(sp0)
	tau, edge := buf[:top], buf[top:]

	// The absorber kernel at qsoPhases sub-pixel phases (unit peak).
	var kern [qsoPhases][2*qsoMaxHalf + 1]float64
	useKernel := half <= qsoMaxHalf
	if useKernel {
		for m := range qsoPhases {
			for j := 0; j <= 2*half; j++ {
				d := (float64(j-half) - float64(m)/qsoPhases) / sp
				kern[m][j] = math.Exp(-0.5 * d * d)
			}
		}
	}
	addTau := func(x0, tauPeak float64) {
		if !useKernel {
			g.emissionAddPix(tau, x0, sp, tauPeak)
			return
		}
		base := math.Floor(x0)
		m := int((x0-base)*qsoPhases + 0.5)
		if m == qsoPhases {
			base, m = base+1, 0
		}
		k0 := int(base) - half
		ks := &kern[m]
		for j := max(0, -k0); j <= 2*half && k0+j < top; j++ {
			tau[k0+j] += tauPeak * ks[j]
		}
	}
	// A Gaussian τ of σ sigV and peak τ_r has EW_rest = √2 σ_λ F(τ_r);
	// it must equal (λb/c)F(τ₀), so F(τ_r) = F(τ₀)·b/(√2 sigV).
	inv := 1 / (math.Sqrt2 * sigV)
	lnTauLya := math.Log(qsoTauConst * qsoLyaF * emissionLya)
	lnLybRatio := math.Log(qsoLybF * emissionLyb / (qsoLyaF * emissionLya))
	xLya := (math.Log10(emissionLya) - g.Log10Start) / g.Log10Step
	dLyb := math.Log10(emissionLya/emissionLyb) / g.Log10Step
	dLL := math.Log10(emissionLya/emissionLL) / g.Log10Step
	lim := float64(top + half)
	absorber := func(l10, lnN, nHI, b, lnB float64) {
		x := xLya + l10/g.Log10Step
		lnTau0 := lnN + lnTauLya - lnB
		if x < lim {
			addTau(x, t.tauForF(t.cogAt(lnTau0)*b*inv))
		}
		if xb := x - dLyb; xb < lim && xb > -float64(half) {
			addTau(xb, t.tauForF(t.cogAt(lnTau0+lnLybRatio)*b*inv))
		}
		if xe := x - dLL; xe >= 0 {
			k := min(int(xe), top-1)
			w := g.Wave[k]
			edge[k] += nHI * qsoSigma912 / (w * w * w)
		}
	}

	// Poisson number of absorbers between zMin and Z, placed uniformly in
	// Λ (that is, with density n(z)).
	l0, l1 := qsoLambda(zMin), qsoLambda(p.Z)
	mu := l1 - l0
	count := 0
	if mu < 60 { // Knuth's product method
		stop, prod := math.Exp(-mu), rng.uniform()
		for prod > stop {
			count++
			prod *= rng.uniform()
		}
	} else { // normal approximation, error O(μ^−½) in the tails only
		count = max(0, int(math.Round(mu+math.Sqrt(mu)*rng.normal())))
	}
	for range count {
		l10 := t.l10At(l0 + mu*rng.uniform())
		u := rng.uniform()
		j := int(rng.uniform() * qsoNB)
		absorber(l10, t.lnNAt(u), t.nAt(u), t.b[j], t.lnB[j])
	}
	if p.LLSTau912 > 0 && p.LLSZ > 0 && p.LLSZ <= p.Z {
		nHI := p.LLSTau912 / qsoSigma912
		absorber(math.Log10(1+p.LLSZ), math.Log(nHI), nHI, 30, math.Log(30))
	}
	// Lyman continuum: τ(λ) = λ³ Σ_{edges above λ} τ_e/λ_e³, swept down
	// (an edge is placed at the pixel just blueward of it: ≤ 0.07% error).
	s := 0.0
	for k := top - 1; k >= 0; k-- {
		s += edge[k]
		w := g.Wave[k]
		tau[k] += s * w * w * w
	}
	for k := range top {
		if tk := tau[k]; tk > 0 {
			f[k] *= math.Exp(-tk)
		}
	}
}
