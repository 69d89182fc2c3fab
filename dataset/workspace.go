package dataset

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// LoadWorkspace loads every spectrum of an ingest workspace (opened with
// store.OpenReadOnly, so an ingest may run at the same time) in the
// catalog's order (by id, then file sha256). Each shard is read once, in
// parallel. Examples are unlabelled (Class -1, NaN parameters, SNR from
// the catalog's best S/N) unless opts.Labels names a labels.csv, whose
// rows are joined by id. Files the workspace recorded as failed on ingest,
// and rows whose shard is missing or damaged, are returned as FileErrors
// (the former wrapping ErrIngestFailed). Pixels follow the same rule as
// LoadSimDir: ivar 0 and flux 0 where the pixel is not usable (ivar not
// positive, non-finite values, spectrum.MaskBad in either mask).
func LoadWorkspace(ctx context.Context, wsDir string, opts LoadOptions) (*Set, []FileError, error) {
	ws, err := store.OpenReadOnly(wsDir)
	if err != nil {
		return nil, nil, fmt.Errorf("load workspace: %w", err)
	}
	defer ws.Close()
	g, ok, err := ws.Grid()
	if err != nil {
		return nil, nil, fmt.Errorf("load workspace %s: %w", wsDir, err)
	}
	if !ok { // nothing was ever ingested
		g = opts.grid()
	} else if opts.Grid != (prep.Grid{}) && !opts.Grid.Equal(g) {
		return nil, nil, fmt.Errorf("load workspace %s: %w: workspace has %v, asked for %v", wsDir, store.ErrGridMismatch, g, opts.Grid)
	}
	var labels map[string]Labels
	if opts.Labels != "" {
		if labels, err = readLabelIndex(opts.Labels); err != nil {
			return nil, nil, fmt.Errorf("load workspace %s: %w", wsDir, err)
		}
	}
	recs, err := ws.Query(store.Query{})
	if err != nil {
		return nil, nil, fmt.Errorf("load workspace %s: %w", wsDir, err)
	}
	failed, err := ws.Files(store.StatusFailed, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("load workspace %s: %w", wsDir, err)
	}

	// Group the catalog rows by shard, so that each shard is read once.
	byShard := map[string][]int{}
	var shards []string
	for i, r := range recs {
		if _, seen := byShard[r.Shard]; !seen {
			shards = append(shards, r.Shard)
		}
		byShard[r.Shard] = append(byShard[r.Shard], i)
	}
	exs := make([]Example, len(recs))
	errs := make([]error, len(recs))
	paths := make([]string, len(recs))
	for i, r := range recs {
		paths[i] = r.Path
	}
	var after func(k int)
	if opts.Progress != nil {
		done := 0
		after = func(k int) {
			done += len(byShard[shards[k]])
			opts.Progress(done, len(recs))
		}
	}
	parallel(ctx, len(shards), opts.workers(), func(k int) {
		name := shards[k]
		rows, err := readShardFor(ws, name, g)
		for _, i := range byShard[name] {
			if err == nil {
				exs[i], errs[i] = rowExample(recs[i], rows, g)
			} else {
				errs[i] = err
			}
		}
	}, after)
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("load workspace %s: %w", wsDir, err)
	}
	for i := range exs {
		if errs[i] != nil {
			continue
		}
		if l, ok := labels[exs[i].ID]; ok {
			snr := exs[i].Labels.SNR
			exs[i].Labels = l
			if l.SNR != l.SNR { // NaN: keep the catalog's measured S/N
				exs[i].Labels.SNR = snr
			}
		}
	}
	set, ferrs := collect(g, exs, errs, paths)
	for _, f := range failed {
		ferrs = append(ferrs, FileError{Path: f.Path, Err: fmt.Errorf("%w: %s", ErrIngestFailed, f.Error)})
	}
	return set, ferrs, nil
}

// readLabelIndex reads a labels.csv into a map from id to labels. An id
// listed twice is an error (the join would be ambiguous).
func readLabelIndex(path string) (map[string]Labels, error) {
	recs, err := sim.ReadLabelsFile(path)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Labels, len(recs))
	for _, r := range recs {
		if _, dup := m[r.ID]; dup {
			return nil, fmt.Errorf("%s: id %q is listed twice", path, r.ID)
		}
		m[r.ID] = LabelsFromSim(r.Labels)
	}
	return m, nil
}

// errBadShardName reports a catalog row naming a shard outside shards/.
var errBadShardName = errors.New("catalog names a shard outside the shards directory")

// readShardFor reads a whole shard and checks that it is on g.
func readShardFor(ws *store.Workspace, name string, g prep.Grid) ([]store.ShardRow, error) {
	if name == "" || filepath.Base(name) != name || name == "." || name == ".." {
		return nil, fmt.Errorf("%w: %q", errBadShardName, name)
	}
	path := ws.ShardPath(name)
	sg, err := store.ShardGrid(path)
	if err != nil {
		return nil, err
	}
	if !sg.Equal(g) {
		return nil, fmt.Errorf("shard %s: %w: %v, workspace %v", name, store.ErrGridMismatch, sg, g)
	}
	return store.ReadShard(path)
}

// rowExample converts the shard row a catalog record points at.
func rowExample(r store.Record, rows []store.ShardRow, g prep.Grid) (Example, error) {
	if r.ShardRow < 0 || r.ShardRow >= len(rows) {
		return Example{}, fmt.Errorf("%w: row %d of shard %s (%d rows)", store.ErrBadShard, r.ShardRow, r.Shard, len(rows))
	}
	row := &rows[r.ShardRow]
	if row.SHA256 != r.SHA256 {
		return Example{}, fmt.Errorf("%w: row %d of shard %s holds sha256 %s, catalog says %s",
			store.ErrBadShard, r.ShardRow, r.Shard, row.SHA256, r.SHA256)
	}
	if len(row.Flux) != g.N || len(row.Ivar) != g.N || len(row.Mask) != g.N || len(row.OrMask) != g.N {
		return Example{}, fmt.Errorf("%w: row %d of shard %s has the wrong length", store.ErrBadShard, r.ShardRow, r.Shard)
	}
	flux, ivar := make([]float32, g.N), make([]float32, g.N)
	good := 0
	for i, f := range row.Flux {
		v := row.Ivar[i]
		if f-f != 0 || v-v != 0 || !(v > 0) || (row.Mask[i]|row.OrMask[i])&spectrum.MaskBad != 0 {
			continue
		}
		flux[i], ivar[i] = f, v
		good++
	}
	if good == 0 {
		return Example{}, ErrNoGoodPixels
	}
	ex := Example{ID: r.ID, File: r.Path, Flux: flux, Ivar: ivar, Labels: Unlabelled()}
	ex.Labels.SNR = r.SNR
	return ex, nil
}
