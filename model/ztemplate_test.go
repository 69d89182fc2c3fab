package model

import (
	"math"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// zTemplateTestConfig: 400 pixels binned by 4, coarse pixels of 2 binned
// pixels (du = 8·69.03 km/s / c), 64 redshift bins to z = 4.5.
func zTemplateTestConfig(k int) Config {
	c := testConfig()
	c.ZTemplates, c.ZTemplateBin = k, 2
	return c
}

// TestTemplateCorrelationFindsTheRedshift: a spectrum with one emission
// line and a template with that line at its rest position score highest
// in the redshift bin that moves the one onto the other.
func TestTemplateCorrelationFindsTheRedshift(t *testing.T) {
	cfg := zTemplateTestConfig(1)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	const n = 100 // binned pixels
	geo := cfg.zTemplateLayout(n)
	if geo.coarse != 50 || math.Abs(geo.du-8*LAMOSTPixelKmS/SpeedOfLightKmS) > 1e-12 ||
		float64(geo.lags-2)*geo.du >= math.Log1p(cfg.ZMax) || float64(geo.lags-1)*geo.du < math.Log1p(cfg.ZMax) {
		t.Fatalf("geometry %+v", geo)
	}
	for _, lag := range []int{0, 137, 300, geo.lags - 2} {
		const m0 = 20 // observed coarse pixel of the line
		cont := make([]float32, n)
		cont[2*m0], cont[2*m0+1] = 5, 5 // coarse pixel m0 has mean 5
		tmpl := make([]float32, geo.length)
		tmpl[m0-lag+geo.lags-1] = 1 // the line's rest position
		out := flat(MustExecOnce(backend(t), func(c, tp *Node) *Node { return templateCorrelation(cfg, c, tp) },
			tensors.FromFlatDataAndDimensions(cont, 1, n), tensors.FromFlatDataAndDimensions(tmpl, 1, geo.length)))
		u := float64(lag) * geo.du
		wantBin := min(cfg.ZBins-1, int(u/cfg.zBinWidth()))
		best := 0
		for b := range out {
			if out[b] > out[best] {
				best = b
			}
		}
		// The bin averages the lags it covers: the single matching lag
		// gives 5·du/w when its cell lies inside the bin.
		if best != wantBin && !(lag == 0 && best == 0) {
			t.Errorf("lag %d (z %.3f): best bin %d, want %d", lag, math.Expm1(u), best, wantBin)
		}
		if out[best] <= 0 || out[best] > float32(5*geo.du/cfg.zBinWidth())*1.0001 {
			t.Errorf("lag %d: peak score %g, want in (0, %g]", lag, out[best], 5*geo.du/cfg.zBinWidth())
		}
	}
}

// TestLagsToZBinsAverages: every bin's weights over the lags sum to one
// (bins inside the lag range), so a score constant over lags is that
// constant in every bin.
func TestLagsToZBinsAverages(t *testing.T) {
	for _, cfg := range []Config{zTemplateTestConfig(1), func() Config { c, _ := ConfigByName("small"); c.ZTemplates, c.ZTemplateBin = 4, 16; return c }()} {
		geo := cfg.zTemplateLayout(cfg.Tokens() * cfg.Patch)
		p := lagsToZBins(cfg, geo)
		for b := range cfg.ZBins {
			sum := 0.0
			for l := range p {
				sum += float64(p[l][b])
			}
			// The lag cells tile ln(1+z) from −du/2 to beyond ln(1+ZMax).
			if math.Abs(sum-1) > 1e-5 {
				t.Fatalf("%s: bin %d weights sum to %g, want 1", cfg.Name, b, sum)
			}
		}
	}
}

// TestTemplateCorrelationLogSumExp: with two templates the score is the
// log-sum-exp of the two correlations, so a template that matches
// dominates one that does not.
func TestTemplateCorrelationLogSumExp(t *testing.T) {
	cfg := zTemplateTestConfig(2)
	const n = 100
	geo := cfg.zTemplateLayout(n)
	cont := make([]float32, n)
	cont[40], cont[41] = 3, 3
	tmpl := make([]float32, 2*geo.length) // template 1 all zero
	const lag = 250
	tmpl[20-lag+geo.lags-1] = 1
	two := flat(MustExecOnce(backend(t), func(c, tp *Node) *Node { return templateCorrelation(cfg, c, tp) },
		tensors.FromFlatDataAndDimensions(cont, 1, n), tensors.FromFlatDataAndDimensions(tmpl, 2, geo.length)))
	cfg1 := zTemplateTestConfig(1)
	one := flat(MustExecOnce(backend(t), func(c, tp *Node) *Node { return templateCorrelation(cfg1, c, tp) },
		tensors.FromFlatDataAndDimensions(cont, 1, n), tensors.FromFlatDataAndDimensions(tmpl[:geo.length], 1, geo.length)))
	p := lagsToZBins(cfg, geo)
	for b := range cfg.ZBins {
		// Per lag: ln(e^s + e^0); then the bin average.
		want := 0.0
		for l := range p {
			s := 0.0
			if l == lag {
				s = 3
			}
			want += float64(p[l][b]) * math.Log(math.Exp(s)+1)
		}
		if math.Abs(float64(two[b])-want) > 1e-4 {
			t.Fatalf("bin %d: %g, want %g (one template: %g)", b, two[b], want, one[b])
		}
	}
}

// TestTemplateHeadLearns: Build adds the templates to the redshift head,
// and the redshift logits send them a gradient (through the gather).
func TestTemplateHeadLearns(t *testing.T) {
	cfg := zTemplateTestConfig(3)
	ctx := context.New()
	var found bool
	e, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
		o := Build(ctx, cfg, x, f, nil, Heads{Params: true})
		var tv *Node
		for v := range ctx.IterVariables() {
			if strings.Contains(v.Scope(), "z_template") {
				found = true
				tv = v.ValueGraph(x.Graph())
			}
		}
		if tv == nil {
			t.Fatal("no template variable")
		}
		return []*Node{o.ZLogits, ReduceAllSum(Abs(Gradient(ReduceAllSum(Square(o.ZLogits)), tv)[0]))}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs := execOnWave(t, e, cfg, func(i int) float64 { return math.Cos(float64(i) / 3) })
	if d := outs[0].Shape().Dimensions; !found || d[0] != 2 || d[1] != cfg.ZBins {
		t.Errorf("z logits %v", d)
	}
	if g := tensors.ToScalar[float32](outs[1]); !(g > 0) {
		t.Errorf("template gradient %g, want > 0", g)
	}
}
