package fits

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

// TestDecodeImageBytes decodes hand-built files: big-endian two's
// complement integers and IEEE-754 floats (standard section 5.2).
func TestDecodeImageBytes(t *testing.T) {
	tests := []struct {
		bitpix string
		data   []byte
		want   any
	}{
		{"8", []byte{0x00, 0x7f, 0xff}, []uint8{0, 127, 255}},
		{"16", []byte{0x00, 0x01, 0xff, 0xff, 0x80, 0x00}, []int16{1, -1, math.MinInt16}},
		{"32", []byte{0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 1, 0}, []int32{math.MaxInt32, math.MinInt32, 256}},
		{"64", []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, []int64{math.MinInt64, 2, -2}},
		{"-32", []byte{0x3f, 0xc0, 0, 0, 0xff, 0x80, 0, 0, 0xc0, 0x20, 0, 0}, []float32{1.5, float32(math.Inf(-1)), -2.5}},
		{"-64", []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, []float64{1.5, -2.5, math.SmallestNonzeroFloat64}},
	}
	for _, tc := range tests {
		b := concat(headerBytes(
			"SIMPLE  =                    T",
			"BITPIX  = "+strings.Repeat(" ", 20-len(tc.bitpix))+tc.bitpix,
			"NAXIS   =                    1",
			"NAXIS1  =                    3",
		), dataBytes(tc.data))
		f := decodeBytes(t, b)
		im := f.HDUs[0].Image
		if !reflect.DeepEqual(im.Data, tc.want) || !reflect.DeepEqual(im.Axes, []int{3}) {
			t.Errorf("BITPIX %s: data %v axes %v, want %v [3]", tc.bitpix, im.Data, im.Axes, tc.want)
		}
	}
}

// TestDecodeScaledImage checks BSCALE/BZERO/BLANK on a hand-built 3x2
// 16-bit image: physical = BZERO + BSCALE*stored, BLANK -> NaN.
func TestDecodeScaledImage(t *testing.T) {
	b := concat(headerBytes(
		"SIMPLE  =                    T",
		"BITPIX  =                   16",
		"NAXIS   =                    2",
		"NAXIS1  =                    3",
		"NAXIS2  =                    2",
		"BSCALE  =                  2.0",
		"BZERO   =                 10.0",
		"BLANK   =               -32768",
	), dataBytes([]byte{0x00, 0x01, 0xff, 0xff, 0x80, 0x00, 0x7f, 0xff, 0x00, 0x00, 0x01, 0x00}))
	im := decodeBytes(t, b).HDUs[0].Image
	want := []float64{12, 8, math.NaN(), 65544, 10, 522}
	if got := im.Float64s(); !sameFloats(got, want) {
		t.Fatalf("Float64s = %v, want %v", got, want)
	}
	if im.Scale != 2 || im.Zero != 10 || !im.HasBlank || im.Blank != -32768 {
		t.Fatalf("scaling %v %v %v %v", im.Scale, im.Zero, im.HasBlank, im.Blank)
	}
	row, err := im.Row(1)
	if err != nil || !sameFloats(row, want[3:]) {
		t.Fatalf("Row(1) = %v, %v", row, err)
	}
	if _, err := im.Row(2); err == nil {
		t.Fatalf("Row(2) of 2 rows: no error")
	}
}

// TestWriteFileBytes compares the whole output of a tiny file with a
// hand-built image: 2880-byte header padded with blanks, data padded with
// zeros, total a multiple of 2880 (standard sections 3.3 and 4.4).
func TestWriteFileBytes(t *testing.T) {
	got := encodeHDUs(t, &HDU{Image: mustImage(t, []uint8{1, 2, 3}, 3)})
	want := concat(headerBytes(
		"SIMPLE  =                    T / conforms to FITS standard",
		"BITPIX  =                    8 / bits per data value",
		"NAXIS   =                    1",
		"NAXIS1  =                    3",
	), dataBytes([]byte{1, 2, 3}))
	if !bytes.Equal(got, want) {
		t.Fatalf("file bytes differ:\n got %q\nwant %q", got[:400], want[:400])
	}
	if len(got) != 2*BlockSize {
		t.Fatalf("file of %d bytes, want %d", len(got), 2*BlockSize)
	}
}

type imageCase struct {
	name string
	im   *Image
}

func imageCases(t testing.TB) []imageCase {
	u8 := []uint8{0, 1, 127, 128, 254, 255}
	i16 := []int16{math.MinInt16, -1, 0, 1, 1000, math.MaxInt16}
	i32 := []int32{math.MinInt32, -1, 0, 1, 1 << 20, math.MaxInt32}
	i64 := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1 << 40, math.MaxInt64}
	f32 := []float32{float32(math.Inf(-1)), -1.5, 0, float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32}
	f64 := []float64{math.Inf(1), -1.5, math.Copysign(0, -1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64}
	scaled := func(im *Image, scale, zero float64) *Image { im.Scale, im.Zero = scale, zero; return im }
	blank := func(im *Image, b int64) *Image { im.Blank, im.HasBlank = b, true; return im }
	return []imageCase{
		{"8", mustImage(t, u8, 3, 2)},
		{"16", mustImage(t, i16, 2, 3)},
		{"32", mustImage(t, i32, 6)},
		{"64", mustImage(t, i64, 1, 2, 3)},
		{"-32", mustImage(t, f32, 3, 2)},
		{"-64", mustImage(t, f64, 3, 2)},
		{"8 scaled blank", blank(scaled(mustImage(t, u8, 3, 2), 0.5, -64), 255)},
		{"8 signed bytes", scaled(mustImage(t, u8, 6), 1, -128)},
		{"16 scaled blank", blank(scaled(mustImage(t, i16, 6), 1e-3, 100), math.MinInt16)},
		{"16 unsigned", scaled(mustImage(t, i16, 6), 1, 32768)},
		{"32 scaled blank", blank(scaled(mustImage(t, i32, 6), 2.5, -1e9), -1)},
		{"32 unsigned", scaled(mustImage(t, i32, 6), 1, 2147483648)},
		{"64 scaled blank", blank(scaled(mustImage(t, i64, 6), 3, 0.5), -1)},
		{"64 unsigned", scaled(mustImage(t, i64, 6), 1, 1<<63)},
		// Moderate values: astropy scales float32 data in float32.
		{"-32 scaled", scaled(mustImage(t, []float32{-1.5, 0, float32(math.NaN()), 1e30, float32(math.Inf(1)), 7}, 6), 4, 1)},
		{"-64 scaled", scaled(mustImage(t, f64, 6), 0.25, -8)},
	}
}

// wantPhysical computes Zero + Scale*stored (NaN for BLANK) independently
// of Image.Float64s.
func wantPhysical(im *Image) []float64 {
	v := reflect.ValueOf(im.Data)
	out := make([]float64, v.Len())
	for i := range out {
		var x float64
		switch e := v.Index(i); e.Kind() {
		case reflect.Uint8:
			if im.HasBlank && int64(e.Uint()) == im.Blank {
				x = math.NaN()
			} else {
				x = im.Zero + im.Scale*float64(e.Uint())
			}
		case reflect.Int16, reflect.Int32, reflect.Int64:
			switch {
			case im.HasBlank && e.Int() == im.Blank:
				x = math.NaN()
			case im.Scale == 1 && im.Zero == 1<<63: // unsigned 64-bit: exact sum, rounded once
				x, _ = new(big.Float).Add(new(big.Float).SetInt64(e.Int()), big.NewFloat(im.Zero)).Float64()
			default:
				x = im.Zero + im.Scale*float64(e.Int())
			}
		default:
			x = im.Zero + im.Scale*e.Float()
		}
		out[i] = x
	}
	return out
}

func TestImageRoundTrip(t *testing.T) {
	for _, tc := range imageCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got := roundTrip(t, &HDU{Image: tc.im}).HDUs[0].Image
			if !reflect.DeepEqual(got.Axes, tc.im.Axes) || got.Bitpix() != tc.im.Bitpix() {
				t.Fatalf("axes %v bitpix %d, want %v %d", got.Axes, got.Bitpix(), tc.im.Axes, tc.im.Bitpix())
			}
			if !sameFloats(rawFloats(got.Data), rawFloats(tc.im.Data)) {
				t.Fatalf("data %v, want %v", got.Data, tc.im.Data)
			}
			if got.Scale != tc.im.Scale || got.Zero != tc.im.Zero || got.HasBlank != tc.im.HasBlank || got.Blank != tc.im.Blank {
				t.Fatalf("scaling %v %v %v %v, want %v %v %v %v", got.Scale, got.Zero, got.HasBlank, got.Blank,
					tc.im.Scale, tc.im.Zero, tc.im.HasBlank, tc.im.Blank)
			}
			if p := got.Float64s(); !sameFloats(p, wantPhysical(tc.im)) {
				t.Fatalf("Float64s %v, want %v", p, wantPhysical(tc.im))
			}
		})
	}
}

// rawFloats converts any image slice to float64 bit-exactly for the
// integer ranges used in the tests (int64 extremes compare through bits).
func rawFloats(d any) []float64 {
	if d == nil {
		return nil
	}
	v := reflect.ValueOf(d)
	out := make([]float64, v.Len())
	for i := range out {
		switch e := v.Index(i); e.Kind() {
		case reflect.Uint8:
			out[i] = float64(e.Uint())
		case reflect.Int16, reflect.Int32, reflect.Int64:
			out[i] = math.Float64frombits(uint64(e.Int()))
		default:
			out[i] = e.Float()
		}
	}
	return out
}

// TestUnsigned16Bytes checks the unsigned-integer convention on the bytes:
// unsigned u is stored as the signed value u-32768 with BZERO = 32768.
func TestUnsigned16Bytes(t *testing.T) {
	u := []uint16{0, 1, 32767, 32768, 65535}
	stored := make([]int16, len(u))
	for i, v := range u {
		stored[i] = int16(int32(v) - 32768)
	}
	im := mustImage(t, stored, len(u))
	im.Zero = 32768
	b := encodeHDUs(t, &HDU{Image: im})
	// An integer, as astropy and cfitsio write it (astropy 5.2 does not
	// apply the convention to "32768.0").
	if !bytes.Contains(b[:BlockSize], []byte(cardImage("BZERO   =                32768"))) {
		t.Fatalf("no BZERO card in %q", b[:6*CardSize])
	}
	wantData := []byte{0x80, 0x00, 0x80, 0x01, 0xff, 0xff, 0x00, 0x00, 0x7f, 0xff}
	if !bytes.Equal(b[BlockSize:BlockSize+10], wantData) {
		t.Fatalf("data bytes % x, want % x", b[BlockSize:BlockSize+10], wantData)
	}
	got := decodeBytes(t, b).HDUs[0].Image.Float64s()
	for i, v := range u {
		if got[i] != float64(v) {
			t.Fatalf("pixel %d = %v, want %d", i, got[i], v)
		}
	}
}

func TestNewImageErrors(t *testing.T) {
	tests := []struct {
		data any
		axes []int
		want string
	}{
		{[]float32{1, 2, 3}, []int{2}, "3 elements"},
		{[]int{1}, []int{1}, "unsupported image data type"},
		{nil, []int{2}, "has no data"},
		{[]uint8{}, []int{-1}, "negative"},
	}
	for _, tc := range tests {
		if _, err := NewImage(tc.data, tc.axes...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewImage(%T, %v) error %v, want %q", tc.data, tc.axes, err, tc.want)
		}
	}
	if _, err := (&Image{Data: []float32{1}, Axes: []int{1}}).Row(0); err == nil {
		t.Errorf("Row of a 1-D image: no error")
	}
}

// TestStaleNAXISPrimary reads the LAMOST DR8+ layout built by hand: a
// primary header with NAXIS=0 followed by stale NAXIS1/NAXIS2 cards, then
// a table. NAXIS=0 means no data (section 4.4.1.1), whatever NAXISn say.
func TestStaleNAXISPrimary(t *testing.T) {
	tab := encodeHDUs(t, &HDU{}, &HDU{Table: mustTable(t, ColumnData{Name: "FLUX", Data: [][]float32{{1, 2, 3}}})})
	b := concat(headerBytes(
		"SIMPLE  =                    T",
		"BITPIX  =                   16",
		"NAXIS   =                    0 / Number of array dimensions",
		"NAXIS1  =                 3908",
		"NAXIS2  =                    5",
		"EXTEND  =                    T",
	), tab[BlockSize:]) // the table HDU of a file written by this package
	f := decodeBytes(t, b)
	if len(f.HDUs) != 2 {
		t.Fatalf("%d HDUs, want 2", len(f.HDUs))
	}
	im := f.HDUs[0].Image
	if im == nil || len(im.Axes) != 0 || im.Data != nil || im.Len() != 0 {
		t.Fatalf("primary image %+v, want empty", im)
	}
	if n, _ := f.HDUs[0].Header.Int("NAXIS1"); n != 3908 {
		t.Fatalf("stale NAXIS1 card not kept in the header: %d", n)
	}
	v, err := f.HDUs[1].Table.Float64s(0, 0)
	if err != nil || !reflect.DeepEqual(v, []float64{1, 2, 3}) {
		t.Fatalf("table after the empty primary: %v, %v", v, err)
	}
}
