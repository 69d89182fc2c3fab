package store

import (
	"strings"
	"testing"
)

func TestWriteSummaryAndFiles(t *testing.T) {
	q := [3]float64{10, 20.5, 40}
	g := Grid{Log10Start: 3.5682, Log10Step: 1e-4, N: 3908}
	s := Summary{Files: FileCounts{OK: 5, Duplicate: 1, Failed: 2}, Spectra: 5,
		ByClass: map[string]int{"STAR": 3, "QSO": 1, "": 1}, BySurvey: map[string]int{"LAMOST": 5},
		SNRKnown: 4, SNRQuartiles: &q, Grid: &g}
	var b strings.Builder
	if err := WriteSummary(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 ingested, 1 duplicates, 2 failed", "by class   STAR 3 (unknown) 1 QSO 1", "20.5", "LAMOST 5"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	err := WriteFiles(&b, []FileRecord{
		{Path: "a.fits", Status: StatusFailed, Error: "read a.fits: truncated"},
		{Path: "b.fits", Status: StatusDuplicate, DuplicateOf: "c.fits"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "failed     a.fits  read a.fits: truncated") || !strings.Contains(b.String(), "same content as c.fits") {
		t.Errorf("files listing:\n%s", b.String())
	}
}
