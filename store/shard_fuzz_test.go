package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
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

// TestDamagedShardsNeverPanic flips random bytes of a valid shard (seeded)
// and reads it back both ways: errors are fine, panics are not.
func TestDamagedShardsNeverPanic(t *testing.T) {
	dir := t.TempDir()
	n := testGrid.N
	var rows []ShardRow
	for i := range 20 {
		r := ShardRow{ID: fmt.Sprint(i), SHA256: fmt.Sprint("s", i), Flux: make([]float32, n), Ivar: make([]float32, n), Mask: make([]uint32, n), OrMask: make([]uint32, n)}
		for j := range n {
			r.Flux[j], r.Ivar[j], r.Mask[j] = float32(i*j), 1, uint32(j%3)
		}
		rows = append(rows, r)
	}
	good := filepath.Join(dir, "good.parquet")
	if err := WriteShard(good, testGrid, rows); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(good)
	rng := rand.New(rand.NewPCG(1, 2))
	bad := filepath.Join(dir, "bad.parquet")
	silent := 0
	for trial := range 300 {
		b := append([]byte(nil), orig...)
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		}
		os.WriteFile(bad, b, 0o644)
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("trial %d: panic %v", trial, p)
				}
			}()
			got, err := ReadShard(bad)
			if err == nil && !reflect.DeepEqual(got, rows) {
				silent++
			}
			readShardRow(bad, int64(rng.IntN(len(rows))))
		}()
	}
	// Parquet's page CRCs catch damaged pixel data; a flip in unchecked
	// metadata (statistics, key/value pairs) can pass unnoticed.
	t.Logf("%d of 300 damaged shards read without error but with other values", silent)
	if silent > 30 {
		t.Errorf("%d of 300 damaged shards read silently with other values", silent)
	}
}
