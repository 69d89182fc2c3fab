package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageAndHelp(t *testing.T) {
	if code, _, errOut := runCLI(t); code != 2 || !strings.Contains(errOut, "ingest") {
		t.Errorf("no args: code %d, usage %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "nosuch"); code != 2 || !strings.Contains(errOut, `unknown command "nosuch"`) {
		t.Errorf("unknown command: code %d, %q", code, errOut)
	}
	for name := range commands {
		code, _, errOut := runCLI(t, name, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: astroone "+name) {
			t.Errorf("%s --help: code %d, %q", name, code, errOut)
		}
	}
	if code, _, _ := runCLI(t, "ingest", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: code %d, want 2", code)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "demo", "--n", "40", "--dir", dir, "--config", "tiny", "--train-steps", "3")
	if code != 0 {
		t.Fatalf("demo failed (%d): %s\n%s", code, out, errOut)
	}
	// 40 sample files + 3 other layouts + 1 duplicate + 1 truncated.
	for _, want := range []string{"seen 45 files: 43 ingested, 1 duplicates, 1 failed", "truncated.fits", "same content as", "by class",
		"4. training the \"tiny\" model for 3 steps", "5. the model against the baselines", "class accuracy", "6. predicting three test files", "truth: "} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	ws := filepath.Join(dir, "workspace")
	code, out, _ = runCLI(t, "catalog", "--workspace", ws, "--format", "json", "--class", "star", "--min-snr", "20")
	if code != 0 {
		t.Fatalf("catalog: %d", code)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("catalog json: %v\n%s", err, out)
	}
	for _, r := range recs {
		if r["class"] != "STAR" || r["snr"].(float64) < 20 {
			t.Errorf("filtered record %v", r)
		}
	}
	code, out, _ = runCLI(t, "catalog", "--workspace", ws, "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 44 { // header + 43 rows
		t.Errorf("catalog csv: code %d, %d lines", code, strings.Count(out, "\n"))
	}
	// A second ingest of the same directory does nothing new.
	code, out, _ = runCLI(t, "ingest", filepath.Join(dir, "spectra"), "--workspace", ws, "--json", "--quiet")
	var sum map[string]float64
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum["seen"] != 45 || sum["skipped"] != 45 || sum["ingested"] != 0 {
		t.Errorf("re-ingest: code %d, %s", code, out)
	}
}

func TestShowJSONAndPlot(t *testing.T) {
	dir := t.TempDir()
	simulator, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := simulator.Spectrum(3)
	path := filepath.Join(dir, "a.fits")
	if err := spectrum.WriteLAMOSTTable(path, s); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(dir, "a.svg")
	code, out, errOut := runCLI(t, "show", path, "--json", "--plot", svg)
	if code != 0 {
		t.Fatalf("show: %d %s", code, errOut)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"survey", "layout", "id", "class", "subclass", "z", "ra", "dec", "npix", "wavelength_min", "wavelength_max", "snr"} {
		if _, ok := info[k]; !ok {
			t.Errorf("show --json lacks key %q", k)
		}
	}
	if info["npix"].(float64) != 3908 || info["layout"] != "lamost-table" || info["id"] != s.Meta.ID {
		t.Errorf("show --json = %v", info)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(b, []byte("<polyline")) {
		t.Errorf("plot not written: %v", err)
	}
	// A bad file among good ones: an error line, the rest still shown.
	bad := filepath.Join(dir, "bad.fits")
	os.WriteFile(bad, []byte("SIMPLE  = junk"), 0o644)
	code, out, errOut = runCLI(t, "show", bad, path)
	if code != 1 || !strings.Contains(errOut, "bad.fits") || !strings.Contains(out, s.Meta.ID) {
		t.Errorf("show with a bad file: code %d, out %q, err %q", code, out, errOut)
	}
}

func TestFlagChecks(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if code, _, errOut := runCLI(t, "ingest", filepath.Join(dir, "nonexistent"), "--workspace", ws); code != 1 || !strings.Contains(errOut, "nonexistent") {
		t.Errorf("missing input: code %d, %q", code, errOut)
	}
	if _, err := os.Stat(ws); !os.IsNotExist(err) {
		t.Errorf("a workspace was created for a failed ingest: %v", err)
	}
	for _, args := range [][]string{
		{"--format", "xml"}, {"--summary", "--format", "csv"}, {"--failed", "--format", "json"}, {"--summary", "--failed"},
	} {
		if code, _, _ := runCLI(t, append([]string{"catalog", "--workspace", ws}, args...)...); code != 2 {
			t.Errorf("catalog %v: code %d, want 2", args, code)
		}
	}
}
