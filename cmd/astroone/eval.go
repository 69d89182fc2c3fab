package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/astroone/astroone-go/baseline"
	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/evaluate"
	"github.com/astroone/astroone-go/model"
)

func init() {
	register(command{name: "eval", summary: "evaluate a trained model and the baselines on the held-out test split", run: runEval})
}

// evalResult is eval's JSON output.
type evalResult struct {
	Data      string            `json:"data"`
	TestCount int               `json:"test_spectra"`
	Names     []string          `json:"predictors"`
	Reports   []evaluate.Report `json:"reports"`
	Seconds   []float64         `json:"predict_seconds"`
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "eval --run RUN [--data DIR] [--json] [--no-baselines]", stderr)
	runDir := fs.String("run", "", "trained run directory (required)")
	data := fs.String("data", "", "simulator directory or workspace (default: the one the run was trained on)")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	markdown := fs.Bool("markdown", false, "print Markdown tables (for docs/EVALUATION.md)")
	minSNR := fs.Float64("min-snr", 0, "evaluate only spectra with S/N above this (the targets always use S/N > 20)")
	noBase := fs.Bool("no-baselines", false, "skip the template χ² and Cannon baselines")
	workers := fs.Int("workers", 0, "parallel readers and baseline fits (0: one per core)")
	all := fs.Bool("all", false, "evaluate every spectrum of --data, not only its test split: for an independent set the run never saw (the baselines then train on the training split of the run's own data)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	split, err := runAndData(fs, "eval", *runDir, data, stderr)
	if err != nil {
		return err
	}
	pred, err := model.LoadPredictor(*runDir)
	if err != nil {
		return err
	}
	defer pred.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	set, err := loadData(ctx, *data, *workers, stderr)
	if err != nil {
		return err
	}
	trainSet, _, testSet := set.Split(split.ValFrac, split.TestFrac)
	if *all {
		if trainSet, err = independentSet(ctx, *data, split, *noBase, *workers, stderr); err != nil {
			return err
		}
		testSet = set
	}
	if len(testSet.Examples) == 0 {
		return fmt.Errorf("%s: the test split is empty", *data)
	}
	fmt.Fprintf(stderr, "evaluating on %d held-out spectra of %s\n", len(testSet.Examples), *data)

	res := evalResult{Data: *data, TestCount: len(testSet.Examples)}
	opts := evaluate.Options{MinSNR: *minSNR}
	add := func(name string, recs []evaluate.Record, secs float64) {
		res.Names = append(res.Names, name)
		res.Reports = append(res.Reports, evaluate.Evaluate(recs, opts))
		res.Seconds = append(res.Seconds, secs)
	}
	t0 := time.Now()
	recs, err := modelRecords(pred, testSet)
	if err != nil {
		return err
	}
	add("model ("+pred.Config.Name+")", recs, time.Since(t0).Seconds())
	if !*noBase {
		baselineRecords(trainSet, testSet, *workers, stderr, add)
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case *markdown:
		for i, r := range res.Reports {
			fmt.Fprintf(stdout, "### %s\n\n", res.Names[i])
			if err := r.WriteMarkdown(stdout); err != nil {
				return err
			}
			fmt.Fprintln(stdout)
		}
		return evaluate.CompareMarkdown(stdout, res.Names, res.Reports)
	}
	for i, r := range res.Reports {
		fmt.Fprintf(stdout, "== %s (%.1f s to predict %d spectra)\n", res.Names[i], res.Seconds[i], res.TestCount)
		if err := r.WriteText(stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	return evaluate.Compare(stdout, res.Names, res.Reports)
}

// independentSet checks that dir, evaluated whole (eval --all), is not
// the data the run was trained on, and returns the training split of the
// run's own data for the baselines (nil when they are skipped).
func independentSet(ctx context.Context, dir string, split splitInfo, noBaselines bool, workers int, stderr io.Writer) (*dataset.Set, error) {
	if split.Data != "" && samePath(dir, split.Data) {
		return nil, fmt.Errorf("eval --all: %s is the data the run was trained on; evaluate its test split instead (without --all)", dir)
	}
	if noBaselines {
		return nil, nil
	}
	if split.Data == "" {
		return nil, fmt.Errorf("eval --all: the run does not record its training data (split.json), which the baselines train on; give --no-baselines")
	}
	own, err := loadData(ctx, split.Data, workers, stderr)
	if err != nil {
		return nil, fmt.Errorf("eval --all: the baselines' training data: %w", err)
	}
	train, _, _ := own.Split(split.ValFrac, split.TestFrac)
	return train, nil
}

// samePath reports whether two paths name the same directory.
func samePath(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// modelRecords predicts the test set with the model. Like predict, it
// keeps the parameters that apply to the predicted class (stellar labels
// for stars, RV for CVs, z for QSOs and galaxies): a star taken for a QSO
// has no Teff, and the report counts it as missing.
func modelRecords(pred *model.Predictor, test *dataset.Set) ([]evaluate.Record, error) {
	preds, err := pred.Predict(test.AsBatch())
	if err != nil {
		return nil, err
	}
	recs := make([]evaluate.Record, len(preds))
	for i, p := range preds {
		r := evaluate.NewRecord(test.Examples[i].ID, test.Examples[i].Labels)
		if p.Err == nil {
			r.Prob = p.Probs[:]
			for _, k := range predictedParams(p.Class) { // as predict reports them
				r.Pred[k], r.Sigma[k] = p.Params[k], p.Sigma[k]
			}
		}
		recs[i] = r
	}
	return recs, nil
}

// baselineRecords fits the template χ² baseline and the Cannon on the
// training split, predicts the test split and passes both to add. The
// Cannon labels the spectra the template fit calls F, G or K (its
// training domain), at its own velocity estimate. A baseline that cannot
// be trained (too few training spectra) is skipped with the reason on
// stderr.
func baselineRecords(train, test *dataset.Set, workers int, stderr io.Writer, add func(string, []evaluate.Record, float64)) {
	t0 := time.Now()
	topts := baseline.DefaultTemplateOptions()
	topts.Workers = workers
	fitter, err := baseline.FitTemplates(train, topts)
	if err != nil { // e.g. too few training spectra: say so, and go on
		fmt.Fprintf(stderr, "template baseline skipped: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "template baseline: %d archetypes from the training split (%.1f s)\n", fitter.Archetypes(), time.Since(t0).Seconds())
	t0 = time.Now()
	tp := fitter.PredictAll(test.Examples)
	tsecs := time.Since(t0).Seconds()
	trecs := make([]evaluate.Record, len(tp))
	for i, p := range tp {
		r := evaluate.NewRecord(test.Examples[i].ID, test.Examples[i].Labels)
		r.PredClass = p.Class
		r.Pred = p.Params
		trecs[i] = r
	}
	add("template χ²", trecs, tsecs)

	t0 = time.Now()
	copts := baseline.DefaultCannonOptions()
	copts.Workers = workers
	cannon, err := baseline.TrainCannon(train, copts)
	if err != nil {
		fmt.Fprintf(stderr, "Cannon baseline skipped: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "Cannon baseline: trained on %d stars (%.1f s)\n", cannon.TrainingStars(), time.Since(t0).Seconds())
	inDomain := map[int]bool{}
	for _, c := range copts.Classes {
		inDomain[c] = true
	}
	t0 = time.Now()
	var sel []dataset.Example
	var idx []int
	for i, p := range tp {
		if inDomain[p.Class] {
			sel = append(sel, test.Examples[i])
			idx = append(idx, i)
		}
	}
	cp := cannon.PredictAll(sel)
	csecs := time.Since(t0).Seconds()
	crecs := make([]evaluate.Record, len(test.Examples))
	for i, ex := range test.Examples {
		crecs[i] = evaluate.NewRecord(ex.ID, ex.Labels)
	}
	for k, p := range cp {
		if p.Err != nil {
			continue
		}
		r := &crecs[idx[k]]
		r.Pred[dataset.ParamTeff], r.Pred[dataset.ParamLogg], r.Pred[dataset.ParamFeH] = p.Labels[0], p.Labels[1], p.Labels[2]
		r.Sigma[dataset.ParamTeff], r.Sigma[dataset.ParamLogg], r.Sigma[dataset.ParamFeH] = p.Sigma[0], p.Sigma[1], p.Sigma[2]
		r.Pred[dataset.ParamRV] = p.RVKmS
	}
	add("Cannon (template-FGK)", crecs, csecs)
}
