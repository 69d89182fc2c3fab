package fits

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// lamostDir holds real LAMOST spectra (see its SOURCE.md); it lives
// outside the repository and is never copied into it.
const lamostDir = "../../shared/fixtures/lamost"

func lamostFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(lamostDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("LAMOST fixture %s not available (%v): real-file checks skipped", path, err)
	}
	return path
}

// f32 is the float32 with the given IEEE-754 bits.
func f32(bits uint32) float64 { return float64(math.Float32frombits(bits)) }

// The expected values below were read from the files with astropy 5.2.1
// (header values, and float32 pixels as their bit patterns).

func TestLAMOSTDR7Image(t *testing.T) {
	path := lamostFile(t, "spec-55859-F5902_sp01-001_dr7.fits.gz")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.HDUs) != 1 {
		t.Fatalf("%d HDUs, want 1", len(f.HDUs))
	}
	h, im := f.HDUs[0].Header, f.HDUs[0].Image
	if len(h.Cards) != 127 { // astropy: len(header) == 127
		t.Errorf("header has %d cards, want 127", len(h.Cards))
	}
	if id, err := h.Int("OBSID"); err != nil || id != 101001 {
		t.Errorf("OBSID = %d, %v", id, err)
	}
	for key, want := range map[string]string{"CLASS": "STAR", "SUBCLASS": "G7", "DATA_V": "LAMOST DR7", "DESIG": "LAMOST J220848.54-020324.3", "EXTNAME": "Flux"} {
		if got, err := h.String(key); err != nil || got != want {
			t.Errorf("%s = %q, %v, want %q", key, got, err, want)
		}
	}
	for key, want := range map[string]float64{"Z": -0.0001387, "Z_ERR": 2.408e-05, "COEFF0": 3.5682, "COEFF1": 0.0001, "SNRG": 12.22} {
		if got, err := h.Float(key); err != nil || got != want {
			t.Errorf("%s = %v, %v, want %v", key, got, err, want)
		}
	}
	if im.Bitpix() != -32 || len(im.Axes) != 2 || im.Axes[0] != 3908 || im.Axes[1] != 5 {
		t.Fatalf("image BITPIX %d axes %v, want -32 [3908 5]", im.Bitpix(), im.Axes)
	}
	want := map[int][3]float64{ // row -> pixels 0, 1, 3907
		0: {f32(0x4386fe8a), f32(0x4385203f), 0},
		1: {f32(0x383a08d0), f32(0x38173988), f32(0x3dd99a96)},
		2: {f32(0x45673fc8), f32(0x45674d6a), f32(0x460e2429)},
		3: {0, 0, 0},
	}
	sums := []float64{308399.3453796953, 449.7032323999074, 23445505.830810547, 0, 0}
	for r := range 5 {
		row, err := im.Row(r)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[r]; ok && (row[0] != w[0] || row[1] != w[1] || row[3907] != w[2]) {
			t.Errorf("row %d pixels %v %v %v, want %v", r, row[0], row[1], row[3907], w)
		}
		if s := sum(row); math.Abs(s-sums[r]) > 1e-9*math.Abs(sums[r]) {
			t.Errorf("row %d sum %v, want %v", r, s, sums[r])
		}
	}
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func TestLAMOSTDR8Table(t *testing.T) {
	path := lamostFile(t, "spec-55859-F5902_sp01-013_dr8.fits.gz")
	hs, err := ReadHeaders(path)
	if err != nil || len(hs) != 2 {
		t.Fatalf("ReadHeaders: %d headers, %v", len(hs), err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := f.HDUs[0]
	if len(hs[0].Cards) != 123 || len(hs[1].Cards) != 30 { // astropy: len(header)
		t.Errorf("headers of %d and %d cards, want 123 and 30", len(hs[0].Cards), len(hs[1].Cards))
	}
	// NAXIS=0 with stale NAXIS1=3908/NAXIS2=5 cards: an empty image.
	if n1, _ := p.Header.Int("NAXIS1"); n1 != 3908 || p.Image == nil || p.Image.Len() != 0 || p.Image.Data != nil {
		t.Fatalf("primary: NAXIS1 card %d, image %+v", n1, p.Image)
	}
	for key, want := range map[string]string{"CLASS": "STAR", "SUBCLASS": "A2", "DATA_V": "LAMOST DR9"} {
		if got := p.Header.StringOr(key, "?"); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if z := p.Header.FloatOr("Z", 0); z != -0.00106647 {
		t.Errorf("Z = %v", z)
	}
	if id, _ := hs[0].Int("OBSID"); id != 101013 {
		t.Errorf("ReadHeaders OBSID = %d", id)
	}
	coadd, ok := f.HDUByName("COADD")
	if !ok || coadd.Kind != KindBinTable {
		t.Fatalf("no COADD table")
	}
	tab := coadd.Table
	if tab.NRows != 1 || tab.RowLen != 93792 || len(tab.Columns) != 6 {
		t.Fatalf("COADD %d rows x %d bytes, %d columns", tab.NRows, tab.RowLen, len(tab.Columns))
	}
	want := []struct {
		name string
		px   [3]float64 // pixels 0, 1, 3907
		sum  float64
	}{
		{"FLUX", [3]float64{f32(0x4315cbc1), f32(0x43203dfa), 0}, 121123.55543265864},
		{"IVAR", [3]float64{f32(0x384fb129), f32(0x38830327), f32(0x3ce7a232)}, 941.6504800170624},
		{"WAVELENGTH", [3]float64{f32(0x45673fc8), f32(0x45674d6a), f32(0x460e2429)}, 23445505.830810547},
		{"ANDMASK", [3]float64{}, 0},
		{"ORMASK", [3]float64{}, 0},
		{"NORMALIZATION", [3]float64{-9999, -9999, -9999}, -39076092},
	}
	for i, w := range want {
		c := tab.Columns[i]
		if c.Name != w.name || c.Format != "3908E" || c.Repeat != 3908 || c.Type != 'E' {
			t.Errorf("column %d: %+v", i, c)
			continue
		}
		v, err := tab.Float64s(i, 0)
		if err != nil || len(v) != 3908 {
			t.Fatalf("%s: %d values, %v", w.name, len(v), err)
		}
		if v[0] != w.px[0] || v[1] != w.px[1] || v[3907] != w.px[2] {
			t.Errorf("%s pixels %v %v %v, want %v", w.name, v[0], v[1], v[3907], w.px)
		}
		if s := sum(v); math.Abs(s-w.sum) > 1e-9*math.Abs(w.sum) {
			t.Errorf("%s sum %v, want %v", w.name, s, w.sum)
		}
	}
}
