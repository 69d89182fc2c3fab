package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// zTemplateGeometry is the fixed layout of the redshift template
// correlation (see zTemplateScores), in units of ZTemplateBin binned
// pixels ("coarse pixels").
type zTemplateGeometry struct {
	coarse int     // coarse pixels of the observed spectrum, M
	lags   int     // redshift lags 0 … L−1; lag ℓ is ln(1+z) = ℓ·du
	du     float64 // ln(1+z) step of one lag (one coarse pixel)
	length int     // template length in coarse pixels, M + L − 1
}

// zTemplateLayout returns the correlation's geometry for spectra of n
// binned pixels.
func (c Config) zTemplateLayout(n int) zTemplateGeometry {
	q := c.ZTemplateBin
	m := (n + q - 1) / q
	du := float64(q) * c.ShiftPixelKmS() / SpeedOfLightKmS
	l := int(math.Ceil(math.Log1p(c.ZMax)/du)) + 1
	return zTemplateGeometry{coarse: m, lags: l, du: du, length: m + l - 1}
}

// zTemplateScores is the redshift head's translation-equivariant part, a
// learned Redrock: on a log-λ grid a redshift is a shift, so it
// correlates the continuum-relative flux cont [B, N] (binned pixels,
// averaged over ZTemplateBin of them) with ZTemplates learned rest-frame
// templates at every lag ℓ = ln(1+z)/du from z = 0 to ZMax:
//
//	score_k(ℓ) = Σ_m x(m)·T_k(m − ℓ + L − 1),
//
// combines the templates by a log-sum-exp (the best-matching one
// dominates) and interpolates linearly from lags to the ZBins redshift
// bins: [B, ZBins], added to the head's logits. An emission line learnt
// once is recognised at every redshift, which a dense layer over
// positions has to learn redshift by redshift.
func zTemplateScores(ctx *context.Context, cfg Config, cont *Node) *Node {
	geo := cfg.zTemplateLayout(cont.Shape().Dimensions[1])
	templates := ctx.In("z_template").WithInitializer(normalInitializer(ctx, 0.01)).
		VariableWithShape("templates", shapes.Make(cont.DType(), cfg.ZTemplates, geo.length)).ValueGraph(cont.Graph())
	return templateCorrelation(cfg, cont, templates)
}

// templateCorrelation is zTemplateScores with the templates given,
// [ZTemplates, length] (zTemplateGeometry.length).
func templateCorrelation(cfg Config, cont, templates *Node) *Node {
	g := cont.Graph()
	dt := cont.DType()
	b, n := cont.Shape().Dimensions[0], cont.Shape().Dimensions[1]
	geo := cfg.zTemplateLayout(n)
	q, k := cfg.ZTemplateBin, cfg.ZTemplates
	if pad := geo.coarse*q - n; pad > 0 {
		cont = Concatenate([]*Node{cont, Zeros(g, shapes.Make(dt, b, pad))}, 1)
	}
	x := ReduceMean(Reshape(cont, b, geo.coarse, q), -1) // [B, M]

	// The Toeplitz matrix of every template, [M, K·L], gathered from the
	// flat templates.
	idx := make([]int32, geo.coarse*k*geo.lags)
	for m := range geo.coarse {
		for t := range k {
			for l := range geo.lags {
				idx[(m*k+t)*geo.lags+l] = int32(t*geo.length + m - l + geo.lags - 1)
			}
		}
	}
	// (ConstTensor of a flat tensor: Const would walk the 460,000 values by reflection.)
	indices := ConstTensor(g, tensors.FromFlatDataAndDimensions(idx, geo.coarse, k*geo.lags, 1))
	flat := Reshape(templates, k*geo.length, 1)
	toeplitz := Reshape(Gather(flat, indices), geo.coarse, k*geo.lags)
	score := Reshape(Dot(x, toeplitz), b, k, geo.lags)
	var s *Node
	if k == 1 {
		s = Reshape(score, b, geo.lags)
	} else {
		top := StopGradient(ReduceMax(score, 1)) // [B, L]
		s = Add(Log(ReduceSum(Exp(Sub(score, InsertAxes(top, 1))), 1)), top)
	}
	return Dot(s, Const(g, lagsToZBins(cfg, geo)))
}

// lagsToZBins is the [L, ZBins] map from the lags to the redshift bins:
// each bin's value is the mean over the lags it covers, weighted by the
// overlap of lag ℓ's cell [ℓ−½, ℓ+½]·du with the bin in ln(1+z).
func lagsToZBins(cfg Config, geo zTemplateGeometry) [][]float32 {
	p := make([][]float32, geo.lags)
	for l := range p {
		p[l] = make([]float32, cfg.ZBins)
	}
	w := cfg.zBinWidth()
	for bin := range cfg.ZBins {
		lo, hi := float64(bin)*w, float64(bin+1)*w
		first := max(0, int(math.Floor(lo/geo.du-0.5)))
		for l := first; l < geo.lags && (float64(l)-0.5)*geo.du < hi; l++ {
			overlap := math.Min(hi, (float64(l)+0.5)*geo.du) - math.Max(lo, (float64(l)-0.5)*geo.du)
			if overlap > 0 {
				p[l][bin] = float32(overlap / w)
			}
		}
	}
	return p
}
