package fits

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// multiHDUs is a primary image with header cards, an IMAGE extension and
// a BINTABLE extension.
func multiHDUs(t testing.TB) []*HDU {
	ph := &Header{}
	ph.Set("OBSID", 101001, "Unique number ID of this spectrum")
	ph.Set("CLASS", "STAR", "")
	ph.Set("LONGSTR", strings.TrimSpace(strings.Repeat("long string value ", 10)), "spans CONTINUE cards")
	ph.Add(Card{Key: "HISTORY", Comment: "written by the fits tests"})
	ph.Add(Card{Key: "COMMENT", Comment: "a comment"})
	ih := &Header{}
	ih.Set("EXTNAME", "MASK", "")
	th := &Header{}
	th.Set("EXTNAME", "COADD", "")
	return []*HDU{
		{Header: ph, Image: mustImage(t, []float32{1, 2, 3, 4, 5, 6}, 3, 2)},
		{Header: ih, Image: mustImage(t, []int32{-1, 0, 1}, 3)},
		{Header: th, Table: mustTable(t, tableColumns()...)},
	}
}

// userCards returns the cards of h that the writer does not generate.
func userCards(h *Header) []Card {
	var out []Card
	for _, c := range h.Cards {
		if !structural.MatchString(c.Key) {
			out = append(out, c)
		}
	}
	return out
}

// checkSameHDUs compares what was written with what was read back.
func checkSameHDUs(t *testing.T, got *File, want []*HDU) {
	t.Helper()
	if len(got.HDUs) != len(want) {
		t.Fatalf("%d HDUs, want %d", len(got.HDUs), len(want))
	}
	for i, w := range want {
		g := got.HDUs[i]
		wantCards := []Card(nil)
		if w.Header != nil {
			wantCards = w.Header.Cards
		}
		if gc := userCards(g.Header); !reflect.DeepEqual(gc, wantCards) {
			t.Errorf("HDU %d cards:\n got %#v\nwant %#v", i, gc, wantCards)
		}
		switch {
		case w.Table != nil:
			if g.Table == nil || !reflect.DeepEqual(g.Table.Columns, w.Table.Columns) || !bytes.Equal(g.Table.rows, w.Table.rows) {
				t.Errorf("HDU %d table differs", i)
			}
		case w.Image != nil && w.Image.Data != nil:
			if g.Image == nil || !sameFloats(rawFloats(g.Image.Data), rawFloats(w.Image.Data)) ||
				!reflect.DeepEqual(g.Image.Axes, w.Image.Axes) {
				t.Errorf("HDU %d image differs: %+v", i, g.Image)
			}
		}
	}
}

func TestMultiHDURoundTrip(t *testing.T) {
	hdus := multiHDUs(t)
	b := encodeHDUs(t, hdus...)
	if len(b)%BlockSize != 0 {
		t.Fatalf("file length %d is not a multiple of %d", len(b), BlockSize)
	}
	f := decodeBytes(t, b)
	checkSameHDUs(t, f, hdus)
	kinds := []Kind{KindPrimary, KindImage, KindBinTable}
	for i, h := range f.HDUs {
		if h.Kind != kinds[i] {
			t.Errorf("HDU %d kind %v, want %v", i, h.Kind, kinds[i])
		}
	}
	if ext, err := f.HDUs[0].Header.Bool("EXTEND"); err != nil || !ext {
		t.Errorf("primary EXTEND = %v, %v", ext, err)
	}
	if h, ok := f.HDUByName("coadd"); !ok || h != f.HDUs[2] {
		t.Errorf("HDUByName(coadd) = %v, %v", h, ok)
	}
	if _, ok := f.HDUByName("nope"); ok {
		t.Errorf("HDUByName(nope) found something")
	}
	// Every header ends with END followed by blanks up to its block end,
	// and every data area is zero-padded.
	for off := 0; off < len(b); {
		end := bytes.Index(b[off:], []byte(cardImage("END")))
		if end < 0 || end%CardSize != 0 {
			t.Fatalf("no END card at a card boundary after offset %d", off)
		}
		hdrEnd := off + (end/BlockSize+1)*BlockSize
		if strings.TrimLeft(string(b[off+end+CardSize:hdrEnd]), " ") != "" {
			t.Fatalf("header padding after offset %d is not blank", off)
		}
		off = hdrEnd
		if next := bytes.Index(b[off:], []byte("XTENSION= ")); next >= 0 {
			off += next
		} else {
			break
		}
	}
}

func TestWriteFileGzipAndReadHeaders(t *testing.T) {
	hdus := multiHDUs(t)
	dir := t.TempDir()
	for _, name := range []string{"multi.fits", "multi.fits.gz"} {
		path := filepath.Join(dir, name)
		if err := WriteFile(path, hdus...); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		if gz := len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b; gz != strings.HasSuffix(name, ".gz") {
			t.Fatalf("%s: gzip magic %v", name, gz)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", name, st.Mode().Perm())
		}
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		checkSameHDUs(t, f, hdus)
		hs, err := ReadHeaders(path)
		if err != nil || len(hs) != len(hdus) {
			t.Fatalf("%s: ReadHeaders: %d headers, %v", name, len(hs), err)
		}
		for i := range hs {
			if !reflect.DeepEqual(hs[i], f.HDUs[i].Header) {
				t.Errorf("%s: ReadHeaders header %d differs from Open's", name, i)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("directory holds %d entries, want the 2 files (no temporaries)", len(entries))
	}
	bad := filepath.Join(dir, "bad.fits")
	if err := WriteFile(bad, &HDU{Table: &Table{}}); err == nil {
		t.Fatal("WriteFile of a table primary: no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("failed WriteFile left %d entries", len(entries))
	}
	if _, err := Open(filepath.Join(dir, "absent.fits")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v", err)
	}
}

// onlyReader hides Seek, as a pipe would.
type onlyReader struct{ io.Reader }

func TestReaderStreaming(t *testing.T) {
	b := encodeHDUs(t, multiHDUs(t)...)
	// Trailing zero fill after the last HDU is not an HDU.
	b = append(b, make([]byte, BlockSize)...)
	for name, r := range map[string]io.Reader{"seekable": bytes.NewReader(b), "stream": onlyReader{bytes.NewReader(b)}} {
		rd, err := NewReader(r, name)
		if err != nil {
			t.Fatal(err)
		}
		h0, err := rd.NextHeader() // skip the primary data
		if err != nil || h0.StringOr("CLASS", "") != "STAR" {
			t.Fatalf("%s: NextHeader: %v", name, err)
		}
		h1, err := rd.Next()
		if err != nil || h1.Name() != "MASK" || !reflect.DeepEqual(h1.Image.Data, []int32{-1, 0, 1}) {
			t.Fatalf("%s: Next after NextHeader: %+v, %v", name, h1, err)
		}
		if _, err := rd.Next(); err != nil {
			t.Fatalf("%s: table: %v", name, err)
		}
		for range 2 {
			if _, err := rd.Next(); err != io.EOF {
				t.Fatalf("%s: after the last HDU: %v, want io.EOF", name, err)
			}
		}
	}
}

func TestUnpaddedLastBlock(t *testing.T) {
	b := encodeHDUs(t, &HDU{Image: mustImage(t, []int16{7, 8}, 2)})
	f := decodeBytes(t, b[:BlockSize+4]) // data complete, padding missing
	if !reflect.DeepEqual(f.HDUs[0].Image.Data, []int16{7, 8}) {
		t.Fatalf("data %v", f.HDUs[0].Image.Data)
	}
}

func TestOtherExtensionsKeptRaw(t *testing.T) {
	b := concat(emptyPrimary, headerBytes("XTENSION= 'TABLE   '", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                    3", "NAXIS2  =                    2", "PCOUNT  =                    0", "GCOUNT  =                    1",
		"TFIELDS =                    1", "TFORM1  = 'A3'"), dataBytes([]byte("abcdef")))
	h := decodeBytes(t, b).HDUs[1]
	if h.Kind != KindASCIITable || h.XTension != "TABLE" || string(h.Raw) != "abcdef" {
		t.Fatalf("ASCII table HDU %+v", h)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindPrimary: "PRIMARY", KindImage: "IMAGE", KindBinTable: "BINTABLE",
		KindASCIITable: "TABLE", KindOther: "OTHER"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

// TestChecksumCardsDropped: CHECKSUM/DATASUM of a file read earlier would
// be wrong for the bytes written now.
func TestChecksumCardsDropped(t *testing.T) {
	h := &Header{}
	h.Set("CHECKSUM", "hcHjjc9ghcEghc9g", "HDU checksum")
	h.Set("DATASUM", "0", "data unit checksum")
	h.Set("KEEP", 1, "")
	got := roundTrip(t, &HDU{Header: h}).HDUs[0].Header
	if got.Has("CHECKSUM") || got.Has("DATASUM") || !got.Has("KEEP") {
		t.Fatalf("cards after writing: %v", got.Cards)
	}
}

// TestRandomGroupsKeptRaw reads a random-groups primary (section 6):
// NAXIS1=0, size = GCOUNT*(PCOUNT + NAXIS2*...) elements.
func TestRandomGroupsKeptRaw(t *testing.T) {
	b := concat(headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                    0", "NAXIS2  =                    3", "GROUPS  =                    T",
		"PCOUNT  =                    1", "GCOUNT  =                    2"), dataBytes([]byte{1, 2, 3, 4, 5, 6, 7, 8}))
	h := decodeBytes(t, b).HDUs[0]
	if h.Kind != KindOther || !bytes.Equal(h.Raw, []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("random groups HDU kind %v raw %v", h.Kind, h.Raw)
	}
	// One group without parameters is still random groups, not an image.
	b = concat(headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                    0", "NAXIS2  =                    3", "GROUPS  =                    T",
		"PCOUNT  =                    0", "GCOUNT  =                    1"), dataBytes([]byte{1, 2, 3}))
	if h := decodeBytes(t, b).HDUs[0]; h.Kind != KindOther || h.Image != nil || len(h.Raw) != 3 {
		t.Fatalf("single group HDU kind %v image %v raw %v", h.Kind, h.Image, h.Raw)
	}
}

func TestWriteErrors(t *testing.T) {
	bad := &Header{}
	bad.Set("NANKEY", math.NaN(), "")
	tests := []struct {
		hdus []*HDU
		want string
	}{
		{nil, "no HDUs"},
		{[]*HDU{nil}, "nil HDU"},
		{[]*HDU{{Table: &Table{}}}, "primary HDU cannot be a table"},
		{[]*HDU{{}, {}}, "neither Image nor Table"},
		{[]*HDU{{Header: bad}}, "NANKEY"},
		{[]*HDU{{Image: &Image{Data: []float32{1}, Axes: []int{2}}}}, "1 elements"},
		{[]*HDU{{}, {Kind: KindASCIITable, XTension: "TABLE", Raw: []byte("abc")}}, "raw bytes"},
		{[]*HDU{{Kind: KindOther, Raw: []byte{1}}}, "raw bytes"},
	}
	for _, tc := range tests {
		if err := Write(io.Discard, tc.hdus...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Write error %v, want %q", err, tc.want)
		}
	}
}

// randomHeader makes header cards of every value type, with printable
// strings (quotes included) up to 150 characters.
func randomHeader(rng *rand.Rand) *Header {
	h := &Header{}
	word := func() string {
		b := make([]byte, 1+rng.IntN(9))
		for i := range b {
			b[i] = byte(0x21 + rng.IntN(0x7e-0x21+1))
		}
		return string(b)
	}
	text := func(n int) string {
		var w []string
		for l := 0; l < n; l += 6 {
			w = append(w, word())
		}
		return strings.Join(w, " ")
	}
	for i := range rng.IntN(12) {
		key := "KEY" + string(rune('A'+i))
		switch rng.IntN(8) {
		case 0:
			h.Set(key, rng.Int64()-rng.Int64(), text(rng.IntN(30)))
		case 1:
			h.Set(key, rng.NormFloat64()*1e10, text(rng.IntN(20)))
		case 2:
			h.Set(key, rng.IntN(2) == 1, "")
		case 3:
			h.Set(key, complex(rng.Float64(), -rng.ExpFloat64()), "")
		case 4:
			h.Set(key, text(rng.IntN(150)), text(rng.IntN(120)))
		case 5:
			h.Add(Card{Key: "HISTORY", Comment: text(rng.IntN(60))})
		case 6:
			h.Set("HIERARCH ESO RANDOM "+key, text(rng.IntN(40)), "")
		default:
			h.Set(key, nil, text(rng.IntN(30)))
		}
	}
	return h
}

func randomImage(rng *rand.Rand) *Image {
	axes := []int{1 + rng.IntN(40), 1 + rng.IntN(5)}
	n := axes[0] * axes[1]
	var data any
	switch rng.IntN(6) {
	case 0:
		d := make([]uint8, n)
		for i := range d {
			d[i] = uint8(rng.Uint32())
		}
		data = d
	case 1:
		d := make([]int16, n)
		for i := range d {
			d[i] = int16(rng.Uint32())
		}
		data = d
	case 2:
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(rng.Uint32())
		}
		data = d
	case 3:
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(rng.Uint64())
		}
		data = d
	case 4:
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		data = d
	default:
		d := make([]float64, n)
		for i := range d {
			d[i] = rng.NormFloat64() * 1e100
		}
		data = d
	}
	im := &Image{Axes: axes, Data: data, Scale: 1}
	if rng.IntN(2) == 0 {
		im.Scale, im.Zero = rng.Float64()+0.5, float64(rng.IntN(1000))
	}
	return im
}

// TestPropertyRoundTrip writes random files (seeded: the same every run)
// and checks that everything reads back.
func TestPropertyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 4))
	for iter := range 60 {
		hdus := []*HDU{{Header: randomHeader(rng)}}
		if rng.IntN(2) == 0 {
			hdus[0].Image = randomImage(rng)
		}
		for range rng.IntN(3) {
			h := &HDU{Header: randomHeader(rng)}
			if rng.IntN(2) == 0 {
				h.Image = randomImage(rng)
			} else {
				nrows := rng.IntN(4)
				f := make([][]float64, nrows)
				s := make([]string, nrows)
				for r := range f {
					f[r] = []float64{rng.NormFloat64(), rng.NormFloat64()}
					s[r] = strings.Repeat("x", rng.IntN(12))
				}
				h.Table = mustTable(t, ColumnData{Name: "F", Data: f}, ColumnData{Name: "S", Data: s})
			}
			hdus = append(hdus, h)
		}
		t.Run("iter"+pad20(iter)[17:], func(t *testing.T) {
			checkSameHDUs(t, roundTrip(t, hdus...), hdus)
		})
	}
}
