package store

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Query selects spectra from the catalog.
type Query struct {
	// Class keeps spectra whose class equals it, ignoring case; "" keeps all.
	Class string
	// MinSNR keeps spectra whose best S/N (Record.SNR: g band, else the
	// median of the known bands) is at least MinSNR. Spectra without any
	// S/N are dropped when MinSNR > 0; MinSNR <= 0 does not filter.
	MinSNR float64
	// Limit caps the number of records; <= 0 means no limit.
	Limit int
}

// ErrBadQuery reports a query that cannot be run.
var ErrBadQuery = errors.New("invalid query")

// Query returns the spectra matching q, ordered by id then sha256.
func (w *Workspace) Query(q Query) ([]Record, error) {
	var out []Record
	err := w.Each(q, func(r Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// Each calls fn for every spectrum matching q, in the order of Query,
// without holding them all in memory. It stops at the first error from fn
// and returns it.
func (w *Workspace) Each(q Query, fn func(Record) error) error {
	if math.IsNaN(q.MinSNR) {
		return fmt.Errorf("%w: min S/N is NaN", ErrBadQuery)
	}
	var where []string
	var args []any
	if q.Class != "" {
		where = append(where, "class = ? COLLATE NOCASE")
		args = append(args, q.Class)
	}
	if q.MinSNR > 0 {
		where = append(where, "snr >= ?")
		args = append(args, q.MinSNR)
	}
	query := `SELECT ` + recordColumns + ` FROM spectra`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id, file_sha256"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := w.db.Query(query, args...)
	if err != nil {
		return fmt.Errorf("catalog query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return fmt.Errorf("catalog query: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catalog query: %w", err)
	}
	return nil
}

// FileCounts counts the rows of table files by status.
type FileCounts struct {
	OK        int `json:"ok"`        // files whose spectrum is in the workspace
	Duplicate int `json:"duplicate"` // files with the content of an ingested file
	Failed    int `json:"failed"`    // files that could not be ingested (with a reason)
}

// Summary describes a workspace's contents.
type Summary struct {
	Files    FileCounts     `json:"files"`     // input files by outcome
	Spectra  int            `json:"spectra"`   // rows of table spectra
	ByClass  map[string]int `json:"by_class"`  // spectra per class ("" = unknown)
	BySurvey map[string]int `json:"by_survey"` // spectra per survey
	SNRKnown int            `json:"snr_known"` // spectra with a known best S/N
	// SNRQuartiles holds the 25th, 50th and 75th percentiles of the best
	// S/N (linear interpolation between order statistics, as numpy's
	// default); nil when no spectrum has an S/N.
	SNRQuartiles *[3]float64 `json:"snr_quartiles,omitempty"`
	Grid         *Grid       `json:"grid,omitempty"` // nil for an empty workspace
}

// Summary counts files by status and spectra by class and survey, and
// computes S/N quartiles.
func (w *Workspace) Summary() (Summary, error) {
	s := Summary{ByClass: map[string]int{}, BySurvey: map[string]int{}}
	files := map[string]int{}
	for _, c := range []struct {
		query string
		into  map[string]int
	}{
		{`SELECT status, count(*) FROM files GROUP BY status`, files},
		{`SELECT class, count(*) FROM spectra GROUP BY class`, s.ByClass},
		{`SELECT survey, count(*) FROM spectra GROUP BY survey`, s.BySurvey},
	} {
		if err := w.countInto(c.query, c.into); err != nil {
			return Summary{}, err
		}
	}
	s.Files = FileCounts{OK: files[string(StatusOK)], Duplicate: files[string(StatusDuplicate)], Failed: files[string(StatusFailed)]}
	for _, n := range s.BySurvey {
		s.Spectra += n
	}
	if err := w.db.QueryRow(`SELECT count(*) FROM spectra WHERE snr IS NOT NULL`).Scan(&s.SNRKnown); err != nil {
		return Summary{}, fmt.Errorf("catalog summary: %w", err)
	}
	if s.SNRKnown > 0 {
		var q [3]float64
		for i, p := range []float64{0.25, 0.5, 0.75} {
			v, err := w.snrQuantile(p, s.SNRKnown)
			if err != nil {
				return Summary{}, err
			}
			q[i] = v
		}
		s.SNRQuartiles = &q
	}
	g, ok, err := w.Grid()
	if err != nil {
		return Summary{}, err
	}
	if ok {
		s.Grid = &g
	}
	return s, nil
}

func (w *Workspace) countInto(query string, into map[string]int) error {
	rows, err := w.db.Query(query)
	if err != nil {
		return fmt.Errorf("catalog summary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return fmt.Errorf("catalog summary: %w", err)
		}
		into[k] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catalog summary: %w", err)
	}
	return nil
}

// snrQuantile returns the p-quantile of the n known S/N values, reading
// only the two order statistics it needs through the snr index.
func (w *Workspace) snrQuantile(p float64, n int) (float64, error) {
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	rows, err := w.db.Query(`SELECT snr FROM spectra WHERE snr IS NOT NULL ORDER BY snr LIMIT 2 OFFSET ?`, lo)
	if err != nil {
		return 0, fmt.Errorf("catalog summary: %w", err)
	}
	defer rows.Close()
	var v []float64
	for rows.Next() {
		var x float64
		if err := rows.Scan(&x); err != nil {
			return 0, fmt.Errorf("catalog summary: %w", err)
		}
		v = append(v, x)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("catalog summary: %w", err)
	}
	switch len(v) {
	case 0:
		return 0, fmt.Errorf("catalog summary: S/N changed while reading")
	case 1:
		return v[0], nil
	}
	return v[0] + (h-float64(lo))*(v[1]-v[0]), nil
}
