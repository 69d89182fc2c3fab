package main

import (
	"fmt"
	"log"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"

	"github.com/astroone/astroone-go/sim/realism"
	"github.com/astroone/astroone-go/sim/synth"
)

// qsoRedshifts are the redshifts at which the simulator's quasars are
// compared with the rest-frame LBQS composite; each shows other lines in
// the LAMOST range, and none puts a strong line at an end of the range
// (where the continuum fit would bend into it): z 0.3 shows Mg II to
// [O III] (rest 2850–6000 Å, the composite's end), z 1.0 C III] to Hγ
// (1850–4550 Å), z 2.4 the Lyα forest, Lyα, C IV and C III] (1090–2675 Å).
var qsoRedshifts = []float64{0.3, 1.0, 2.4}

// qso compares simulated quasars with the LBQS composite.
func (r *report) qso() error {
	ref, err := realism.ReadReference(filepath.Join(r.pysyn, realism.QSOCompositeFile))
	if err != nil {
		return err
	}
	fmt.Fprintln(r.w, "### LBQS composite quasar (Francis et al. 1991) vs simulated quasars, rest frame")
	fmt.Fprintln(r.w)
	opt := realism.QSOOptions()
	var rows, lineRows [][]string
	for _, z := range qsoRedshifts {
		setup := realism.QSOSetup(z)
		p, err := realism.CompareReference(ref, realism.QSOFunc(realism.CompositeQSO(z)), setup, opt)
		if err != nil {
			return err
		}
		m := p.Metrics
		rows = append(rows, []string{fmt.Sprintf("%.1f", z), "central parameters", fmt.Sprintf("%.0f–%.0f", m.FromAA, m.ToAA), f3(m.Corr), f3(m.RMS), pct(m.Shape.RMS), pct(m.Shape.MaxAbs)})
		if err := r.plotPair(fmt.Sprintf("qso_z%.1f", z), p, fmt.Sprintf("LBQS composite vs simulated QSO at z = %.1f (rest frame)", z), "LBQS composite", "simulated", true); err != nil {
			return err
		}
		for _, f := range realism.QSOFeatures {
			// Only windows well inside the range: near its ends the
			// continuum fit is set by the line itself.
			if f.FromAA < m.FromAA+150 || f.ToAA > m.ToAA-150 {
				continue
			}
			re := realism.EquivalentWidth(p.WavelengthAA, p.RealNorm, p.Use, f.FromAA, f.ToAA)
			se := realism.EquivalentWidth(p.WavelengthAA, p.SimNorm, p.Use, f.FromAA, f.ToAA)
			lineRows = append(lineRows, []string{fmt.Sprintf("%.1f", z), f.Name, fmt.Sprintf("%.1f", re), fmt.Sprintf("%.1f", se)})
		}
		if m.FromAA < 1150 {
			// Lyα sits too near the blue end for an equivalent width: compare
			// the peak heights of the raw spectra (the simulated one scaled
			// to the composite by the median ratio) instead.
			var ps, pr float64
			for i, w := range p.WavelengthAA {
				if w > 1205 && w < 1230 && p.Use[i] {
					ps, pr = max(ps, p.Sim[i]), max(pr, p.Real[i])
				}
			}
			lineRows = append(lineRows, []string{fmt.Sprintf("%.1f", z), "Lyα peak flux, simulated / composite", "1", fmt.Sprintf("%.2f", ps/pr)})
		}
		// The population: DrawQSO at this z.
		rng := rand.New(rand.NewPCG(7, uint64(z*1000)))
		n := 40
		if r.quick {
			n = 10
		}
		var corrs, shapes []float64
		for range n {
			qp := synth.DrawQSO(rng)
			qp.Z = z
			q, err := realism.CompareReference(ref, realism.QSOFunc(qp), setup, opt)
			if err != nil {
				return err
			}
			corrs = append(corrs, q.Metrics.Corr)
			shapes = append(shapes, q.Metrics.Shape.RMS)
		}
		slices.Sort(corrs)
		slices.Sort(shapes)
		rows = append(rows, []string{fmt.Sprintf("%.1f", z), fmt.Sprintf("%d drawn quasars: median [10%%, 90%%]", n), "",
			fmt.Sprintf("%.3f [%.3f, %.3f]", q(corrs, 0.5), q(corrs, 0.1), q(corrs, 0.9)), "", fmt.Sprintf("%s [%s, %s]", pct(q(shapes, 0.5)), pct(q(shapes, 0.1)), pct(q(shapes, 0.9))), ""})
		// The wrong model: the quasar at the wrong redshift (lines
		// misplaced by 10%).
		wz, err := realism.CompareReference(ref, realism.QSOFunc(realism.CompositeQSO(z*1.1)), setup, opt)
		if err != nil {
			return err
		}
		rows = append(rows, []string{fmt.Sprintf("%.1f", z), fmt.Sprintf("*wrong:* simulated QSO at z = %.2f", z*1.1), "", f3(wz.Metrics.Corr), f3(wz.Metrics.RMS), pct(wz.Metrics.Shape.RMS), pct(wz.Metrics.Shape.MaxAbs)})
		log.Printf("qso z=%.1f: r=%.3f rms=%.3f shape=%.3f; drawn median r=%.3f", z, m.Corr, m.RMS, m.Shape.RMS, q(corrs, 0.5))
	}
	r.table([]string{"z", "model", "rest range (Å)", "r (norm.)", "rms (norm.)", "shape rms (ln)", "shape max (abs. ln)"}, rows)
	fmt.Fprintln(r.w, "Equivalent widths of the emission lines on the continuum-normalised spectra (Å, negative = emission; composite vs the central simulated quasar):")
	fmt.Fprintln(r.w)
	r.table([]string{"z", "line (rest window)", "LBQS composite", "simulated"}, lineRows)
	return nil
}

// q returns the p-quantile of sorted values (nearest rank).
func q(sorted []float64, p float64) float64 {
	return sorted[int(p*float64(len(sorted)-1)+0.5)]
}

// galaxies compares the shapes of simulated rest-frame galaxies with the
// coarse elliptical and spiral templates: the simulator's population of
// each kind (drawn at z = 0), and the other kind as the wrong one.
func (r *report) galaxies() error {
	fmt.Fprintln(r.w, "### Galaxy templates (pysynphot, 50 Å samples) vs simulated galaxies at z = 0: continuum shape")
	fmt.Fprintln(r.w)
	n := 40
	if r.quick {
		n = 10
	}
	var rows [][]string
	for _, t := range realism.GalaxyTemplates {
		ref, err := realism.ReadReference(filepath.Join(r.pysyn, t.File))
		if err != nil {
			return err
		}
		for _, kind := range []string{synth.GalaxyPassive, synth.GalaxyStarForming} {
			rng := rand.New(rand.NewPCG(11, uint64(len(kind))))
			var shapes, maxes, corrs, dn []float64
			var refDn float64
			var pairs []*realism.Pair
			for range n {
				gp := synth.DrawGalaxy(rng, kind)
				gp.Z = 0
				p, err := realism.CompareReference(ref, realism.GalaxyFunc(gp), realism.GalaxySetup(), realism.GalaxyOptions())
				if err != nil {
					return err
				}
				shapes = append(shapes, p.Metrics.Shape.RMS)
				maxes = append(maxes, p.Metrics.Shape.MaxAbs)
				corrs = append(corrs, p.Metrics.Corr)
				dn = append(dn, realism.Dn4000(p.WavelengthAA, p.Sim, nil))
				refDn = realism.Dn4000(p.WavelengthAA, p.Real, nil)
				pairs = append(pairs, p)
			}
			// Plot the draw with the median shape rms of the matching kind.
			if kind == t.Kind {
				med := append([]float64(nil), shapes...)
				slices.Sort(med)
				for i, s := range shapes {
					if s == q(med, 0.5) {
						if err := r.plotPair("galaxy_"+strings.TrimSuffix(t.File, ".fits"), pairs[i], t.Label+" vs a simulated "+kind+" galaxy (median draw)", t.Label, "simulated "+kind, true); err != nil {
							return err
						}
						break
					}
				}
			}
			label := "simulated " + kind
			if kind != t.Kind {
				label = "*other kind:* " + label
			}
			slices.Sort(shapes)
			slices.Sort(maxes)
			slices.Sort(corrs)
			slices.Sort(dn)
			rows = append(rows, []string{t.Label, label, fmt.Sprintf("%s [%s, %s]", pct(q(shapes, 0.5)), pct(q(shapes, 0.1)), pct(q(shapes, 0.9))),
				pct(q(maxes, 0.5)), fmt.Sprintf("%.3f [%.3f, %.3f]", q(corrs, 0.5), q(corrs, 0.1), q(corrs, 0.9)),
				fmt.Sprintf("%.2f", refDn), fmt.Sprintf("%.2f [%.2f, %.2f]", q(dn, 0.5), q(dn, 0.1), q(dn, 0.9))})
			log.Printf("galaxy %s vs %s: shape rms median %.3f", t.Label, kind, q(shapes, 0.5))
		}
	}
	r.table([]string{"template", fmt.Sprintf("model (%d draws at z = 0)", n), "shape rms (ln): median [10%, 90%]", "shape max abs. ln (median)", "r (norm., 3-knot continuum)", "Dn4000 template", "Dn4000 simulated"}, rows)
	return nil
}
