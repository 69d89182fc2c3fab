package evaluate

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/dataset"
)

func TestEmptyInput(t *testing.T) {
	for _, recs := range [][]Record{nil, {}, {NewRecord("u", dataset.Unlabelled())}} {
		rep := Evaluate(recs, Options{})
		near(t, "accuracy", rep.Classification.Accuracy, math.NaN(), 0)
		near(t, "teff MAE", rep.Params[dataset.ParamTeff].MAE, math.NaN(), 0)
		near(t, "QSO rate", rep.Redshift[0].Rate, math.NaN(), 0)
		for _, tr := range rep.Targets {
			if tr.Pass {
				t.Errorf("target %s passes on no data", tr.Name)
			}
		}
		var text, md bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), "n/a") || !strings.Contains(md.String(), "n/a") {
			t.Errorf("empty report does not say n/a:\n%s", text.String())
		}
		if strings.Contains(text.String(), "NaN") || strings.Contains(md.String(), "NaN") {
			t.Errorf("report prints NaN:\n%s", text.String())
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("JSON of an empty report: %v", err)
		}
	}
}

func sampleReport() Report {
	recs := threeClass()
	for i := range recs {
		recs[i].True[dataset.ParamTeff] = 5000
		recs[i].Pred[dataset.ParamTeff] = 5000 + float64(10*i)
		recs[i].Sigma[dataset.ParamTeff] = 50
	}
	recs = append(recs, rec(math.NaN(), cO, -1))
	return Evaluate(recs, Options{})
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Evaluation on all: 13 of 13 records",
		"accuracy 61.54%", // 8 of 13 (one without a prediction)
		"true \\ pred",
		"Teff (K)",
		"≥ 50",
		"no S/N",
		"Targets on S/N > 20",
		"class accuracy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// Confusion rows are aligned: the matrix's rows have equal widths.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "true \\ pred") {
			for _, row := range lines[i+1 : i+4] {
				if len([]rune(row)) != len([]rune(l)) {
					t.Errorf("confusion row %q not aligned with header %q", row, l)
				}
			}
			if !strings.HasSuffix(l, "none") || !strings.HasSuffix(lines[i+1], "1") {
				t.Errorf("unpredicted column missing: %q / %q", l, lines[i+1])
			}
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "| class | support | predicted | precision | recall | F1 |\n|---|--:|--:|--:|--:|--:|\n") {
		t.Errorf("markdown class table malformed:\n%s", out)
	}
	if !strings.Contains(out, "| O | 5 | 4 | 0.7500 | 0.6000 | 0.6667 |") { // O: TP 3, support 4+1, predicted 4
		t.Errorf("markdown O row wrong:\n%s", out)
	}
	// Every table row has the same number of cells as its header.
	var cols int
	for _, l := range strings.Split(out, "\n") {
		switch {
		case !strings.HasPrefix(l, "|"):
			cols = 0
		case cols == 0:
			cols = strings.Count(l, "|")
		case strings.Count(l, "|") != cols:
			t.Errorf("row %q has %d bars, header %d", l, strings.Count(l, "|"), cols)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := sampleReport()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"accuracy":0.6153846153846154`, `"hi":null`, `"mae":null`, `"unpredicted":1`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s: %s", want, s)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Classification.Accuracy != rep.Classification.Accuracy || back.Params[0].RMSE != rep.Params[0].RMSE ||
		!math.IsNaN(float64(back.Params[1].MAE)) || back.Bins[1].N != rep.Bins[1].N || back.Targets[0].Pass != rep.Targets[0].Pass {
		t.Errorf("round trip differs:\n%+v\n%+v", back.Summary.Params[0], rep.Summary.Params[0])
	}
}

func TestCompare(t *testing.T) {
	good := sampleReport()
	var none []Record // a predictor that predicts no class
	for _, r := range threeClass() {
		r.PredClass, r.Prob = -1, nil
		none = append(none, r)
	}
	bad := Evaluate(none, Options{})
	var b bytes.Buffer
	if err := Compare(&b, []string{"model", "cannon"}, []Report{good, bad}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"metric", "model", "cannon", "class accuracy", "61.54%", "QSO catastrophic z", "≥ 97%", "≤ 100"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "class accuracy  ≥") && !strings.HasSuffix(l, "n/a FAIL") {
			t.Errorf("target row for a non-classifier: %q", l)
		}
	}
	b.Reset()
	if err := CompareMarkdown(&b, []string{"a"}, []Report{good}); err != nil || !strings.Contains(b.String(), "| metric | a |") {
		t.Errorf("markdown compare: %v\n%s", err, b.String())
	}
	if err := Compare(&b, []string{"a"}, []Report{good, bad}); err == nil {
		t.Error("mismatched names accepted")
	}
	if err := Compare(&b, nil, nil); err == nil {
		t.Error("no reports accepted")
	}
}

func FuzzNumJSON(f *testing.F) {
	for _, s := range []string{"null", "1.5", "-0", "1e308", "nan", "", "\"1\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n Num
		if err := n.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		b, err := n.MarshalJSON()
		if err != nil {
			t.Fatalf("%q: marshal %v", s, err)
		}
		var m Num
		if err := m.UnmarshalJSON(b); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		same := m == n || math.IsNaN(float64(m)) && !finite(float64(n))
		if !same {
			t.Errorf("%q: %v → %s → %v", s, n, b, m)
		}
	})
}

// FuzzEvaluate builds records from bytes and checks invariants that hold
// for any input: no panic, counts add up, fractions lie in [0, 1].
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{255, 0, 255, 0, 128, 7, 200, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		vals := []float64{math.NaN(), math.Inf(1), -1, 0, 0.5, 1, 2, 10, 25, 5000, -2}
		at := func(i int) byte { return data[i%len(data)] }
		if len(data) == 0 {
			return
		}
		var recs []Record
		for i := 0; i < len(data); i += 4 {
			r := Record{SNR: vals[int(at(i))%len(vals)], TrueClass: int(at(i+1)%13) - 1, PredClass: int(at(i+2)%13) - 1}
			for p := range dataset.NumParams {
				r.True[p] = vals[int(at(i+p))%len(vals)]
				r.Pred[p] = vals[int(at(i+p+1))%len(vals)]
				r.Sigma[p] = vals[int(at(i+p+2))%len(vals)]
			}
			if at(i+3)%3 == 0 {
				r.Prob = []float64{vals[int(at(i))%len(vals)], vals[int(at(i+1))%len(vals)], vals[int(at(i+3))%len(vals)]}
			}
			recs = append(recs, r)
		}
		rep := Evaluate(recs, Options{})
		c := rep.Classification
		sum := c.Unpredicted
		for _, row := range c.Confusion {
			for _, v := range row {
				sum += v
			}
		}
		if sum != c.N {
			t.Errorf("confusion %d + unpredicted != N %d", sum, c.N)
		}
		unit := func(what string, v Num) {
			if x := float64(v); !math.IsNaN(x) && (x < 0 || x > 1) {
				t.Errorf("%s = %v outside [0, 1]", what, x)
			}
		}
		unit("accuracy", c.Accuracy)
		unit("weighted F1", c.WeightedF1)
		unit("macro F1", c.MacroF1)
		for _, p := range rep.Params {
			unit(p.Name+" within 1σ", p.Within1)
			unit(p.Name+" within 2σ", p.Within2)
			if p.Within2 < p.Within1 || p.MAE > p.RMSE*(1+1e-12) {
				t.Errorf("%s: %+v", p.Name, p)
			}
		}
		binned := rep.Unbinned
		for _, b := range rep.Bins {
			binned += b.N
		}
		if binned != rep.N {
			t.Errorf("bins hold %d of %d", binned, rep.N)
		}
		if err := rep.WriteText(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
	})
}
