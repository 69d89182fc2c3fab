package evaluate

import (
	"math"
	"strings"

	"github.com/astroone/astroone-go/dataset"
)

// Classification scores the class predictions of the records with a known
// true class. A record without a class prediction counts as an error of
// its true class (a false negative); when no record has one, the predictor
// does not classify and every metric is NaN.
type Classification struct {
	N            int          `json:"n"`            // records with a true class
	Unpredicted  int          `json:"unpredicted"`  // of them, without a class prediction
	Accuracy     Num          `json:"accuracy"`     // correct / N
	WeightedF1   Num          `json:"weighted_f1"`  // Σ support·F1 / N
	MacroF1      Num          `json:"macro_f1"`     // mean F1 over the classes that are true or predicted at least once
	Classes      []ClassStats `json:"classes"`      // in dataset.ClassNames order
	Confusion    [][]int      `json:"confusion"`    // [true][predicted]
	Unclassified []int        `json:"unclassified"` // per true class, records without a prediction
}

// ClassStats are one class's one-vs-rest scores. Precision is NaN when the
// class is never predicted, recall when it is never true, and F1 =
// 2TP/(2TP+FP+FN) when neither (it is 0 for a class that is true but never
// predicted correctly).
type ClassStats struct {
	Name      string `json:"name"`
	Support   int    `json:"support"`   // true count
	Predicted int    `json:"predicted"` // predicted count
	Precision Num    `json:"precision"`
	Recall    Num    `json:"recall"`
	F1        Num    `json:"f1"`
}

func classify(recs []Record) Classification {
	const k = dataset.NumClasses
	c := Classification{Confusion: make([][]int, k), Unclassified: make([]int, k)}
	for i := range c.Confusion {
		c.Confusion[i] = make([]int, k)
	}
	correct := 0
	for _, r := range recs {
		t := r.TrueClass
		if t < 0 || t >= k {
			continue
		}
		c.N++
		p := r.Predicted()
		if p < 0 {
			c.Unpredicted++
			c.Unclassified[t]++
			continue
		}
		c.Confusion[t][p]++
		if p == t {
			correct++
		}
	}
	nan := Num(math.NaN())
	c.Accuracy, c.WeightedF1, c.MacroF1 = nan, nan, nan
	if c.N > c.Unpredicted {
		c.Accuracy = ratio(correct, c.N)
	}
	var wsum, msum float64
	var mn int
	for i := range k {
		cs := ClassStats{Name: dataset.ClassNames[i], Precision: nan, Recall: nan, F1: nan}
		tp := c.Confusion[i][i]
		cs.Support = c.Unclassified[i]
		for j := range k {
			cs.Support += c.Confusion[i][j]
			cs.Predicted += c.Confusion[j][i]
		}
		if cs.Predicted > 0 {
			cs.Precision = ratio(tp, cs.Predicted)
		}
		if cs.Support > 0 {
			cs.Recall = ratio(tp, cs.Support)
		}
		if den := cs.Support + cs.Predicted; den > 0 && c.N > c.Unpredicted {
			cs.F1 = ratio(2*tp, den) // 2TP/(2TP+FP+FN): FP = Predicted−TP, FN = Support−TP
			wsum += float64(cs.Support) * float64(cs.F1)
			msum += float64(cs.F1)
			mn++
		}
		c.Classes = append(c.Classes, cs)
	}
	if c.N > c.Unpredicted {
		c.WeightedF1 = Num(wsum / float64(c.N))
		c.MacroF1 = Num(msum / float64(mn))
	}
	return c
}

// RedshiftStats score redshifts by the normalised error Δ = (ẑ − z)/(1+z)
// over the records of one group of true classes. Where a truth or a
// prediction has no z but an RV, z = RV/c (the LAMOST and simulator
// convention for stars; it differs from the relativistic Doppler z by
// β²/2 < 1e-5 at stellar velocities).
type RedshiftStats struct {
	Group        string `json:"group"` // "QSO", "GALAXY" or "STAR" (O–M, carbon stars, CVs)
	N            int    `json:"n"`
	Missing      int    `json:"missing"` // true z known, none predicted (not in the rate)
	FromRV       int    `json:"from_rv"` // predictions whose z was derived from RV
	Catastrophic int    `json:"catastrophic"`
	Rate         Num    `json:"catastrophic_rate"` // Catastrophic / N
	Bias         Num    `json:"bias"`              // mean Δ
	NMAD         Num    `json:"nmad"`              // 1.4826·median |Δ − median Δ|
}

type zGroup struct {
	name    string
	classes []string
}

var redshiftGroups = []zGroup{
	{"QSO", []string{"QSO"}},
	{"GALAXY", []string{"GALAXY"}},
	{"STAR", []string{"O", "B", "A", "F", "G", "K", "M", "CARBON", "CV"}},
}

func (g zGroup) has(class int) bool {
	if class < 0 || class >= dataset.NumClasses {
		return false
	}
	for _, n := range g.classes {
		if strings.EqualFold(n, dataset.ClassNames[class]) {
			return true
		}
	}
	return false
}

// zOf returns p's redshift, derived from its RV when it has none, and
// whether it was derived.
func zOf(p [dataset.NumParams]float64) (float64, bool) {
	if finite(p[dataset.ParamZ]) {
		return p[dataset.ParamZ], false
	}
	if finite(p[dataset.ParamRV]) {
		return p[dataset.ParamRV] / SpeedOfLightKmS, true
	}
	return math.NaN(), false
}

func redshift(recs []Record, g zGroup, dz float64) RedshiftStats {
	st := RedshiftStats{Group: g.name}
	var d []float64
	for _, r := range recs {
		if !g.has(r.TrueClass) {
			continue
		}
		t, _ := zOf(r.True)
		if !finite(t) || t <= -1 {
			continue
		}
		y, derived := zOf(r.Pred)
		if !finite(y) {
			st.Missing++
			continue
		}
		if derived {
			st.FromRV++
		}
		e := (y - t) / (1 + t)
		d = append(d, e)
		if math.Abs(e) > dz {
			st.Catastrophic++
		}
	}
	st.N = len(d)
	st.Rate = ratio(st.Catastrophic, st.N)
	_, _, st.Bias, st.NMAD = errStats(d)
	st.NMAD *= 1.4826
	return st
}

// Target is one of the goals, checked on the records with S/N
// above Options.TargetMinSNR. Metric is "accuracy", "mae:PARAM" (PARAM as
// in dataset.ParamNames) or "catastrophic:GROUP" (GROUP as in
// RedshiftStats.Group).
type Target struct {
	Name      string  `json:"name"`
	Metric    string  `json:"metric"`
	AtLeast   bool    `json:"at_least"` // pass when value ≥ Threshold; else when value ≤ Threshold
	Threshold float64 `json:"threshold"`
}

// DefaultTargets are the targets of issue 4: class accuracy ≥ 97%, Teff
// MAE ≤ 100 K, logg ≤ 0.15 dex, [Fe/H] ≤ 0.10 dex, QSO catastrophic z ≤ 2%.
// The stellar-parameter targets are checked on the F, G and K stars
// (Summary.FGK), the domain of the Cannon baseline they are compared
// with; the reports also give the MAE over all stars.
func DefaultTargets() []Target {
	return []Target{
		{"class accuracy", "accuracy", true, 0.97},
		{"Teff MAE, F/G/K stars (K)", "mae-fgk:teff", false, 100},
		{"logg MAE, F/G/K stars (dex)", "mae-fgk:logg", false, 0.15},
		{"[Fe/H] MAE, F/G/K stars (dex)", "mae-fgk:feh", false, 0.10},
		{"QSO catastrophic z", "catastrophic:QSO", false, 0.02},
	}
}

// TargetResult is a target's check. Pass is false when Value is NaN (the
// metric could not be measured: no data, or the predictor does not
// predict it).
type TargetResult struct {
	Target
	Value Num  `json:"value"`
	N     int  `json:"n"` // records behind Value
	Pass  bool `json:"pass"`
}

func checkTargets(s Summary, ts []Target) []TargetResult {
	var out []TargetResult
	for _, t := range ts {
		v, n := metric(s, t.Metric)
		ok := !math.IsNaN(v) && (t.AtLeast && v >= t.Threshold || !t.AtLeast && v <= t.Threshold)
		out = append(out, TargetResult{Target: t, Value: Num(v), N: n, Pass: ok})
	}
	return out
}

// metric looks up a target's metric in s; NaN when unknown.
func metric(s Summary, name string) (float64, int) {
	kind, arg, _ := strings.Cut(name, ":")
	switch kind {
	case "accuracy":
		return float64(s.Classification.Accuracy), s.Classification.N
	case "mae":
		for _, p := range s.Params {
			if strings.EqualFold(p.Name, arg) {
				return float64(p.MAE), p.N
			}
		}
	case "mae-fgk":
		for _, p := range s.FGK {
			if strings.EqualFold(p.Name, arg) {
				return float64(p.MAE), p.N
			}
		}
	case "catastrophic":
		for _, z := range s.Redshift {
			if strings.EqualFold(z.Group, arg) {
				return float64(z.Rate), z.N
			}
		}
	}
	return math.NaN(), 0
}
