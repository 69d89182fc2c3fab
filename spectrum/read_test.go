package spectrum

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/fits"
)

const fixtureDir = "../../shared/fixtures/lamost"

func fixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(fixtureDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real LAMOST fixture %s not available (../shared absent?): %v", p, err)
	}
	return p
}

// TestRealLAMOSTFiles checks the readers on real LAMOST files against
// values read off them with astropy.
func TestRealLAMOSTFiles(t *testing.T) {
	cases := []struct {
		file                string
		layout              Layout
		id, class, subclass string
		firstWave, lastWave float64
		flux0               float64
		z, ra, snrg         float64
		release             string
	}{
		{"spec-55859-F5902_sp01-001_dr7.fits.gz", LayoutLAMOSTImage, "101001", "STAR", "G7", 3699.99, 9097.04, math.NaN(), -0.0001387, 332.202274, 12.22, "LAMOST DR7"},
		{"spec-55859-F5902_sp01-013_dr8.fits.gz", LayoutLAMOSTTable, "101013", "STAR", "A2", 3699.99, 9097.04, 149.79591, -0.00106647, 332.321523, 5.56, "LAMOST DR9"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s, err := ReadFile(fixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			m := s.Meta
			if m.Layout != c.layout || m.ID != c.id || m.Class != c.class || m.Subclass != c.subclass || m.Survey != SurveyLAMOST || m.DataRelease != c.release {
				t.Errorf("meta = %+v", m)
			}
			if s.Len() != 3908 || len(s.Ivar) != 3908 || len(s.AndMask) != 3908 || len(s.OrMask) != 3908 {
				t.Fatalf("npix flux/ivar/and/or = %d/%d/%d/%d, want 3908", s.Len(), len(s.Ivar), len(s.AndMask), len(s.OrMask))
			}
			if math.Abs(s.WavelengthAA[0]-c.firstWave) > 0.005 || math.Abs(s.WavelengthAA[3907]-c.lastWave) > 0.005 {
				t.Errorf("wavelength range %.3f..%.3f, want %.2f..%.2f", s.WavelengthAA[0], s.WavelengthAA[3907], c.firstWave, c.lastWave)
			}
			if !math.IsNaN(c.flux0) && math.Abs(s.Flux[0]-c.flux0) > 1e-4 {
				t.Errorf("flux[0] = %v, want %v", s.Flux[0], c.flux0)
			}
			if math.Abs(m.Z-c.z) > 1e-9 || math.Abs(m.RA-c.ra) > 1e-9 || math.Abs(m.SNR["g"]-c.snrg) > 1e-9 {
				t.Errorf("z, ra, snr_g = %v, %v, %v; want %v, %v, %v", m.Z, m.RA, m.SNR["g"], c.z, c.ra, c.snrg)
			}
			if !s.Vacuum {
				t.Error("LAMOST wavelengths must read as vacuum")
			}
		})
	}
}

// testSpectrum returns a spectrum whose values survive float32 storage,
// on the LAMOST log-linear grid (wavelengths as 10^(float32 loglam), the
// form both LAMOST and SDSS layouts reproduce exactly).
func testSpectrum(seed uint64, n int) *Spectrum {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := &Spectrum{
		WavelengthAA: make([]float64, n), Flux: make([]float64, n), Ivar: make([]float64, n),
		AndMask: make([]uint32, n), OrMask: make([]uint32, n), Vacuum: true, FluxUnit: lamostFluxUnit,
	}
	for i := range n {
		s.WavelengthAA[i] = float64(float32(math.Pow(10, LAMOSTLog10Start+LAMOSTLog10Step*float64(i))))
		s.Flux[i] = float64(float32(100 + 10*rng.NormFloat64()))
		s.Ivar[i] = float64(float32(rng.Float64()))
		if rng.IntN(10) == 0 {
			s.AndMask[i] = uint32(1 << rng.IntN(20))
			s.OrMask[i] = s.AndMask[i] | 4
		}
	}
	s.Meta = NewMeta()
	s.Meta.ID = "123456789"
	s.Meta.Designation = "J123456.78+012345.6"
	s.Meta.RA, s.Meta.Dec = 123.456789, -1.234567
	s.Meta.Class, s.Meta.Subclass = "STAR", "K3"
	s.Meta.Z, s.Meta.ZErr = 1.5e-4, 2e-6
	s.Meta.SNR = map[string]float64{"u": 3.5, "g": 25.25, "r": 40, "i": 51.5, "z": 30}
	s.Meta.DataRelease = "test release"
	return s
}

// sdssWavelengths replaces the grid by values the SDSS layout stores
// exactly: float32 log10 wavelengths, raised as exp(loglam·ln 10) (the
// reader's evaluation; math.Pow may differ in the last bit).
func sdssWavelengths(s *Spectrum) {
	for i := range s.WavelengthAA {
		s.WavelengthAA[i] = math.Exp(float64(float32(LAMOSTLog10Start+LAMOSTLog10Step*float64(i))) * math.Ln10)
	}
}

func TestRoundTripLayouts(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		layout Layout
		file   string
		prep   func(*Spectrum)
		survey string
	}{
		{LayoutLAMOSTTable, "a.fits", nil, SurveyLAMOST},
		{LayoutLAMOSTTable, "b.fits.gz", nil, SurveyLAMOST},
		{LayoutLAMOSTImage, "c.fits", nil, SurveyLAMOST},
		{LayoutSDSSCoadd, "d.fits", func(s *Spectrum) {
			sdssWavelengths(s)
			s.Meta.ID = "1234-56789-0042"
			s.Meta.Designation = ""
			s.FluxUnit = "relative flux" // carried by TUNIT, not replaced by the SDSS unit
			s.Meta.ZWarning = 4
			s.Meta.Z, s.Meta.ZErr = float64(float32(s.Meta.Z)), float64(float32(s.Meta.ZErr))
			s.Extra = map[string][]float64{"wdisp": constant(s.Len(), 1.25), "sky": constant(s.Len(), 3), "model": s.Flux}
		}, SurveySDSS},
		{LayoutText, "e.csv", func(s *Spectrum) {
			s.AndMask, s.OrMask = nil, nil
			s.Meta = NewMeta()
			s.Meta.ID = "text-id"
			s.FluxUnit = ""
			s.Vacuum = false
		}, SurveyGeneric},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			want := testSpectrum(7, 3908)
			if c.prep != nil {
				c.prep(want)
			}
			path := filepath.Join(dir, c.file)
			if err := WriteFile(path, want, c.layout); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Meta.Layout != c.layout || got.Meta.Survey != c.survey || got.Meta.SourceFile != path {
				t.Fatalf("layout %q survey %q source %q", got.Meta.Layout, got.Meta.Survey, got.Meta.SourceFile)
			}
			want.Meta.Layout, want.Meta.Survey, want.Meta.SourceFile, want.Meta.HDU = got.Meta.Layout, got.Meta.Survey, path, got.Meta.HDU
			if c.layout == LayoutLAMOSTTable && got.Extra != nil {
				// Without a normalised spectrum the writer sets NORM=0 and
				// fills NORMALIZATION with -9999, which the reader skips.
				t.Errorf("extra arrays %v read from a file with NORM=0", keys(got.Extra))
			}
			assertSameSpectrum(t, got, want)
		})
	}
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func assertSameSpectrum(t *testing.T, got, want *Spectrum) {
	t.Helper()
	for _, f := range []struct {
		name string
		g, w []float64
	}{{"wavelength", got.WavelengthAA, want.WavelengthAA}, {"flux", got.Flux, want.Flux}, {"ivar", got.Ivar, want.Ivar}} {
		if len(f.g) != len(f.w) {
			t.Fatalf("%s: %d values, want %d", f.name, len(f.g), len(f.w))
		}
		for i := range f.g {
			if f.g[i] != f.w[i] {
				t.Fatalf("%s[%d] = %v, want %v", f.name, i, f.g[i], f.w[i])
			}
		}
	}
	if !reflect.DeepEqual(got.AndMask, want.AndMask) || !reflect.DeepEqual(got.OrMask, want.OrMask) {
		t.Errorf("masks differ")
	}
	if !reflect.DeepEqual(got.Extra, want.Extra) {
		t.Errorf("extra arrays differ: got keys %v", keys(got.Extra))
	}
	if got.Vacuum != want.Vacuum || got.FluxUnit != want.FluxUnit {
		t.Errorf("vacuum/unit = %v/%q, want %v/%q", got.Vacuum, got.FluxUnit, want.Vacuum, want.FluxUnit)
	}
	gm, wm := got.Meta, want.Meta
	if !sameMeta(gm, wm) {
		t.Errorf("meta\n got %+v\nwant %+v", gm, wm)
	}
}

func keys(m map[string][]float64) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

// sameMeta compares metadata treating NaN as equal to NaN.
func sameMeta(a, b Meta) bool {
	eq := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	if len(a.SNR) != len(b.SNR) {
		return false
	}
	for k, v := range a.SNR {
		if !eq(v, b.SNR[k]) {
			return false
		}
	}
	return a.ID == b.ID && a.ZWarning == b.ZWarning && a.Designation == b.Designation && eq(a.RA, b.RA) && eq(a.Dec, b.Dec) &&
		a.Class == b.Class && a.Subclass == b.Subclass && eq(a.Z, b.Z) && eq(a.ZErr, b.ZErr) &&
		a.Survey == b.Survey && a.DataRelease == b.DataRelease && a.Layout == b.Layout && a.SourceFile == b.SourceFile && a.HDU == b.HDU
}

// TestGeneric1DRoundTrip: ivar travels as sigma in float32, so it is
// compared to float32 precision; everything else exactly.
// TestLAMOSTNormalization: a normalised spectrum is written with NORM=1
// and read back.
func TestLAMOSTNormalization(t *testing.T) {
	want := testSpectrum(5, 100)
	want.Extra = map[string][]float64{"normalization": constant(100, 0.875)}
	path := filepath.Join(t.TempDir(), "n.fits")
	if err := WriteLAMOSTTable(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Extra, want.Extra) {
		t.Errorf("normalization not read back: %v", keys(got.Extra))
	}
}

func TestGeneric1DRoundTrip(t *testing.T) {
	for _, logGrid := range []bool{true, false} {
		want := testSpectrum(3, 500)
		for i := range want.WavelengthAA {
			if logGrid {
				want.WavelengthAA[i] = math.Pow(10, 3.5682+1e-4*float64(i))
			} else {
				want.WavelengthAA[i] = 4000 + 1.25*float64(i)
			}
		}
		want.AndMask, want.OrMask = nil, nil
		want.Meta.Designation, want.Meta.ZErr, want.Meta.SNR, want.Meta.DataRelease = "", math.NaN(), map[string]float64{}, ""
		path := filepath.Join(t.TempDir(), "g.fits")
		if err := WriteFile(path, want, LayoutGeneric1D); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want.Ivar {
			if math.Abs(got.Ivar[i]-want.Ivar[i]) > 1e-6*want.Ivar[i] {
				t.Fatalf("ivar[%d] = %v, want %v", i, got.Ivar[i], want.Ivar[i])
			}
		}
		got.Ivar = want.Ivar
		want.Meta.Layout, want.Meta.Survey, want.Meta.SourceFile = LayoutGeneric1D, SurveyGeneric, path
		for i := range want.WavelengthAA {
			if math.Abs(got.WavelengthAA[i]-want.WavelengthAA[i]) > 1e-9*want.WavelengthAA[i] {
				t.Fatalf("log=%v wavelength[%d] = %v, want %v", logGrid, i, got.WavelengthAA[i], want.WavelengthAA[i])
			}
		}
		got.WavelengthAA = want.WavelengthAA
		assertSameSpectrum(t, got, want)
	}
}

// TestReadSpSpec builds an SDSS-I/II spSpec file by hand from the
// published data model and reads it.
func TestReadSpSpec(t *testing.T) {
	n := 100
	rows := make([]float32, 4*n)
	for i := range n {
		rows[i] = float32(10 + i)          // flux
		rows[n+i] = float32(i)             // continuum subtracted
		rows[2*n+i] = 0.5                  // sigma
		rows[3*n+i] = float32((i % 2) * 8) // mask
	}
	rows[2*n+5] = 0 // sigma 0: no information
	im, err := fits.NewImage(rows, n, 4)
	if err != nil {
		t.Fatal(err)
	}
	h := &fits.Header{}
	h.Set("COEFF0", 3.5797, "")
	h.Set("COEFF1", 1e-4, "")
	h.Set("SPEC_CLN", 3, "")
	h.Set("Z", 2.1, "")
	h.Set("Z_ERR", 0.001, "")
	h.Set("RAOBJ", 10.5, "")
	h.Set("DECOBJ", -3.25, "")
	h.Set("NAME", "51788-0401-161", "")
	h.Set("SN_G", 12.5, "")
	h.Set("Z_WARNIN", 16, "")
	path := filepath.Join(t.TempDir(), "spSpec-51788-0401-161.fit")
	if err := fits.WriteFile(path, &fits.HDU{Header: h, Image: im}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Meta.Layout != LayoutSDSSSpSpec || s.Meta.Class != "QSO" || s.Meta.Z != 2.1 || s.Meta.ID != "51788-0401-161" || s.Meta.SNR["g"] != 12.5 || s.Meta.RA != 10.5 || s.Meta.ZWarning != 16 {
		t.Errorf("meta = %+v", s.Meta)
	}
	c0, c1 := 3.5797, 1e-4
	if w := math.Pow(10, c0+c1*10); s.WavelengthAA[10] != w {
		t.Errorf("wavelength[10] = %v, want %v", s.WavelengthAA[10], w)
	}
	if s.Ivar[0] != 4 || s.Ivar[5] != 0 || s.Flux[3] != 13 || s.AndMask[1] != 8 || s.Extra["continuum_subtracted"][7] != 7 {
		t.Errorf("ivar[0]=%v ivar[5]=%v flux[3]=%v mask[1]=%v", s.Ivar[0], s.Ivar[5], s.Flux[3], s.AndMask[1])
	}
}

func TestNonFiniteFluxIsMasked(t *testing.T) {
	s := testSpectrum(1, 50)
	s.Flux[3] = math.NaN()
	s.Ivar[4] = math.Inf(1)
	path := filepath.Join(t.TempDir(), "nan.fits")
	if err := WriteLAMOSTTable(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{3, 4} {
		if got.Flux[i] != 0 || got.Ivar[i] != 0 || got.AndMask[i]&MaskBad == 0 {
			t.Errorf("pixel %d: flux %v ivar %v mask %#x; want 0, 0, MaskBad", i, got.Flux[i], got.Ivar[i], got.AndMask[i])
		}
	}
	if got.Flux[2] != s.Flux[2] || got.AndMask[2]&MaskBad != 0 {
		t.Error("a good pixel was changed")
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	tab, _ := fits.NewTable([]fits.ColumnData{{Name: "RA", Data: []float64{1}}})
	unknown := filepath.Join(dir, "table.fits")
	if err := fits.WriteFile(unknown, &fits.HDU{}, &fits.HDU{Table: tab}); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.fits")
	os.WriteFile(garbage, []byte("this is not a spectrum\n"), 0o644)
	empty := filepath.Join(dir, "empty.fits")
	os.WriteFile(empty, nil, 0o644)
	truncated := filepath.Join(dir, "truncated.fits")
	if err := WriteLAMOSTTable(truncated, testSpectrum(1, 100)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(truncated)
	os.WriteFile(truncated, b[:len(b)-3000], 0o644)
	huge := filepath.Join(dir, "huge.fits")
	if f, err := os.Create(huge); err == nil {
		f.Truncate(MaxFileBytes + 1) // sparse: no disk space used
		f.Close()
	}
	decreasing := filepath.Join(dir, "decreasing.csv")
	os.WriteFile(decreasing, []byte("5000,1\n4999,1\n"), 0o644)
	cases := []struct {
		path string
		want []string
		is   error
	}{
		{unknown, []string{"table.fits", "unrecognised spectrum layout", `columns [RA]`}, ErrUnknownLayout},
		{garbage, []string{"garbage.fits", "not FITS", "no data lines"}, nil},
		{empty, []string{"empty.fits", "no data lines"}, nil},
		{truncated, []string{"truncated.fits", "HDU 1", "truncated"}, fits.ErrFormat},
		{decreasing, []string{"decreasing.csv", "not increasing"}, ErrInvalid},
		{huge, []string{"huge.fits", "larger than a spectrum file can be"}, nil},
		{filepath.Join(dir, "missing.fits"), []string{"missing.fits"}, os.ErrNotExist},
	}
	for _, c := range cases {
		_, err := ReadFile(c.path)
		if err == nil {
			t.Errorf("%s: no error", c.path)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", filepath.Base(c.path), err, w)
			}
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: error %v is not %v", filepath.Base(c.path), err, c.is)
		}
	}
}

func TestReadTextVariants(t *testing.T) {
	cases := []struct {
		text     string
		n        int
		ivar1    float64
		vacuum   bool
		hasIvar  bool
		wantFlux float64
	}{
		{"# air wavelengths\n4000 1.5\n4001 2.5\n", 2, 0, false, false, 2.5},
		{"# airmass 1.2, observed in dry air\n4000 1.5\n4001 2.5\n", 2, 0, true, false, 2.5},
		{"# medium: air\n4000 1.5\n4001 2.5\n", 2, 0, false, false, 2.5},
		{"wavelength,flux,error\n4000,1,0.5\n4001,2,0.25\n", 2, 16, true, true, 2},
		{"wave\tflux\tivar\n4000\t1\t3\n4001\t2\t7\n", 2, 7, true, true, 2},
	}
	for i, c := range cases {
		s, err := ReadText(strings.NewReader(c.text))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if s.Len() != c.n || s.Vacuum != c.vacuum || (s.Ivar != nil) != c.hasIvar || s.Flux[1] != c.wantFlux {
			t.Errorf("case %d: n=%d vacuum=%v ivar=%v flux[1]=%v", i, s.Len(), s.Vacuum, s.Ivar, s.Flux[1])
		}
		if c.hasIvar && s.Ivar[1] != c.ivar1 {
			t.Errorf("case %d: ivar[1] = %v, want %v", i, s.Ivar[1], c.ivar1)
		}
	}
}

func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	s := testSpectrum(2, 20)
	for _, l := range []Layout{LayoutLAMOSTTable, LayoutLAMOSTImage, LayoutGeneric1D, LayoutText} {
		p := filepath.Join(dir, string(l))
		if err := WriteFile(p, s, l); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("4000 1\n4001 2 0.1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sp, err := Read(bytes.NewReader(data), "fuzz")
		if err == nil {
			if verr := sp.Validate(); verr != nil {
				t.Fatalf("Read returned an invalid spectrum: %v", verr)
			}
			for i, v := range sp.Flux {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("flux[%d] = %v escaped sanitising", i, v)
				}
			}
		}
	})
}

// TestLAMOSTMaskBad: a pixel flagged by AstroOne (MaskBad) beside survey
// bits is written to the float32 LAMOST masks as NODATA, keeping the
// survey bits.
func TestLAMOSTMaskBad(t *testing.T) {
	s := testSpectrum(9, 50)
	s.AndMask[3] = MaskBad | 1
	s.OrMask[3] = MaskBad | 5
	s.OrMask[6] = MaskBad // flagged in the or-mask only, with ivar still set
	for _, layout := range []Layout{LayoutLAMOSTTable, LayoutLAMOSTImage} {
		path := filepath.Join(t.TempDir(), "m.fits")
		if err := WriteFile(path, s, layout); err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		got, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.AndMask[3] != lamostNoData|1 || got.OrMask[3] != lamostNoData|5 || got.Ivar[3] != 0 || got.Ivar[6] != 0 {
			t.Errorf("%s: masks %#x %#x ivar %v %v, want NODATA|1, NODATA|5, 0, 0", layout, got.AndMask[3], got.OrMask[3], got.Ivar[3], got.Ivar[6])
		}
		if got.Ivar[7] != s.Ivar[7] {
			t.Errorf("%s: a good pixel's ivar changed", layout)
		}
	}
	s.AndMask[4] = 1<<25 | 1
	if err := WriteLAMOSTTable(filepath.Join(t.TempDir(), "x.fits"), s); err == nil || !strings.Contains(err.Error(), "andmask[4]") {
		t.Errorf("a survey bit above 2^24 was written to a float32 mask: %v", err)
	}
}

// TestGenericWCSPrecision: the generic layout's WCS is the only record of
// the wavelengths, so a fine log grid survives writing to 1e-6 km/s.
func TestGenericWCSPrecision(t *testing.T) {
	n := 30000
	s := testSpectrum(4, n)
	s.AndMask, s.OrMask = nil, nil
	step := 1 / (20000 * math.Ln10) // R = 20000 sampling
	for i := range s.WavelengthAA {
		s.WavelengthAA[i] = math.Pow(10, 3.55+step*float64(i))
	}
	path := filepath.Join(t.TempDir(), "fine.fits")
	if err := WriteGeneric1D(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, w := range s.WavelengthAA {
		worst = math.Max(worst, math.Abs(got.WavelengthAA[i]/w-1)*299792.458)
	}
	if worst > 1e-6 {
		t.Errorf("wavelengths moved by up to %.2g km/s", worst)
	}
}

// TestIRAFMultispecAndW0 reads an IRAF-style [pixel, aperture, band] image
// (2 apertures; band 4 is sigma) and an old W0/WPC log-linear header.
func TestIRAFMultispecAndW0(t *testing.T) {
	n, naps, nbands := 10, 2, 4
	data := make([]float32, n*naps*nbands)
	for b := range nbands {
		for a := range naps {
			for i := range n {
				data[(b*naps+a)*n+i] = float32(1000*b + 100*a + i)
			}
		}
	}
	im, err := fits.NewImage(data, n, naps, nbands)
	if err != nil {
		t.Fatal(err)
	}
	h := &fits.Header{}
	h.Set("W0", 3.6, "")
	h.Set("WPC", 1e-4, "")
	h.Set("DC-FLAG", 1, "")
	h.Set("BANDID1", "spectrum - background fit, weights variance, clean yes", "")
	h.Set("BANDID4", "sigma - background fit, weights variance, clean yes", "")
	path := filepath.Join(t.TempDir(), "multispec.fits")
	if err := fits.WriteFile(path, &fits.HDU{Header: h, Image: im}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != n || s.Flux[3] != 3 { // aperture 1, band 1
		t.Errorf("flux = %v", s.Flux)
	}
	sigma := 3000.0 + 3 // band 4 of aperture 1 at pixel 3
	if math.Abs(s.Ivar[3]-1/(sigma*sigma)) > 1e-15 {
		t.Errorf("ivar[3] = %v, want %v (band 4 of the first aperture)", s.Ivar[3], 1/(sigma*sigma))
	}
	w0, wpc := 3.6, 1e-4
	if want := math.Pow(10, w0+wpc*2); math.Abs(s.WavelengthAA[2]/want-1) > 1e-14 {
		t.Errorf("W0/WPC with DC-FLAG=1: wavelength[2] = %v, want %v", s.WavelengthAA[2], want)
	}
}
