package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/dataset"
)

const (
	cO      = 0
	cB      = 1
	cA      = 2
	cCV     = 8
	cQSO    = 9
	cGalaxy = 10
)

// rec returns a record with class truth t and prediction p and no
// parameters.
func rec(snr float64, t, p int) Record {
	l := dataset.Unlabelled()
	l.Class, l.SNR = t, snr
	r := NewRecord("x", l)
	r.PredClass = p
	return r
}

func near(t *testing.T, what string, got Num, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(float64(got)) {
			t.Errorf("%s = %v, want NaN", what, got)
		}
		return
	}
	if math.Abs(float64(got)-want) > tol {
		t.Errorf("%s = %.6g, want %.6g (±%g)", what, float64(got), want, tol)
	}
}

// threeClass is a confusion matrix worked out by hand (rows true O, B, A;
// columns predicted O, B, A):
//
//	O: 3 1 0   support 4
//	B: 0 2 1   support 3
//	A: 1 1 3   support 5
//	predicted  4 4 4
func threeClass() []Record {
	m := [3][3]int{{3, 1, 0}, {0, 2, 1}, {1, 1, 3}}
	var recs []Record
	for t := range 3 {
		for p := range 3 {
			for range m[t][p] {
				r := rec(30, t, -1)
				if p == 1 { // exercise the probability path too
					r.Prob = make([]float64, dataset.NumClasses)
					r.Prob[1], r.Prob[0] = 0.6, 0.3
				} else {
					r.PredClass = p
				}
				recs = append(recs, r)
			}
		}
	}
	return recs
}

func TestClassificationByHand(t *testing.T) {
	c := Evaluate(threeClass(), Options{}).Classification
	if c.N != 12 || c.Unpredicted != 0 {
		t.Fatalf("N %d unpredicted %d, want 12, 0", c.N, c.Unpredicted)
	}
	want := [3][3]int{{3, 1, 0}, {0, 2, 1}, {1, 1, 3}}
	for i := range 3 {
		for j := range 3 {
			if c.Confusion[i][j] != want[i][j] {
				t.Errorf("confusion[%d][%d] = %d, want %d", i, j, c.Confusion[i][j], want[i][j])
			}
		}
	}
	near(t, "accuracy", c.Accuracy, 8.0/12, 1e-12)
	// O: P 3/4 R 3/4; B: P 2/4 R 2/3 F1 = 2·(1/2)(2/3)/(1/2+2/3) = 4/7; A: P 3/4 R 3/5 F1 2/3.
	type prf struct{ p, r, f float64 }
	for i, w := range []prf{{0.75, 0.75, 0.75}, {0.5, 2.0 / 3, 4.0 / 7}, {0.75, 0.6, 2.0 / 3}} {
		s := c.Classes[i]
		near(t, s.Name+" precision", s.Precision, w.p, 1e-12)
		near(t, s.Name+" recall", s.Recall, w.r, 1e-12)
		near(t, s.Name+" F1", s.F1, w.f, 1e-12)
		if f := 2 * w.p * w.r / (w.p + w.r); math.Abs(f-w.f) > 1e-12 {
			t.Fatalf("hand F1 of %s inconsistent: %v vs %v", s.Name, f, w.f)
		}
	}
	near(t, "weighted F1", c.WeightedF1, (4*0.75+3*4.0/7+5*2.0/3)/12, 1e-12) // 169/252
	near(t, "macro F1", c.MacroF1, (0.75+4.0/7+2.0/3)/3, 1e-12)              // 167/252
	for i := 3; i < dataset.NumClasses; i++ {
		s := c.Classes[i]
		if s.Support != 0 || s.Predicted != 0 || !math.IsNaN(float64(s.F1)) {
			t.Errorf("absent class %s: %+v, want zero counts and NaN F1", s.Name, s)
		}
	}
}

func TestClassificationUnpredictedAndNoClassifier(t *testing.T) {
	// Two right, one wrong, one without a prediction (NaN probabilities): the
	// last is a false negative of its true class.
	nanProb := rec(30, cO, 5)
	nanProb.Prob = []float64{math.NaN(), math.NaN()}
	recs := []Record{rec(30, cO, cO), rec(30, cB, cB), rec(30, cB, cO), nanProb, rec(30, -1, cO)}
	c := Evaluate(recs, Options{}).Classification
	if c.N != 4 || c.Unpredicted != 1 || c.Unclassified[cO] != 1 {
		t.Fatalf("N %d unpredicted %d unclassified[O] %d; want 4, 1, 1", c.N, c.Unpredicted, c.Unclassified[cO])
	}
	near(t, "accuracy", c.Accuracy, 0.5, 1e-12)
	near(t, "O recall", c.Classes[cO].Recall, 0.5, 1e-12)   // 1 of support 2
	near(t, "O precision", c.Classes[cO].Precision, 0.5, 0) // 1 of 2 predicted
	near(t, "B recall", c.Classes[cB].Recall, 0.5, 1e-12)   // 1 of 2
	near(t, "B precision", c.Classes[cB].Precision, 1, 1e-12)
	// F1 = 2TP/(support+predicted): O 2/4, B 2/3; weighted by support 2 and 2
	// over all 4 labelled records, the unpredicted one included.
	near(t, "weighted F1", c.WeightedF1, (2*0.5+2*2.0/3)/4, 1e-12)
	near(t, "macro F1", c.MacroF1, (0.5+2.0/3)/2, 1e-12)

	// A regression-only predictor: no class predictions at all.
	none := []Record{rec(30, cO, -1), rec(30, cB, -1)}
	c = Evaluate(none, Options{}).Classification
	near(t, "accuracy without a classifier", c.Accuracy, math.NaN(), 0)
	near(t, "weighted F1 without a classifier", c.WeightedF1, math.NaN(), 0)
	near(t, "macro F1 without a classifier", c.MacroF1, math.NaN(), 0)
}

func TestPredicted(t *testing.T) {
	for _, tc := range []struct {
		r    Record
		want int
	}{
		{Record{PredClass: 3}, 3},
		{Record{PredClass: -1}, -1},
		{Record{PredClass: dataset.NumClasses}, -1},
		{Record{PredClass: 3, Prob: []float64{0.1, 0.7, 0.2}}, 1},
		{Record{PredClass: 3, Prob: []float64{math.NaN(), 0.2, 0.5}}, 2},
		{Record{Prob: make([]float64, dataset.NumClasses+1)}, 0}, // tie: the first
		{Record{Prob: append(make([]float64, dataset.NumClasses), 1)}, -1},
	} {
		if got := tc.r.Predicted(); got != tc.want {
			t.Errorf("Predicted(%+v) = %d, want %d", tc.r, got, tc.want)
		}
	}
}

func TestRegressionByHand(t *testing.T) {
	var recs []Record
	add := func(truth, pred, sigma float64) {
		r := rec(30, cA, cA)
		r.True[dataset.ParamTeff], r.Pred[dataset.ParamTeff], r.Sigma[dataset.ParamTeff] = truth, pred, sigma
		recs = append(recs, r)
	}
	add(5000, 5100, 150)        // Δ +100, within 1σ
	add(6000, 5900, 50)         // Δ −100, within 2σ exactly (≤)
	add(7000, 7300, 200)        // Δ +300, within 2σ
	add(4000, 4000, math.NaN()) // Δ 0, no σ
	add(4500, math.NaN(), 10)   // missing
	add(math.NaN(), 4000, 10)   // no truth: ignored
	add(4200, math.Inf(1), 10)  // not finite: missing
	p := Evaluate(recs, Options{}).Params[dataset.ParamTeff]
	if p.N != 4 || p.Missing != 2 || p.NSigma != 3 {
		t.Fatalf("N %d missing %d with σ %d; want 4, 2, 3", p.N, p.Missing, p.NSigma)
	}
	near(t, "MAE", p.MAE, 125, 1e-9)
	near(t, "RMSE", p.RMSE, math.Sqrt(27500), 1e-9)
	near(t, "bias", p.Bias, 75, 1e-9)
	near(t, "MAD", p.MAD, 100, 1e-9) // Δ sorted −100 0 100 300, median 50; |Δ−50| = 150 50 50 250 → 100
	near(t, "within 1σ", p.Within1, 1.0/3, 1e-12)
	near(t, "within 2σ", p.Within2, 1, 1e-12)
	if p.Name != "teff" {
		t.Errorf("name %q", p.Name)
	}
	logg := Evaluate(recs, Options{}).Params[dataset.ParamLogg]
	if logg.N != 0 || logg.Missing != 0 {
		t.Errorf("logg N %d missing %d, want 0, 0", logg.N, logg.Missing)
	}
	near(t, "logg MAE without data", logg.MAE, math.NaN(), 0)
	near(t, "logg within 1σ without data", logg.Within1, math.NaN(), 0)
}

func TestMedianOddEven(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if m := median(nil); !math.IsNaN(m) {
		t.Errorf("median empty = %v", m)
	}
}

// A well calibrated σ holds ≈68.27% of Gaussian errors within 1σ and
// ≈95.45% within 2σ; an over-confident one (σ halved) far fewer.
func TestCalibrationGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	var good, over []Record
	for range n {
		s := 0.05 + 0.2*rng.Float64()
		r := rec(30, cG, cG)
		r.True[dataset.ParamLogg] = 4
		r.Pred[dataset.ParamLogg] = 4 + s*rng.NormFloat64()
		r.Sigma[dataset.ParamLogg] = s
		good = append(good, r)
		r.Sigma[dataset.ParamLogg] = s / 2
		over = append(over, r)
	}
	tol1 := 4 * math.Sqrt(0.6827*0.3173/n) // 4 standard errors: 0.013
	tol2 := 4 * math.Sqrt(0.9545*0.0455/n)
	p := Evaluate(good, Options{}).Params[dataset.ParamLogg]
	near(t, "within 1σ", p.Within1, math.Erf(1/math.Sqrt2), tol1)
	near(t, "within 2σ", p.Within2, math.Erf(2/math.Sqrt2), tol2)
	p = Evaluate(over, Options{}).Params[dataset.ParamLogg]
	near(t, "within 1σ (σ halved)", p.Within1, math.Erf(0.5/math.Sqrt2), tol1) // 0.383
}

const cG = 4

func TestRedshiftCatastrophic(t *testing.T) {
	var recs []Record
	z := func(class int, tz, pz float64) {
		r := rec(30, class, class)
		r.True[dataset.ParamZ], r.Pred[dataset.ParamZ] = tz, pz
		recs = append(recs, r)
	}
	// QSOs: |Δz|/(1+z) = 0.0075, 0.00667, 0, 0.0667 → 1 catastrophic of 4.
	z(cQSO, 1, 1.015)
	z(cQSO, 2, 2.02)
	z(cQSO, 3, 3)
	z(cQSO, 0.5, 0.6)
	z(cQSO, 1.5, math.NaN()) // missing, not in the rate
	// Galaxies: 0.2 → 0.25 is 0.0417 (catastrophic), 0.1 → 0.105 is 0.0045.
	z(cGalaxy, 0.2, 0.25)
	z(cGalaxy, 0.1, 0.105)
	// A CV with RV only, truth and prediction: z = RV/c on both sides.
	s := rec(30, cCV, cCV)
	s.True[dataset.ParamRV], s.Pred[dataset.ParamRV] = 30, 33
	recs = append(recs, s)
	// A star whose predictor gives z directly (not derived).
	s2 := rec(30, cA, cA)
	s2.True[dataset.ParamRV], s2.Pred[dataset.ParamZ] = -60, -60/SpeedOfLightKmS
	recs = append(recs, s2)

	rs := Evaluate(recs, Options{}).Redshift
	if len(rs) != 3 || rs[0].Group != "QSO" || rs[1].Group != "GALAXY" || rs[2].Group != "STAR" {
		t.Fatalf("groups %+v", rs)
	}
	q, g, st := rs[0], rs[1], rs[2]
	if q.N != 4 || q.Missing != 1 || q.Catastrophic != 1 {
		t.Errorf("QSO N %d missing %d catastrophic %d; want 4, 1, 1", q.N, q.Missing, q.Catastrophic)
	}
	near(t, "QSO rate", q.Rate, 0.25, 1e-12)
	near(t, "QSO bias", q.Bias, (0.015/2+0.02/3+0+0.1/1.5)/4, 1e-12)
	// Δ = 0.0075, 0.00667, 0, 0.0667: median 0.00708; deviations 0.00042,
	// 0.00042, 0.00708, 0.0596: median 0.00375; ×1.4826.
	near(t, "QSO NMAD", q.NMAD, 1.4826*0.00375, 1e-9)
	near(t, "galaxy rate", g.Rate, 0.5, 1e-12)
	if st.N != 2 || st.FromRV != 1 || st.Catastrophic != 0 {
		t.Errorf("STAR N %d from RV %d catastrophic %d; want 2, 1, 0", st.N, st.FromRV, st.Catastrophic)
	}
	// Δ = (3/c)/(1+30/c) and 0: bias is half the first.
	c := SpeedOfLightKmS
	near(t, "star bias", st.Bias, 3/c/(1+30/c)/2, 1e-15)

	// A stricter threshold makes more catastrophes.
	rs = Evaluate(recs, Options{CatastrophicDz: 0.005}).Redshift
	if rs[0].Catastrophic != 3 || rs[1].Catastrophic != 1 {
		t.Errorf("at 0.005: QSO %d galaxy %d catastrophic; want 3, 1", rs[0].Catastrophic, rs[1].Catastrophic)
	}
}

// |Δz|/(1+z) exactly at the threshold is not catastrophic (the definition
// is a strict >).
func TestCatastrophicEdge(t *testing.T) {
	var recs []Record
	for _, pz := range []float64{0.01, -0.01, 0.0100001} {
		r := rec(30, cGalaxy, cGalaxy)
		r.True[dataset.ParamZ], r.Pred[dataset.ParamZ] = 0, pz
		recs = append(recs, r)
	}
	if g := Evaluate(recs, Options{}).Redshift[1]; g.N != 3 || g.Catastrophic != 1 {
		t.Errorf("galaxy N %d catastrophic %d, want 3, 1", g.N, g.Catastrophic)
	}
}

func TestSNRBinsAndFilter(t *testing.T) {
	snrs := []float64{0, 9.999, 10, 19.9, 20, 50, 1000, math.NaN(), -1}
	var recs []Record
	for _, s := range snrs {
		recs = append(recs, rec(s, cO, cO))
	}
	rep := Evaluate(recs, Options{})
	wantN := []int{2, 2, 1, 2}
	wantLo := []float64{0, 10, 20, 50}
	if len(rep.Bins) != 4 {
		t.Fatalf("%d bins", len(rep.Bins))
	}
	for i, b := range rep.Bins {
		if b.N != wantN[i] || float64(b.Lo) != wantLo[i] {
			t.Errorf("bin %d: lo %v N %d, want %v %d", i, b.Lo, b.N, wantLo[i], wantN[i])
		}
	}
	if !math.IsInf(float64(rep.Bins[3].Hi), 1) || float64(rep.Bins[2].Hi) != 50 {
		t.Errorf("bin upper edges %v %v", rep.Bins[2].Hi, rep.Bins[3].Hi)
	}
	if rep.Unbinned != 2 || rep.N != 9 || rep.Selection != "all" {
		t.Errorf("unbinned %d N %d selection %q; want 2, 9, all", rep.Unbinned, rep.N, rep.Selection)
	}
	// Targets use S/N > 20 strictly: 50 and 1000.
	if rep.Targets[0].N != 2 {
		t.Errorf("target records %d, want 2", rep.Targets[0].N)
	}

	// Custom edges are sorted and deduplicated; MinSNR keeps S/N > 20 only.
	rep = Evaluate(recs, Options{SNRBins: []float64{20, 5, 5}, MinSNR: 20})
	if rep.N != 2 || rep.Selection != "S/N > 20" || len(rep.Bins) != 2 || rep.Bins[0].N != 0 || rep.Bins[1].N != 2 {
		t.Errorf("MinSNR 20 with bins {5, 20}: N %d selection %q bins %+v", rep.N, rep.Selection, rep.Bins)
	}
	rep = Evaluate(recs, Options{Keep: func(r Record) bool { return r.SNR < 15 }, Selection: "low S/N", TargetMinSNR: -1})
	if rep.N != 4 || rep.Selection != "low S/N" || rep.Targets[0].N != 4 {
		t.Errorf("Keep: N %d selection %q target N %d; want 4, low S/N, 4", rep.N, rep.Selection, rep.Targets[0].N)
	}
}

func TestTargets(t *testing.T) {
	var recs []Record
	for i := range 100 {
		r := rec(40, cG, cG)
		if i < 2 { // 98% right on S/N > 20
			r.PredClass = cA
		}
		r.True[dataset.ParamTeff], r.Pred[dataset.ParamTeff] = 5000, 5080 // MAE 80 K: pass
		r.True[dataset.ParamLogg], r.Pred[dataset.ParamLogg] = 4.4, 4.2   // MAE 0.2: fail
		r.True[dataset.ParamFeH] = -0.5                                   // not predicted: n/a, fail
		recs = append(recs, r)
	}
	for range 50 { // wrong and noisy at low S/N: excluded from the targets
		r := rec(5, cG, cO)
		r.True[dataset.ParamTeff], r.Pred[dataset.ParamTeff] = 5000, 9000
		recs = append(recs, r)
	}
	q := rec(40, cQSO, cQSO)
	q.True[dataset.ParamZ], q.Pred[dataset.ParamZ] = 2, 2.001
	recs = append(recs, q)

	rep := Evaluate(recs, Options{})
	want := []struct {
		pass  bool
		value float64
	}{{true, 99.0 / 101}, {true, 80}, {false, 0.2}, {false, math.NaN()}, {true, 0}}
	if len(rep.Targets) != len(want) {
		t.Fatalf("%d targets", len(rep.Targets))
	}
	for i, w := range want {
		tr := rep.Targets[i]
		if tr.Pass != w.pass {
			t.Errorf("%s: pass %v, want %v (value %v)", tr.Name, tr.Pass, w.pass, tr.Value)
		}
		near(t, tr.Name, tr.Value, w.value, 1e-9)
	}
	if float64(rep.TargetSNR) != 20 {
		t.Errorf("target S/N %v", rep.TargetSNR)
	}
	// Overall (all S/N) accuracy is lower than the target subset's.
	near(t, "overall accuracy", rep.Classification.Accuracy, 99.0/151, 1e-12)

	custom := Evaluate(recs, Options{Targets: []Target{{"bogus", "nonsense:x", true, 1}, {"rv", "mae:RV_KMS", false, 1}}})
	for _, tr := range custom.Targets {
		if tr.Pass || !math.IsNaN(float64(tr.Value)) {
			t.Errorf("%s: %+v, want NaN and fail", tr.Name, tr)
		}
	}
}

func TestNewRecord(t *testing.T) {
	l := dataset.Unlabelled()
	l.Class, l.SNR, l.Params[dataset.ParamTeff] = cB, 12, 15000
	r := NewRecord("id1", l)
	if r.ID != "id1" || r.SNR != 12 || r.TrueClass != cB || r.Predicted() != -1 || r.True[dataset.ParamTeff] != 15000 {
		t.Errorf("NewRecord: %+v", r)
	}
	for i := range dataset.NumParams {
		if !math.IsNaN(r.Pred[i]) || !math.IsNaN(r.Sigma[i]) {
			t.Errorf("param %d: pred %v sigma %v, want NaN", i, r.Pred[i], r.Sigma[i])
		}
	}
}

func TestFGKSubsetAndTargets(t *testing.T) {
	g, k := dataset.ClassIndex("G"), dataset.ClassIndex("K")
	mk := func(class int, teff, pred float64) Record {
		r := rec(30, class, class)
		r.True[dataset.ParamTeff], r.Pred[dataset.ParamTeff] = teff, pred
		r.True[dataset.ParamLogg], r.Pred[dataset.ParamLogg] = 4, 4.1
		return r
	}
	// An O star 3,000 K off and a G and a K star 50 and 90 K off: the
	// all-star MAE is (3000+50+90)/3, the F/G/K one (50+90)/2.
	recs := []Record{mk(cO, 35000, 38000), mk(g, 5800, 5750), mk(k, 4500, 4590)}
	rep := Evaluate(recs, Options{})
	near(t, "all-star Teff MAE", rep.Params[dataset.ParamTeff].MAE, 3140.0/3, 1e-9)
	near(t, "F/G/K Teff MAE", rep.FGK[dataset.ParamTeff].MAE, 70, 1e-9)
	if rep.FGK[dataset.ParamTeff].N != 2 || rep.FGK[dataset.ParamLogg].N != 2 {
		t.Errorf("F/G/K subset counts %d, %d, want 2", rep.FGK[dataset.ParamTeff].N, rep.FGK[dataset.ParamLogg].N)
	}
	for _, tr := range rep.Targets {
		switch tr.Metric {
		case "mae-fgk:teff":
			if !tr.Pass || float64(tr.Value) != 70 {
				t.Errorf("Teff target %+v, want a pass at 70 K", tr)
			}
		case "mae-fgk:logg":
			if !tr.Pass || math.Abs(float64(tr.Value)-0.1) > 1e-9 {
				t.Errorf("logg target %+v, want a pass at 0.1 dex", tr)
			}
		}
	}
}
