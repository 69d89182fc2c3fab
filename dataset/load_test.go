package dataset

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/astroone/astroone-go/ingest"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// simDirOnce caches the simulated directory shared by the loading tests
// (writing it takes most of their time).
var simDirOnce struct {
	sync.Once
	dir string
	err error
}

// testSimN is the number of spectra in the shared simulated directory.
const testSimN = 30

// simDir returns a directory with testSimN simulated LAMOST spectra and
// labels.csv (seed 7, all classes), written once per test binary. Callers
// must not modify it.
func simDir(t testing.TB) string {
	t.Helper()
	simDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dataset-sim-")
		if err != nil {
			simDirOnce.err = err
			return
		}
		simDirOnce.dir = dir
		simDirOnce.err = sim.WriteSample(context.Background(), sim.SampleOptions{Dir: dir, N: testSimN, Seed: 7})
	})
	if simDirOnce.err != nil {
		t.Fatal(simDirOnce.err)
	}
	return simDirOnce.dir
}

// copyDir copies the regular files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if simDirOnce.dir != "" {
		os.RemoveAll(simDirOnce.dir)
	}
	os.Exit(code)
}

func TestClassNamesMatchSimulator(t *testing.T) {
	if len(ClassNames) != NumClasses || len(sim.AllClasses) != NumClasses {
		t.Fatalf("%d class names, %d simulator classes, NumClasses %d", len(ClassNames), len(sim.AllClasses), NumClasses)
	}
	for i, c := range sim.AllClasses {
		if ClassIndex(string(c)) != i || c.Index() != i {
			t.Errorf("class %s: dataset index %d, simulator index %d, want %d", c, ClassIndex(string(c)), c.Index(), i)
		}
	}
	for name, want := range map[string]int{" qso ": 9, "Carbon": 7, "galaxy": 10, "STAR": -1, "": -1} {
		if got := ClassIndex(name); got != want {
			t.Errorf("ClassIndex(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestLabelsFromSim(t *testing.T) {
	nan := math.NaN()
	star := LabelsFromSim(sim.Labels{Class: sim.ClassK, Subclass: "K3III", TeffK: 4500, Logg: 2.1, FeH: -1.3, RVKmS: 30, Z: 1e-4, EBV: 0.1, SNR: 50})
	want := [NumParams]float64{4500, 2.1, -1.3, 30, nan}
	if star.Class != 5 || star.Subclass != "K3III" || star.SNR != 50 || star.EBV != 0.1 || !sameParams(star.Params, want) {
		t.Errorf("star labels %+v", star)
	}
	cv := LabelsFromSim(sim.Labels{Class: sim.ClassCV, TeffK: nan, Logg: nan, FeH: nan, RVKmS: -12, Z: -4e-5, EBV: 0, SNR: 9})
	if cv.Class != 8 || !sameParams(cv.Params, [NumParams]float64{nan, nan, nan, -12, nan}) {
		t.Errorf("CV labels %+v", cv)
	}
	q := LabelsFromSim(sim.Labels{Class: sim.ClassQSO, TeffK: nan, Logg: nan, FeH: nan, RVKmS: nan, Z: 2.5, EBV: 0, SNR: 9})
	if q.Class != 9 || !sameParams(q.Params, [NumParams]float64{nan, nan, nan, nan, 2.5}) {
		t.Errorf("QSO labels %+v", q)
	}
}

// sameParams compares parameter arrays, NaN equal to NaN.
func sameParams(a, b [NumParams]float64) bool {
	for i := range a {
		if !(a[i] == b[i] || math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// checkPixels checks the pixel invariants of a loaded example.
func checkPixels(t *testing.T, ex *Example, n int) {
	t.Helper()
	if len(ex.Flux) != n || len(ex.Ivar) != n {
		t.Fatalf("%s: %d flux, %d ivar values, want %d", ex.ID, len(ex.Flux), len(ex.Ivar), n)
	}
	good := 0
	for i := range ex.Flux {
		f, v := ex.Flux[i], ex.Ivar[i]
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) || math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v < 0 {
			t.Fatalf("%s: pixel %d: flux %v ivar %v", ex.ID, i, f, v)
		}
		if v == 0 && f != 0 {
			t.Fatalf("%s: pixel %d has ivar 0 and flux %v", ex.ID, i, f)
		}
		if v > 0 {
			good++
		}
	}
	if good < n/2 {
		t.Errorf("%s: only %d of %d pixels good", ex.ID, good, n)
	}
}

func TestLoadSimDir(t *testing.T) {
	dir := simDir(t)
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var calls, last int
	set, ferrs, err := LoadSimDir(context.Background(), dir, LoadOptions{Workers: 3, Progress: func(done, total int) {
		calls++
		if total != testSimN || done != last+1 {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	}})
	if err != nil || len(ferrs) != 0 {
		t.Fatalf("err %v, file errors %v", err, ferrs)
	}
	if calls != testSimN || len(set.Examples) != testSimN || !set.Grid.Equal(prep.LAMOSTGrid()) {
		t.Fatalf("%d progress calls, %d examples, grid %v", calls, len(set.Examples), set.Grid)
	}
	classes := map[int]bool{}
	for i := range set.Examples {
		ex, r := &set.Examples[i], recs[i]
		if ex.ID != r.ID || ex.File != filepath.Join(dir, r.File) || ex.Labels.Class != r.Class.Index() || ex.Labels.SNR != r.SNR {
			t.Errorf("example %d: %s %s class %d snr %v; labels.csv %s %s %s %v", i, ex.ID, ex.File, ex.Labels.Class, ex.Labels.SNR, r.ID, r.File, r.Class, r.SNR)
		}
		classes[ex.Labels.Class] = true
		checkPixels(t, ex, prep.LAMOSTGrid().N)
		// Same pixels as ingest's preparation of the same file.
		s, err := spectrum.ReadFile(ex.File)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ingest.StandardPrepare(prep.LAMOSTGrid())(s)
		if err != nil {
			t.Fatal(err)
		}
		for j := range p.Flux {
			if prep.PixelOK(p, j) && (ex.Flux[j] != float32(p.Flux[j]) || ex.Ivar[j] != float32(p.Ivar[j])) {
				t.Fatalf("%s pixel %d: %v/%v, prepared %v/%v", ex.ID, j, ex.Flux[j], ex.Ivar[j], p.Flux[j], p.Ivar[j])
			}
			if !prep.PixelOK(p, j) && ex.Ivar[j] != 0 {
				t.Fatalf("%s pixel %d: bad in the prepared spectrum, ivar %v", ex.ID, j, ex.Ivar[j])
			}
		}
	}
	if len(classes) < 6 {
		t.Errorf("only %d classes among %d spectra", len(classes), testSimN)
	}
}

func TestLoadSimDirBadFiles(t *testing.T) {
	dir := copyDir(t, simDir(t))
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Truncate one file, delete another.
	corrupt, missing := filepath.Join(dir, recs[3].File), filepath.Join(dir, recs[11].File)
	if err := os.WriteFile(corrupt, []byte("SIMPLE  =                    T / truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	set, ferrs, err := LoadSimDir(context.Background(), dir, LoadOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ferrs) != 2 || ferrs[0].Path != corrupt || ferrs[1].Path != missing || !errors.Is(ferrs[1], os.ErrNotExist) {
		t.Fatalf("file errors %v", ferrs)
	}
	if len(set.Examples) != testSimN-2 {
		t.Fatalf("%d examples, want %d", len(set.Examples), testSimN-2)
	}
	if msg := ferrs[1].Error(); !strings.HasPrefix(msg, missing+": ") || !strings.Contains(msg, "no such file") {
		t.Errorf("message %q", msg)
	}
	var want []string
	for i, r := range recs {
		if i != 3 && i != 11 {
			want = append(want, r.ID)
		}
	}
	var got []string
	for _, ex := range set.Examples {
		got = append(got, ex.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

func TestLoadSimDirErrors(t *testing.T) {
	if _, _, err := LoadSimDir(context.Background(), t.TempDir(), LoadOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no labels.csv: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := LoadSimDir(ctx, simDir(t), LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, _, err := LoadSimDir(context.Background(), simDir(t), LoadOptions{Grid: prep.Grid{Log10Step: -1, N: 3}}); err == nil {
		t.Error("bad grid accepted")
	}
}

func TestLoadSimDirIDMismatch(t *testing.T) {
	dir := copyDir(t, simDir(t))
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Point row 0 at row 1's file.
	b, _ := os.ReadFile(filepath.Join(dir, recs[1].File))
	if err := os.WriteFile(filepath.Join(dir, recs[0].File), b, 0o644); err != nil {
		t.Fatal(err)
	}
	set, ferrs, err := LoadSimDir(context.Background(), dir, LoadOptions{})
	if err != nil || len(ferrs) != 1 || !errors.Is(ferrs[0], ErrIDMismatch) || len(set.Examples) != testSimN-1 {
		t.Fatalf("err %v, file errors %v, %d examples", err, ferrs, len(set.Examples))
	}
}

func TestLoadFiles(t *testing.T) {
	dir := simDir(t)
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, recs[5].File), filepath.Join(dir, "nope.fits"), filepath.Join(dir, recs[2].File), filepath.Join(dir, "labels.csv")}
	set, ferrs := LoadFiles(context.Background(), paths, LoadOptions{})
	if len(ferrs) != 2 || ferrs[0].Path != paths[1] || ferrs[1].Path != paths[3] {
		t.Fatalf("file errors %v", ferrs)
	}
	if len(set.Examples) != 2 || set.Examples[0].ID != recs[5].ID || set.Examples[1].ID != recs[2].ID {
		t.Fatalf("examples %d", len(set.Examples))
	}
	for i, ex := range set.Examples {
		checkPixels(t, &ex, set.Grid.N)
		r := recs[[]int{5, 2}[i]]
		if ex.Labels.Class != -1 || !math.IsNaN(ex.Labels.Params[ParamTeff]) || !math.IsNaN(ex.Labels.Params[ParamZ]) {
			t.Errorf("%s: labels %+v, want unlabelled", ex.ID, ex.Labels)
		}
		// The header's g-band S/N is the simulator's measured one: close to the label.
		if math.Abs(ex.Labels.SNR/r.SNR-1) > 0.15 {
			t.Errorf("%s: header S/N %v, label %v", ex.ID, ex.Labels.SNR, r.SNR)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	set, ferrs = LoadFiles(ctx, paths, LoadOptions{})
	if len(set.Examples)+len(ferrs) != len(paths) {
		t.Errorf("cancelled: %d examples + %d errors for %d paths", len(set.Examples), len(ferrs), len(paths))
	}
}

func TestEstimateIvar(t *testing.T) {
	g := prep.Grid{Log10Start: 3.6, Log10Step: 1e-4, N: 400}
	s := &spectrum.Spectrum{WavelengthAA: g.Wavelengths(), Vacuum: true, Flux: make([]float64, g.N), Meta: spectrum.NewMeta()}
	// A constant 100 with alternating ±1: DER_SNR's second difference is
	// |2(±1) − 2(∓1)|... = 4, noise = 1.482602/√6·4.
	for i := range s.Flux {
		s.Flux[i] = 100 + float64(1-2*(i/2%2))
	}
	if _, err := prepareExample(s, "x", g, ingest.StandardPrepare(g), false); !errors.Is(err, ErrNoIvar) {
		t.Fatalf("no ivar accepted: %v", err)
	}
	ex, err := prepareExample(s, "x", g, ingest.StandardPrepare(g), true)
	if err != nil {
		t.Fatal(err)
	}
	sigma := 1.482602 / math.Sqrt(6) * 4 / 1 // median |2f_i − f_{i−2} − f_{i+2}| = 4
	want := float32(1 / (sigma * sigma))
	if math.Abs(float64(ex.Ivar[7]/want-1)) > 1e-6 || ex.Flux[7] != float32(s.Flux[7]) {
		t.Errorf("ivar %v, want %v", ex.Ivar[7], want)
	}
	// All pixels bad: an error, not an empty example.
	for i := range s.Flux {
		s.Flux[i] = math.NaN()
	}
	if _, err := prepareExample(s, "x", g, ingest.StandardPrepare(g), true); err == nil {
		t.Error("all-NaN spectrum accepted")
	}
}

func TestLoadWorkspace(t *testing.T) {
	dir := copyDir(t, simDir(t))
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "zz-broken.fits")
	if err := os.WriteFile(bad, []byte("not a fits file"), 0o644); err != nil {
		t.Fatal(err)
	}
	wsDir := filepath.Join(t.TempDir(), "ws")
	ws, err := store.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	g := prep.LAMOSTGrid()
	opts := ingest.StandardOptions(ws, []string{dir}, g)
	opts.ShardSize = 7 // several shards
	sum, err := ingest.Run(context.Background(), opts)
	if cerr := ws.Close(); err == nil {
		err = cerr
	}
	if err != nil || sum.Ingested != testSimN || sum.Failed != 1 {
		t.Fatalf("ingest: %+v, %v", sum, err)
	}

	// Unlabelled.
	var last int
	set, ferrs, err := LoadWorkspace(context.Background(), wsDir, LoadOptions{Workers: 2, Progress: func(done, total int) {
		if total != testSimN || done <= last {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != testSimN || len(set.Examples) != testSimN || len(ferrs) != 1 || ferrs[0].Path != bad || !errors.Is(ferrs[0], ErrIngestFailed) {
		t.Fatalf("progress %d, %d examples, file errors %v", last, len(set.Examples), ferrs)
	}
	byID := map[string]sim.LabelRecord{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	fromDir, _, err := LoadSimDir(context.Background(), dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dirByID := map[string]*Example{}
	for i := range fromDir.Examples {
		dirByID[fromDir.Examples[i].ID] = &fromDir.Examples[i]
	}
	for i := range set.Examples {
		ex := &set.Examples[i]
		if i > 0 && ex.ID < set.Examples[i-1].ID {
			t.Errorf("not in id order: %s after %s", ex.ID, set.Examples[i-1].ID)
		}
		if ex.Labels.Class != -1 || !math.IsNaN(ex.Labels.Params[ParamTeff]) {
			t.Errorf("%s: labelled without a labels file: %+v", ex.ID, ex.Labels)
		}
		d := dirByID[ex.ID]
		if d == nil {
			t.Fatalf("%s: not in the simulator directory", ex.ID)
		}
		if !slices.Equal(ex.Flux, d.Flux) || !slices.Equal(ex.Ivar, d.Ivar) {
			t.Errorf("%s: workspace pixels differ from LoadSimDir's", ex.ID)
		}
		if math.Abs(ex.Labels.SNR/byID[ex.ID].SNR-1) > 0.15 {
			t.Errorf("%s: catalog S/N %v, label %v", ex.ID, ex.Labels.SNR, byID[ex.ID].SNR)
		}
	}

	// Labelled by joining labels.csv.
	set, _, err = LoadWorkspace(context.Background(), wsDir, LoadOptions{Labels: filepath.Join(dir, "labels.csv")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range set.Examples {
		r := byID[ex.ID]
		if ex.Labels.Class != r.Class.Index() || ex.Labels.SNR != r.SNR || ex.Labels.Subclass != r.Subclass {
			t.Errorf("%s: joined labels %+v, labels.csv %+v", ex.ID, ex.Labels, r.Labels)
		}
	}

	// An id listed twice makes the join ambiguous.
	dup := filepath.Join(t.TempDir(), "dup.csv")
	b, _ := os.ReadFile(filepath.Join(dir, "labels.csv"))
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(dup, []byte(strings.Join(lines, "")+lines[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadWorkspace(context.Background(), wsDir, LoadOptions{Labels: dup}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate id in labels: %v", err)
	}
	if _, _, err := LoadWorkspace(context.Background(), wsDir, LoadOptions{Grid: prep.SDSSGrid()}); !errors.Is(err, store.ErrGridMismatch) {
		t.Errorf("grid mismatch: %v", err)
	}
	if _, _, err := LoadWorkspace(context.Background(), t.TempDir(), LoadOptions{}); err == nil {
		t.Error("a directory without a catalog loaded")
	}
	// A missing shard costs its rows, reported, not the load.
	shards, _ := filepath.Glob(filepath.Join(wsDir, store.ShardsDir, "*.parquet"))
	if len(shards) < 2 {
		t.Fatalf("%d shards", len(shards))
	}
	if err := os.Remove(shards[0]); err != nil {
		t.Fatal(err)
	}
	set, ferrs, err = LoadWorkspace(context.Background(), wsDir, LoadOptions{})
	if err != nil || len(set.Examples)+len(ferrs) != testSimN+1 || len(ferrs) < 2 {
		t.Errorf("missing shard: err %v, %d examples, %d file errors", err, len(set.Examples), len(ferrs))
	}
}
