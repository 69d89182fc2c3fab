package model

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/nn"
)

var (
	backendOnce sync.Once
	testBackend backends.Backend
	backendErr  error
)

// backend returns one shared backend for the package's tests.
func backend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { testBackend, backendErr = nn.Backend() })
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return testBackend
}

// testConfig is the tiny configuration on 400-pixel spectra: 100 binned
// pixels, 3 tokens of 40 (the last padded) plus the feature token.
func testConfig() Config {
	c, _ := ConfigByName("tiny")
	c.Pixels = 400
	return c
}

// execOnWave runs e on two spectra's model inputs x[i] = f(i) (i the
// flat index) and zero summary features, failing the test on an error.
func execOnWave(t *testing.T, e *context.Exec, cfg Config, f func(i int) float64) []*tensors.Tensor {
	t.Helper()
	x := tensors.FromFlatDataAndDimensions(make([]float32, 2*cfg.Tokens()*cfg.TokenWidth()), 2, cfg.Tokens(), cfg.TokenWidth())
	tensors.MutableFlatData(x, func(v []float32) {
		for i := range v {
			v[i] = float32(f(i))
		}
	})
	outs, err := e.Exec(x, tensors.FromShape(shapeF32(2, NumFeatures)))
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// flat copies a tensor's float32 values.
func flat(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

func TestHeadShapes(t *testing.T) {
	cfg := testConfig()
	cfg.EmbedHidden = 24 // the MLP patch embedding
	cfg.FlatHead = true
	const b = 3
	tok := cfg.Tokens()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	exec, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f, m *Node) []*Node {
		o := Build(ctx, cfg, x, f, m, Heads{Class: true, Params: true, Recon: true})
		return []*Node{o.Logits, o.Mean, o.LogSigma, o.Recon, o.Embedding, o.Hidden}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	x := tensors.FromShape(shapeF32(b, tok, cfg.TokenWidth()))
	f := tensors.FromShape(shapeF32(b, NumFeatures))
	m := tensors.FromShape(shapeF32(b, tok+1))
	outs, err := exec.Exec(x, f, m)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{
		{b, dataset.NumClasses}, {b, dataset.NumParams}, {b, dataset.NumParams},
		{b, tok + 1, cfg.Patch}, {b, cfg.Dim}, {b, tok + 1, cfg.Dim},
	}
	for i, o := range outs {
		if got := o.Shape().Dimensions; !slices.Equal(got, want[i]) {
			t.Errorf("output %d: shape %v, want %v", i, got, want[i])
		}
		for _, v := range flat(o) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("output %d has a non-finite value", i)
			}
		}
	}
	// log σ is bounded to (−7, 7).
	for _, v := range flat(outs[2]) {
		if math.Abs(float64(v)) >= 7 {
			t.Errorf("log σ %g out of (−7, 7)", v)
		}
	}
	// The pretraining graph builds only the reconstruction head.
	ctx2 := context.New()
	exec2, err := context.NewExec(backend(t), ctx2.Checked(false), func(ctx *context.Context, x, f, m *Node) *Node {
		o := Build(ctx, cfg, x, f, m, Heads{Recon: true})
		if o.Logits != nil || o.Mean != nil || o.LogSigma != nil {
			panic("heads built that were not asked for")
		}
		return o.Recon
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec2.Finalize()
	if _, err := exec2.Exec(x, f, m); err != nil {
		t.Fatal(err)
	}
	for v := range ctx2.IterVariables() {
		if s := v.Scope(); strings.Contains(s, "class_") || strings.Contains(s, "param_") {
			t.Errorf("pretraining graph created %s", v.ScopeAndName())
		}
	}
}

func TestGaussianNLL(t *testing.T) {
	mean := []float32{0.5, -1, 2, 0}
	logSig := []float32{0, 0.5, -1, 3}
	y := []float32{1, -1, float32(math.NaN()), 4}
	w := []float32{1, 1, 0, 1}
	var want float64
	for i := range mean {
		if w[i] == 0 {
			continue
		}
		sigma := math.Exp(float64(logSig[i]))
		d := float64(y[i]) - float64(mean[i])
		// −log of the normal density, written out.
		want += -math.Log(1 / (sigma * math.Sqrt(2*math.Pi)) * math.Exp(-d*d/(2*sigma*sigma)))
	}
	want /= 3
	outs := MustExecOnceN(backend(t), func(m, s, y, w *Node) []*Node {
		loss := GaussianNLL(m, s, y, w)
		grads := Gradient(loss, m, s)
		return []*Node{loss, grads[0], grads[1]}
	}, tensors.FromFlatDataAndDimensions(mean, 2, 2), tensors.FromFlatDataAndDimensions(logSig, 2, 2),
		tensors.FromFlatDataAndDimensions(y, 2, 2), tensors.FromFlatDataAndDimensions(w, 2, 2))
	if got := float64(tensors.ToScalar[float32](outs[0])); !near(got, want, 1e-5) {
		t.Errorf("NLL %g, want %g", got, want)
	}
	// ∂/∂μ = −(y−μ)/σ²/N, 0 where the weight is 0 (and not NaN from the NaN target).
	gm := flat(outs[1])
	for i := range mean {
		want := 0.0
		if w[i] > 0 {
			want = -(float64(y[i]) - float64(mean[i])) / math.Exp(2*float64(logSig[i])) / 3
		}
		if !near(float64(gm[i]), want, 1e-5) {
			t.Errorf("∂NLL/∂μ[%d] = %g, want %g", i, gm[i], want)
		}
	}
	for _, g := range flat(outs[2]) {
		if math.IsNaN(float64(g)) {
			t.Error("NaN gradient for log σ")
		}
	}
}

func TestClassLoss(t *testing.T) {
	logits := []float32{0, float32(math.Log(3)), 0, 2, 1, 0}
	onehot := []float32{0, 1, 0, 1, 0, 0}
	weight := []float32{1, 0} // the second example is unlabelled
	// Row 0: softmax(0, ln 3, 0)[1] = 3/5.
	want := -math.Log(3.0 / 5)
	got := MustExecOnce(backend(t), ClassLoss, tensors.FromFlatDataAndDimensions(logits, 2, 3),
		tensors.FromFlatDataAndDimensions(onehot, 2, 3), tensors.FromFlatDataAndDimensions(weight, 2))
	if g := float64(tensors.ToScalar[float32](got)); !near(g, want, 1e-6) {
		t.Errorf("CE %g, want %g", g, want)
	}
}

// TestReconLossMaskedOnly builds predictions that differ from the target
// on unmasked tokens by arbitrary amounts and on masked tokens by known
// ones: only the latter count.
func TestReconLossMaskedOnly(t *testing.T) {
	const b, tok, p = 2, 4, 3
	mask := []float32{0, 1, 0, 0, 0, 0, 0, 1, 1, 0} // [2, 5]
	target := make([]float32, b*(tok+1)*p)
	pixW := make([]float32, len(target))
	recon := make([]float32, len(target))
	var num, den float64
	for r := range b {
		for k := range tok + 1 {
			for j := range p {
				i := (r*(tok+1)+k)*p + j
				target[i] = float32(i%7) - 3
				pixW[i] = float32(1 + (i % 3))
				if mask[r*(tok+1)+k] == 1 {
					d := float32(j + 1) // known error
					recon[i] = target[i] + d
					num += float64(pixW[i]) * float64(d*d)
					den += float64(pixW[i])
				} else {
					recon[i] = target[i] + 100*float32(i+1) // huge, but unmasked
				}
			}
		}
	}
	run := func(recon []float32) float64 {
		out := MustExecOnce(backend(t), ReconLoss,
			tensors.FromFlatDataAndDimensions(recon, b, tok+1, p), tensors.FromFlatDataAndDimensions(target, b, tok+1, p),
			tensors.FromFlatDataAndDimensions(pixW, b, tok+1, p), tensors.FromFlatDataAndDimensions(mask, b, tok+1))
		return float64(tensors.ToScalar[float32](out))
	}
	if got := run(recon); !near(got, num/den, 1e-5) {
		t.Errorf("loss %g, want %g (masked tokens only)", got, num/den)
	}
	// Perfect on masked tokens, wrong elsewhere: 0.
	for r := range b {
		for k := range tok + 1 {
			if mask[r*(tok+1)+k] == 1 {
				for j := range p {
					i := (r*(tok+1)+k)*p + j
					recon[i] = target[i]
				}
			}
		}
	}
	if got := run(recon); got != 0 {
		t.Errorf("loss %g with exact masked tokens, want 0", got)
	}
}

func shapeF32(dims ...int) shapes.Shape { return shapes.Make(dtypes.Float32, dims...) }

// TestGelu checks the GELU approximation against its formula evaluated
// in float64, and against the exact GELU x·Φ(x) to the approximation's
// known accuracy (better than 1e-3).
func TestGelu(t *testing.T) {
	xs := []float32{-5, -2, -0.5, 0, 0.3, 1, 3}
	got := flat(MustExecOnce(backend(t), gelu, xs))
	for i, x := range xs {
		v := float64(x)
		want := 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		exact := v * 0.5 * math.Erfc(-v/math.Sqrt2)
		if !near(float64(got[i]), want, 1e-6) || math.Abs(float64(got[i])-exact) > 1e-3 {
			t.Errorf("gelu(%g) = %g, want %g (exact %g)", x, got[i], want, exact)
		}
	}
}

// TestBetaNLL: the value is σ^(2β)·NLL per term, and the mean's gradient
// is (μ−y)/σ^(2−2β) per term (divided by the count).
func TestBetaNLL(t *testing.T) {
	mean := []float32{0.5, -1, 2}
	logSig := []float32{0, 0.5, -1}
	y := []float32{1, 0, 7}
	w := []float32{1, 1, 0}
	const beta = 0.5
	var want float64
	for i := range 2 {
		s := math.Exp(float64(logSig[i]))
		d := float64(y[i] - mean[i])
		want += math.Pow(s, 2*beta) * (0.5*d*d/(s*s) + math.Log(s) + 0.5*math.Log(2*math.Pi))
	}
	want /= 2
	outs := MustExecOnceN(backend(t), func(m, s, y, w *Node) []*Node {
		loss := BetaNLL(m, s, y, w, beta)
		return []*Node{loss, Gradient(loss, m)[0]}
	}, mean, logSig, y, w)
	if got := float64(tensors.ToScalar[float32](outs[0])); !near(got, want, 1e-5) {
		t.Errorf("β-NLL %g, want %g", got, want)
	}
	g := flat(outs[1])
	for i := range mean {
		want := 0.0
		if w[i] > 0 {
			want = float64(mean[i]-y[i]) / math.Pow(math.Exp(float64(logSig[i])), 2-2*beta) / 2
		}
		if !near(float64(g[i]), want, 1e-5) {
			t.Errorf("∂/∂μ[%d] = %g, want %g", i, g[i], want)
		}
	}
}

// TestOptionalLayers: EmbedHidden, FlatHead and PixelHead add their
// variables (the pixel head's weights span every pixel of the
// continuum channel).
func TestOptionalLayers(t *testing.T) {
	for _, tc := range []struct {
		embed int
		flat  bool
		pixel int
		want  []string
	}{{0, false, 0, nil}, {16, false, 0, []string{"patch_embed_hidden"}}, {0, true, 0, []string{"head_flat"}},
		{0, false, 8, []string{"pixel_head"}}} {
		cfg := testConfig()
		cfg.EmbedHidden, cfg.FlatHead, cfg.PixelHead = tc.embed, tc.flat, tc.pixel
		ctx := context.New()
		e, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
			o := Build(ctx, cfg, x, f, nil, Heads{Class: true, Params: true})
			return []*Node{o.Logits, o.Mean, o.LogSigma, o.ZLogits}
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Exec(tensors.FromShape(shapeF32(2, cfg.Tokens(), cfg.TokenWidth())), tensors.FromShape(shapeF32(2, NumFeatures))); err != nil {
			t.Fatal(err)
		}
		e.Finalize()
		found := map[string]bool{}
		for v := range ctx.IterVariables() {
			for _, name := range []string{"patch_embed_hidden", "head_flat", "pixel_head"} {
				if strings.Contains(v.Scope(), name) {
					found[name] = true
					if name == "pixel_head" && v.Shape().Rank() == 2 && v.Shape().Dimensions[0] != cfg.Tokens()*cfg.Patch {
						t.Errorf("pixel head weights %s, want %d inputs", v.Shape(), cfg.Tokens()*cfg.Patch)
					}
				}
			}
		}
		if len(found) != len(tc.want) {
			t.Errorf("embed %d flat %v: optional scopes %v, want %v", tc.embed, tc.flat, found, tc.want)
		}
		for _, w := range tc.want {
			if !found[w] {
				t.Errorf("embed %d flat %v: no %s variables", tc.embed, tc.flat, w)
			}
		}
	}
}

// TestClassFromParams: the class head reads the parameter means, but the
// class loss sends no gradient into the parameter head.
func TestClassFromParams(t *testing.T) {
	cfg := testConfig()
	cfg.ClassFromParams = true
	ctx := context.New()
	var names []string
	e, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
		o := Build(ctx, cfg, x, f, nil, Heads{Class: true}) // the parameter head comes along
		if o.Mean == nil {
			t.Error("the class head was built without the parameter head")
		}
		loss := ReduceAllSum(Square(o.Logits))
		var vars []*Node
		for v := range ctx.IterVariables() {
			if strings.Contains(v.Scope(), "param_mean") || strings.Contains(v.Scope(), "class_hidden") {
				names = append(names, v.ScopeAndName())
				vars = append(vars, v.ValueGraph(x.Graph()))
			}
		}
		grads := Gradient(loss, vars...)
		outs := []*Node{o.Mean, o.LogSigma, o.ZLogits}
		for _, g := range grads {
			outs = append(outs, ReduceAllSum(Abs(g)))
		}
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs := execOnWave(t, e, cfg, func(i int) float64 { return math.Sin(float64(i)) })
	if len(names) != 4 { // weights and biases of both layers
		t.Fatalf("variables %v", names)
	}
	for i, name := range names {
		g := tensors.ToScalar[float32](outs[3+i])
		if strings.Contains(name, "param_mean") && g != 0 {
			t.Errorf("%s: class-loss gradient %g, want 0", name, g)
		}
		if strings.Contains(name, "class_hidden") && !(g > 0) {
			t.Errorf("%s: class-loss gradient %g, want > 0", name, g)
		}
	}
}
