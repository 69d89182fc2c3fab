package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/astroone/astroone-go/prep"
)

// SpeedOfLightKmS is c in km/s (prep's).
const SpeedOfLightKmS = prep.SpeedOfLightKmS

// PixelKmS returns the velocity step of one pixel of a log10-λ grid with
// the given step: c·ln 10·step.
func PixelKmS(log10Step float64) float64 { return SpeedOfLightKmS * math.Ln10 * log10Step }

// LAMOSTPixelKmS is PixelKmS(10⁻⁴), the LAMOST (and SDSS) grid's ≈ 69.03
// km/s, folded exactly at compile time (one ulp from the run-time product).
var LAMOSTPixelKmS = SpeedOfLightKmS * math.Ln10 * 1e-4

// ShiftPixelKmS is the velocity step of one binned pixel, the unit of the
// rest-frame shift: PixelKmS·Bin.
func (c Config) ShiftPixelKmS() float64 { return c.PixelKmS * float64(c.Bin) }

// ShiftTarget returns the rest-frame head's target for a star of radial
// velocity rvKmS: the shift in binned pixels, RV / ShiftPixelKmS, and
// whether it is usable (finite, within ±RestFrameShift pixels: the head's
// clipped output could not reach a larger one).
func (c Config) ShiftTarget(rvKmS float64) (pixels float32, ok bool) {
	if c.RestFrameShift <= 0 || !(c.PixelKmS > 0) {
		return 0, false
	}
	s := rvKmS / c.ShiftPixelKmS()
	if math.IsNaN(s) || math.Abs(s) > float64(c.RestFrameShift) {
		return 0, false
	}
	return float32(s), true
}

// shiftHead predicts, from the encoder's summary headIn [B, F], the
// Doppler shift of a star's lines in input pixels [B]: a GELU layer of
// width d and a linear output.
func shiftHead(ctx *context.Context, headIn *Node, d int) *Node {
	h := gelu(layers.Dense(ctx.In("shift_hidden"), headIn, true, d))
	s := layers.Dense(ctx.In("shift_out"), h, true, 1)
	return Reshape(s, s.Shape().Dimensions[0])
}

// restFrame resamples the per-pixel signal v [B, N] to the rest frame of
// a shift of s [B] pixels (a line observed at pixel i + s is moved to
// pixel i): out[i] = v(i + s), by linear interpolation between whole-pixel
// shifts, s clipped to ±maxShift. Outside the spectrum the signal is 0
// (for the continuum-relative flux, the continuum). The output has no
// gradient with respect to s; v is an input, so none is needed there.
func restFrame(v, s *Node, maxShift int) *Node {
	g := v.Graph()
	dims := v.Shape().Dimensions
	b, n := dims[0], dims[1]
	k := maxShift
	pad := Zeros(g, shapes.Make(v.DType(), b, k))
	padded := Concatenate([]*Node{pad, v, pad}, 1) // [B, N+2k]
	s = ClipScalar(StopGradient(s), -float64(k), float64(k))
	s = InsertAxes(s, -1) // [B, 1]
	var out *Node
	for j := -k; j <= k; j++ {
		// Weight of the whole-pixel shift j: the triangle max(0, 1−|s−j|).
		w := Max(OneMinus(Abs(AddScalar(s, -float64(j)))), ZerosLike(s))
		term := Mul(w, Slice(padded, AxisRange(), AxisRange(k+j, k+j+n)))
		if out == nil {
			out = term
		} else {
			out = Add(out, term)
		}
	}
	return out
}
