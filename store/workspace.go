// Package store holds an AstroOne workspace: a directory with a catalog
// (catalog.sqlite, SQLite in WAL mode) and spectra shards (shards/*.parquet).
//
// The catalog has one row per input file (table files: ok, duplicate or
// failed with its reason) and one row per ingested spectrum (table spectra:
// its metadata and where its pixels live). A shard holds up to a few
// thousand spectra resampled onto the workspace's common log-linear
// wavelength grid (see Grid), one Parquet row per spectrum.
//
// Crash safety: a shard is written under a temporary name in shards/,
// fsynced and renamed; the catalog rows that reference it are committed in
// one transaction only after the rename. Open removes temporary files and
// shards that no catalog row references, so a crash at any point leaves a
// consistent workspace: either a shard and all of its rows, or neither.
package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// SchemaVersion is the catalog and shard schema version this package reads
// and writes; it is recorded in the meta table under key "schema_version".
// Version 2 added the spectra.zwarning column and the shards' or_mask
// column; workspaces of another version are refused (ErrSchemaVersion).
const SchemaVersion = 2

// File and directory names inside a workspace.
const (
	CatalogName = "catalog.sqlite"
	ShardsDir   = "shards"
	lockName    = ".lock"
)

// Errors reported by Open and the catalog; they are wrapped with context.
var (
	// ErrLocked: another process holds the workspace open for writing.
	ErrLocked = errors.New("workspace is locked by another process")
	// ErrSchemaVersion: the catalog was written with another schema version
	// (re-ingest into a new workspace).
	ErrSchemaVersion = errors.New("unsupported catalog schema version")
	// ErrGridMismatch: a grid differs from the one the workspace already uses.
	ErrGridMismatch = errors.New("grid differs from the workspace grid")
	// ErrNotFound: no spectrum or file with the requested key.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous: more than one spectrum has the requested id.
	ErrAmbiguous = errors.New("ambiguous spectrum id")
	// ErrReadOnly: a write was attempted on a workspace opened read-only.
	ErrReadOnly = errors.New("workspace opened read-only")
)

// Workspace is an open workspace. Its methods are safe for concurrent use;
// writes (Commit, SetGrid) are serialised.
type Workspace struct {
	dir      string
	db       *sql.DB
	readOnly bool
	unlock   func() error

	mu        sync.Mutex // serialises writes and guards nextShard
	nextShard int

	stmts sync.Map // query text -> *sql.Stmt, for the per-file lookups of ingest
}

// stmt returns a prepared statement for query, preparing it on first use:
// the per-file lookups run once per input file, and preparing the SQL
// each time cost more than running it.
func (w *Workspace) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := w.db.Prepare(query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := w.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Dir returns the workspace directory.
func (w *Workspace) Dir() string { return w.dir }

// ShardPath returns the path of the shard file with the given name (as
// stored in Record.Shard).
func (w *Workspace) ShardPath(name string) string {
	return filepath.Join(w.dir, ShardsDir, name)
}

// Open opens the workspace in dir for reading and writing, creating the
// directory, catalog and shards directory if needed. It takes an exclusive
// lock on the workspace (ErrLocked if another process holds it) and recovers
// from an interrupted write: it removes temporary shard files and shards
// that no catalog row references.
func Open(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, ShardsDir), 0o755); err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	unlock, err := lockFile(filepath.Join(abs, lockName))
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	w := &Workspace{dir: abs, unlock: unlock}
	if err := w.openDB(false); err != nil {
		unlock()
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	if err := w.recover(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open workspace %s: recover: %w", dir, err)
	}
	return w, nil
}

// OpenReadOnly opens an existing workspace for queries only. It takes no
// lock, so it can be used while another process ingests: it sees the
// catalog as of the last committed shard.
func OpenReadOnly(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(abs, CatalogName)); err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	w := &Workspace{dir: abs, readOnly: true}
	if err := w.openDB(true); err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	return w, nil
}

// Close closes the catalog and releases the workspace lock.
func (w *Workspace) Close() error {
	w.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := w.db.Close()
	if w.unlock != nil {
		if uerr := w.unlock(); err == nil {
			err = uerr
		}
		w.unlock = nil
	}
	if err != nil {
		return fmt.Errorf("close workspace %s: %w", w.dir, err)
	}
	return nil
}

func (w *Workspace) openDB(readOnly bool) error {
	params := "_busy_timeout=30000&_txlock=immediate"
	if readOnly {
		params += "&mode=ro"
	} else {
		params += "&_journal_mode=WAL&_synchronous=FULL"
	}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(filepath.Join(w.dir, CatalogName))}).EscapedPath() + "?" + params
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	w.db = db
	if err := w.migrate(readOnly); err != nil {
		db.Close()
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
	path         TEXT NOT NULL UNIQUE,
	size         INTEGER NOT NULL,
	mtime        INTEGER NOT NULL,
	sha256       TEXT,
	status       TEXT NOT NULL CHECK (status IN ('ok', 'duplicate', 'failed')),
	error        TEXT,
	duplicate_of TEXT,
	ingested_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256, status);
CREATE TABLE IF NOT EXISTS spectra (
	id             TEXT NOT NULL,
	file_sha256    TEXT NOT NULL UNIQUE,
	path           TEXT NOT NULL,
	survey         TEXT NOT NULL,
	layout         TEXT NOT NULL,
	data_release   TEXT NOT NULL,
	designation    TEXT NOT NULL,
	ra             REAL,
	dec            REAL,
	class          TEXT NOT NULL,
	subclass       TEXT NOT NULL,
	z              REAL,
	z_err          REAL,
	zwarning       INTEGER,
	snr            REAL,
	snr_u          REAL,
	snr_g          REAL,
	snr_r          REAL,
	snr_i          REAL,
	snr_z          REAL,
	npix_native    INTEGER NOT NULL,
	wavelength_min REAL,
	wavelength_max REAL,
	vacuum         INTEGER NOT NULL,
	flux_unit      TEXT NOT NULL,
	shard          TEXT NOT NULL,
	shard_row      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS spectra_id ON spectra(id);
CREATE INDEX IF NOT EXISTS spectra_class ON spectra(class COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS spectra_snr_g ON spectra(snr_g);
CREATE INDEX IF NOT EXISTS spectra_snr ON spectra(snr);
CREATE INDEX IF NOT EXISTS spectra_shard ON spectra(shard);
CREATE INDEX IF NOT EXISTS spectra_path ON spectra(path);
`

// migrate checks the schema version and creates the schema in a new
// catalog.
func (w *Workspace) migrate(readOnly bool) error {
	var tables int
	if err := w.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if tables > 0 {
		var v string
		err := w.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if n, perr := strconv.Atoi(v); perr != nil || n != SchemaVersion {
			return fmt.Errorf("%w: catalog has %q, this program reads %d: ingest the files into a new workspace", ErrSchemaVersion, v, SchemaVersion)
		}
		return nil
	}
	if readOnly {
		return fmt.Errorf("%w: no catalog schema", ErrNotFound)
	}
	tx, err := w.db.Begin()
	if err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)`, strconv.Itoa(SchemaVersion)); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

var shardNameRE = regexp.MustCompile(`^shard-([0-9]{6,})\.parquet$`)

// isTempShard reports whether name is a temporary file left by WriteShard.
func isTempShard(name string) bool {
	return strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix)
}

// recover removes temporary shard files and shards that no catalog row
// references, and sets the number of the next shard.
func (w *Workspace) recover() error {
	referenced := map[string]bool{}
	rows, err := w.db.Query(`SELECT DISTINCT shard FROM spectra`)
	if err != nil {
		return fmt.Errorf("list referenced shards: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("list referenced shards: %w", err)
		}
		referenced[s] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list referenced shards: %w", err)
	}
	dir := filepath.Join(w.dir, ShardsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	maxNum := 0
	for _, e := range entries {
		name := e.Name()
		m := shardNameRE.FindStringSubmatch(name)
		switch {
		case isTempShard(name), m != nil && !referenced[name]:
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("remove orphan %s: %w", name, err)
			}
		case m != nil:
			maxNum = max(maxNum, atoiOr0(m[1]))
		}
	}
	for name := range referenced {
		if m := shardNameRE.FindStringSubmatch(name); m != nil {
			maxNum = max(maxNum, atoiOr0(m[1]))
		}
	}
	w.nextShard = maxNum + 1
	return syncDir(dir)
}

func atoiOr0(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// syncDir fsyncs a directory so that renames and removals in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return fmt.Errorf("sync %s: %w", dir, serr)
	}
	return cerr
}

// Grid returns the workspace's wavelength grid; ok is false when no grid
// has been set yet (an empty workspace).
func (w *Workspace) Grid() (g Grid, ok bool, err error) {
	vals := make([]string, 3)
	for i, k := range []string{"grid_log10_start", "grid_log10_step", "grid_n"} {
		err := w.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, k).Scan(&vals[i])
		if errors.Is(err, sql.ErrNoRows) {
			return Grid{}, false, nil
		}
		if err != nil {
			return Grid{}, false, fmt.Errorf("read grid: %w", err)
		}
	}
	g, err = parseGrid(vals[0], vals[1], vals[2])
	if err != nil {
		return Grid{}, false, fmt.Errorf("read grid from catalog: %w", err)
	}
	return g, true, nil
}

// SetGrid records g as the workspace grid. It is a no-op when the workspace
// already has the same grid and fails with ErrGridMismatch when it has a
// different one: all shards of a workspace share one grid.
func (w *Workspace) SetGrid(g Grid) error {
	if w.readOnly {
		return ErrReadOnly
	}
	if err := CheckGrid(g); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	old, ok, err := w.Grid()
	if err != nil {
		return err
	}
	if ok {
		if !old.Equal(g) {
			return fmt.Errorf("%w: workspace has %v, got %v", ErrGridMismatch, old, g)
		}
		return nil
	}
	tx, err := w.db.Begin()
	if err != nil {
		return fmt.Errorf("set grid: %w", err)
	}
	defer tx.Rollback()
	for k, v := range gridKeyValues(g, "grid_") {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, k, v); err != nil {
			return fmt.Errorf("set grid: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set grid: %w", err)
	}
	return nil
}

// nullFloat maps NaN and ±Inf to SQL NULL.
func nullFloat(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

// floatOrNaN maps SQL NULL to NaN.
func floatOrNaN(x sql.NullFloat64) float64 {
	if !x.Valid {
		return math.NaN()
	}
	return x.Float64
}
