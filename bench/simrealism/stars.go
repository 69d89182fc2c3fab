package main

import (
	"fmt"
	"log"
	"math"
	"path/filepath"
	"strings"

	"github.com/astroone/astroone-go/sim/realism"
	"github.com/astroone/astroone-go/sim/synth"
)

// calspec compares each CALSPEC star with the simulated star of its
// literature parameters and with deliberately wrong types, measures the
// apparent RV (a check of the wavelength medium) and fits Teff, log g,
// [Fe/H] by a coarse grid.
func (r *report) calspec() error {
	fmt.Fprintln(r.w, "### CALSPEC stars (HST spectrophotometry) vs simulated stars")
	fmt.Fprintln(r.w)
	var rows, fits, regions [][]string
	lines := map[string][]string{} // feature → EW cells per star
	for _, c := range realism.CALSPECStars() {
		ref, err := realism.ReadReference(filepath.Join(r.pysyn, c.File))
		if err != nil {
			return err
		}
		opt := realism.Options{Spectrophotometric: true}
		p, err := realism.CompareReference(ref, realism.StarFunc(c.Params), c.Setup, opt)
		if err != nil {
			return err
		}
		m := p.Metrics
		rows = append(rows, []string{c.Label, fmt.Sprintf("simulated %s (%.0f K, %.2f, %+.1f)", synth.SpectralType(c.Params.TeffK, c.Params.Logg), c.Params.TeffK, c.Params.Logg, c.Params.FeH),
			fmt.Sprintf("%.0f–%.0f", m.FromAA, m.ToAA), fmt.Sprint(m.N), f3(m.Corr), f3(m.Ceiling), f3(m.RMS), pct(m.Shape.RMS), pct(m.Shape.MaxAbs)})
		feats := realism.SolarFeatures
		if c.Params.TeffK > 8000 {
			feats = realism.VegaFeatures
		}
		for _, f := range feats {
			re := realism.EquivalentWidth(p.WavelengthAA, p.RealNorm, p.Use, f.FromAA, f.ToAA)
			se := realism.EquivalentWidth(p.WavelengthAA, p.SimNorm, p.Use, f.FromAA, f.ToAA)
			lines[f.Name] = append(lines[f.Name], fmt.Sprintf("%.2f / %.2f", re, se))
		}
		b, g, rd := p.Sub(3700, 5000), p.Sub(5000, 6500), p.Sub(6500, 9100)
		regions = append(regions, []string{c.Label, f3(b.Corr) + " / " + f3(b.RMS), f3(g.Corr) + " / " + f3(g.RMS), f3(rd.Corr) + " / " + f3(rd.RMS), fmt.Sprintf("%.0f", m.RealSNR)})
		name := strings.TrimSuffix(strings.TrimSuffix(c.File, ".fits"), "_001")
		if err := r.plotPair("calspec_"+name, p, c.Label+" vs simulated", c.Label+" (CALSPEC)", "simulated", true); err != nil {
			return err
		}
		for _, wt := range []string{"M2 V", "G2 V", "A0 V", "B3 V"} {
			wp := realism.WrongStars[wt]
			if math.Abs(wp.TeffK-c.Params.TeffK) < 1000 || (wt == "B3 V" && c.Params.TeffK < 7000) {
				continue // not wrong for this star, or no more telling than A0 V
			}
			q, err := realism.CompareReference(ref, realism.StarFunc(wp), c.Setup, opt)
			if err != nil {
				return err
			}
			qm := q.Metrics
			rows = append(rows, []string{c.Label, fmt.Sprintf("*wrong type:* simulated %s (%.0f K)", wt, wp.TeffK),
				fmt.Sprintf("%.0f–%.0f", qm.FromAA, qm.ToAA), fmt.Sprint(qm.N), f3(qm.Corr), "", f3(qm.RMS), pct(qm.Shape.RMS), pct(qm.Shape.MaxAbs)})
		}
		rv, rvCorr, err := bestRV(ref, c)
		if err != nil {
			return err
		}
		best, bm, err := r.gridFitReference(ref, c, rv)
		if err != nil {
			return err
		}
		fits = append(fits, []string{c.Label, fmt.Sprintf("%.0f / %.2f / %+.1f", c.Params.TeffK, c.Params.Logg, c.Params.FeH),
			fmt.Sprintf("%.0f / %.1f / %+.1f", best.TeffK, best.Logg, best.FeH), f3(bm.Corr), f3(bm.RMS),
			fmt.Sprintf("%+.0f (r = %.3f)", rv, rvCorr), medium(ref.Medium)})
		log.Printf("calspec %s: r=%.3f rms=%.3f shape=%.3f; best fit %+v r=%.3f; RV %+.0f", c.Label, m.Corr, m.RMS, m.Shape.RMS, best, bm.Corr, rv)
	}
	r.table([]string{"real", "model", "range (Å)", "pixels", "r (norm.)", "noise ceiling", "rms (norm.)", "shape rms (ln)", "shape max (abs. ln)"}, rows)
	fmt.Fprintln(r.w, "By region (r / rms of the normalised flux, literature parameters) and the real spectrum's S/N per pixel (DER_SNR):")
	fmt.Fprintln(r.w)
	r.table([]string{"real", "3700–5000 Å", "5000–6500 Å", "6500–9100 Å", "S/N"}, regions)
	fmt.Fprintln(r.w, "Equivalent widths (Å, real / simulated) of the continuum-normalised spectra above, Vega:")
	fmt.Fprintln(r.w)
	var vrows, srows [][]string
	for _, f := range realism.VegaFeatures {
		vrows = append(vrows, []string{f.Name, lines[f.Name][0]})
	}
	r.table([]string{"feature", "Vega / simulated A0 V"}, vrows)
	fmt.Fprintln(r.w, "and the solar analogs:")
	fmt.Fprintln(r.w)
	for _, f := range realism.SolarFeatures {
		srows = append(srows, append([]string{f.Name}, lines[f.Name]...))
	}
	r.table([]string{"feature", "P041C / sim.", "P177D / sim.", "P330E / sim."}, srows)
	fmt.Fprintln(r.w, "Grid fit of the simulator's parameters to each CALSPEC star (min. rms of normalised flux) and apparent RV:")
	fmt.Fprintln(r.w)
	r.table([]string{"real", "assumed Teff / log g / [Fe/H]", "best-fit", "r", "rms", "apparent RV km/s", "medium in file"}, fits)
	return nil
}

// bestRV scans the model's RV at the assumed parameters and returns the
// one with the highest correlation: with vacuum wavelengths it should
// come out near the star's true RV, with air wavelengths ≈83 km/s lower
// (air λ are smaller by n ≈ 1.00028).
func bestRV(ref *realism.Reference, c realism.StarCase) (rv, corr float64, err error) {
	corr = -2
	for v := -200.0; v <= 200; v += 5 {
		p := c.Params
		p.RVKmS = v
		q, err := realism.CompareReference(ref, realism.StarFunc(p), c.Setup, realism.Options{})
		if err != nil {
			return 0, 0, err
		}
		if q.Metrics.Corr > corr {
			rv, corr = v, q.Metrics.Corr
		}
	}
	return rv, corr, nil
}

// gridFitReference finds the simulator parameters that best match a
// CALSPEC star (lowest rms of the normalised residuals) on a coarse grid,
// at the apparent RV rv.
func (r *report) gridFitReference(ref *realism.Reference, c realism.StarCase, rv float64) (synth.StarParams, realism.Metrics, error) {
	teffs := []float64{3500, 4000, 4500, 5000, 5250, 5500, 5750, 6000, 6250, 6500, 7000, 7500, 8000, 8500, 9000, 9500, 10000, 11000, 12000, 14000}
	loggs := []float64{2, 3, 4, 4.5}
	fehs := []float64{-1, -0.5, 0, 0.3}
	if r.quick {
		loggs, fehs = []float64{4}, []float64{0}
	}
	var best synth.StarParams
	bm := realism.Metrics{RMS: math.Inf(1)}
	for _, t := range teffs {
		for _, g := range loggs {
			for _, z := range fehs {
				p := synth.StarParams{TeffK: t, Logg: g, FeH: z, RVKmS: rv}
				q, err := realism.CompareReference(ref, realism.StarFunc(p), c.Setup, realism.Options{})
				if err != nil {
					return best, bm, err
				}
				if q.Metrics.RMS < bm.RMS {
					best, bm = p, q.Metrics
				}
			}
		}
	}
	return best, bm, nil
}

func medium(m realism.Medium) string {
	if m == realism.MediumUnstated {
		return "not stated"
	}
	return string(m)
}
