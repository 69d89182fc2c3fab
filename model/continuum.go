package model

import (
	"math"
	"slices"

	"github.com/astroone/astroone-go/internal/fastmath"
)

// Constants of the pseudo-continuum (see pseudoContinuum) and of the
// continuum-relative channel.
const (
	// contBlockPixels is the width, in unbinned pixels, of the blocks in
	// which the continuum level is measured: 96 LAMOST pixels span about
	// 2.2% in wavelength (≈ 100 Å at 4500 Å), wider than metal lines and
	// the cores of Balmer lines.
	contBlockPixels = 96
	// contGain multiplies (f − c)/c: a 5% line becomes 0.5.
	contGain = 10
	// contFloorFrac bounds the denominator of (f − c)/c from below by this
	// fraction of the robust flux scale, so that spectra whose continuum
	// is near zero (faint emission-line objects) give a z-score-like
	// channel instead of a division by noise.
	contFloorFrac = 0.5
)

// pseudoContinuum estimates a smooth continuum c of the binned spectrum
// (flux f, ivar w; w ≤ 0 marks bad pixels) and writes it to c: in
// consecutive blocks of block pixels (blocks with fewer than a quarter of
// their pixels good are skipped), a least-squares line through the good
// pixels is refitted to those on or above its median residual, and its
// level at the mean position of the refitted pixels is the block's; these
// levels are smoothed by a running median of three blocks, and interpolated
// linearly between block centres (constant beyond the first and last). A
// spectrum without any usable block gets the constant fallback. scratch and
// buf are reused storage of at least block values.
func pseudoContinuum(f, w []float64, block int, fallback float64, c, scratch, buf []float64) {
	n := len(f)
	nb := (n + block - 1) / block
	centres := make([]float64, 0, nb)
	levels := make([]float64, 0, nb)
	for b := range nb {
		lo, hi := b*block, min((b+1)*block, n)
		good := 0
		for j := lo; j < hi; j++ {
			if w[j] > 0 {
				good++
			}
		}
		if good < max(2, (hi-lo)/4) {
			continue
		}
		// A line through all good pixels, then a line through those on or
		// above it: absorption lines fall below the first and are left out
		// of the second, which sits on the continuum.
		jc, level, slope := fitLine(f, w, lo, hi, math.Inf(-1), 0, 0)
		v := scratch[:0]
		for j := lo; j < hi; j++ {
			if w[j] > 0 {
				v = append(v, f[j]-level-slope*(float64(j)-jc))
			}
		}
		cut := fastmath.SelectBranchFree(v, buf[:len(v)], len(v)/2)
		jc, level, _ = fitLine(f, w, lo, hi, cut, level-slope*jc, slope)
		levels = append(levels, level)
		centres = append(centres, jc)
	}
	if len(levels) == 0 {
		for j := range c {
			c[j] = fallback
		}
		return
	}
	smoothed := slices.Clone(levels)
	for i := 1; i+1 < len(levels); i++ {
		a, b, d := levels[i-1], levels[i], levels[i+1]
		smoothed[i] = max(min(a, b), min(max(a, b), d)) // median of three
	}
	k := 0
	for j := range c {
		x := float64(j)
		for k+1 < len(centres) && centres[k+1] <= x {
			k++
		}
		switch {
		case x <= centres[0]:
			c[j] = smoothed[0]
		case k+1 >= len(centres):
			c[j] = smoothed[len(smoothed)-1]
		default:
			t := (x - centres[k]) / (centres[k+1] - centres[k])
			c[j] = smoothed[k] + t*(smoothed[k+1]-smoothed[k])
		}
	}
}

// fitLine fits f = a + b·(j − jc) by least squares to the pixels j in
// [lo, hi) with w > 0 whose residual from the line c0 + c1·j is at least
// cut, and returns jc (their mean position), a and b. With one position
// the slope is 0.
func fitLine(f, w []float64, lo, hi int, cut, c0, c1 float64) (jc, a, b float64) {
	var sw, sj, sf, sjj, sjf float64
	for j := lo; j < hi; j++ {
		// Branch-free: a pixel left out adds zeros. (Whether a pixel is
		// on or above the first line is a coin toss no branch predictor
		// learns; bad pixels hold flux 0, so m·f is never 0·Inf.)
		x, fj := float64(j), f[j]
		var good, above int
		if w[j] > 0 {
			good = 1
		}
		if fj-c0-c1*x >= cut {
			above = 1
		}
		m := float64(good & above)
		sw += m
		sj += m * x
		sf += m * fj
		sjj += m * x * x
		sjf += m * x * fj
	}
	jc, a = sj/sw, sf/sw
	if v := sjj/sw - jc*jc; v > 1e-9 {
		b = (sjf/sw - jc*a) / v
	}
	return jc, a, b
}

// continuumRelative returns contGain·(f − c)/max(|c|, floor), clipped to
// ±zClip: the continuum-normalised flux minus one, amplified.
func continuumRelative(f, c, floor float64) float32 {
	r := contGain * (f - c) / max(math.Abs(c), floor)
	return float32(max(-zClip, min(zClip, r)))
}
