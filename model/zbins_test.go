package model

import (
	"math"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
)

func zConfig() Config {
	c, _ := ConfigByName("small")
	c.ZBins, c.ZMax = 256, 4.5
	return c
}

func TestZTargetIsANormalisedPeakAtZ(t *testing.T) {
	cfg := zConfig()
	dst := make([]float32, cfg.ZBins)
	for _, z := range []float64{0, 0.0123, 0.7, 2.345, 4.5, 9} {
		if !ZTarget(cfg, z, dst) {
			t.Fatalf("z %g rejected", z)
		}
		var sum float64
		best := 0
		for k, v := range dst {
			sum += float64(v)
			if v > dst[best] {
				best = k
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("z %g: target sums to %g", z, sum)
		}
		zc := math.Min(z, cfg.ZMax)
		w := math.Log1p(cfg.ZMax) / float64(cfg.ZBins)
		if want := min(cfg.ZBins-1, int(math.Log1p(zc)/w)); best != want && best != want-1 && best != want+1 {
			t.Errorf("z %g: peak in bin %d, want %d", z, best, want)
		}
	}
	if ZTarget(cfg, math.NaN(), dst) {
		t.Error("NaN z accepted")
	}
	for _, v := range dst {
		if v != 0 {
			t.Fatal("a rejected z left a target")
		}
	}
}

func TestDecodeZRecoversTheTargetsRedshift(t *testing.T) {
	cfg := zConfig()
	dst := make([]float32, cfg.ZBins)
	w := math.Log1p(cfg.ZMax) / float64(cfg.ZBins)
	for _, z := range []float64{0.05, 0.5, 1.2345, 2.9, 3.99} {
		ZTarget(cfg, z, dst)
		got, sigma, mass := DecodeZ(cfg, dst)
		// A Gaussian of σ = 1 bin read through a 5-bin window: the window's
		// mean is within a small fraction of a bin of the centre.
		if du := math.Abs(math.Log1p(got) - math.Log1p(z)); du > 0.15*w {
			t.Errorf("z %g decoded as %g (Δu %.2g bins)", z, got, du/w)
		}
		// σ_u is that of the target, √(1 + 1/12) bins.
		if su := sigma / (1 + got) / w; math.Abs(su-math.Sqrt(1+1.0/12)) > 0.05 {
			t.Errorf("z %g: σ_u = %.3f bins, want 1.04", z, su)
		}
		if mass < 0.9 {
			t.Errorf("z %g: mass %g within two bins, want ≈ 0.95", z, mass)
		}
	}
}

func TestDecodeZOfTwoPeaksIsHonestlyUncertain(t *testing.T) {
	cfg := zConfig()
	p := make([]float32, cfg.ZBins)
	p[40], p[140] = 0.55, 0.45
	z, sigma, mass := DecodeZ(cfg, p)
	w := math.Log1p(cfg.ZMax) / float64(cfg.ZBins)
	if want := math.Expm1(40.5 * w); math.Abs(z-want) > 1e-9 {
		t.Errorf("z = %g, want the larger peak's %g", z, want)
	}
	// Spread about the chosen peak: √(0.45)·100 bins.
	if su := sigma / (1 + z) / w; math.Abs(su-math.Sqrt(0.45*100*100+1.0/12)) > 0.5 {
		t.Errorf("σ_u = %.1f bins, want 67", su)
	}
	if math.Abs(mass-0.55) > 1e-6 {
		t.Errorf("mass %g, want 0.55", mass)
	}
	if z, _, _ := DecodeZ(cfg, make([]float32, cfg.ZBins)); !math.IsNaN(z) {
		t.Errorf("all-zero probabilities gave z %g", z)
	}
}

// TestStarBinningsRoundTrip: a target decodes to its value within a
// small fraction of a bin on each stellar scale, σ is the target's
// spread converted to the parameter's units, and values beyond the range
// clamp to the end bins.
func TestStarBinningsRoundTrip(t *testing.T) {
	cfg, _ := ConfigByName("small")
	cfg.StarBins = 256
	bs := cfg.StarBinnings()
	dst := make([]float32, cfg.StarBins)
	for j, tc := range []struct{ value, tol float64 }{{5777, 3}, {4.44, 0.002}, {-1.234, 0.002}} {
		b := bs[j]
		if !b.Target(tc.value, dst) {
			t.Fatalf("param %d: no target for %g", j, tc.value)
		}
		got, sigma, mass := b.Decode(dst)
		if math.Abs(got-tc.value) > tc.tol {
			t.Errorf("param %d: decoded %g, want %g ± %g", j, got, tc.value, tc.tol)
		}
		// The target is a Gaussian of one bin: σ_u ≈ √(1 + 1/12) bins.
		wantSigma := math.Sqrt(1+1.0/12) * b.Width()
		if j == 0 {
			wantSigma *= tc.value * math.Ln10
		}
		if math.Abs(sigma/wantSigma-1) > 0.05 || mass < 0.9 {
			t.Errorf("param %d: σ %g (want %g), mass %g", j, sigma, wantSigma, mass)
		}
	}
	if got := bs[0].Centre(0); math.Abs(got-math.Pow(10, 3.35+0.5*1.4/256)) > 1e-6 {
		t.Errorf("first Teff bin centre %g", got)
	}
	bs[0].Target(1e6, dst)
	if dst[cfg.StarBins-1] < dst[cfg.StarBins-2] || dst[0] != 0 {
		t.Error("a Teff beyond the range does not clamp to the last bin")
	}
	if bs[0].Target(-5, dst) || bs[1].Target(math.NaN(), dst) {
		t.Error("a target for a negative Teff or a NaN log g")
	}
}

func TestExpectedBins(t *testing.T) {
	const n = 8
	logits := make([]float32, 2*n)
	logits[0] = 50 // example 0: all mass in bin 0; example 1: uniform
	got := flat(MustExecOnce(backend(t), expectedBins, tensors.FromFlatDataAndDimensions(logits, 2, 1, n)))
	if want := (0.5 - n/2.0) / (n / 4.0); math.Abs(float64(got[0])-want) > 1e-5 || math.Abs(float64(got[1])) > 1e-5 {
		t.Errorf("expected bins %v, want [%g 0]", got, want)
	}
}

// TestClassFromBins: the class head reads the binned heads' expected
// bins, and the class loss sends them no gradient.
func TestClassFromBins(t *testing.T) {
	cfg := testConfig()
	cfg.ClassFromParams, cfg.ClassFromBins = true, true
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	e, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
		o := Build(ctx, cfg, x, f, nil, Heads{Class: true})
		var outs []*Node
		for v := range ctx.IterVariables() {
			switch {
			case strings.Contains(v.Scope(), "class_hidden") && v.Shape().Rank() == 2:
				if rows, want := v.Shape().Dimensions[0], 2*cfg.Dim+dataset.NumParams+len(StarBinParams); rows != want {
					t.Errorf("class head reads %d values, want %d", rows, want)
				}
			case strings.Contains(v.Scope(), "star_bins_out") && v.Shape().Rank() == 2:
				outs = append(outs, ReduceAllSum(Abs(Gradient(ReduceAllSum(Square(o.Logits)), v.ValueGraph(x.Graph()))[0])))
			}
		}
		if len(outs) != 1 {
			t.Fatalf("%d star-bin weight matrices", len(outs))
		}
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs := execOnWave(t, e, cfg, func(i int) float64 { return math.Sin(float64(i) / 5) })
	if g := tensors.ToScalar[float32](outs[0]); g != 0 {
		t.Errorf("class-loss gradient into the binned heads %g, want 0", g)
	}
	cfg.StarBins = 0
	if cfg.Validate() == nil {
		t.Error("class_from_bins without star_bins validated")
	}
}
