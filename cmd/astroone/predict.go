package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
)

func init() {
	register(command{name: "predict", summary: "classify spectra files and estimate their parameters with a trained model", run: runPredict})
}

// predictedParams lists, per predicted class, the parameters worth
// reporting: stellar labels for stars, RV for CVs, z for QSOs and galaxies.
func predictedParams(class int) []int {
	switch dataset.ClassNames[class] {
	case "QSO", "GALAXY":
		return []int{dataset.ParamZ}
	case "CV":
		return []int{dataset.ParamRV}
	}
	return []int{dataset.ParamTeff, dataset.ParamLogg, dataset.ParamFeH, dataset.ParamRV}
}

// predictionRow is one file's prediction in the JSON output.
type predictionRow struct {
	File   string                   `json:"file"`
	ID     string                   `json:"id,omitempty"`
	Error  string                   `json:"error,omitempty"`
	Top    []model.ClassProb        `json:"top,omitempty"`
	Params map[string]paramEstimate `json:"params,omitempty"`
	// ZProb is the redshift head's probability within two bins of the
	// reported z (model.Prediction.ZMass), for spectra given a redshift:
	// near 1 for a secure redshift, low when other lines fit too.
	ZProb *float64 `json:"z_prob,omitempty"`
}

// paramEstimate is a parameter's value and 1σ uncertainty (null when not
// finite).
type paramEstimate struct {
	Value *float64 `json:"value"`
	Sigma *float64 `json:"sigma"`
}

func runPredict(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", "predict --run RUN FILE... [--json|--csv]", stderr)
	runDir := fs.String("run", "", "trained run directory (required)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	asCSV := fs.Bool("csv", false, "CSV: file, id, top-3 classes and probabilities, parameters and σ")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *runDir == "" || len(files) == 0 || *asJSON && *asCSV {
		fs.Usage()
		return errUsage
	}
	pred, err := model.LoadPredictor(*runDir)
	if err != nil {
		return err
	}
	defer pred.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	set, bad := dataset.LoadFiles(ctx, files, dataset.LoadOptions{EstimateIvar: true})
	rows := make(map[string]predictionRow, len(files))
	for _, e := range bad {
		rows[e.Path] = predictionRow{File: e.Path, Error: e.Err.Error()}
	}
	if len(set.Examples) > 0 {
		b := set.AsBatch()
		preds, err := pred.Predict(b)
		if err != nil {
			return err
		}
		for i, p := range preds {
			ex := set.Examples[i]
			r := predictionRow{File: ex.File, ID: ex.ID}
			if p.Err != nil {
				r.Error = p.Err.Error()
			} else {
				r.Top = p.Top(3)
				r.Params = map[string]paramEstimate{}
				for _, k := range predictedParams(p.Class) {
					r.Params[dataset.ParamNames[k]] = paramEstimate{finite(p.Params[k]), finite(p.Sigma[k])}
					if k == dataset.ParamZ {
						r.ZProb = finite(p.ZMass)
					}
				}
			}
			rows[ex.File] = r
		}
	}
	var cw *csv.Writer
	if *asCSV {
		cw = csv.NewWriter(stdout)
		head := []string{"file", "id", "error", "class1", "prob1", "class2", "prob2", "class3", "prob3"}
		for _, n := range dataset.ParamNames {
			head = append(head, n, n+"_sigma")
		}
		head = append(head, "z_prob")
		cw.Write(head)
	}
	failed := 0
	for _, f := range files { // command-line order
		r, ok := rows[f]
		if !ok {
			r = predictionRow{File: f, Error: "not read"}
		}
		if r.Error != "" {
			failed++
		}
		switch {
		case *asJSON:
			data, _ := json.Marshal(r)
			fmt.Fprintf(stdout, "%s\n", data)
		case *asCSV:
			rec := []string{r.File, r.ID, r.Error}
			for k := range 3 {
				if k < len(r.Top) {
					rec = append(rec, r.Top[k].Class, strconv.FormatFloat(r.Top[k].Prob, 'f', 4, 64))
				} else {
					rec = append(rec, "", "")
				}
			}
			for _, n := range dataset.ParamNames {
				v := r.Params[n]
				rec = append(rec, num(v.Value), num(v.Sigma))
			}
			rec = append(rec, num(r.ZProb))
			cw.Write(rec)
		default:
			writePredictionText(stdout, r)
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "astroone predict: %d of %d files could not be predicted\n", failed, len(files))
	}
	return nil
}

// writePredictionText prints one file's prediction on one line.
func writePredictionText(w io.Writer, r predictionRow) {
	if r.Error != "" {
		fmt.Fprintf(w, "%s: error: %s\n", r.File, r.Error)
		return
	}
	var top []string
	for _, c := range r.Top {
		top = append(top, fmt.Sprintf("%s %.1f%%", c.Class, 100*c.Prob))
	}
	var ps []string
	for _, n := range dataset.ParamNames {
		if v, ok := r.Params[n]; ok {
			ps = append(ps, fmt.Sprintf("%s %s ± %s", n, num(v.Value), num(v.Sigma)))
		}
	}
	if r.ZProb != nil {
		ps = append(ps, fmt.Sprintf("z probability %.2f", *r.ZProb))
	}
	fmt.Fprintf(w, "%s: %s | %s\n", r.File, strings.Join(top, ", "), strings.Join(ps, ", "))
}

// num formats a parameter with 5 significant digits; nil as "n/a" is left
// empty.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', 5, 64)
}
