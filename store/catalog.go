package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/astroone/astroone-go/spectrum"
)

// Status is the outcome of ingesting one input file.
type Status string

// File statuses.
const (
	StatusOK        Status = "ok"        // its spectrum is in a shard and in table spectra
	StatusDuplicate Status = "duplicate" // same sha256 as an ingested file (DuplicateOf)
	StatusFailed    Status = "failed"    // could not be read or prepared (Error says why)
)

func (s Status) valid() bool {
	return s == StatusOK || s == StatusDuplicate || s == StatusFailed
}

// FileRecord is one row of table files: an input file and its outcome.
type FileRecord struct {
	Path        string    // absolute path as ingested
	Size        int64     // bytes, at ingestion
	ModTime     time.Time // modification time at ingestion (stored as Unix ns in column mtime)
	SHA256      string    // hex digest of the file's bytes; empty if it could not be read
	Status      Status    // ok, duplicate or failed
	Error       string    // reason of a failure; empty otherwise
	DuplicateOf string    // for a duplicate: path of the ingested file with the same sha256
	IngestedAt  time.Time // when its catalog row was committed (UTC)
}

// Record is one row of table spectra: the metadata of an ingested spectrum
// and where its pixels are. Unknown numbers are NaN (NULL in the catalog),
// unknown strings are empty.
type Record struct {
	ID              string  // spectrum id from the file (OBSID, PLATE-MJD-FIBER, ...); not unique
	SHA256          string  // sha256 of the source file; unique
	Path            string  // source file
	Survey          string  // LAMOST, SDSS or generic
	Layout          string  // file layout it was read from (spectrum.Layout)
	DataRelease     string  // survey data release (LAMOST DATA_V, SDSS RELEASE/RUN2D)
	Designation     string  // survey designation, e.g. LAMOST "J220848.54-020324.3"
	RA, Dec         float64 // degrees, J2000; NaN when unknown
	Class, Subclass string  // survey pipeline class and subclass (e.g. STAR, G7)
	// Z is the pipeline redshift (for stars RV/c, as surveys report it) and
	// ZErr its uncertainty; ZWarning the survey's redshift warning bits
	// (SDSS ZWARNING, 0 = none), -1 when the file has none.
	Z, ZErr  float64
	ZWarning int64
	// SNR is the best available S/N: the g band if known, else the median
	// of the known bands, else NaN. Query.MinSNR filters on it.
	SNR                              float64
	SNRU, SNRG, SNRR, SNRI, SNRZ     float64 // per-band S/N from the file header
	NPixNative                       int     // pixels in the file before resampling
	WavelengthMinAA, WavelengthMaxAA float64 // native wavelength range, Å
	Vacuum                           bool    // native wavelengths are vacuum (shards are always vacuum)
	FluxUnit                         string  // unit of the flux in the shard
	Shard                            string  // shard file name under shards/
	ShardRow                         int     // row index in the shard
}

// Entry is one input file's contribution to a Commit: its files row and,
// for StatusOK, its spectra row and shard row (as made by NewEntry).
type Entry struct {
	File FileRecord // the files row; Status decides which other fields count
	// Replace removes an existing catalog row for File.Path (and the
	// spectrum ingested from it) before inserting: used when a file changed
	// since it was ingested, or when a failed file is retried. If files
	// were recorded as duplicates of the old content, the old spectrum
	// passes to the first of them instead of being removed; otherwise its
	// shard row stays in its shard, unreferenced.
	Replace bool
	Record  Record   // the spectra row (StatusOK only)
	Row     ShardRow // the pixels on the grid (StatusOK only)
}

// ErrBadEntry reports an Entry that cannot be committed or built.
var ErrBadEntry = errors.New("invalid catalog entry")

// NewEntry builds the entry of a successfully read file: rec is the
// metadata of the spectrum as read (MakeRecord, taken before resampling),
// prepared is the spectrum resampled onto g. It fails with ErrBadEntry when
// prepared is not on g (see CheckOnGrid).
func NewEntry(file FileRecord, rec Record, prepared *spectrum.Spectrum, g Grid) (Entry, error) {
	if prepared == nil {
		return Entry{}, fmt.Errorf("%w: nil spectrum", ErrBadEntry)
	}
	if err := CheckOnGrid(prepared, g); err != nil {
		return Entry{}, err
	}
	if prepared.Ivar == nil {
		return Entry{}, fmt.Errorf("%w: the file gives no uncertainties (neither inverse variance nor σ); a workspace keeps the inverse variance of every pixel", ErrBadEntry)
	}
	file.Status = StatusOK
	rec.SHA256, rec.Path, rec.FluxUnit = file.SHA256, file.Path, prepared.FluxUnit
	row := ShardRow{ID: rec.ID, SHA256: file.SHA256, Flux: toFloat32(prepared.Flux), Ivar: toFloat32(prepared.Ivar),
		Mask: make([]uint32, g.N), OrMask: make([]uint32, g.N)}
	copy(row.Mask, prepared.AndMask)
	copy(row.OrMask, prepared.OrMask)
	good := 0
	for i := range row.Flux {
		f, v := row.Flux[i], row.Ivar[i]
		if f-f != 0 || v-v != 0 { // NaN or ±Inf
			if pf, pv := prepared.Flux[i], prepared.Ivar[i]; pf-pf != 0 || pv-pv != 0 {
				return Entry{}, fmt.Errorf("%w: pixel %d has flux %g, ivar %g: not finite", ErrBadEntry, i, pf, pv)
			}
			return Entry{}, fmt.Errorf("%w: pixel %d (flux %g, ivar %g) does not fit in float32; rescale the flux (e.g. to 1e-17 erg/s/cm²/Å)",
				ErrBadEntry, i, prepared.Flux[i], prepared.Ivar[i])
		}
		if v > 0 && (row.Mask[i]|row.OrMask[i])&spectrum.MaskBad == 0 {
			good++
		}
	}
	if good == 0 {
		return Entry{}, fmt.Errorf("%w: no usable pixel on the workspace grid (%.1f–%.1f Å); the spectrum covers %.1f–%.1f Å",
			ErrBadEntry, g.WavelengthAA(0), g.WavelengthAA(g.N-1), rec.WavelengthMinAA, rec.WavelengthMaxAA)
	}
	return Entry{File: file, Record: rec, Row: row}, nil
}

// CheckOnGrid verifies that s is sampled on g: same number of pixels,
// vacuum wavelengths, first and last wavelengths within 1e-6 (relative),
// and consistent per-pixel arrays. The error wraps ErrBadEntry.
func CheckOnGrid(s *spectrum.Spectrum, g Grid) error {
	if err := CheckGrid(g); err != nil {
		return err
	}
	n := s.Len()
	switch {
	case n != g.N:
		return fmt.Errorf("%w: prepared spectrum has %d pixels, grid has %d", ErrBadEntry, n, g.N)
	case len(s.WavelengthAA) != n || (s.Ivar != nil && len(s.Ivar) != n) ||
		(s.AndMask != nil && len(s.AndMask) != n) || (s.OrMask != nil && len(s.OrMask) != n):
		return fmt.Errorf("%w: prepared spectrum arrays differ in length", ErrBadEntry)
	case !s.Vacuum:
		return fmt.Errorf("%w: prepared spectrum has air wavelengths; the grid is vacuum", ErrBadEntry)
	}
	for _, i := range []int{0, n - 1} {
		want := g.WavelengthAA(i)
		if got := s.WavelengthAA[i]; !(math.Abs(got-want) <= 1e-6*want) {
			return fmt.Errorf("%w: prepared wavelength[%d]=%g Å, grid has %g Å", ErrBadEntry, i, got, want)
		}
	}
	return nil
}

func toFloat32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// MakeRecord extracts the catalog metadata of a spectrum as read from the
// file at path with the given sha256: its header metadata, native pixel
// count and wavelength range. A spectrum without an id gets the first 16
// hex digits of sha256. Shard, ShardRow and FluxUnit are set by NewEntry
// and Commit. s must be valid (spectrum.Validate): its wavelengths increase.
func MakeRecord(s *spectrum.Spectrum, sha256, path string) Record {
	m := s.Meta
	snr := func(band string) float64 {
		if v, ok := m.SNR[band]; ok && !math.IsInf(v, 0) {
			return v
		}
		return math.NaN()
	}
	r := Record{
		ID: m.ID, SHA256: sha256, Path: path, Survey: m.Survey, Layout: string(m.Layout),
		DataRelease: m.DataRelease, Designation: m.Designation, RA: m.RA, Dec: m.Dec,
		Class: m.Class, Subclass: m.Subclass, Z: m.Z, ZErr: m.ZErr, ZWarning: m.ZWarning,
		SNRU: snr("u"), SNRG: snr("g"), SNRR: snr("r"), SNRI: snr("i"), SNRZ: snr("z"),
		NPixNative: s.Len(), WavelengthMinAA: math.NaN(), WavelengthMaxAA: math.NaN(), Vacuum: s.Vacuum,
	}
	if r.ID == "" && len(sha256) >= 16 {
		r.ID = sha256[:16]
	}
	r.SNR = BestSNR(r.SNRU, r.SNRG, r.SNRR, r.SNRI, r.SNRZ)
	if n := len(s.WavelengthAA); n > 0 { // increasing (valid): the ends are the extremes
		r.WavelengthMinAA, r.WavelengthMaxAA = s.WavelengthAA[0], s.WavelengthAA[n-1]
	}
	return r
}

// BestSNR returns the S/N used for filtering: g if it is known (not NaN),
// else the median of the known bands u, g, r, i, z, else NaN.
func BestSNR(u, g, r, i, z float64) float64 {
	if !math.IsNaN(g) {
		return g
	}
	var known []float64
	for _, v := range []float64{u, r, i, z} {
		if !math.IsNaN(v) {
			known = append(known, v)
		}
	}
	if len(known) == 0 {
		return math.NaN()
	}
	slices.Sort(known)
	k := len(known)
	if k%2 == 1 {
		return known[k/2]
	}
	return (known[k/2-1] + known[k/2]) / 2
}

func (e *Entry) validate() error {
	f := &e.File
	switch {
	case f.Path == "":
		return fmt.Errorf("%w: empty path", ErrBadEntry)
	case !f.Status.valid():
		return fmt.Errorf("%w: %s: status %q", ErrBadEntry, f.Path, f.Status)
	case f.Status == StatusOK && (f.SHA256 == "" || e.Row.SHA256 != f.SHA256 || e.Record.SHA256 != f.SHA256):
		return fmt.Errorf("%w: %s: ok entry without matching sha256 in record and row", ErrBadEntry, f.Path)
	case f.Status == StatusDuplicate && (f.SHA256 == "" || f.DuplicateOf == ""):
		return fmt.Errorf("%w: %s: duplicate without sha256 or original", ErrBadEntry, f.Path)
	}
	return nil
}

// Commit records a batch atomically: the shard rows of its StatusOK entries
// go to a new shard file (written with WriteShard before anything is
// committed), then every files row and spectra row is inserted in one
// transaction. If the transaction fails the new shard is removed (or, after
// a crash, by the next Open). The workspace grid must be set (SetGrid).
// Commit fills in Record.Shard, Record.ShardRow and IngestedAt of entries.
func (w *Workspace) Commit(entries []Entry) (err error) {
	if w.readOnly {
		return ErrReadOnly
	}
	for i := range entries {
		if err := entries[i].validate(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var rows []ShardRow
	shard := ""
	for i := range entries {
		if entries[i].File.Status == StatusOK {
			if shard == "" {
				shard = fmt.Sprintf("shard-%06d.parquet", w.nextShard)
			}
			entries[i].Record.Shard, entries[i].Record.ShardRow = shard, len(rows)
			rows = append(rows, entries[i].Row)
		}
	}
	if shard != "" {
		g, ok, gerr := w.Grid()
		if gerr != nil {
			return fmt.Errorf("commit: %w", gerr)
		}
		if !ok {
			return fmt.Errorf("commit: %w: workspace has no grid (call SetGrid)", ErrBadGrid)
		}
		path := w.ShardPath(shard)
		if werr := WriteShard(path, g, rows); werr != nil {
			return fmt.Errorf("commit: %w", werr)
		}
		w.nextShard++
		defer func() {
			if err != nil { // the named result: the transaction failed
				os.Remove(path) // unreferenced; Open would remove it anyway
			}
		}()
	}
	now := time.Now().UTC()
	tx, err := w.db.Begin()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	defer tx.Rollback()
	ins := &inserter{tx: tx}
	defer ins.close()
	for i := range entries {
		entries[i].File.IngestedAt = now
		if err := ins.insert(&entries[i]); err != nil {
			return fmt.Errorf("commit %s: %w", entries[i].File.Path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Statements of a commit, each prepared once per transaction.
const (
	sqlOldOK         = `SELECT sha256 FROM files WHERE path = ? AND status = 'ok'`
	sqlOtherOK       = `SELECT path FROM files WHERE sha256 = ? AND status = 'ok' AND path <> ? LIMIT 1`
	sqlFirstDup      = `SELECT path FROM files WHERE duplicate_of = ? AND sha256 = ? AND status = 'duplicate' ORDER BY path LIMIT 1`
	sqlReparent      = `UPDATE spectra SET path = ? WHERE path = ?`
	sqlPromote       = `UPDATE files SET status = 'ok', duplicate_of = NULL WHERE path = ?`
	sqlRepoint       = `UPDATE files SET duplicate_of = ? WHERE duplicate_of = ? AND sha256 = ? AND path <> ?`
	sqlDeleteSpectra = `DELETE FROM spectra WHERE path = ?`
	sqlDeleteFile    = `DELETE FROM files WHERE path = ?`
	sqlInsertFile    = `INSERT INTO files(path, size, mtime, sha256, status, error, duplicate_of, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

var sqlInsertSpectrum = `INSERT INTO spectra(` + recordColumns + `) VALUES (` + strings.Repeat("?, ", 26) + `?)`

// inserter writes entries within one transaction, preparing each
// statement on first use (a commit inserts thousands of rows).
type inserter struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (in *inserter) exec(query string, args ...any) error {
	st, err := in.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.Exec(args...)
	return err
}

func (in *inserter) stmt(query string) (*sql.Stmt, error) {
	st, ok := in.stmts[query]
	if !ok {
		var err error
		if st, err = in.tx.Prepare(query); err != nil {
			return nil, err
		}
		if in.stmts == nil {
			in.stmts = map[string]*sql.Stmt{}
		}
		in.stmts[query] = st
	}
	return st, nil
}

func (in *inserter) close() {
	for _, st := range in.stmts {
		st.Close()
	}
}

// replace removes the catalog rows of f.Path before f is inserted again.
// When the old content leaves the path (f now has other content, or fails)
// and other files were recorded as its duplicates, the old spectrum is kept:
// its row passes to the first of those files (now ok), and the others
// point at that one. Nothing ingested is lost when files change.
func (in *inserter) replace(f *FileRecord) error {
	var oldSHA string
	st, err := in.stmt(sqlOldOK)
	if err != nil {
		return err
	}
	switch err := st.QueryRow(f.Path).Scan(&oldSHA); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	}
	heir := ""
	if oldSHA != "" && !(f.Status == StatusOK && f.SHA256 == oldSHA) { // the content leaves this path
		st, err := in.stmt(sqlFirstDup)
		if err != nil {
			return err
		}
		switch err := st.QueryRow(f.Path, oldSHA).Scan(&heir); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		}
	}
	if heir != "" {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{sqlReparent, []any{heir, f.Path}},
			{sqlPromote, []any{heir}},
			{sqlRepoint, []any{heir, f.Path, oldSHA, heir}},
		} {
			if err := in.exec(q.sql, q.args...); err != nil {
				return err
			}
		}
	} else if err := in.exec(sqlDeleteSpectra, f.Path); err != nil {
		return err
	}
	return in.exec(sqlDeleteFile, f.Path)
}

func (in *inserter) insert(e *Entry) error {
	f := &e.File
	if e.Replace {
		if err := in.replace(f); err != nil {
			return err
		}
	}
	if f.Status == StatusOK {
		// The catalog has the last word on duplicates: content promoted to
		// an heir by a replace in this commit may already be ingested.
		var orig string
		st, err := in.stmt(sqlOtherOK)
		if err != nil {
			return err
		}
		switch err := st.QueryRow(f.SHA256, f.Path).Scan(&orig); {
		case err == nil:
			f.Status, f.DuplicateOf = StatusDuplicate, orig // its shard row stays unreferenced
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	err := in.exec(sqlInsertFile,
		f.Path, f.Size, f.ModTime.UnixNano(), nullString(f.SHA256), string(f.Status),
		nullString(f.Error), nullString(f.DuplicateOf), f.IngestedAt.Format(time.RFC3339Nano))
	if err != nil || f.Status != StatusOK {
		return err
	}
	r := &e.Record
	return in.exec(sqlInsertSpectrum,
		r.ID, r.SHA256, r.Path, r.Survey, r.Layout, r.DataRelease, r.Designation,
		nullFloat(r.RA), nullFloat(r.Dec), r.Class, r.Subclass, nullFloat(r.Z), nullFloat(r.ZErr), nullZWarning(r.ZWarning),
		nullFloat(r.SNR), nullFloat(r.SNRU), nullFloat(r.SNRG), nullFloat(r.SNRR), nullFloat(r.SNRI), nullFloat(r.SNRZ),
		r.NPixNative, nullFloat(r.WavelengthMinAA), nullFloat(r.WavelengthMaxAA), r.Vacuum, r.FluxUnit,
		r.Shard, r.ShardRow)
}

// nullZWarning stores an unknown ZWARNING (-1) as NULL.
func nullZWarning(v int64) any {
	if v < 0 {
		return nil
	}
	return v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// recordColumns lists the spectra columns in the order of scanRecord.
const recordColumns = `id, file_sha256, path, survey, layout, data_release, designation, ra, dec,
	class, subclass, z, z_err, zwarning, snr, snr_u, snr_g, snr_r, snr_i, snr_z,
	npix_native, wavelength_min, wavelength_max, vacuum, flux_unit, shard, shard_row`

// scanRecord scans one row selected with recordColumns.
func scanRecord(sc interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var f [12]sql.NullFloat64
	var zw sql.NullInt64
	err := sc.Scan(&r.ID, &r.SHA256, &r.Path, &r.Survey, &r.Layout, &r.DataRelease, &r.Designation,
		&f[0], &f[1], &r.Class, &r.Subclass, &f[2], &f[3], &zw, &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
		&r.NPixNative, &f[10], &f[11], &r.Vacuum, &r.FluxUnit, &r.Shard, &r.ShardRow)
	if err != nil {
		return Record{}, err
	}
	dst := []*float64{&r.RA, &r.Dec, &r.Z, &r.ZErr, &r.SNR, &r.SNRU, &r.SNRG, &r.SNRR, &r.SNRI, &r.SNRZ,
		&r.WavelengthMinAA, &r.WavelengthMaxAA}
	for i, p := range dst {
		*p = floatOrNaN(f[i])
	}
	r.ZWarning = -1
	if zw.Valid {
		r.ZWarning = zw.Int64
	}
	return r, nil
}

// File returns the catalog row of path; found is false when there is none.
func (w *Workspace) File(path string) (rec FileRecord, found bool, err error) {
	st, err := w.stmt(`SELECT ` + fileColumns + ` FROM files WHERE path = ?`)
	if err != nil {
		return FileRecord{}, false, fmt.Errorf("catalog: file %s: %w", path, err)
	}
	rec, err = scanFile(st.QueryRow(path))
	if errors.Is(err, sql.ErrNoRows) {
		return FileRecord{}, false, nil
	}
	if err != nil {
		return FileRecord{}, false, fmt.Errorf("catalog: file %s: %w", path, err)
	}
	return rec, true, nil
}

// Files returns up to limit files rows with the given status (all statuses
// when status is empty; no limit when limit <= 0), ordered by path.
func (w *Workspace) Files(status Status, limit int) ([]FileRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := w.db.Query(`SELECT `+fileColumns+` FROM files WHERE ? = '' OR status = ? ORDER BY path LIMIT ?`,
		string(status), string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("catalog: files: %w", err)
	}
	defer rows.Close()
	var out []FileRecord
	for rows.Next() {
		rec, err := scanFile(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: files: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: files: %w", err)
	}
	return out, nil
}

const fileColumns = `path, size, mtime, sha256, status, error, duplicate_of, ingested_at`

func scanFile(sc interface{ Scan(...any) error }) (FileRecord, error) {
	var r FileRecord
	var mtime int64
	var sha, errText, dup sql.NullString
	var status, at string
	if err := sc.Scan(&r.Path, &r.Size, &mtime, &sha, &status, &errText, &dup, &at); err != nil {
		return FileRecord{}, err
	}
	r.ModTime = time.Unix(0, mtime)
	r.SHA256, r.Status, r.Error, r.DuplicateOf = sha.String, Status(status), errText.String, dup.String
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return FileRecord{}, fmt.Errorf("ingested_at %q: %w", at, err)
	}
	r.IngestedAt = t
	return r, nil
}

// IngestedBySHA256 returns the path of the ingested (status ok) file with
// the given sha256; found is false when there is none.
func (w *Workspace) IngestedBySHA256(sha string) (path string, found bool, err error) {
	st, err := w.stmt(`SELECT path FROM files WHERE sha256 = ? AND status = 'ok' LIMIT 1`)
	if err == nil {
		err = st.QueryRow(sha).Scan(&path)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("catalog: sha256 %s: %w", sha, err)
	}
	return path, true, nil
}

// Record returns the catalog record of a spectrum, looked up by its id or
// by the sha256 of its file. It fails with ErrNotFound when nothing
// matches and ErrAmbiguous when several spectra share the id.
func (w *Workspace) Record(id string) (Record, error) {
	rows, err := w.db.Query(`SELECT `+recordColumns+` FROM spectra WHERE id = ? OR file_sha256 = ? LIMIT 2`, id, id)
	if err != nil {
		return Record{}, fmt.Errorf("catalog: spectrum %q: %w", id, err)
	}
	defer rows.Close()
	var recs []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return Record{}, fmt.Errorf("catalog: spectrum %q: %w", id, err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return Record{}, fmt.Errorf("catalog: spectrum %q: %w", id, err)
	}
	switch len(recs) {
	case 0:
		return Record{}, fmt.Errorf("spectrum %q: %w", id, ErrNotFound)
	case 1:
		return recs[0], nil
	}
	return Record{}, fmt.Errorf("spectrum %q: %w: use the sha256 of its file (e.g. %s)", id, ErrAmbiguous, recs[0].SHA256)
}

// LoadSpectrum returns the spectrum with the given id (or file sha256) on
// the workspace grid, with its metadata from the catalog and its and/or
// masks.
func (w *Workspace) LoadSpectrum(id string) (*spectrum.Spectrum, error) {
	rec, err := w.Record(id)
	if err != nil {
		return nil, err
	}
	if !shardNameRE.MatchString(rec.Shard) {
		return nil, fmt.Errorf("spectrum %q: %w: catalog names shard %q", id, ErrBadShard, rec.Shard)
	}
	row, g, err := readShardRow(w.ShardPath(rec.Shard), int64(rec.ShardRow))
	if err != nil {
		return nil, fmt.Errorf("spectrum %q: %w", id, err)
	}
	if row.SHA256 != rec.SHA256 {
		return nil, fmt.Errorf("spectrum %q: %w: row %d of %s holds sha256 %s, catalog says %s",
			id, ErrBadShard, rec.ShardRow, rec.Shard, row.SHA256, rec.SHA256)
	}
	s := &spectrum.Spectrum{
		WavelengthAA: g.Wavelengths(), Vacuum: true,
		Flux: make([]float64, g.N), Ivar: make([]float64, g.N), AndMask: row.Mask, OrMask: row.OrMask,
		FluxUnit: rec.FluxUnit, Meta: spectrum.NewMeta(),
	}
	for i := range s.Flux {
		s.Flux[i], s.Ivar[i] = float64(row.Flux[i]), float64(row.Ivar[i])
	}
	m := &s.Meta
	m.ID, m.Designation, m.RA, m.Dec = rec.ID, rec.Designation, rec.RA, rec.Dec
	m.Class, m.Subclass, m.Z, m.ZErr, m.ZWarning = rec.Class, rec.Subclass, rec.Z, rec.ZErr, rec.ZWarning
	m.Survey, m.DataRelease, m.Layout, m.SourceFile = rec.Survey, rec.DataRelease, spectrum.Layout(rec.Layout), rec.Path
	for band, v := range map[string]float64{"u": rec.SNRU, "g": rec.SNRG, "r": rec.SNRR, "i": rec.SNRI, "z": rec.SNRZ} {
		if !math.IsNaN(v) {
			m.SNR[band] = v
		}
	}
	return s, nil
}
