package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// BenchmarkProcessLAMOSTFile measures a worker's share of ingesting one
// LAMOST DR8+ file: read, sha256, decode, prepare (resample onto the
// LAMOST grid) and build the catalog entry. The shard and catalog writes
// are measured by BenchmarkIngest.
func BenchmarkProcessLAMOSTFile(b *testing.B) {
	simulator, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := simulator.Spectrum(0)
	path := filepath.Join(b.TempDir(), "spec.fits")
	if err := spectrum.WriteLAMOSTTable(path, s); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	opts := StandardOptions(nil, nil, prep.LAMOSTGrid())
	j := job{found: found{path: path, size: st.Size(), modTime: st.ModTime()}}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		r := process(j, &opts)
		if r.entry.File.Status != store.StatusOK {
			b.Fatalf("status %s: %s", r.entry.File.Status, r.entry.File.Error)
		}
	}
}
