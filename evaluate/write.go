package evaluate

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/astroone/astroone-go/dataset"
)

// paramLabel and paramFormat give each parameter's display name (with
// its unit) and number format.
var (
	paramLabel  = [dataset.NumParams]string{"Teff (K)", "logg (dex)", "[Fe/H] (dex)", "RV (km/s)", "z"}
	paramFormat = [dataset.NumParams]string{"%.1f", "%.3f", "%.3f", "%.2f", "%.5f"}
)

// table is a grid of cells rendered as aligned text (first column left,
// the others right) or as a Markdown table.
type table struct {
	title string
	rows  [][]string // rows[0] is the header
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer, md bool) error {
	var b strings.Builder
	if md {
		if t.title != "" {
			fmt.Fprintf(&b, "**%s**\n\n", t.title)
		}
		for i, r := range t.rows {
			b.WriteString("| " + strings.Join(escape(r), " | ") + " |\n")
			if i == 0 {
				b.WriteString("|---" + strings.Repeat("|--:", len(r)-1) + "|\n")
			}
		}
	} else {
		if t.title != "" {
			b.WriteString(t.title + "\n")
		}
		width := map[int]int{}
		for _, r := range t.rows {
			for j, c := range r {
				width[j] = max(width[j], utf8.RuneCountInString(c))
			}
		}
		for _, r := range t.rows {
			var line strings.Builder
			for j, c := range r {
				pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
				if j == 0 {
					line.WriteString(c + pad)
				} else {
					line.WriteString("  " + pad + c)
				}
			}
			b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func escape(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// num formats v with format f, or "n/a" when v is NaN or infinite.
func num(f string, v Num) string {
	if !finite(float64(v)) {
		return "n/a"
	}
	return fmt.Sprintf(f, float64(v))
}

func pct(v Num) string { return num("%.2f%%", v*100) }

func snrRange(b Bin) string {
	if math.IsInf(float64(b.Hi), 1) {
		return fmt.Sprintf("≥ %g", float64(b.Lo))
	}
	return fmt.Sprintf("[%g, %g)", float64(b.Lo), float64(b.Hi))
}

// WriteText writes r as aligned plain-text tables.
func (r Report) WriteText(w io.Writer) error { return r.write(w, false) }

// WriteMarkdown writes r as Markdown tables (for docs/EVALUATION.md).
func (r Report) WriteMarkdown(w io.Writer) error { return r.write(w, true) }

func (r Report) write(w io.Writer, md bool) error {
	c := r.Classification
	head := fmt.Sprintf("Evaluation on %s: %d of %d records", r.Selection, r.N, r.Records)
	cls := fmt.Sprintf("Classification: %d labelled, %d without a prediction; accuracy %s, weighted F1 %s, macro F1 %s",
		c.N, c.Unpredicted, pct(c.Accuracy), num("%.4f", c.WeightedF1), num("%.4f", c.MacroF1))
	if md {
		head, cls = "### "+head, cls+"."
	}
	if _, err := fmt.Fprintf(w, "%s\n\n%s\n\n", head, cls); err != nil {
		return err
	}
	var ts []*table
	if c.N > c.Unpredicted {
		pc := &table{title: "Per class"}
		pc.add("class", "support", "predicted", "precision", "recall", "F1")
		for _, s := range c.Classes {
			if s.Support+s.Predicted > 0 {
				pc.add(s.Name, fmt.Sprint(s.Support), fmt.Sprint(s.Predicted),
					num("%.4f", s.Precision), num("%.4f", s.Recall), num("%.4f", s.F1))
			}
		}
		ts = append(ts, pc, confusion(c))
	}
	pt := &table{title: "Parameters (Δ = predicted − true; MAD = median |Δ − median Δ|; within kσ: calibration of the predicted σ)"}
	pt.add("parameter", "N", "missing", "MAE", "RMSE", "bias", "MAD", "with σ", "within 1σ", "within 2σ")
	for i, p := range r.Params {
		f := paramFormat[i]
		pt.add(paramLabel[i], fmt.Sprint(p.N), fmt.Sprint(p.Missing), num(f, p.MAE), num(f, p.RMSE), num(f, p.Bias),
			num(f, p.MAD), fmt.Sprint(p.NSigma), num("%.3f", p.Within1), num("%.3f", p.Within2))
	}
	for i, p := range r.FGK {
		f := paramFormat[i]
		pt.add(paramLabel[i]+", F/G/K", fmt.Sprint(p.N), fmt.Sprint(p.Missing), num(f, p.MAE), num(f, p.RMSE), num(f, p.Bias),
			num(f, p.MAD), fmt.Sprint(p.NSigma), num("%.3f", p.Within1), num("%.3f", p.Within2))
	}
	zt := &table{title: "Redshift (Δ = (ẑ − z)/(1+z); stars' z = RV/c where only RV is given)"}
	zt.add("group", "N", "missing", "from RV", "catastrophic", "rate", "bias", "NMAD")
	for _, z := range r.Redshift {
		zt.add(z.Group, fmt.Sprint(z.N), fmt.Sprint(z.Missing), fmt.Sprint(z.FromRV), fmt.Sprint(z.Catastrophic),
			pct(z.Rate), num("%.2e", z.Bias), num("%.2e", z.NMAD))
	}
	ts = append(ts, pt, zt, r.binTable())
	tt := &table{title: "Targets on " + r.targetSelection()}
	tt.add("target", "goal", "value", "N", "result")
	for _, t := range r.Targets {
		tt.add(t.Name, goal(t.Target), targetValue(t), fmt.Sprint(t.N), passFail(t))
	}
	ts = append(ts, tt)
	for _, t := range ts {
		if err := t.write(w, md); err != nil {
			return err
		}
	}
	return nil
}

func confusion(c Classification) *table {
	var used []int // classes that are true or predicted, in index order
	for i, s := range c.Classes {
		if s.Support+s.Predicted > 0 {
			used = append(used, i)
		}
	}
	t := &table{title: "Confusion matrix (rows: true class, columns: predicted)"}
	hdr := []string{"true \\ pred"}
	for _, j := range used {
		hdr = append(hdr, dataset.ClassNames[j])
	}
	if c.Unpredicted > 0 {
		hdr = append(hdr, "none")
	}
	t.add(hdr...)
	for _, i := range used {
		row := []string{dataset.ClassNames[i]}
		for _, j := range used {
			row = append(row, fmt.Sprint(c.Confusion[i][j]))
		}
		if c.Unpredicted > 0 {
			row = append(row, fmt.Sprint(c.Unclassified[i]))
		}
		t.add(row...)
	}
	return t
}

func (r Report) binTable() *table {
	t := &table{title: "By S/N (MAE; catastrophic z rates)"}
	hdr := []string{"S/N", "N", "accuracy"}
	for i := range dataset.NumParams {
		hdr = append(hdr, paramLabel[i])
	}
	for _, z := range r.Redshift {
		hdr = append(hdr, z.Group+" cat.")
	}
	t.add(hdr...)
	for _, b := range r.Bins {
		row := []string{snrRange(b), fmt.Sprint(b.N), pct(b.Classification.Accuracy)}
		for i, p := range b.Params {
			row = append(row, num(paramFormat[i], p.MAE))
		}
		for _, z := range b.Redshift {
			row = append(row, pct(z.Rate))
		}
		t.add(row...)
	}
	if r.Unbinned > 0 {
		t.add(append([]string{"no S/N", fmt.Sprint(r.Unbinned)}, make([]string, len(hdr)-2)...)...)
	}
	return t
}

func (r Report) targetSelection() string {
	if math.IsNaN(float64(r.TargetSNR)) {
		return r.Selection
	}
	if r.Selection == "all" {
		return fmt.Sprintf("S/N > %g", float64(r.TargetSNR))
	}
	return fmt.Sprintf("%s, S/N > %g", r.Selection, float64(r.TargetSNR))
}

func goal(t Target) string {
	op, v := "≤", fmt.Sprintf("%g", t.Threshold)
	if t.AtLeast {
		op = "≥"
	}
	if isFraction(t.Metric) {
		v = fmt.Sprintf("%g%%", t.Threshold*100)
	}
	return op + " " + v
}

func isFraction(metric string) bool {
	return metric == "accuracy" || strings.HasPrefix(metric, "catastrophic:")
}

func targetValue(t TargetResult) string {
	if isFraction(t.Metric) {
		return pct(t.Value)
	}
	return num("%.4g", t.Value)
}

func passFail(t TargetResult) string {
	if t.Pass {
		return "pass"
	}
	return "FAIL"
}

// Compare writes the headline metrics and the target checks of several
// predictors (e.g. the model, template χ², Cannon) side by side as text;
// names[i] labels reports[i].
func Compare(w io.Writer, names []string, reports []Report) error {
	return compare(w, names, reports, false)
}

// CompareMarkdown is Compare as Markdown tables.
func CompareMarkdown(w io.Writer, names []string, reports []Report) error {
	return compare(w, names, reports, true)
}

func compare(w io.Writer, names []string, reports []Report, md bool) error {
	if len(names) != len(reports) {
		return fmt.Errorf("compare: %d names for %d reports", len(names), len(reports))
	}
	if len(reports) == 0 {
		return errors.New("compare: no reports")
	}
	h := &table{title: "Headline metrics on " + reports[0].Selection}
	h.add(append([]string{"metric"}, names...)...)
	row := func(label string, f func(Report) string) {
		cells := []string{label}
		for _, r := range reports {
			cells = append(cells, f(r))
		}
		h.add(cells...)
	}
	row("records", func(r Report) string { return fmt.Sprint(r.N) })
	row("class accuracy", func(r Report) string { return pct(r.Classification.Accuracy) })
	row("weighted F1", func(r Report) string { return num("%.4f", r.Classification.WeightedF1) })
	row("macro F1", func(r Report) string { return num("%.4f", r.Classification.MacroF1) })
	for i := range dataset.NumParams {
		row(paramLabel[i]+" MAE", func(r Report) string { return num(paramFormat[i], r.Params[i].MAE) })
		row(paramLabel[i]+" within 1σ", func(r Report) string { return num("%.3f", r.Params[i].Within1) })
	}
	for i := range 3 {
		row(paramLabel[i]+" MAE, F/G/K", func(r Report) string { return num(paramFormat[i], r.FGK[i].MAE) })
	}
	for g, z := range reports[0].Redshift {
		row(z.Group+" catastrophic z", func(r Report) string {
			if g >= len(r.Redshift) {
				return "n/a"
			}
			return pct(r.Redshift[g].Rate)
		})
	}
	t := &table{title: "Targets on " + reports[0].targetSelection()}
	t.add(append([]string{"target", "goal"}, names...)...)
	for _, tg := range reports[0].Targets {
		cells := []string{tg.Name, goal(tg.Target)}
		for _, r := range reports {
			cell := "n/a"
			for _, x := range r.Targets {
				if x.Name == tg.Name {
					cell = targetValue(x) + " " + passFail(x)
				}
			}
			cells = append(cells, cell)
		}
		t.add(cells...)
	}
	if err := h.write(w, md); err != nil {
		return err
	}
	return t.write(w, md)
}
