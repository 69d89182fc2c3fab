package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/evaluate"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/progress"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/store"
	"github.com/astroone/astroone-go/train"
)

func init() {
	register(command{name: "demo", summary: "simulate a small survey, ingest it, train and evaluate the model against the baselines, predict (no downloads)", run: runDemo})
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [--n N] [--dir DIR] [--seed S] [--config small] [--train-steps N] [--no-model]", stderr)
	n := fs.Int("n", 2000, "number of simulated spectra")
	cfgName := fs.String("config", "small", "model size to train (tiny, small, base or a JSON file)")
	trainSteps := fs.Int("train-steps", 1000, "optimizer steps (the full small schedule is 10000 steps; see docs/EVALUATION.md)")
	noModel := fs.Bool("no-model", false, "stop after the catalog summary")
	dir := fs.String("dir", "", "where to put the sample and the workspace (default: a new temporary directory, kept for you to explore)")
	seed := fs.Uint64("seed", 1, "random seed")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		fmt.Fprintln(stderr, "astroone demo: --n must be at least 1")
		return errUsage
	}
	root := *dir
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "astroone-demo-"); err != nil {
			return err
		}
	}
	files, wsDir := filepath.Join(root, "spectra"), filepath.Join(root, "workspace")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Fprintf(stdout, "1. simulating %d labelled spectra (O–M stars, carbon stars, CVs, QSOs, galaxies) in the LAMOST DR8+ layout under %s\n", *n, files)
	bar := progress.New(stderr, "simulate", *n)
	err := sim.WriteSample(ctx, sim.SampleOptions{Dir: files, N: *n, Seed: *seed, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return err
	}
	first, err := sim.New(sim.Config{Seed: *seed})
	if err != nil {
		return err
	}
	extras, err := sim.WriteTroubleFiles(files, *seed, first.FileName(0)+".fits")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   plus %d awkward files: 3 more spectra in the SDSS, LAMOST DR7 and gzipped layouts, a byte-identical copy and a truncated file\n", extras)

	fmt.Fprintf(stdout, "2. ingesting into the workspace %s (resampled onto the LAMOST grid)\n", wsDir)
	ws, err := store.Open(wsDir)
	if err != nil {
		return err
	}
	defer ws.Close()
	sum, err := runIngestJob(ctx, ws, []string{files}, 0, 0, false, false, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   seen %d files: %d ingested, %d duplicates, %d failed (%.1f s)\n\n",
		sum.Seen, sum.Ingested, sum.Duplicates, sum.Failed, sum.Elapsed.Seconds())

	fmt.Fprintln(stdout, "3. catalog summary")
	s, err := ws.Summary()
	if err != nil {
		return err
	}
	if err := store.WriteSummary(stdout, s); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n   files that were not ingested, and why:")
	var notIngested []store.FileRecord
	for _, st := range []store.Status{store.StatusFailed, store.StatusDuplicate} {
		f, err := ws.Files(st, 0)
		if err != nil {
			return err
		}
		notIngested = append(notIngested, f...)
	}
	if err := store.WriteFiles(stdout, notIngested); err != nil {
		return err
	}
	runDir := filepath.Join(root, "run")
	if !*noModel {
		if err := demoModel(ctx, files, runDir, *cfgName, *trainSteps, first, stdout, stderr); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\nNext (build the binary with: go build ./cmd/astroone):\n")
	fmt.Fprintf(stdout, "      astroone catalog --workspace %s --class QSO --min-snr 20\n", wsDir)
	fmt.Fprintf(stdout, "      astroone show %s --plot spectrum.svg\n", filepath.Join(files, first.FileName(0)+".fits"))
	fmt.Fprintf(stdout, "      the true labels and captions of every spectrum: %s\n", filepath.Join(files, "labels.csv"))
	if !*noModel {
		fmt.Fprintf(stdout, "      astroone train --data %s --config small --out %s --resume --steps 10000   # the full schedule\n", files, runDir)
		fmt.Fprintf(stdout, "      astroone predict --run %s FILE...\n", runDir)
	}
	return nil
}

// demoModel trains the model on the simulated sample, evaluates it and
// the baselines on the held-out split, and predicts a few files.
func demoModel(ctx context.Context, files, runDir, cfgName string, steps int, s *sim.Simulator, stdout, stderr io.Writer) error {
	cfg, err := model.ConfigByNameOrFile(cfgName)
	if err != nil {
		return err
	}
	set, err := loadData(ctx, files, 0, stderr)
	if err != nil {
		return err
	}
	trainSet, valSet, testSet := set.Split(defaultValFrac, defaultTestFrac)
	fmt.Fprintf(stdout, "\n4. training the %q model for %d steps on %d spectra (%d held out for validation, %d for the test) in %s\n",
		cfg.Name, steps, len(trainSet.Examples), len(valSet.Examples), len(testSet.Examples), runDir)
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return err
	}
	if err := writeSplit(runDir, splitInfo{Data: files, ValFrac: defaultValFrac, TestFrac: defaultTestFrac}); err != nil {
		return err
	}
	if len(valSet.Examples) == 0 {
		valSet = nil
	}
	res, err := train.Run(ctx, train.Options{Train: trainSet, Val: valSet, Config: cfg, OutDir: runDir, Steps: steps, Log: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   %d steps in %.0f s (%.2f s/step); loss curve %s\n", res.Steps, res.Seconds, res.SecondsPerStep, filepath.Join(runDir, "loss.svg"))
	if err := calibrateAfterTraining(runDir, valSet, stdout); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\n5. the model against the baselines on the %d held-out spectra\n", len(testSet.Examples))
	pred, err := model.LoadPredictor(runDir)
	if err != nil {
		return err
	}
	defer pred.Close()
	var names []string
	var reports []evaluate.Report
	add := func(name string, recs []evaluate.Record, _ float64) {
		names = append(names, name)
		reports = append(reports, evaluate.Evaluate(recs, evaluate.Options{}))
	}
	recs, err := modelRecords(pred, testSet)
	if err != nil {
		return err
	}
	add("model ("+cfg.Name+")", recs, 0)
	baselineRecords(trainSet, testSet, 0, stderr, add)
	if err := evaluate.Compare(stdout, names, reports); err != nil {
		return err
	}

	fmt.Fprintln(stdout, "\n6. predicting three test files (astroone predict), with their true labels")
	for _, ex := range testSet.Examples[:min(3, len(testSet.Examples))] {
		one, bad := dataset.LoadFiles(ctx, []string{ex.File}, dataset.LoadOptions{})
		if len(bad) > 0 || len(one.Examples) == 0 {
			continue
		}
		p, err := pred.Predict(one.AsBatch())
		if err != nil || p[0].Err != nil {
			continue
		}
		r := predictionRow{File: filepath.Base(ex.File), Top: p[0].Top(3), Params: map[string]paramEstimate{}}
		for _, k := range predictedParams(p[0].Class) {
			r.Params[dataset.ParamNames[k]] = paramEstimate{finite(p[0].Params[k]), finite(p[0].Sigma[k])}
		}
		writePredictionText(stdout, r)
		fmt.Fprintf(stdout, "      truth: %s %s\n", dataset.ClassNames[ex.Labels.Class], ex.Labels.Subclass)
	}
	return nil
}
