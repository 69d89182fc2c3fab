package store

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func TestShardRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rows := []ShardRow{
		{ID: "a", SHA256: "s1", Flux: make([]float32, 16), Ivar: make([]float32, 16), Mask: make([]uint32, 16), OrMask: make([]uint32, 16)},
		{ID: "b", SHA256: "s2", Flux: make([]float32, 16), Ivar: make([]float32, 16), Mask: make([]uint32, 16), OrMask: make([]uint32, 16)},
	}
	for i := range 16 {
		rows[0].Flux[i], rows[1].Flux[i] = float32(i)*1.5, -float32(i)
		rows[0].Ivar[i], rows[1].Ivar[i] = 2, 0.25
		rows[0].Mask[i], rows[1].Mask[i] = uint32(i), 1<<31|uint32(i)
		rows[0].OrMask[i], rows[1].OrMask[i] = uint32(i)|8, 1<<30
	}
	path := filepath.Join(dir, "shard-000001.parquet")
	if err := WriteShard(path, testGrid, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadShard(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rows)
	}
	g, err := ShardGrid(path)
	if err != nil || !g.Equal(testGrid) {
		t.Errorf("ShardGrid = %v, %v; want %v", g, err, testGrid)
	}
	row, _, err := readShardRow(path, 1)
	if err != nil || !reflect.DeepEqual(row, rows[1]) {
		t.Errorf("readShardRow(1) = %+v, %v", row, err)
	}
	if _, _, err := readShardRow(path, 2); !errors.Is(err, ErrBadShard) {
		t.Errorf("readShardRow(2) err = %v, want ErrBadShard", err)
	}
	// Every column chunk is zstd-compressed.
	f, _ := os.Open(path)
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Errorf("column %v codec %v, want zstd", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}
	assertNoTemp(t, dir)
}

func TestWriteShardRejects(t *testing.T) {
	good := ShardRow{ID: "a", SHA256: "s", Flux: make([]float32, 16), Ivar: make([]float32, 16), Mask: make([]uint32, 16), OrMask: make([]uint32, 16)}
	short := good
	short.Ivar = make([]float32, 15)
	noSHA := good
	noSHA.SHA256 = ""
	tests := []struct {
		name string
		grid Grid
		rows []ShardRow
		want error
	}{
		{"short ivar", testGrid, []ShardRow{good, short}, ErrBadShard},
		{"no sha", testGrid, []ShardRow{noSHA}, ErrBadShard},
		{"empty grid", Grid{Log10Start: 3, Log10Step: 1e-4}, nil, ErrBadGrid},
		{"zero step", Grid{Log10Start: 3, N: 16}, []ShardRow{good}, ErrBadGrid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "shard-000001.parquet")
			err := WriteShard(path, tc.grid, tc.rows)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("shard exists after failed write")
			}
			assertNoTemp(t, dir)
		})
	}
}

func TestReadShardBadFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.parquet")
	os.WriteFile(garbage, []byte("not parquet at all"), 0o644)
	noGrid := filepath.Join(dir, "nogrid.parquet")
	f, _ := os.Create(noGrid)
	if err := parquet.Write(f, []ShardRow{{ID: "a", SHA256: "s"}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, path := range []string{garbage, noGrid} {
		if _, err := ReadShard(path); !errors.Is(err, ErrBadShard) {
			t.Errorf("ReadShard(%s) err = %v, want ErrBadShard", filepath.Base(path), err)
		}
	}
	if _, err := ReadShard(filepath.Join(dir, "missing.parquet")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file err = %v", err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isTempShard(e.Name()) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
