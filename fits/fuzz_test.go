package fits

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds are valid and malformed files built by the tests.
func fuzzSeeds(f *testing.F) [][]byte {
	// Small seeds keep the fuzzer fast (it minimises every new input).
	h := &Header{}
	h.Set("LONGSTR", strings.Repeat("abc'", 30), "comment")
	h.Add(Card{Key: "HISTORY", Comment: "history"})
	small := mustTable(f, ColumnData{Name: "E", Data: [][]float32{{1, 2}}}, ColumnData{Name: "A", Data: []string{"x"}},
		ColumnData{Name: "J", Scale: 2, Zero: 1, HasNull: true, Null: -1, Dim: []int{1, 1}, Data: []int32{3}})
	seeds := [][]byte{
		encodeHDUs(f, &HDU{Header: h}, &HDU{Image: mustImage(f, []float64{1, 2}, 2)}, &HDU{Table: small}),
		encodeHDUs(f, &HDU{Image: mustImage(f, []int16{1, -1, 3}, 3)}),
		handTable(),
		vlaFile(4, [4]int32{2, 0, 9, 8}),
	}
	for _, tc := range malformedCases() {
		if len(tc.file) <= 4*BlockSize {
			seeds = append(seeds, tc.file)
		}
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(seeds[1])
	zw.Close()
	return append(seeds, z.Bytes())
}

// FuzzDecode checks that Decode never panics, that every failure on an
// in-memory file is a FormatError, and that whatever it accepts (images
// and binary tables) writes out and reads back to the same data.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(bytes.NewReader(b), "fuzz.fits")
		checkDecodeBytesAgrees(t, b, file, err)
		if err != nil {
			if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "fuzz.fits: HDU ") {
				t.Fatalf("error %q (%T) is not a FormatError naming the file", err, err)
			}
			return
		}
		for _, h := range file.HDUs {
			if h.Kind != KindPrimary && h.Kind != KindImage && h.Kind != KindBinTable {
				return // raw extensions are not written back
			}
			if h.Table != nil {
				for c := range h.Table.Columns {
					for r := range min(h.Table.NRows, 3) {
						h.Table.Float64s(c, r) // must not panic, errors allowed
						h.Table.String(c, r)
					}
				}
			}
		}
		var out bytes.Buffer
		if err := Write(&out, file.HDUs...); err != nil {
			if strings.Contains(err.Error(), "does not fit") {
				return // a HIERARCH value that grew when normalised
			}
			t.Fatalf("decoded file does not write back: %v", err)
		}
		var ref bytes.Buffer
		if err := refWrite(&ref, file.HDUs...); err != nil || !bytes.Equal(out.Bytes(), ref.Bytes()) {
			t.Fatalf("written bytes differ from the former writer's (its error: %v)", err)
		}
		again, err := Decode(bytes.NewReader(out.Bytes()), "again.fits")
		if err != nil {
			t.Fatalf("written file does not read back: %v", err)
		}
		if len(again.HDUs) != len(file.HDUs) {
			t.Fatalf("%d HDUs read back, want %d", len(again.HDUs), len(file.HDUs))
		}
		for i, h := range file.HDUs {
			g := again.HDUs[i]
			if h.Image != nil && (g.Image == nil || !sameFloats(rawFloats(g.Image.Data), rawFloats(h.Image.Data))) {
				t.Fatalf("HDU %d image differs after writing", i)
			}
			if h.Table != nil && (g.Table == nil || !bytes.Equal(g.Table.rows, h.Table.rows) || !bytes.Equal(g.Table.heap, h.Table.heap)) {
				t.Fatalf("HDU %d table differs after writing", i)
			}
		}
	})
}

// checkDecodeBytesAgrees requires DecodeBytes, the zero-copy path, to give
// what the streaming Decode gave: the same error, or the same HDUs.
func checkDecodeBytesAgrees(t *testing.T, b []byte, want *File, wantErr error) {
	t.Helper()
	got, err := DecodeBytes(b, "fuzz.fits")
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("DecodeBytes error %v, Decode error %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if len(got.HDUs) != len(want.HDUs) {
		t.Fatalf("DecodeBytes: %d HDUs, Decode: %d", len(got.HDUs), len(want.HDUs))
	}
	for i, h := range want.HDUs {
		g := got.HDUs[i]
		if g.Kind != h.Kind || len(g.Header.Cards) != len(h.Header.Cards) || !bytes.Equal(g.Raw, h.Raw) {
			t.Fatalf("HDU %d differs between DecodeBytes and Decode", i)
		}
		if h.Image != nil && (g.Image == nil || !sameFloats(rawFloats(g.Image.Data), rawFloats(h.Image.Data))) {
			t.Fatalf("HDU %d image differs between DecodeBytes and Decode", i)
		}
		if h.Table != nil && (g.Table == nil || !bytes.Equal(g.Table.rows, h.Table.rows) || !bytes.Equal(g.Table.heap, h.Table.heap)) {
			t.Fatalf("HDU %d table differs between DecodeBytes and Decode", i)
		}
	}
}
