// Package train trains AstroOne's spectrum model (package model):
// masked-spectrum pretraining, then supervised fine-tuning with a
// weighted multi-task loss; AdamW with linear warm-up and cosine decay,
// gradient clipping by global norm and gradient accumulation; validation
// with early stopping; atomic checkpoints with the optimizer state from
// which a run resumes exactly; metrics as JSONL and a loss-curve SVG.
//
// A run directory holds config.json, normalizer.json, metrics.jsonl,
// loss.svg and checkpoints/ (step-N.ckpt with step-N.json, best.ckpt);
// model.LoadPredictor reads it.
package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

// Files of a run directory written by Run (model.ConfigFile,
// model.NormalizerFile and model.CheckpointDir are the others).
const (
	MetricsFile = "metrics.jsonl"
	LossPlot    = "loss.svg"
)

// Options configure Run.
type Options struct {
	Train *dataset.Set // training examples (required)
	Val   *dataset.Set // validation examples; nil = no validation and no early stopping
	// Normalizer standardises the targets; nil = dataset.FitNormalizer(Train).
	// A resumed run uses its saved normalizer.json.
	Normalizer *dataset.Normalizer
	Config     model.Config // ignored when resuming (config.json is used)
	OutDir     string       // run directory (created)
	// Steps, when > 0, replaces Config.Steps, and PretrainSteps is scaled
	// by the same factor. When resuming it may extend the run.
	Steps  int
	Resume bool      // continue the run in OutDir from its latest checkpoint
	Log    io.Writer // progress lines; nil = os.Stderr
	// Augment is the augmentation of training batches when Config.Augment
	// is set; nil = DefaultAugment.
	Augment *dataset.Augment
	// StopAt, when > 0, ends the call after that optimizer step with a
	// checkpoint, as if the run were interrupted (Result.Done is false).
	StopAt int
	// KeepCheckpoints is how many step checkpoints to keep (default 2).
	KeepCheckpoints int
	// LogEvery is the least time between progress lines (default 10 s);
	// validations are always logged.
	LogEvery time.Duration
}

// Result summarises a Run call.
type Result struct {
	RunDir       string
	Steps        int  // optimizer steps done in the run so far
	Done         bool // the run reached its last step or stopped early
	EarlyStopped bool
	BestStep     int     // step of the best fine-tuning validation (0 = none)
	BestValLoss  float64 // NaN without one
	LastVal      *ValMetrics
	Seconds      float64 // wall time of this call
	// SecondsPerStep is the mean wall time of this call's optimizer steps.
	SecondsPerStep float64
}

// ErrDiverged reports a non-finite training loss.
var ErrDiverged = errors.New("training diverged (non-finite loss)")

// run is the state of one Run call.
type run struct {
	opts    Options
	cfg     model.Config
	norm    dataset.Normalizer
	dir     string
	log     io.Writer
	backend backends.Backend
	ctx     *mlctx.Context
	state   State
	records []Record
	metrics *os.File
	execs   map[execKey]*mlctx.Exec
	val     *validator
}

// execKey names a compiled training step.
type execKey struct {
	phase Phase
	apply bool
}

// Run trains (or, with Resume, continues training) the model of
// opts.Config on opts.Train and writes the run to opts.OutDir. It stops
// at the last step, on early stopping, at opts.StopAt, or when ctx is
// cancelled (after the current step, with a checkpoint; the error is then
// ctx.Err()).
func Run(ctx context.Context, opts Options) (res Result, err error) {
	start := time.Now()
	r := &run{opts: opts, dir: opts.OutDir, log: opts.Log, execs: map[execKey]*mlctx.Exec{}}
	if r.log == nil {
		r.log = os.Stderr
	}
	if opts.Train == nil || len(opts.Train.Examples) == 0 {
		return res, errors.New("train: no training examples")
	}
	if err := r.setup(); err != nil {
		return res, fmt.Errorf("train %s: %w", r.dir, err)
	}
	defer r.close()
	res.RunDir = r.dir
	steps, err := r.loop(ctx)
	res.Steps, res.Done, res.EarlyStopped = r.state.Step, r.state.Step >= r.cfg.Steps || r.state.EarlyStopped, r.state.EarlyStopped
	res.BestStep, res.BestValLoss = r.state.BestStep, math.NaN()
	if r.state.BestValLoss != nil {
		res.BestValLoss = *r.state.BestValLoss
	}
	for i := len(r.records) - 1; i >= 0; i-- {
		if r.records[i].Val != nil {
			res.LastVal = r.records[i].Val
			break
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if steps > 0 {
		res.SecondsPerStep = res.Seconds / float64(steps)
	}
	if err != nil {
		return res, fmt.Errorf("train %s: %w", r.dir, err)
	}
	return res, nil
}

// setup prepares the run directory, configuration, normalizer, backend
// and variables: fresh, or from the latest checkpoint when resuming.
func (r *run) setup() error {
	ckdir := filepath.Join(r.dir, model.CheckpointDir)
	if err := os.MkdirAll(ckdir, 0o755); err != nil {
		return err
	}
	latest, _, lerr := model.LatestCheckpoint(ckdir)
	resume := r.opts.Resume && lerr == nil
	if !r.opts.Resume && lerr == nil {
		return fmt.Errorf("the directory already holds a run (%s); resume it or use another directory", latest)
	}
	if lerr != nil && !errors.Is(lerr, fs.ErrNotExist) {
		return lerr
	}
	var err error
	if resume {
		if r.cfg, err = model.LoadRunConfig(filepath.Join(r.dir, model.ConfigFile)); err != nil {
			return err
		}
		if r.state, err = readState(trimExt(latest) + ".json"); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(r.dir, model.NormalizerFile), &r.norm); err != nil {
			return err
		}
		if r.opts.Steps > 0 {
			r.cfg.Steps = max(r.opts.Steps, r.cfg.PretrainSteps)
		}
	} else {
		r.cfg = r.opts.Config
		if r.opts.Steps > 0 && r.cfg.Steps > 0 {
			r.cfg.PretrainSteps = int(math.Round(float64(r.opts.Steps) * float64(r.cfg.PretrainSteps) / float64(r.cfg.Steps)))
			r.cfg.Steps = r.opts.Steps
		} else if r.opts.Steps > 0 {
			r.cfg.Steps, r.cfg.PretrainSteps = r.opts.Steps, 0
		}
		if r.opts.Normalizer != nil {
			r.norm = *r.opts.Normalizer
		} else {
			r.norm = dataset.FitNormalizer(r.opts.Train)
		}
	}
	if err := r.cfg.Validate(); err != nil {
		return err
	}
	if px := len(r.opts.Train.Examples[0].Flux); px != r.cfg.Pixels {
		return fmt.Errorf("training spectra have %d pixels, the model takes %d", px, r.cfg.Pixels)
	}
	if g := r.opts.Train.Grid; r.cfg.RestFrameShift > 0 && g.Log10Step > 0 {
		// The shift head learns RV in pixels of this grid.
		if kms := model.PixelKmS(g.Log10Step); math.Abs(kms-r.cfg.PixelKmS) > 1e-6*kms {
			return fmt.Errorf("training grid has %.4f km/s per pixel, the model config says pixel_kms %.4f", kms, r.cfg.PixelKmS)
		}
	}
	if err := model.WriteFileAtomic(filepath.Join(r.dir, model.ConfigFile), r.cfg.JSON()); err != nil {
		return err
	}
	if err := writeJSONAtomic(filepath.Join(r.dir, model.NormalizerFile), r.norm); err != nil {
		return err
	}
	if r.backend, err = nn.Backend(); err != nil {
		return err
	}
	r.ctx = mlctx.New()
	mpath := filepath.Join(r.dir, MetricsFile)
	if resume {
		if err := model.LoadCheckpoint(latest, r.ctx); err != nil {
			return err
		}
		if r.records, err = readRecords(mpath, r.state.Step); err != nil {
			return err
		}
		fmt.Fprintf(r.log, "resuming %s at step %d/%d (%s)\n", r.dir, r.state.Step, r.cfg.Steps, r.state.Phase)
	} else {
		if err := r.ctx.SetRNGStateFromSeed(r.cfg.Seed); err != nil {
			return err
		}
		r.state = State{Phase: r.phaseOf(0)}
		fmt.Fprintf(r.log, "training %q in %s: %d steps (%d pretraining), batch %d×%d, %d tokens, backend %s\n",
			r.cfg.Name, r.dir, r.cfg.Steps, r.cfg.PretrainSteps, r.cfg.Batch, r.cfg.Accumulation, r.cfg.Tokens()+1, nn.BackendConfig())
	}
	if err := writeRecords(mpath, r.records); err != nil {
		return err
	}
	if r.metrics, err = os.OpenFile(mpath, os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return err
	}
	if r.opts.Val != nil && len(r.opts.Val.Examples) > 0 {
		r.val = &validator{cfg: r.cfg, norm: r.norm, set: r.opts.Val, execs: map[Phase]*mlctx.Exec{}}
	}
	return nil
}

// close releases everything setup acquired.
func (r *run) close() {
	if r.val != nil {
		r.val.close()
	}
	for _, e := range r.execs {
		e.Finalize()
	}
	if r.metrics != nil {
		_ = r.metrics.Close()
	}
	if r.backend != nil {
		r.backend.Finalize()
	}
}

// phaseOf returns the phase of the optimizer step with index step (0-based).
func (r *run) phaseOf(step int) Phase {
	if step < r.cfg.PretrainSteps {
		return PhasePretrain
	}
	return PhaseFinetune
}

// LearningRate returns the learning rate of optimizer step index step
// (0-based) of cfg: in each phase a linear warm-up over the first
// WarmupSteps steps (at most half the phase) from LearningRate/warm-up to
// LearningRate, then a cosine decay to MinLRFrac·LearningRate at the
// phase's last step.
func LearningRate(cfg model.Config, step int) float64 {
	s0, n := 0, cfg.PretrainSteps
	if step >= cfg.PretrainSteps {
		s0, n = cfg.PretrainSteps, cfg.Steps-cfg.PretrainSteps
	}
	i := step - s0
	warm := min(cfg.WarmupSteps, n/2)
	if i < warm {
		return cfg.LearningRate * float64(i+1) / float64(warm)
	}
	frac := 0.0
	if n-1-warm > 0 {
		frac = math.Min(1, float64(i-warm)/float64(n-1-warm))
	}
	minLR := cfg.MinLRFrac * cfg.LearningRate
	return minLR + (cfg.LearningRate-minLR)*0.5*(1+math.Cos(math.Pi*frac))
}

// item is a prepared micro-batch with the stream position after it.
type item struct {
	p        *prepared
	pos      dataset.BatcherState
	consumed int64
}

// batchStream returns the stream of prepared micro-batches that
// continues from r.state's position: a dataset.Batcher over the training
// set (reshuffled every epoch, full batches only, augmented when
// Config.Augment is set), positioned with Resume, whose batches a
// goroutine turns into model inputs ahead of the training steps.
func (r *run) batchStream() (*prefetcher[item], error) {
	bo := dataset.BatchOptions{Size: r.cfg.Batch, Seed: uint64(r.cfg.Seed), Shuffle: true, DropLast: true, Epochs: -1}
	if r.cfg.Augment {
		bo.Augment = &DefaultAugment
		if r.opts.Augment != nil {
			bo.Augment = r.opts.Augment
		}
	}
	if len(r.opts.Train.Examples) < r.cfg.Batch {
		return nil, fmt.Errorf("%d training examples, fewer than a batch of %d", len(r.opts.Train.Examples), r.cfg.Batch)
	}
	bt, err := dataset.NewBatcher(r.opts.Train, r.norm, bo)
	if err != nil {
		return nil, err
	}
	if err := bt.Resume(r.state.Batcher); err != nil {
		bt.Close()
		return nil, fmt.Errorf("resume: %w", err)
	}
	consumed := r.state.Consumed
	next := func() (item, error) {
		b, err := bt.Next()
		if err != nil {
			return item{}, fmt.Errorf("training batches: %w", err)
		}
		step := int(consumed / int64(r.cfg.Accumulation))
		p, err := prepareBatch(r.cfg, r.norm, b, r.phaseOf(step), r.cfg.Seed, uint64(consumed))
		if err != nil {
			return item{}, err
		}
		bt.Recycle(b) // prepareBatch copied what it needs
		consumed++
		return item{p, bt.State(), consumed}, nil
	}
	return newPrefetcher(2, next, func() { bt.Close() }), nil
}

// loop runs optimizer steps until the run ends; it returns the number of
// steps this call did.
func (r *run) loop(ctx context.Context) (int, error) {
	if r.state.Step >= r.cfg.Steps || r.state.EarlyStopped {
		return 0, nil
	}
	stream, err := r.batchStream()
	if err != nil {
		return 0, err
	}
	defer func() {
		stream.close()
	}()
	logEvery := r.opts.LogEvery
	if logEvery <= 0 {
		logEvery = 10 * time.Second
	}
	var lastLog time.Time
	done := 0
	for r.state.Step < r.cfg.Steps {
		t0 := time.Now()
		step := r.state.Step
		phase := r.phaseOf(step)
		lr := LearningRate(r.cfg, step)
		if err := setLearningRate(r.ctx, lr); err != nil {
			return done, err
		}
		rec := Record{Step: step + 1, Phase: phase, LR: lr}
		for micro := range r.cfg.Accumulation {
			it, err := stream.get()
			if err != nil {
				return done, err
			}
			apply := micro == r.cfg.Accumulation-1
			exec, err := r.stepExec(phase, apply)
			if err != nil {
				return done, err
			}
			outs, err := exec.Exec(it.p.tensors(phase)...)
			if err != nil {
				return done, fmt.Errorf("step %d: %w", step+1, err)
			}
			v := make([]float64, len(outs))
			for i, t := range outs {
				v[i] = float64(tensors.ToScalar[float32](t))
				t.FinalizeAll()
			}
			k := float64(r.cfg.Accumulation)
			rec.Loss += v[0] / k
			rec.ClassLoss += v[1] / k
			rec.ParamNLL += v[2] / k
			rec.ReconLoss += v[3] / k
			rec.ZLoss += v[4] / k
			rec.ShiftLoss += v[5] / k
			rec.StarBinLoss += v[6] / k
			if apply {
				rec.GradNorm = v[7]
			}
			r.state.Batcher, r.state.Consumed = it.pos, it.consumed
		}
		if math.IsNaN(rec.Loss) || math.IsInf(rec.Loss, 0) {
			return done, fmt.Errorf("step %d: %w", step+1, ErrDiverged)
		}
		r.state.Step++
		r.state.Phase = r.phaseOf(r.state.Step)
		done++
		rec.Seconds = time.Since(t0).Seconds()
		r.state.Elapsed += rec.Seconds
		rec.Elapsed = r.state.Elapsed
		last := r.state.Step == r.cfg.Steps
		if r.val != nil && (r.state.Step%r.cfg.EvalEvery == 0 || last || r.state.Step == r.cfg.PretrainSteps) {
			if rec.Val, err = r.val.run(r.backend, r.ctx, phase); err != nil {
				return done, fmt.Errorf("validation after step %d: %w", r.state.Step, err)
			}
			if phase == PhaseFinetune {
				if err := r.track(rec.Val.Loss); err != nil {
					return done, err
				}
			}
		}
		r.records = append(r.records, rec)
		if err := appendRecord(r.metrics, rec); err != nil {
			return done, err
		}
		if rec.Val != nil || time.Since(lastLog) >= logEvery || last || done == 1 {
			r.progress(rec)
			lastLog = time.Now()
		}
		stop := last || r.state.EarlyStopped || (r.opts.StopAt > 0 && r.state.Step >= r.opts.StopAt) || ctx.Err() != nil
		if stop || r.state.Step%r.cfg.CheckpointEvery == 0 {
			if err := r.checkpoint(); err != nil {
				return done, err
			}
		}
		if r.state.EarlyStopped {
			fmt.Fprintf(r.log, "early stopping after step %d: no improvement on step %d's validation loss %.4g in %d validations\n",
				r.state.Step, r.state.BestStep, *r.state.BestValLoss, r.state.BadEvals)
		}
		if stop {
			if !last && !r.state.EarlyStopped {
				return done, ctx.Err()
			}
			break
		}
	}
	return done, nil
}

// track updates the best validation loss and early stopping, saving the
// model weights as best.ckpt when the loss improves.
func (r *run) track(loss float64) error {
	if r.state.BestValLoss == nil || loss < *r.state.BestValLoss {
		r.state.BestValLoss, r.state.BestStep, r.state.BadEvals = &loss, r.state.Step, 0
		path := filepath.Join(r.dir, model.CheckpointDir, model.BestCheckpoint)
		return model.SaveCheckpoint(path, r.ctx, isModelVariable)
	}
	r.state.BadEvals++
	if r.cfg.Patience > 0 && r.state.BadEvals >= r.cfg.Patience {
		r.state.EarlyStopped = true
	}
	return nil
}

// isModelVariable selects the model's variables (not the optimizer's).
func isModelVariable(v *mlctx.Variable) bool {
	s := v.Scope()
	return s == "/"+model.ScopeModel || len(s) > len(model.ScopeModel)+1 && s[:len(model.ScopeModel)+2] == "/"+model.ScopeModel+"/"
}

// stepExec returns the compiled training step of a phase.
func (r *run) stepExec(phase Phase, apply bool) (*mlctx.Exec, error) {
	k := execKey{phase, apply}
	if e := r.execs[k]; e != nil {
		return e, nil
	}
	e, err := newStepExec(r.backend, r.ctx, r.cfg, phase, apply)
	if err != nil {
		return nil, err
	}
	r.execs[k] = e
	return e, nil
}

// checkpoint writes step-N.ckpt (all variables) and then step-N.json (the
// state: its presence marks the checkpoint complete), prunes old step
// checkpoints and redraws the loss plot.
func (r *run) checkpoint() error {
	dir := filepath.Join(r.dir, model.CheckpointDir)
	name := model.StepCheckpointName(r.state.Step)
	if err := model.SaveCheckpoint(filepath.Join(dir, name), r.ctx, nil); err != nil {
		return err
	}
	if v := r.ctx.GetVariableByScopeAndName(mlctx.RootScope, mlctx.RNGStateVariableName); v != nil {
		if t, err := v.Value(); err == nil {
			r.state.RNGState, _ = tensors.CopyFlatData[uint64](t)
		}
	}
	r.state.Checkpoint = name
	if err := writeJSONAtomic(filepath.Join(dir, trimExt(name)+".json"), r.state); err != nil {
		return err
	}
	if err := r.prune(dir); err != nil {
		return err
	}
	return writeLossSVG(filepath.Join(r.dir, LossPlot), r.records)
}

// prune removes all but the newest KeepCheckpoints step checkpoints.
func (r *run) prune(dir string) error {
	keep := r.opts.KeepCheckpoints
	if keep <= 0 {
		keep = 2
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); filepath.Ext(n) == ".ckpt" && len(n) > 5 && n[:5] == "step-" {
			names = append(names, n)
		}
	}
	sort.Strings(names) // zero-padded step numbers sort in step order
	for _, n := range names[:max(0, len(names)-keep)] {
		// The state goes first: without it the checkpoint no longer counts.
		if err := os.Remove(filepath.Join(dir, trimExt(n)+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// progress writes a progress line.
func (r *run) progress(rec Record) {
	perStep := rec.Elapsed / float64(rec.Step)
	eta := time.Duration(perStep * float64(r.cfg.Steps-rec.Step) * float64(time.Second)).Round(time.Second)
	line := fmt.Sprintf("step %d/%d %s loss %.4g (ce %.3g nll %.3g rec %.3g) lr %.2e |g| %.3g %.2f s/step eta %s",
		rec.Step, r.cfg.Steps, rec.Phase, rec.Loss, rec.ClassLoss, rec.ParamNLL, rec.ReconLoss, rec.LR, rec.GradNorm, rec.Seconds, eta)
	if v := rec.Val; v != nil {
		line += fmt.Sprintf(" | val loss %.4g", v.Loss)
		if v.Accuracy != nil {
			line += fmt.Sprintf(" acc %.3f", *v.Accuracy)
		}
		for _, k := range dataset.ParamNames {
			if m, ok := v.MAE[k]; ok {
				line += fmt.Sprintf(" %s %.3g", k, m)
			}
		}
	}
	fmt.Fprintln(r.log, line)
}

// trimExt removes a file name's extension.
func trimExt(name string) string { return name[:len(name)-len(filepath.Ext(name))] }
