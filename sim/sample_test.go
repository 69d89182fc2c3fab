package sim

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
)

func TestSpectrumDeterministic(t *testing.T) {
	mk := func(seed uint64) (*spectrum.Spectrum, Labels) {
		s, err := New(Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return s.Spectrum(17)
	}
	a, la := mk(5)
	b, lb := mk(5)
	c, _ := mk(6)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(labelsBits(la), labelsBits(lb)) {
		t.Fatal("same seed and index gave different spectra")
	}
	if reflect.DeepEqual(a.Flux, c.Flux) {
		t.Fatal("different seeds gave the same spectrum")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
}

// labelsBits makes NaN labels comparable.
func labelsBits(l Labels) []uint64 {
	var out []uint64
	for _, v := range []float64{l.TeffK, l.Logg, l.FeH, l.RVKmS, l.Z, l.EBV, l.SNR} {
		out = append(out, math.Float64bits(v))
	}
	return append(out, uint64(l.Class.Index()), uint64(len(l.Subclass)))
}

func TestWorkerReuseMatchesFresh(t *testing.T) {
	s, err := New(Config{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	w := s.NewWorker()
	var reused spectrum.Spectrum
	for i := range 25 {
		lab := w.Spectrum(i, &reused)
		fresh, flab := s.Spectrum(i)
		if !reflect.DeepEqual(&reused, fresh) || !reflect.DeepEqual(labelsBits(lab), labelsBits(flab)) {
			t.Fatalf("object %d (%s): a reused worker and buffer differ from a fresh one", i, lab.Class)
		}
	}
}

func TestLabelsConsistentWithClass(t *testing.T) {
	s, err := New(Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	w := s.NewWorker()
	var sp spectrum.Spectrum
	counts := map[Class]int{}
	const n = 1100
	for i := range n {
		l := w.Spectrum(i, &sp)
		counts[l.Class]++
		star := l.Class.IsStar()
		if star != !math.IsNaN(l.TeffK) || star != !math.IsNaN(l.Logg) || star != !math.IsNaN(l.FeH) {
			t.Fatalf("object %d %s: stellar labels %v %v %v", i, l.Class, l.TeffK, l.Logg, l.FeH)
		}
		if l.Class.IsNormalStar() && !strings.HasPrefix(l.Subclass, string(l.Class)) {
			t.Fatalf("object %d: class %s but MK type %s", i, l.Class, l.Subclass)
		}
		if star && (l.FeH < -2.5 || l.FeH > 0.5) {
			t.Fatalf("object %d: [Fe/H] %v outside −2.5 … +0.5", i, l.FeH)
		}
		switch l.Class {
		case ClassQSO:
			if l.Z < 0.1 || l.Z > 4 {
				t.Fatalf("QSO z = %v outside 0.1 … 4", l.Z)
			}
		case ClassGalaxy:
			if l.Z < 0 || l.Z > 0.5 {
				t.Fatalf("galaxy z = %v outside 0 … 0.5", l.Z)
			}
		}
		if l.SNR < 5 || l.SNR > 100 || l.EBV < 0 {
			t.Fatalf("object %d: S/N %v, E(B−V) %v", i, l.SNR, l.EBV)
		}
		if sp.Meta.Class != l.Class.PipelineClass() || sp.Meta.ID == "" || math.IsNaN(sp.Meta.Z) {
			t.Fatalf("object %d: header class %q id %q z %v", i, sp.Meta.Class, sp.Meta.ID, sp.Meta.Z)
		}
	}
	// Equal shares (the MK letters move a little at type boundaries).
	for _, c := range AllClasses {
		if got := float64(counts[c]) / n; math.Abs(got-1.0/11) > 0.04 {
			t.Errorf("class %s: share %.3f, want about %.3f", c, got, 1.0/11)
		}
	}
}

func TestWriteSampleDeterministic(t *testing.T) {
	read := func(workers int, layout spectrum.Layout) (map[string][]byte, error) {
		dir := t.TempDir()
		if err := WriteSample(context.Background(), SampleOptions{Dir: dir, N: 12, Seed: 4, Workers: workers, Layout: layout}); err != nil {
			return nil, err
		}
		out := map[string][]byte{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			out[e.Name()] = b
		}
		return out, nil
	}
	for _, layout := range []spectrum.Layout{spectrum.LayoutLAMOSTTable, spectrum.LayoutSDSSCoadd} {
		a, err := read(1, layout)
		if err != nil {
			t.Fatal(err)
		}
		b, err := read(3, layout)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 13 || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: %d files; outputs with 1 and 3 workers differ: %v", layout, len(a), !reflect.DeepEqual(a, b))
		}
		recs, err := ReadLabels(bytes.NewReader(a["labels.csv"]))
		if err != nil || len(recs) != 12 {
			t.Fatalf("%s: labels.csv: %d rows, %v", layout, len(recs), err)
		}
		if !bytes.HasPrefix(a["labels.csv"], []byte("id,file,class,subclass,teff,logg,feh,rv_kms,z,ebv,snr_g,")) {
			t.Errorf("labels.csv header: %s", a["labels.csv"][:80])
		}
		wantPix := spectrum.LAMOSTPixels
		if layout == spectrum.LayoutSDSSCoadd {
			wantPix = 4648
		}
		for _, r := range recs {
			s, err := spectrum.Read(bytes.NewReader(a[r.File]), r.File)
			if err != nil {
				t.Fatal(err)
			}
			if s.Meta.Layout != layout || s.Len() != wantPix || s.Meta.ID != r.ID || s.Meta.Class != r.Class.PipelineClass() {
				t.Fatalf("%s: layout %s, %d pixels, id %s (label %s), class %s (label %s)", r.File, s.Meta.Layout, s.Len(), s.Meta.ID, r.ID, s.Meta.Class, r.Class)
			}
			if r.CaptionEN == "" || r.CaptionZH == "" {
				t.Fatalf("%s: empty caption", r.File)
			}
		}
	}
}

func TestFileNamesFollowSurveyPatterns(t *testing.T) {
	l, _ := New(Config{})
	s, _ := New(Config{Survey: SurveySDSS})
	for i, want := range map[int]string{0: "spec-57000-SIM00000_sp01-001", 251: "spec-57000-SIM00000_sp02-002", 4000: "spec-57001-SIM00001_sp01-001"} {
		if got := l.FileName(i); got != want {
			t.Errorf("LAMOST FileName(%d) = %s, want %s", i, got, want)
		}
	}
	if got := s.FileName(1001); got != "spec-3001-58001-0002" {
		t.Errorf("SDSS FileName(1001) = %s", got)
	}
}

func TestWriteTroubleFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSample(context.Background(), SampleOptions{Dir: dir, N: 2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	like := "spec-57000-SIM00000_sp01-001.fits"
	n, err := WriteTroubleFiles(dir, 1, like)
	if err != nil || n != 5 {
		t.Fatalf("wrote %d files, %v; want 5", n, err)
	}
	orig, _ := os.ReadFile(filepath.Join(dir, like))
	cp, _ := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(like, ".fits")+"_copy.fits"))
	tr, _ := os.ReadFile(filepath.Join(dir, "truncated.fits"))
	if len(orig) == 0 || !bytes.Equal(orig, cp) || len(tr) != len(orig)/2 || !bytes.Equal(tr, orig[:len(orig)/2]) {
		t.Error("copy or truncated file wrong")
	}
	for i, want := range []spectrum.Layout{spectrum.LayoutSDSSCoadd, spectrum.LayoutLAMOSTImage, spectrum.LayoutLAMOSTTable} {
		name := "extra-" + string(rune('0'+i)) + "-" + string(want) + ".fits"
		if want == spectrum.LayoutLAMOSTTable {
			name += ".gz"
		}
		s, err := spectrum.ReadFile(filepath.Join(dir, name))
		if err != nil || s.Meta.Layout != want {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseClasses(t *testing.T) {
	got, err := ParseClasses("k, Galaxy,qso,k,carbon")
	if err != nil || !reflect.DeepEqual(got, []Class{ClassK, ClassCarbon, ClassQSO, ClassGalaxy}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, _ := ParseClasses("stars"); len(got) != 8 {
		t.Errorf("stars: %v", got)
	}
	if got, _ := ParseClasses(""); len(got) != 11 {
		t.Errorf("empty: %v", got)
	}
	if _, err := ParseClasses("G,wolf-rayet"); err == nil || !strings.Contains(err.Error(), "wolf-rayet") {
		t.Errorf("unknown class: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []Config{{SNRMin: 10, SNRMax: 5}, {SNRMin: -1, SNRMax: 5}, {Survey: "desi"}, {Classes: []Class{"X"}}, {GiantFraction: 2}} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestWriteSampleStopsOnCancelAndErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteSample(ctx, SampleOptions{Dir: t.TempDir(), N: 50, Workers: 2}); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	dir := t.TempDir()
	blocker := filepath.Join(dir, "x")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteSample(context.Background(), SampleOptions{Dir: blocker, N: 5, Workers: 2})
	if err == nil {
		t.Error("writing into a file instead of a directory succeeded")
	}
	var calls []int
	out := t.TempDir()
	err = WriteSample(context.Background(), SampleOptions{Dir: out, N: 20, Workers: 3, Progress: func(d int) { calls = append(calls, d) }})
	if err != nil || len(calls) != 20 {
		t.Fatalf("progress: %v calls, %v", len(calls), err)
	}
	for i, d := range calls {
		if d != i+1 {
			t.Fatalf("progress not monotonic: %v", calls)
		}
	}
}
