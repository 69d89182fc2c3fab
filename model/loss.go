package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// ClassLoss is the mean cross-entropy of the logits [B, C] against the
// one-hot targets [B, C] over the examples with weight [B] > 0: Σ w·CE /
// max(Σ w, 1). Unlabelled examples (weight 0) add nothing.
func ClassLoss(logits, onehot, weight *Node) *Node {
	ce := Neg(ReduceSum(Mul(onehot, LogSoftmax(logits, -1)), -1)) // [B]
	return weightedMean(Mul(ce, weight), weight)
}

// GaussianNLL is the mean negative log-likelihood of the targets y under
// independent Gaussians N(mean, exp(logSigma)²), all [B, P], counting only
// entries with weight w [B, P] > 0:
//
//	Σ w·(½((y−μ)/σ)² + ln σ + ½ ln 2π) / max(Σ w, 1).
func GaussianNLL(mean, logSigma, y, w *Node) *Node {
	// Undefined targets (weight 0) may be NaN: replace them before they
	// reach the loss, or their NaN would leak into the gradients.
	y = Where(GreaterThan(w, ZerosLike(w)), y, ZerosLike(y))
	z := Mul(Sub(y, mean), Exp(Neg(logSigma)))
	nll := AddScalar(Add(MulScalar(Square(z), 0.5), logSigma), 0.5*math.Log(2*math.Pi))
	return weightedMean(Mul(nll, w), w)
}

// BetaNLL is GaussianNLL with each term weighted by σ^(2β), the weight
// held constant for the gradients (β-NLL, Seitzer et al. 2022, "On the
// pitfalls of heteroscedastic uncertainty estimation with probabilistic
// neural networks"): β = 0 is the plain NLL; with β = 0.5 the mean's
// gradient is (μ−y)/σ instead of (μ−y)/σ², so targets the model is unsure
// of still pull the mean; β = 1 gives the mean the gradient of a squared
// error. σ still converges to the residual spread.
func BetaNLL(mean, logSigma, y, w *Node, beta float64) *Node {
	if beta == 0 {
		return GaussianNLL(mean, logSigma, y, w)
	}
	y = Where(GreaterThan(w, ZerosLike(w)), y, ZerosLike(y))
	z := Mul(Sub(y, mean), Exp(Neg(logSigma)))
	nll := AddScalar(Add(MulScalar(Square(z), 0.5), logSigma), 0.5*math.Log(2*math.Pi))
	weight := StopGradient(Exp(MulScalar(logSigma, 2*beta)))
	return weightedMean(Mul(Mul(nll, weight), w), w)
}

// ShiftLoss is the mean Huber loss (δ = 1 pixel) of the predicted
// Doppler shifts pred [B] against target [B] (pixels, Config.ShiftTarget)
// over the examples with weight [B] > 0: quadratic within a pixel,
// linear beyond, so a few wrong labels or unusual stars do not dominate.
func ShiftLoss(pred, target, weight *Node) *Node {
	target = Where(GreaterThan(weight, ZerosLike(weight)), target, ZerosLike(target))
	a := Abs(Sub(pred, target))
	quad := Min(a, OnesLike(a))
	huber := Sub(Add(MulScalar(Square(quad), 0.5), a), quad) // ½q² + (a − q)
	return weightedMean(Mul(huber, weight), weight)
}

// ReconLoss is the weighted mean squared error of the reconstruction
// recon [B, T+1, P] against target [B, T+1, P] over masked tokens only:
// Σ m·w·(r−t)² / Σ m·w, with m the token mask [B, T+1] (1 = masked) and w
// the pixel weights [B, T+1, P] (Inputs.PixW, inverse variance with a
// floor). Unmasked tokens contribute nothing; with nothing masked the loss
// is 0.
func ReconLoss(recon, target, pixW, mask *Node) *Node {
	mw := Mul(pixW, InsertAxes(mask, -1))
	num := ReduceAllSum(Mul(mw, Square(Sub(recon, target))))
	den := ReduceAllSum(mw)
	return Div(num, Max(den, Scalar(den.Graph(), den.DType(), 1e-6)))
}

// weightedMean returns ΣweightedValues / max(Σweights, 1).
func weightedMean(weightedValues, weights *Node) *Node {
	den := ReduceAllSum(weights)
	return Div(ReduceAllSum(weightedValues), Max(den, OnesLike(den)))
}
