package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
)

func init() {
	register(command{name: "calibrate", summary: "fit a trained model's bias and σ calibration on its validation split", run: runCalibrate})
}

func runCalibrate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("calibrate", "calibrate --run RUN [--data DIR]", stderr)
	runDir := fs.String("run", "", "trained run directory (required); calibration.json is written there")
	data := fs.String("data", "", "the data the run was trained on (default: the one split.json names); its validation split is used")
	workers := fs.Int("workers", 0, "parallel file readers (0: one per core)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	split, err := runAndData(fs, "calibrate", *runDir, data, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	set, err := loadData(ctx, *data, *workers, stderr)
	if err != nil {
		return err
	}
	_, val, _ := set.Split(split.ValFrac, split.TestFrac)
	if len(val.Examples) == 0 {
		return fmt.Errorf("%s: the validation split is empty", *data)
	}
	c, err := model.CalibrateRun(*runDir, val)
	if err != nil {
		return err
	}
	printCalibration(stdout, c)
	return nil
}

// calibrateAfterTraining fits and saves a finished run's calibration on
// its validation split (nothing without one) and summarises it.
func calibrateAfterTraining(runDir string, val *dataset.Set, stdout io.Writer) error {
	if val == nil || len(val.Examples) == 0 {
		return nil
	}
	c, err := model.CalibrateRun(runDir, val)
	if err != nil {
		return err
	}
	printCalibration(stdout, c)
	return nil
}

// printCalibration summarises a calibration: per parameter, the spectra
// it was fitted on, the range of the bias correction and the σ scale.
func printCalibration(w io.Writer, c model.Calibration) {
	fmt.Fprintf(w, "calibrated on %d validation spectra (%s):\n", c.Spectra, model.CalibrationFile)
	for k, pc := range c.Params {
		if pc.N == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-7s %6d spectra", pc.Name, pc.N)
		if pc.SigmaScale > 0 {
			fmt.Fprintf(w, ", σ × %.3f", pc.SigmaScale)
		} else {
			fmt.Fprint(w, ", σ as predicted")
		}
		if len(pc.Bias) > 0 {
			lo, hi := pc.Bias[0], pc.Bias[0]
			for _, b := range pc.Bias {
				lo, hi = min(lo, b), max(hi, b)
			}
			unit := ""
			if k == 0 {
				unit = " dex of Teff"
			}
			fmt.Fprintf(w, ", bias %+.3g to %+.3g%s removed", lo, hi, unit)
		}
		fmt.Fprintln(w)
	}
	if c.HeadAccuracy > 0 {
		use := "kept the class head's"
		if c.MKLetters {
			use = "combining them"
		}
		fmt.Fprintf(w, "  classes: head %.2f%%, combined with the MK letters of Teff and log g %.2f%%: %s\n",
			100*c.HeadAccuracy, 100*c.MKLetterAccuracy, use)
	}
}
