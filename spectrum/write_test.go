package spectrum

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// benchWrite writes a 3908-pixel spectrum to the same path b.N times with
// write, as the simulator does for each file (temporary file, rename).
func benchWrite(b *testing.B, name string, prep func(*Spectrum), write func(string, *Spectrum) error) {
	s := testSpectrum(7, LAMOSTPixels)
	if prep != nil {
		prep(s)
	}
	path := filepath.Join(b.TempDir(), name)
	b.ReportAllocs()
	u0, s0, ok := processCPU()
	n := 0
	for b.Loop() {
		if err := write(path, s); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// User CPU (the writer's own work, GC included) and system CPU (the
	// kernel's share of the file syscalls) per file, beside wall ns/op.
	if u1, s1, ok1 := processCPU(); ok && ok1 && n > 0 {
		b.ReportMetric(float64((u1-u0).Nanoseconds())/float64(n), "user-ns/op")
		b.ReportMetric(float64((s1-s0).Nanoseconds())/float64(n), "sys-ns/op")
	}
}

// BenchmarkWriteLAMOSTTable is the whole DR8+ writer, file system included.
func BenchmarkWriteLAMOSTTable(b *testing.B) {
	benchWrite(b, "a.fits", nil, WriteLAMOSTTable)
}

// BenchmarkWriteLAMOSTImage is the whole DR<=7 writer.
func BenchmarkWriteLAMOSTImage(b *testing.B) {
	benchWrite(b, "a.fits", nil, WriteLAMOSTImage)
}

// BenchmarkWriteSDSS is the whole SDSS/BOSS spec-file writer.
func BenchmarkWriteSDSS(b *testing.B) {
	benchWrite(b, "a.fits", func(s *Spectrum) { sdssWavelengths(s); s.Meta.ID = "1234-56789-0042" }, WriteSDSS)
}

// BenchmarkWriteLAMOSTTableGzip is the DR8+ writer with gzip.
func BenchmarkWriteLAMOSTTableGzip(b *testing.B) {
	benchWrite(b, "a.fits.gz", nil, WriteLAMOSTTable)
}

// goldenCases are spectra whose written files were hashed with the
// writers as of commit 13c5ad9 (before the single-buffer writer): any
// change of a written byte changes a hash. They cover the common case
// (numeric OBSID, masks, all SNRs), MaskBad pixels, a normalised spectrum,
// missing metadata written as -9999, a string ID and a wavelength grid
// that is not log-linear (no COEFF0/COEFF1 cards).
func goldenCases() map[string]*Spectrum {
	base := func() *Spectrum { return testSpectrum(7, LAMOSTPixels) }
	odd := base()
	odd.AndMask[3] = MaskBad | 1
	odd.OrMask[3] = MaskBad | 5
	odd.OrMask[6] = MaskBad
	odd.Extra = map[string][]float64{"normalization": constant(odd.Len(), 0.75)}
	bare := testSpectrum(8, 1000)
	bare.AndMask, bare.OrMask, bare.Ivar = nil, nil, nil
	bare.Meta = NewMeta()
	bare.Meta.ID = "sim-id 'quoted' and a long string value that needs CONTINUE cards to be written in full"
	for i := range bare.WavelengthAA {
		bare.WavelengthAA[i] = 4000 + 1.5*float64(i)
	}
	return map[string]*Spectrum{"base": base(), "odd": odd, "bare": bare}
}

// sdssCase prepares a golden spectrum for the SDSS layout.
func sdssCase(s *Spectrum, name string) {
	if name != "bare" {
		sdssWavelengths(s)
	}
	if name == "base" {
		s.Meta.ID = "1234-56789-0042"
		s.Meta.ZWarning = 4
		s.Extra = map[string][]float64{"wdisp": constant(s.Len(), 1.25), "sky": constant(s.Len(), 3), "model": s.Flux}
	}
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestWriteGoldenBytes compares whole written files with the hashes of the
// files the earlier writers made from the same spectra, and gzipped files
// with the gzip (default level) of the plain bytes.
func TestWriteGoldenBytes(t *testing.T) {
	want := map[string]string{
		"lamost-table/base": "9300ddef18630b2533b6653f511788d8400bfa05429b88f8d68b2d1dcfb57613",
		"lamost-table/odd":  "b679e18341155f99e16ce9dc81a973e81f75e069e6bb5ae43882f86724001149",
		"lamost-table/bare": "f27d246b16bdbea170438c2901bb41b3082fac37344e8e34a974cbea474eae6e",
		"lamost-image/base": "b5448b90110376c9e7a9aa1b665464773670d81857780c350bb2eff973cbbb91",
		"lamost-image/odd":  "c1046a13c51c12c99598245346526f043246df13d70c44d5acbba41604824785",
		"lamost-image/bare": "054969bf2f68e4e1b07ae390ce9b15b9f4d8ef503a3db3c469df7b98e3d8ba56",
		"sdss/base":         "50b6ada76243218c790f284ef7855d1abf7ae570f9f581934bded768269af122",
		"sdss/odd":          "499eff7abec5e3012dabd3a657675f15ee23004cfb76bcd3ac08ce961f6ce4cc",
		"sdss/bare":         "2c76587aa88adc9591a372e6838e8bd0b79324d74b637fd40a0a8c5eb4a28636",
	}
	writers := map[string]func(string, *Spectrum) error{
		"lamost-table": WriteLAMOSTTable, "lamost-image": WriteLAMOSTImage, "sdss": WriteSDSS,
	}
	dir := t.TempDir()
	for wname, write := range writers {
		for name, s := range goldenCases() {
			key := wname + "/" + name
			if wname == "sdss" {
				sdssCase(s, name)
			}
			path := filepath.Join(dir, wname+name+".fits")
			if err := write(path, s); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			plain, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: mode %v (%v), want 0644", key, fi.Mode(), err)
			}
			if got := sha(plain); got != want[key] {
				t.Errorf("%s: sha256 %s, want %s", key, got, want[key])
			}
			if err := write(path+".gz", s); err != nil {
				t.Fatalf("%s.gz: %v", key, err)
			}
			gz, err := os.ReadFile(path + ".gz")
			if err != nil {
				t.Fatal(err)
			}
			var ref bytes.Buffer
			zw := gzip.NewWriter(&ref)
			zw.Write(plain)
			zw.Close()
			if !bytes.Equal(gz, ref.Bytes()) {
				t.Errorf("%s.gz: %d bytes differ from the gzip of the plain file (%d bytes)", key, len(gz), ref.Len())
			}
		}
	}
}

// TestWriteConcurrent writes the golden spectra from several goroutines
// at once, as the simulator's workers do: the pooled scratch and buffers
// must never be shared between files in flight. Every file must be the
// one written alone, and no temporary file may be left behind.
func TestWriteConcurrent(t *testing.T) {
	dir := t.TempDir()
	cases := goldenCases()
	names := []string{"base", "odd", "bare"}
	want := map[string][]byte{}
	for _, name := range names {
		path := filepath.Join(dir, "ref-"+name+".fits")
		if err := WriteLAMOSTTable(path, cases[name]); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = b
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*30)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				name := names[(g+i)%3]
				path := filepath.Join(dir, fmt.Sprintf("g%d-%d-%s.fits", g, i, name))
				if err := WriteLAMOSTTable(path, cases[name]); err != nil {
					errs <- err
					continue
				}
				if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, want[name]) {
					errs <- fmt.Errorf("%s: bytes differ from the file written alone (%v)", path, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if len(entries) != 3+4*30 {
		t.Errorf("%d files, want %d", len(entries), 3+4*30)
	}
}
