package store

import (
	"errors"
	"fmt"
	"github.com/astroone/astroone-go/prep"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/parquet-go/parquet-go"
	parquetzstd "github.com/parquet-go/parquet-go/compress/zstd"
)

// Grid is the log-linear wavelength grid of a workspace: prep.Grid, with
// ErrBadGrid for grids that cannot describe a spectrum (see CheckGrid).
type Grid = prep.Grid

// ErrBadGrid reports a grid that cannot describe any spectrum.
var ErrBadGrid = errors.New("invalid grid")

// CheckGrid validates g (prep.Grid.Validate), wrapping a failure in
// ErrBadGrid.
func CheckGrid(g Grid) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadGrid, err)
	}
	return nil
}

// gridKeyValues returns the grid as string key/value pairs with a key
// prefix (Parquet metadata, catalog meta table).
func gridKeyValues(g Grid, prefix string) map[string]string {
	return map[string]string{
		prefix + "log10_start": strconv.FormatFloat(g.Log10Start, 'g', -1, 64),
		prefix + "log10_step":  strconv.FormatFloat(g.Log10Step, 'g', -1, 64),
		prefix + "n":           strconv.Itoa(g.N),
	}
}

func parseGrid(start, step, n string) (Grid, error) {
	var g Grid
	var err1, err2, err3 error
	g.Log10Start, err1 = strconv.ParseFloat(start, 64)
	g.Log10Step, err2 = strconv.ParseFloat(step, 64)
	g.N, err3 = strconv.Atoi(n)
	if err := errors.Join(err1, err2, err3); err != nil {
		return Grid{}, fmt.Errorf("%w: %w", ErrBadGrid, err)
	}
	return g, CheckGrid(g)
}

// ShardRow is one spectrum in a shard, on the shard's grid. Mask holds the
// survey's and-mask bits and OrMask its or-mask bits (both with
// spectrum.MaskBad where prep rejected a pixel).
type ShardRow struct {
	ID     string    `parquet:"id"`           // spectrum id (Record.ID)
	SHA256 string    `parquet:"sha256"`       // sha256 of the source file (Record.SHA256)
	Flux   []float32 `parquet:"flux,list"`    // flux on the grid, in Record.FluxUnit
	Ivar   []float32 `parquet:"ivar,list"`    // inverse variance on the grid; 0 = no information
	Mask   []uint32  `parquet:"mask,list"`    // and-mask bits on the grid
	OrMask []uint32  `parquet:"or_mask,list"` // or-mask bits on the grid
}

// ErrBadShard reports a shard file or row that is inconsistent.
var ErrBadShard = errors.New("invalid shard")

func (r *ShardRow) check(g Grid) error {
	if r.SHA256 == "" {
		return fmt.Errorf("%w: row %q has no sha256", ErrBadShard, r.ID)
	}
	if len(r.Flux) != g.N || len(r.Ivar) != g.N || len(r.Mask) != g.N || len(r.OrMask) != g.N {
		return fmt.Errorf("%w: row %q has %d/%d/%d/%d flux/ivar/mask/or_mask values, grid has %d",
			ErrBadShard, r.ID, len(r.Flux), len(r.Ivar), len(r.Mask), len(r.OrMask), g.N)
	}
	return nil
}

// Temporary shard files are named tempPrefix + random + tempSuffix.
const (
	tempPrefix = ".shard-"
	tempSuffix = ".tmp"
)

// zstdFastest compresses shards at zstd's fastest level: noisy float32
// flux compresses little at any level, and the default level cost more
// CPU than reading and resampling the spectra.
var zstdFastest = parquetzstd.Codec{Level: parquetzstd.SpeedFastest}

// WriteShard writes rows to a Parquet file at path (zstd-compressed, the
// grid in the file's key/value metadata as log10_start, log10_step, n)
// atomically: it writes a temporary file in the same directory, fsyncs it,
// renames it to path and fsyncs the directory. On error nothing is left at
// path and the temporary file is removed.
func WriteShard(path string, g Grid, rows []ShardRow) (err error) {
	if err := CheckGrid(g); err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	for i := range rows {
		if err := rows[i].check(g); err != nil {
			return fmt.Errorf("write shard %s: %w", path, err)
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+"*"+tempSuffix)
	if err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	opts := []parquet.WriterOption{parquet.Compression(&zstdFastest)}
	// Per-page min/max bounds and statistics of the pixel arrays are never
	// used to prune reads and cost a fifth of the write time.
	for _, col := range []string{"flux", "ivar", "mask", "or_mask"} {
		opts = append(opts, parquet.SkipPageBounds(col, "list", "element"), parquet.SkipPageStatistics(col, "list", "element"))
	}
	for k, v := range gridKeyValues(g, "") {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	pw := parquet.NewGenericWriter[ShardRow](f, opts...)
	if _, err := pw.Write(rows); err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write shard %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write shard %s: %w", path, err)
	}
	return syncDir(dir)
}

// openShard opens a shard file and returns its Parquet view and grid. The
// caller closes the returned file.
func openShard(path string) (*os.File, *parquet.File, Grid, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, Grid{}, fmt.Errorf("read shard: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, Grid{}, fmt.Errorf("read shard %s: %w", path, err)
	}
	pf, err := openParquet(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, nil, Grid{}, fmt.Errorf("read shard %s: %w: %w", path, ErrBadShard, err)
	}
	start, ok1 := pf.Lookup("log10_start")
	step, ok2 := pf.Lookup("log10_step")
	n, ok3 := pf.Lookup("n")
	if !ok1 || !ok2 || !ok3 {
		f.Close()
		return nil, nil, Grid{}, fmt.Errorf("read shard %s: %w: no grid metadata", path, ErrBadShard)
	}
	g, err := parseGrid(start, step, n)
	if err == nil {
		err = checkShardSizes(pf, g)
	}
	if err != nil {
		f.Close()
		return nil, nil, Grid{}, fmt.Errorf("read shard %s: %w", path, err)
	}
	return f, pf, g, nil
}

// recoverBadShard turns a panic inside parquet-go, which some damaged
// files cause, into an ErrBadShard error for path. It must be deferred.
func recoverBadShard(path string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("read shard %s: %w: %v", path, ErrBadShard, p)
	}
}

// openParquet opens a shard's Parquet structure. The page index and bloom
// filters are not read: shards do not use them, and reading a damaged
// page index is where corrupt files made parquet-go panic.
func openParquet(f *os.File, size int64, path string) (pf *parquet.File, err error) {
	defer recoverBadShard(path, &err)
	return parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// maxShardRows bounds the rows a shard may declare (ingest writes 1,000).
const maxShardRows = 1 << 20

// checkShardSizes rejects a shard whose metadata declares more rows or
// larger column chunks than spectra on grid g can fill, before anything is
// allocated from those numbers.
func checkShardSizes(pf *parquet.File, g Grid) error {
	rows := pf.NumRows()
	if rows < 0 || rows > maxShardRows {
		return fmt.Errorf("%w: %d rows declared", ErrBadShard, rows)
	}
	// A pixel column holds rows*N 4-byte values plus levels; ids and
	// checksums are short strings. Allow generous slack for encodings.
	limit := rows*(int64(g.N)*8+1024) + 1<<20
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if sz := c.MetaData.TotalUncompressedSize; sz < 0 || sz > limit {
				return fmt.Errorf("%w: column chunk of %d bytes declared for %d rows", ErrBadShard, sz, rows)
			}
		}
	}
	return nil
}

// ShardGrid returns the grid recorded in a shard's metadata.
func ShardGrid(path string) (Grid, error) {
	f, _, g, err := openShard(path)
	if err != nil {
		return Grid{}, err
	}
	f.Close()
	return g, nil
}

// ReadShard reads every row of a shard and checks each against the grid
// in the shard's metadata.
func ReadShard(path string) (rows []ShardRow, err error) {
	f, pf, g, err := openShard(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer recoverBadShard(path, &err)
	r := parquet.NewGenericReader[ShardRow](pf)
	defer r.Close()
	// Read in batches rather than allocating NumRows() up front: the count
	// comes from the file and may be damaged.
	total := r.NumRows()
	batch := make([]ShardRow, 256)
	for int64(len(rows)) < total {
		n, rerr := r.Read(batch)
		rows = append(rows, batch[:n]...)
		clear(batch[:n])
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				break
			}
			return nil, fmt.Errorf("read shard %s: %w", path, rerr)
		}
		if n == 0 {
			break
		}
	}
	if int64(len(rows)) != total {
		return nil, fmt.Errorf("read shard %s: %w: read %d of %d rows", path, ErrBadShard, len(rows), total)
	}
	for i := range rows {
		if err := rows[i].check(g); err != nil {
			return nil, fmt.Errorf("read shard %s: %w", path, err)
		}
	}
	return rows, nil
}

// readShardRow reads row index i of a shard.
func readShardRow(path string, i int64) (_ ShardRow, _ Grid, err error) {
	defer recoverBadShard(path, &err)
	f, pf, g, err := openShard(path)
	if err != nil {
		return ShardRow{}, Grid{}, err
	}
	defer f.Close()
	r := parquet.NewGenericReader[ShardRow](pf)
	defer r.Close()
	if i < 0 || i >= r.NumRows() {
		return ShardRow{}, Grid{}, fmt.Errorf("read shard %s: %w: row %d of %d", path, ErrBadShard, i, r.NumRows())
	}
	if err := r.SeekToRow(i); err != nil {
		return ShardRow{}, Grid{}, fmt.Errorf("read shard %s: row %d: %w", path, i, err)
	}
	rows := make([]ShardRow, 1)
	if n, err := r.Read(rows); n != 1 {
		return ShardRow{}, Grid{}, fmt.Errorf("read shard %s: row %d: %w: %v", path, i, ErrBadShard, err)
	}
	if err := rows[0].check(g); err != nil {
		return ShardRow{}, Grid{}, fmt.Errorf("read shard %s: %w", path, err)
	}
	return rows[0], g, nil
}
