package fits

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The types below mirror the JSON printed by .ci/interop/fits_check.py;
// reportHDU builds the same report from this package's view of an HDU so
// that both sides compare field by field.

type apReport struct {
	Astropy string   `json:"astropy"`
	Files   []apFile `json:"files"`
}

type apFile struct {
	Path  string  `json:"path"`
	Error *string `json:"error"`
	HDUs  []apHDU `json:"hdus"`
}

type apHDU struct {
	Kind  string   `json:"kind"`
	Cards []apCard `json:"cards"`
	Image *apImage `json:"image"`
	Table *apTable `json:"table"`
}

type apCard struct {
	K, T, V, C string
}

type apImage struct {
	Bitpix int    `json:"bitpix"`
	Shape  []int  `json:"shape"`
	Raw    string `json:"raw"`
	Phys   string `json:"phys"`
}

type apTable struct {
	NRows   int        `json:"nrows"`
	Columns []apColumn `json:"columns"`
}

type apColumn struct {
	Name   string   `json:"name"`
	Format string   `json:"format"`
	Unit   string   `json:"unit"`
	Dim    string   `json:"dim"`
	Scale  *string  `json:"scale"`
	Zero   *string  `json:"zero"`
	Null   *string  `json:"null"`
	Raw    []string `json:"raw"`
	Phys   []string `json:"phys"`
	Str    []string `json:"str"`
	Bool   []string `json:"bool"`
}

// kindNames maps astropy's HDU classes to Kind.
var kindNames = map[Kind]string{KindPrimary: "PrimaryHDU", KindImage: "ImageHDU", KindBinTable: "BinTableHDU"}

// encodeValues writes stored values as the script does: integers in
// decimal, floats as their IEEE-754 bit patterns.
func encodeValues(d any) string {
	switch x := d.(type) {
	case []uint8:
		return joinInts(x)
	case []int16:
		return joinInts(x)
	case []int32:
		return joinInts(x)
	case []int64:
		return joinInts(x)
	case []float32:
		bits := make([]uint32, len(x))
		for i, v := range x {
			bits[i] = math.Float32bits(v)
		}
		return joinInts(bits)
	case []float64:
		bits := make([]uint64, len(x))
		for i, v := range x {
			bits[i] = math.Float64bits(v)
		}
		return joinInts(bits)
	}
	return ""
}

func joinInts[T uint8 | int16 | int32 | int64 | uint32 | uint64](x []T) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

// encodePhys writes float64 values as bit patterns.
func encodePhys(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatUint(math.Float64bits(x), 10)
	}
	return strings.Join(parts, " ")
}

// reportHDU describes h like fits_check.py does. With userOnly, the
// cards the writer generates are left out.
func reportHDU(h *HDU, userOnly bool) (apHDU, error) {
	r := apHDU{Kind: kindNames[h.Kind]}
	if h.Header != nil {
		for _, c := range h.Header.Cards {
			if !userOnly || !structural.MatchString(c.Key) {
				r.Cards = append(r.Cards, reportCard(c))
			}
		}
	}
	if h.Image != nil && h.Image.Data != nil {
		r.Image = &apImage{Bitpix: h.Image.Bitpix(), Shape: h.Image.Axes,
			Raw: encodeValues(h.Image.Data), Phys: encodePhys(h.Image.Float64s())}
	}
	if h.Table != nil {
		t, err := reportTable(h.Table)
		if err != nil {
			return r, err
		}
		r.Table = t
	}
	return r, nil
}

func reportCard(c Card) apCard {
	r := apCard{K: c.Key, C: c.Comment}
	switch v := c.Value.(type) {
	case nil:
		r.T = "undef"
		if c.IsCommentary() {
			r.T, r.V, r.C = "text", c.Comment, ""
		}
	case string:
		r.T, r.V = "str", v
	case bool:
		r.T, r.V = "bool", map[bool]string{true: "T", false: "F"}[v]
	case int64:
		r.T, r.V = "int", strconv.FormatInt(v, 10)
	case float64:
		r.T, r.V = "float", strconv.FormatFloat(v, 'x', -1, 64)
	case complex128:
		r.T, r.V = "complex", strconv.FormatFloat(real(v), 'x', -1, 64)+","+strconv.FormatFloat(imag(v), 'x', -1, 64)
	}
	return r
}

// bitpixOf maps a table type code to the BITPIX of the same encoding.
var bitpixOf = map[byte]int{'B': 8, 'I': 16, 'J': 32, 'K': 64, 'E': -32, 'D': -64}

func reportTable(t *Table) (*apTable, error) {
	r := &apTable{NRows: t.NRows}
	for i, c := range t.Columns {
		col := apColumn{Name: c.Name, Format: c.Format, Unit: c.Unit}
		if len(c.Dim) > 0 {
			col.Dim = strings.ReplaceAll(fmt.Sprint(c.Dim), " ", ",")
			col.Dim = "(" + col.Dim[1:len(col.Dim)-1] + ")"
		}
		if c.Scale != 1 {
			s := strconv.FormatFloat(c.Scale, 'x', -1, 64)
			col.Scale = &s
		}
		if c.Zero != 0 {
			s := strconv.FormatFloat(c.Zero, 'x', -1, 64)
			col.Zero = &s
		}
		if c.HasNull {
			s := strconv.FormatInt(c.Null, 10)
			col.Null = &s
		}
		for row := range t.NRows {
			if err := reportCell(t, i, row, &col); err != nil {
				return nil, err
			}
		}
		r.Columns = append(r.Columns, col)
	}
	return r, nil
}

func reportCell(t *Table, i, row int, col *apColumn) error {
	b, typ, _, err := t.field(i, row)
	if err != nil {
		return err
	}
	switch typ {
	case 'A':
		s, err := t.String(i, row)
		col.Str = append(col.Str, s)
		return err
	case 'L':
		v, err := t.Bools(i, row)
		s := make([]string, len(v))
		for j, x := range v {
			s[j] = map[bool]string{true: "T", false: "F"}[x]
		}
		col.Bool = append(col.Bool, strings.Join(s, " "))
		return err
	}
	bp, ok := bitpixOf[typ]
	if !ok {
		return fmt.Errorf("column %s: type %c not compared", col.Name, typ)
	}
	phys, err := t.Float64s(i, row)
	col.Raw = append(col.Raw, encodeValues(decodeArray(bp, b)))
	col.Phys = append(col.Phys, encodePhys(phys))
	return err
}
