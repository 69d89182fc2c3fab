package sim

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
)

func TestSubclass(t *testing.T) {
	// Anchor values of Pecaut & Mamajek (2013), and the table's ends.
	cases := map[float64]string{5770: "G2", 9700: "A0", 3060: "M5", 31400: "B0", 7220: "F0", 4440: "K5", 60000: "O5", 1000: "M9"}
	for teff, want := range cases {
		if got := Subclass(teff); got != want {
			t.Errorf("Subclass(%v) = %s, want %s", teff, got, want)
		}
	}
}

func TestSubclassMonotonic(t *testing.T) {
	order := func(s string) int { return 10*strings.IndexByte("OBAFGKM", s[0]) + int(s[1]-'0') }
	prev := -1
	for teff := 50000.0; teff > 2000; teff *= 0.98 {
		o := order(Subclass(teff))
		if o < prev {
			t.Fatalf("Subclass(%v) = %s goes back toward earlier types", teff, Subclass(teff))
		}
		prev = o
	}
}

func TestQuickDeterministic(t *testing.T) {
	a, la := NewQuick(5).Spectrum(17)
	b, lb := NewQuick(5).Spectrum(17)
	c, _ := NewQuick(6).Spectrum(17)
	if !reflect.DeepEqual(a.Flux, b.Flux) || la != lb {
		t.Fatal("same seed and index gave different spectra")
	}
	if reflect.DeepEqual(a.Flux, c.Flux) {
		t.Fatal("different seeds gave the same spectrum")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
}

// balmerEW measures the Hδ equivalent width (Å, positive for absorption)
// of a noiseless star against a straight continuum from side bands.
func balmerEW(q *Quick, teff float64) float64 {
	model := make([]float64, len(q.wave))
	q.star(model, Labels{TeffK: teff, Logg: 4, FeH: 0})
	var ew float64
	const c, half = 4102.89, 25.0
	left, right := interpAt(q.wave, model, c-half-10), interpAt(q.wave, model, c+half+10)
	for i := 1; i < len(q.wave); i++ {
		w := q.wave[i]
		if w < c-half || w > c+half {
			continue
		}
		cont := left + (right-left)*(w-(c-half-10))/(2*half+20)
		ew += (1 - model[i]/cont) * (w - q.wave[i-1])
	}
	return ew
}

func interpAt(x, y []float64, at float64) float64 {
	for i := 1; i < len(x); i++ {
		if x[i] >= at {
			f := (at - x[i-1]) / (x[i] - x[i-1])
			return y[i-1] + f*(y[i]-y[i-1])
		}
	}
	return y[len(y)-1]
}

// TestBalmerPeaksInAStars: the Balmer equivalent width measured on the
// output peaks among A stars, not among O/B or F/G/K/M stars.
func TestBalmerPeaksInAStars(t *testing.T) {
	q := NewQuick(1)
	best, bestT := -1.0, 0.0
	for _, teff := range []float64{4000, 5000, 6000, 7000, 8500, 9500, 11000, 15000, 25000} {
		if ew := balmerEW(q, teff); ew > best {
			best, bestT = ew, teff
		}
	}
	if Subclass(bestT)[0] != 'A' {
		t.Errorf("Hδ EW peaks at %v K (%s), want an A star", bestT, Subclass(bestT))
	}
}

// TestRedshiftedLines: the strongest emission pixel of a galaxy with one
// dominant Hα line sits at (1+z)·6564.61 Å within a pixel.
func TestRedshiftedLines(t *testing.T) {
	q := NewQuick(1)
	for _, z := range []float64{0.05, 0.2, 0.3} {
		model := make([]float64, len(q.wave))
		lab := Labels{Z: z}
		for i, w := range q.wave {
			model[i] = planck(w/(1+z), 5000)
		}
		q.addLine(model, 6564.61*(1+z), 2*(1+z), 10*planck(5500, 5000), false)
		imax := 0
		for i := range model {
			if model[i]-planck(q.wave[i]/(1+lab.Z), 5000) > model[imax]-planck(q.wave[imax]/(1+lab.Z), 5000) {
				imax = i
			}
		}
		want := 6564.61 * (1 + z)
		if step := want * math.Ln10 * 1e-4; math.Abs(q.wave[imax]-want) > step {
			t.Errorf("z=%v: peak at %.2f Å, want %.2f ± %.2f", z, q.wave[imax], want, step)
		}
	}
}

// TestRequestedSNR: DER_SNR measured on the output matches the requested
// S/N within 10% for smooth (QSO-free) continua.
func TestRequestedSNR(t *testing.T) {
	q := NewQuick(9)
	checked := 0
	for i := 0; checked < 20; i++ {
		s, lab := q.Spectrum(i)
		if lab.Class != "STAR" || lab.TeffK < 5000 || lab.TeffK > 8000 {
			continue
		}
		// Measure on 5500-6500 Å, where these stars have few lines.
		var flux []float64
		for j, w := range s.WavelengthAA {
			if w > 5500 && w < 6500 {
				flux = append(flux, s.Flux[j])
			}
		}
		// The requested S/N refers to the median flux (100); scale the
		// measured S/N by the local flux level.
		got := prep.DERSNR(flux) * 100 / medianOf(flux)
		if math.Abs(got/lab.SNR-1) > 0.10 {
			t.Errorf("spectrum %d: measured S/N %.2f, requested %.2f", i, got, lab.SNR)
		}
		checked++
	}
}

func medianOf(v []float64) float64 { return median(v) }

func TestClassMix(t *testing.T) {
	q := NewQuick(3)
	counts := map[string]int{}
	for i := range 2000 {
		_, lab := q.Spectrum(i)
		counts[lab.Class]++
	}
	for class, frac := range map[string]float64{"STAR": 0.80, "GALAXY": 0.12, "QSO": 0.08} {
		if got := float64(counts[class]) / 2000; math.Abs(got-frac) > 0.03 {
			t.Errorf("%s fraction %.3f, want %.2f", class, got, frac)
		}
	}
}

func TestWriteSampleDeterministic(t *testing.T) {
	read := func(workers int) (map[string][]byte, error) {
		dir := t.TempDir()
		if err := WriteSample(context.Background(), SampleOptions{Dir: dir, N: 12, Seed: 4, Workers: workers}); err != nil {
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
	a, err := read(1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := read(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 13 || !reflect.DeepEqual(a, b) {
		t.Fatalf("%d files; outputs with 1 and 3 workers differ: %v", len(a), !reflect.DeepEqual(a, b))
	}
	for name, data := range a {
		if name == "labels.csv" {
			continue
		}
		s, err := spectrum.Read(bytes.NewReader(data), name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Meta.Layout != spectrum.LayoutLAMOSTTable || s.Len() != spectrum.LAMOSTPixels {
			t.Fatalf("%s: layout %s, %d pixels", name, s.Meta.Layout, s.Len())
		}
	}
	if !bytes.HasPrefix(a["labels.csv"], []byte("id,file,class,subclass,teff,logg,feh,rv_kms,z,ebv,snr_g\n")) || bytes.Count(a["labels.csv"], []byte("\n")) != 13 {
		t.Errorf("labels.csv:\n%s", a["labels.csv"])
	}
}

func TestWriteTroubleFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSample(context.Background(), SampleOptions{Dir: dir, N: 2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	n, err := WriteTroubleFiles(dir, 1, "spec-100000000.fits")
	if err != nil || n != 5 {
		t.Fatalf("wrote %d files, %v; want 5", n, err)
	}
	orig, _ := os.ReadFile(filepath.Join(dir, "spec-100000000.fits"))
	cp, _ := os.ReadFile(filepath.Join(dir, "spec-100000000_copy.fits"))
	tr, _ := os.ReadFile(filepath.Join(dir, "truncated.fits"))
	if !bytes.Equal(orig, cp) || len(tr) != len(orig)/2 || !bytes.Equal(tr, orig[:len(orig)/2]) {
		t.Error("copy or truncated file wrong")
	}
	for i, want := range []spectrum.Layout{spectrum.LayoutSDSSCoadd, spectrum.LayoutLAMOSTImage, spectrum.LayoutLAMOSTTable} {
		name := fmt.Sprintf("extra-%d-%s.fits", i, want)
		if want == spectrum.LayoutLAMOSTTable {
			name += ".gz"
		}
		s, err := spectrum.ReadFile(filepath.Join(dir, name))
		if err != nil || s.Meta.Layout != want || s.Meta.ID != fmt.Sprint(200000000+i) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
