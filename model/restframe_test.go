package model

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestRestFrameMovesALineBack: a Gaussian line observed at pixel c + s
// comes back to pixel c, for whole and fractional shifts of both signs,
// and a shift beyond the limit is clipped to it.
func TestRestFrameMovesALineBack(t *testing.T) {
	const n, centre, maxShift = 64, 30.0, 3
	shifts := []float64{0, 1, -2, 0.4, -1.7, 2.5, 7.5} // the last is clipped to 3
	v := make([]float32, len(shifts)*n)
	for r, s := range shifts {
		for i := range n {
			d := (float64(i) - centre - s) / 2.5
			v[r*n+i] = float32(-math.Exp(-0.5 * d * d))
		}
	}
	out := flat(MustExecOnce(backend(t), func(v, s *Node) *Node { return restFrame(v, s, maxShift) },
		tensors.FromFlatDataAndDimensions(v, len(shifts), n), toF32(shifts)))
	for r, s := range shifts {
		applied := math.Max(-maxShift, math.Min(maxShift, s))
		// Linear interpolation of a σ = 2.5-pixel Gaussian: within 2% of its
		// depth of the exact rest-frame line.
		for i := range n {
			d := (float64(i) - centre - (s - applied)) / 2.5
			want := -math.Exp(-0.5 * d * d)
			if got := float64(out[r*n+i]); math.Abs(got-want) > 0.02 {
				t.Fatalf("shift %g: pixel %d = %.4f, want %.4f", s, i, got, want)
			}
		}
	}
}

// TestRestFrameOfARampIsExact: linear interpolation reproduces a linear
// signal exactly, v(i+s) = i + s, away from the zero padding.
func TestRestFrameOfARampIsExact(t *testing.T) {
	const n, maxShift = 40, 4
	shifts := []float64{0.25, -3.5, 2}
	v := make([]float32, len(shifts)*n)
	for r := range shifts {
		for i := range n {
			v[r*n+i] = float32(i)
		}
	}
	out := flat(MustExecOnce(backend(t), func(v, s *Node) *Node { return restFrame(v, s, maxShift) },
		tensors.FromFlatDataAndDimensions(v, len(shifts), n), toF32(shifts)))
	for r, s := range shifts {
		for i := maxShift; i < n-maxShift-1; i++ {
			if got, want := float64(out[r*n+i]), float64(i)+s; math.Abs(got-want) > 1e-5 {
				t.Errorf("shift %g: pixel %d = %g, want %g", s, i, got, want)
			}
		}
		if s == 2 && out[r*n+n-1] != 0 { // pixel n+1 lies beyond the spectrum
			t.Errorf("shift 2: last pixel %g, want 0 beyond the edge", out[r*n+n-1])
		}
	}
}

func TestShiftLossIsHuber(t *testing.T) {
	pred := []float64{0.5, -3, 2, 10}
	target := []float64{0, 0, 2.25, math.NaN()} // the NaN target has weight 0
	w := []float64{1, 1, 1, 0}
	got := tensors.ToScalar[float32](MustExecOnce(backend(t), ShiftLoss, toF32(pred), toF32(target), toF32(w)))
	// ½·0.5² = 0.125; |−3| > 1: 3 − ½ = 2.5; ½·0.25² = 0.03125.
	want := (0.125 + 2.5 + 0.03125) / 3
	if math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("ShiftLoss = %g, want %g", got, want)
	}
}

func TestShiftTarget(t *testing.T) {
	c, _ := ConfigByName("small")
	if math.Abs(c.PixelKmS-69.0294) > 1e-3 {
		t.Fatalf("LAMOST pixel %g km/s, want 69.029", c.PixelKmS)
	}
	if s, ok := c.ShiftTarget(-138.0588); !ok || math.Abs(float64(s)+2) > 1e-4 {
		t.Errorf("RV −138 km/s: shift %g %v, want −2 pixels", s, ok)
	}
	for _, rv := range []float64{math.NaN(), 500, -420} { // beyond ±6 pixels = ±414 km/s
		if _, ok := c.ShiftTarget(rv); ok {
			t.Errorf("RV %g: usable target, want none", rv)
		}
	}
	c.RestFrameShift = 0
	if _, ok := c.ShiftTarget(10); ok {
		t.Error("a target without a shift head")
	}
}

// TestShiftHeadVariables: the rest-frame switch adds the shift head and
// its output, and no gradient reaches the shift head through the pixel
// head (it learns from its own loss only).
func TestShiftHeadVariables(t *testing.T) {
	cfg := testConfig()
	cfg.PixelHead, cfg.RestFrameShift, cfg.WShift = 8, 3, 1
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	var names []string
	e, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
		o := Build(ctx, cfg, x, f, nil, Heads{Params: true})
		if o.Shift == nil {
			t.Fatal("no shift output")
		}
		var vars []*Node
		for v := range ctx.IterVariables() {
			if strings.Contains(v.Scope(), "shift_out") {
				names = append(names, v.ScopeAndName())
				vars = append(vars, v.ValueGraph(x.Graph()))
			}
		}
		outs := []*Node{o.Shift}
		for _, g := range Gradient(ReduceAllSum(Square(o.Mean)), vars...) {
			outs = append(outs, ReduceAllSum(Abs(g)))
		}
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs := execOnWave(t, e, cfg, func(i int) float64 { return math.Sin(float64(i)) })
	if d := outs[0].Shape().Dimensions; len(d) != 1 || d[0] != 2 {
		t.Errorf("shift shape %v, want [2]", d)
	}
	if len(names) != 2 {
		t.Fatalf("shift head variables %v", names)
	}
	for i, name := range names {
		if g := tensors.ToScalar[float32](outs[1+i]); g != 0 {
			t.Errorf("%s: parameter-loss gradient %g, want 0", name, g)
		}
	}
	cfg.PixelHead = 0
	if err := cfg.Validate(); err == nil {
		t.Error("rest_frame_shift without a pixel head validated")
	}
}

// TestRunConfigWithoutLaterFeatures: a run's config.json written before
// the rest-frame head existed loads with it off, while a user's partial
// config takes the named configuration's value.
func TestRunConfigWithoutLaterFeatures(t *testing.T) {
	small, _ := ConfigByName("small")
	if small.RestFrameShift == 0 {
		t.Fatal("small has no rest-frame head")
	}
	path := filepath.Join(t.TempDir(), ConfigFile)
	if err := os.WriteFile(path, []byte(`{"name": "small", "steps": 4000}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := LoadRunConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	user, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if run.RestFrameShift != 0 || user.RestFrameShift != small.RestFrameShift || run.Steps != 4000 {
		t.Errorf("run config shift %d, user config shift %d (want 0 and %d), steps %d", run.RestFrameShift, user.RestFrameShift, small.RestFrameShift, run.Steps)
	}
	written := filepath.Join(t.TempDir(), ConfigFile)
	if err := os.WriteFile(written, small.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, err := LoadRunConfig(written); err != nil || again != small {
		t.Errorf("a run config with the field: %+v, %v", again, err)
	}
}

// toF32 makes a float32 tensor of a float64 slice.
func toF32(v []float64) *tensors.Tensor {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, len(f))
}

func TestStarBinLoss(t *testing.T) {
	// One example, three parameters of two bins; the third has weight 0.
	logits := []float32{0, 0, 1, 0, 5, 5}
	target := []float32{1, 0, 0.5, 0.5, 1, 0}
	w := []float32{1, 1, 0}
	got := tensors.ToScalar[float32](MustExecOnce(backend(t), StarBinLoss,
		tensors.FromFlatDataAndDimensions(logits, 1, 3, 2), tensors.FromFlatDataAndDimensions(target, 1, 3, 2),
		tensors.FromFlatDataAndDimensions(w, 1, 3)))
	l2 := math.Log(1 + math.E)
	want := (math.Ln2 + 0.5*(l2-1) + 0.5*l2) / 2
	if math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("StarBinLoss = %g, want %g", got, want)
	}
}
