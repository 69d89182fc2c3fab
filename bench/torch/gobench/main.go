// Command gobench times the GoMLX side of the PyTorch comparison
// (bench/torch/run.sh): the median wall time of a fine-tuning training
// step (forward, backward, global-norm clipping, AdamW; one batch of
// Config.Batch spectra on the 3908-pixel LAMOST grid, input preparation
// excluded as in train.BenchmarkTrainStep) and the inference throughput
// of model.Predictor (input preparation, the graph in batches of 64 and
// decoding included), with the parameter count of the model. It prints
// one JSON object on standard output.
//
//	GOMAXPROCS=1 go run ./bench/torch/gobench -config small -steps 10 -reps 3
//
// -z-templates and -z-template-bin override the configuration's
// ZTemplates and ZTemplateBin (the learned-template redshift correlation,
// model/ztemplate.go): -z-templates 4 benchmarks small with the 4
// templates of 16-pixel bins that torch_bench.py's Z_TEMPLATES,
// Z_TEMPLATE_BIN replicate, -z-templates 0 without them (torch_bench.py
// --z-templates 0); a JSON configuration file given to -config sets them
// too ("z_templates", "z_template_bin").
//
// The training step is rebuilt here from the public API (model.Build,
// model.ClassLoss, model.BetaNLL, model.ReconLoss, model.ZBinLoss with
// model.ZTarget's targets, model.StarBinLoss with model.Binning.Target's
// targets in model.Config.StarBinnings' layouts, model.ShiftLoss with
// model.Config.ShiftTarget's targets, train.ClipByGlobalNorm and GoMLX's
// AdamW with the configuration's hyper-parameters) because train's step
// executable is unexported; it is the graph train.newStepExec builds for
// a fine-tuning step without gradient accumulation (train.lossGraph's
// total: WClass·CE + WReg·β-NLL + WRecon·reconstruction + WZ·redshift-bin
// CE + WStarBins·binned stellar CE + WShift·rest-frame shift loss, its
// inputs in that order).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gtrain "github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/internal/benchdata"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
	"github.com/astroone/astroone-go/train"
)

// result is the JSON the command prints.
type result struct {
	Framework        string    `json:"framework"`
	Config           string    `json:"config"`
	Backend          string    `json:"backend"`
	GOMAXPROCS       int       `json:"gomaxprocs"`
	Params           int       `json:"params"`
	Batch            int       `json:"batch"`
	Tokens           int       `json:"tokens"` // patch tokens + the feature token
	ZTemplates       int       `json:"z_templates"`
	ZTemplateBin     int       `json:"z_template_bin"`
	StepSeconds      []float64 `json:"step_seconds"`
	StepMedian       float64   `json:"step_median_s"`
	InferSpectra     int       `json:"infer_spectra"` // spectra per timed Predict call
	InferSeconds     []float64 `json:"infer_seconds"`
	InferRate        float64   `json:"infer_spectra_per_s"` // from the median call
	PrepareRate      float64   `json:"prepare_spectra_per_s"`
	FirstLossOfSteps float64   `json:"first_loss"`
}

func main() {
	name := flag.String("config", "small", "model configuration (name or JSON file)")
	steps := flag.Int("steps", 10, "timed training steps (after 2 warm-up steps)")
	reps := flag.Int("reps", 3, "timed Predict calls (after one warm-up call)")
	n := flag.Int("n", 512, "spectra per Predict call")
	zt := flag.Int("z-templates", -1, "learned redshift templates, Config.ZTemplates (-1: the configuration's; 0: none)")
	ztb := flag.Int("z-template-bin", -1,
		"binned pixels per coarse pixel of the template correlation, Config.ZTemplateBin (-1: the configuration's, or 16 where that is 0 and -z-templates > 0)")
	flag.Parse()
	cfg, err := loadConfig(*name, *zt, *ztb)
	if err == nil {
		err = run(cfg, *steps, *reps, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

// defaultZTemplateBin is the ZTemplateBin -z-templates > 0 implies for a
// configuration without one (torch_bench.py's Z_TEMPLATE_BIN).
const defaultZTemplateBin = 16

// loadConfig returns the named configuration (or JSON file) with
// ZTemplates and ZTemplateBin overridden where zTemplates, zTemplateBin
// ≥ 0, validated.
func loadConfig(name string, zTemplates, zTemplateBin int) (model.Config, error) {
	cfg, err := model.ConfigByNameOrFile(name)
	if err != nil {
		return model.Config{}, err
	}
	if zTemplates >= 0 {
		cfg.ZTemplates = zTemplates
	}
	if zTemplateBin >= 0 {
		cfg.ZTemplateBin = zTemplateBin
	} else if cfg.ZTemplates > 0 && cfg.ZTemplateBin == 0 {
		cfg.ZTemplateBin = defaultZTemplateBin
	}
	if err := cfg.Validate(); err != nil {
		return model.Config{}, err
	}
	return cfg, nil
}

func run(cfg model.Config, steps, reps, n int) error {
	cfg.Accumulation = 1
	res := result{Framework: "gomlx", Config: cfg.Name, Backend: nn.BackendConfig(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), Batch: cfg.Batch, Tokens: cfg.Tokens() + 1}
	if cfg.ZTemplates > 0 {
		res.ZTemplates, res.ZTemplateBin = cfg.ZTemplates, cfg.ZTemplateBin
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return err
	}
	if err := trainSteps(cfg, ctx, steps, &res); err != nil {
		return fmt.Errorf("training step: %w", err)
	}
	res.Params = countParams(ctx)
	if err := inference(cfg, ctx, reps, n, &res); err != nil {
		return fmt.Errorf("inference: %w", err)
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(res)
}

// countParams returns the number of trainable values under the model's
// scope (the optimizer's moments and step counters are not counted).
func countParams(ctx *context.Context) int {
	total := 0
	for v := range ctx.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Scope(), "/"+model.ScopeModel) {
			total += v.Shape().Size()
		}
	}
	return total
}

// benchNorm is the benchmark's Normalizer: mean 0 and std 1, so that the
// batch's targets (benchdata.Batch) are their physical values.
var benchNorm = dataset.Normalizer{Std: [dataset.NumParams]float64{1, 1, 1, 1, 1}}

// shiftTargets returns the rest-frame shift head's targets (pixels,
// model.Config.ShiftTarget of the decoded RV) and weights (1 for a
// spectrum with a usable RV) of b, as train.prepareBatch.
func shiftTargets(cfg model.Config, b *dataset.Batch) (st, sw []float32) {
	const np = dataset.NumParams
	st, sw = make([]float32, b.Size), make([]float32, b.Size)
	for r := range b.Size {
		if !(b.W[r*np+dataset.ParamRV] > 0) {
			continue
		}
		rv := benchNorm.Decode([np]float32(b.Y[r*np : (r+1)*np]))[dataset.ParamRV]
		if s, ok := cfg.ShiftTarget(rv); ok {
			st[r], sw[r] = s, 1
		}
	}
	return st, sw
}

// starTargets returns the binned stellar heads' targets (Size×3×StarBins,
// model.Binning.Target of the decoded Teff, log g and [Fe/H] in
// model.Config.StarBinnings' layouts, model.StarBinParams order) and
// weights (Size×3: 1 where the parameter has a weight and a target), as
// train.prepareBatch.
func starTargets(cfg model.Config, b *dataset.Batch) (bt, bw []float32) {
	const np, ns = dataset.NumParams, len(model.StarBinParams)
	nb := cfg.StarBins
	bt, bw = make([]float32, b.Size*ns*nb), make([]float32, b.Size*ns)
	binnings := cfg.StarBinnings()
	for r := range b.Size {
		phys := benchNorm.Decode([np]float32(b.Y[r*np : (r+1)*np]))
		for j, k := range model.StarBinParams {
			if !(b.W[r*np+k] > 0) {
				continue
			}
			lo := (r*ns + j) * nb
			if binnings[j].Target(phys[k], bt[lo:lo+nb]) {
				bw[r*ns+j] = 1
			}
		}
	}
	return bt, bw
}

// zTargets returns the redshift head's targets (Size×ZBins, model.ZTarget)
// and weights (1 for a spectrum with a redshift) of b, whose targets are
// taken as already in physical units (a Normalizer with mean 0 and std 1,
// as the benchmark's).
func zTargets(cfg model.Config, b *dataset.Batch) (zt, zw []float32) {
	const np = dataset.NumParams
	zt, zw = make([]float32, b.Size*cfg.ZBins), make([]float32, b.Size)
	for r := range b.Size {
		if !(b.W[r*np+dataset.ParamZ] > 0) {
			continue
		}
		if model.ZTarget(cfg, float64(b.Y[r*np+dataset.ParamZ]), zt[r*cfg.ZBins:(r+1)*cfg.ZBins]) {
			zw[r] = 1
		}
	}
	return zt, zw
}

// trainSteps compiles a fine-tuning step and times steps of them after
// two warm-up steps (the first compiles).
func trainSteps(cfg model.Config, ctx *context.Context, steps int, res *result) error {
	backend, err := nn.Backend()
	if err != nil {
		return err
	}
	defer backend.Finalize()
	lr := optimizers.LearningRateVar(ctx, dtypes.Float32, cfg.LearningRate)
	if err := lr.SetValue(tensors.FromScalar(float32(cfg.LearningRate))); err != nil {
		return err
	}
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).WeightDecay(cfg.WeightDecay).Done().(gtrain.OptimizeWithGradients)
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, in []*Node) []*Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		x, feats, mask, tgt, pw := in[0], in[1], in[2], in[3], in[4]
		out := model.Build(ctx, cfg, x, feats, mask, model.Heads{Class: true, Params: true, Recon: true})
		ce := model.ClassLoss(out.Logits, in[5], in[6])
		reg := model.BetaNLL(out.Mean, out.LogSigma, in[7], in[8], cfg.NLLBeta) // GaussianNLL for β = 0
		rec := model.ReconLoss(out.Recon, tgt, pw, mask)
		total := Add(Add(MulScalar(ce, cfg.WClass), MulScalar(reg, cfg.WReg)), MulScalar(rec, cfg.WRecon))
		next := 9
		if cfg.ZBins > 0 {
			total = Add(total, MulScalar(model.ZBinLoss(out.ZLogits, in[next], in[next+1]), cfg.WZ))
			next += 2
		}
		if out.StarLogits != nil {
			total = Add(total, MulScalar(model.StarBinLoss(out.StarLogits, in[next], in[next+1]), cfg.WStarBins))
			next += 2
		}
		if out.Shift != nil {
			total = Add(total, MulScalar(model.ShiftLoss(out.Shift, in[next], in[next+1]), cfg.WShift))
		}
		grads := ctx.BuildTrainableVariablesGradientsGraph(total)
		grads, norm := train.ClipByGlobalNorm(grads, cfg.ClipNorm)
		opt.UpdateGraphWithGradients(ctx, grads, total.DType())
		return []*Node{total, norm}
	})
	if err != nil {
		return err
	}
	defer exec.Finalize()

	b := benchdata.Batch(cfg.Pixels, cfg.Batch)
	in, err := model.Prepare(cfg, b.Flux, b.Ivar, b.Size)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0))
	mask := model.MaskTokens(rng, b.Size, in.Tokens, cfg.FinetuneMaskRatio, cfg.MaskSpan)
	onehot := make([]float32, b.Size*dataset.NumClasses)
	cw := make([]float32, b.Size)
	for i, c := range b.Class {
		onehot[i*dataset.NumClasses+int(c)] = 1
		cw[i] = 1
	}
	var zt, zw, bt, bw, st, sw []float32
	if cfg.ZBins > 0 {
		zt, zw = zTargets(cfg, b)
	}
	withStars := cfg.StarBins > 0 // model.Build's condition for Outputs.StarLogits (the parameter head is built)
	if withStars {
		bt, bw = starTargets(cfg, b)
	}
	withShift := cfg.RestFrameShift > 0 && cfg.PixelHead > 0 // model.Build's condition for Outputs.Shift
	if withShift {
		st, sw = shiftTargets(cfg, b)
	}
	args := func() []any {
		a := []any{
			tensors.FromFlatDataAndDimensions(in.X, in.Size, in.Tokens, in.Width()),
			tensors.FromFlatDataAndDimensions(in.Feats, in.Size, model.NumFeatures),
			tensors.FromFlatDataAndDimensions(mask, in.Size, in.Tokens+1),
			tensors.FromFlatDataAndDimensions(in.Target, in.Size, in.Tokens+1, in.Patch),
			tensors.FromFlatDataAndDimensions(in.PixW, in.Size, in.Tokens+1, in.Patch),
			tensors.FromFlatDataAndDimensions(onehot, in.Size, dataset.NumClasses),
			tensors.FromFlatDataAndDimensions(cw, in.Size),
			tensors.FromFlatDataAndDimensions(b.Y, in.Size, dataset.NumParams),
			tensors.FromFlatDataAndDimensions(b.W, in.Size, dataset.NumParams),
		}
		if cfg.ZBins > 0 {
			a = append(a,
				tensors.FromFlatDataAndDimensions(zt, in.Size, cfg.ZBins),
				tensors.FromFlatDataAndDimensions(zw, in.Size))
		}
		if withStars {
			ns := len(model.StarBinParams)
			a = append(a,
				tensors.FromFlatDataAndDimensions(bt, in.Size, ns, cfg.StarBins),
				tensors.FromFlatDataAndDimensions(bw, in.Size, ns))
		}
		if withShift {
			a = append(a,
				tensors.FromFlatDataAndDimensions(st, in.Size),
				tensors.FromFlatDataAndDimensions(sw, in.Size))
		}
		return a
	}
	for i := range steps + 2 {
		t0 := time.Now()
		outs, err := exec.Exec(args()...)
		if err != nil {
			return err
		}
		loss := tensors.MustCopyFlatData[float32](outs[0])[0]
		for _, t := range outs {
			t.FinalizeAll()
		}
		dt := time.Since(t0).Seconds()
		if i == 0 {
			res.FirstLossOfSteps = float64(loss)
		}
		if i >= 2 {
			res.StepSeconds = append(res.StepSeconds, dt)
		}
		fmt.Fprintf(os.Stderr, "gomlx step %d: %.3f s, loss %.4f\n", i, dt, loss)
	}
	res.StepMedian = median(res.StepSeconds)
	// Bring the trained variables to host memory for the predictor.
	for v := range ctx.IterVariables() {
		t, err := v.Value()
		if err != nil {
			return err
		}
		if err := t.ToLocal(); err != nil {
			return err
		}
	}
	return nil
}

// inference times model.Predictor on n spectra, reps times after one
// warm-up call, and model.Prepare alone on the same spectra.
func inference(cfg model.Config, ctx *context.Context, reps, n int, res *result) error {
	p, err := model.NewPredictor(cfg, benchNorm, ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	b := benchdata.Batch(cfg.Pixels, n)
	if _, err := p.Predict(b); err != nil {
		return err
	}
	res.InferSpectra = n
	for range reps {
		t0 := time.Now()
		if _, err := p.Predict(b); err != nil {
			return err
		}
		res.InferSeconds = append(res.InferSeconds, time.Since(t0).Seconds())
		fmt.Fprintf(os.Stderr, "gomlx predict %d spectra: %.3f s\n", n, res.InferSeconds[len(res.InferSeconds)-1])
	}
	res.InferRate = float64(n) / median(res.InferSeconds)
	t0 := time.Now()
	if _, err := model.Prepare(cfg, b.Flux, b.Ivar, n); err != nil {
		return err
	}
	res.PrepareRate = float64(n) / time.Since(t0).Seconds()
	return nil
}

// median returns the median of v (the mean of the middle two for an even
// count); NaN-free input assumed.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
