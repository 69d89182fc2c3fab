package store

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadShard: a damaged shard file gives an error, never a panic or
// rows that disagree with the grid.
func FuzzReadShard(f *testing.F) {
	dir := f.TempDir()
	rows := []ShardRow{{ID: "a", SHA256: "s", Flux: make([]float32, testGrid.N), Ivar: make([]float32, testGrid.N), Mask: make([]uint32, testGrid.N), OrMask: make([]uint32, testGrid.N)}}
	path := filepath.Join(dir, "seed.parquet")
	if err := WriteShard(path, testGrid, rows); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "s.parquet")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadShard(p)
		if err != nil {
			return
		}
		g, err := ShardGrid(p)
		if err != nil {
			t.Fatalf("ReadShard accepted a shard whose grid does not read: %v", err)
		}
		for _, r := range got {
			if len(r.Flux) != g.N || len(r.Ivar) != g.N || len(r.Mask) != g.N {
				t.Fatalf("row %q has %d/%d/%d pixels on a grid of %d", r.ID, len(r.Flux), len(r.Ivar), len(r.Mask), g.N)
			}
		}
	})
}
