package fits

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The tests here hold the single-buffer writer (encode.go, cardfmt.go) to
// the bytes of the former writer, kept in reference_test.go.

// randomKey returns a keyword of one of the kinds a header can hold:
// plain, numbered structural, commentary, HIERARCH, too long, lower-case,
// blank or with bad characters.
func randomKey(rng *rand.Rand) string {
	pool := []string{"OBSID", "DESIG", "RA", "DEC", "Z", "Z_ERR", "SNRG", "DATA-V", "A", "ABCDEFGH",
		"COMMENT", "HISTORY", "", "CONTINUE", "HIERARCH", "END", "ESO DET CHIP", "HIERARCH ESO X",
		"LONGKEYWORD", "lower", "B AD", "BAD=", "NAXIS", "NAXIS1", "NAXIS12", "TFORM3", "TTYPE", "TDIM10",
		"BSCALE", "CHECKSUM", "DATASUM", "SIMPLE", "XTENSION", "THEAP", "TNULL1A", "NAXISA", "TZERO999"}
	if rng.IntN(3) > 0 {
		return pool[rng.IntN(len(pool))]
	}
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ a='"
	b := make([]byte, 1+rng.IntN(10))
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// randomString returns text of the lengths and characters that decide
// how a string card is laid out: short, around the fixed-format limits,
// long, with quotes, blanks and bytes outside printable ASCII.
func randomString(rng *rand.Rand) string {
	const chars = "abcXYZ 019'/&=.-"
	n := []int{0, 1, 7, 8, 9, 10, 17, 18, 19, 20, 35, 46, 47, 48, 60, 66, 67, 68, 69, 70, 71, 72, 90, 150, 300}[rng.IntN(25)]
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	if n > 0 && rng.IntN(20) == 0 {
		b[rng.IntN(n)] = []byte{0x00, 0x09, 0x7f, 0xb0}[rng.IntN(4)]
	}
	return string(b)
}

// randomValue returns a value of each type a card may be given.
func randomValue(rng *rand.Rand) any {
	reals := []float64{0, -0.0, 1, -1, 3.5682, 1e-4, 1e21, 1e20, 123456789012345678, 1.5e-300, -2.5e300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 0.1, 1.0 / 3, -9999, 100}
	switch rng.IntN(14) {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return rng.Int64() >> rng.IntN(64)
	case 3:
		return -rng.Int64() >> rng.IntN(64)
	case 4:
		return reals[rng.IntN(len(reals))]
	case 5:
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
	case 6:
		return int(rng.IntN(100000))
	case 7:
		return float32(rng.NormFloat64())
	case 8:
		return complex(rng.NormFloat64(), reals[rng.IntN(len(reals))])
	case 9:
		return uint64(math.MaxUint64) - uint64(rng.IntN(3))
	default:
		return randomString(rng)
	}
}

// randomCard combines a random keyword, value and comment.
func randomCard(rng *rand.Rand) Card {
	c := Card{Key: randomKey(rng), Value: randomValue(rng)}
	if rng.IntN(3) > 0 {
		c.Comment = randomString(rng)
	}
	return c
}

// checkCard compares appendCard with the former formatCards for one card.
func checkCard(t *testing.T, c Card) {
	t.Helper()
	want, werr := refFormatCards(c)
	prefix := []byte("prefix")
	got, n, err := appendCard(prefix, c)
	if (err != nil) != (werr != nil) {
		t.Fatalf("card %#v: error %v, want %v", c, err, werr)
	}
	if err != nil {
		if err.Error() != werr.Error() || string(got) != "prefix" {
			t.Fatalf("card %#v: error %q (buffer %q), want %q", c, err, got, werr)
		}
		return
	}
	if n != len(want) || string(got) != "prefix"+strings.Join(want, "") {
		t.Fatalf("card %#v:\n got %d %q\nwant %d %q", c, n, got[len(prefix):], len(want), strings.Join(want, ""))
	}
}

func TestAppendCardMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 30000 {
		checkCard(t, randomCard(rng))
	}
	// The boundaries of the one-card string layout and of the comment.
	for n := range 75 {
		for _, comment := range []string{"", "c", strings.Repeat("w", 40), strings.Repeat("w", 80-n)} {
			checkCard(t, Card{Key: "KEY", Value: strings.Repeat("x", n), Comment: comment})
			checkCard(t, Card{Key: "QUOTE", Value: strings.Repeat("'", n/2), Comment: comment})
			checkCard(t, Card{Key: "NUM", Value: int64(n), Comment: comment + strings.Repeat("y", n)})
		}
	}
}

// FuzzAppendCard compares appendCard with the former formatCards, and
// isStructural with the former regular expression, on arbitrary cards.
func FuzzAppendCard(f *testing.F) {
	f.Add("OBSID", uint8(2), "", int64(101001), 0.0, "Unique number ID of this spectrum")
	f.Add("DESIG", uint8(4), "LAMOST J220848.54-020324.3", int64(0), 0.0, "Designation")
	f.Add("Z", uint8(3), "", int64(0), -0.0001387, "Redshift of object")
	f.Add("COEFF0", uint8(3), "", int64(0), 3.5682, "Central wavelength (log10) of first pixel")
	f.Add("LONG", uint8(4), strings.Repeat("a'", 50), int64(0), 0.0, strings.Repeat("c ", 60))
	f.Add("ESO DET", uint8(1), "", int64(0), 0.0, "")
	f.Add("TFORM12", uint8(0), "", int64(0), 0.0, "x")
	f.Add("COMMENT", uint8(0), "", int64(0), 0.0, "text")
	f.Fuzz(func(t *testing.T, key string, kind uint8, s string, i int64, x float64, comment string) {
		if isStructural(key) != structural.MatchString(key) {
			t.Fatalf("isStructural(%q) = %v, regexp says %v", key, isStructural(key), !isStructural(key))
		}
		var v any
		switch kind % 6 {
		case 1:
			v = i%2 == 0
		case 2:
			v = i
		case 3:
			v = x
		case 4:
			v = s
		case 5:
			v = complex(x, float64(i))
		}
		checkCard(t, Card{Key: key, Value: v, Comment: comment})
	})
}

func TestIsStructuralMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := []string{"", "T", "T1", "TDIM", "TDIM1", "TDIMX", "TTYPE", "TTYPE0", "TTYPE12A", "NAXIS", "NAXIS0", "NAXIS999",
		"NAXISX", "XNAXIS1", "END", "ENDX", "EXTNAME", "THEAP1", "TFIELDS", "tform1", "TZERO12", "TSCAL", "TNULL7", "TUNIT3"}
	for range 20000 {
		keys = append(keys, randomKey(rng))
		p := []string{"T", "TDIM", "TFORM", "NAXIS", "TTYPE", "TUNIT", "B"}[rng.IntN(7)]
		keys = append(keys, p+[]string{"", "1", "22", "9A", "x", " 1", "0"}[rng.IntN(7)])
	}
	for _, k := range keys {
		if isStructural(k) != structural.MatchString(k) {
			t.Errorf("isStructural(%q) = %v, regexp says %v", k, isStructural(k), !isStructural(k))
		}
	}
}

// randomEquivColumn returns a column of nrows rows of a random type.
func randomEquivColumn(rng *rand.Rand, i, nrows int) ColumnData {
	rep := 1 + rng.IntN(5)
	cd := ColumnData{Name: randomKey(rng) + "c", Unit: []string{"", "km/s", "Angstrom"}[rng.IntN(3)]}
	if rng.IntN(4) == 0 {
		cd.Scale, cd.Zero = []float64{0, 1, 2, 0.5}[rng.IntN(4)], []float64{0, 32768, 1.25, 1 << 63}[rng.IntN(4)]
	}
	switch rng.IntN(15) {
	case 0:
		cd.Data = fill(nrows, func() bool { return rng.IntN(2) == 0 })
	case 1:
		cd.Data = fill(nrows, func() uint8 { return uint8(rng.Uint32()) })
		cd.HasNull, cd.Null = true, 255
	case 2:
		cd.Data = fill(nrows, func() int16 { return int16(rng.Uint32()) })
	case 3:
		cd.Data = fill(nrows, func() int32 { return int32(rng.Uint32()) })
		cd.HasNull, cd.Null = rng.IntN(2) == 0, -1
	case 4:
		cd.Data = fill(nrows, func() int64 { return int64(rng.Uint64()) })
	case 5:
		cd.Data = fill(nrows, func() float32 { return float32(rng.NormFloat64()) })
	case 6:
		cd.Data = fill(nrows, rng.NormFloat64)
	case 7:
		cd.Data = fill(nrows, func() string { s := randomString(rng); return s[:min(len(s), rng.IntN(8))] })
		cd.Width = rng.IntN(2) * 12
	case 8:
		cd.Data = fill(nrows, func() []bool { return fill(rep, func() bool { return rng.IntN(2) == 0 }) })
	case 9:
		cd.Data = fill(nrows, func() []uint8 { return fill(rep, func() uint8 { return uint8(rng.Uint32()) }) })
	case 10:
		cd.Data = fill(nrows, func() []int16 { return fill(rep, func() int16 { return int16(rng.Uint32()) }) })
	case 11:
		cd.Data = fill(nrows, func() []int32 { return fill(rep, func() int32 { return int32(rng.Uint32()) }) })
	case 12:
		cd.Data = fill(nrows, func() []int64 { return fill(rep, func() int64 { return int64(rng.Uint64()) }) })
		if rep == 4 {
			cd.Dim = []int{2, 2}
		}
	case 13:
		cd.Data = fill(nrows, func() []float32 { return fill(rep, func() float32 { return float32(rng.NormFloat64()) }) })
	default:
		cd.Data = fill(nrows, func() []float64 { return fill(rep, rng.NormFloat64) })
	}
	return cd
}

func fill[T any](n int, f func() T) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = f()
	}
	return v
}

// randomEquivImage returns an image of a random type and shape, sometimes
// scaled or with BLANK, or nil (an empty primary).
func randomEquivImage(rng *rand.Rand) *Image {
	axes := []int{1 + rng.IntN(40), 1 + rng.IntN(4)}[:1+rng.IntN(2)]
	n := axes[0]
	if len(axes) > 1 {
		n *= axes[1]
	}
	var d any
	switch rng.IntN(7) {
	case 0:
		return nil
	case 1:
		d = fill(n, func() uint8 { return uint8(rng.Uint32()) })
	case 2:
		d = fill(n, func() int16 { return int16(rng.Uint32()) })
	case 3:
		d = fill(n, func() int32 { return int32(rng.Uint32()) })
	case 4:
		d = fill(n, func() int64 { return int64(rng.Uint64()) })
	case 5:
		d = fill(n, func() float32 { return float32(rng.NormFloat64()) })
	default:
		d = fill(n, rng.NormFloat64)
	}
	im := &Image{Axes: axes, Data: d, Scale: []float64{0, 1, 2.5, 3}[rng.IntN(4)], Zero: []float64{0, 0, -128, 32768, 0.5}[rng.IntN(5)]}
	im.HasBlank, im.Blank = rng.IntN(3) == 0, -7
	return im
}

// randomUserHeader returns user cards, some of which the writer drops
// (structural) or rejects.
func randomUserHeader(rng *rand.Rand, bad bool) *Header {
	h := &Header{}
	for range rng.IntN(60) {
		c := randomCard(rng)
		if _, err := refFormatCards(c); err != nil && !bad {
			continue
		}
		h.Cards = append(h.Cards, c)
	}
	return h
}

// TestWriteMatchesReference writes random files with Write and with the
// former writer and compares the bytes (or that both fail).
func TestWriteMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 400 {
		hdus := []*HDU{{Header: randomUserHeader(rng, trial%10 == 9), Image: randomEquivImage(rng)}}
		for range rng.IntN(4) {
			h := &HDU{Header: randomUserHeader(rng, false)}
			if rng.IntN(3) == 0 {
				h.Image = randomEquivImage(rng)
				if h.Image == nil {
					h.Image = &Image{}
				}
			} else {
				nrows := rng.IntN(30)
				var cols []ColumnData
				for i := range 1 + rng.IntN(6) {
					cols = append(cols, randomEquivColumn(rng, i, nrows))
				}
				tab, err := NewTable(cols)
				if err != nil {
					continue // e.g. TNULL on a scaled column: not this test's subject
				}
				if want := refTableRows(tab, cols); !bytes.Equal(tab.rows, want) {
					t.Fatalf("trial %d: table rows differ from the row-by-row encoding", trial)
				}
				if rng.IntN(4) == 0 {
					tab.heap = fill(rng.IntN(100), func() byte { return byte(rng.Uint32()) })
				}
				h.Table = tab
			}
			hdus = append(hdus, h)
		}
		var got, want bytes.Buffer
		err := Write(&got, hdus...)
		werr := refWrite(&want, hdus...)
		if (err != nil) != (werr != nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("trial %d: error %v, want %v", trial, err, werr)
		}
		if err == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("trial %d: %d bytes differ from the former writer's %d", trial, got.Len(), want.Len())
		}
	}
}

// TestNewTableBufferReusesStorage: rows go into the caller's buffer when
// it is large enough, are the same bytes as NewTable's, and a buffer too
// small is left alone.
func TestNewTableBufferReusesStorage(t *testing.T) {
	cols := []ColumnData{{Name: "A", Data: [][]float32{{1, 2, 3}}}, {Name: "B", Data: []string{"xy"}, Width: 4}}
	want, err := NewTable(cols)
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Repeat([]byte{0xee}, 64) // stale bytes must all be overwritten
	got, err := NewTableBuffer(buf, cols)
	if err != nil {
		t.Fatal(err)
	}
	if &got.rows[0] != &buf[0] || !bytes.Equal(got.rows, want.rows) || len(got.rows) != 16 {
		t.Errorf("rows %x (in buf: %v), want %x", got.rows, &got.rows[0] == &buf[0], want.rows)
	}
	small := make([]byte, 3)
	got, err = NewTableBuffer(small, cols)
	if err != nil || &got.rows[0] == &small[0] || !bytes.Equal(got.rows, want.rows) {
		t.Errorf("small buffer: rows %x err %v", got.rows, err)
	}
}

// failWriter fails every write.
type failWriter struct{ n int }

var errFail = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) { w.n++; return 0, errFail }

// TestWriteLargeInPieces: a file larger than the flush size reaches the
// writer in several pieces and is the same bytes; a failing writer's
// error comes back.
func TestWriteLargeInPieces(t *testing.T) {
	data := fill(3<<20, func() float32 { return 1.5 }) // 12 MiB
	im, err := NewImage(data, 1<<10, 3<<10)
	if err != nil {
		t.Fatal(err)
	}
	hdus := []*HDU{{Header: lamostHeader(), Image: im}}
	var got, want bytes.Buffer
	cw := &countWriter{w: &got}
	if err := Write(cw, hdus...); err != nil {
		t.Fatal(err)
	}
	if err := refWrite(&want, hdus...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) || cw.calls < 3 {
		t.Errorf("%d bytes in %d writes, want %d bytes in at least 3", got.Len(), cw.calls, want.Len())
	}
	if err := Write(&failWriter{}, hdus...); !errors.Is(err, errFail) {
		t.Errorf("failing writer: error %v", err)
	}
	small := &countWriter{w: &bytes.Buffer{}}
	if err := Write(small, &HDU{Header: lamostHeader()}); err != nil || small.calls != 1 {
		t.Errorf("small file in %d writes (%v), want 1", small.calls, err)
	}
}

type countWriter struct {
	w     *bytes.Buffer
	calls int
}

func (c *countWriter) Write(p []byte) (int, error) { c.calls++; return c.w.Write(p) }
