package ingest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/astroone/astroone-go/store"
)

// TestChangedFilesLoseNothing: when files change between runs, every
// content still on disk stays ingested exactly once, including content
// that was only recorded through a duplicate.
func TestChangedFilesLoseNothing(t *testing.T) {
	x := textSpectrum("X", "STAR", 10, 1)
	y := textSpectrum("Y", "QSO", 20, 2)
	cases := []struct {
		name         string
		before       []inputFile
		after        []inputFile
		wantOK       map[string]string // path -> id of its spectrum
		wantDupOf    map[string]string // path -> original
		wantIngested int64             // spectra added by the second run
	}{
		{
			name:   "original changes, its duplicate inherits the old content",
			before: []inputFile{{"a.fits", x}, {"b.fits", x}},
			after:  []inputFile{{"a.fits", y}},
			wantOK: map[string]string{"a.fits": "Y", "b.fits": "X"}, wantIngested: 1,
		},
		{
			name:   "content moves to a new file after the changed one",
			before: []inputFile{{"a.fits", x}},
			after:  []inputFile{{"a.fits", y}, {"b.fits", x}},
			wantOK: map[string]string{"a.fits": "Y", "b.fits": "X"}, wantIngested: 2,
		},
		{
			name:   "content moves to a new file before the changed one",
			before: []inputFile{{"z.fits", x}},
			after:  []inputFile{{"z.fits", y}, {"b.fits", x}},
			wantOK: map[string]string{"z.fits": "Y", "b.fits": "X"}, wantIngested: 1,
		},
		{
			name:   "two files swap contents",
			before: []inputFile{{"a.fits", x}, {"b.fits", y}},
			after:  []inputFile{{"a.fits", y}, {"b.fits", x}},
			wantOK: map[string]string{"a.fits": "Y", "b.fits": "X"}, wantIngested: 1,
		},
		{
			name:      "a touched original keeps its duplicates",
			before:    []inputFile{{"a.fits", x}, {"b.fits", x}},
			after:     []inputFile{{"a.fits", x}},
			wantOK:    map[string]string{"a.fits": "X"},
			wantDupOf: map[string]string{"b.fits": "a.fits"}, wantIngested: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := t.TempDir()
			writeInputs(t, in, c.before)
			ws := openWS(t, filepath.Join(t.TempDir(), "ws"))
			runOK(t, baseOptions(ws, in))
			writeInputs(t, in, c.after)
			future := time.Now().Add(time.Hour)
			for _, f := range c.after {
				os.Chtimes(filepath.Join(in, f.name), future, future)
			}
			sum := runOK(t, baseOptions(ws, in))
			if sum.Ingested != c.wantIngested {
				t.Errorf("second run ingested %d, want %d (%+v)", sum.Ingested, c.wantIngested, sum)
			}
			files := checkConsistent(t, ws, true)
			for name, id := range c.wantOK {
				p := filepath.Join(in, name)
				if f := files[p]; f.Status != store.StatusOK {
					t.Errorf("%s: %+v, want ok", name, f)
				}
				rec, err := ws.Record(id)
				if err != nil || rec.Path != p {
					t.Errorf("spectrum %s: path %q, %v; want %s", id, rec.Path, err, p)
				}
			}
			for name, orig := range c.wantDupOf {
				if f := files[filepath.Join(in, name)]; f.Status != store.StatusDuplicate || f.DuplicateOf != filepath.Join(in, orig) {
					t.Errorf("%s: %+v, want duplicate of %s", name, f, orig)
				}
			}
		})
	}
}
