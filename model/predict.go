package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/nn"
)

// Files of a run directory.
const (
	ConfigFile     = "config.json"     // the model Config
	NormalizerFile = "normalizer.json" // the dataset.Normalizer of the targets
	CheckpointDir  = "checkpoints"     // step-NNNNNNNN.ckpt (+ .json state) and best.ckpt
	BestCheckpoint = "best.ckpt"       // model weights at the best validation loss
)

// StepCheckpointName returns the file name of the checkpoint of an
// optimizer step, "step-00001234.ckpt"; its training state is the same
// name with ".json".
func StepCheckpointName(step int) string { return fmt.Sprintf("step-%08d.ckpt", step) }

// LatestCheckpoint returns the path and step of the newest step
// checkpoint in dir whose training-state file also exists (the state is
// written last, so its presence marks a complete checkpoint). It returns
// an error wrapping os.ErrNotExist when there is none.
func LatestCheckpoint(dir string) (path string, step int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", 0, fmt.Errorf("checkpoints: %w", err)
	}
	var steps []int
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "step-") || !strings.HasSuffix(name, ".ckpt") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "step-"), ".ckpt"))
		if err != nil || n < 0 {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(name, ".ckpt")+".json")); err == nil {
			steps = append(steps, n)
		}
	}
	if len(steps) == 0 {
		return "", 0, fmt.Errorf("checkpoints: no complete checkpoint in %s: %w", dir, os.ErrNotExist)
	}
	step = slices.Max(steps)
	return filepath.Join(dir, StepCheckpointName(step)), step, nil
}

// Prediction is the model's output for one spectrum, in physical units.
type Prediction struct {
	ID    string
	Probs [dataset.NumClasses]float64 // softmax class probabilities
	Class int                         // index of the most probable class
	// Params are the predicted means in physical units (K, dex, km/s, z)
	// and Sigma their 1σ uncertainties (for Teff, propagated from the
	// log10 space the model predicts in). Every parameter is predicted for
	// every spectrum; which ones apply depends on the class.
	Params [dataset.NumParams]float64
	Sigma  [dataset.NumParams]float64
	// ZMass is, for a model with a redshift head (which then gives
	// Params/Sigma of z, see DecodeZ), the head's probability within two
	// bins of the answer: near 1 for a secure redshift, low when several
	// are possible. It is NaN without a redshift head.
	ZMass float64
	// Embedding is the global spectrum embedding (mean of the final token
	// states), Config.Dim values.
	Embedding []float32
	// MKProbs are, for a model with binned stellar heads, the
	// probabilities of the MK letters O–M (class indices 0–6) implied by
	// its Teff and log g distributions through the MK table (taken as
	// independent, Teff's moved by the calibration's bias correction);
	// zero otherwise. Calibration.MKLetters decides whether Probs use them.
	MKProbs [NumMKLetters]float64
	// Err is set, and the rest left zero, for a spectrum without a single
	// usable pixel.
	Err error `json:"-"`
}

// ClassProb is a class with its probability.
type ClassProb struct {
	Class string  `json:"class"`
	Prob  float64 `json:"prob"`
}

// Top returns the k most probable classes, most probable first.
func (p Prediction) Top(k int) []ClassProb {
	out := make([]ClassProb, dataset.NumClasses)
	for i := range out {
		out[i] = ClassProb{dataset.ClassNames[i], p.Probs[i]}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prob > out[j].Prob })
	return out[:min(k, len(out))]
}

// ErrNoData marks a spectrum without usable pixels.
var ErrNoData = errors.New("no usable pixels (ivar > 0 and finite flux)")

// Predictor runs a trained model. Its methods are safe to call from one
// goroutine at a time.
type Predictor struct {
	Config     Config
	Normalizer dataset.Normalizer
	// BatchSize is the number of spectra per graph execution (the last
	// chunk of a larger batch is padded to it).
	BatchSize int
	// Calibration, when not nil, corrects every prediction's parameters
	// and σ (LoadPredictor sets it from the run's calibration.json).
	Calibration *Calibration

	backend backends.Backend
	ctx     *context.Context
	mk      *mkTable // MK letters on the binned heads' grid (nil without them)
	exec    *context.Exec
}

// LoadPredictor loads a run directory: config.json, normalizer.json, the
// checkpoint checkpoints/best.ckpt, or the latest complete step
// checkpoint when there is no best one yet, and calibration.json when
// the run has one.
func LoadPredictor(runDir string) (*Predictor, error) {
	cfg, err := LoadRunConfig(filepath.Join(runDir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", runDir, err)
	}
	data, err := os.ReadFile(filepath.Join(runDir, NormalizerFile))
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", runDir, err)
	}
	var norm dataset.Normalizer
	if err := json.Unmarshal(data, &norm); err != nil {
		return nil, fmt.Errorf("load model %s: %s: %w", runDir, NormalizerFile, err)
	}
	ckpt := filepath.Join(runDir, CheckpointDir, BestCheckpoint)
	if _, err := os.Stat(ckpt); err != nil {
		if ckpt, _, err = LatestCheckpoint(filepath.Join(runDir, CheckpointDir)); err != nil {
			return nil, fmt.Errorf("load model %s: %w", runDir, err)
		}
	}
	calib, err := LoadCalibration(runDir)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", runDir, err)
	}
	ctx := context.New()
	if err := LoadCheckpoint(ckpt, ctx); err != nil {
		return nil, fmt.Errorf("load model %s: %w", runDir, err)
	}
	p, err := NewPredictor(cfg, norm, ctx)
	if err != nil {
		return nil, err
	}
	p.Calibration = calib
	return p, nil
}

// NewPredictor returns a predictor for a model whose variables are in ctx
// (for instance loaded with LoadCheckpoint, or just trained; values held
// by a backend are moved to host memory). The context must hold every
// variable of the class and parameter heads: it is an error to predict
// with untrained ones.
func NewPredictor(cfg Config, norm dataset.Normalizer, ctx *context.Context) (*Predictor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// The variables may live on another backend instance (the one that
	// trained them): bring them to host memory, from where any backend
	// can take them.
	for v := range ctx.IterVariables() {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("predictor: variable %s: %w", v.ScopeAndName(), err)
		}
		if err := t.ToLocal(); err != nil {
			return nil, fmt.Errorf("predictor: variable %s: %w", v.ScopeAndName(), err)
		}
	}
	backend, err := nn.Backend()
	if err != nil {
		return nil, err
	}
	p := &Predictor{Config: cfg, Normalizer: norm, BatchSize: 64, backend: backend, ctx: ctx, mk: newMKTable(cfg)}
	// Reuse: every variable must come from the checkpoint, none be created.
	p.exec, err = context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x, feats *Node) []*Node {
		out := Build(ctx, cfg, x, feats, nil, Heads{Class: true, Params: true})
		outs := []*Node{Softmax(out.Logits, -1), out.Mean, out.LogSigma, out.Embedding}
		if out.ZLogits != nil {
			outs = append(outs, Softmax(out.ZLogits, -1))
		}
		if out.StarLogits != nil {
			outs = append(outs, Softmax(out.StarLogits, -1))
		}
		return outs
	})
	if err != nil {
		backend.Finalize()
		return nil, err
	}
	return p, nil
}

// Close releases the predictor's backend.
func (p *Predictor) Close() {
	if p.exec != nil {
		p.exec.Finalize()
	}
	if p.backend != nil {
		p.backend.Finalize()
	}
	p.exec, p.backend = nil, nil
}

// Predict runs the model on the spectra of b (only Size, Pixels, Flux,
// Ivar and IDs are read), in chunks of BatchSize, and returns one
// prediction per spectrum. A spectrum without usable pixels gets a
// Prediction with Err set; the error return is for failures of the whole
// call.
func (p *Predictor) Predict(b *dataset.Batch) (preds []Prediction, err error) {
	if p.exec == nil {
		return nil, errors.New("predict: predictor is closed")
	}
	if b.Pixels != p.Config.Pixels {
		return nil, fmt.Errorf("predict: spectra have %d pixels, the model takes %d", b.Pixels, p.Config.Pixels)
	}
	if len(b.Flux) != b.Size*b.Pixels || len(b.Ivar) != b.Size*b.Pixels {
		return nil, fmt.Errorf("predict: batch of %d×%d with %d flux and %d ivar values", b.Size, b.Pixels, len(b.Flux), len(b.Ivar))
	}
	preds = make([]Prediction, b.Size)
	n := p.BatchSize
	for lo := 0; lo < b.Size; lo += n {
		hi := min(lo+n, b.Size)
		flux, ivar := b.Flux[lo*b.Pixels:hi*b.Pixels], b.Ivar[lo*b.Pixels:hi*b.Pixels]
		if hi-lo < n { // the last chunk, padded with empty spectra
			flux = append(make([]float32, 0, n*b.Pixels), flux...)[:n*b.Pixels]
			ivar = append(make([]float32, 0, n*b.Pixels), ivar...)[:n*b.Pixels]
		}
		in, err := prepare(p.Config, flux, ivar, n, false)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		outs, err := p.run(in)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		for i := lo; i < hi; i++ {
			pr := &preds[i]
			if i < len(b.IDs) {
				pr.ID = b.IDs[i]
			}
			r := i - lo
			if in.Good[r] == 0 {
				pr.Err = ErrNoData
				continue
			}
			p.fill(pr, outs, r)
			p.Calibration.Apply(pr)
		}
	}
	return preds, nil
}

// run executes the inference graph on prepared inputs and returns the
// flat outputs: probabilities, means, log σ, embeddings and, with a
// redshift head, the redshift-bin probabilities, then with binned
// stellar heads their probabilities.
func (p *Predictor) run(in Inputs) (outs [6][]float32, err error) {
	x := tensors.FromFlatDataAndDimensions(in.X, in.Size, in.Tokens, in.Width())
	f := tensors.FromFlatDataAndDimensions(in.Feats, in.Size, NumFeatures)
	res, err := p.exec.Exec(x, f)
	if err != nil {
		return outs, err
	}
	for i, t := range res {
		outs[i] = tensors.MustCopyFlatData[float32](t)
		t.FinalizeAll()
	}
	return outs, nil
}

// fill decodes row r of the outputs into pr.
func (p *Predictor) fill(pr *Prediction, outs [6][]float32, r int) {
	const c, np = dataset.NumClasses, dataset.NumParams
	best := 0
	for k := range c {
		pr.Probs[k] = float64(outs[0][r*c+k])
		if pr.Probs[k] > pr.Probs[best] {
			best = k
		}
	}
	pr.Class = best
	y := [np]float32(outs[1][r*np : (r+1)*np])
	var sigma [np]float32
	for k := range np {
		sigma[k] = float32(math.Exp(float64(outs[2][r*np+k])))
	}
	pr.Params = p.Normalizer.Decode(y)
	pr.Sigma = p.Normalizer.DecodeSigma(y, sigma)
	pr.ZMass = math.NaN()
	next := 4
	if nz := p.Config.ZBins; nz > 0 {
		if len(outs[next]) >= (r+1)*nz {
			pr.Params[dataset.ParamZ], pr.Sigma[dataset.ParamZ], pr.ZMass = DecodeZ(p.Config, outs[next][r*nz:(r+1)*nz])
		}
		next++
	}
	if nb := p.Config.StarBins; nb > 0 {
		row := len(StarBinParams) * nb
		if len(outs[next]) >= (r+1)*row {
			bins := p.Config.StarBinnings()
			for j, b := range bins {
				k := StarBinParams[j]
				lo := r*row + j*nb
				pr.Params[k], pr.Sigma[k], _ = b.Decode(outs[next][lo : lo+nb])
			}
			if p.mk != nil { // StarBinParams: Teff, then log g
				shift := p.Calibration.teffBias(pr.Params[dataset.ParamTeff]) / bins[0].Width()
				pr.MKProbs = p.mk.probs(outs[next][r*row:r*row+nb], outs[next][r*row+nb:r*row+2*nb], shift)
			}
		}
	}
	d := p.Config.Dim
	pr.Embedding = slices.Clone(outs[3][r*d : (r+1)*d])
}
