package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/astroone/astroone-go/store"
)

func init() {
	register(command{name: "catalog", summary: "query a workspace's catalog (filters, table/csv/json, summary, failures)", run: runCatalog})
}

func runCatalog(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("catalog", "catalog --workspace WS [--class C] [--min-snr X] [--limit N] [--format table|csv|json] [--summary] [--failed]", stderr)
	wsDir := fs.String("workspace", "", "workspace directory (required)")
	class := fs.String("class", "", "keep spectra of this class (case-insensitive), e.g. STAR, GALAXY, QSO")
	minSNR := fs.Float64("min-snr", 0, "keep spectra whose S/N (g band, else the median of the known bands) is at least this")
	limit := fs.Int("limit", 0, "at most this many rows (0: all)")
	format := fs.String("format", "table", "output format: table, csv or json")
	summary := fs.Bool("summary", false, "print counts by outcome, class and survey, and S/N quartiles, instead of rows (json with --format json)")
	failed := fs.Bool("failed", false, "list the files that failed, with their reasons, and duplicates")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *wsDir == "" {
		fs.Usage()
		return errUsage
	}
	switch {
	case *format != "table" && *format != "csv" && *format != "json":
		fmt.Fprintf(stderr, "astroone catalog: --format %q: want table, csv or json\n", *format)
		return errUsage
	case *summary && *format == "csv":
		fmt.Fprintln(stderr, "astroone catalog: --summary prints a table or json, not csv")
		return errUsage
	case *failed && *format != "table":
		fmt.Fprintln(stderr, "astroone catalog: --failed prints a table")
		return errUsage
	case *summary && *failed:
		fmt.Fprintln(stderr, "astroone catalog: choose --summary or --failed")
		return errUsage
	}
	ws, err := store.OpenReadOnly(*wsDir)
	if err != nil {
		return err
	}
	defer ws.Close()
	switch {
	case *summary:
		s, err := ws.Summary()
		if err != nil {
			return err
		}
		if *format == "json" {
			b, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(stdout, string(b))
			return err
		}
		return store.WriteSummary(stdout, s)
	case *failed:
		var files []store.FileRecord
		for _, st := range []store.Status{store.StatusFailed, store.StatusDuplicate} {
			f, err := ws.Files(st, *limit)
			if err != nil {
				return err
			}
			files = append(files, f...)
		}
		return store.WriteFiles(stdout, files)
	}
	write := map[string]func(io.Writer, []store.Record) error{
		"table": store.WriteTable, "csv": store.WriteCSV, "json": store.WriteJSON,
	}[*format]
	recs, err := ws.Query(store.Query{Class: *class, MinSNR: *minSNR, Limit: *limit})
	if err != nil {
		return err
	}
	return write(stdout, recs)
}
