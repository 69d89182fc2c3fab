package store

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
)

func TestCommitRoundTrip(t *testing.T) {
	w := openTest(t)
	a := okEntry(t, "a.fits", specOpts{id: "A1", class: "STAR", survey: "LAMOST", ra: 10.5, snr: map[string]float64{"g": 40, "r": 50}}, 0)
	b := okEntry(t, "b.fits", specOpts{id: "", class: "QSO", survey: "SDSS", ra: nan}, 7)
	dup := Entry{File: FileRecord{Path: "/data/a-copy.fits", Size: 100, ModTime: time.Unix(5, 0),
		SHA256: a.File.SHA256, Status: StatusDuplicate, DuplicateOf: a.File.Path}}
	bad := Entry{File: FileRecord{Path: "/data/bad.fits", Size: 3, ModTime: time.Unix(6, 7), Status: StatusFailed, Error: "read: not FITS"}}
	if err := w.Commit([]Entry{a, dup, b, bad}); err != nil {
		t.Fatal(err)
	}

	for _, want := range []Entry{a, dup, b, bad} {
		got, found, err := w.File(want.File.Path)
		if err != nil || !found {
			t.Fatalf("File(%s) = %v, %v", want.File.Path, found, err)
		}
		if time.Since(got.IngestedAt) > time.Minute {
			t.Errorf("%s: ingested_at %v", got.Path, got.IngestedAt)
		}
		got.IngestedAt = time.Time{}
		want.File.IngestedAt = time.Time{}
		if want.File.Status == "" {
			want.File.Status = StatusOK
		}
		if !got.ModTime.Equal(want.File.ModTime) {
			t.Errorf("%s: mtime %v, want %v", got.Path, got.ModTime, want.File.ModTime)
		}
		got.ModTime = want.File.ModTime
		if !reflect.DeepEqual(got, want.File) {
			t.Errorf("File(%s) =\n %+v\nwant\n %+v", want.File.Path, got, want.File)
		}
	}

	// Record a: metadata, S/N choice, NaN handling, shard location.
	ra, err := w.Record("A1")
	if err != nil {
		t.Fatal(err)
	}
	if ra.Class != "STAR" || ra.RA != 10.5 || ra.SNR != 40 || ra.SNRR != 50 || !math.IsNaN(ra.SNRU) ||
		!math.IsNaN(ra.Dec) || ra.Shard != "shard-000001.parquet" || ra.ShardRow != 0 || ra.NPixNative != testGrid.N {
		t.Errorf("record A1 = %+v", ra)
	}
	// b has no id: it gets the first 16 hex digits of its sha256, and can
	// also be found by the full sha256.
	rb, err := w.Record(b.File.SHA256)
	if err != nil || rb.ID != b.File.SHA256[:16] || rb.ShardRow != 1 || !math.IsNaN(rb.RA) {
		t.Errorf("record b = %+v, %v", rb, err)
	}
	// NaN is stored as NULL, not as a number.
	var nulls int
	w.db.QueryRow(`SELECT count(*) FROM spectra WHERE ra IS NULL AND dec IS NULL AND snr IS NULL`).Scan(&nulls)
	if nulls != 1 {
		t.Errorf("%d rows with NULL ra, dec, snr; want 1", nulls)
	}
	if p, found, err := w.IngestedBySHA256(a.File.SHA256); err != nil || !found || p != a.File.Path {
		t.Errorf("IngestedBySHA256(a) = %q, %v, %v", p, found, err)
	}
	if _, found, _ := w.IngestedBySHA256(fakeSHA("nothing")); found {
		t.Error("IngestedBySHA256 found an unknown sha256")
	}
	failed, err := w.Files(StatusFailed, 0)
	if err != nil || len(failed) != 1 || failed[0].Error != "read: not FITS" {
		t.Errorf("Files(failed) = %+v, %v", failed, err)
	}
	all, _ := w.Files("", 2)
	if len(all) != 2 {
		t.Errorf("Files(all, limit 2) returned %d", len(all))
	}
}

func TestLoadSpectrum(t *testing.T) {
	w := openTest(t)
	src := specOpts{id: "X", class: "GALAXY", survey: "SDSS", ra: 1.25, snr: map[string]float64{"i": 3}}
	e := okEntry(t, "x.fits", src, 2.5)
	twin := okEntry(t, "twin.fits", specOpts{id: "T", ra: nan}, 0)
	twin2 := okEntry(t, "twin2.fits", specOpts{id: "T", ra: nan}, 1)
	if err := w.Commit([]Entry{twin, e, twin2}); err != nil {
		t.Fatal(err)
	}
	got, err := w.LoadSpectrum("X")
	if err != nil {
		t.Fatal(err)
	}
	want := onGrid(src, 2.5)
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := range want.Flux {
		if math.Abs(got.WavelengthAA[i]-want.WavelengthAA[i]) > 1e-9*want.WavelengthAA[i] ||
			got.Flux[i] != want.Flux[i] || math.Abs(got.Ivar[i]-want.Ivar[i]) > 1e-7 || got.AndMask[i] != want.AndMask[i] {
			t.Fatalf("pixel %d differs: got (%v %v %v %v) want (%v %v %v %v)", i,
				got.WavelengthAA[i], got.Flux[i], got.Ivar[i], got.AndMask[i],
				want.WavelengthAA[i], want.Flux[i], want.Ivar[i], want.AndMask[i])
		}
	}
	m := got.Meta
	if m.ID != "X" || m.Class != "GALAXY" || m.RA != 1.25 || !math.IsNaN(m.Dec) || m.SNR["i"] != 3 || len(m.SNR) != 1 ||
		m.Layout != spectrum.LayoutText || m.SourceFile != "/data/x.fits" || got.FluxUnit != "arb" {
		t.Errorf("meta = %+v", m)
	}
	if _, err := w.LoadSpectrum("T"); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("ambiguous id err = %v", err)
	}
	if s, err := w.LoadSpectrum(twin2.File.SHA256); err != nil || s.Flux[0] != 1 {
		t.Errorf("load by sha256: %v", err)
	}
	if _, err := w.LoadSpectrum("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing id err = %v", err)
	}
}

func TestReplace(t *testing.T) {
	w := openTest(t)
	old := okEntry(t, "a.fits", specOpts{id: "old"}, 0)
	if err := w.Commit([]Entry{old}); err != nil {
		t.Fatal(err)
	}
	// The file changed: new content, same path.
	changed := okEntry(t, "a.fits", specOpts{id: "new"}, 1)
	changed.File.SHA256 = fakeSHA("a.fits v2")
	changed.Record.SHA256, changed.Row.SHA256 = changed.File.SHA256, changed.File.SHA256
	changed.Replace = true
	if err := w.Commit([]Entry{changed}); err != nil {
		t.Fatal(err)
	}
	recs, _ := w.Query(Query{})
	if len(recs) != 1 || recs[0].ID != "new" {
		t.Errorf("after replace: %+v", recs)
	}
	files, _ := w.Files("", 0)
	if len(files) != 1 || files[0].SHA256 != changed.File.SHA256 {
		t.Errorf("files after replace: %+v", files)
	}
}

func TestEntryValidation(t *testing.T) {
	good := FileRecord{Path: "/p", SHA256: "s", Status: StatusFailed, Error: "x"}
	tests := []struct {
		name string
		e    Entry
	}{
		{"no path", Entry{File: FileRecord{Status: StatusFailed}}},
		{"bad status", Entry{File: FileRecord{Path: "/p", Status: "maybe"}}},
		{"ok without row", Entry{File: FileRecord{Path: "/p", SHA256: "s", Status: StatusOK}}},
		{"dup without original", Entry{File: FileRecord{Path: "/p", SHA256: "s", Status: StatusDuplicate}}},
	}
	w := openTest(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.Commit([]Entry{{File: good}, tc.e}); !errors.Is(err, ErrBadEntry) {
				t.Errorf("err = %v, want ErrBadEntry", err)
			}
		})
	}
	if n, _ := w.Files("", 0); len(n) != 0 {
		t.Errorf("%d rows committed by invalid batches", len(n))
	}
}

func TestNewEntryChecksGrid(t *testing.T) {
	base := onGrid(specOpts{id: "a"}, 0)
	tests := []struct {
		name   string
		mutate func(s *spectrum.Spectrum)
	}{
		{"too short", func(s *spectrum.Spectrum) { s.Flux = s.Flux[:5] }},
		{"air", func(s *spectrum.Spectrum) { s.Vacuum = false }},
		{"shifted", func(s *spectrum.Spectrum) { s.WavelengthAA[0] *= 1.001 }},
		{"ivar length", func(s *spectrum.Spectrum) { s.Ivar = s.Ivar[:3] }},
		{"no uncertainties", func(s *spectrum.Spectrum) { s.Ivar = nil }},
		{"no usable pixel", func(s *spectrum.Spectrum) {
			for i := range s.Ivar {
				s.Ivar[i] = 0
			}
		}},
		{"all masked", func(s *spectrum.Spectrum) {
			for i := range s.AndMask {
				s.AndMask[i] |= spectrum.MaskBad
			}
		}},
		{"ivar beyond float32", func(s *spectrum.Spectrum) { s.Ivar[2] = 1e40 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base.Clone()
			tc.mutate(s)
			_, err := NewEntry(FileRecord{Path: "/p", SHA256: "s"}, MakeRecord(base, "s", "/p"), s, testGrid)
			if !errors.Is(err, ErrBadEntry) {
				t.Errorf("err = %v, want ErrBadEntry", err)
			}
		})
	}
	e, err := NewEntry(FileRecord{Path: "/p", SHA256: "s"}, MakeRecord(base, "s", "/p"), base, testGrid)
	if err != nil {
		t.Fatalf("valid spectrum rejected: %v", err)
	}
	if e.Row.Ivar[3] != float32(base.Ivar[3]) || e.Row.Mask[4] != base.AndMask[4] || len(e.Row.OrMask) != testGrid.N {
		t.Errorf("shard row does not carry the spectrum: %+v", e.Row)
	}
}

func TestBestSNR(t *testing.T) {
	tests := []struct {
		u, g, r, i, z float64
		want          float64
	}{
		{1, 20, 3, 4, 5, 20},
		{1, nan, 3, 4, 5, 3.5},
		{nan, nan, 3, 9, nan, 6},
		{nan, nan, 8, nan, nan, 8},
		{2, nan, 1, 7, nan, 2},
		{nan, nan, nan, nan, nan, nan},
	}
	for _, tc := range tests {
		if got := BestSNR(tc.u, tc.g, tc.r, tc.i, tc.z); !sameFloat(got, tc.want) {
			t.Errorf("BestSNR(%v,%v,%v,%v,%v) = %v, want %v", tc.u, tc.g, tc.r, tc.i, tc.z, got, tc.want)
		}
	}
}

// TestLookupsUseIndexes guards against per-file lookups that scan a table
// or use an unselective index (which makes an ingest quadratic in the
// number of files).
func TestLookupsUseIndexes(t *testing.T) {
	w := openTest(t)
	tests := []struct{ query, index string }{
		{`SELECT path FROM files WHERE sha256 = 'x' AND status = 'ok' LIMIT 1`, "files_sha256"},
		{`SELECT ` + fileColumns + ` FROM files WHERE path = 'x'`, "sqlite_autoindex_files_1"},
		{`SELECT ` + recordColumns + ` FROM spectra WHERE id = 'x' OR file_sha256 = 'x' LIMIT 2`, "spectra_id"},
		{`DELETE FROM spectra WHERE path = 'x'`, "spectra_path"},
		{`SELECT snr FROM spectra WHERE snr IS NOT NULL ORDER BY snr LIMIT 2 OFFSET 5`, "spectra_snr"},
		{`SELECT ` + recordColumns + ` FROM spectra WHERE class = 'x' COLLATE NOCASE`, "spectra_class"},
	}
	for _, tc := range tests {
		rows, err := w.db.Query(`EXPLAIN QUERY PLAN ` + tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		if !strings.Contains(all, "INDEX "+tc.index) || strings.Contains(all, "SCAN") {
			t.Errorf("%s:\n plan %q, want a search using index %s", tc.query, all, tc.index)
		}
	}
}
