package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOpenCreatesAndLocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{CatalogName, ShardsDir} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
	var mode string
	if err := w.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open err = %v, want ErrLocked", err)
	}
	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("OpenReadOnly while locked: %v", err)
	}
	if err := ro.Commit(nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Commit err = %v", err)
	}
	ro.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2, err := Open(dir)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	w2.Close()
	if _, err := OpenReadOnly(filepath.Join(dir, "nope")); err == nil {
		t.Error("OpenReadOnly of a missing workspace succeeded")
	}
}

func TestSchemaVersion(t *testing.T) {
	tests := []struct {
		version string
		wantErr bool
	}{{"2", false}, {"1", true}, {"3", true}, {"x", true}}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			dir := t.TempDir()
			w, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			w.db.Exec(`UPDATE meta SET value = ? WHERE key = 'schema_version'`, tc.version)
			w.Close()
			w, err = Open(dir)
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("Open err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrSchemaVersion) {
					t.Errorf("err = %v, want ErrSchemaVersion", err)
				}
				return
			}
			w.Close()
		})
	}
}

func TestGridMeta(t *testing.T) {
	w := openTest(t)
	g, ok, err := w.Grid()
	if err != nil || !ok || !g.Equal(testGrid) {
		t.Fatalf("Grid() = %v, %v, %v", g, ok, err)
	}
	if err := w.SetGrid(testGrid); err != nil {
		t.Errorf("SetGrid(same) = %v", err)
	}
	other := testGrid
	other.N++
	if err := w.SetGrid(other); !errors.Is(err, ErrGridMismatch) {
		t.Errorf("SetGrid(other) = %v, want ErrGridMismatch", err)
	}
	if err := w.SetGrid(Grid{}); !errors.Is(err, ErrBadGrid) {
		t.Errorf("SetGrid(zero) = %v, want ErrBadGrid", err)
	}
}

// TestRecovery simulates crashes between shard rename and catalog commit
// and during a shard write: Open must remove the unreferenced shard and the
// temporary file, keep the referenced shard, and number new shards after
// every shard that ever existed.
func TestRecovery(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.SetGrid(testGrid)
	e := okEntry(t, "a.fits", specOpts{id: "a", ra: nan}, 0)
	if err := w.Commit([]Entry{e}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	shards := filepath.Join(dir, ShardsDir)
	// A shard renamed but never committed, and a half-written temp file.
	orphan := filepath.Join(shards, "shard-000007.parquet")
	if err := WriteShard(orphan, testGrid, []ShardRow{okEntry(t, "b.fits", specOpts{id: "b"}, 1).Row}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shards, tempPrefix+"123"+tempSuffix), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(shards, "README"), []byte("not ours"), 0o644)

	w, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var names []string
	entries, _ := os.ReadDir(shards)
	for _, de := range entries {
		names = append(names, de.Name())
	}
	want := []string{"README", "shard-000001.parquet"}
	if !slices.Equal(names, want) {
		t.Errorf("shards after recovery = %v, want %v", names, want)
	}
	if w.nextShard != 2 {
		t.Errorf("nextShard = %d, want 2", w.nextShard)
	}
	if _, err := w.LoadSpectrum("a"); err != nil {
		t.Errorf("committed spectrum lost: %v", err)
	}
}

// TestCommitFailureRemovesShard: a transaction that fails (here: the same
// path committed twice in one batch) leaves neither catalog rows nor a
// shard.
func TestCommitFailureRemovesShard(t *testing.T) {
	w := openTest(t)
	a := okEntry(t, "a.fits", specOpts{id: "a"}, 0)
	if err := w.Commit([]Entry{a}); err != nil {
		t.Fatal(err)
	}
	newFile := okEntry(t, "c.fits", specOpts{id: "c"}, 2)
	if err := w.Commit([]Entry{newFile, newFile}); err == nil {
		t.Fatal("commit of one path twice succeeded")
	}
	entries, _ := os.ReadDir(filepath.Join(w.Dir(), ShardsDir))
	if len(entries) != 1 {
		t.Errorf("shards dir has %d entries, want 1", len(entries))
	}
	if _, found, _ := w.File(newFile.File.Path); found {
		t.Error("row of the failed batch was committed")
	}
}

// TestCommitMakesDuplicates: an ok entry whose content is already ingested
// from another path is stored as a duplicate of it, whatever the caller
// decided (the catalog has the last word).
func TestCommitMakesDuplicates(t *testing.T) {
	w := openTest(t)
	a := okEntry(t, "a.fits", specOpts{id: "a"}, 0)
	if err := w.Commit([]Entry{a}); err != nil {
		t.Fatal(err)
	}
	again := okEntry(t, "a.fits", specOpts{id: "a"}, 0)
	again.File.Path = "/elsewhere/a.fits"
	batch := []Entry{again}
	if err := w.Commit(batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].File.Status != StatusDuplicate || batch[0].File.DuplicateOf != a.File.Path {
		t.Errorf("entry after commit: %+v, want a duplicate of %s", batch[0].File, a.File.Path)
	}
	f, found, err := w.File("/elsewhere/a.fits")
	if err != nil || !found || f.Status != StatusDuplicate || f.DuplicateOf != a.File.Path {
		t.Errorf("files row %+v %v %v", f, found, err)
	}
	if recs, _ := w.Query(Query{}); len(recs) != 1 {
		t.Errorf("%d spectra, want 1", len(recs))
	}
}
