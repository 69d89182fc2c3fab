package model

import (
	"math"

	"github.com/astroone/astroone-go/dataset"

	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// binTargetSigma is the standard deviation, in bins, of the Gaussian
// that smooths a binned head's training target (see Binning.Target): a
// neighbouring bin is a near miss, not as wrong as a distant one.
const binTargetSigma = 1.0

// Transform is the scale on which a Binning's bins are equal.
type Transform int

// The transforms of a Binning: u = p, u = log10 p, u = ln(1 + p).
const (
	TransformLinear Transform = iota
	TransformLog10
	TransformLog1p
)

// forward maps a value to the bin scale (NaN where undefined).
func (t Transform) forward(p float64) float64 {
	switch t {
	case TransformLog10:
		if !(p > 0) {
			return math.NaN()
		}
		return math.Log10(p)
	case TransformLog1p:
		return math.Log1p(p)
	}
	return p
}

// inverse maps a bin-scale value back, and the derivative dp/du there.
func (t Transform) inverse(u float64) (p, dpdu float64) {
	switch t {
	case TransformLog10:
		p = math.Pow(10, u)
		return p, p * math.Ln10
	case TransformLog1p:
		p = math.Expm1(u)
		return p, 1 + p
	}
	return u, 1
}

// Binning is the layout of a binned head: N equal bins of u = T(p) from
// Lo to Hi. A binned head is a softmax over the bins, trained against a
// Gaussian-smoothed target (Target) and decoded to a value, a σ that
// includes every peak, and the probability near the answer (Decode).
// Classification over fine bins trains faster and more stably than a
// regression over a range as wide as a redshift's or a star's Teff, and
// it can say "one of these two".
type Binning struct {
	N      int
	Lo, Hi float64
	T      Transform
}

// Width returns the width of a bin in u.
func (b Binning) Width() float64 { return (b.Hi - b.Lo) / float64(b.N) }

// Centre returns the value (in the parameter's units) at the centre of
// bin k.
func (b Binning) Centre(k int) float64 {
	p, _ := b.T.inverse(b.Lo + (float64(k)+0.5)*b.Width())
	return p
}

// Target writes to dst (N values) the training target for value p: a
// Gaussian of binTargetSigma bins in u centred on T(p) (clamped to
// [Lo, Hi]), normalised to sum 1 over the bins. It returns false,
// leaving dst zero, for a p that is NaN, infinite or outside T's domain.
func (b Binning) Target(p float64, dst []float32) bool {
	clear(dst)
	u := b.T.forward(p)
	if math.IsNaN(u) || math.IsInf(u, 0) {
		return false
	}
	x := (math.Max(b.Lo, math.Min(u, b.Hi)) - b.Lo) / b.Width() // in bins
	var sum float64
	lo, hi := max(0, int(x-6*binTargetSigma)), min(b.N-1, int(x+6*binTargetSigma))
	for k := lo; k <= hi; k++ {
		d := (float64(k) + 0.5 - x) / binTargetSigma
		sum += math.Exp(-0.5 * d * d)
	}
	for k := lo; k <= hi; k++ {
		d := (float64(k) + 0.5 - x) / binTargetSigma
		dst[k] = float32(math.Exp(-0.5*d*d) / sum)
	}
	return true
}

// Decode turns a binned head's probabilities (N values) into a value,
// its 1σ uncertainty and the probability mass near the answer. The answer
// is the probability-weighted mean of u over the most probable bin and
// its two neighbours on each side (finer than a bin); σ_u is the spread
// of the whole distribution about it plus a bin's quantisation variance,
// so that a distribution with several peaks gets a σ as large as their
// separation; σ = |dp/du|·σ_u. The mass is the probability within those
// five bins. All NaN (mass 0) without probability.
func (b Binning) Decode(prob []float32) (value, sigma, mass float64) {
	w := b.Width()
	best := 0
	for k := range prob {
		if prob[k] > prob[best] {
			best = k
		}
	}
	var sp, spu float64
	for k := max(0, best-2); k <= min(len(prob)-1, best+2); k++ {
		sp += float64(prob[k])
		spu += float64(prob[k]) * (float64(k) + 0.5) * w
	}
	if !(sp > 0) {
		return math.NaN(), math.NaN(), 0
	}
	x := spu / sp
	var total, v float64
	for k := range prob {
		d := (float64(k)+0.5)*w - x
		total += float64(prob[k])
		v += float64(prob[k]) * d * d
	}
	su := math.Sqrt(v/total + w*w/12)
	value, dpdu := b.T.inverse(b.Lo + x)
	return value, math.Abs(dpdu) * su, sp / total
}

// StarBinParams are the parameters with binned heads when
// Config.StarBins > 0, in the order of Outputs.StarLogits.
var StarBinParams = [3]int{dataset.ParamTeff, dataset.ParamLogg, dataset.ParamFeH}

// StarBinnings returns the layouts of the binned Teff, log g and [Fe/H]
// heads (StarBinParams order): log10 Teff from 3.35 to 4.75 (2,240 to
// 56,000 K), log g from −0.5 to 6 and [Fe/H] from −4.5 to +1, each in
// StarBins bins (with 256: 0.0055 dex of Teff, 73 K at 5,800 K; 0.025
// dex of log g; 0.021 dex of [Fe/H]). Values outside are clamped to the
// end bins.
func (c Config) StarBinnings() [3]Binning {
	return [3]Binning{
		{N: c.StarBins, Lo: 3.35, Hi: 4.75, T: TransformLog10},
		{N: c.StarBins, Lo: -0.5, Hi: 6},
		{N: c.StarBins, Lo: -4.5, Hi: 1},
	}
}

// expectedBins returns, for binned-head logits [B, P, N], the expected
// bin index under the softmax, standardised: (E[k + ½] − N/2)/(N/4),
// [B, P] (−2 for the first bin's edge, +2 for the last's).
func expectedBins(logits *Node) *Node {
	n := logits.Shape().Dimensions[2]
	centres := make([]float32, n)
	for k := range centres {
		centres[k] = float32((float64(k) + 0.5 - float64(n)/2) / (float64(n) / 4))
	}
	c := Const(logits.Graph(), centres)
	return ReduceSum(Mul(Softmax(logits, -1), Reshape(c, 1, 1, n)), -1)
}

// ZBinning is the redshift head's layout: ZBins bins of ln(1+z) from 0
// to ln(1+ZMax).
func (c Config) ZBinning() Binning {
	return Binning{N: c.ZBins, Hi: math.Log1p(c.ZMax), T: TransformLog1p}
}

// zBinWidth returns the width of the redshift bins in u = ln(1+z).
func (c Config) zBinWidth() float64 { return c.ZBinning().Width() }

// ZBinCentre returns the redshift at the centre of bin k.
func (c Config) ZBinCentre(k int) float64 { return c.ZBinning().Centre(k) }

// ZTarget writes the redshift head's training target for z to dst
// (cfg.ZBins values); see Binning.Target.
func ZTarget(cfg Config, z float64, dst []float32) bool { return cfg.ZBinning().Target(z, dst) }

// DecodeZ turns the redshift head's bin probabilities into z, σ_z and the
// probability near the answer; see Binning.Decode.
func DecodeZ(cfg Config, p []float32) (z, sigma, mass float64) { return cfg.ZBinning().Decode(p) }

// StarBinLoss is the mean cross-entropy of the binned stellar heads'
// logits [B, 3, N] against target distributions [B, 3, N]
// (Binning.Target) over the (example, parameter) pairs with weight
// [B, 3] > 0.
func StarBinLoss(logits, target, weight *Node) *Node {
	ce := Neg(ReduceSum(Mul(target, LogSoftmax(logits, -1)), -1)) // [B, 3]
	return weightedMean(Mul(ce, weight), weight)
}

// ZBinLoss is the mean cross-entropy of the redshift logits [B, K]
// against target distributions [B, K] (ZTarget) over the examples with
// weight [B] > 0.
func ZBinLoss(logits, target, weight *Node) *Node {
	return ClassLoss(logits, target, weight)
}
