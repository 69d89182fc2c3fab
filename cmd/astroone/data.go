package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/progress"
)

// splitFile records, in a run directory, where the training data came
// from and how it was split, so that eval holds out the same test set.
const splitFile = "split.json"

// splitInfo is the content of split.json.
type splitInfo struct {
	Data     string  `json:"data"`
	ValFrac  float64 `json:"val_fraction"`
	TestFrac float64 `json:"test_fraction"`
}

// loadData loads a simulator directory (one with labels.csv) or an ingest
// workspace as a dataset, reporting unreadable files on stderr (they are
// skipped, never silently).
func loadData(ctx context.Context, dir string, workers int, stderr io.Writer) (*dataset.Set, error) {
	var bar *progress.Bar
	opts := dataset.LoadOptions{Workers: workers, Progress: func(done, total int) {
		if bar == nil {
			bar = progress.New(stderr, "load", total)
		}
		bar.Update(done)
	}}
	var set *dataset.Set
	var bad []dataset.FileError
	var err error
	if _, statErr := os.Stat(filepath.Join(dir, "labels.csv")); statErr == nil {
		set, bad, err = dataset.LoadSimDir(ctx, dir, opts)
	} else {
		set, bad, err = dataset.LoadWorkspace(ctx, dir, opts)
	}
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return nil, err
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "skipped %s: %v\n", e.Path, e.Err)
	}
	if len(set.Examples) == 0 {
		return nil, fmt.Errorf("%s: no usable spectra", dir)
	}
	return set, nil
}

// writeSplit writes split.json into a run directory.
func writeSplit(runDir string, s splitInfo) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(runDir, splitFile), append(data, '\n'), 0o644)
}

// readSplit reads split.json from a run directory; a run without one
// (trained elsewhere) gets the training command's defaults.
func readSplit(runDir string) splitInfo {
	s := splitInfo{ValFrac: defaultValFrac, TestFrac: defaultTestFrac}
	if data, err := os.ReadFile(filepath.Join(runDir, splitFile)); err == nil {
		json.Unmarshal(data, &s)
	}
	return s
}

// Default split fractions of train and eval.
const (
	defaultValFrac  = 0.1
	defaultTestFrac = 0.1
)

// runAndData checks that a command's --run was given and resolves its
// --data (pointed to by data): when empty, the data the run was trained
// on, as its split.json records. It returns the run's split.
func runAndData(fs *flag.FlagSet, command, runDir string, data *string, stderr io.Writer) (splitInfo, error) {
	if runDir == "" {
		fs.Usage()
		return splitInfo{}, errUsage
	}
	split := readSplit(runDir)
	if *data == "" {
		*data = split.Data
	}
	if *data == "" {
		fmt.Fprintf(stderr, "astroone %s: the run does not say what it was trained on; give --data\n", command)
		return split, errUsage
	}
	return split, nil
}
