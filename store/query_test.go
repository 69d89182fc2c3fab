package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// seedQuery commits 6 spectra with varied class and S/N.
func seedQuery(t *testing.T) *Workspace {
	w := openTest(t)
	specs := []struct {
		id, class string
		snr       map[string]float64
	}{
		{"s1", "STAR", map[string]float64{"g": 5}},
		{"s2", "star", map[string]float64{"g": 50}},
		{"s3", "STAR", nil}, // no S/N at all
		{"g1", "GALAXY", map[string]float64{"r": 10, "i": 30}},
		{"q1", "QSO", map[string]float64{"g": 20}},
		{"u1", "", map[string]float64{"g": 15}},
	}
	var entries []Entry
	for i, s := range specs {
		entries = append(entries, okEntry(t, s.id+".fits", specOpts{id: s.id, class: s.class, survey: "LAMOST", snr: s.snr, ra: nan}, float64(i)))
	}
	entries = append(entries, Entry{File: FileRecord{Path: "/data/bad", Status: StatusFailed, Error: "bad"}})
	if err := w.Commit(entries); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestQuery(t *testing.T) {
	w := seedQuery(t)
	tests := []struct {
		q    Query
		want []string
	}{
		{Query{}, []string{"g1", "q1", "s1", "s2", "s3", "u1"}},
		{Query{Class: "star"}, []string{"s1", "s2", "s3"}},
		{Query{Class: "Star", MinSNR: 10}, []string{"s2"}},
		{Query{MinSNR: 20}, []string{"g1", "q1", "s2"}}, // g1: median of r, i = 20
		{Query{MinSNR: 20.5}, []string{"s2"}},
		{Query{MinSNR: -1}, []string{"g1", "q1", "s1", "s2", "s3", "u1"}},
		{Query{Limit: 2}, []string{"g1", "q1"}},
		{Query{Class: "nebula"}, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v", tc.q), func(t *testing.T) {
			recs, err := w.Query(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("ids = %v, want %v", ids, tc.want)
			}
		})
	}
	if _, err := w.Query(Query{MinSNR: math.NaN()}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("NaN MinSNR err = %v", err)
	}
}

func TestSummary(t *testing.T) {
	w := seedQuery(t)
	s, err := w.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if s.Files != (FileCounts{OK: 6, Failed: 1}) || s.Spectra != 6 || s.SNRKnown != 5 {
		t.Errorf("summary counts = %+v", s)
	}
	wantClass := map[string]int{"STAR": 2, "star": 1, "GALAXY": 1, "QSO": 1, "": 1}
	if fmt.Sprint(s.ByClass) != fmt.Sprint(wantClass) || s.BySurvey["LAMOST"] != 6 {
		t.Errorf("by class %v by survey %v", s.ByClass, s.BySurvey)
	}
	// S/N values 5, 15, 20, 20, 50: numpy quartiles 15, 20, 20.
	if s.SNRQuartiles == nil || *s.SNRQuartiles != [3]float64{15, 20, 20} {
		t.Errorf("quartiles = %v", s.SNRQuartiles)
	}
	if s.Grid == nil || !s.Grid.Equal(testGrid) {
		t.Errorf("grid = %v", s.Grid)
	}
	empty := openTest(t)
	es, err := empty.Summary()
	if err != nil || es.SNRQuartiles != nil || es.Spectra != 0 {
		t.Errorf("empty summary = %+v, %v", es, err)
	}
	if _, err := json.Marshal(es); err != nil {
		t.Errorf("summary not JSON-encodable: %v", err)
	}
}

func TestFormatters(t *testing.T) {
	w := seedQuery(t)
	recs, err := w.Query(Query{Class: "star"})
	if err != nil {
		t.Fatal(err)
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, recs); err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, js.String())
	}
	if len(decoded) != 3 || decoded[0]["id"] != "s1" || decoded[0]["snr_g"] != 5.0 ||
		decoded[0]["ra"] != nil || decoded[2]["snr"] != nil || decoded[0]["vacuum"] != true {
		t.Errorf("decoded JSON = %v", decoded)
	}
	if _, ok := decoded[0]["ra"]; !ok {
		t.Error("unknown ra omitted instead of null")
	}
	var emptyJS bytes.Buffer
	WriteJSON(&emptyJS, nil)
	if strings.TrimSpace(emptyJS.String()) != "[]" {
		t.Errorf("empty JSON = %q", emptyJS.String())
	}

	var cs bytes.Buffer
	if err := WriteCSV(&cs, recs); err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range lines[0] {
		col[name] = i
	}
	if len(lines) != 4 || len(lines[0]) != len(columns) || lines[1][col["id"]] != "s1" ||
		lines[1][col["ra"]] != "" || lines[1][col["snr"]] != "5" || lines[3][col["snr"]] != "" {
		t.Errorf("csv = %v", lines)
	}

	var tb bytes.Buffer
	if err := WriteTable(&tb, recs); err != nil {
		t.Fatal(err)
	}
	out := tb.String()
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "s2") || !strings.HasSuffix(out, "3 spectra\n") ||
		strings.Contains(out, "NaN") {
		t.Errorf("table:\n%s", out)
	}
}
