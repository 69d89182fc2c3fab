// Package evaluate scores a predictor (the model or a baseline) on a
// labelled test set: classification (accuracy, F1, confusion matrix),
// regression of each parameter with the calibration of its σ, redshift
// catastrophic rates, all binned by S/N, and the targets. It takes
// per-example truths and predictions and knows nothing of how they were
// made, so every predictor is scored by the same code on the same records.
package evaluate

import (
	"math"
	"slices"
	"strconv"

	"github.com/astroone/astroone-go/dataset"
)

// SpeedOfLightKmS is the speed of light in vacuum, km/s.
const SpeedOfLightKmS = 299792.458

// Record is one example's truth and one predictor's output. Parameters
// are in physical units (K, dex, km/s, redshift) and NaN where undefined
// (truth) or not predicted (Pred, Sigma). Build one with NewRecord so that
// nothing defaults to class 0 or to a zero prediction by accident.
type Record struct {
	ID        string                     `json:"id"`
	SNR       float64                    `json:"snr"`        // g-band S/N of the spectrum; NaN when unknown
	TrueClass int                        `json:"true_class"` // index into dataset.ClassNames; outside it = unlabelled
	Prob      []float64                  `json:"prob,omitempty"`
	PredClass int                        `json:"pred_class"` // used when Prob is empty; -1 = no class predicted
	True      [dataset.NumParams]float64 `json:"-"`
	Pred      [dataset.NumParams]float64 `json:"-"`
	Sigma     [dataset.NumParams]float64 `json:"-"` // predicted 1σ uncertainty; NaN or ≤ 0 = none
}

// NewRecord returns a record with the truths of l, no class prediction
// (PredClass −1) and every predicted parameter and σ NaN.
func NewRecord(id string, l dataset.Labels) Record {
	r := Record{ID: id, SNR: l.SNR, TrueClass: l.Class, PredClass: -1, True: l.Params}
	for i := range r.Pred {
		r.Pred[i], r.Sigma[i] = math.NaN(), math.NaN()
	}
	return r
}

// Predicted returns the predicted class index: the argmax of Prob (NaN
// entries ignored) when Prob is non-empty, else PredClass; −1 when there is
// none or it is not a valid class index.
func (r Record) Predicted() int {
	c := r.PredClass
	if len(r.Prob) > 0 {
		c = -1
		for i, p := range r.Prob {
			if !math.IsNaN(p) && (c < 0 || p > r.Prob[c]) {
				c = i
			}
		}
	}
	if c < 0 || c >= dataset.NumClasses {
		return -1
	}
	return c
}

// Options select the records and set the metrics' conventions. The zero
// value is the evaluation: all records, S/N bins [0,10), [10,20),
// [20,50), [50,∞), catastrophic |Δz|/(1+z) > 0.01, targets on S/N > 20.
type Options struct {
	MinSNR         float64           // keep records with SNR > MinSNR; ≤ 0: no S/N cut (NaN S/N kept)
	Keep           func(Record) bool `json:"-"` // further filter; nil keeps all
	Selection      string            // describes Keep in the report, e.g. "stars only"
	SNRBins        []float64         // lower bin edges, ascending; the last bin is open; nil: DefaultSNRBins
	CatastrophicDz float64           // catastrophic threshold on |Δz|/(1+z); 0: 0.01
	TargetMinSNR   float64           // targets are checked on SNR > this; 0: 20; < 0: on all records
	Targets        []Target          // nil: DefaultTargets()
}

// DefaultSNRBins are the lower edges of the default S/N bins.
var DefaultSNRBins = []float64{0, 10, 20, 50}

func (o Options) withDefaults() Options {
	if o.SNRBins == nil {
		o.SNRBins = DefaultSNRBins
	}
	o.SNRBins = slices.Clone(o.SNRBins)
	o.SNRBins = slices.DeleteFunc(o.SNRBins, func(x float64) bool { return math.IsNaN(x) })
	slices.Sort(o.SNRBins)
	o.SNRBins = slices.Compact(o.SNRBins)
	if o.CatastrophicDz == 0 {
		o.CatastrophicDz = 0.01
	}
	if o.TargetMinSNR == 0 {
		o.TargetMinSNR = 20
	}
	if o.Targets == nil {
		o.Targets = DefaultTargets()
	}
	return o
}

// Num is a metric value: float64 that is NaN when the metric is undefined
// (no data), written as null in JSON and "n/a" in tables.
type Num float64

// MarshalJSON writes null for NaN and ±Inf.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}

// Report is the evaluation of one predictor on one set of records.
type Report struct {
	Selection string         `json:"selection"` // which records: "all", "S/N > 20", ...
	Records   int            `json:"records"`   // records given
	Summary                  // metrics on the selected records
	Bins      []Bin          `json:"snr_bins"`
	Unbinned  int            `json:"unbinned"` // selected records with NaN S/N or below the first edge
	TargetSNR Num            `json:"target_min_snr"`
	Targets   []TargetResult `json:"targets"`
}

// Summary holds the metrics of one subset of records.
type Summary struct {
	N              int                           `json:"n"` // records in the subset
	Classification Classification                `json:"classification"`
	Params         [dataset.NumParams]ParamStats `json:"params"`
	// FGK are Teff, logg and [Fe/H] over the true F, G and K stars only:
	// the stars whose parameters a Cannon-like model is trained for and
	// where the Teff scale makes a MAE in kelvin comparable (an O star's
	// Teff is ten times a K star's).
	FGK      [3]ParamStats   `json:"fgk"`
	Redshift []RedshiftStats `json:"redshift"` // QSO, GALAXY, STAR
}

// Bin is the summary of the records with Lo ≤ SNR < Hi.
type Bin struct {
	Lo Num `json:"lo"`
	Hi Num `json:"hi"` // null (Inf) for the open last bin
	Summary
}

// Evaluate scores recs under opts.
func Evaluate(recs []Record, opts Options) Report {
	opts = opts.withDefaults()
	var sel []Record
	for _, r := range recs {
		if opts.MinSNR > 0 && !(r.SNR > opts.MinSNR) {
			continue
		}
		if opts.Keep != nil && !opts.Keep(r) {
			continue
		}
		sel = append(sel, r)
	}
	rep := Report{Selection: selection(opts), Records: len(recs), Summary: summarize(sel, opts)}
	for i, lo := range opts.SNRBins {
		hi := math.Inf(1)
		if i+1 < len(opts.SNRBins) {
			hi = opts.SNRBins[i+1]
		}
		var in []Record
		for _, r := range sel {
			if r.SNR >= lo && (r.SNR < hi || math.IsInf(hi, 1)) {
				in = append(in, r)
			}
		}
		rep.Bins = append(rep.Bins, Bin{Lo: Num(lo), Hi: Num(hi), Summary: summarize(in, opts)})
	}
	for _, r := range sel {
		if len(opts.SNRBins) == 0 || !(r.SNR >= opts.SNRBins[0]) {
			rep.Unbinned++
		}
	}
	tsel, tsnr := sel, math.NaN()
	if opts.TargetMinSNR > 0 {
		tsnr = opts.TargetMinSNR
		tsel = slices.DeleteFunc(slices.Clone(sel), func(r Record) bool { return !(r.SNR > tsnr) })
	}
	rep.TargetSNR = Num(tsnr)
	rep.Targets = checkTargets(summarize(tsel, opts), opts.Targets)
	return rep
}

func selection(o Options) string {
	s := "all"
	if o.MinSNR > 0 {
		s = "S/N > " + strconv.FormatFloat(o.MinSNR, 'g', -1, 64)
	}
	if o.Keep != nil {
		d := o.Selection
		if d == "" {
			d = "filtered"
		}
		if s == "all" {
			return d
		}
		return s + ", " + d
	}
	return s
}

func summarize(recs []Record, o Options) Summary {
	s := Summary{N: len(recs), Classification: classify(recs)}
	for p := range dataset.NumParams {
		s.Params[p] = regress(recs, p)
	}
	var fgk []Record
	for _, r := range recs {
		if fgkClasses[r.TrueClass] {
			fgk = append(fgk, r)
		}
	}
	for p := range s.FGK {
		s.FGK[p] = regress(fgk, p)
	}
	for _, g := range redshiftGroups {
		s.Redshift = append(s.Redshift, redshift(recs, g, o.CatastrophicDz))
	}
	return s
}

// fgkClasses are the class indices of F, G and K stars.
var fgkClasses = map[int]bool{
	dataset.ClassIndex("F"): true, dataset.ClassIndex("G"): true, dataset.ClassIndex("K"): true,
}

// ParamStats are the errors Δ = Pred − True of one parameter over the
// records where both are finite.
type ParamStats struct {
	Name    string `json:"name"`
	N       int    `json:"n"`       // pairs with truth and prediction
	Missing int    `json:"missing"` // truth defined, no prediction
	MAE     Num    `json:"mae"`
	RMSE    Num    `json:"rmse"`
	Bias    Num    `json:"bias"` // mean Δ
	MAD     Num    `json:"mad"`  // median absolute deviation: median |Δ − median Δ|
	NSigma  int    `json:"n_sigma"`
	Within1 Num    `json:"within_1sigma"` // fraction of the NSigma pairs with a σ > 0 where |Δ| ≤ σ (0.683 if calibrated)
	Within2 Num    `json:"within_2sigma"` // … |Δ| ≤ 2σ (0.954 if calibrated)
}

func regress(recs []Record, p int) ParamStats {
	st := ParamStats{Name: dataset.ParamNames[p]}
	var d []float64
	var in1, in2 int
	for _, r := range recs {
		t, y, s := r.True[p], r.Pred[p], r.Sigma[p]
		if !finite(t) {
			continue
		}
		if !finite(y) {
			st.Missing++
			continue
		}
		d = append(d, y-t)
		if finite(s) && s > 0 {
			st.NSigma++
			if math.Abs(y-t) <= s {
				in1++
			}
			if math.Abs(y-t) <= 2*s {
				in2++
			}
		}
	}
	st.N = len(d)
	st.MAE, st.RMSE, st.Bias, st.MAD = errStats(d)
	st.Within1, st.Within2 = ratio(in1, st.NSigma), ratio(in2, st.NSigma)
	return st
}

// errStats returns the mean |d|, √mean d², mean d and median |d − median d|;
// all NaN when d is empty.
func errStats(d []float64) (mae, rmse, bias, mad Num) {
	if len(d) == 0 {
		nan := Num(math.NaN())
		return nan, nan, nan, nan
	}
	var sa, s2, s float64
	for _, x := range d {
		sa += math.Abs(x)
		s2 += x * x
		s += x
	}
	n := float64(len(d))
	m := median(d)
	dev := make([]float64, len(d))
	for i, x := range d {
		dev[i] = math.Abs(x - m)
	}
	return Num(sa / n), Num(math.Sqrt(s2 / n)), Num(s / n), Num(median(dev))
}

// median of x (not modified); NaN when empty.
func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ratio(a, b int) Num {
	if b == 0 {
		return Num(math.NaN())
	}
	return Num(float64(a) / float64(b))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
