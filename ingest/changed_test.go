package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/astroone/astroone-go/spectrum"
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
			name:   "original changes while a duplicate and a new copy hold its old content",
			before: []inputFile{{"a.fits", x}, {"c.fits", x}},
			after:  []inputFile{{"a.fits", y}, {"b.fits", x}},
			wantOK: map[string]string{"a.fits": "Y", "c.fits": "X"}, wantDupOf: map[string]string{"b.fits": "c.fits"}, wantIngested: 1,
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
		for _, shard := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/shard %d", c.name, shard), func(t *testing.T) {
				checkChange(t, c.before, c.after, shard, nil, c.wantOK, c.wantDupOf, c.wantIngested)
			})
		}
	}
	// The same bytes, now failing (a stricter reader, a read error): the
	// content leaves the path, and its duplicate inherits it.
	t.Run("original now fails with the same bytes", func(t *testing.T) {
		failA := func(path string) (*spectrum.Spectrum, error) {
			if filepath.Base(path) == "a.fits" {
				return nil, errors.New("now unreadable")
			}
			return readText(path)
		}
		checkChange(t, []inputFile{{"a.fits", x}, {"b.fits", x}}, []inputFile{{"a.fits", x}}, 4, failA,
			map[string]string{"b.fits": "X"}, nil, 0)
	})
}

// checkChange ingests before, rewrites the after files with a new mtime,
// ingests again (with read, when set) and checks the outcome: the files
// in wantOK hold the spectrum with the given id, those in wantDupOf are
// duplicates of the given file, and the second run added wantIngested.
func checkChange(t *testing.T, before, after []inputFile, shard int, read func(string) (*spectrum.Spectrum, error),
	wantOK, wantDupOf map[string]string, wantIngested int64) {
	t.Helper()
	in := t.TempDir()
	writeInputs(t, in, before)
	ws := openWS(t, filepath.Join(t.TempDir(), "ws"))
	opts := baseOptions(ws, in)
	opts.ShardSize = shard
	runOK(t, opts)
	writeInputs(t, in, after)
	future := time.Now().Add(time.Hour)
	for _, f := range after {
		os.Chtimes(filepath.Join(in, f.name), future, future)
	}
	if read != nil {
		opts.Read = read
	}
	sum := runOK(t, opts)
	if sum.Ingested != wantIngested {
		t.Errorf("second run ingested %d, want %d (%+v)", sum.Ingested, wantIngested, sum)
	}
	files := checkConsistent(t, ws, true)
	for name, id := range wantOK {
		p := filepath.Join(in, name)
		if f := files[p]; f.Status != store.StatusOK {
			t.Errorf("%s: %+v, want ok", name, f)
		}
		rec, err := ws.Record(id)
		if err != nil || rec.Path != p {
			t.Errorf("spectrum %s: path %q, %v; want %s", id, rec.Path, err, p)
		}
	}
	for name, orig := range wantDupOf {
		if f := files[filepath.Join(in, name)]; f.Status != store.StatusDuplicate || f.DuplicateOf != filepath.Join(in, orig) {
			t.Errorf("%s: %+v, want duplicate of %s", name, f, orig)
		}
	}
}
