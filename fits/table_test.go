package fits

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseTFORM(t *testing.T) {
	tests := []struct {
		in            string
		repeat, width int
		typ, varType  byte
	}{
		{"3908E", 3908, 15632, 'E', 0},
		{"J", 1, 4, 'J', 0},
		{" 1D ", 1, 8, 'D', 0},
		{"0E", 0, 0, 'E', 0},
		{"20A", 20, 20, 'A', 0},
		{"8A4", 8, 8, 'A', 0}, // characters after the type code are allowed (section 7.3.1)
		{"16X", 16, 2, 'X', 0},
		{"9X", 9, 2, 'X', 0},
		{"3L", 3, 3, 'L', 0},
		{"2C", 2, 16, 'C', 0},
		{"M", 1, 16, 'M', 0},
		{"2K", 2, 16, 'K', 0},
		{"1PE(100)", 1, 8, 'P', 'E'},
		{"PX(8)", 1, 8, 'P', 'X'},
		{"QD", 1, 16, 'Q', 'D'},
		{"0PJ", 0, 0, 'P', 'J'},
	}
	for _, tc := range tests {
		r, typ, vt, w, err := parseTFORM(tc.in)
		if err != nil || r != tc.repeat || typ != tc.typ || vt != tc.varType || w != tc.width {
			t.Errorf("parseTFORM(%q) = %d %c %q %d %v, want %d %c %q %d", tc.in, r, typ, vt, w, err,
				tc.repeat, tc.typ, tc.varType, tc.width)
		}
	}
	for _, bad := range []string{"", "3", "Z", "3908F", "2PE", "P", "PZ", "PP", "QQ", "99999999999999999999E", "-1E"} {
		if _, _, _, _, err := parseTFORM(bad); err == nil {
			t.Errorf("parseTFORM(%q): no error", bad)
		}
	}
}

func TestParseTDIM(t *testing.T) {
	for in, want := range map[string][]int{"(3,2)": {3, 2}, " ( 4 , 5 ) ": {4, 5}, "(7)": {7}} {
		if got, err := parseTDIM(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseTDIM(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"3,2", "(a)", "(-1)", "()", "(1,,2)", "(99999999999999999999)"} {
		if _, err := parseTDIM(bad); err == nil {
			t.Errorf("parseTDIM(%q): no error", bad)
		}
	}
}

// handTable is a two-row BINTABLE whose bytes are written out by hand
// (big-endian, section 7.3.3), with TSCAL/TZERO/TNULL/TDIM on column 9.
func handTable() []byte {
	row0 := concat(
		[]byte("T"), []byte{0xff}, []byte{0xff, 0xfe}, []byte{0, 1, 0, 0},
		[]byte{0x80, 0, 0, 0, 0, 0, 0, 0}, []byte{0x3f, 0xc0, 0, 0}, []byte{0xc0, 0x04, 0, 0, 0, 0, 0, 0},
		[]byte("ab  "), []byte{0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff}, []byte{'T', 0})
	row1 := concat(
		[]byte("F"), []byte{0x00}, []byte{0x7f, 0xff}, []byte{0xff, 0xff, 0xff, 0xff},
		[]byte{0, 0, 0, 0, 0, 0, 0, 2}, []byte{0xff, 0x80, 0, 0}, []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 1},
		[]byte("xyz\x00"), []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, []byte("FF"))
	return concat(
		headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0"),
		headerBytes(
			"XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
			"NAXIS1  =                   42", "NAXIS2  =                    2", "PCOUNT  =                    0",
			"GCOUNT  =                    1", "TFIELDS =                   10",
			"TTYPE1  = 'LOG'", "TFORM1  = 'L'", "TTYPE2  = 'BYTE'", "TFORM2  = '1B'",
			"TTYPE3  = 'SHORT'", "TFORM3  = 'I'", "TTYPE4  = 'INT'", "TFORM4  = 'J'",
			"TTYPE5  = 'LONG'", "TFORM5  = 'K'", "TTYPE6  = 'FLT'", "TFORM6  = 'E'", "TUNIT6  = 'Angstrom'",
			"TTYPE7  = 'DBL'", "TFORM7  = 'D'", "TTYPE8  = 'STR'", "TFORM8  = '4A'",
			"TTYPE9  = 'SCALED'", "TFORM9  = '2J'", "TSCAL9  =                  0.5", "TZERO9  =                100.0",
			"TNULL9  =           2147483647", "TDIM9   = '(1,2)'", "TTYPE10 = 'FLAGS'", "TFORM10 = '2L'"),
		dataBytes(concat(row0, row1)))
}

func TestDecodeTableBytes(t *testing.T) {
	tab := decodeBytes(t, handTable()).HDUs[1].Table
	if tab.NRows != 2 || tab.RowLen != 42 || len(tab.Columns) != 10 {
		t.Fatalf("table %d rows x %d bytes, %d columns", tab.NRows, tab.RowLen, len(tab.Columns))
	}
	c9 := tab.Columns[8]
	if c9.Name != "SCALED" || c9.Scale != 0.5 || c9.Zero != 100 || !c9.HasNull || c9.Null != math.MaxInt32 ||
		!reflect.DeepEqual(c9.Dim, []int{1, 2}) || c9.Offset != 32 || c9.Width != 8 || tab.Columns[5].Unit != "Angstrom" {
		t.Fatalf("column 9 %+v, column 6 unit %q", c9, tab.Columns[5].Unit)
	}
	ints := [][2][]int64{ // columns 2-5, rows 0 and 1
		{{255}, {0}}, {{-2}, {32767}}, {{65536}, {-1}}, {{math.MinInt64}, {2}},
	}
	for i, w := range ints {
		for r := range 2 {
			if got, err := tab.Int64s(i+1, r); err != nil || !reflect.DeepEqual(got, w[r]) {
				t.Errorf("Int64s(%d,%d) = %v, %v, want %v", i+1, r, got, err, w[r])
			}
		}
	}
	floats := map[[2]int][]float64{
		{0, 0}: {1}, {0, 1}: {0}, {5, 0}: {1.5}, {5, 1}: {math.Inf(-1)}, {6, 0}: {-2.5},
		{6, 1}: {math.Float64frombits(0x7ff8000000000001)}, {8, 0}: {100.5, math.NaN()}, {8, 1}: {99.5, 100},
		{9, 0}: {1, math.NaN()}, {9, 1}: {0, 0}, {1, 0}: {255},
	}
	for k, w := range floats {
		if got, err := tab.Float64s(k[0], k[1]); err != nil || !sameFloats(got, w) {
			t.Errorf("Float64s(%d,%d) = %v, %v, want %v", k[0], k[1], got, err, w)
		}
	}
	for r, w := range []string{"ab", "xyz"} {
		if s, err := tab.String(7, r); err != nil || s != w {
			t.Errorf("String(7,%d) = %q, %v, want %q", r, s, err, w)
		}
	}
	if b, err := tab.Bools(9, 0); err != nil || !reflect.DeepEqual(b, []bool{true, false}) {
		t.Errorf("Bools(9,0) = %v, %v", b, err)
	}
	if v := tab.FloatByName("scaled", 1, -1); v != 99.5 {
		t.Errorf("FloatByName(scaled) = %v", v)
	}
	if s := tab.StringByName(" STR ", 0, "?"); s != "ab" {
		t.Errorf("StringByName(STR) = %q", s)
	}
}

func TestTableAccessorErrors(t *testing.T) {
	tab := decodeBytes(t, handTable()).HDUs[1].Table
	errs := map[string]error{
		"Float64s of a string":   second(tab.Float64s(7, 0)),
		"Int64s of a float":      second(tab.Int64s(5, 0)),
		"String of an int":       second(tab.String(3, 0)),
		"Bools of an int":        second(tab.Bools(3, 0)),
		"row out of range":       second(tab.Float64s(0, 2)),
		"negative row":           second(tab.Float64s(0, -1)),
		"column out of range":    second(tab.Float64s(10, 0)),
		"missing column by name": second(tab.ColumnIndex("nope")),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := tab.ColumnIndex("nope"); err == nil || !strings.Contains(err.Error(), "LOG, BYTE") {
		t.Errorf("ColumnIndex error %v does not list the columns", err)
	}
	if tab.FloatByName("STR", 0, -7) != -7 || tab.FloatByName("nope", 0, -7) != -7 || tab.StringByName("INT", 0, "d") != "d" {
		t.Errorf("ByName defaults not returned")
	}
}

// tableColumns has one column of every writable type, scalar and vector,
// with scaling, nulls, dimensions and strings.
func tableColumns() []ColumnData {
	return []ColumnData{
		{Name: "L", Data: []bool{true, false, true}},
		{Name: "B", Data: []uint8{0, 128, 255}},
		{Name: "I", Data: []int16{math.MinInt16, 0, math.MaxInt16}},
		{Name: "J", Data: []int32{math.MinInt32, -1, math.MaxInt32}},
		{Name: "K", Data: []int64{math.MinInt64, 1 << 53, math.MaxInt64}},
		{Name: "E", Unit: "erg/s/cm2/Angstrom", Data: []float32{float32(math.NaN()), -0.5, math.MaxFloat32}},
		{Name: "D", Data: []float64{math.Inf(1), math.SmallestNonzeroFloat64, -1e300}},
		{Name: "A", Data: []string{"STAR", "", " lead"}},
		{Name: "AW", Width: 8, Data: []string{"GALAXY", "QSO", "12345678"}},
		{Name: "VL", Data: [][]bool{{true, false}, {false, false}, {true, true}}},
		{Name: "VB", Dim: []int{2, 2}, Data: [][]uint8{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 255}}},
		{Name: "VI", Zero: 32768, Data: [][]int16{{math.MinInt16, -1}, {0, 1}, {math.MaxInt16, 7}}},
		{Name: "VJ", Scale: 0.5, Zero: 10, Null: -1, HasNull: true, Data: [][]int32{{-1, 0}, {1, 2}, {3, -1}}},
		{Name: "VK", Null: math.MaxInt64, HasNull: true, Data: [][]int64{{math.MaxInt64}, {0}, {-5}}},
		{Name: "VE", Unit: "Angstrom", Dim: []int{3, 1}, Scale: 2, Zero: -1, Data: [][]float32{{1, 2, 3}, {4, 5, 6}, {7, 8, float32(math.Inf(-1))}}},
		{Name: "VD", Data: [][]float64{{math.Pi, math.E}, {0, math.NaN()}, {-1, 1}}},
		{Name: "EMPTY", Data: [][]float32{{}, {}, {}}},
	}
}

// checkColumn compares column i of tab with the data it was built from.
func checkColumn(t *testing.T, tab *Table, i int, cd ColumnData) {
	t.Helper()
	v := reflect.ValueOf(cd.Data)
	for r := 0; r < v.Len(); r++ {
		row := v.Index(r)
		if row.Kind() == reflect.String {
			if s, err := tab.String(i, r); err != nil || s != strings.TrimRight(row.String(), " ") {
				t.Errorf("%s row %d = %q, %v, want %q", cd.Name, r, s, err, row.String())
			}
			continue
		}
		if row.Kind() != reflect.Slice {
			row = v.Slice(r, r+1)
		}
		got, err := tab.Float64s(i, r)
		if err != nil || len(got) != row.Len() {
			t.Fatalf("%s row %d: %v, %v", cd.Name, r, got, err)
		}
		scale := cd.Scale
		if scale == 0 {
			scale = 1
		}
		for j := range got {
			var want float64
			switch e := row.Index(j); e.Kind() {
			case reflect.Bool:
				want = map[bool]float64{false: 0, true: 1}[e.Bool()]
			case reflect.Uint8:
				want = cd.Zero + scale*float64(e.Uint())
			case reflect.Int16, reflect.Int32, reflect.Int64:
				want = cd.Zero + scale*float64(e.Int())
				if cd.HasNull && e.Int() == cd.Null {
					want = math.NaN()
				}
			default:
				want = cd.Zero + scale*e.Float()
			}
			if !sameFloat(got[j], want) {
				t.Errorf("%s row %d [%d] = %v, want %v", cd.Name, r, j, got[j], want)
			}
		}
	}
}

func TestTableRoundTrip(t *testing.T) {
	cols := tableColumns()
	in := mustTable(t, cols...)
	h := &Header{}
	h.Set("EXTNAME", "COADD", "")
	f := roundTrip(t, &HDU{}, &HDU{Header: h, Table: in})
	tab := f.HDUs[1].Table
	if f.HDUs[1].Kind != KindBinTable || f.HDUs[1].Name() != "COADD" || tab.NRows != 3 || tab.RowLen != in.RowLen {
		t.Fatalf("read back kind %v name %q rows %d rowlen %d", f.HDUs[1].Kind, f.HDUs[1].Name(), tab.NRows, tab.RowLen)
	}
	if !reflect.DeepEqual(tab.Columns, in.Columns) {
		t.Fatalf("columns differ:\n got %+v\nwant %+v", tab.Columns, in.Columns)
	}
	wantForms := []string{"1L", "1B", "1I", "1J", "1K", "1E", "1D", "5A", "8A", "2L", "4B", "2I", "2J", "1K", "3E", "2D", "0E"}
	for i, cd := range cols {
		if tab.Columns[i].Format != wantForms[i] {
			t.Errorf("%s: TFORM %q, want %q", cd.Name, tab.Columns[i].Format, wantForms[i])
		}
		checkColumn(t, tab, i, cd)
	}
	k, _ := tab.Int64s(4, 2)
	if k[0] != math.MaxInt64 {
		t.Errorf("K column lost precision: %d", k[0])
	}
}

func TestNewTableErrors(t *testing.T) {
	tests := []struct {
		cols []ColumnData
		want string
	}{
		{[]ColumnData{{Data: []int32{1}}, {Data: []int32{1, 2}}}, "has 2 rows"},
		{[]ColumnData{{Data: []int{1}}}, "unsupported column data type"},
		{[]ColumnData{{Data: [][]float32{{1}, {1, 2}}}}, "fixed length"},
		{[]ColumnData{{Width: 2, Data: []string{"abc"}}}, "longer than width"},
		{[]ColumnData{{Data: []string{"caf\xc3\xa9"}}}, "not printable ASCII"},
		{[]ColumnData{{Data: []string{"a\x00b"}}}, "not printable ASCII"},
		{[]ColumnData{{HasNull: true, Data: []float32{1}}}, "TNULL"},
		{[]ColumnData{{Dim: []int{2, 2}, Data: [][]float32{{1, 2, 3}}}}, "TDIM"},
	}
	for _, tc := range tests {
		if _, err := NewTable(tc.cols); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewTable error %v, want %q", err, tc.want)
		}
	}
	if tab, err := NewTable(nil); err != nil || tab.NRows != 0 || tab.RowLen != 0 {
		t.Errorf("empty table: %+v, %v", tab, err)
	}
}

// vlaFile builds by hand a table with variable-length arrays (section
// 7.3.5): columns 1PE(3) and 1PX(9), descriptors (count, offset) into a
// heap that starts gap bytes after the main table (THEAP).
func vlaFile(gap int, rows ...[4]int32) []byte {
	var main []byte
	for _, r := range rows {
		for _, v := range r {
			main = append(main, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		}
	}
	heap := []byte{0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0, 0xff, 0x80, 0xa0} // 1.5, -2.0, bits
	data := concat(main, make([]byte, gap), heap)
	cards := []string{
		"XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                   16", "NAXIS2  = " + pad20(len(rows)),
		"PCOUNT  = " + pad20(len(data)-len(main)), "GCOUNT  =                    1", "TFIELDS =                    2",
		"TTYPE1  = 'VE'", "TFORM1  = '1PE(3)'", "TTYPE2  = 'VX'", "TFORM2  = '1PX(9)'",
	}
	if gap > 0 {
		cards = append(cards, "THEAP   = "+pad20(len(main)+gap))
	}
	return concat(headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0"),
		headerBytes(cards...), dataBytes(data))
}

// pad20 right-justifies an integer in the 20-column value field.
func pad20(n int) string { return fmt.Sprintf("%20d", n) }

func TestVariableLengthArrays(t *testing.T) {
	for _, gap := range []int{0, 4} {
		b := vlaFile(gap, [4]int32{2, 0, 9, 8}, [4]int32{0, 0, 3, 10})
		f := decodeBytes(t, b)
		// Write what was read and read it again: the heap must survive.
		again := roundTrip(t, f.HDUs...)
		for _, tab := range []*Table{f.HDUs[1].Table, again.HDUs[1].Table} {
			c := tab.Columns[0]
			if c.Type != 'P' || c.VarType != 'E' || c.Format != "1PE(3)" {
				t.Fatalf("gap %d: column %+v", gap, c)
			}
			if v, err := tab.Float64s(0, 0); err != nil || !reflect.DeepEqual(v, []float64{1.5, -2}) {
				t.Errorf("gap %d: row 0 = %v, %v", gap, v, err)
			}
			if v, err := tab.Float64s(0, 1); err != nil || len(v) != 0 {
				t.Errorf("gap %d: row 1 = %v, %v, want empty", gap, v, err)
			}
			for r, want := range [][]byte{{0xff, 0x80}, {0xa0}} {
				bits, typ, n, err := tab.field(1, r)
				if err != nil || typ != 'X' || !reflect.DeepEqual(bits, want) || n != []int{9, 3}[r] {
					t.Errorf("gap %d: PX row %d = % x %c %d %v", gap, r, bits, typ, n, err)
				}
			}
		}
	}
	for _, bad := range [][4]int32{{5, 4, 0, 0}, {-1, 0, 0, 0}, {1, -4, 0, 0}, {0, 0, 17, 10}} {
		tab := decodeBytes(t, vlaFile(0, bad)).HDUs[1].Table
		_, err1 := tab.Float64s(0, 0)
		_, _, _, err2 := tab.field(1, 0)
		if err1 == nil && err2 == nil || (err1 != nil && !strings.Contains(err1.Error(), "outside the heap")) {
			t.Errorf("descriptor %v: errors %v / %v, want 'outside the heap'", bad, err1, err2)
		}
	}
}

// TestColumnFloat64s: the whole-column accessor equals Float64s row by
// row, for scalar (one row per pixel) and vector columns, with scaling and
// TNULL.
func TestColumnFloat64s(t *testing.T) {
	tab, err := NewTable([]ColumnData{
		{Name: "s", Data: []int16{1, -2, 7, 3}, Scale: 0.5, Zero: 10, HasNull: true, Null: 7},
		{Name: "v", Data: [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}}},
		{Name: "e", Data: []float32{1.5, -2.25, 3e30, float32(math.Inf(1))}},
		{Name: "j", Data: []int32{-7, 0, 1 << 30, -1 << 31}},
		{Name: "es", Data: []float32{1, 2, 3, 4}, Scale: 2, Zero: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	for col := range tab.Columns {
		got, err := tab.ColumnFloat64s(col)
		if err != nil {
			t.Fatal(err)
		}
		var want []float64
		for r := range tab.NRows {
			v, _ := tab.Float64s(col, r)
			want = append(want, v...)
		}
		if len(got) != len(want) {
			t.Fatalf("column %d: %d values, want %d", col, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Errorf("column %d value %d = %v, want %v", col, i, got[i], want[i])
			}
		}
	}
	if e, _ := tab.ColumnFloat64s(2); e[1] != -2.25 || !math.IsInf(e[3], 1) {
		t.Errorf("float32 column = %v", e)
	}
	if j, _ := tab.ColumnFloat64s(3); j[0] != -7 || j[3] != -(1<<31) {
		t.Errorf("int32 column = %v", j)
	}
	if es, _ := tab.ColumnFloat64s(4); es[0] != 1 || es[3] != 7 {
		t.Errorf("scaled float32 column = %v, want 2x-1", es)
	}
	if v, _ := tab.ColumnFloat64s(0); v[0] != 10.5 || v[1] != 9 || !math.IsNaN(v[2]) {
		t.Errorf("scaled column = %v, want [10.5 9 NaN 11.5]", v)
	}
	if _, err := tab.ColumnFloat64s(9); err == nil {
		t.Error("no error for a column out of range")
	}
}
