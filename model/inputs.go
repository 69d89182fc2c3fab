package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/astroone/astroone-go/internal/fastmath"
)

// Inputs are the model's input arrays for a batch, flat and row-major, made
// from raw flux and inverse variance by Prepare. Token 0 of every spectrum
// is the summary-feature token; tokens 1…Tokens are the patches.
type Inputs struct {
	Size   int // spectra
	Tokens int // patch tokens per spectrum (Config.Tokens)
	Patch  int // binned pixels per patch

	// Channels is the number of input channels (Config.Channels).
	Channels int

	// X holds, per spectrum and patch token, the Patch normalised fluxes,
	// then the Patch noise-channel values and, with three channels, the
	// Patch continuum-relative fluxes: Size×Tokens×Channels·Patch.
	X []float32
	// Feats are the summary features (see NumFeatures): Size×NumFeatures.
	Feats []float32
	// Target is the normalised flux the reconstruction head predicts and
	// PixW its per-pixel weight, Size×(Tokens+1)×Patch; token 0 (the
	// feature token) and pixels without data have weight 0.
	Target []float32
	PixW   []float32
	// Good counts the usable (finite, ivar > 0) input pixels of each spectrum.
	Good []int
}

// Constants of the per-spectrum normalisation.
const (
	zClip = 20 // normalised flux is clipped to ±zClip
	// reconFloor is the model-error floor, in normalised flux units, of
	// the reconstruction weights: w = 1/(σ_noise² + reconFloor²).
	reconFloor = 0.1
	// noiseScale divides log(1 + scale·√ivar) in the noise channel.
	noiseScale = 4
)

// Width returns the number of input values per token, Channels·Patch.
func (in Inputs) Width() int { return in.Channels * in.Patch }

// Prepare turns size spectra of cfg.Pixels pixels (flux and inverse
// variance, row-major) into the model's inputs.
//
// Per spectrum: pixels whose flux or ivar is not finite, or whose ivar is
// not positive, are bad (ivar 0). Pixels are binned by cfg.Bin with
// inverse-variance weights (the binned ivar is the sum). Over the good
// binned pixels the flux median m and the robust scale s = 1.4826·MAD are
// measured (the standard deviation when the MAD is 0, and 1 when both
// are); the normalised flux is z = (f − m)/s, clipped to ±20, and 0 at bad
// pixels. The noise channel is ln(1 + s·√ivar)/4 (0 at bad pixels: it is
// also the good-pixel mask). The summary features are asinh(m/s),
// log10(s)/3, log10(1 + median |f|·√ivar) and the fraction of good pixels.
// With cfg.ContinuumChannel, the third channel is 10·(f − c)/max(|c|,
// s/2) clipped to ±20 (0 at bad pixels), with c a smooth pseudo-continuum
// (pseudoContinuum): per block of 96 unbinned pixels, a line fitted to the
// good pixels on or above a first least-squares line, median-smoothed over
// three blocks and interpolated linearly.
// The reconstruction weight of a pixel is its inverse variance in z units
// with a model-error floor of 0.1: w = 1/(1/(ivar·s²) + 0.01), 0 at bad
// pixels.
func Prepare(cfg Config, flux, ivar []float32, size int) (Inputs, error) {
	return prepare(cfg, flux, ivar, size, true)
}

// prepare is Prepare; without targets it leaves Target and PixW nil
// (inference reads only X and Feats).
func prepare(cfg Config, flux, ivar []float32, size int, targets bool) (Inputs, error) {
	if len(flux) != size*cfg.Pixels || len(ivar) != size*cfg.Pixels {
		return Inputs{}, fmt.Errorf("model inputs: %d spectra of %d pixels need %d values, got flux %d, ivar %d",
			size, cfg.Pixels, size*cfg.Pixels, len(flux), len(ivar))
	}
	tokens, patch, width := cfg.Tokens(), cfg.Patch, cfg.TokenWidth()
	in := Inputs{
		Size: size, Tokens: tokens, Patch: patch, Channels: cfg.Channels(),
		X:     make([]float32, size*tokens*width),
		Feats: make([]float32, size*NumFeatures),
		Good:  make([]int, size),
	}
	if targets {
		in.Target = make([]float32, size*(tokens+1)*patch)
		in.PixW = make([]float32, size*(tokens+1)*patch)
	}
	nb := cfg.BinnedPixels()
	bf := make([]float64, nb)
	bi := make([]float64, nb)
	block := max(4, contBlockPixels/cfg.Bin)
	scratch := make([]float64, 0, max(nb, block))
	sel := newSelector(max(nb, block))
	var cont []float64
	if cfg.ContinuumChannel {
		cont = make([]float64, nb)
	}
	for b := range size {
		row := b * cfg.Pixels
		in.Good[b] = binSpectrum(flux[row:row+cfg.Pixels], ivar[row:row+cfg.Pixels], cfg.Bin, bf, bi)
		med, scale, snr, good := robustStats(bf, bi, scratch, sel)
		f := in.Feats[b*NumFeatures : (b+1)*NumFeatures]
		if good > 0 {
			f[0] = float32(math.Asinh(med / scale))
			f[1] = float32(math.Log10(scale) / 3)
			f[2] = float32(math.Log10(1 + snr))
			f[3] = float32(float64(good) / float64(nb))
		}
		if cont != nil {
			pseudoContinuum(bf, bi, block, med, cont, scratch, sel.buf)
		}
		x := in.X[b*tokens*width : (b+1)*tokens*width]
		var tgt, pw []float32
		if targets {
			tgt = in.Target[b*(tokens+1)*patch : (b+1)*(tokens+1)*patch]
			pw = in.PixW[b*(tokens+1)*patch : (b+1)*(tokens+1)*patch]
		}
		for t := range tokens {
			for k := range patch {
				j := t*cfg.Stride + k
				if j >= nb || !(bi[j] > 0) {
					continue
				}
				z := (bf[j] - med) / scale
				z = max(-zClip, min(zClip, z)) // builtins: as math.Max/Min, faster
				snrPix := scale * math.Sqrt(bi[j])
				x[t*width+k] = float32(z)
				x[t*width+patch+k] = float32(math.Log1p(snrPix) / noiseScale)
				if cont != nil {
					x[t*width+2*patch+k] = continuumRelative(bf[j], cont[j], contFloorFrac*scale)
				}
				if targets {
					tgt[(t+1)*patch+k] = float32(z)
					pw[(t+1)*patch+k] = float32(1 / (1/(snrPix*snrPix) + reconFloor*reconFloor))
				}
			}
		}
	}
	return in, nil
}

// binSpectrum averages groups of bin pixels with inverse-variance weights
// into bf (flux) and bi (summed ivar), treating non-finite values and
// ivar ≤ 0 as missing, and returns the number of good input pixels.
func binSpectrum(flux, ivar []float32, bin int, bf, bi []float64) int {
	good := 0
	for j := range bf {
		var sw, swf float64
		for i := j * bin; i < min((j+1)*bin, len(flux)); i++ {
			f, w := float64(flux[i]), float64(ivar[i])
			if !(w > 0) || math.IsInf(w, 0) || math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
			sw += w
			swf += w * f
			good++
		}
		if sw > 0 && !math.IsInf(sw, 0) && !math.IsInf(swf, 0) {
			bf[j], bi[j] = swf/sw, sw
		} else {
			bf[j], bi[j] = 0, 0
		}
	}
	return good
}

// robustStats returns the median and robust scale (1.4826·MAD, else the
// standard deviation, else 1) of the fluxes with ivar > 0, the median of
// |f|·√ivar, and the number of such pixels. scratch is reused storage.
func robustStats(f, ivar []float64, scratch []float64, sel *selector) (med, scale, snr float64, n int) {
	v := scratch[:0]
	for j := range f {
		if ivar[j] > 0 {
			v = append(v, f[j])
		}
	}
	n = len(v)
	if n == 0 {
		return 0, 1, 0, 0
	}
	med = sel.median(v)
	var sum, sum2 float64
	for i, x := range v {
		sum += x
		sum2 += x * x
		v[i] = math.Abs(x - med)
	}
	scale = 1.4826 * sel.median(v)
	if !(scale > 1e-30) || math.IsInf(scale, 0) {
		mean := sum / float64(n)
		scale = math.Sqrt(math.Max(sum2/float64(n)-mean*mean, 0))
	}
	if !(scale > 1e-30) || math.IsInf(scale, 0) {
		scale = 1
	}
	v = v[:0]
	for j := range f {
		if ivar[j] > 0 {
			v = append(v, math.Abs(f[j])*math.Sqrt(ivar[j]))
		}
	}
	snr = sel.median(v)
	return med, scale, snr, n
}

// selector holds the scratch storage of the order-statistic selections
// of one spectrum's preparation (fastmath.SelectBranchFree).
type selector struct{ buf, cp []float64 }

// newSelector returns a selector for up to n values.
func newSelector(n int) *selector {
	return &selector{buf: make([]float64, n), cp: make([]float64, n)}
}

// median returns the median of v (the mean of the two middle values for
// an even count), leaving v as it is (it selects on a copy). It selects
// in linear expected time, without data-dependent branches in its main
// passes.
func (s *selector) median(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	cp := s.cp[:n]
	copy(cp, v)
	hi := fastmath.SelectBranchFree(cp, s.buf[:n], n/2)
	if n%2 == 1 {
		return hi
	}
	// The other middle value, rank n/2 − 1: the largest value below hi
	// when n/2 values are below it, else hi itself (a tie).
	lo, below := math.Inf(-1), 0
	for _, x := range v {
		b, m := 0, math.Inf(-1)
		if x < hi {
			b, m = 1, x
		}
		below += b
		if m > lo { // rarely true after the first values: predictable
			lo = m
		}
	}
	if below < n/2 {
		lo = hi
	}
	return (lo + hi) / 2
}

// MaskTokens draws the reconstruction mask of a batch: Size×(Tokens+1)
// values, 1 for a masked patch token and 0 otherwise; token 0 (the
// feature token) is never masked. Each spectrum gets round(ratio·tokens)
// masked tokens, placed in spans of up to span consecutive tokens at
// random starts (spans may touch or overlap, so a spectrum's masked tokens
// can form longer runs). The draw depends only on rng.
func MaskTokens(rng *rand.Rand, size, tokens int, ratio float64, span int) []float32 {
	m := make([]float32, size*(tokens+1))
	want := int(math.Round(ratio * float64(tokens)))
	want = min(want, tokens)
	span = max(1, min(span, tokens))
	for b := range size {
		row := m[b*(tokens+1)+1 : (b+1)*(tokens+1)]
		got := 0
		for got < want {
			start := rng.IntN(tokens - span + 1)
			for k := start; k < start+span && got < want; k++ {
				if row[k] == 0 {
					row[k] = 1
					got++
				}
			}
		}
	}
	return m
}
