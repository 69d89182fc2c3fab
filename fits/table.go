package fits

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Column describes one column of a binary table.
type Column struct {
	Name    string  // TTYPEn
	Format  string  // TFORMn as written, e.g. "3908E"
	Type    byte    // data type code: L X B I J K A E D C M P Q
	Repeat  int     // repeat count (for P/Q: the descriptor count, 1)
	VarType byte    // element type of a variable-length array (P/Q columns)
	Unit    string  // TUNITn
	Dim     []int   // TDIMn, fastest axis first; nil when absent
	Scale   float64 // TSCALn (1 when absent)
	Zero    float64 // TZEROn (0 when absent)
	Null    int64   // TNULLn for integer columns; HasNull tells whether set
	HasNull bool
	Offset  int // byte offset of the field within a row
	Width   int // bytes the field takes in a row
}

// Table is the data of a BINTABLE extension: the main table (NRows rows of
// RowLen bytes each, big-endian as in the file) and the heap.
type Table struct {
	Columns []Column // in TFIELDS order
	NRows   int      // NAXIS2
	RowLen  int      // NAXIS1, bytes per row
	rows    []byte   // NRows*RowLen bytes
	heap    []byte   // bytes of the heap, starting at THEAP
}

// typeSize returns the number of bytes one element of type t takes.
func typeSize(t byte) int {
	switch t {
	case 'L', 'B', 'A':
		return 1
	case 'I':
		return 2
	case 'J', 'E':
		return 4
	case 'K', 'D', 'C', 'P':
		return 8
	case 'M', 'Q':
		return 16
	}
	return 0
}

// parseTFORM parses a binary table TFORM value such as "3908E", "J", "20A",
// "16X" or "PE(100)". It returns the repeat count, the type code, the
// element type of variable-length arrays and the field width in bytes.
func parseTFORM(f string) (repeat int, typ, varType byte, width int, err error) {
	s := strings.TrimSpace(f)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	repeat = 1
	if i > 0 {
		r, perr := strconv.Atoi(s[:i])
		if perr != nil || r > 1<<30 {
			return 0, 0, 0, 0, fmt.Errorf("bad repeat count in TFORM %q", f)
		}
		repeat = r
	}
	if i >= len(s) {
		return 0, 0, 0, 0, fmt.Errorf("TFORM %q has no data type", f)
	}
	typ = s[i]
	switch typ {
	case 'L', 'B', 'I', 'J', 'K', 'A', 'E', 'D', 'C', 'M':
		width = repeat * typeSize(typ)
	case 'X':
		width = (repeat + 7) / 8
	case 'P', 'Q':
		if i+1 >= len(s) || (typeSize(s[i+1]) == 0 && s[i+1] != 'X') || s[i+1] == 'P' || s[i+1] == 'Q' {
			return 0, 0, 0, 0, fmt.Errorf("TFORM %q: variable-length array without a valid element type", f)
		}
		if repeat > 1 {
			return 0, 0, 0, 0, fmt.Errorf("TFORM %q: variable-length descriptor repeat must be 0 or 1", f)
		}
		varType = s[i+1]
		width = repeat * typeSize(typ)
	default:
		return 0, 0, 0, 0, fmt.Errorf("TFORM %q: unknown data type %q", f, typ)
	}
	return repeat, typ, varType, width, nil
}

// parseTDIM parses "(a,b,...)".
func parseTDIM(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, fmt.Errorf("TDIM %q is not of the form (a,b,...)", s)
	}
	var dims []int
	for _, p := range strings.Split(s[1:len(s)-1], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("TDIM %q: bad axis %q", s, p)
		}
		dims = append(dims, n)
	}
	return dims, nil
}

// ColumnIndex returns the index of the column named name (case-insensitive,
// surrounding spaces ignored), or an error listing the columns.
func (t *Table) ColumnIndex(name string) (int, error) {
	for i, c := range t.Columns {
		if strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(name)) {
			return i, nil
		}
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return -1, fmt.Errorf("no column %q (columns: %s)", name, strings.Join(names, ", "))
}

// field returns the bytes of the element array of column col in row row,
// following the heap descriptor for variable-length arrays, with the
// element type and count.
func (t *Table) field(col, row int) ([]byte, byte, int, error) {
	if col < 0 || col >= len(t.Columns) {
		return nil, 0, 0, fmt.Errorf("column %d out of range [0,%d)", col, len(t.Columns))
	}
	if row < 0 || row >= t.NRows {
		return nil, 0, 0, fmt.Errorf("row %d out of range [0,%d)", row, t.NRows)
	}
	c := &t.Columns[col]
	start := row*t.RowLen + c.Offset
	b := t.rows[start : start+c.Width]
	if c.Type != 'P' && c.Type != 'Q' {
		return b, c.Type, c.Repeat, nil
	}
	if c.Repeat == 0 {
		return nil, c.VarType, 0, nil
	}
	var n, off int64
	if c.Type == 'P' {
		n, off = int64(int32(binary.BigEndian.Uint32(b))), int64(int32(binary.BigEndian.Uint32(b[4:])))
	} else {
		n, off = int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:]))
	}
	nbytes := n * int64(typeSize(c.VarType)) // meaningless if n is out of range, checked first
	if c.VarType == 'X' {
		nbytes = (n + 7) / 8 // n bits
	}
	if n < 0 || off < 0 || n > 8*int64(len(t.heap)) || off > int64(len(t.heap))-nbytes {
		return nil, 0, 0, fmt.Errorf("column %s row %d: heap descriptor (%d, %d) outside the heap of %d bytes", c.Name, row, n, off, len(t.heap))
	}
	return t.heap[off : off+nbytes], c.VarType, int(n), nil
}

// Float64s returns the physical values of column col in row row (0-based):
// TZERO + TSCAL*stored, with TNULL values of integer columns as NaN.
// Logical columns give 1 (T), 0 (F) or NaN (undefined). Character, bit and
// complex columns are an error.
func (t *Table) Float64s(col, row int) ([]float64, error) {
	b, typ, n, err := t.field(col, row)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	if err := t.decodeFloat64s(out, b, typ, &t.Columns[col]); err != nil {
		return nil, err
	}
	return out, nil
}

// ColumnFloat64s returns the physical values of column col in every row,
// concatenated (Float64s of row 0, then row 1, ...): a whole SDSS-style
// one-row-per-pixel column in one call and one allocation.
func (t *Table) ColumnFloat64s(col int) ([]float64, error) {
	return t.ColumnFloat64sInto(col, nil)
}

// ColumnFloat64sInto is ColumnFloat64s writing into dst when it has the
// capacity (a scratch buffer reused across files), else into a new slice.
func (t *Table) ColumnFloat64sInto(col int, dst []float64) ([]float64, error) {
	if col < 0 || col >= len(t.Columns) {
		return nil, fmt.Errorf("column %d out of range [0,%d)", col, len(t.Columns))
	}
	c := &t.Columns[col]
	if c.Type == 'P' || c.Type == 'Q' { // variable length: row by row
		var out []float64
		for r := range t.NRows {
			v, err := t.Float64s(col, r)
			if err != nil {
				return nil, err
			}
			out = append(out, v...)
		}
		return out, nil
	}
	out := dst[:0]
	if n := t.NRows * c.Repeat; cap(out) >= n {
		out = out[:n]
	} else {
		out = make([]float64, n)
	}
	if c.Repeat == 1 && c.Type != 'A' && c.Type != 'X' && c.Type != 'C' && c.Type != 'M' {
		// One value per row (SDSS: one row per pixel): decode in place,
		// without a field lookup per row; the common unscaled float32 and
		// int32 columns without a per-value call.
		plain := (c.Scale == 0 || c.Scale == 1) && c.Zero == 0
		switch {
		case c.Type == 'E' && plain:
			for r := range t.NRows {
				start := r*t.RowLen + c.Offset
				out[r] = float64(math.Float32frombits(binary.BigEndian.Uint32(t.rows[start : start+4])))
			}
			return out, nil
		case c.Type == 'J' && plain && !c.HasNull:
			for r := range t.NRows {
				start := r*t.RowLen + c.Offset
				out[r] = float64(int32(binary.BigEndian.Uint32(t.rows[start : start+4])))
			}
			return out, nil
		}
		var one [1]float64
		for r := range t.NRows {
			start := r*t.RowLen + c.Offset
			if err := t.decodeFloat64s(one[:], t.rows[start:start+c.Width], c.Type, c); err != nil {
				return nil, err
			}
			out[r] = one[0]
		}
		return out, nil
	}
	for r := range t.NRows {
		b, typ, n, err := t.field(col, r)
		if err != nil {
			return nil, err
		}
		if err := t.decodeFloat64s(out[r*n:(r+1)*n], b, typ, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeFloat64s converts len(out) stored values of type typ in b to
// physical values.
func (t *Table) decodeFloat64s(out []float64, b []byte, typ byte, c *Column) error {
	n := len(out)
	scale := c.Scale
	if scale == 0 {
		scale = 1
	}
	intVal := func(i int, v int64) {
		if c.HasNull && v == c.Null {
			out[i] = math.NaN()
			return
		}
		out[i] = physInt(v, scale, c.Zero)
	}
	switch typ {
	case 'B':
		for i := range n {
			intVal(i, int64(b[i]))
		}
	case 'I':
		for i := range n {
			intVal(i, int64(int16(binary.BigEndian.Uint16(b[2*i:]))))
		}
	case 'J':
		for i := range n {
			intVal(i, int64(int32(binary.BigEndian.Uint32(b[4*i:]))))
		}
	case 'K':
		for i := range n {
			intVal(i, int64(binary.BigEndian.Uint64(b[8*i:])))
		}
	case 'E':
		b = b[:4*n]
		if scale == 1 && c.Zero == 0 { // the usual case: no arithmetic
			for i := range out {
				out[i] = float64(math.Float32frombits(binary.BigEndian.Uint32(b[4*i : 4*i+4])))
			}
			break
		}
		for i := range out {
			out[i] = c.Zero + scale*float64(math.Float32frombits(binary.BigEndian.Uint32(b[4*i:4*i+4])))
		}
	case 'D':
		for i := range n {
			out[i] = c.Zero + scale*math.Float64frombits(binary.BigEndian.Uint64(b[8*i:]))
		}
	case 'L':
		for i := range n {
			switch b[i] {
			case 'T':
				out[i] = 1
			case 'F':
				out[i] = 0
			default:
				out[i] = math.NaN()
			}
		}
	default:
		return fmt.Errorf("column %s has type %c, not numeric", c.Name, typ)
	}
	return nil
}

// Int64s returns the stored (unscaled) integer values of an integer
// column (B, I, J, K) in row row.
func (t *Table) Int64s(col, row int) ([]int64, error) {
	b, typ, n, err := t.field(col, row)
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	switch typ {
	case 'B':
		for i := range n {
			out[i] = int64(b[i])
		}
	case 'I':
		for i := range n {
			out[i] = int64(int16(binary.BigEndian.Uint16(b[2*i:])))
		}
	case 'J':
		for i := range n {
			out[i] = int64(int32(binary.BigEndian.Uint32(b[4*i:])))
		}
	case 'K':
		for i := range n {
			out[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
		}
	default:
		return nil, fmt.Errorf("column %s has type %c, not integer", t.Columns[col].Name, typ)
	}
	return out, nil
}

// String returns the value of a character (A) column in row row, without
// trailing spaces and anything after the first NUL.
func (t *Table) String(col, row int) (string, error) {
	b, typ, _, err := t.field(col, row)
	if err != nil {
		return "", err
	}
	if typ != 'A' {
		return "", fmt.Errorf("column %s has type %c, not character", t.Columns[col].Name, typ)
	}
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimRight(string(b), " "), nil
}

// Bools returns the values of a logical (L) column in row row; an
// undefined value (NUL) reads as false.
func (t *Table) Bools(col, row int) ([]bool, error) {
	b, typ, n, err := t.field(col, row)
	if err != nil {
		return nil, err
	}
	if typ != 'L' {
		return nil, fmt.Errorf("column %s has type %c, not logical", t.Columns[col].Name, typ)
	}
	out := make([]bool, n)
	for i := range n {
		out[i] = b[i] == 'T'
	}
	return out, nil
}

// FloatByName returns the first physical value of the named column in row
// row, or def when the column is absent, empty or not numeric.
func (t *Table) FloatByName(name string, row int, def float64) float64 {
	i, err := t.ColumnIndex(name)
	if err != nil {
		return def
	}
	v, err := t.Float64s(i, row)
	if err != nil || len(v) == 0 {
		return def
	}
	return v[0]
}

// StringByName returns the value of the named character column in row row,
// or def when absent or not a character column.
func (t *Table) StringByName(name string, row int, def string) string {
	i, err := t.ColumnIndex(name)
	if err != nil {
		return def
	}
	s, err := t.String(i, row)
	if err != nil {
		return def
	}
	return s
}
