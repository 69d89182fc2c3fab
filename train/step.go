package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	gtrain "github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
)

// Phase is a stage of training.
type Phase string

// The training phases.
const (
	// PhasePretrain is masked-spectrum pretraining: the reconstruction loss only.
	PhasePretrain Phase = "pretrain"
	// PhaseFinetune is supervised fine-tuning: WClass·CE + WReg·NLL + WRecon·reconstruction.
	PhaseFinetune Phase = "finetune"
)

// accScope is the context scope of the gradient accumulators.
const accScope = "/train_accumulated"

// prepared is a batch turned into the arrays the graphs take.
type prepared struct {
	in     model.Inputs
	mask   []float32 // Size×(Tokens+1)
	onehot []float32 // Size×NumClasses
	cw     []float32 // Size: 1 for a labelled class
	y, w   []float32 // Size×NumParams, NaN-free
	zt     []float32 // Size×ZBins redshift-head targets (ZBins > 0)
	zw     []float32 // Size: 1 for a spectrum with a redshift
	bt     []float32 // Size×3×StarBins binned Teff, log g, [Fe/H] targets (StarBins > 0)
	bw     []float32 // Size×3: 1 where the binned parameter is defined
	st     []float32 // Size: rest-frame shift targets, pixels (RestFrameShift > 0)
	sw     []float32 // Size: 1 for a spectrum with a usable shift target
	batch  *dataset.Batch
}

// maskRatio returns the fraction of tokens masked in a phase.
func maskRatio(cfg model.Config, phase Phase) float64 {
	if phase == PhasePretrain {
		return cfg.MaskRatio
	}
	if cfg.WRecon > 0 {
		return cfg.FinetuneMaskRatio
	}
	return 0
}

// prepareBatch prepares b for a phase, masking tokens with a generator
// seeded by (seed, stream): the mask is a function of the batch's position
// in the run, so a resumed run draws the same masks.
//
// The redshift head's targets are decoded with norm from the batch's
// standardised targets.
func prepareBatch(cfg model.Config, norm dataset.Normalizer, b *dataset.Batch, phase Phase, seed int64, stream uint64) (*prepared, error) {
	in, err := model.Prepare(cfg, b.Flux, b.Ivar, b.Size)
	if err != nil {
		return nil, err
	}
	if len(b.Class) != b.Size || len(b.Y) != b.Size*dataset.NumParams || len(b.W) != b.Size*dataset.NumParams {
		return nil, fmt.Errorf("batch of %d: %d classes, %d targets, %d weights", b.Size, len(b.Class), len(b.Y), len(b.W))
	}
	p := &prepared{in: in, batch: b,
		onehot: make([]float32, b.Size*dataset.NumClasses), cw: make([]float32, b.Size),
		y: make([]float32, len(b.Y)), w: make([]float32, len(b.W))}
	rng := rand.New(rand.NewPCG(uint64(seed), stream))
	p.mask = model.MaskTokens(rng, b.Size, in.Tokens, maskRatio(cfg, phase), cfg.MaskSpan)
	for i, c := range b.Class {
		if c >= 0 && int(c) < dataset.NumClasses {
			p.onehot[i*dataset.NumClasses+int(c)] = 1
			p.cw[i] = 1
		}
	}
	for i := range b.Y {
		if b.W[i] > 0 && !math.IsNaN(float64(b.Y[i])) && !math.IsInf(float64(b.Y[i]), 0) {
			p.y[i], p.w[i] = b.Y[i], b.W[i]
		}
	}
	if cfg.ZBins > 0 {
		const np = dataset.NumParams
		p.zt, p.zw = make([]float32, b.Size*cfg.ZBins), make([]float32, b.Size)
		for r := range b.Size {
			if p.w[r*np+dataset.ParamZ] <= 0 {
				continue
			}
			z := norm.Decode([np]float32(p.y[r*np : (r+1)*np]))[dataset.ParamZ]
			if model.ZTarget(cfg, z, p.zt[r*cfg.ZBins:(r+1)*cfg.ZBins]) {
				p.zw[r] = 1
			}
		}
	}
	if nb := cfg.StarBins; nb > 0 {
		const np, ns = dataset.NumParams, len(model.StarBinParams)
		p.bt, p.bw = make([]float32, b.Size*ns*nb), make([]float32, b.Size*ns)
		binnings := cfg.StarBinnings()
		for r := range b.Size {
			phys := norm.Decode([np]float32(p.y[r*np : (r+1)*np]))
			for j, k := range model.StarBinParams {
				if p.w[r*np+k] <= 0 {
					continue
				}
				lo := (r*ns + j) * nb
				if binnings[j].Target(phys[k], p.bt[lo:lo+nb]) {
					p.bw[r*ns+j] = 1
				}
			}
		}
	}
	if cfg.RestFrameShift > 0 {
		const np = dataset.NumParams
		p.st, p.sw = make([]float32, b.Size), make([]float32, b.Size)
		for r := range b.Size {
			if p.w[r*np+dataset.ParamRV] <= 0 {
				continue
			}
			rv := norm.Decode([np]float32(p.y[r*np : (r+1)*np]))[dataset.ParamRV]
			if s, ok := cfg.ShiftTarget(rv); ok {
				p.st[r], p.sw[r] = s, 1
			}
		}
	}
	return p, nil
}

// tensors returns the graph inputs of a phase: x, feats, mask, target,
// pixel weights, and for fine-tuning also the one-hot classes, class
// weights, targets and target weights, with a redshift head its targets
// and weights, with binned stellar heads theirs, and with a rest-frame
// shift head its targets and weights.
func (p *prepared) tensors(phase Phase) []any {
	in := p.in
	ts := []any{
		tensors.FromFlatDataAndDimensions(in.X, in.Size, in.Tokens, in.Width()),
		tensors.FromFlatDataAndDimensions(in.Feats, in.Size, model.NumFeatures),
		tensors.FromFlatDataAndDimensions(p.mask, in.Size, in.Tokens+1),
		tensors.FromFlatDataAndDimensions(in.Target, in.Size, in.Tokens+1, in.Patch),
		tensors.FromFlatDataAndDimensions(in.PixW, in.Size, in.Tokens+1, in.Patch),
	}
	if phase == PhaseFinetune {
		ts = append(ts,
			tensors.FromFlatDataAndDimensions(p.onehot, in.Size, dataset.NumClasses),
			tensors.FromFlatDataAndDimensions(p.cw, in.Size),
			tensors.FromFlatDataAndDimensions(p.y, in.Size, dataset.NumParams),
			tensors.FromFlatDataAndDimensions(p.w, in.Size, dataset.NumParams))
		if p.zt != nil {
			ts = append(ts,
				tensors.FromFlatDataAndDimensions(p.zt, in.Size, len(p.zt)/in.Size),
				tensors.FromFlatDataAndDimensions(p.zw, in.Size))
		}
		if p.bt != nil {
			ns := len(model.StarBinParams)
			ts = append(ts,
				tensors.FromFlatDataAndDimensions(p.bt, in.Size, ns, len(p.bt)/(in.Size*ns)),
				tensors.FromFlatDataAndDimensions(p.bw, in.Size, ns))
		}
		if p.st != nil {
			ts = append(ts,
				tensors.FromFlatDataAndDimensions(p.st, in.Size),
				tensors.FromFlatDataAndDimensions(p.sw, in.Size))
		}
	}
	return ts
}

// losses are the parts of a phase's loss (parts it does not use are 0).
type losses struct {
	total, ce, nll, rec, zce, star, shift *Node
}

// lossGraph builds the model and the phase's losses from the graph
// inputs (see prepared.tensors): total, class CE, parameter NLL,
// reconstruction loss, redshift-bin CE, binned stellar CE and rest-frame
// shift loss. The
// total uses the β-NLL when cfg.NLLBeta > 0; the NLL part returned is the
// plain one.
func lossGraph(ctx *context.Context, cfg model.Config, phase Phase, in []*Node) losses {
	x, feats, mask, tgt, pw := in[0], in[1], in[2], in[3], in[4]
	zero := ScalarZero(x.Graph(), x.DType())
	l := losses{ce: zero, nll: zero, rec: zero, zce: zero, star: zero, shift: zero}
	if phase == PhasePretrain {
		out := model.Build(ctx, cfg, x, feats, mask, model.Heads{Recon: true})
		l.rec = model.ReconLoss(out.Recon, tgt, pw, mask)
		l.total = l.rec
		return l
	}
	withRecon := maskRatio(cfg, phase) > 0
	var m *Node
	if withRecon {
		m = mask
	}
	out := model.Build(ctx, cfg, x, feats, m, model.Heads{Class: true, Params: true, Recon: withRecon})
	l.ce = model.ClassLoss(out.Logits, in[5], in[6])
	l.nll = model.GaussianNLL(out.Mean, out.LogSigma, in[7], in[8])
	reg := l.nll
	if cfg.NLLBeta > 0 {
		reg = model.BetaNLL(out.Mean, out.LogSigma, in[7], in[8], cfg.NLLBeta)
	}
	if withRecon {
		l.rec = model.ReconLoss(out.Recon, tgt, pw, mask)
	}
	l.total = Add(MulScalar(l.ce, cfg.WClass), MulScalar(reg, cfg.WReg))
	l.total = Add(l.total, MulScalar(l.rec, cfg.WRecon))
	next := 9
	if cfg.ZBins > 0 {
		l.zce = model.ZBinLoss(out.ZLogits, in[next], in[next+1])
		l.total = Add(l.total, MulScalar(l.zce, cfg.WZ))
		next += 2
	}
	if out.StarLogits != nil {
		l.star = model.StarBinLoss(out.StarLogits, in[next], in[next+1])
		l.total = Add(l.total, MulScalar(l.star, cfg.WStarBins))
		next += 2
	}
	if out.Shift != nil {
		l.shift = model.ShiftLoss(out.Shift, in[next], in[next+1])
		l.total = Add(l.total, MulScalar(l.shift, cfg.WShift))
	}
	return l
}

// newOptimizer returns the run's AdamW; its learning rate variable is
// set before every step (see setLearningRate).
func newOptimizer(cfg model.Config) gtrain.OptimizeWithGradients {
	return optimizers.Adam().LearningRate(cfg.LearningRate).WeightDecay(cfg.WeightDecay).Done().(gtrain.OptimizeWithGradients)
}

// setLearningRate sets the optimizer's learning-rate variable.
func setLearningRate(ctx *context.Context, lr float64) error {
	v := optimizers.LearningRateVar(ctx, dtypes.Float32, lr)
	return v.SetValue(tensors.FromScalar(float32(lr)))
}

// newStepExec compiles a training step of a phase. With apply false it
// only adds the micro-batch's gradients to the accumulators; with apply
// it adds them, averages over cfg.Accumulation micro-batches, clips the
// average to global norm cfg.ClipNorm, takes an AdamW step and zeroes the
// accumulators. Outputs: total loss, class CE, parameter NLL,
// reconstruction loss, redshift-bin CE, rest-frame shift loss, binned
// stellar CE, and (apply only, else 0) the
// global gradient norm before clipping.
func newStepExec(backend backends.Backend, ctx *context.Context, cfg model.Config, phase Phase, apply bool) (*context.Exec, error) {
	opt := newOptimizer(cfg)
	return context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, in []*Node) []*Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		l := lossGraph(ctx, cfg, phase, in)
		total := l.total
		grads := ctx.BuildTrainableVariablesGradientsGraph(total)
		var vars []*context.Variable
		for v := range ctx.IterVariables() {
			if v.Trainable && v.InUseByGraph(g) {
				vars = append(vars, v)
			}
		}
		if len(vars) != len(grads) {
			panic(fmt.Sprintf("train: %d gradients for %d trainable variables", len(grads), len(vars)))
		}
		var accs []*context.Variable
		if cfg.Accumulation > 1 {
			for i, v := range vars {
				acc := ctx.InAbsPath(accScope+v.Scope()).WithInitializer(initializers.Zero).
					VariableWithShape(v.Name(), v.Shape()).SetTrainable(false)
				accs = append(accs, acc)
				grads[i] = Add(acc.ValueGraph(g), grads[i])
			}
		}
		zero := ScalarZero(g, total.DType())
		if !apply {
			for i, acc := range accs {
				acc.SetValueGraph(grads[i])
			}
			return []*Node{total, l.ce, l.nll, l.rec, l.zce, l.shift, l.star, zero}
		}
		for i, acc := range accs {
			grads[i] = MulScalar(grads[i], 1/float64(cfg.Accumulation))
			acc.SetValueGraph(ZerosLike(grads[i]))
		}
		grads, norm := ClipByGlobalNorm(grads, cfg.ClipNorm)
		opt.UpdateGraphWithGradients(ctx, grads, total.DType())
		return []*Node{total, l.ce, l.nll, l.rec, l.zce, l.shift, l.star, norm}
	})
}

// newEvalExec compiles the validation graph of a phase. Inputs: x,
// feats, mask, target, pixel weights. Outputs: per spectrum the
// reconstruction numerator Σ m·w·(r−t)² and denominator Σ m·w, and for
// fine-tuning also the class logits, parameter means and log σ, and with
// a redshift head its logits, with binned stellar heads theirs and with
// a shift head its shifts (from an unmasked pass, as at prediction).
func newEvalExec(backend backends.Backend, ctx *context.Context, cfg model.Config, phase Phase) (*context.Exec, error) {
	return context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, in []*Node) []*Node {
		x, feats, mask, tgt, pw := in[0], in[1], in[2], in[3], in[4]
		var outs []*Node
		if phase == PhasePretrain || maskRatio(cfg, phase) > 0 {
			r := model.Build(ctx, cfg, x, feats, mask, model.Heads{Recon: true})
			mw := Mul(pw, InsertAxes(mask, -1))
			outs = append(outs, ReduceSum(Mul(mw, Square(Sub(r.Recon, tgt))), 1, 2), ReduceSum(mw, 1, 2))
		} else {
			z := Zeros(x.Graph(), shapes.Make(x.DType(), x.Shape().Dimensions[0]))
			outs = append(outs, z, z)
		}
		if phase == PhaseFinetune {
			o := model.Build(ctx, cfg, x, feats, nil, model.Heads{Class: true, Params: true})
			outs = append(outs, o.Logits, o.Mean, o.LogSigma)
			if o.ZLogits != nil {
				outs = append(outs, o.ZLogits)
			}
			if o.StarLogits != nil {
				outs = append(outs, o.StarLogits)
			}
			if o.Shift != nil {
				outs = append(outs, o.Shift)
			}
		}
		return outs
	})
}

// ClipByGlobalNorm scales the gradients by min(1, maxNorm/‖g‖), with ‖g‖
// the Euclidean norm of all of them together, and returns them with ‖g‖
// (before scaling). maxNorm ≤ 0 leaves them unchanged.
func ClipByGlobalNorm(grads []*Node, maxNorm float64) ([]*Node, *Node) {
	g := grads[0].Graph()
	sumSq := ScalarZero(g, grads[0].DType())
	for _, gr := range grads {
		sumSq = Add(sumSq, ReduceAllSum(Square(gr)))
	}
	norm := Sqrt(sumSq)
	if maxNorm <= 0 {
		return grads, norm
	}
	scale := Min(OnesLike(norm), Div(Scalar(g, norm.DType(), maxNorm), AddScalar(norm, 1e-12)))
	out := make([]*Node, len(grads))
	for i := range grads {
		out[i] = Mul(grads[i], scale)
	}
	return out, norm
}
