package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"text/tabwriter"
)

// column is one field of a Record as written by WriteCSV and WriteJSON.
// value returns a string, float64 (NaN = unknown), int or bool.
type column struct {
	name  string
	value func(r *Record) any
}

// columns lists every Record field, in output order, under its catalog
// column name (sha256 for the file_sha256 column).
var columns = []column{
	{"id", func(r *Record) any { return r.ID }},
	{"sha256", func(r *Record) any { return r.SHA256 }},
	{"path", func(r *Record) any { return r.Path }},
	{"survey", func(r *Record) any { return r.Survey }},
	{"layout", func(r *Record) any { return r.Layout }},
	{"data_release", func(r *Record) any { return r.DataRelease }},
	{"designation", func(r *Record) any { return r.Designation }},
	{"ra", func(r *Record) any { return r.RA }},
	{"dec", func(r *Record) any { return r.Dec }},
	{"class", func(r *Record) any { return r.Class }},
	{"subclass", func(r *Record) any { return r.Subclass }},
	{"z", func(r *Record) any { return r.Z }},
	{"z_err", func(r *Record) any { return r.ZErr }},
	{"zwarning", func(r *Record) any {
		if r.ZWarning < 0 {
			return math.NaN() // unknown: empty in CSV, null in JSON
		}
		return r.ZWarning
	}},
	{"snr", func(r *Record) any { return r.SNR }},
	{"snr_u", func(r *Record) any { return r.SNRU }},
	{"snr_g", func(r *Record) any { return r.SNRG }},
	{"snr_r", func(r *Record) any { return r.SNRR }},
	{"snr_i", func(r *Record) any { return r.SNRI }},
	{"snr_z", func(r *Record) any { return r.SNRZ }},
	{"npix_native", func(r *Record) any { return r.NPixNative }},
	{"wavelength_min", func(r *Record) any { return r.WavelengthMinAA }},
	{"wavelength_max", func(r *Record) any { return r.WavelengthMaxAA }},
	{"vacuum", func(r *Record) any { return r.Vacuum }},
	{"flux_unit", func(r *Record) any { return r.FluxUnit }},
	{"shard", func(r *Record) any { return r.Shard }},
	{"shard_row", func(r *Record) any { return r.ShardRow }},
}

// text formats a column value for CSV: NaN and ±Inf become "".
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// MarshalJSON writes the record as an object with the lower-case keys of
// WriteCSV's header, in the same order; unknown numbers are null.
func (r Record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(c.name))
		b.WriteByte(':')
		v := c.value(&r)
		if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
			b.WriteString("null")
			continue
		}
		js, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(js)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WriteJSON writes records as a JSON array, one object per line (see
// Record.MarshalJSON); an empty list is written as [].
func WriteJSON(w io.Writer, records []Record) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		js, err := records[i].MarshalJSON()
		if err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		b.WriteString("\n  ")
		b.Write(js)
	}
	if len(records) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// WriteCSV writes a header line and one line per record with every
// column; unknown numbers are empty fields.
func WriteCSV(w io.Writer, records []Record) error {
	cw := csv.NewWriter(w)
	line := make([]string, len(columns))
	for i, c := range columns {
		line[i] = c.name
	}
	if err := cw.Write(line); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for i := range records {
		for j, c := range columns {
			line[j] = text(c.value(&records[i]))
		}
		if err := cw.Write(line); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// fixed formats x with the given decimals, "-" when unknown.
func fixed(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', decimals, 64)
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteTable writes records as an aligned text table for people: id,
// survey, class, subclass, ra, dec, z, snr ("-" for unknown values),
// followed by a count line.
func WriteTable(w io.Writer, records []Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSURVEY\tCLASS\tSUBCLASS\tRA\tDEC\tZ\tSNR")
	for i := range records {
		r := &records[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(r.ID), orDash(r.Survey),
			orDash(r.Class), orDash(r.Subclass), fixed(r.RA, 5), fixed(r.Dec, 5), fixed(r.Z, 5), fixed(r.SNR, 1))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%d spectra\n", len(records)); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WriteSummary writes a workspace summary for people: files by outcome,
// spectra by class and survey, S/N quartiles and the grid.
func WriteSummary(w io.Writer, s Summary) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "files      %d ingested, %d duplicates, %d failed\n", s.Files.OK, s.Files.Duplicate, s.Files.Failed)
	fmt.Fprintf(&b, "spectra    %d\n", s.Spectra)
	for _, part := range []struct {
		name   string
		counts map[string]int
	}{{"by class", s.ByClass}, {"by survey", s.BySurvey}} {
		fmt.Fprintf(&b, "%-10s", part.name)
		for _, k := range sortedByCount(part.counts) {
			name := k
			if name == "" {
				name = "(unknown)"
			}
			fmt.Fprintf(&b, " %s %d", name, part.counts[k])
		}
		b.WriteByte('\n')
	}
	if q := s.SNRQuartiles; q != nil {
		fmt.Fprintf(&b, "s/n        quartiles %.1f / %.1f / %.1f (%d spectra with a known S/N)\n", q[0], q[1], q[2], s.SNRKnown)
	}
	if s.Grid != nil {
		fmt.Fprintf(&b, "grid       %s\n", s.Grid)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// sortedByCount returns the keys of m, most frequent first (ties by name).
func sortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// WriteFiles writes files rows for people: status, path and, for
// failures, the reason (for duplicates, the file it duplicates).
func WriteFiles(w io.Writer, files []FileRecord) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range files {
		note := f.Error
		if f.Status == StatusDuplicate {
			note = "same content as " + f.DuplicateOf
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Status, f.Path, note)
	}
	return tw.Flush()
}
