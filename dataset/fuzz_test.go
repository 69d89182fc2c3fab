package dataset

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/astroone/astroone-go/ingest"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

// lamostFixtures are real LAMOST files (DR7 image and DR8 table layouts)
// shipped next to the repository, with their OBSIDs.
var lamostFixtures = map[string]string{
	"spec-55859-F5902_sp01-001_dr7.fits.gz": "101001",
	"spec-55859-F5902_sp01-013_dr8.fits.gz": "101013",
}

const fixtureDir = "../../shared/fixtures/lamost"

func TestLoadFilesRealLAMOST(t *testing.T) {
	var paths []string
	for name := range lamostFixtures {
		p := filepath.Join(fixtureDir, name)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("real LAMOST fixture %s not available: %v", p, err)
		}
		paths = append(paths, p)
	}
	set, ferrs := LoadFiles(context.Background(), paths, LoadOptions{})
	if len(ferrs) != 0 || len(set.Examples) != len(paths) {
		t.Fatalf("file errors %v, %d examples", ferrs, len(set.Examples))
	}
	for i, ex := range set.Examples {
		if want := lamostFixtures[filepath.Base(paths[i])]; ex.ID != want || ex.File != paths[i] {
			t.Errorf("%s: id %q, want %q", paths[i], ex.ID, want)
		}
		checkPixels(t, &ex, prep.LAMOSTGrid().N)
		if !(ex.Labels.SNR > 1) {
			t.Errorf("%s: header g-band S/N %v", ex.ID, ex.Labels.SNR)
		}
	}
}

// checkExampleInvariants fails the test when a loaded or augmented
// example breaks the pixel rules: n values each, finite, ivar ≥ 0, flux 0
// wherever ivar is 0.
func checkExampleInvariants(t *testing.T, ex *Example, n int) {
	t.Helper()
	if len(ex.Flux) != n || len(ex.Ivar) != n {
		t.Fatalf("%d flux and %d ivar values, want %d", len(ex.Flux), len(ex.Ivar), n)
	}
	for i := range ex.Flux {
		f, v := float64(ex.Flux[i]), float64(ex.Ivar[i])
		if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && f != 0) {
			t.Fatalf("pixel %d: flux %v ivar %v", i, f, v)
		}
	}
}

// FuzzPrepareExample feeds arbitrary file bytes through the loading path
// (spectrum.Decode, ingest's preparation, the float32 conversion): it must
// fail cleanly or give an example that keeps the pixel rules and has at
// least one good pixel.
func FuzzPrepareExample(f *testing.F) {
	// Small files in every layout the writers know (the 45 kB real files
	// make the coverage-guided fuzzer crawl).
	g := prep.Grid{Log10Start: 3.59, Log10Step: 1e-3, N: 64} // small: fast iterations
	src := &spectrum.Spectrum{WavelengthAA: prep.Grid{Log10Start: 3.6, Log10Step: 1e-3, N: 30}.Wavelengths(), Vacuum: true,
		Flux: make([]float64, 30), Ivar: make([]float64, 30), AndMask: make([]uint32, 30), OrMask: make([]uint32, 30),
		FluxUnit: "arb", Meta: spectrum.NewMeta()}
	src.Meta.ID = "42"
	for i := range src.Flux {
		src.Flux[i], src.Ivar[i] = 10+float64(i%4), 4
	}
	src.AndMask[5] = spectrum.MaskBad
	for _, l := range []spectrum.Layout{spectrum.LayoutLAMOSTTable, spectrum.LayoutLAMOSTImage, spectrum.LayoutGeneric1D, spectrum.LayoutText} {
		p := filepath.Join(f.TempDir(), string(l))
		if err := spectrum.WriteFile(p, src, l); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, l == spectrum.LayoutGeneric1D)
	}
	f.Add([]byte("3900 1 4\n3901 2 4\n3902 3 4\n3950 1.5 1\n"), false)
	f.Add([]byte("4000,10\n4001,11\n4002,12\n4003,11\n4004,10\n4005,12\n4006,11\n"), true)
	f.Add([]byte("SIMPLE  =                    T"), false)
	prepare := ingest.StandardPrepare(g)
	f.Fuzz(func(t *testing.T, data []byte, estimate bool) {
		s, err := spectrum.Decode(data, "fuzz.fits")
		if err != nil {
			return
		}
		ex, err := prepareExample(s, "fuzz.fits", g, prepare, estimate)
		if err != nil {
			return
		}
		checkExampleInvariants(t, &ex, g.N)
		good := 0
		for _, v := range ex.Ivar {
			if v > 0 {
				good++
			}
		}
		if good == 0 || ex.Labels.Class != -1 {
			t.Fatalf("%d good pixels, class %d", good, ex.Labels.Class)
		}
	})
}

// FuzzAugment applies random augmentation settings to a spectrum with
// masked pixels: the result keeps the pixel rules, and labels that were
// defined stay finite.
func FuzzAugment(f *testing.F) {
	f.Add(100.0, 10.0, 0.0, 0.5, 2.0, uint64(1), 50.0)
	f.Add(3000.0, 1e-3, 0.5, 1e-20, 1e20, uint64(2), math.NaN())
	f.Add(-5.0, 1e6, 1.0, 0.0, 0.0, uint64(3), 1e300)
	g := smallGrid
	f.Fuzz(func(t *testing.T, rv, minSNR, keep, lo, hi float64, seed uint64, snr float64) {
		ex := toySet(3).Examples[2]
		ex.Flux[7], ex.Ivar[7] = 0, 0
		ex.Flux[50], ex.Ivar[50] = 0, 0
		ex.Labels.SNR = snr
		ex.Labels.Params[ParamZ] = 0.5
		a := Augment{RVSigmaKmS: rv, MinSNR: minSNR, KeepSNRProb: keep, FluxScale: [2]float64{lo, hi}}
		var dst Example
		a.Apply(rand.New(rand.NewPCG(seed, 0)), &ex, g, &dst)
		checkExampleInvariants(t, &dst, g.N)
		for _, k := range []int{ParamTeff, ParamRV, ParamZ} {
			if v := dst.Labels.Params[k]; math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s became %v", ParamNames[k], v)
			}
		}
	})
}
