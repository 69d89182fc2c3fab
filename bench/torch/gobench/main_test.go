package main

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/internal/benchdata"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

// The learned-template redshift correlation of small with ZTemplates = 4,
// ZTemplateBin = 16 (model/ztemplate.go): coarse pixels M, lags L and
// template length M + L − 1, as torch_bench.py's Z_TEMPLATES,
// Z_TEMPLATE_BIN and z_template_layout (its tests assert the same
// numbers).
const (
	smallZTemplates, smallZTemplateBin          = 4, 16
	smallCoarse, smallLags, smallTemplateLength = 248, 464, 711
)

// smallWithTemplates returns small with the template correlation set to
// torch_bench.py's (k templates; k = 0: none), whatever small's own
// setting.
func smallWithTemplates(t *testing.T, k int) model.Config {
	t.Helper()
	cfg, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ZTemplates != 0 && (cfg.ZTemplates != smallZTemplates || cfg.ZTemplateBin != smallZTemplateBin) {
		t.Fatalf("small: %d redshift templates of %d-pixel bins: torch_bench.py's Z_TEMPLATES, Z_TEMPLATE_BIN and the counts here need updating",
			cfg.ZTemplates, cfg.ZTemplateBin)
	}
	cfg.ZTemplates, cfg.ZTemplateBin = k, smallZTemplateBin
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// buildSmall builds cfg's model with all heads on a batch of one and
// returns its context and the shape of the template variable (nil
// without one).
func buildSmall(t *testing.T, cfg model.Config) (*context.Context, []int) {
	t.Helper()
	backend, err := nn.Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, x, f, m *Node) []*Node {
		o := model.Build(ctx, cfg, x, f, m, model.Heads{Class: true, Params: true, Recon: true})
		return []*Node{o.Logits, o.Mean, o.LogSigma, o.ZLogits, o.Recon, o.Shift, o.StarLogits}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	f32 := func(dims ...int) *tensors.Tensor { return tensors.FromShape(shapes.Make(dtypes.Float32, dims...)) }
	outs, err := exec.Exec(f32(1, 62, 192), f32(1, model.NumFeatures), f32(1, 63))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		o.FinalizeAll()
	}
	var tmpl []int
	for v := range ctx.IterVariables() {
		if strings.HasSuffix(v.Scope(), "/z_template") {
			if tmpl != nil {
				t.Fatalf("a second template variable %s", v.ScopeAndName())
			}
			tmpl = v.Shape().Dimensions
		}
	}
	return ctx, tmpl
}

// TestCountParamsSmall checks the parameter count of the `small` model,
// without the learned redshift templates and with torch_bench.py's 4 of
// them, against the count written out layer by layer (the figures the
// PyTorch replica must reproduce).
func TestCountParamsSmall(t *testing.T) {
	cfg := smallWithTemplates(t, 0)
	if cfg.Tokens() != 62 || cfg.TokenWidth() != 192 || cfg.Patch != 64 || !cfg.FlatHead || cfg.PixelHead != 128 || !cfg.ClassFromParams || cfg.ZBins != 256 {
		t.Fatalf("small: %d tokens of %d values, patch %d, flat head %v, pixel head %d, class from params %v, %d z bins: the hand count below needs updating",
			cfg.Tokens(), cfg.TokenWidth(), cfg.Patch, cfg.FlatHead, cfg.PixelHead, cfg.ClassFromParams, cfg.ZBins)
	}
	if cfg.RestFrameShift != 6 || cfg.Bin != 1 {
		t.Fatalf("small: rest-frame shift %d, bin %d: the hand count below and torch_bench.py's REST_FRAME_SHIFT, BIN need updating",
			cfg.RestFrameShift, cfg.Bin)
	}
	// torch_bench.py's PIXEL_KMS: c·ln 10·10⁻⁴ rounded once to float64.
	if bits := math.Float64bits(cfg.PixelKmS); bits != 0x405141e7a9453415 {
		t.Fatalf("small: pixel_kms %.17g (bits %#x): torch_bench.py's PIXEL_KMS needs updating", cfg.PixelKmS, bits)
	}
	if cfg.WClass != 1 || cfg.WReg != 1 || cfg.WRecon != 0.1 || cfg.WZ != 2 || cfg.WStarBins != 1 || cfg.WShift != 1 {
		t.Fatalf("small: loss weights %g, %g, %g, %g, %g, %g: torch_bench.py's W_CLASS, W_REG, W_RECON, W_Z, W_STAR_BINS, W_SHIFT need updating",
			cfg.WClass, cfg.WReg, cfg.WRecon, cfg.WZ, cfg.WStarBins, cfg.WShift)
	}
	// torch_bench.py's STAR_BINS, STAR_BIN_PARAMS and STAR_BINNINGS.
	bs := cfg.StarBinnings()
	if cfg.StarBins != 256 || model.StarBinParams != [3]int{dataset.ParamTeff, dataset.ParamLogg, dataset.ParamFeH} ||
		bs != [3]model.Binning{{N: 256, Lo: 3.35, Hi: 4.75, T: model.TransformLog10}, {N: 256, Lo: -0.5, Hi: 6}, {N: 256, Lo: -4.5, Hi: 1}} ||
		dataset.ParamTeff != 0 || dataset.ParamLogg != 1 || dataset.ParamFeH != 2 {
		t.Fatalf("small: %d star bins of %v, layouts %+v: the hand count below and torch_bench.py's STAR_BINS, STAR_BIN_PARAMS, STAR_BINNINGS need updating",
			cfg.StarBins, model.StarBinParams, bs)
	}
	// d=64, 62 patch tokens of 3×64 inputs, 3 blocks, MLP 128; the
	// flattened-token map of the 63 token states to d, concatenated with
	// the mean embedding (head input 2d); the pixel head, a Dense layer of
	// the 62·64 continuum-relative values to 128, appended to the
	// parameter head's input only (2d + 128); the class head reading the
	// head input and the 5 parameter means (ClassFromParams: 2d + 5);
	// 11 classes, 5 parameters, 256 redshift bins; the rest-frame shift
	// head (RestFrameShift), 2d → d GELU → 1 on the head input, whose
	// resampling of the pixel head's input adds no variables; the binned
	// Teff, log g and [Fe/H] heads (StarBins), the parameter head's input
	// (2d + 128) → 2d GELU → 3·256 logits; reconstruction of 64 pixels;
	// with ZTemplates, the redshift templates, ZTemplates × (M + L − 1).
	const d, in, toks, mlp, hin, pix, zbins, sbins = 64, 192, 63, 128, 128, 128, 256, 256
	embed := (in*d + d) + (4*d + d) + d + toks*d
	block := 2*2*d + 4*(d*d+d) + (d*mlp + mlp) + (mlp*d + d)
	flat := toks*d*d + d
	pixel := 62*64*pix + pix
	class := ((hin+dataset.NumParams)*d + d) + (d*11 + 11)
	params := ((hin+pix)*d + d) + 2*(d*5+5)
	z := (hin*d + d) + (d*zbins + zbins)
	shift := (hin*d + d) + (d*1 + 1)
	star := ((hin+pix)*2*d + 2*d) + (2*d*3*sbins + 3*sbins)
	if star != 131968 {
		t.Fatalf("hand count of the binned stellar heads %d, expected 131968", star)
	}
	heads := 2*d + flat + shift + pixel + class + params + star + z + (d*64 + 64)
	base := embed + 3*block + heads
	// 947222 without the binned stellar heads, 938901 without those and
	// the shift head.
	if base != 1079190 {
		t.Fatalf("hand count %d, expected 1079190", base)
	}
	for _, k := range []int{0, smallZTemplates} {
		want, wantShape := base, []int(nil)
		if k > 0 {
			want += k * smallTemplateLength // 4 × 711 = 2,844
			wantShape = []int{k, smallTemplateLength}
		}
		if k > 0 && want != 1082034 {
			t.Fatalf("hand count with %d templates %d, expected 1082034", k, want)
		}
		ctx, shape := buildSmall(t, smallWithTemplates(t, k))
		if !slices.Equal(shape, wantShape) {
			t.Errorf("%d templates: template variable of shape %v, want %v", k, shape, wantShape)
		}
		if got := countParams(ctx); got != want {
			t.Errorf("%d templates: countParams = %d, want %d", k, got, want)
		}
	}
}

// TestZTemplateGeometrySmall computes the template correlation's layout
// for small with 16-pixel bins by model.Config.zTemplateLayout's formulas
// (torch_bench.py's z_template_layout): M = ⌈N/Q⌉ coarse pixels of the
// N = 62·64 binned pixels, du = Q·Bin·PixelKmS/c, L = ⌈ln(1+ZMax)/du⌉ + 1
// lags, length M + L − 1; TestCountParamsSmall checks the length against
// the variable model.Build creates. ln(1+ZMax)/du must be far from an
// integer, so that a last-bit difference in du (Python's log1p against
// Go's) cannot change L.
func TestZTemplateGeometrySmall(t *testing.T) {
	cfg := smallWithTemplates(t, smallZTemplates)
	n, q := cfg.Tokens()*cfg.Patch, cfg.ZTemplateBin
	m := (n + q - 1) / q
	du := float64(q) * cfg.ShiftPixelKmS() / model.SpeedOfLightKmS
	r := math.Log1p(cfg.ZMax) / du
	l := int(math.Ceil(r)) + 1
	if n != 3968 || m != smallCoarse || l != smallLags || m+l-1 != smallTemplateLength {
		t.Errorf("%d pixels: M = %d, L = %d, length %d; want %d, %d, %d", n, m, l, m+l-1, smallCoarse, smallLags, smallTemplateLength)
	}
	if f := r - math.Floor(r); f < 0.01 || f > 0.99 {
		t.Errorf("ln(1+z_max)/du = %.9f: too close to an integer for L to be safe", r)
	}
}

// TestLoadConfigTemplates checks the -z-templates and -z-template-bin
// overrides.
func TestLoadConfigTemplates(t *testing.T) {
	small, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ k, q, wantK, wantQ int }{
		{-1, -1, small.ZTemplates, small.ZTemplateBin},
		{4, -1, 4, max(small.ZTemplateBin, defaultZTemplateBin)},
		{4, 8, 4, 8},
		{0, -1, 0, small.ZTemplateBin},
	} {
		cfg, err := loadConfig("small", c.k, c.q)
		if err != nil || cfg.ZTemplates != c.wantK || cfg.ZTemplateBin != c.wantQ {
			t.Errorf("loadConfig(small, %d, %d): %d templates, bin %d, %v; want %d, %d", c.k, c.q, cfg.ZTemplates, cfg.ZTemplateBin, err, c.wantK, c.wantQ)
		}
	}
	if _, err := loadConfig("small", 4, 0); err == nil {
		t.Error("loadConfig(small, 4, 0): no error for a template bin of 0")
	}
}

// zGoldenCont and zGoldenTemplate are the inputs of
// TestZTemplateScoresGolden (torch_bench.py's tests compute the same):
// the continuum-relative channel of spectrum b at pixel p of the 62·64,
// and template k at position j.
func zGoldenCont(b, p int) float32 {
	return float32(4 * math.Sin(0.013*float64(p*(b+1))+0.5*float64(b)))
}

func zGoldenTemplate(k, j int) float32 {
	return float32(0.5 * math.Cos(0.07*float64(j*(k+1))+float64(k)))
}

// zGoldenBins and zGoldenScores: model.Build's redshift logits of small
// with 4 templates of 16-pixel bins, the z_out layer zeroed (so the
// logits are zTemplateScores' alone), for the zGolden inputs: spectrum
// b's bins zGoldenBins and its sum over all 256 bins.
var (
	zGoldenBins   = []int{0, 1, 57, 128, 200, 255}
	zGoldenScores = [2][]float64{
		{236.03387, 238.77048, 22.473822, 4.420857, 230.48224, 20.097412, 21405.263},
		{14.977872, 15.520796, 4.6362834, 4.0107841, 14.655688, 5.0593023, 1884.3555},
	}
)

// TestZTemplateScoresGolden pins model.Build's template scores of small
// (ZTemplates = 4, ZTemplateBin = 16) on fixed inputs and templates, the
// numbers torch_bench.py's test_z_template_scores_match_go reproduces: the
// geometry, the averaging, the Toeplitz gather, the log-sum-exp and the
// lag-to-bin map of both sides agree, and the scores read the
// observed-frame continuum channel.
func TestZTemplateScoresGolden(t *testing.T) {
	cfg := smallWithTemplates(t, smallZTemplates)
	backend, err := nn.Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, x, f *Node) *Node {
		return model.Build(ctx, cfg, x, f, nil, model.Heads{Params: true}).ZLogits
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	const nb, tok, p = 2, 62, 64
	x := make([]float32, nb*tok*3*p)
	for b := range nb {
		for i := range tok * p {
			x[(b*tok+i/p)*3*p+2*p+i%p] = zGoldenCont(b, i)
		}
	}
	// A shift head's output moves the pixel head's input, not the
	// templates': a large z-scored flux channel gives it one.
	for i := range nb * tok * p {
		x[(i/p)*3*p+i%p] = float32(i%7) - 3
	}
	feats := make([]float32, nb*model.NumFeatures)
	args := func() []any {
		return []any{tensors.FromFlatDataAndDimensions(x, nb, tok, 3*p), tensors.FromFlatDataAndDimensions(feats, nb, model.NumFeatures)}
	}
	exec.MustExec(args()...)[0].FinalizeAll() // creates the variables
	set := 0
	for v := range ctx.IterVariables() {
		switch {
		case strings.HasSuffix(v.Scope(), "/z_out/dense"):
			v.MustSetValue(tensors.FromShape(v.Shape())) // zeros
			set++
		case strings.HasSuffix(v.Scope(), "/z_template"):
			dims := v.Shape().Dimensions
			tv := make([]float32, dims[0]*dims[1])
			for i := range tv {
				tv[i] = zGoldenTemplate(i/dims[1], i%dims[1])
			}
			v.MustSetValue(tensors.FromFlatDataAndDimensions(tv, dims...))
			set++
		}
	}
	if set != 3 {
		t.Fatalf("%d variables of z_out and z_template set, want 3", set)
	}
	out := tensors.MustCopyFlatData[float32](exec.MustExec(args()...)[0])
	for b := range nb {
		row := out[b*cfg.ZBins : (b+1)*cfg.ZBins]
		got := make([]float64, 0, len(zGoldenBins)+1)
		for _, k := range zGoldenBins {
			got = append(got, float64(row[k]))
		}
		sum := 0.0
		for _, v := range row {
			sum += float64(v)
		}
		got = append(got, sum)
		for i, g := range got {
			want := zGoldenScores[b][i]
			if math.Abs(g-want) > 1e-4*max(1, math.Abs(want)) {
				t.Errorf("spectrum %d, value %d: %.6f, want %.6f", b, i, g, want)
			}
		}
	}
}

// TestBenchBatchRedshifts checks that QSOs and galaxies, and only they,
// get a redshift, and that their redshift-head targets are normalised
// distributions peaking at the redshift's bin.
func TestBenchBatchRedshifts(t *testing.T) {
	cfg, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	const np = dataset.NumParams
	b := benchdata.Batch(cfg.Pixels, 32)
	zt, zw := zTargets(cfg, b)
	nz := 0
	for r := range b.Size {
		name := dataset.ClassNames[b.Class[r]]
		wantZ := name == "QSO" || name == "GALAXY"
		if got := zw[r] == 1; got != wantZ {
			t.Fatalf("spectrum %d (%s): z weight %g", r, name, zw[r])
		}
		row := zt[r*cfg.ZBins : (r+1)*cfg.ZBins]
		var sum float64
		best := 0
		for k, v := range row {
			sum += float64(v)
			if v > row[best] {
				best = k
			}
		}
		if !wantZ {
			if sum != 0 {
				t.Errorf("spectrum %d (%s): a z target without a redshift", r, name)
			}
			continue
		}
		nz++
		z := float64(b.Y[r*np+dataset.ParamZ])
		if z < 0.1 || z >= 3.6 || math.Abs(sum-1) > 1e-5 {
			t.Errorf("spectrum %d: z %g, target sum %g", r, z, sum)
		}
		if zb := cfg.ZBinCentre(best); math.Abs(math.Log1p(zb)-math.Log1p(z)) > math.Log1p(cfg.ZMax)/float64(cfg.ZBins) {
			t.Errorf("spectrum %d: z %g, target peaks at bin %d (z %g)", r, z, best, zb)
		}
	}
	if nz != 5 { // classes 9 and 10 (i mod 11) among spectra 0…31: 9, 10, 20, 21, 31
		t.Errorf("%d spectra with a redshift, want 5", nz)
	}
}

// TestBenchBatchShiftTargets checks the rest-frame shift targets of the
// benchmark batch: every spectrum has an RV (N(0, 1) km/s, a small
// fraction of a pixel), whose target is RV / PixelKmS pixels.
func TestBenchBatchShiftTargets(t *testing.T) {
	cfg, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	const np = dataset.NumParams
	b := benchdata.Batch(cfg.Pixels, 32)
	st, sw := shiftTargets(cfg, b)
	for r := range b.Size {
		rv := float64(b.Y[r*np+dataset.ParamRV])
		if sw[r] != 1 || st[r] != float32(rv/cfg.PixelKmS) || math.Abs(float64(st[r])) > 0.1 {
			t.Errorf("spectrum %d: RV %g km/s, shift target %g (weight %g), want %g", r, rv, st[r], sw[r], rv/cfg.PixelKmS)
		}
	}
	// Out of range (beyond ±RestFrameShift pixels) or without an RV: no target.
	b.Y[0*np+dataset.ParamRV] = float32(6.5 * cfg.PixelKmS)
	b.Y[1*np+dataset.ParamRV] = float32(-5.5 * cfg.PixelKmS)
	b.W[2*np+dataset.ParamRV] = 0
	st, sw = shiftTargets(cfg, b)
	if sw[0] != 0 || st[0] != 0 || sw[1] != 1 || math.Abs(float64(st[1])+5.5) > 1e-5 || sw[2] != 0 || st[2] != 0 {
		t.Errorf("targets %v, weights %v", st[:3], sw[:3])
	}
}

// TestBenchBatchStarTargets checks the binned stellar heads' targets of
// the benchmark batch (as torch_bench.py's star_targets): log g and
// [Fe/H], N(0, 1), always have one, normalised and peaking at the value's
// bin; Teff, N(0, 1) K, only where positive (log10 Teff < 3.35: clamped
// to the first bin); a parameter without a weight has none.
func TestBenchBatchStarTargets(t *testing.T) {
	cfg, err := model.ConfigByName("small")
	if err != nil {
		t.Fatal(err)
	}
	const np, ns = dataset.NumParams, len(model.StarBinParams)
	nb := cfg.StarBins
	b := benchdata.Batch(cfg.Pixels, 32)
	b.W[3*np+dataset.ParamFeH] = 0
	bt, bw := starTargets(cfg, b)
	if len(bt) != b.Size*ns*nb || len(bw) != b.Size*ns {
		t.Fatalf("%d targets, %d weights", len(bt), len(bw))
	}
	bs := cfg.StarBinnings()
	nTeff := 0
	for r := range b.Size {
		for j, k := range model.StarBinParams {
			v := float64(b.Y[r*np+k])
			want := !(r == 3 && k == dataset.ParamFeH) && (k != dataset.ParamTeff || v > 0)
			row := bt[(r*ns+j)*nb : (r*ns+j+1)*nb]
			var sum float64
			best := 0
			for i, x := range row {
				sum += float64(x)
				if x > row[best] {
					best = i
				}
			}
			if got := bw[r*ns+j] == 1; got != want || (!want && sum != 0) {
				t.Errorf("spectrum %d, parameter %d (%g): weight %g, target sum %g", r, k, v, bw[r*ns+j], sum)
				continue
			}
			if !want {
				continue
			}
			u := v
			if k == dataset.ParamTeff {
				nTeff++
				u = math.Log10(v)
			}
			wantBin := int((math.Max(bs[j].Lo, math.Min(u, bs[j].Hi)) - bs[j].Lo) / bs[j].Width())
			if math.Abs(sum-1) > 1e-5 || best < wantBin-1 || best > wantBin || (k == dataset.ParamTeff && best != 0) {
				t.Errorf("spectrum %d, parameter %d (%g): target sum %g, peak at bin %d, want %d", r, k, v, sum, best, wantBin)
			}
		}
	}
	if nTeff == 0 || nTeff == b.Size {
		t.Errorf("%d of %d spectra with a Teff target", nTeff, b.Size)
	}
	// A value at a bin centre: a target symmetric about that bin.
	b.Y[0*np+dataset.ParamLogg] = float32(bs[1].Centre(40))
	bt, _ = starTargets(cfg, b)
	row := bt[1*nb : 2*nb]
	for d := 1; d <= 6; d++ {
		if math.Abs(float64(row[40-d]-row[40+d])) > 1e-6 || !(row[40] > row[40+d]) {
			t.Errorf("log g at the centre of bin 40: target %v", row[33:48])
			break
		}
	}
}

// TestMedian checks median on odd, even and unsorted inputs.
func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{nil, 0},
	} {
		if got := median(c.in); math.Abs(got-c.want) > 0 {
			t.Errorf("median(%v) = %g, want %g", c.in, got, c.want)
		}
	}
	v := []float64{4, 1, 3, 2}
	median(v)
	if v[0] != 4 {
		t.Errorf("median reordered its input: %v", v)
	}
}
