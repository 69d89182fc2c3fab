package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// zTargetSigmaBins is the standard deviation, in bins, of the Gaussian
// that smooths the redshift head's training target (see ZTarget): a
// neighbouring bin is a near miss, not as wrong as a distant one.
const zTargetSigmaBins = 1.0

// zBinWidth returns the width of the redshift bins in u = ln(1+z).
func (c Config) zBinWidth() float64 { return math.Log1p(c.ZMax) / float64(c.ZBins) }

// ZBinCentre returns the redshift at the centre of bin k.
func (c Config) ZBinCentre(k int) float64 { return math.Expm1((float64(k) + 0.5) * c.zBinWidth()) }

// ZTarget writes to dst (cfg.ZBins values) the training target of the
// redshift head for redshift z: a Gaussian of zTargetSigmaBins bins in
// ln(1+z) centred on z (clamped to [0, ZMax]), normalised to sum 1 over
// the bins. It returns false, leaving dst zero, for a z that is NaN or
// infinite.
func ZTarget(cfg Config, z float64, dst []float32) bool {
	clear(dst)
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return false
	}
	w := cfg.zBinWidth()
	u := math.Log1p(math.Max(0, math.Min(z, cfg.ZMax))) / w // in bins
	var sum float64
	lo, hi := max(0, int(u-6*zTargetSigmaBins)), min(cfg.ZBins-1, int(u+6*zTargetSigmaBins))
	for k := lo; k <= hi; k++ {
		d := (float64(k) + 0.5 - u) / zTargetSigmaBins
		sum += math.Exp(-0.5 * d * d)
	}
	for k := lo; k <= hi; k++ {
		d := (float64(k) + 0.5 - u) / zTargetSigmaBins
		dst[k] = float32(math.Exp(-0.5*d*d) / sum)
	}
	return true
}

// DecodeZ turns the redshift head's bin probabilities p (cfg.ZBins values)
// into a redshift, its 1σ uncertainty and the probability mass near the
// answer. The answer is the probability-weighted mean of u = ln(1+z) over
// the most probable bin and its two neighbours on each side (finer than a
// bin); σ_u is the spread of the whole distribution about it plus a
// bin's quantisation variance, so that a distribution with several peaks
// (an ambiguous line identification) gets a σ as large as their
// separation. σ_z = (1+z)·σ_u. The mass is the probability within those
// five bins.
func DecodeZ(cfg Config, p []float32) (z, sigma, mass float64) {
	w := cfg.zBinWidth()
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	var sp, spu float64
	for k := max(0, best-2); k <= min(len(p)-1, best+2); k++ {
		sp += float64(p[k])
		spu += float64(p[k]) * (float64(k) + 0.5) * w
	}
	if !(sp > 0) {
		return math.NaN(), math.NaN(), 0
	}
	u := spu / sp
	var total, v float64
	for k := range p {
		d := (float64(k)+0.5)*w - u
		total += float64(p[k])
		v += float64(p[k]) * d * d
	}
	su := math.Sqrt(v/total + w*w/12)
	z = math.Expm1(u)
	return z, (1 + z) * su, sp / total
}

// ZBinLoss is the mean cross-entropy of the redshift logits [B, K]
// against target distributions [B, K] (ZTarget) over the examples with
// weight [B] > 0.
func ZBinLoss(logits, target, weight *Node) *Node {
	return ClassLoss(logits, target, weight)
}
