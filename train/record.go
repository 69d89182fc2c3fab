package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/plot"
)

// Record is one line of metrics.jsonl: an optimizer step, and the
// validation done after it when there was one.
type Record struct {
	Step        int         `json:"step"`          // optimizer steps done, this one included
	Phase       Phase       `json:"phase"`         // phase of this step
	Loss        float64     `json:"loss"`          // training loss (mean over the step's micro-batches)
	ClassLoss   float64     `json:"class_loss"`    // class cross-entropy (fine-tuning)
	ParamNLL    float64     `json:"param_nll"`     // Gaussian NLL of the parameters (fine-tuning)
	ReconLoss   float64     `json:"recon_loss"`    // masked reconstruction loss
	ZLoss       float64     `json:"z_loss"`        // redshift-bin cross-entropy (fine-tuning, with a redshift head)
	ShiftLoss   float64     `json:"shift_loss"`    // rest-frame shift Huber loss, pixels (fine-tuning, with a shift head)
	StarBinLoss float64     `json:"star_bin_loss"` // binned Teff, log g, [Fe/H] cross-entropy (fine-tuning, with binned heads)
	LR          float64     `json:"lr"`            // learning rate of the step
	GradNorm    float64     `json:"grad_norm"`     // global gradient norm before clipping
	Seconds     float64     `json:"seconds"`       // wall time of the step (batch wait included)
	Elapsed     float64     `json:"elapsed"`       // training wall time since the run began, resumes included
	Val         *ValMetrics `json:"val,omitempty"`
}

// ValMetrics are the validation results after a step.
type ValMetrics struct {
	N           int     `json:"n"`             // validation spectra
	Loss        float64 `json:"loss"`          // the phase's loss (what early stopping watches)
	ClassLoss   float64 `json:"class_loss"`    // mean class cross-entropy over labelled spectra
	ParamNLL    float64 `json:"param_nll"`     // mean Gaussian NLL over defined targets
	ReconLoss   float64 `json:"recon_loss"`    // masked reconstruction loss (fixed masks)
	ZLoss       float64 `json:"z_loss"`        // mean redshift-bin cross-entropy over spectra with a redshift
	StarBinLoss float64 `json:"star_bin_loss"` // mean binned-stellar-head cross-entropy over defined parameters
	// ZCatastrophic is the fraction of spectra with a redshift whose
	// redshift from the redshift head misses by |Δz|/(1+z) > 0.01.
	ZCatastrophic *float64 `json:"z_catastrophic,omitempty"`
	// ShiftMAEKmS is the shift head's mean absolute error, as a
	// velocity, over spectra with a usable rest-frame shift target.
	ShiftMAEKmS *float64 `json:"shift_mae_kms,omitempty"`
	// Accuracy is the fraction of labelled spectra whose most probable
	// class is right; absent before fine-tuning or without labels.
	Accuracy *float64 `json:"accuracy,omitempty"`
	// MAE is the mean absolute error of each parameter in physical units
	// (K, dex, km/s, z) over spectra where it is defined; z comes from the
	// redshift head when the model has one, as in prediction.
	MAE map[string]float64 `json:"mae,omitempty"`
}

// State is the training state saved next to every step checkpoint
// (step-N.json); with the checkpoint's variables (model, AdamW moments and
// step, GoMLX random state) it lets a run continue exactly.
type State struct {
	Step  int   `json:"step"`  // optimizer steps done
	Phase Phase `json:"phase"` // phase of the next step
	// Batcher is the training batch stream's position (the next batch's
	// epoch and offset); Consumed counts the micro-batches taken since the
	// start, which also seeds each batch's token mask.
	Batcher  dataset.BatcherState `json:"batcher"`
	Consumed int64                `json:"consumed"`
	// RNGState is a copy of GoMLX's random state (dropout, initialisation
	// of heads added later); the checkpoint holds the same value.
	RNGState     []uint64 `json:"rng_state,omitempty"`
	BestValLoss  *float64 `json:"best_val_loss,omitempty"` // best fine-tuning validation loss
	BestStep     int      `json:"best_step"`
	BadEvals     int      `json:"bad_evals"` // validations since the best one
	EarlyStopped bool     `json:"early_stopped"`
	Elapsed      float64  `json:"elapsed"`    // training wall seconds so far
	Checkpoint   string   `json:"checkpoint"` // file name of the matching variables
}

// readState reads a state file.
func readState(path string) (State, error) {
	var s State
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// writeJSONAtomic writes v as indented JSON to path atomically.
func writeJSONAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return model.WriteFileAtomic(path, append(data, '\n'))
}

// readRecords reads metrics.jsonl, keeping the records of steps ≤
// upTo (a resumed run drops what was logged after its checkpoint). A
// missing file gives no records.
func readRecords(path string, upTo int) ([]Record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var recs []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			// A line cut by a crash can only be the last one; stop there.
			break
		}
		if r.Step <= upTo {
			recs = append(recs, r)
		}
	}
	return recs, sc.Err()
}

// writeRecords rewrites metrics.jsonl atomically with recs.
func writeRecords(path string, recs []Record) error {
	var buf bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return model.WriteFileAtomic(path, buf.Bytes())
}

// appendRecord appends one record as a JSON line to f.
func appendRecord(f *os.File, r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	return err
}

// writeLossSVG plots the training loss per step and the validation loss
// to path (atomically).
func writeLossSVG(path string, recs []Record) error {
	var tr, va plot.Series
	tr.Name, va.Name = "training loss", "validation loss"
	va.Color = "#d62728"
	for _, r := range recs {
		tr.X = append(tr.X, float64(r.Step))
		tr.Y = append(tr.Y, r.Loss)
		if r.Val != nil {
			va.X = append(va.X, float64(r.Step))
			va.Y = append(va.Y, r.Val.Loss)
		}
	}
	if len(tr.X) == 0 {
		return nil
	}
	fig := plot.Figure{Title: "AstroOne training loss (pretraining: reconstruction; fine-tuning: multi-task)",
		XLabel: "optimizer step", YLabel: "loss", Series: []plot.Series{tr}}
	if len(va.X) > 0 {
		fig.Series = append(fig.Series, va)
	}
	var buf bytes.Buffer
	if err := fig.WriteSVG(&buf); err != nil {
		return fmt.Errorf("loss plot: %w", err)
	}
	return model.WriteFileAtomic(path, buf.Bytes())
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
