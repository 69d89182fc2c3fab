package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/train"
)

func init() {
	register(command{name: "train", summary: "train the spectrum model on a simulator directory or workspace (resumable)", run: runTrain})
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", "train --data DIR --config tiny|small|base|FILE --out RUN [--steps N] [--resume]", stderr)
	data := fs.String("data", "", "simulator directory (with labels.csv) or ingest workspace (required)")
	cfgName := fs.String("config", "small", "model size (tiny, small, base) or a JSON config file")
	out := fs.String("out", "", "run directory: config, normaliser, checkpoints, metrics.jsonl, loss.svg (required)")
	steps := fs.Int("steps", 0, "optimizer steps (0: the config's)")
	resume := fs.Bool("resume", false, "continue the run in --out from its latest checkpoint")
	valFrac := fs.Float64("val", defaultValFrac, "fraction of ids held out for validation (by a hash of the id)")
	testFrac := fs.Float64("test", defaultTestFrac, "fraction of ids held out for eval (never trained on)")
	workers := fs.Int("workers", 0, "parallel file readers (0: one per core)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || *out == "" || *valFrac < 0 || *testFrac < 0 || *valFrac+*testFrac >= 1 {
		fs.Usage()
		return errUsage
	}
	cfg, err := model.ConfigByNameOrFile(*cfgName)
	if err != nil && !*resume {
		fmt.Fprintf(stderr, "astroone train: --config: %v\n", err)
		return errUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	set, err := loadData(ctx, *data, *workers, stderr)
	if err != nil {
		return err
	}
	trainSet, valSet, testSet := set.Split(*valFrac, *testFrac)
	fmt.Fprintf(stdout, "data: %d spectra from %s: %d train, %d validation, %d test (held out)\n",
		len(set.Examples), *data, len(trainSet.Examples), len(valSet.Examples), len(testSet.Examples))
	if len(valSet.Examples) == 0 {
		valSet = nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := writeSplit(*out, splitInfo{Data: *data, ValFrac: *valFrac, TestFrac: *testFrac}); err != nil {
		return err
	}
	res, err := train.Run(ctx, train.Options{Train: trainSet, Val: valSet, Config: cfg, OutDir: *out, Steps: *steps, Resume: *resume, Log: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained %d steps in %.0f s (%.2f s/step)", res.Steps, res.Seconds, res.SecondsPerStep)
	if res.EarlyStopped {
		fmt.Fprint(stdout, ", stopped early")
	}
	if res.LastVal != nil {
		fmt.Fprintf(stdout, "; best validation loss %.4g at step %d", res.BestValLoss, res.BestStep)
	}
	fmt.Fprintf(stdout, "\nrun: %s (metrics.jsonl, loss.svg, checkpoints/)\n", res.RunDir)
	if res.Done {
		return calibrateAfterTraining(*out, valSet, stdout)
	}
	return nil
}
