// Package model holds AstroOne's spectrum foundation model on GoMLX: a
// SpecFormer-style transformer encoder (AstroCLIP/SpecCLIP) over patches
// of a robustly z-scored spectrum, with heads for classification,
// parameter regression with uncertainties and masked-patch
// reconstruction; its named configurations; its checkpoint format; and a
// Predictor that loads a trained run.
//
// Graphs are built with GoMLX v0.26.0 and run on the backend nn.Backend()
// returns ($GOMLX_BACKEND, pure-Go simplego by default). Importing this
// package imports nn, which installs matrix-product gradients for Dot and
// DotGeneral.
package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/astroone/astroone-go/dataset"
	_ "github.com/astroone/astroone-go/nn" // gemm-based Dot/DotGeneral gradients
)

// Heads selects which heads a graph builds. A head's variables are only
// created (and trained) by graphs that build it.
type Heads struct {
	Class, Params, Recon bool
}

// Outputs are the nodes of a model graph. Heads that were not asked for
// are nil.
type Outputs struct {
	Logits     *Node // [B, NumClasses] class logits
	Mean       *Node // [B, NumParams] normalised parameter means
	LogSigma   *Node // [B, NumParams] natural log of the normalised σ, in (−7, 7)
	ZLogits    *Node // [B, ZBins] redshift-bin logits (Params head with Config.ZBins > 0)
	StarLogits *Node // [B, 3, StarBins] logits of the binned Teff, log g, [Fe/H] heads (Params head with Config.StarBins > 0)
	Shift      *Node // [B] predicted Doppler shift of a star's lines, input pixels (Params head with Config.RestFrameShift > 0)
	Recon      *Node // [B, Tokens+1, Patch] reconstructed normalised flux (token 0 unused)
	Embedding  *Node // [B, Dim] mean of the final token states
	Hidden     *Node // [B, Tokens+1, Dim] final token states (after the last layer norm)
}

// Variable scopes of the model; the optimizer's and the training loop's
// variables live elsewhere.
const (
	ScopeModel = "model"
)

// Build adds the model to the graph of x: x is [B, Tokens, TokenWidth]
// (Inputs.X), feats [B, NumFeatures] (Inputs.Feats) and mask [B, Tokens+1]
// (1 = masked token, whose patch embedding is replaced by a learned mask
// vector; nil = nothing masked). ctx should be unchecked (variables are
// shared by the training, validation and inference graphs). Dropout is
// applied when ctx.IsTraining(g) and cfg.Dropout > 0.
func Build(ctx *context.Context, cfg Config, x, feats, mask *Node, heads Heads) Outputs {
	g := x.Graph()
	if cfg.ClassFromParams && heads.Class {
		heads.Params = true // the class head reads the parameter head
	}
	ctx = ctx.In(ScopeModel).WithInitializer(fanInInitializer(ctx))
	tokens, d := cfg.Tokens(), cfg.Dim
	if want := []int{x.Shape().Dimensions[0], tokens, cfg.TokenWidth()}; x.Rank() != 3 || x.Shape().Dimensions[1] != want[1] || x.Shape().Dimensions[2] != want[2] {
		panic(fmt.Sprintf("model: input shape %s, want %v", x.Shape(), want))
	}
	dt := x.DType()

	var tok *Node // [B, T, d]
	if cfg.EmbedHidden > 0 {
		tok = gelu(layers.Dense(ctx.In("patch_embed_hidden"), x, true, cfg.EmbedHidden))
		tok = layers.Dense(ctx.In("patch_embed"), tok, true, d)
	} else {
		tok = layers.Dense(ctx.In("patch_embed"), x, true, d)
	}
	ft := InsertAxes(layers.Dense(ctx.In("feat_embed"), feats, true, d), 1) // [B, 1, d]
	h := Concatenate([]*Node{ft, tok}, 1)                                   // [B, T+1, d]
	if mask != nil {
		maskVec := ctx.In("mask_token").WithInitializer(normalInitializer(ctx, 0.02)).
			VariableWithShape("embedding", shapes.Make(dt, d)).ValueGraph(g)
		m := InsertAxes(mask, -1) // [B, T+1, 1]
		h = Add(Mul(h, OneMinus(m)), Mul(m, Reshape(maskVec, 1, 1, d)))
	}
	pos := ctx.In("positions").WithInitializer(normalInitializer(ctx, 0.02)).
		VariableWithShape("embedding", shapes.Make(dt, tokens+1, d)).ValueGraph(g)
	h = Add(h, InsertAxes(pos, 0))

	training := ctx.IsTraining(g) && cfg.Dropout > 0
	for i := range cfg.Layers {
		lc := ctx.Inf("block_%d", i)
		a := layers.LayerNormalization(lc.In("ln_attn"), h, -1).Done()
		a = attention(lc.In("attn"), a, cfg.Heads, d/cfg.Heads)
		if training {
			a = layers.DropoutStatic(lc, a, cfg.Dropout)
		}
		h = Add(h, a)
		f := layers.LayerNormalization(lc.In("ln_mlp"), h, -1).Done()
		f = layers.Dense(lc.In("mlp_in"), f, true, cfg.MLPRatio*d)
		f = gelu(f)
		f = layers.Dense(lc.In("mlp_out"), f, true, d)
		if training {
			f = layers.DropoutStatic(lc, f, cfg.Dropout)
		}
		h = Add(h, f)
	}
	h = layers.LayerNormalization(ctx.In("ln_final"), h, -1).Done()
	out := Outputs{Hidden: h, Embedding: ReduceMean(h, 1)}
	headIn := out.Embedding
	if cfg.FlatHead && (heads.Class || heads.Params) {
		dims := h.Shape().Dimensions
		flat := layers.Dense(ctx.In("head_flat"), Reshape(h, dims[0], dims[1]*dims[2]), true, d)
		headIn = Concatenate([]*Node{headIn, flat}, -1) // [B, 2d]
	}
	paramIn := headIn
	var cont *Node // [B, T·P] continuum-relative flux of every pixel, observed frame
	if heads.Params && (cfg.PixelHead > 0 || cfg.ZTemplates > 0) {
		// The input data need no gradient: slicing them is safe on simplego.
		p := cfg.Patch
		cont = Slice(x, AxisRange(), AxisRange(), AxisRange(2*p, 3*p)) // [B, T, P]
		cont = Reshape(cont, x.Shape().Dimensions[0], tokens*p)
	}
	if cfg.PixelHead > 0 && heads.Params {
		cont := cont
		if cfg.RestFrameShift > 0 {
			out.Shift = shiftHead(ctx.In("shift_head"), headIn, d)
			cont = restFrame(cont, out.Shift, cfg.RestFrameShift)
		}
		pix := gelu(layers.Dense(ctx.In("pixel_head"), cont, true, cfg.PixelHead))
		paramIn = Concatenate([]*Node{headIn, pix}, -1)
	}
	if heads.Params {
		r := gelu(layers.Dense(ctx.In("param_hidden"), paramIn, true, d))
		out.Mean = layers.Dense(ctx.In("param_mean"), r, true, dataset.NumParams)
		raw := layers.Dense(ctx.In("param_logsigma"), r, true, dataset.NumParams)
		out.LogSigma = MulScalar(Tanh(DivScalar(raw, 7)), 7)
		if cfg.StarBins > 0 {
			sh := gelu(layers.Dense(ctx.In("star_bins_hidden"), paramIn, true, 2*d))
			sl := layers.Dense(ctx.In("star_bins_out"), sh, true, len(StarBinParams)*cfg.StarBins)
			out.StarLogits = Reshape(sl, sl.Shape().Dimensions[0], len(StarBinParams), cfg.StarBins)
		}
		if cfg.ZBins > 0 {
			zh := gelu(layers.Dense(ctx.In("z_hidden"), headIn, true, d))
			out.ZLogits = layers.Dense(ctx.In("z_out"), zh, true, cfg.ZBins)
			if cfg.ZTemplates > 0 {
				out.ZLogits = Add(out.ZLogits, zTemplateScores(ctx, cfg, cont))
			}
		}
	}
	if heads.Class {
		classIn := headIn
		if cfg.ClassFromParams {
			// The parameters' means, without gradient: the class loss must
			// not pull the parameter head away from the parameters.
			classIn = Concatenate([]*Node{headIn, StopGradient(out.Mean)}, -1)
			if cfg.ClassFromBins && out.StarLogits != nil {
				classIn = Concatenate([]*Node{classIn, StopGradient(expectedBins(out.StarLogits))}, -1)
			}
		}
		c := gelu(layers.Dense(ctx.In("class_hidden"), classIn, true, d))
		out.Logits = layers.Dense(ctx.In("class_out"), c, true, dataset.NumClasses)
	}
	if heads.Recon {
		out.Recon = layers.Dense(ctx.In("recon"), h, true, cfg.Patch)
	}
	return out
}

// attention is multi-head self-attention with a single 1/√headDim scaling
// (GoMLX v0.26's layers.MultiHeadAttention scales twice): x [B, T, d] →
// [B, T, d].
func attention(ctx *context.Context, x *Node, heads, headDim int) *Node {
	dims := x.Shape().Dimensions
	q := layers.Dense(ctx.In("query"), x, true, heads, headDim) // [B, T, H, hd]
	k := layers.Dense(ctx.In("key"), x, true, heads, headDim)
	v := layers.Dense(ctx.In("value"), x, true, heads, headDim)
	q = MulScalar(q, 1/math.Sqrt(float64(headDim)))
	logits := Einsum("bqhd,bkhd->bhqk", q, k)
	coef := Softmax(logits, -1)
	o := Einsum("bhqk,bkhd->bqhd", coef, v)
	o = Reshape(o, dims[0], dims[1], heads*headDim)
	return layers.Dense(ctx.In("output"), o, true, dims[2])
}

// fanInInitializer draws weights of rank ≥ 2 from N(0, 1/fan_in) with
// fan_in the first axis (layers.Dense's input axis, also for Dense layers
// with several output axes), using the context's random state; lower
// ranks (biases) start at zero.
func fanInInitializer(ctx *context.Context) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		if shape.Rank() < 2 || !shape.DType.IsFloat() {
			return Zeros(g, shape)
		}
		return MulScalar(ctx.RandomNormal(g, shape), 1/math.Sqrt(float64(shape.Dimensions[0])))
	}
}

// normalInitializer draws every value from N(0, stddev²).
func normalInitializer(ctx *context.Context, stddev float64) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		return MulScalar(ctx.RandomNormal(g, shape), stddev)
	}
}

// gelu is the tanh approximation of GELU, ½x(1 + tanh(√(2/π)(x +
// 0.044715x³))), as activations.GeluApproximate but with x³ as two
// multiplications instead of a Pow (7% of an inference pass on simplego).
func gelu(x *Node) *Node {
	inner := Mul(x, AddScalar(MulScalar(Square(x), 0.044715), 1))
	return Mul(x, MulScalar(OnePlus(Tanh(MulScalar(inner, math.Sqrt(2/math.Pi)))), 0.5))
}
