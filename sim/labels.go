package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// LabelRecord is one row of a labels.csv file.
type LabelRecord struct {
	ID, File  string // survey identifier and file name (relative to the labels file)
	Labels           // true parameters (NaN where empty)
	CaptionEN string // English caption, empty in files written before captions existed
	CaptionZH string // Chinese caption
}

// ReadLabelsFile reads a labels.csv file written by WriteSample.
func ReadLabelsFile(path string) ([]LabelRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := ReadLabels(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// ReadLabels parses labels.csv. Columns are found by header name, so extra
// or reordered columns are accepted; id, file and class are required, and
// a row with an unknown class or a number that does not parse is an error
// naming its line.
func ReadLabels(r io.Reader) ([]LabelRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("labels: empty file (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	col := make(map[string]int, len(head))
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, req := range []string{"id", "file", "class"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("labels: header has no %q column", req)
		}
	}
	var out []LabelRecord
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		rec := LabelRecord{ID: get("id"), File: get("file"), CaptionEN: get("caption_en"), CaptionZH: get("caption_zh")}
		rec.Class = Class(strings.ToUpper(get("class")))
		rec.Subclass = get("subclass")
		if rec.Class.Index() < 0 {
			return nil, fmt.Errorf("labels: line %d: unknown class %q", line, get("class"))
		}
		if rec.ID == "" || rec.File == "" {
			return nil, fmt.Errorf("labels: line %d: empty id or file", line)
		}
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"teff", &rec.TeffK}, {"logg", &rec.Logg}, {"feh", &rec.FeH}, {"rv_kms", &rec.RVKmS}, {"z", &rec.Z}, {"ebv", &rec.EBV}, {"snr_g", &rec.SNR}} {
			s := get(f.name)
			if s == "" {
				*f.dst = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) {
				return nil, fmt.Errorf("labels: line %d: column %s: %q is not a finite number", line, f.name, s)
			}
			*f.dst = v
		}
		out = append(out, rec)
	}
}
