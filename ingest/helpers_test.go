package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// testGrid is the grid of the test spectra.
var testGrid = store.Grid{Log10Start: 3.6, Log10Step: 1e-3, N: 8}

// errParse reports a test input file that is not a spectrum.
var errParse = errors.New("not a test spectrum")

// textSpectrum is the content of a test input file: a header line
// "id=ID class=CLASS snr=SNR" and a line with testGrid.N flux values.
func textSpectrum(id, class string, snr float64, seed int) string {
	var flux []string
	for i := range testGrid.N {
		flux = append(flux, strconv.Itoa(seed*100+i))
	}
	return fmt.Sprintf("id=%s class=%s snr=%g\n%s\n", id, class, snr, strings.Join(flux, " "))
}

// readText is the injected reader: it parses textSpectrum files, panics on
// a file that says PANIC and fails on anything else.
func readText(path string) (*spectrum.Spectrum, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(string(b), "PANIC") {
		panic("reader exploded on " + filepath.Base(path))
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("%w: %d lines", errParse, len(lines))
	}
	s := &spectrum.Spectrum{WavelengthAA: testGrid.Wavelengths(), Vacuum: true, FluxUnit: "arb", Meta: spectrum.NewMeta()}
	var snr float64
	if _, err := fmt.Sscanf(lines[0], "id=%s class=%s snr=%g", &s.Meta.ID, &s.Meta.Class, &snr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", errParse, err)
	}
	s.Meta.SNR["g"] = snr
	s.Meta.Survey, s.Meta.Layout, s.Meta.SourceFile = spectrum.SurveyGeneric, spectrum.LayoutText, path
	for _, f := range strings.Fields(lines[1]) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: flux: %v", errParse, err)
		}
		s.Flux = append(s.Flux, v)
	}
	s.WavelengthAA = s.WavelengthAA[:min(len(s.Flux), len(s.WavelengthAA))] // short: not on the grid
	s.Ivar = make([]float64, len(s.Flux))
	for i := range s.Ivar {
		s.Ivar[i] = 1
	}
	return s, nil
}

// identity is the injected Prepare: the test spectra are already on testGrid.
func identity(s *spectrum.Spectrum) (*spectrum.Spectrum, error) { return s, nil }

// inputFile is one test input: a relative path and its content.
type inputFile struct{ name, content string }

// writeInputs writes files under dir.
func writeInputs(t testing.TB, dir string, files []inputFile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// manyInputs returns n distinct valid spectra spread over sub-directories,
// plus every 10th file duplicated and every 25th file corrupt.
func manyInputs(n int) (files []inputFile, unique int) {
	for i := range n {
		name := fmt.Sprintf("d%02d/s%05d.fits", i%7, i)
		switch {
		case i%25 == 24:
			files = append(files, inputFile{name, "corrupt"})
		case i%10 == 9:
			files = append(files, inputFile{name, textSpectrum(fmt.Sprint("S", i-1), "STAR", float64(i-1), i-1)})
		default:
			files = append(files, inputFile{name, textSpectrum(fmt.Sprint("S", i), "STAR", float64(i), i)})
			unique++
		}
	}
	return files, unique
}

// openWS opens a workspace and closes it at the end of the test.
func openWS(t testing.TB, dir string) *store.Workspace {
	t.Helper()
	ws, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// baseOptions returns options for a run of the test reader.
func baseOptions(ws *store.Workspace, paths ...string) Options {
	return Options{Paths: paths, Workspace: ws, Grid: testGrid, Read: readText, Prepare: identity, Workers: 3, ShardSize: 4}
}

// runOK runs an ingest that must succeed.
func runOK(t testing.TB, opts Options) Summary {
	t.Helper()
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if total := sum.Ingested + sum.Duplicates + sum.Failed + sum.Skipped; total != sum.Seen {
		t.Errorf("summary %+v does not add up to seen", sum)
	}
	return sum
}

// checkConsistent verifies the invariants of a workspace: every file is in
// the catalog once, with a valid status; every spectrum's shard row holds
// its sha256; every ok file has exactly one spectrum; every shard file is
// referenced; duplicates point at an ok file with the same content; and,
// unless replaced is set (files re-ingested after a change leave their old
// shard rows behind), every shard row is referenced by the catalog.
// It returns the files rows by path.
func checkConsistent(t testing.TB, ws *store.Workspace, replaced bool) map[string]store.FileRecord {
	t.Helper()
	files, err := ws.Files("", 0)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]store.FileRecord{}
	okSHA := map[string]string{}
	for _, f := range files {
		if _, dup := byPath[f.Path]; dup {
			t.Errorf("file %s in the catalog twice", f.Path)
		}
		byPath[f.Path] = f
		if f.Status == store.StatusOK {
			if p, seen := okSHA[f.SHA256]; seen {
				t.Errorf("content %s ingested twice: %s and %s", f.SHA256[:8], p, f.Path)
			}
			okSHA[f.SHA256] = f.Path
		}
	}
	for _, f := range files {
		if f.Status == store.StatusDuplicate && okSHA[f.SHA256] != f.DuplicateOf {
			t.Errorf("duplicate %s points at %q, ok file with its content is %q", f.Path, f.DuplicateOf, okSHA[f.SHA256])
		}
		if f.Status == store.StatusFailed && f.Error == "" {
			t.Errorf("failed file %s without a reason", f.Path)
		}
	}
	recs, err := ws.Query(store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(okSHA) {
		t.Errorf("%d spectra for %d ok files", len(recs), len(okSHA))
	}
	shards := map[string][]store.ShardRow{}
	for _, r := range recs {
		if okSHA[r.SHA256] != r.Path {
			t.Errorf("spectrum %s from %s has no ok file row", r.ID, r.Path)
		}
		rows, ok := shards[r.Shard]
		if !ok {
			if rows, err = store.ReadShard(ws.ShardPath(r.Shard)); err != nil {
				t.Fatalf("shard of %s: %v", r.ID, err)
			}
			shards[r.Shard] = rows
		}
		if r.ShardRow >= len(rows) || rows[r.ShardRow].SHA256 != r.SHA256 {
			t.Errorf("spectrum %s: shard %s row %d does not hold it", r.ID, r.Shard, r.ShardRow)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(ws.Dir(), store.ShardsDir))
	for _, e := range entries {
		if rows, ok := shards[e.Name()]; !ok {
			// A shard whose every row was replaced by a changed file is
			// left for the next store.Open to remove.
			if !replaced {
				t.Errorf("shard file %s not referenced by the catalog", e.Name())
			}
		} else if refs := countShard(recs, e.Name()); refs != len(rows) && !replaced {
			t.Errorf("shard %s has %d rows, catalog references %d", e.Name(), len(rows), refs)
		}
	}
	return byPath
}

func countShard(recs []store.Record, shard string) int {
	n := 0
	for _, r := range recs {
		if r.Shard == shard {
			n++
		}
	}
	return n
}
