package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/model"
)

// TestTrainPredictCLI runs simulate → train (tiny, a few steps) → train
// --resume → predict through the CLI, and checks what each prints and
// writes. It checks the plumbing, not accuracy (see docs/EVALUATION.md).
func TestTrainPredictCLI(t *testing.T) {
	dir := t.TempDir()
	simDir, runDir := filepath.Join(dir, "sim"), filepath.Join(dir, "run")
	if code, _, errOut := runCLI(t, "simulate", "--n", "60", "--seed", "2", "--classes", "F,G,K,QSO", "--out", simDir); code != 0 {
		t.Fatalf("simulate: %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "train", "--data", simDir, "--config", "tiny", "--out", runDir, "--steps", "4")
	if code != 0 || !strings.Contains(out, "trained 4 steps") || !strings.Contains(out, "60 spectra") {
		t.Fatalf("train: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "calibrated on") {
		t.Errorf("train did not calibrate:\n%s", out)
	}
	for _, f := range []string{"config.json", "normalizer.json", "metrics.jsonl", "loss.svg", splitFile, model.CalibrationFile} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	if code, out, errOut = runCLI(t, "train", "--data", simDir, "--out", runDir, "--steps", "6", "--resume"); code != 0 || !strings.Contains(out, "trained 6 steps") {
		t.Fatalf("train --resume: %d\n%s\n%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(simDir, "*.fits"))
	missing := filepath.Join(dir, "missing.fits")
	code, out, errOut = runCLI(t, append([]string{"predict", "--run", runDir, "--json", missing}, files[:3]...)...)
	if code != 0 {
		t.Fatalf("predict: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(errOut, "1 of 4 files") {
		t.Fatalf("predict printed %d lines (want 4, in argument order):\n%s\n%s", len(lines), out, errOut)
	}
	for i, l := range lines {
		var r predictionRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if i == 0 {
			if r.File != missing || r.Error == "" {
				t.Errorf("missing file: %+v", r)
			}
			continue
		}
		var sum float64
		for _, c := range r.Top {
			sum += c.Prob
		}
		if r.File != files[i-1] || len(r.Top) != 3 || !(sum > 0 && sum <= 1+1e-9) || len(r.Params) == 0 {
			t.Errorf("line %d: %+v", i, r)
		}
		// A redshift comes with the redshift head's confidence, and only then.
		if _, hasZ := r.Params["z"]; hasZ != (r.ZProb != nil) || (r.ZProb != nil && !(*r.ZProb >= 0 && *r.ZProb <= 1)) {
			t.Errorf("line %d: z %v with z_prob %v", i, r.Params["z"], r.ZProb)
		}
	}
	if code, out, _ = runCLI(t, "predict", "--run", runDir, "--csv", files[0]); code != 0 || !strings.HasPrefix(out, "file,id,error,class1,prob1") ||
		!strings.HasSuffix(strings.SplitN(out, "\n", 2)[0], ",z_sigma,z_prob") {
		t.Errorf("predict --csv: %d %q", code, out)
	}
	code, out, errOut = runCLI(t, "eval", "--run", runDir, "--json")
	var res evalResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("eval: %d\n%s\n%s", code, out, errOut)
	}
	if res.Data != simDir || len(res.Reports) != 3 || res.TestCount == 0 || res.Reports[0].Records != res.TestCount {
		t.Errorf("eval: data %q, %d reports, %d test spectra", res.Data, len(res.Reports), res.TestCount)
	}

	if code, out, errOut = runCLI(t, "calibrate", "--run", runDir); code != 0 || !strings.Contains(out, "calibrated on") {
		t.Errorf("calibrate: %d\n%s\n%s", code, out, errOut)
	}

	// An independent set is evaluated whole; the run's own data is not.
	indDir := filepath.Join(dir, "independent")
	if code, _, errOut := runCLI(t, "simulate", "--n", "25", "--seed", "3", "--classes", "F,G,K,QSO", "--out", indDir); code != 0 {
		t.Fatalf("simulate: %d %s", code, errOut)
	}
	code, out, errOut = runCLI(t, "eval", "--run", runDir, "--data", indDir, "--all", "--json")
	res = evalResult{}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("eval --all: %d\n%s\n%s", code, out, errOut)
	}
	if res.TestCount != 25 || len(res.Reports) != 3 || res.Reports[0].Records != 25 {
		t.Errorf("eval --all: %d reports, %d test spectra (want 3 and all 25)", len(res.Reports), res.TestCount)
	}
	if code, _, errOut = runCLI(t, "eval", "--run", runDir, "--data", simDir, "--all"); code == 0 || !strings.Contains(errOut, "trained on") {
		t.Errorf("eval --all on the training data: exit %d, %q", code, errOut)
	}
}
