package model

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
)

func testVariables() []SavedVariable {
	return []SavedVariable{
		{Scope: "/model/a", Name: "weights", Trainable: true, Value: tensors.FromFlatDataAndDimensions([]float32{1, -2, 3.5, 4, 5, 6}, 2, 3)},
		{Scope: "/", Name: "global_step", Value: tensors.FromScalar(int64(42))},
		{Scope: "/", Name: "#rngState", Value: tensors.FromFlatDataAndDimensions([]uint64{1, 1 << 63, 7}, 3)},
		{Scope: "/x", Name: "empty", Trainable: true, Value: tensors.FromFlatDataAndDimensions([]float64{}, 0, 4)},
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	vars := testVariables()
	data, err := EncodeCheckpoint(vars)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vars) {
		t.Fatalf("%d variables, want %d", len(got), len(vars))
	}
	for i := range vars {
		w, g := vars[i], got[i]
		if g.Scope != w.Scope || g.Name != w.Name || g.Trainable != w.Trainable || !g.Value.Shape().Equal(w.Value.Shape()) {
			t.Errorf("variable %d: %s/%s %v %s, want %s/%s %v %s", i, g.Scope, g.Name, g.Trainable, g.Value.Shape(),
				w.Scope, w.Name, w.Trainable, w.Value.Shape())
		}
	}
	if v := tensors.MustCopyFlatData[float32](got[0].Value); !slices.Equal(v, []float32{1, -2, 3.5, 4, 5, 6}) {
		t.Errorf("weights %v", v)
	}
	if v := tensors.ToScalar[int64](got[1].Value); v != 42 {
		t.Errorf("global step %d", v)
	}
	if v := tensors.MustCopyFlatData[uint64](got[2].Value); !slices.Equal(v, []uint64{1, 1 << 63, 7}) {
		t.Errorf("rng state %v", v)
	}
}

func TestCheckpointCorruption(t *testing.T) {
	data, err := EncodeCheckpoint(testVariables())
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated":   data[:len(data)-9],
		"empty":       nil,
		"magic":       append([]byte("XXXXXXXX"), data[8:]...),
		"flipped bit": func() []byte { d := slices.Clone(data); d[len(d)/2] ^= 4; return d }(),
	} {
		if _, err := DecodeCheckpoint(bad); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: error %v, want ErrCheckpoint", name, err)
		}
	}
}

func TestSaveLoadContext(t *testing.T) {
	dir := t.TempDir()
	ctx := context.New()
	ctx.In("model").VariableWithValue("w", []float32{1, 2, 3})
	ctx.In("opt").VariableWithValue("m", []float32{9}).SetTrainable(false)
	path := filepath.Join(dir, "c.ckpt")
	keepModel := func(v *context.Variable) bool { return v.Scope() == "/model" }
	if err := SaveCheckpoint(path, ctx, keepModel); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after an atomic save, want 1", len(entries))
	}
	// Into a new context: created with the saved flags.
	ctx2 := context.New()
	if err := LoadCheckpoint(path, ctx2); err != nil {
		t.Fatal(err)
	}
	if ctx2.NumVariables() != 1 {
		t.Fatalf("%d variables loaded, want 1 (the filter kept the model only)", ctx2.NumVariables())
	}
	v := ctx2.GetVariableByScopeAndName("/model", "w")
	if v == nil || !v.Trainable || !slices.Equal(tensors.MustCopyFlatData[float32](v.MustValue()), []float32{1, 2, 3}) {
		t.Fatalf("loaded variable %v", v)
	}
	// Into a context with the variable: overwritten; a wrong shape fails.
	ctx3 := context.New()
	ctx3.In("model").VariableWithValue("w", []float32{0, 0, 0})
	if err := LoadCheckpoint(path, ctx3); err != nil {
		t.Fatal(err)
	}
	if got := tensors.MustCopyFlatData[float32](ctx3.GetVariableByScopeAndName("/model", "w").MustValue()); !slices.Equal(got, []float32{1, 2, 3}) {
		t.Errorf("overwritten value %v", got)
	}
	ctx4 := context.New()
	ctx4.In("model").VariableWithValue("w", []float32{0, 0})
	if err := LoadCheckpoint(path, ctx4); err == nil {
		t.Error("shape mismatch: no error")
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	data, _ := EncodeCheckpoint(testVariables())
	f.Add(data)
	f.Add([]byte(checkpointMagic + "\x02\x00\x00\x00[]\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeCheckpoint(data)
		// Also with a valid checksum, so that mutations reach the parser
		// behind it.
		if len(data) < 4 {
			return
		}
		data = slices.Clone(data)
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.ChecksumIEEE(data[:len(data)-4]))
		vars, err := DecodeCheckpoint(data)
		if err != nil {
			return
		}
		again, err := EncodeCheckpoint(vars)
		if err != nil {
			t.Fatalf("decoded checkpoint does not re-encode: %v", err)
		}
		if _, err := DecodeCheckpoint(again); err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
	})
}

func TestLatestCheckpoint(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := LatestCheckpoint(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty dir: %v, want ErrNotExist", err)
	}
	for _, name := range []string{"step-00000010.ckpt", "step-00000010.json", "step-00000020.ckpt", "step-00000020.json",
		"step-00000030.ckpt" /* no state: incomplete */, "best.ckpt", "step-x.ckpt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, step, err := LatestCheckpoint(dir)
	if err != nil || step != 20 || filepath.Base(path) != "step-00000020.ckpt" {
		t.Errorf("LatestCheckpoint = %s, %d, %v; want step-00000020.ckpt, 20", path, step, err)
	}
}

// TestPredictorRoundTrip initialises a model, saves it as a run
// directory, loads it with LoadPredictor and checks the predictions
// against the graph run directly on the same variables, and the decoding
// to physical units.
func TestPredictorRoundTrip(t *testing.T) {
	cfg := testConfig()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	const n = 5
	flux, ivar := make([]float32, n*cfg.Pixels), make([]float32, n*cfg.Pixels)
	for i := range flux {
		flux[i] = float32(100 + 20*math.Sin(float64(i)/17) + float64(i%cfg.Pixels)/50)
		ivar[i] = 0.04
	}
	for i := range cfg.Pixels { // spectrum 3 has no data
		ivar[3*cfg.Pixels+i] = 0
	}
	in, err := Prepare(cfg, flux, ivar, n)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) []*Node {
		o := Build(ctx, cfg, x, f, nil, Heads{Class: true, Params: true})
		return []*Node{Softmax(o.Logits, -1), o.Mean, o.LogSigma, o.Embedding, Softmax(o.StarLogits, -1)}
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := direct.Exec(tensors.FromFlatDataAndDimensions(in.X, n, in.Tokens, in.Width()), tensors.FromFlatDataAndDimensions(in.Feats, n, NumFeatures))
	if err != nil {
		t.Fatal(err)
	}
	direct.Finalize()

	run := t.TempDir()
	norm := dataset.Normalizer{Mean: [5]float64{3.7, 3, -0.5, 0, 1}, Std: [5]float64{0.1, 1.2, 0.6, 40, 1}, Log: [5]bool{true}}
	writeRun(t, run, cfg, norm)
	if err := SaveCheckpoint(filepath.Join(run, CheckpointDir, BestCheckpoint), ctx, nil); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPredictor(run)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.BatchSize = 2 // several chunks, the last one padded
	preds, err := p.Predict(&dataset.Batch{Size: n, Pixels: cfg.Pixels, Flux: flux, Ivar: ivar, IDs: []string{"a", "b", "c", "d", "e"}})
	if err != nil {
		t.Fatal(err)
	}
	probs, mean, logSig, emb, starProbs := flat(outs[0]), flat(outs[1]), flat(outs[2]), flat(outs[3]), flat(outs[4])
	if cfg.StarBins == 0 {
		t.Fatal("the test config has no binned stellar heads")
	}
	for i, pr := range preds {
		if pr.ID != string(rune('a'+i)) {
			t.Errorf("prediction %d has ID %q", i, pr.ID)
		}
		if i == 3 {
			if !errors.Is(pr.Err, ErrNoData) {
				t.Errorf("empty spectrum: Err = %v, want ErrNoData", pr.Err)
			}
			continue
		}
		var sum float64
		for k := range dataset.NumClasses {
			sum += pr.Probs[k]
			if !near(pr.Probs[k], float64(probs[i*dataset.NumClasses+k]), 1e-5) {
				t.Errorf("spectrum %d class %d: p %g, direct %g", i, k, pr.Probs[k], probs[i*dataset.NumClasses+k])
			}
		}
		if !near(sum, 1, 1e-5) || pr.Probs[pr.Class] != slices.Max(pr.Probs[:]) {
			t.Errorf("spectrum %d: probabilities sum to %g, class %d", i, sum, pr.Class)
		}
		// Teff, logg and [Fe/H] come from the binned heads.
		for j, b := range cfg.StarBinnings() {
			nb := cfg.StarBins
			lo := (i*len(StarBinParams) + j) * nb
			v, sv, _ := b.Decode(starProbs[lo : lo+nb])
			if k := StarBinParams[j]; !near(pr.Params[k], v, 1e-5) || !near(pr.Sigma[k], sv, 1e-4) {
				t.Errorf("spectrum %d: parameter %d = %g ± %g, want %g ± %g", i, k, pr.Params[k], pr.Sigma[k], v, sv)
			}
		}
		// RV from the Gaussian head: y·40 + 0 ± 40σ.
		y, s := float64(mean[i*5+3]), math.Exp(float64(logSig[i*5+3]))
		if !near(pr.Params[3], y*40, 1e-5) || !near(pr.Sigma[3], 40*s, 1e-4) {
			t.Errorf("spectrum %d: RV %g ± %g, want %g ± %g", i, pr.Params[3], pr.Sigma[3], y*40, 40*s)
		}
		if !slices.EqualFunc(pr.Embedding, emb[i*cfg.Dim:(i+1)*cfg.Dim], func(a, b float32) bool { return near(float64(a), float64(b), 1e-5) }) {
			t.Errorf("spectrum %d: embedding differs from the direct run", i)
		}
		if top := pr.Top(3); len(top) != 3 || top[0].Class != dataset.ClassNames[pr.Class] || top[1].Prob > top[0].Prob {
			t.Errorf("spectrum %d: Top(3) = %v", i, top)
		}
	}
	if _, err := p.Predict(&dataset.Batch{Size: 1, Pixels: 10, Flux: make([]float32, 10), Ivar: make([]float32, 10)}); err == nil {
		t.Error("wrong pixel count: no error")
	}
}

// TestPredictorNeedsHeads: a checkpoint without trained heads (after
// pretraining only) cannot predict.
func TestPredictorNeedsHeads(t *testing.T) {
	cfg := testConfig()
	ctx := context.New()
	exec, err := context.NewExec(backend(t), ctx.Checked(false), func(ctx *context.Context, x, f *Node) *Node {
		return Build(ctx, cfg, x, f, nil, Heads{Recon: true}).Recon
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.Exec(tensors.FromShape(shapeF32(1, cfg.Tokens(), cfg.TokenWidth())), tensors.FromShape(shapeF32(1, NumFeatures))); err != nil {
		t.Fatal(err)
	}
	exec.Finalize()
	run := t.TempDir()
	writeRun(t, run, cfg, dataset.Normalizer{Std: [5]float64{1, 1, 1, 1, 1}})
	if err := SaveCheckpoint(filepath.Join(run, CheckpointDir, BestCheckpoint), ctx, nil); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPredictor(run)
	if err == nil {
		defer p.Close()
		_, err = p.Predict(&dataset.Batch{Size: 1, Pixels: cfg.Pixels, Flux: make([]float32, cfg.Pixels), Ivar: make([]float32, cfg.Pixels)})
	}
	if err == nil {
		t.Error("predicting without trained heads: no error")
	}
}

// writeRun writes config.json and normalizer.json of a run directory.
func writeRun(t *testing.T, dir string, cfg Config, norm dataset.Normalizer) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, CheckpointDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), cfg.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(norm)
	if err := os.WriteFile(filepath.Join(dir, NormalizerFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("read %q, %v; want %q", got, err, content)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want 1 (no temporary left)", len(entries))
	}
	// The same permissions as os.WriteFile with 0644 (both under the umask).
	ref := filepath.Join(dir, "ref")
	if err := os.WriteFile(ref, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err1 := os.Stat(path)
	fr, err2 := os.Stat(ref)
	if err1 != nil || err2 != nil || fi.Mode().Perm() != fr.Mode().Perm() {
		t.Errorf("mode %v, want %v as os.WriteFile(0644) gives (%v, %v)", fi.Mode(), fr.Mode(), err1, err2)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("write into a missing directory: no error")
	}
}
