package realism

import (
	"bytes"
	"encoding/xml"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/fits"
	"github.com/astroone/astroone-go/internal/reftool"
	"github.com/astroone/astroone-go/plot"
)

// pysynphotDir holds the CALSPEC standards and templates of Debian's
// python3-pysynphot.
const pysynphotDir = "/usr/lib/python3/dist-packages/pysynphot/data/generic"

// referencePath returns the path of a pysynphot data file, or skips (fails
// with ASTROONE_REQUIRE_INTEROP=1) when it is not installed.
func referencePath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(pysynphotDir, name)
	if _, err := os.Stat(p); err != nil {
		reftool.SkipOrFail(t, "%s not found (install Debian's python3-pysynphot): %v", p, err)
	}
	return p
}

// buildReference encodes a CALSPEC-like file: an empty primary HDU with
// the given commentary and a BINTABLE of WAVELENGTH, FLUX and FWHM.
func buildReference(t testing.TB, wave, flux, fwhm []float64, history string) []byte {
	t.Helper()
	cols := []fits.ColumnData{{Name: "WAVELENGTH", Unit: "ANGSTROMS", Data: wave}, {Name: "FLUX", Unit: "FLAM", Data: flux}}
	if fwhm != nil {
		cols = append(cols, fits.ColumnData{Name: "FWHM", Data: fwhm})
	}
	tab, err := fits.NewTable(cols)
	if err != nil {
		t.Fatal(err)
	}
	ph := &fits.Header{}
	ph.Set("TARGETID", "TOYSTAR", "")
	if history != "" {
		ph.Add(fits.Card{Key: "HISTORY", Comment: history})
	}
	var b bytes.Buffer
	if err := fits.Write(&b, &fits.HDU{Header: ph, Kind: fits.KindPrimary}, &fits.HDU{Header: &fits.Header{}, Kind: fits.KindBinTable, Table: tab}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeReferenceRoundTrip(t *testing.T) {
	wave := []float64{4000, 4001, math.NaN(), 4000.5, 4003, 4004}
	flux := []float64{1, 2, 3, 4, math.Inf(1), 6}
	fwhm := []float64{2, 2, 2, 2, 2, 4}
	r, err := DecodeReference(buildReference(t, wave, flux, fwhm, " All wavelengths are in vacuum."), "toy.fits")
	if err != nil {
		t.Fatal(err)
	}
	// NaN wavelength, a non-increasing one and an infinite flux are dropped.
	if got := r.WavelengthAA; len(got) != 3 || got[0] != 4000 || got[1] != 4001 || got[2] != 4004 {
		t.Errorf("wavelengths %v, want [4000 4001 4004]", got)
	}
	if r.Flux[2] != 6 || r.Name != "TOYSTAR" || r.Medium != MediumVacuum {
		t.Errorf("flux %v name %q medium %q", r.Flux, r.Name, r.Medium)
	}
	if v, ok := r.FWHMAt(4002.5); !ok || math.Abs(v-3) > 1e-12 {
		t.Errorf("FWHMAt(4002.5) = %v, %v; want 3 (interpolated)", v, ok)
	}
	if _, ok := r.FWHMAt(5000); ok {
		t.Error("FWHMAt outside the table should fail")
	}
	air, err := DecodeReference(buildReference(t, []float64{1, 2}, []float64{1, 1}, []float64{math.NaN(), math.NaN()}, "wavelengths in air"), "air.fits")
	if err != nil {
		t.Fatal(err)
	}
	if air.Medium != MediumAir || air.FWHMAA != nil {
		t.Errorf("medium %q FWHM %v, want air and no FWHM (all NaN)", air.Medium, air.FWHMAA)
	}
	if _, err := DecodeReference(buildReference(t, []float64{1}, []float64{1}, nil, ""), "one.fits"); !errors.Is(err, ErrNoReference) {
		t.Errorf("one row: err %v, want ErrNoReference", err)
	}
}

func FuzzDecodeReference(f *testing.F) {
	f.Add(buildReference(f, []float64{4000, 4001, 4002}, []float64{1, 2, 3}, []float64{2, 2, 2}, "All wavelengths are in vacuum."))
	f.Add(buildReference(f, []float64{1, 2}, []float64{1, 1}, nil, ""))
	f.Add([]byte("SIMPLE  =                    T"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeReference(data, "fuzz.fits")
		if err != nil {
			return
		}
		if len(r.WavelengthAA) < 2 || len(r.Flux) != len(r.WavelengthAA) {
			t.Fatalf("accepted %d wavelengths, %d fluxes", len(r.WavelengthAA), len(r.Flux))
		}
		for i := 1; i < len(r.WavelengthAA); i++ {
			if !(r.WavelengthAA[i] > r.WavelengthAA[i-1]) {
				t.Fatalf("wavelengths not increasing at %d", i)
			}
		}
		for _, v := range r.Flux {
			if !finite(v) {
				t.Fatalf("non-finite flux accepted")
			}
		}
	})
}

// TestReadCALSPEC checks what the report relies on in the real files:
// Vega's STIS table states vacuum wavelengths and carries a FWHM column
// (about λ/700 at 4000 Å: G430L's two pixels of 2.75 Å), the 1997 FOS
// solar analogs state neither.
func TestReadCALSPEC(t *testing.T) {
	vega, err := ReadReference(referencePath(t, "alpha_lyr_stis_010.fits"))
	if err != nil {
		t.Fatal(err)
	}
	if vega.Name != "HD172167" || vega.Medium != MediumVacuum {
		t.Errorf("Vega: name %q medium %q", vega.Name, vega.Medium)
	}
	fw, ok := vega.FWHMAt(4000)
	if !ok || fw < 5 || fw > 6 {
		t.Errorf("Vega FWHM at 4000 Å = %v (%v), want ≈5.5", fw, ok)
	}
	if lo, hi := vega.Range(); lo > 3700 || hi < 9100 {
		t.Errorf("Vega covers %.0f–%.0f Å, want the LAMOST range", lo, hi)
	}
	sun, err := ReadReference(referencePath(t, "p330e_001.fits"))
	if err != nil {
		t.Fatal(err)
	}
	if sun.FWHMAA != nil || sun.Medium != MediumUnstated || !strings.EqualFold(sun.Name, "p330e") {
		t.Errorf("P330E: FWHM %v medium %q name %q", sun.FWHMAA != nil, sun.Medium, sun.Name)
	}
	qso, err := ReadReference(referencePath(t, "qso_template.fits"))
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := qso.Range(); lo != 800 || hi != 6000 {
		t.Errorf("QSO composite covers %v–%v Å, want 800–6000", lo, hi)
	}
}

func TestWriteStacked(t *testing.T) {
	fig := func(title string) *plot.Figure {
		return &plot.Figure{Title: title, Width: 400, Height: 200, Series: []plot.Series{{X: []float64{1, 2, 3}, Y: []float64{1, 4, 9}}}}
	}
	var b bytes.Buffer
	if err := WriteStacked(&b, fig("top"), fig("bottom")); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if n := strings.Count(s, "<svg"); n != 3 {
		t.Errorf("%d <svg> elements, want 3 (outer + 2 panels)", n)
	}
	if !strings.Contains(s, `height="400"`) || !strings.Contains(s, `<svg x="0" y="200"`) {
		t.Errorf("panels not stacked: %.300s", s)
	}
	// Well-formed XML.
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
	}
	if err := WriteStacked(&b); err == nil {
		t.Error("no figures should be an error")
	}
}
