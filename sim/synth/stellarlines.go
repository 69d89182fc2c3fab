package synth

import (
	"math"
	"sync"

	"github.com/astroone/astroone-go/prep"
)

// The stellar line list. Wavelengths are the air values of the NIST Atomic
// Spectra Database (Kramida et al., NIST ASD v5) for H, He and the ions,
// and of Moore, Minnaert & Houtgast (1966, The Solar Spectrum 2935 Å to
// 8770 Å, NBS Monograph 61) for the strong solar Fe I, Cr I, Mn I, Ti I,
// Mg I, Ca I and Na I lines; they are converted once to vacuum with
// prep.AirToVacuum (Ciddor 1996). The test checks the result against the
// vacuum wavelengths of the SDSS spectroscopic line list.
//
// At R ≈ 1800 most features are blends, so a "line" here stands for the
// strongest line and its unresolved neighbours, with an intrinsic Gaussian
// σ for the blend. Each has an integrated optical depth (τ-area, Å) that
// follows a smooth temperature law times 10^(zexp·[X/H] + gexp·(log g −
// 4.5)); the absorption is exp(−τ) with τ saturating as τ/(1 + τ/τmax),
// which stands for the non-zero source function in the line core (no
// stellar line is black at low resolution). Strong, pressure-broadened
// lines also carry Lorentzian damping wings, so their equivalent width
// keeps growing as √(τ-area·γ) on the damping part of the curve of growth.
//
// The temperature laws are products of two logistic functions of
// θ = 5040/Teff, L(a(θ − t)) = 1/(1 + 10^(−a(θ−t))), one for the rise from
// the side where the species is ionised (or, for He, where it is not yet
// excited) and one for the fall on the other side. Their midpoints t place
// each species' appearance and maximum, by eye, at the MK types where the
// spectral classification atlases show them (Gray & Corbally 2009, Stellar
// Spectral Classification; Jaschek & Jaschek 1987, The Classification of
// Stars): He II in O stars only (gone by B0.5), He I peaking at B2,
// Si IV at O9–B0, Si III at B1, Mg II 4481 and Si II at late B–A0, Ca II K
// rising through the A stars, neutral metals and the G band rising through
// F–G and saturating in K, K I and CaH in M stars. Singly ionised metals
// (Fe II, Sr II, Ba II) and the Ca II triplet are stronger at low gravity
// (luminosity criteria: Gray & Corbally 2009; the Ca II triplet,
// Jones, Alloin & Jones 1984, ApJ 283, 457; Cenarro et al. 2002, MNRAS
// 329, 863), and O I 7774 is a supergiant indicator (Arellano Ferro,
// Giridhar & Rojo Arellano 2003, RMxAA 39, 3).
//
// The strengths (τ-areas, damping widths, gravity exponents) were set so
// that Lick indices measured on the models (Hβ, HδA, HγA, G4300, Mg b,
// Fe5270, Na D, CaT) follow the dwarf and giant sequences of the stellar
// libraries behind the Lick fitting functions (Worthey et al. 1994, ApJS
// 94, 687; Worthey & Ottaviani 1997, ApJS 111, 377; Cenarro et al. 2002)
// to within about 30%: e.g. G2 V Mg b ≈ 4 Å, Na D ≈ 2 Å; K0 III G4300 ≈
// 5 Å, Mg b ≈ 4 Å; K5 V Na D ≈ 5.5 Å; CaT ≈ 8 Å in K giants and ≈ 5 Å in
// K dwarfs. They are a low-resolution description, not an abundance
// analysis.
//
// The G band, Ca II H&K, Mg b and Na D τ-areas were then RECALIBRATED on
// the equivalent widths measured on the continuum-normalised CALSPEC
// solar analogs P041C, P177D and P330E (HST/FOS; G band 4282–4318 Å
// ≈ 8.7 Å, H+K 3925–3980 Å ≈ 23.7 Å, Mg b 5160–5197 Å ≈ 4.5 Å, Na D
// 5885–5905 Å ≈ 1.4 Å; sim/realism): the G band and H&K up by 2.5 and
// 2 times, Mg b down to 0.6–0.67 and Na D to 0.76 times. The Lick
// indices of the models (Lick sidebands) now fall below the Lick library
// for Mg b (G2 V 2.8 Å) and Na D and above it for G4300 (G2 V 6.2 Å,
// K0 III 9.0 Å): the weak-line forest that depresses the real sidebands
// is still thinner than in real stars.

// starLaw is a temperature law: L(a1(θ−t1))·L(a2(θ−t2)), a factor
// omitted when its a is 0. Positive a rises toward cool stars.
type starLaw struct{ a1, t1, a2, t2 float64 }

// log10 of the law at θ.
func (l starLaw) log10(theta float64) float64 {
	s := 0.0
	if l.a1 != 0 {
		s -= math.Log10(1 + starExp(-math.Ln10*l.a1*(theta-l.t1)))
	}
	if l.a2 != 0 {
		s -= math.Log10(1 + starExp(-math.Ln10*l.a2*(theta-l.t2)))
	}
	return s
}

// Temperature laws, indexed by the starLaw* constants.
const (
	lawFe    = iota // Fe I, Cr I, Mn I: appear in A, strong from G on
	lawMg           // Mg I: as Fe I, a little hotter (higher ionisation potential)
	lawCaI          // Ca I, Na I: cooler (lower ionisation potentials, 6.1 and 5.1 eV)
	lawK            // K I, the Na I 8190 doublet: K–M
	lawTi           // Ti I: late K–M
	lawCaIIK        // Ca II H&K: rising through A–F (the A-star subtype criterion)
	lawCaT          // Ca II triplet: F–K, weakening in late M
	lawIon          // Fe II, Sr II, Ba II: F–G maximum
	lawMgII         // Mg II 4481: late B–A
	lawSiII         // Si II 4128/4131, 6347/6371: B8–A0
	lawHeI          // He I: B2 maximum, gone by A0 and in early O
	lawHeII         // He II: O stars
	lawSiIII        // Si III 4553–4575: B1
	lawSiIV         // Si IV 4089/4116: O9–B0
	lawCII          // C II 4267: B3
	lawOII          // O II 4650 blend: B1–B2
	lawOI           // O I 7774 triplet: A–F
	lawCH           // CH G band: G–K, weakening in M
	lawCaH          // CaH: M
	nLaws
)

var starLaws = [nLaws]starLaw{
	lawFe:    {5, 0.85, 0, 0},
	lawMg:    {5, 0.80, 0, 0},
	lawCaI:   {5, 0.95, 0, 0},
	lawK:     {5, 1.15, 0, 0},
	lawTi:    {6, 1.05, 0, 0},
	lawCaIIK: {6.7, 0.89, 0, 0},
	lawCaT:   {5, 0.70, -3, 1.5},
	lawIon:   {5, 0.62, -4, 1.15},
	lawMgII:  {8, 0.28, -6, 0.72},
	lawSiII:  {10, 0.30, -8, 0.58},
	lawHeI:   {56, 0.135, -8, 0.35},
	lawHeII:  {-72, 0.144, 0, 0},
	lawSiIII: {40, 0.15, -25, 0.27},
	lawSiIV:  {60, 0.12, -50, 0.18},
	lawCII:   {20, 0.18, -12, 0.40},
	lawOII:   {40, 0.14, -30, 0.25},
	lawOI:    {10, 0.45, -8, 0.85},
	lawCH:    {6, 0.82, -5, 1.35},
	lawCaH:   {8, 1.35, 0, 0},
}

// Abundance scaling of a line: which [X/H] it follows.
const (
	abFe    = iota // [Fe/H]
	abAlpha        // [Fe/H] + [α/Fe] (O, Mg, Si, Ca, Ti)
	abNone         // H, He: no metallicity dependence
	abS            // s-process (Sr, Ba): [Fe/H], enhanced in carbon stars
	abC            // carbon (CH): [Fe/H], enhanced in carbon stars
)

// starLine is one line or blend of the list.
type starLine struct {
	airAA   float64 // air wavelength, Å
	law     uint8   // temperature law
	ab      uint8   // abundance scaling
	tauA    float64 // τ-area (Å) where the law is 1, at [X/H] = 0 and log g = 4.5
	gexp    float64 // d log10 τ / d log g
	gammaAA float64 // Lorentzian half width of the damping wings at log g 4.5, [Fe/H] 0 (0: none; negative: −γ, not pressure-scaled)
	sigmaAA float64 // intrinsic Gaussian σ of the blend, Å
	tauMax  float64 // saturation optical depth
}

// Metal, He and molecular-blend lines. Wavelengths in air (see above);
// "bl" marks a blend whose wavelength is the blend's centre.
var starLines = [...]starLine{
	// He II (NIST): O stars.
	{4685.70, lawHeII, abNone, 0.9, 0, 0, 1.5, 1.5},
	{4541.59, lawHeII, abNone, 0.7, 0, 0, 1.3, 1.5},
	{5411.52, lawHeII, abNone, 0.9, 0, 0, 1.6, 1.5},
	{4199.83, lawHeII, abNone, 0.5, 0, 0, 1.2, 1.5},
	// He I (NIST): B stars.
	{4471.48, lawHeI, abNone, 1.2, 0, 0, 1.0, 1.5},
	{4026.19, lawHeI, abNone, 1.1, 0, 0, 1.0, 1.5},
	{4921.93, lawHeI, abNone, 0.7, 0, 0, 1.0, 1.5},
	{5875.62, lawHeI, abNone, 1.0, 0, 0, 1.0, 1.5},
	{6678.15, lawHeI, abNone, 0.7, 0, 0, 1.0, 1.5},
	{4387.93, lawHeI, abNone, 0.6, 0, 0, 1.0, 1.5},
	{4143.76, lawHeI, abNone, 0.5, 0, 0, 1.0, 1.5},
	{4009.26, lawHeI, abNone, 0.4, 0, 0, 1.0, 1.5},
	{4713.15, lawHeI, abNone, 0.4, 0, 0, 1.0, 1.5},
	{5015.68, lawHeI, abNone, 0.4, 0, 0, 1.0, 1.5},
	{7065.19, lawHeI, abNone, 0.4, 0, 0, 1.0, 1.5},
	{3819.61, lawHeI, abNone, 0.6, 0, 0, 1.0, 1.5},
	// Hot-star metal ions (NIST).
	{4088.86, lawSiIV, abAlpha, 0.5, 0, 0, 0.8, 1.5},
	{4116.10, lawSiIV, abAlpha, 0.4, 0, 0, 0.8, 1.5},
	{4552.62, lawSiIII, abAlpha, 0.4, 0, 0, 0.8, 1.5},
	{4567.84, lawSiIII, abAlpha, 0.35, 0, 0, 0.8, 1.5},
	{4574.76, lawSiIII, abAlpha, 0.25, 0, 0, 0.8, 1.5},
	{4267.26, lawCII, abFe, 0.4, 0, 0, 0.8, 1.5},
	{4650.0, lawOII, abAlpha, 0.6, 0, 0, 2.0, 1.5},  // bl 4649.13 + 4650.84 + 4661.63
	{4481.2, lawMgII, abAlpha, 0.5, 0, 0, 0.6, 1.5}, // bl 4481.13 + 4481.33
	{4128.07, lawSiII, abAlpha, 0.2, 0, 0, 0.6, 1.5},
	{4130.89, lawSiII, abAlpha, 0.25, 0, 0, 0.6, 1.5},
	{6347.11, lawSiII, abAlpha, 0.35, 0, 0, 0.6, 1.5},
	{6371.37, lawSiII, abAlpha, 0.25, 0, 0, 0.6, 1.5},
	{7773.4, lawOI, abAlpha, 0.6, -0.35, 0, 1.4, 1.5}, // bl 7771.94 + 7774.17 + 7775.39
	// Ca II (NIST): H&K with damping wings; the near-IR triplet, stronger in giants.
	{3933.66, lawCaIIK, abAlpha, 80, 0, 1.5, 0.3, 3.0},
	{3968.47, lawCaIIK, abAlpha, 60, 0, 1.5, 0.3, 3.0},
	{8498.02, lawCaT, abAlpha, 1.8, -0.1, -0.5, 0.3, 2.0},
	{8542.09, lawCaT, abAlpha, 4.5, -0.1, -0.5, 0.3, 2.0},
	{8662.14, lawCaT, abAlpha, 3.5, -0.1, -0.5, 0.3, 2.0},
	// Singly ionised metals (NIST): luminosity-sensitive in F–K.
	{4233.17, lawIon, abFe, 0.4, -0.2, 0, 0.4, 1.5},
	{4583.84, lawIon, abFe, 0.4, -0.2, 0, 0.4, 1.5},
	{4923.92, lawIon, abFe, 0.6, -0.2, 0, 0.4, 1.5},
	{5018.44, lawIon, abFe, 0.6, -0.2, 0, 0.4, 1.5},
	{5169.03, lawIon, abFe, 0.6, -0.2, 0, 0.4, 1.5},
	{5316.61, lawIon, abFe, 0.4, -0.2, 0, 0.4, 1.5},
	{4077.71, lawIon, abS, 0.6, -0.3, 0, 0.3, 1.5},
	{4215.52, lawIon, abS, 0.4, -0.3, 0, 0.3, 1.5},
	{4554.03, lawIon, abS, 0.5, -0.2, 0, 0.3, 1.5},
	{4934.08, lawIon, abS, 0.4, -0.2, 0, 0.3, 1.5},
	{6496.90, lawIon, abS, 0.3, -0.2, 0, 0.3, 1.5},
	// Mg I (Moore et al. 1966): the b triplet and others, pressure-broadened.
	{5167.32, lawMg, abAlpha, 1.2, 0.1, 0.5, 0.2, 2.2},
	{5172.68, lawMg, abAlpha, 2.0, 0.1, 0.5, 0.2, 2.2},
	{5183.60, lawMg, abAlpha, 2.7, 0.1, 0.5, 0.2, 2.2},
	{3832.30, lawMg, abAlpha, 1.5, 0, 0.3, 0.2, 2.0},
	{3838.29, lawMg, abAlpha, 2.5, 0, 0.3, 0.2, 2.0},
	{8806.76, lawMg, abAlpha, 0.8, 0, 0.3, 0.2, 2.0},
	{5528.40, lawMg, abAlpha, 0.5, 0, 0, 0.3, 1.5},
	{4702.99, lawMg, abAlpha, 0.5, 0, 0, 0.3, 1.5},
	// Na I and K I (Moore et al. 1966; NIST): gravity-sensitive in K–M dwarfs.
	{5889.95, lawCaI, abFe, 4.2, 0.1, 0.6, 0.2, 2.5},
	{5895.92, lawCaI, abFe, 3.2, 0.1, 0.6, 0.2, 2.5},
	{8183.26, lawK, abFe, 0.8, 0.2, 0.4, 0.2, 2.0},
	{8194.82, lawK, abFe, 1.1, 0.2, 0.4, 0.2, 2.0},
	{7664.90, lawK, abFe, 1.5, 0.2, 0.5, 0.2, 2.0},
	{7698.96, lawK, abFe, 1.0, 0.2, 0.5, 0.2, 2.0},
	// Ca I (Moore et al. 1966): 4227 pressure-broadened.
	{4226.73, lawCaI, abAlpha, 3.5, 0.1, 0.4, 0.2, 2.5},
	{4454.78, lawCaI, abAlpha, 0.6, 0, 0, 0.4, 1.5},
	{5588.76, lawCaI, abAlpha, 0.5, 0, 0, 0.4, 1.5},
	{6102.72, lawCaI, abAlpha, 0.5, 0, 0, 0.3, 1.5},
	{6122.22, lawCaI, abAlpha, 0.7, 0, 0.2, 0.3, 1.5},
	{6162.17, lawCaI, abAlpha, 0.8, 0, 0.2, 0.3, 1.5},
	{6439.07, lawCaI, abAlpha, 0.5, 0, 0, 0.3, 1.5},
	// Fe I (Moore et al. 1966, strongest solar lines with their blends).
	{3820.43, lawFe, abFe, 1.0, 0, 0, 0.5, 1.5},
	{3859.91, lawFe, abFe, 1.0, 0, 0, 0.5, 1.5},
	{3886.28, lawFe, abFe, 1.0, 0, 0, 0.5, 1.5},
	{4045.81, lawFe, abFe, 1.2, 0, 0, 0.5, 1.5},
	{4063.59, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4071.74, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4132.06, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4143.87, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4202.03, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4250.79, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4260.47, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4271.76, lawFe, abFe, 1.2, 0, 0, 0.5, 1.5},
	{4325.76, lawFe, abFe, 1.2, 0, 0, 0.5, 1.5},
	{4383.55, lawFe, abFe, 1.2, 0, 0, 0.5, 1.5},
	{4404.75, lawFe, abFe, 1.2, 0, 0, 0.5, 1.5},
	{4415.12, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4528.61, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{4891.49, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4920.50, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{4957.60, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5227.19, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{5232.94, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{5269.54, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5328.04, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5371.49, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5397.13, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5405.77, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5429.70, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5446.92, lawFe, abFe, 0.8, 0, 0, 0.5, 1.5},
	{5615.64, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6136.61, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6191.56, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6230.72, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6252.56, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6393.60, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6400.00, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6494.98, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{6546.24, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{8327.05, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{8387.77, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	{8688.62, lawFe, abFe, 0.5, 0, 0, 0.5, 1.5},
	// Cr I, Mn I, Ti I (Moore et al. 1966).
	{5206.04, lawFe, abFe, 0.6, 0, 0, 0.4, 1.5},
	{5208.42, lawFe, abFe, 0.6, 0, 0, 0.4, 1.5},
	{4254.33, lawFe, abFe, 0.7, 0, 0, 0.4, 1.5},
	{4274.80, lawFe, abFe, 0.7, 0, 0, 0.4, 1.5},
	{4033.0, lawFe, abFe, 0.8, 0, 0, 1.0, 1.5}, // bl Mn I 4030.75 + 4033.06 + 4034.48
	{4981.73, lawTi, abAlpha, 0.4, 0, 0, 0.4, 1.5},
	{4991.07, lawTi, abAlpha, 0.4, 0, 0, 0.4, 1.5},
	{4999.50, lawTi, abAlpha, 0.4, 0, 0, 0.4, 1.5},
	// Molecular blends drawn as broad Gaussians. The CH G band (4281–4316 Å,
	// the Lick G4300 passband of Worthey et al. 1994); CaH at the passbands of
	// the CaH1–3 indices of Reid, Hawley & Gizis (1995, AJ 110, 1838),
	// gravity-sensitive (strong in M dwarfs, weak in giants).
	{4300.3, lawCH, abC, 15.0, 0, 0, 5.0, 1.8},
	{6385.0, lawCaH, abFe, 2.0, 0.5, 0, 6.0, 1.5},
	{6830.0, lawCaH, abFe, 6.0, 0.5, 0, 15.0, 1.5},
	{6975.0, lawCaH, abFe, 4.0, 0.5, 0, 10.0, 1.5},
}

// starHLine is a hydrogen line: air wavelength (NIST), its equivalent width
// in an A0 V star (Å) and its Stark damping half width at log g = 4 (Å).
type starHLine struct{ airAA, ewA0, gammaAA float64 }

// Balmer Hα–H16 and Paschen P10–P18 (NIST air wavelengths). The A0 V
// equivalent widths (about 15 Å for Hβ–Hδ, 10 Å for Hα, decreasing along the
// crowding series; Paschen 1–3 Å) are typical of low-resolution atlases of
// A0 V stars (e.g. Jacoby, Hunter & Christian 1984, ApJS 56, 257). The
// damping half widths are CALIBRATED against Vega (CALSPEC STIS, with the
// Castelli & Kurucz 1994 parameters): 1.5 times the earlier 2–3 Å, they
// give Vega's Balmer profiles their inner wings (±20–40 Å). The EWs of
// H8–H12 (12, 11, 10, 8, 6 Å, up from 11, 9, 7.5, 6, 5) are CALIBRATED on
// the same spectrum, whose 3750–3900 Å lines are deeper and whose
// pseudo-continuum there is lower than the atlas' EWs gave (sim/real flux
// 1.3 at 3800–3900 Å before, 1.2 after). Stronger H12–H16 would lower the
// flux at 3700–3750 Å (still 1.6 times Vega's) further, but make the
// comparison's continuum fit at the grid's blue end unstable (sim/realism
// refits without clipping when a knot span empties), and Vega's apparent
// RV with it.
var starHLines = [...]starHLine{
	{6562.79, 10, 3.0}, {4861.35, 14, 3.75}, {4340.47, 15, 4.2}, {4101.74, 15, 4.5},
	{3970.07, 13, 4.5}, {3889.05, 12, 4.5}, {3835.38, 11, 4.5}, {3797.90, 10, 4.2},
	{3770.63, 8, 3.75}, {3750.15, 6, 3.3}, {3734.37, 4, 3.0}, {3721.94, 3.2, 2.7},
	{3711.97, 2.6, 2.4}, {3703.86, 2.0, 2.1},
	{9014.91, 3, 2.25}, {8862.78, 2.6, 2.25}, {8750.47, 2.3, 2.25}, {8665.02, 2.0, 2.25},
	{8598.39, 1.8, 2.25}, {8545.38, 1.5, 2.25}, {8502.48, 1.3, 2.25}, {8467.25, 1.1, 2.25},
	{8437.95, 1.0, 2.25},
}

// The τ-area of a hydrogen line at A0 V is EW²/(4γ) (the damping part of
// the curve of growth) times these factors, CALIBRATED so that the
// simulated A0 V (Vega's parameters) has Vega's equivalent widths within
// ±30 Å of Hβ–Hδ (≈15.5 Å) and over the Paschen lines at 8440–8900 Å
// (≈24 Å) in the CALSPEC STIS spectrum: the table's EWs are total ones
// at the atlas' resolution, and with saturation and the finite window
// EW²/(4γ) alone gave half of them (Paschen: a sixth, since the lines
// crowd and their wings overlap).
const (
	starBalmerAreaCal  = 3.75
	starPaschenAreaCal = 13.5
)

// starHTauMax is the saturation optical depth of the hydrogen lines: an
// A star's Balmer cores keep about a quarter of the continuum at low
// resolution.
const starHTauMax = 1.3

// starTiO lists the TiO band heads (air, Å; Pearse & Gaydon 1976, The
// Identification of Molecular Spectra; α, γ', γ and δ systems), all
// degraded to the red, with their depth relative to the γ(0,0) 7054 Å head
// and e-folding lengths, as seen in M-dwarf spectra at low resolution
// (e.g. Bochanski et al. 2007, AJ 133, 531).
var starTiO = [...]struct{ airAA, rel, scaleAA float64 }{
	{4954.6, 0.45, 60}, {5166.7, 0.55, 70}, {5448.3, 0.45, 70}, {5847.5, 0.40, 80},
	{6158.7, 0.75, 90}, {6651.3, 0.60, 90}, {7054.2, 1.00, 110}, {7589.3, 0.70, 90},
	{8432.5, 0.50, 80}, {8859.6, 0.45, 90},
}

// starCNViolet lists the CN violet (B–X) band heads (air), degraded to the
// blue: present in G–K giants (luminosity-sensitive) and strong in carbon
// stars.
var starCNViolet = [...]struct{ airAA, rel, scaleAA float64 }{
	{3883.4, 1.0, 40}, {4216.0, 0.6, 40},
}

// starWeakLines are the many weaker lines that fill a cool star's
// spectrum at low resolution (without them the Lick-type indices of real
// G–K stars are not reproduced): the stronger solar lines of Moore et al.
// (1966) and singly ionised lines of NIST, grouped by element with one
// strength per group. Air wavelengths, Å; all Gaussian (no damping wings),
// intrinsic σ 0.3 Å, τmax 1.5.
var starWeakLines = [...]struct {
	law, ab    uint8
	tauA, gexp float64
	airAA      []float64
}{
	{lawFe, abFe, 0.6, 0, []float64{ // Fe I, moderate
		3734.86, 3737.13, 3745.56, 3748.26, 3749.49, 3758.23, 3763.79, 3767.19, 3795.00, 3799.55,
		3815.84, 3824.44, 3825.88, 3827.82, 3840.44, 3841.05, 3849.97, 3856.37, 3865.52, 3872.50,
		3878.57, 3895.66, 3899.71, 3902.95, 3906.48, 3920.26, 3922.91, 3927.92, 3930.30, 4005.24,
		4118.55, 4187.04, 4187.80, 4191.43, 4198.30, 4222.21, 4233.60, 4235.94, 4238.81, 4282.40,
		4299.23, 4307.90, 4337.05, 4352.73, 4375.93, 4427.31, 4442.34, 4447.72, 4459.12, 4461.65,
		4466.55, 4476.02, 4494.56, 4871.32, 4872.14, 4878.21, 4890.76, 4903.31, 4918.99, 4924.77,
		4938.81, 4939.69, 5001.86, 5006.12, 5012.07, 5041.76, 5049.82, 5051.63, 5068.77, 5079.22,
		5083.34, 5107.45, 5110.41, 5123.72, 5127.36, 5139.46, 5142.93, 5150.84, 5151.91, 5162.27,
		5166.28, 5171.60, 5192.34, 5194.94, 5198.71, 5215.18, 5216.27, 5242.49, 5250.21, 5254.96,
		5263.31, 5266.56, 5281.79, 5283.62, 5302.30, 5324.18, 5339.93, 5341.02, 5367.47, 5369.96,
		5383.37, 5393.17, 5410.91, 5415.20, 5424.07, 5434.52, 5455.61, 5497.52, 5501.46, 5506.78,
		5569.62, 5572.84, 5576.09, 5586.76, 5602.95, 5624.54, 5658.82, 6024.06, 6065.48, 6137.69,
		6213.43, 6219.28, 6246.32, 6265.13, 6297.79, 6301.50, 6335.33, 6336.82, 6411.65, 6421.35,
		6430.85, 6592.91, 6677.99, 6750.15, 7495.07, 7511.02, 8468.41, 8514.07, 8621.60, 8674.75,
		8824.22}},
	{lawFe, abFe, 0.3, 0, []float64{ // Fe I, weak
		4134.68, 4147.67, 4154.50, 4156.80, 4174.91, 4181.75, 4195.33, 4199.10, 4216.18, 4227.43,
		4247.43, 4294.13, 4315.08, 4430.61, 4443.19, 4489.74, 4531.15, 4592.65, 4602.94, 4647.43,
		4678.85, 4707.27, 4710.28, 4733.59, 4736.77, 4966.09, 4973.10, 4994.13, 5014.94, 5041.07,
		5137.38, 5139.25, 5247.05, 5332.90, 5353.37, 5364.87, 5662.52, 5709.38, 5762.99, 6008.56,
		6056.00, 6078.49, 6200.31, 6254.26, 6280.62, 6318.02, 6322.69, 6344.15, 6355.03, 6358.69,
		6380.74, 6392.54, 6408.02, 6518.37, 6533.93, 6569.21, 6593.87, 6609.11, 6663.44, 6703.57,
		6726.67, 6810.26, 6945.20, 6978.85, 7130.92, 7164.44, 7187.32, 7207.41, 7445.75, 7568.90,
		7583.79, 7586.03, 7748.27, 7780.56, 7832.21, 7937.14, 7945.85, 7998.94, 8046.05, 8085.18,
		8220.38, 8239.13, 8331.94, 8365.63, 8582.26, 8592.95, 8611.80, 8699.45, 8710.39, 8757.19,
		8763.97, 8793.34, 8838.43, 8866.93, 8999.56, 9088.32}},
	{lawIon, abFe, 0.25, -0.2, []float64{ // Fe II
		4173.45, 4178.86, 4296.57, 4303.17, 4351.77, 4385.38, 4416.83, 4489.18, 4491.40, 4508.28,
		4515.34, 4520.22, 4522.63, 4549.47, 4555.89, 4576.34, 4620.52, 4629.34, 5197.58, 5234.62,
		5275.99, 5284.10, 5362.87, 5425.26, 6147.74, 6149.26, 6238.39, 6247.56, 6416.92, 6432.68,
		6456.38, 6516.08, 7462.41, 7711.72}},
	{lawIon, abAlpha, 0.3, -0.25, []float64{ // Ti II
		3759.29, 3761.32, 3913.46, 4012.38, 4163.64, 4290.22, 4300.05, 4395.03, 4443.80, 4468.51,
		4501.27, 4533.97, 4563.76, 4571.97, 4805.09, 5129.16, 5188.69, 5226.54, 5336.79, 5381.02}},
	{lawIon, abFe, 0.2, -0.2, []float64{ // Sc II, Y II
		4246.82, 4314.08, 4320.73, 4374.46, 4400.39, 4415.56, 5031.02, 5526.79, 5657.90, 6604.60,
		4883.68, 5087.42}},
	{lawCaI, abAlpha, 0.35, 0, []float64{ // Ca I
		4283.01, 4289.36, 4298.99, 4302.53, 4318.65, 4425.44, 4434.96, 4435.69, 4455.89, 5261.71,
		5265.56, 5270.27, 5349.47, 5581.97, 5590.12, 5594.47, 5598.49, 5601.29, 5857.45, 6166.44,
		6169.04, 6169.56, 6455.60, 6471.66, 6493.78, 6499.65, 6717.69, 7148.15, 7202.20}},
	{lawFe, abFe, 0.3, 0, []float64{ // Cr I, Mn I
		4289.72, 4351.05, 4646.17, 4651.29, 4652.16, 5204.51, 5247.57, 5264.15, 5296.69, 5298.28,
		5345.80, 5348.31, 5409.78, 4041.36, 4754.04, 4783.43, 4823.52, 6013.51, 6016.64, 6021.82}},
	{lawFe, abFe, 0.25, 0, []float64{ // Ni I, Co I
		3858.30, 4714.42, 4980.17, 5035.36, 5080.53, 5081.11, 5476.90, 6108.12, 6643.63, 6767.77,
		7122.20, 7714.31, 7788.94, 3845.47, 4121.32}},
	{lawTi, abAlpha, 0.3, 0, []float64{ // Ti I, V I
		3989.76, 3998.64, 4533.24, 4534.78, 4535.57, 4548.76, 4617.27, 4656.47, 4681.91, 4840.87,
		5064.65, 5173.74, 5192.97, 5210.39, 6258.10, 6261.10, 4379.23, 4384.72, 4389.97}},
	{lawMg, abAlpha, 0.25, 0, []float64{ // Si I
		3905.52, 5684.48, 5690.43, 5708.40, 5772.15, 5948.55, 7034.90, 7405.77, 7415.95, 7423.50}},
	{lawMg, abAlpha, 0.35, 0, []float64{ // Mg I
		4571.10, 4730.03, 5711.09, 7657.60, 7691.55, 8717.83, 8736.02, 8923.57}},
	{lawCaI, abFe, 0.7, 0, []float64{3944.01, 3961.52}},                    // Al I resonance lines
	{lawCaI, abFe, 0.25, 0, []float64{5682.63, 5688.20, 6154.23, 6160.75}}, // Na I
}

// starWeakCal scales the τ-areas of starWeakLines: 1. Against the CALSPEC
// solar analogs (P041C, P177D, P330E) the correlation of the simulated
// G2 V barely depends on it (0.5–2 tried: ±0.01 below 1, −0.04 at 2):
// it is positions, not strengths, that the thin forest lacks.
const starWeakCal = 1.0

// starCompiled is a line ready for synthesis.
type starCompiled struct {
	vacAA, log10Vac, log10A float64
	law, ab                 uint8
	gexp, gammaAA, sigmaAA  float64
	tauMax                  float64
	invVac, sig2, invTauMax float64 // 1/vacAA, (sigmaAA/vacAA)², 1/tauMax
}

// starVac holds the lists above with vacuum wavelengths, built once.
var starVac struct {
	once   sync.Once
	lines  []starCompiled // starLines then starWeakLines
	h      [len(starHLines)]float64
	log10H [len(starHLines)]float64
	hA     [len(starHLines)]float64 // τ-area at A0 V: EW²/(4γ) (damping part of the curve of growth) times the calibration
	tio    [len(starTiO)]float64
	cnV    [len(starCNViolet)]float64
	c2     [len(carbonC2)]float64
	cnRed  [len(carbonCNRed)]float64
}

func starInitVac() {
	starVac.once.Do(func() {
		add := func(l starLine) {
			v := prep.AirToVacuum(l.airAA)
			starVac.lines = append(starVac.lines, starCompiled{
				vacAA: v, log10Vac: math.Log10(v), log10A: math.Log10(l.tauA),
				law: l.law, ab: l.ab, gexp: l.gexp, gammaAA: l.gammaAA, sigmaAA: l.sigmaAA, tauMax: l.tauMax,
				invVac: 1 / v, sig2: (l.sigmaAA / v) * (l.sigmaAA / v), invTauMax: 1 / l.tauMax,
			})
		}
		for _, l := range starLines {
			add(l)
		}
		for _, grp := range starWeakLines {
			for _, w := range grp.airAA {
				add(starLine{airAA: w, law: grp.law, ab: grp.ab, tauA: grp.tauA * starWeakCal, gexp: grp.gexp, sigmaAA: 0.3, tauMax: 1.5})
			}
		}
		for i, l := range starHLines {
			starVac.h[i] = prep.AirToVacuum(l.airAA)
			starVac.log10H[i] = math.Log10(starVac.h[i])
			starVac.hA[i] = l.ewA0 * l.ewA0 / (4 * l.gammaAA) * starBalmerAreaCal
			if i >= starNBalmer {
				starVac.hA[i] *= starPaschenAreaCal / starBalmerAreaCal
			}
		}
		for i, b := range starTiO {
			starVac.tio[i] = prep.AirToVacuum(b.airAA)
		}
		for i, b := range starCNViolet {
			starVac.cnV[i] = prep.AirToVacuum(b.airAA)
		}
		for i, b := range carbonC2 {
			starVac.c2[i] = prep.AirToVacuum(b.airAA)
		}
		for i, b := range carbonCNRed {
			starVac.cnRed[i] = prep.AirToVacuum(b.airAA)
		}
	})
}

// starAlphaFe is the Galactic [α/Fe] trend: 0 at [Fe/H] ≥ 0, rising to
// +0.4 at [Fe/H] ≈ −1 and flat below (the thick-disc and halo plateau;
// e.g. Venn et al. 2004, AJ 128, 1177), drawn as a smooth ramp.
func starAlphaFe(feh float64) float64 {
	x := min(max(-feh, 0), 1)
	return 0.4 * x * x * (3 - 2*x)
}
