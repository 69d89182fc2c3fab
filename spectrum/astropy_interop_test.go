package spectrum

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/astroone/astroone-go/internal/reftool"
)

// Cross-checks of the survey layouts with astropy (the field's reference
// library) through .ci/interop/spectrum_check.py: astropy reads every
// layout written here with the same data and header values, and files
// written by astropy in each layout read here identically.

const spectrumScript = "../.ci/interop/spectrum_check.py"

// apSpectrum is one entry of the script's report.
type apSpectrum struct {
	Path    string         `json:"path"`
	Error   *string        `json:"error"`
	Layout  string         `json:"layout"`
	Wave    []float64      `json:"wave"`
	Flux    []float64      `json:"flux"`
	Ivar    []float64      `json:"ivar"`
	AndMask []float64      `json:"andmask"`
	OrMask  []float64      `json:"ormask"`
	Meta    map[string]any `json:"meta"`
}

func runSpectrumScript(t *testing.T, args ...string) []apSpectrum {
	t.Helper()
	py := reftool.Python(t, "astropy.io.fits", "numpy")
	out := reftool.Run(t, py, append([]string{spectrumScript}, args...)...)
	var rep []apSpectrum
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report: %v\n%.300s", err, out)
	}
	return rep
}

// sameArray compares arrays: exactly, or to a relative tolerance.
func sameArray(t *testing.T, what string, got, want []float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > rel*math.Abs(want[i]) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

func maskFloats(m []uint32) []float64 {
	out := make([]float64, len(m))
	for i, v := range m {
		out[i] = float64(v)
	}
	return out
}

// TestAstropyReadsOurLayouts: every layout this package writes opens in
// astropy without a verification warning and holds what was written.
func TestAstropyReadsOurLayouts(t *testing.T) {
	dir := t.TempDir()
	s := testSpectrum(11, 600)
	sdss := s.Clone()
	sdssWavelengths(sdss)
	sdss.Meta.ID = "2345-56789-0101"
	cases := []struct {
		file   string
		layout Layout
		s      *Spectrum
	}{
		{"ours-lamost-table.fits", LayoutLAMOSTTable, s},
		{"ours-lamost-image.fits.gz", LayoutLAMOSTImage, s},
		{"ours-sdss.fits", LayoutSDSSCoadd, sdss},
		{"ours-generic.fits", LayoutGeneric1D, s},
	}
	var paths []string
	for _, c := range cases {
		p := filepath.Join(dir, c.file)
		if err := WriteFile(p, c.s, c.layout); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	rep := runSpectrumScript(t, append([]string{"read"}, paths...)...)
	if len(rep) != len(cases) {
		t.Fatalf("%d reports for %d files", len(rep), len(cases))
	}
	for i, c := range cases {
		r := rep[i]
		t.Run(c.file, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("astropy: %s", *r.Error)
			}
			if r.Layout != string(c.layout) {
				t.Fatalf("astropy sees layout %q, want %q", r.Layout, c.layout)
			}
			sameArray(t, "flux", r.Flux, c.s.Flux, 0)
			if c.layout == LayoutGeneric1D {
				// A WCS: astropy's user and our reader evaluate the same
				// solution (to rounding); it matches the written
				// wavelengths (float32-rounded, so log-linear only to
				// ~1e-7) to float32 precision.
				ours, err := ReadFile(paths[i])
				if err != nil {
					t.Fatal(err)
				}
				sameArray(t, "wave (WCS, astropy vs ours)", r.Wave, ours.WavelengthAA, 1e-14)
				sameArray(t, "wave (WCS vs written)", r.Wave, c.s.WavelengthAA, 2e-7)
				sameArray(t, "ivar (from sigma)", r.Ivar, c.s.Ivar, 1e-6)
				if r.Meta["OBJECT"] != c.s.Meta.ID || r.Meta["AIRORVAC"] != "vac" {
					t.Errorf("meta = %v", r.Meta)
				}
				return
			}
			// LAMOST stores float32 Å; SDSS float32 log10 λ, raised to a
			// power by numpy and by exp(x·ln 10) here (equal to a few ulp).
			sameArray(t, "wave", r.Wave, c.s.WavelengthAA, 4e-15)
			sameArray(t, "ivar", r.Ivar, c.s.Ivar, 0)
			sameArray(t, "andmask", r.AndMask, maskFloats(c.s.AndMask), 0)
			sameArray(t, "ormask", r.OrMask, maskFloats(c.s.OrMask), 0)
			m := c.s.Meta
			if c.layout == LayoutSDSSCoadd {
				if r.Meta["CLASS"] != m.Class || r.Meta["SUBCLASS"] != m.Subclass || r.Meta["PLATE"] != 2345.0 ||
					r.Meta["FIBERID"] != 101.0 || r.Meta["PLUG_RA"] != m.RA || r.Meta["Z"] != float64(float32(m.Z)) {
					t.Errorf("SPALL row as astropy reads it: %v", r.Meta)
				}
				return
			}
			want := map[string]any{"OBSID": 123456789.0, "DESIG": m.Designation, "RA": m.RA, "DEC": m.Dec, "CLASS": m.Class,
				"SUBCLASS": m.Subclass, "Z": m.Z, "Z_ERR": m.ZErr, "SNRG": m.SNR["g"], "DATA_V": m.DataRelease, "VACUUM": true}
			for k, v := range want {
				if r.Meta[k] != v {
					t.Errorf("header %s: astropy reads %v (%T), want %v", k, r.Meta[k], r.Meta[k], v)
				}
			}
		})
	}
}

// TestReadAstropyWrittenLayouts: files astropy writes in each layout
// (including the stale NAXIS1/NAXIS2 cards of LAMOST DR8+ primaries) read
// here with the values astropy wrote.
func TestReadAstropyWrittenLayouts(t *testing.T) {
	rep := runSpectrumScript(t, "write", t.TempDir())
	if len(rep) != 4 {
		t.Fatalf("%d files written by astropy, want 4", len(rep))
	}
	for _, r := range rep {
		t.Run(filepath.Base(r.Path), func(t *testing.T) {
			s, err := ReadFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			if string(s.Meta.Layout) != r.Layout {
				t.Fatalf("layout %q, astropy wrote %q", s.Meta.Layout, r.Layout)
			}
			sameArray(t, "wave", s.WavelengthAA, r.Wave, 4e-15) // 10**x: numpy pow and our exp(x ln 10) agree to a few ulp
			sameArray(t, "flux", s.Flux, r.Flux, 0)
			if r.Ivar != nil {
				sameArray(t, "ivar", s.Ivar, r.Ivar, 0)
				sameArray(t, "andmask", maskFloats(s.AndMask), r.AndMask, 0)
				sameArray(t, "ormask", maskFloats(s.OrMask), r.OrMask, 0)
			}
			m := s.Meta
			switch r.Layout {
			case "lamost-table", "lamost-image":
				if m.ID != "424242" || m.Class != "QSO" || m.Z != r.Meta["Z"] || m.RA != r.Meta["RA"] || m.SNR["g"] != r.Meta["SNRG"] ||
					m.Designation != r.Meta["DESIG"] || m.DataRelease != r.Meta["DATA_V"] || !s.Vacuum {
					t.Errorf("meta %+v, astropy wrote %v", m, r.Meta)
				}
			case "sdss-coadd":
				sn := r.Meta["SN_MEDIAN"].([]any)
				if m.ID != r.Meta["ID"] || m.Class != "GALAXY" || m.Subclass != "STARFORMING" || m.Z != r.Meta["Z"] ||
					m.RA != r.Meta["PLUG_RA"] || m.SNR["g"] != sn[1] {
					t.Errorf("meta %+v, astropy wrote %v", m, r.Meta)
				}
			case "generic-1d":
				if m.ID != "HD 12345" || s.Vacuum || s.Ivar != nil {
					t.Errorf("meta %+v vacuum %v ivar %v", m, s.Vacuum, s.Ivar != nil)
				}
			default:
				t.Fatal(fmt.Sprintf("unexpected layout %q", r.Layout))
			}
		})
	}
}
