package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
	"github.com/astroone/astroone-go/nn"
)

// run trains and fails the test on error.
func mustRun(t *testing.T, opts Options) Result {
	t.Helper()
	if opts.Log == nil {
		opts.Log = quietLog{t}
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// modelBytes returns the raw checkpoint of step in a run directory.
func checkpointBytes(t *testing.T, dir string, step int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, model.CheckpointDir, model.StepCheckpointName(step)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLossDecreases fine-tunes on a single batch for 30 steps: the loss
// must fall well below its start.
func TestLossDecreases(t *testing.T) {
	cfg := testConfig(30, 0)
	cfg.EvalEvery, cfg.CheckpointEvery = 30, 30
	dir := t.TempDir()
	res := mustRun(t, Options{Train: synthSet(8, 1), Config: cfg, OutDir: dir})
	if !res.Done || res.Steps != 30 {
		t.Fatalf("result %+v", res)
	}
	recs, err := readRecords(filepath.Join(dir, MetricsFile), 1<<30)
	if err != nil || len(recs) != 30 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	first, last := recs[0], recs[29]
	t.Logf("loss %.3f → %.3f (ce %.3f → %.3f, nll %.3f → %.3f)", first.Loss, last.Loss, first.ClassLoss, last.ClassLoss, first.ParamNLL, last.ParamNLL)
	if !(last.ClassLoss < 0.5*first.ClassLoss) {
		t.Errorf("class loss %g → %g: not halved", first.ClassLoss, last.ClassLoss)
	}
	if !(last.Loss < first.Loss-1) {
		t.Errorf("loss %g → %g: did not fall by 1", first.Loss, last.Loss)
	}
}

// TestDeterministic: the same seed gives bit-identical variables; another
// seed does not.
func TestDeterministic(t *testing.T) {
	set := synthSet(24, 2)
	cfg := testConfig(4, 2)
	var ckpts [3][]byte
	for i, seed := range []int64{5, 5, 6} {
		c := cfg
		c.Seed = seed
		dir := t.TempDir()
		mustRun(t, Options{Train: set, Config: c, OutDir: dir})
		ckpts[i] = checkpointBytes(t, dir, 4)
	}
	if !bytes.Equal(ckpts[0], ckpts[1]) {
		t.Error("two runs with the same seed differ")
	}
	if bytes.Equal(ckpts[0], ckpts[2]) {
		t.Error("runs with different seeds are identical")
	}
}

// TestResumeExact trains 6 steps straight and 3 + 3 with a resume (across
// the pretraining/fine-tuning boundary, with gradient accumulation and
// validation): the variables and the metrics must be identical.
func TestResumeExact(t *testing.T) {
	train, val := synthSet(40, 3), synthSet(12, 4)
	cfg := testConfig(6, 2)
	cfg.Accumulation = 2
	cfg.EvalEvery, cfg.CheckpointEvery = 2, 100
	straight := t.TempDir()
	res := mustRun(t, Options{Train: train, Val: val, Config: cfg, OutDir: straight})
	if !res.Done || res.LastVal == nil || res.LastVal.Accuracy == nil {
		t.Fatalf("straight run: %+v", res)
	}
	// The validation set has redshifted "QSO" spectra: the redshift head
	// is scored.
	if zc := res.LastVal.ZCatastrophic; zc == nil || *zc < 0 || *zc > 1 || !(res.LastVal.ZLoss > 0) {
		t.Errorf("validation redshift metrics: catastrophic %v, loss %g", zc, res.LastVal.ZLoss)
	}
	split := t.TempDir()
	res1 := mustRun(t, Options{Train: train, Val: val, Config: cfg, OutDir: split, StopAt: 3})
	if res1.Done || res1.Steps != 3 {
		t.Fatalf("interrupted run: %+v", res1)
	}
	if _, err := Run(context.Background(), Options{Train: train, Config: cfg, OutDir: split, Log: quietLog{t}}); err == nil {
		t.Error("a second fresh run in the same directory: no error")
	}
	res2 := mustRun(t, Options{Train: train, Val: val, Config: cfg, OutDir: split, Resume: true})
	if !res2.Done || res2.Steps != 6 {
		t.Fatalf("resumed run: %+v", res2)
	}
	if !bytes.Equal(checkpointBytes(t, straight, 6), checkpointBytes(t, split, 6)) {
		t.Error("6 steps straight and 3 + 3 resumed give different variables")
	}
	a, _ := readRecords(filepath.Join(straight, MetricsFile), 1<<30)
	b, _ := readRecords(filepath.Join(split, MetricsFile), 1<<30)
	if len(a) != 6 || len(b) != 6 {
		t.Fatalf("%d and %d metric records, want 6", len(a), len(b))
	}
	for i := range a {
		if a[i].Loss != b[i].Loss || a[i].GradNorm != b[i].GradNorm || (a[i].Val == nil) != (b[i].Val == nil) {
			t.Errorf("step %d: straight %+v, resumed %+v", i+1, a[i], b[i])
		}
		if a[i].Val != nil && a[i].Val.Loss != b[i].Val.Loss {
			t.Errorf("step %d: validation loss %g vs %g", i+1, a[i].Val.Loss, b[i].Val.Loss)
		}
	}
	if a[0].Phase != PhasePretrain || a[2].Phase != PhaseFinetune {
		t.Errorf("phases %s, %s; want pretrain then finetune", a[0].Phase, a[2].Phase)
	}
	// The run directory is complete, and the Predictor reads it.
	for _, f := range []string{model.ConfigFile, model.NormalizerFile, MetricsFile, LossPlot, filepath.Join(model.CheckpointDir, model.BestCheckpoint)} {
		if _, err := os.Stat(filepath.Join(split, f)); err != nil {
			t.Error(err)
		}
	}
	p, err := model.LoadPredictor(split)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b0 := &dataset.Batch{Size: 3, Pixels: testPixels}
	for _, e := range val.Examples[:3] {
		b0.Flux = append(b0.Flux, e.Flux...)
		b0.Ivar = append(b0.Ivar, e.Ivar...)
	}
	preds, err := p.Predict(b0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range preds {
		if pr.Err != nil || math.IsNaN(pr.Params[0]) || !(pr.Sigma[0] > 0) || len(pr.Embedding) != cfg.Dim {
			t.Errorf("prediction %+v", pr)
		}
	}
}

// TestAccumulationMatchesBatch: two accumulated micro-batches of 8 give
// the gradient (norm) of one batch of the same 16 examples.
func TestAccumulationMatchesBatch(t *testing.T) {
	// Stars only: every example has the same four targets, so the mean over
	// the batch is the mean of the micro-batch means.
	all := synthSet(48, 5)
	set := &dataset.Set{Grid: all.Grid}
	for _, e := range all.Examples {
		if e.Labels.Class != 9 {
			set.Examples = append(set.Examples, e)
		}
	}
	cfg := testConfig(1, 0)
	cfg.WRecon = 0 // the reconstruction loss is a ratio of sums, not a mean of micro-batch means
	cfg.Batch = 16
	one := t.TempDir()
	mustRun(t, Options{Train: set, Config: cfg, OutDir: one})
	cfg.Batch, cfg.Accumulation = 8, 2
	acc := t.TempDir()
	mustRun(t, Options{Train: set, Config: cfg, OutDir: acc})
	a, _ := readRecords(filepath.Join(one, MetricsFile), 1)
	b, _ := readRecords(filepath.Join(acc, MetricsFile), 1)
	if len(a) != 1 || len(b) != 1 {
		t.Fatal("missing records")
	}
	if math.Abs(a[0].GradNorm-b[0].GradNorm) > 1e-4*a[0].GradNorm || math.Abs(a[0].Loss-b[0].Loss) > 1e-4*math.Abs(a[0].Loss) {
		t.Errorf("batch 16: loss %g |g| %g; 2×8 accumulated: loss %g |g| %g", a[0].Loss, a[0].GradNorm, b[0].Loss, b[0].GradNorm)
	}
}

// TestTrainStepFinishes runs a training step on the default backend with
// a deadline (simplego's bounded worker pool can deadlock on these graphs).
func TestTrainStepFinishes(t *testing.T) {
	cfg := testConfig(2, 1)
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), Options{Train: synthSet(8, 6), Config: cfg, OutDir: t.TempDir(), Log: quietLog{t}})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("two training steps on %s did not finish in 2 minutes (deadlock?)", nn.BackendConfig())
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	res, err := Run(ctx, Options{Train: synthSet(8, 7), Config: testConfig(5, 0), OutDir: dir, Log: quietLog{t}})
	if err == nil || res.Done || res.Steps != 1 {
		t.Fatalf("cancelled run: %+v, %v; want one step and the context's error", res, err)
	}
	if _, step, err := model.LatestCheckpoint(filepath.Join(dir, model.CheckpointDir)); err != nil || step != 1 {
		t.Errorf("checkpoint after cancel: step %d, %v", step, err)
	}
}

func TestLearningRate(t *testing.T) {
	cfg := model.Config{LearningRate: 1, MinLRFrac: 0.1, WarmupSteps: 4, PretrainSteps: 10, Steps: 30}
	for _, tc := range []struct {
		step int
		want float64
	}{
		{0, 0.25}, {3, 1}, // warm-up
		{9, 0.1},   // end of pretraining: the minimum
		{10, 0.25}, // fine-tuning warms up again
		{14, 1},    // first step after warm-up: cosine at 0
		{29, 0.1},  // last step
		{14 + 15/2, 0.1 + 0.9*0.5*(1+math.Cos(math.Pi*7/15))},
	} {
		if got := LearningRate(cfg, tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("step %d: lr %g, want %g", tc.step, got, tc.want)
		}
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	b, err := nn.Backend()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	// ‖(3, 4, 12)‖ = 13: clipped to 6.5 it halves.
	for _, tc := range []struct{ max, scale float64 }{{6.5, 0.5}, {20, 1}, {0, 1}} {
		outs := mustExecClip(t, b, tc.max)
		if got := tensors.ToScalar[float32](outs[2]); math.Abs(float64(got)-13) > 1e-5 {
			t.Errorf("norm %g, want 13", got)
		}
		a, c := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
		want := []float64{3 * tc.scale, 4 * tc.scale, 12 * tc.scale}
		got := []float64{float64(a[0]), float64(a[1]), float64(c[0])}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-5 {
				t.Errorf("max %g: clipped %v, want %v", tc.max, got, want)
				break
			}
		}
	}
}

// TestEarlyStopping: with a learning rate too small to change anything
// the validation loss never improves on the first one, so a run with
// patience 2 stops after its third step and keeps the first as best.
func TestEarlyStopping(t *testing.T) {
	cfg := testConfig(10, 0)
	cfg.LearningRate, cfg.WeightDecay = 1e-30, 0
	cfg.EvalEvery, cfg.Patience = 1, 2
	dir := t.TempDir()
	res := mustRun(t, Options{Train: synthSet(8, 8), Val: synthSet(8, 9), Config: cfg, OutDir: dir})
	if !res.EarlyStopped || !res.Done || res.Steps != 3 || res.BestStep != 1 {
		t.Errorf("result %+v; want early stop after step 3, best step 1", res)
	}
	// Resuming a stopped run does nothing.
	again := mustRun(t, Options{Train: synthSet(8, 8), Val: synthSet(8, 9), Config: cfg, OutDir: dir, Resume: true})
	if again.Steps != 3 || !again.EarlyStopped {
		t.Errorf("resumed stopped run: %+v", again)
	}
}

// TestShiftHeadTrains: with a rest-frame shift head and binned stellar
// heads, fine-tuning records their losses, which fall, and validation
// reports the shift head's RV error; a config whose pixel velocity is not
// the training grid's fails.
func TestShiftHeadTrains(t *testing.T) {
	train, val := synthSet(32, 5), synthSet(8, 6)
	cfg := testConfig(40, 0)
	cfg.EvalEvery, cfg.CheckpointEvery = 40, 40
	cfg.PixelHead, cfg.RestFrameShift, cfg.WShift = 8, 2, 1
	cfg.StarBins = 32
	cfg.PixelKmS = 1
	if _, err := Run(context.Background(), Options{Train: train, Config: cfg, OutDir: t.TempDir(), Log: quietLog{t}}); err == nil || !strings.Contains(err.Error(), "pixel_kms") {
		t.Fatalf("a wrong pixel velocity: %v", err)
	}
	cfg.PixelKmS = model.SpeedOfLightKmS * math.Ln10 * train.Grid.Log10Step
	dir := t.TempDir()
	res := mustRun(t, Options{Train: train, Val: val, Config: cfg, OutDir: dir})
	recs, err := readRecords(filepath.Join(dir, MetricsFile), 1<<30)
	if err != nil || len(recs) != 40 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	mean := func(rs []Record) float64 {
		s := 0.0
		for _, r := range rs {
			s += r.ShiftLoss
		}
		return s / float64(len(rs))
	}
	first, last := mean(recs[:5]), mean(recs[35:])
	t.Logf("shift loss %.4f → %.4f", first, last)
	if !(first > 0) || !(last < 0.5*first) {
		t.Errorf("shift loss %g → %g: not halved", first, last)
	}
	s0, s1 := recs[0].StarBinLoss, recs[39].StarBinLoss
	t.Logf("binned stellar loss %.3f → %.3f", s0, s1)
	if !(s0 > 2) || !(s1 < s0-1) || !(res.LastVal.StarBinLoss > 0) {
		t.Errorf("binned stellar loss %g → %g (validation %g): did not fall by 1", s0, s1, res.LastVal.StarBinLoss)
	}
	if m := res.LastVal.ShiftMAEKmS; m == nil || !(*m >= 0) || math.IsInf(*m, 0) {
		t.Errorf("validation shift MAE %v", m)
	}
}
