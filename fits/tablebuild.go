package fits

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ColumnData is one column to write with NewTable.
//
// Data holds one value per row: []bool, []uint8, []int16, []int32,
// []int64, []float32, []float64 or []string for scalar columns, or
// [][]bool, [][]uint8, [][]int16, [][]int32, [][]int64, [][]float32,
// [][]float64 for vector columns (every row the same length, which becomes
// the repeat count, e.g. 3908E). Scale/Zero/Null are written as
// TSCALn/TZEROn/TNULLn when set; the data are the stored values.
type ColumnData struct {
	Name    string  // TTYPEn
	Unit    string  // TUNITn (optional)
	Dim     []int   // TDIMn, fastest axis first (optional)
	Scale   float64 // TSCALn (0 or 1: none)
	Zero    float64 // TZEROn (0: none)
	Null    int64   // TNULLn of an integer column, when HasNull
	HasNull bool    // whether Null is written
	Width   int     // width of a string column (0: the longest value, at least 1)
	Data    any     // one value (or fixed-length vector) per row; see the type's comment
}

// NewTable builds a binary table from columns that all have the same
// number of rows.
func NewTable(cols []ColumnData) (*Table, error) {
	return NewTableBuffer(nil, cols)
}

// NewTableBuffer is NewTable with the rows encoded into the storage of buf
// when its capacity suffices (else into a new slice): a caller that writes
// many tables of the same shape reuses one buffer instead of allocating
// one a table. The table refers to that storage, so buf must not be
// reused while the table is in use.
func NewTableBuffer(buf []byte, cols []ColumnData) (*Table, error) {
	t := &Table{Columns: make([]Column, 0, len(cols))}
	nrows := -1
	for i, cd := range cols {
		c, n, err := describeColumn(cd)
		if err != nil {
			return nil, fmt.Errorf("column %d (%s): %w", i+1, cd.Name, err)
		}
		if nrows >= 0 && n != nrows {
			return nil, fmt.Errorf("column %d (%s) has %d rows, earlier columns %d", i+1, cd.Name, n, nrows)
		}
		nrows = n
		c.Offset = t.RowLen
		t.RowLen += c.Width
		t.Columns = append(t.Columns, c)
	}
	if nrows < 0 {
		nrows = 0
	}
	t.NRows = nrows
	if size := nrows * t.RowLen; cap(buf) >= size {
		t.rows = buf[:size:size] // every byte is overwritten below
	} else {
		t.rows = make([]byte, size)
	}
	for i, cd := range cols {
		c := t.Columns[i]
		encodeColumn(t.rows, t.RowLen, c.Offset, c.Width, cd.Data)
	}
	return t, nil
}

// describeColumn derives the TFORM and width of a column from its data.
func describeColumn(cd ColumnData) (Column, int, error) {
	c := Column{Name: cd.Name, Unit: cd.Unit, Dim: append([]int(nil), cd.Dim...), Scale: cd.Scale, Zero: cd.Zero, Null: cd.Null, HasNull: cd.HasNull}
	if c.Scale == 0 {
		c.Scale = 1
	}
	var n, repeat int
	var err error
	switch d := cd.Data.(type) {
	case []bool:
		c.Type, n, repeat = 'L', len(d), 1
	case []uint8:
		c.Type, n, repeat = 'B', len(d), 1
	case []int16:
		c.Type, n, repeat = 'I', len(d), 1
	case []int32:
		c.Type, n, repeat = 'J', len(d), 1
	case []int64:
		c.Type, n, repeat = 'K', len(d), 1
	case []float32:
		c.Type, n, repeat = 'E', len(d), 1
	case []float64:
		c.Type, n, repeat = 'D', len(d), 1
	case []string:
		c.Type, n = 'A', len(d)
		repeat = max(cd.Width, 1)
		for r, s := range d {
			if i := nonPrintable(s); i >= 0 {
				return c, 0, fmt.Errorf("row %d: byte 0x%02x is not printable ASCII (section 7.3.3.1)", r, s[i])
			}
			if cd.Width > 0 && len(s) > cd.Width {
				return c, 0, fmt.Errorf("row %d: string of %d bytes longer than width %d", r, len(s), cd.Width)
			}
			if cd.Width == 0 {
				repeat = max(repeat, len(s))
			}
		}
	case [][]bool:
		c.Type, n, repeat, err = 'L', len(d), vecRepeat(d), vecCheck(d)
	case [][]uint8:
		c.Type, n, repeat, err = 'B', len(d), vecRepeat(d), vecCheck(d)
	case [][]int16:
		c.Type, n, repeat, err = 'I', len(d), vecRepeat(d), vecCheck(d)
	case [][]int32:
		c.Type, n, repeat, err = 'J', len(d), vecRepeat(d), vecCheck(d)
	case [][]int64:
		c.Type, n, repeat, err = 'K', len(d), vecRepeat(d), vecCheck(d)
	case [][]float32:
		c.Type, n, repeat, err = 'E', len(d), vecRepeat(d), vecCheck(d)
	case [][]float64:
		c.Type, n, repeat, err = 'D', len(d), vecRepeat(d), vecCheck(d)
	default:
		return c, 0, fmt.Errorf("unsupported column data type %T", cd.Data)
	}
	if err != nil {
		return c, 0, err
	}
	if c.HasNull && !strings.ContainsRune("BIJK", rune(c.Type)) {
		return c, 0, fmt.Errorf("TNULL is only defined for integer columns, not type %c", c.Type)
	}
	if len(c.Dim) > 0 {
		p := 1
		for _, a := range c.Dim {
			p *= a
		}
		if p != repeat {
			return c, 0, fmt.Errorf("TDIM %v holds %d elements, repeat is %d", c.Dim, p, repeat)
		}
	}
	c.Repeat = repeat
	c.Format = strconv.Itoa(repeat) + string(rune(c.Type))
	c.Width = repeat * typeSize(c.Type)
	return c, n, nil
}

func vecRepeat[T any](d [][]T) int {
	if len(d) == 0 {
		return 0
	}
	return len(d[0])
}

func vecCheck[T any](d [][]T) error {
	for r := range d {
		if len(d[r]) != len(d[0]) {
			return fmt.Errorf("row %d has %d elements, row 0 has %d: vector columns need a fixed length", r, len(d[r]), len(d[0]))
		}
	}
	return nil
}

// encodeColumn writes column data d into the rows (rowLen bytes each) at
// byte offset off of every row, big-endian; string fields (width bytes)
// are padded with blanks.
func encodeColumn(rows []byte, rowLen, off, width int, d any) {
	switch x := d.(type) {
	case []bool:
		for r, v := range x {
			putBools(rows[r*rowLen+off:], []bool{v})
		}
	case []uint8:
		for r, v := range x {
			rows[r*rowLen+off] = v
		}
	case []int16:
		for r, v := range x {
			binary.BigEndian.PutUint16(rows[r*rowLen+off:], uint16(v))
		}
	case []int32:
		for r, v := range x {
			binary.BigEndian.PutUint32(rows[r*rowLen+off:], uint32(v))
		}
	case []int64:
		for r, v := range x {
			binary.BigEndian.PutUint64(rows[r*rowLen+off:], uint64(v))
		}
	case []float32:
		for r, v := range x {
			binary.BigEndian.PutUint32(rows[r*rowLen+off:], math.Float32bits(v))
		}
	case []float64:
		for r, v := range x {
			binary.BigEndian.PutUint64(rows[r*rowLen+off:], math.Float64bits(v))
		}
	case []string:
		for r, v := range x {
			dst := rows[r*rowLen+off : r*rowLen+off+width]
			n := copy(dst, v)
			for i := n; i < len(dst); i++ {
				dst[i] = ' '
			}
		}
	case [][]bool:
		for r, v := range x {
			putBools(rows[r*rowLen+off:], v)
		}
	case [][]uint8:
		for r, v := range x {
			copy(rows[r*rowLen+off:], v)
		}
	case [][]int16:
		for r, v := range x {
			putInt16s(rows[r*rowLen+off:], v)
		}
	case [][]int32:
		for r, v := range x {
			putInt32s(rows[r*rowLen+off:], v)
		}
	case [][]int64:
		for r, v := range x {
			putInt64s(rows[r*rowLen+off:], v)
		}
	case [][]float32:
		for r, v := range x {
			putFloat32s(rows[r*rowLen+off:], v)
		}
	case [][]float64:
		for r, v := range x {
			putFloat64s(rows[r*rowLen+off:], v)
		}
	}
}

func putBools(dst []byte, v []bool) {
	for i, b := range v {
		if b {
			dst[i] = 'T'
		} else {
			dst[i] = 'F'
		}
	}
}
