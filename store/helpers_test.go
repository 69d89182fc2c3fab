package store

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
)

// testGrid is a small grid used by the tests.
var testGrid = Grid{Log10Start: 3.6, Log10Step: 1e-3, N: 16}

// fakeSHA returns a deterministic sha256 hex digest for a name.
func fakeSHA(name string) string {
	h := sha256.Sum256([]byte(name))
	return hex.EncodeToString(h[:])
}

// specOpts describes a test spectrum.
type specOpts struct {
	id, class, survey string
	snr               map[string]float64
	ra                float64 // NaN for unknown
}

// onGrid returns a spectrum on testGrid with flux i+seed.
func onGrid(o specOpts, seed float64) *spectrum.Spectrum {
	s := &spectrum.Spectrum{WavelengthAA: testGrid.Wavelengths(), Vacuum: true, FluxUnit: "arb",
		Flux: make([]float64, testGrid.N), Ivar: make([]float64, testGrid.N), AndMask: make([]uint32, testGrid.N),
		Meta: spectrum.NewMeta()}
	for i := range s.Flux {
		s.Flux[i] = float64(i) + seed
		s.Ivar[i] = 1 / (1 + float64(i))
		s.AndMask[i] = uint32(i % 3)
	}
	s.Meta.ID, s.Meta.Class, s.Meta.Survey, s.Meta.RA = o.id, o.class, o.survey, o.ra
	s.Meta.Layout = spectrum.LayoutText
	for k, v := range o.snr {
		s.Meta.SNR[k] = v
	}
	return s
}

// okEntry builds a StatusOK entry for a file named name.
func okEntry(t *testing.T, name string, o specOpts, seed float64) Entry {
	t.Helper()
	s := onGrid(o, seed)
	f := FileRecord{Path: filepath.Join("/data", name), Size: 100, ModTime: time.Unix(1700000000, 123), SHA256: fakeSHA(name)}
	e, err := NewEntry(f, MakeRecord(s, f.SHA256, f.Path), s, testGrid)
	if err != nil {
		t.Fatalf("NewEntry(%s): %v", name, err)
	}
	return e
}

// openTest opens a fresh workspace with testGrid set.
func openTest(t *testing.T) *Workspace {
	t.Helper()
	w, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.SetGrid(testGrid); err != nil {
		t.Fatal(err)
	}
	return w
}

// sameFloat compares floats treating NaN as equal to NaN.
func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

var nan = math.NaN()
