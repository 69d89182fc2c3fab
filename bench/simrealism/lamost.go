package main

import (
	"fmt"
	"log"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/astroone/astroone-go/plot"
	"github.com/astroone/astroone-go/sim/realism"
	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// lamostFixtures are the real LAMOST spectra compared with the simulator.
var lamostFixtures = []string{"spec-55859-F5902_sp01-001_dr7.fits.gz", "spec-55859-F5902_sp01-013_dr8.fits.gz"}

// lamostSection fits the simulator's star to each real LAMOST spectrum,
// then compares the real spectrum with the best-fit model and with a
// simulated LAMOST observation of it at the same S/N.
func (r *report) lamostSection() error {
	fmt.Fprintln(r.w, "### Real LAMOST spectra vs simulated LAMOST spectra")
	fmt.Fprintln(r.w)
	var fitRows, cmpRows, noiseRows, featRows, ewRows [][]string
	for _, name := range lamostFixtures {
		real, err := spectrum.ReadFile(filepath.Join(r.lamost, name))
		if err != nil {
			return err
		}
		snr := real.Meta.SNR["g"]
		label := fmt.Sprintf("%s %s (S/N_g %.1f)", real.Meta.Class, real.Meta.Subclass, snr)
		tg, err := realism.LAMOSTTarget(real)
		if err != nil {
			return err
		}
		grid := realism.LAMOSTStarGrid()
		if r.quick {
			grid.Logg, grid.FeH = []float64{2, 4}, []float64{-1, 0}
		}
		start := realism.StartFromSubclass(real.Meta.Subclass)
		fit, err := realism.FitStar(tg, realism.LAMOSTStarModel(), start, grid)
		if err != nil {
			return err
		}
		b := fit.Best
		bp := synth.StarParams{TeffK: b.TeffK, Logg: b.Logg, FeH: b.FeH, RVKmS: b.RVKmS}
		fitRows = append(fitRows, []string{label, fmt.Sprintf("%.0f", start.TeffK), fmt.Sprintf("%.0f", b.TeffK), fmt.Sprintf("%.1f", b.Logg), fmt.Sprintf("%+.1f", b.FeH),
			fmt.Sprintf("%+.0f", b.RVKmS), fmt.Sprintf("%+.0f", real.Meta.Z*realism.SpeedOfLightKmS), synth.SpectralType(b.TeffK, b.Logg), fmt.Sprintf("%.2f", fit.Chi2), fmt.Sprint(fit.Tried)})

		// Real vs best-fit model, and a simulated observation vs the same
		// model (what a perfect simulator would score at this S/N).
		mp, err := realism.CompareLAMOSTModel(real, fit.Model)
		if err != nil {
			return err
		}
		var simShape, simDer, simSNR, simVsModel, realVsSim, simAC, simRG, simIG, simA, simB []float64
		simEW := make([][]float64, len(realism.SolarFeatures))
		var typical *spectrum.Spectrum
		var typicalPair *realism.Pair
		for seed := uint64(1); seed <= 9; seed++ {
			sim := realism.ObserveLAMOST(bp, snr, 0.05, seed)
			sm, err := realism.CompareLAMOSTModel(sim, fit.Model)
			if err != nil {
				return err
			}
			rs, err := realism.CompareLAMOST(real, sim)
			if err != nil {
				return err
			}
			simVsModel = append(simVsModel, sm.Metrics.Corr)
			simAC = append(simAC, residualAutocorr(sm))
			simDer = append(simDer, sm.Metrics.RealSNR)
			for k, f := range realism.SolarFeatures {
				simEW[k] = append(simEW[k], realism.EquivalentWidth(sm.WavelengthAA, sm.RealNorm, sm.Use, f.FromAA, f.ToAA))
			}
			simRG = append(simRG, sim.Meta.SNR["r"]/sim.Meta.SNR["g"])
			simIG = append(simIG, sim.Meta.SNR["i"]/sim.Meta.SNR["g"])
			simA = append(simA, bandDepth(sim, realism.TelluricABand))
			simB = append(simB, bandDepth(sim, realism.TelluricBBand))
			realVsSim = append(realVsSim, rs.Metrics.Corr)
			simShape = append(simShape, realism.ContinuumShape(rs.Sim, rs.Real, rs.Use, 25).RMS)
			simSNR = append(simSNR, sim.Meta.SNR["g"])
			if seed == 1 {
				typical, typicalPair = sim, rs
			}
		}
		for _, v := range simSNR {
			if math.Abs(v/snr-1) > 0.01 {
				log.Printf("warning: a simulated observation has S/N_g %.2f, requested %.2f", v, snr)
			}
		}
		wrong := wrongFor(b.TeffK)
		wm := make([]float64, len(fit.Model))
		realism.LAMOSTStarModel()(realism.StarGuess{TeffK: wrong.TeffK, Logg: wrong.Logg, FeH: wrong.FeH, RVKmS: b.RVKmS}, wm)
		wp, err := realism.CompareLAMOSTModel(real, wm)
		if err != nil {
			return err
		}
		cmpRows = append(cmpRows, []string{label, f3(mp.Metrics.Corr), f3(mp.Metrics.RMS), medSpread(simVsModel), medSpread(realVsSim), medSpread(simShape),
			fmt.Sprintf("%s: %s", synth.SpectralType(wrong.TeffK, wrong.Logg), f3(wp.Metrics.Corr))})
		noiseRows = append(noiseRows, []string{label, fmt.Sprintf("%.2f", snr), fmt.Sprintf("%.2f", mp.Metrics.RealSNR), medSpread2(simDer),
			fmt.Sprintf("%.2f", real.Meta.SNR["r"]/snr), medSpread(simRG), fmt.Sprintf("%.2f", real.Meta.SNR["i"]/snr), medSpread(simIG)})
		featRows = append(featRows, []string{label, f3(bandDepth(real, realism.TelluricABand)), medSpread(simA), f3(bandDepth(real, realism.TelluricBBand)), medSpread(simB),
			f3(residualAutocorr(mp)), medSpread(simAC)})
		for k, f := range realism.SolarFeatures {
			if f.FromAA >= realism.LAMOSTDichroic.FromAA && f.ToAA <= realism.LAMOSTDichroic.ToAA {
				continue // Na D is in the dichroic gap
			}
			ewRows = append(ewRows, []string{label, f.Name,
				fmt.Sprintf("%.2f", realism.EquivalentWidth(mp.WavelengthAA, mp.RealNorm, mp.Use, f.FromAA, f.ToAA)),
				fmt.Sprintf("%.2f", realism.EquivalentWidth(mp.WavelengthAA, mp.SimNorm, mp.Use, f.FromAA, f.ToAA)),
				medSpread2(simEW[k])})
		}
		stem := "lamost_" + strings.ToLower(real.Meta.Subclass)
		if err := r.plotPair(stem+"_fit", mp, fmt.Sprintf("LAMOST %s vs best-fit simulated %s", real.Meta.Subclass, synth.SpectralType(b.TeffK, b.Logg)), "LAMOST "+real.Meta.Subclass, "simulated model", false); err != nil {
			return err
		}
		if err := r.writeSVG(stem+"_sim", sideBySide(real, typical, typicalPair, label)...); err != nil {
			return err
		}
		log.Printf("LAMOST %s: best %+v chi2 %.2f; r(model)=%.3f r(sim,model)=%s r(real,sim)=%s", label, b, fit.Chi2, mp.Metrics.Corr, medSpread(simVsModel), medSpread(realVsSim))
	}
	fmt.Fprintln(r.w, "Grid χ² fit of the simulator's star to each real spectrum (continuum-normalised flux, tellurics, sky lines and the dichroic masked):")
	fmt.Fprintln(r.w)
	r.table([]string{"real spectrum", "start Teff", "Teff", "log g", "[Fe/H]", "RV km/s", "pipeline RV (Z·c)", "type", "χ²/N", "models"}, fitRows)
	fmt.Fprintln(r.w, "Correlations of continuum-normalised flux (9 simulated observations of the best-fit star at the real S/N; median [min, max]):")
	fmt.Fprintln(r.w)
	r.table([]string{"real spectrum", "r real vs model", "rms", "r simulated vs model", "r real vs simulated", "raw shape rms (ln) real vs simulated", "*wrong type* vs real"}, cmpRows)
	fmt.Fprintln(r.w, "Equivalent widths (Å) on the continuum-normalised spectra: the real one, the best-fit model, and the 9 simulated observations (median [min, max]):")
	fmt.Fprintln(r.w)
	r.table([]string{"real spectrum", "feature", "real", "model", "simulated observations"}, ewRows)
	fmt.Fprintln(r.w, "Noise: the real spectrum's header SNRG and the DER_SNR of the normalised flux of the real and simulated spectra (the simulated ones have measured S/N_g equal to the real SNRG); S/N ratios between bands (header SNRR/SNRG and SNRI/SNRG for the real one, measured for the simulated ones):")
	fmt.Fprintln(r.w)
	r.table([]string{"real spectrum", "SNRG (header)", "DER_SNR (real)", "DER_SNR (simulated)", "S/N r/g real", "simulated", "S/N i/g real", "simulated"}, noiseRows)
	fmt.Fprintln(r.w, "Features: depth of the telluric O₂ A and B bands (1 − band/sides), and the lag-1 autocorrelation of the g-band residual from the best-fit model (0 for white noise):")
	fmt.Fprintln(r.w)
	r.table([]string{"real spectrum", "A-band depth real", "simulated", "B-band depth real", "simulated", "residual lag-1 autocorr. real", "simulated"}, featRows)
	return nil
}

// wrongFor returns a clearly wrong type for a star of the given Teff.
func wrongFor(teffK float64) realism.StarGuess {
	if teffK < 7000 {
		return realism.StarGuess{TeffK: 9700, Logg: 4.1, FeH: 0}
	}
	return realism.StarGuess{TeffK: 3550, Logg: 4.8, FeH: 0}
}

// medSpread formats the median and range of values with three decimals.
func medSpread(v []float64) string { return spread(v, "%.3f [%.3f, %.3f]") }

// medSpread2 formats them with two decimals.
func medSpread2(v []float64) string { return spread(v, "%.2f [%.2f, %.2f]") }

// spread formats the median, minimum and maximum of v with format.
func spread(v []float64, format string) string {
	s := append([]float64(nil), v...)
	slices.Sort(s)
	return fmt.Sprintf(format, s[len(s)/2], s[0], s[len(s)-1])
}

// sideBySide shows the real spectrum above a simulated observation of the
// same star at the same S/N (raw fluxes, each as its file holds it), then
// their continuum-normalised overlay.
func sideBySide(real, sim *spectrum.Spectrum, p *realism.Pair, label string) []*plot.Figure {
	raw := func(s *spectrum.Spectrum, title, color string) *plot.Figure {
		y := make([]float64, s.Len())
		for i := range y {
			y[i] = s.Flux[i]
			if s.Ivar != nil && !(s.Ivar[i] > 0) {
				y[i] = math.NaN()
			}
		}
		return &plot.Figure{Title: title, XLabel: "wavelength (Å)", YLabel: "flux (file units)", Width: 960, Height: 260,
			Series: []plot.Series{{Name: title, X: s.WavelengthAA, Y: y, Color: color}}}
	}
	figs := []*plot.Figure{
		raw(real, "real LAMOST "+label, "#1f1f1f"),
		raw(sim, fmt.Sprintf("simulated LAMOST observation of the best-fit star (S/N_g %.1f)", sim.Meta.SNR["g"]), "#d62728"),
	}
	all := realism.PairFigures(p, "real vs simulated observation", "real", "simulated", false)
	return append(figs, all...)
}

// residualAutocorr is the lag-1 autocorrelation of the normalised
// residual of a pair in the g band (4000–5500 Å), where there are no
// bright sky lines whose residuals (a few pixels wide) would correlate
// neighbouring pixels whatever the noise.
func residualAutocorr(p *realism.Pair) float64 {
	d := make([]float64, len(p.RealNorm))
	u := make([]bool, len(d))
	for i, w := range p.WavelengthAA {
		d[i] = p.RealNorm[i] - p.SimNorm[i]
		u[i] = p.Use[i] && w >= 4000 && w <= 5500
	}
	return realism.Autocorr(d, u, 1)
}

// bandDepth measures a band on a spectrum's good pixels.
func bandDepth(s *spectrum.Spectrum, b [3]realism.Interval) float64 {
	use := make([]bool, s.Len())
	for i := range use {
		use[i] = s.Ivar == nil || s.Ivar[i] > 0
	}
	return realism.BandDepth(s.WavelengthAA, s.Flux, use, b[0], b[1], b[2])
}
