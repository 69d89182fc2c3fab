package fits

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// keyErr is a FormatError about a keyword; the reader fills in the file,
// the HDU and the card number.
func keyErr(key string, err error) error {
	return &FormatError{Key: key, Err: err}
}

// optFloat returns the numeric value of an optional keyword, def when it
// is absent, and an error when it is present with another type.
func optFloat(h *Header, key string, def float64) (float64, error) {
	if !h.Has(key) {
		return def, nil
	}
	v, err := h.Float(key)
	if err != nil {
		return 0, keyErr(key, err)
	}
	return v, nil
}

// decodeImage converts big-endian image bytes to a typed slice.
func decodeImage(h *Header, lay layout, data []byte) (*Image, error) {
	im := &Image{Axes: lay.axes}
	var err error
	if im.Scale, err = optFloat(h, "BSCALE", 1); err != nil {
		return nil, err
	}
	if im.Zero, err = optFloat(h, "BZERO", 0); err != nil {
		return nil, err
	}
	if h.Has("BLANK") && lay.bitpix > 0 {
		b, err := h.Int("BLANK")
		if err != nil {
			return nil, keyErr("BLANK", err)
		}
		im.Blank, im.HasBlank = b, true
	}
	if len(lay.axes) == 0 || lay.size == 0 {
		return im, nil
	}
	if im.Scale == 0 {
		return nil, keyErr("BSCALE", errors.New("BSCALE is 0"))
	}
	im.Data = decodeArray(lay.bitpix, data)
	return im, nil
}

// decodeArray converts big-endian bytes to the slice type of bitpix.
func decodeArray(bitpix int, data []byte) any {
	n := len(data) / (abs(bitpix) / 8)
	switch bitpix {
	case 8:
		return append([]uint8(nil), data...)
	case 16:
		d := make([]int16, n)
		for i := range d {
			d[i] = int16(binary.BigEndian.Uint16(data[2*i:]))
		}
		return d
	case 32:
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(binary.BigEndian.Uint32(data[4*i:]))
		}
		return d
	case 64:
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(binary.BigEndian.Uint64(data[8*i:]))
		}
		return d
	case -32:
		d := make([]float32, n)
		for i := range d {
			d[i] = math.Float32frombits(binary.BigEndian.Uint32(data[4*i:]))
		}
		return d
	case -64:
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Float64frombits(binary.BigEndian.Uint64(data[8*i:]))
		}
		return d
	}
	return nil
}

// decodeTable parses the column keywords of a BINTABLE header.
func decodeTable(h *Header, lay layout, data []byte) (*Table, error) {
	nf, err := h.Int("TFIELDS")
	if err != nil {
		return nil, keyErr("TFIELDS", err)
	}
	if nf < 0 || nf > 999 {
		return nil, keyErr("TFIELDS", fmt.Errorf("value %d outside [0, 999]", nf))
	}
	t := &Table{RowLen: lay.axes[0], NRows: lay.axes[1]}
	offset := 0
	for i := 1; i <= int(nf); i++ {
		c, err := decodeColumn(h, i, int(nf))
		if err != nil {
			return nil, err
		}
		c.Offset = offset
		offset += c.Width
		t.Columns = append(t.Columns, c)
	}
	if offset != t.RowLen {
		return nil, keyErr("NAXIS1", fmt.Errorf("NAXIS1=%d but the columns' TFORMs add up to %d bytes per row", t.RowLen, offset))
	}
	main := int64(t.RowLen) * int64(t.NRows)
	t.rows = data[:main]
	theap := main
	if h.Has("THEAP") {
		if theap, err = h.Int("THEAP"); err != nil {
			return nil, keyErr("THEAP", err)
		}
		if theap < main || theap > int64(len(data)) {
			return nil, keyErr("THEAP", fmt.Errorf("THEAP=%d outside [%d, %d]", theap, main, len(data)))
		}
	}
	t.heap = data[theap:]
	return t, nil
}

// decodeColumn reads the keywords of column i (1-based) of nf.
func decodeColumn(h *Header, i, nf int) (Column, error) {
	key := fmt.Sprintf("TFORM%d", i)
	form, err := h.String(key)
	if errors.Is(err, ErrMissingKey) {
		return Column{}, keyErr("TFIELDS", fmt.Errorf("TFIELDS=%d but %s is missing", nf, key))
	}
	if err != nil {
		return Column{}, keyErr(key, err)
	}
	c := Column{Format: strings.TrimSpace(form), Scale: 1}
	c.Repeat, c.Type, c.VarType, c.Width, err = parseTFORM(form)
	if err != nil {
		return c, keyErr(key, err)
	}
	c.Name = strings.TrimSpace(h.StringOr(fmt.Sprintf("TTYPE%d", i), ""))
	c.Unit = strings.TrimSpace(h.StringOr(fmt.Sprintf("TUNIT%d", i), ""))
	if c.Scale, err = optFloat(h, fmt.Sprintf("TSCAL%d", i), 1); err != nil {
		return c, err
	}
	if c.Zero, err = optFloat(h, fmt.Sprintf("TZERO%d", i), 0); err != nil {
		return c, err
	}
	if k := fmt.Sprintf("TNULL%d", i); h.Has(k) && strings.ContainsRune("BIJK", rune(c.Type)) {
		if c.Null, err = h.Int(k); err != nil {
			return c, keyErr(k, err)
		}
		c.HasNull = true
	}
	if k := fmt.Sprintf("TDIM%d", i); h.Has(k) {
		s, err := h.String(k)
		if err == nil {
			c.Dim, err = parseTDIM(s)
		}
		if err == nil && c.Type != 'P' && c.Type != 'Q' {
			if p, ok := boundedProduct(c.Dim, int64(c.Repeat)); !ok || p > int64(c.Repeat) {
				err = fmt.Errorf("TDIM %v holds more elements than the repeat count %d of TFORM %q", c.Dim, c.Repeat, c.Format)
			}
		}
		if err != nil {
			return c, keyErr(k, err)
		}
	}
	return c, nil
}
