package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/astroone/astroone-go/sim/synth"
	"github.com/astroone/astroone-go/spectrum"
)

// Survey bookkeeping used to name simulated files like real ones.
const (
	lamostFibersPerPlan = 4000 // 16 spectrographs × 250 fibres
	lamostFibersPerSpec = 250
	lamostFirstMJD      = 57000
	sdssFibersPerPlate  = 1000 // BOSS
	sdssFirstPlate      = 3000
	sdssFirstMJD        = 58000
	firstOBSID          = 100000000
)

// ObjectID returns the survey identifier of object i: a LAMOST OBSID
// ("100000007") or an SDSS PLATE-MJD-FIBER ("3000-58000-0008").
func (s *Simulator) ObjectID(i int) string {
	if s.cfg.Survey == SurveySDSS {
		p := i / sdssFibersPerPlate
		return fmt.Sprintf("%04d-%05d-%04d", sdssFirstPlate+p, sdssFirstMJD+p, i%sdssFibersPerPlate+1)
	}
	return fmt.Sprintf("%d", firstOBSID+i)
}

// FileName returns the file name of object i without extension, in the
// survey's own pattern: LAMOST spec-MJD-PLANID_spSS-FFF (16 spectrographs
// of 250 fibres per plan) or SDSS spec-PLATE-MJD-FIBER.
func (s *Simulator) FileName(i int) string {
	if s.cfg.Survey == SurveySDSS {
		return "spec-" + s.ObjectID(i)
	}
	p := i / lamostFibersPerPlan
	k := i % lamostFibersPerPlan
	return fmt.Sprintf("spec-%d-SIM%05d_sp%02d-%03d", lamostFirstMJD+p, p, k/lamostFibersPerSpec+1, k%lamostFibersPerSpec+1)
}

// fillMeta writes the header metadata a survey pipeline would have
// produced. The redshift in the header is a pipeline-like estimate (truth
// plus an error of the size the pipelines quote), not the label: the
// truth is in labels.csv only, so nothing downstream can learn labels from
// headers.
func (s *Simulator) fillMeta(out *spectrum.Spectrum, i int, lab Labels, rng *rand.Rand) {
	m := &out.Meta
	m.ID = s.ObjectID(i)
	m.Class = lab.Class.PipelineClass()
	m.Subclass = pipelineSubclass(lab)
	m.ZErr = pipelineZErr(lab)
	m.Z = lab.Z + m.ZErr*rng.NormFloat64()
	m.ZWarning = 0
	m.RA = 360 * rng.Float64()
	m.Dec = math.Asin(2*rng.Float64()-1) * 180 / math.Pi
	m.Designation = designation(m.RA, m.Dec)
	switch s.cfg.Survey {
	case SurveySDSS:
		m.Survey, m.DataRelease = spectrum.SurveySDSS, "AstroOne-Go simulated SDSS"
		out.FluxUnit = "1e-17 erg/s/cm^2/Angstrom"
	default:
		m.Survey, m.DataRelease = spectrum.SurveyLAMOST, "AstroOne-Go simulated LAMOST"
	}
}

// pipelineSubclass is the SUBCLASS a survey pipeline writes: the MK
// letter and digit for normal stars (LAMOST drops the luminosity class),
// "Carbon" and "CV" (LAMOST's template names), SDSS's galaxy subclasses
// and BROADLINE for QSOs.
func pipelineSubclass(l Labels) string {
	switch {
	case l.Class.IsNormalStar():
		n := 1
		for n < len(l.Subclass) && (l.Subclass[n] >= '0' && l.Subclass[n] <= '9' || l.Subclass[n] == '.') {
			n++
		}
		return l.Subclass[:n]
	case l.Class == ClassCarbon:
		return "Carbon"
	case l.Class == ClassCV:
		return "CV"
	case l.Class == ClassQSO:
		return "BROADLINE"
	case l.Class == ClassGalaxy && l.Subclass != "PASSIVE":
		return l.Subclass
	}
	return ""
}

// pipelineZErr is a typical pipeline redshift error: for stars about
// 5 km/s at high S/N growing as 1/S/N (LAMOST LRS RVs scatter ~5–10 km/s
// at S/N 20–50; Luo et al. 2015, RAA 15, 1095), for galaxies ~30 km/s and
// for QSOs ~300 km/s (SDSS; Bolton et al. 2012, AJ 144, 144), all ×(1+z).
func pipelineZErr(l Labels) float64 {
	noise := 1 + 20/math.Max(l.SNR, 1)
	v := 4.0
	switch l.Class {
	case ClassGalaxy:
		v = 30
	case ClassQSO:
		v = 300
	case ClassCV:
		v = 20
	}
	return v * noise * (1 + math.Max(l.Z, 0)) / synth.SpeedOfLightKmS
}

// designation formats a LAMOST/SDSS style name "Jhhmmss.ss+ddmmss.s".
func designation(raDeg, decDeg float64) string {
	h := raDeg / 15
	hh := math.Floor(h)
	mm := math.Floor((h - hh) * 60)
	ss := ((h-hh)*60 - mm) * 60
	ss = math.Floor(ss*100) / 100
	sign := "+"
	if decDeg < 0 {
		sign = "-"
	}
	d := math.Abs(decDeg)
	dd := math.Floor(d)
	dm := math.Floor((d - dd) * 60)
	ds := math.Floor(((d-dd)*60-dm)*60*10) / 10
	return fmt.Sprintf("J%02.0f%02.0f%05.2f%s%02.0f%02.0f%04.1f", hh, mm, ss, sign, dd, dm, ds)
}
