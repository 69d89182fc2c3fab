package fits

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// encoder appends the bytes of a FITS file to a reused buffer and passes
// the buffer to w when the file is complete, or earlier in pieces of about
// flushSize bytes for large files.
type encoder struct {
	w     io.Writer
	buf   []byte
	cards int   // card images in the current header
	err   error // first card error of the current header
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{w: w, buf: getBuf()}
}

// release returns the buffer for reuse.
func (e *encoder) release() {
	putBuf(e.buf)
	e.buf = nil
}

// flush passes the buffered bytes on to w.
func (e *encoder) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := e.w.Write(e.buf)
	e.buf = e.buf[:0]
	return err
}

// grow extends the buffer by n bytes and returns them (unset).
func (e *encoder) grow(n int) []byte {
	l := len(e.buf)
	if cap(e.buf)-l < n {
		e.buf = append(e.buf[:l:l], make([]byte, n)...)
	} else {
		e.buf = e.buf[:l+n]
	}
	return e.buf[l : l+n : l+n]
}

// card appends a header card (and its CONTINUE cards).
func (e *encoder) card(c Card) {
	if e.err != nil {
		return
	}
	var n int
	e.buf, n, e.err = appendCard(e.buf, c)
	e.cards += n
}

// num appends the card prefix+n (NAXIS2, TFORM3; prefix alone for n = 0)
// with value v.
func (e *encoder) num(prefix string, n int, v any, comment string) {
	if fv, ok := fastValueOf(v); ok && e.fast(prefix, n, fv, comment) {
		return
	}
	e.card(Card{Key: numKey(prefix, n), Value: v, Comment: comment})
}

// numInt is num for an integer, without boxing it in an interface.
func (e *encoder) numInt(prefix string, n int, v int64, comment string) {
	if !e.fast(prefix, n, fastValue{kind: 'I', i: v}, comment) {
		e.card(Card{Key: numKey(prefix, n), Value: v, Comment: comment})
	}
}

// numStr is num for a string.
func (e *encoder) numStr(prefix string, n int, v string, comment string) {
	if !e.fast(prefix, n, fastValue{kind: 'S', s: v}, comment) {
		e.card(Card{Key: numKey(prefix, n), Value: v, Comment: comment})
	}
}

// fast appends a card with appendFastCard and reports whether it could
// (true after an earlier error: nothing more is appended).
func (e *encoder) fast(prefix string, n int, v fastValue, comment string) bool {
	if e.err != nil {
		return true
	}
	out, ok := appendFastCard(e.buf, prefix, n, v, comment)
	if ok {
		e.buf = out
		e.cards++
	}
	return ok
}

// numKey returns prefix followed by n, or prefix alone for n = 0.
func numKey(prefix string, n int) string {
	if n == 0 {
		return prefix
	}
	return prefix + strconv.Itoa(n)
}

// end appends the END card and pads the header with blanks to a whole
// block.
func (e *encoder) end() error {
	if e.err != nil {
		return e.err
	}
	e.buf = append(e.buf, "END"...)
	e.cards++
	pad := CardSize - 3
	if rem := e.cards % 36; rem != 0 {
		pad += (36 - rem) * CardSize
	}
	b := e.grow(pad)
	for i := range b {
		b[i] = ' '
	}
	return nil
}

// hdu appends one header-data unit; index 0 is the primary.
func (e *encoder) hdu(h *HDU, index int, extend bool) error {
	if h.Raw != nil && h.Image == nil && h.Table == nil {
		return fmt.Errorf("%v HDU kept as raw bytes (XTENSION %q) cannot be written", h.Kind, h.XTension)
	}
	e.cards, e.err = 0, nil
	var im *Image // image data to write, nil for none or a table
	switch {
	case index == 0:
		if h.Table != nil {
			return errors.New("the primary HDU cannot be a table: add an empty primary first")
		}
		e.card(Card{Key: "SIMPLE", Value: true, Comment: "conforms to FITS standard"})
		d, err := e.imageCards(h.Image)
		if err != nil {
			return err
		}
		im = d
		if extend {
			e.card(Card{Key: "EXTEND", Value: true})
		}
	case h.Table != nil:
		e.card(Card{Key: "XTENSION", Value: "BINTABLE", Comment: "binary table extension"})
		e.tableCards(h.Table)
	default:
		if h.Image == nil {
			return errors.New("extension has neither Image nor Table")
		}
		e.card(Card{Key: "XTENSION", Value: "IMAGE", Comment: "image extension"})
		d, err := e.imageCards(h.Image)
		if err != nil {
			return err
		}
		e.numInt("PCOUNT", 0, int64(0), "")
		e.numInt("GCOUNT", 0, int64(1), "")
		im = d
	}
	if h.Table == nil {
		e.scaleCards(h.Image)
	}
	if h.Header != nil {
		for _, c := range h.Header.Cards {
			if !isStructural(c.Key) {
				e.card(c)
			}
		}
	}
	if err := e.end(); err != nil {
		return err
	}
	var size int
	if im != nil {
		size = e.imageData(im.Data)
	} else if h.Table != nil && index != 0 {
		e.copyData(h.Table.rows)
		e.copyData(h.Table.heap)
		size = len(h.Table.rows) + len(h.Table.heap)
	}
	if rem := size % BlockSize; rem != 0 {
		clear(e.grow(BlockSize - rem))
	}
	return e.flushIfFull()
}

// flushIfFull passes the buffer on once it holds flushSize bytes.
func (e *encoder) flushIfFull() error {
	if len(e.buf) < flushSize {
		return nil
	}
	return e.flush()
}

// imageCards appends BITPIX and NAXISn and returns the image whose data
// follow the header, nil for an empty one.
func (e *encoder) imageCards(im *Image) (*Image, error) {
	if im == nil || im.Len() == 0 && im.Data == nil {
		e.numInt("BITPIX", 0, int64(8), "")
		e.numInt("NAXIS", 0, int64(0), "")
		return nil, nil
	}
	if err := im.check(); err != nil {
		return nil, err
	}
	e.numInt("BITPIX", 0, int64(im.Bitpix()), "bits per data value")
	e.numInt("NAXIS", 0, int64(len(im.Axes)), "")
	for i, a := range im.Axes {
		e.numInt("NAXIS", i+1, int64(a), "")
	}
	return im, nil
}

func (e *encoder) scaleCards(im *Image) {
	if im == nil {
		return
	}
	if im.Scale != 0 && im.Scale != 1 {
		e.card(Card{Key: "BSCALE", Value: scaleValue(im.Scale)})
	}
	if im.Zero != 0 {
		e.card(Card{Key: "BZERO", Value: scaleValue(im.Zero)})
	}
	if im.HasBlank && im.Bitpix() > 0 {
		e.card(Card{Key: "BLANK", Value: im.Blank})
	}
}

// tableCards appends the BINTABLE structural keywords.
func (e *encoder) tableCards(t *Table) {
	e.numInt("BITPIX", 0, int64(8), "")
	e.numInt("NAXIS", 0, int64(2), "")
	e.numInt("NAXIS", 1, int64(t.RowLen), "bytes per row")
	e.numInt("NAXIS", 2, int64(t.NRows), "number of rows")
	e.numInt("PCOUNT", 0, int64(len(t.heap)), "heap size")
	e.numInt("GCOUNT", 0, int64(1), "")
	e.numInt("TFIELDS", 0, int64(len(t.Columns)), "")
	for i, c := range t.Columns {
		n := i + 1
		if c.Name != "" {
			e.numStr("TTYPE", n, c.Name, "")
		}
		e.numStr("TFORM", n, c.Format, "")
		if c.Unit != "" {
			e.numStr("TUNIT", n, c.Unit, "")
		}
		if c.Scale != 0 && c.Scale != 1 {
			e.num("TSCAL", n, scaleValue(c.Scale), "")
		}
		if c.Zero != 0 {
			e.num("TZERO", n, scaleValue(c.Zero), "")
		}
		if c.HasNull {
			e.numInt("TNULL", n, c.Null, "")
		}
		if len(c.Dim) > 0 {
			parts := make([]string, len(c.Dim))
			for j, d := range c.Dim {
				parts[j] = strconv.Itoa(d)
			}
			e.numStr("TDIM", n, "("+strings.Join(parts, ",")+")", "")
		}
	}
	if len(t.heap) > 0 {
		e.numInt("THEAP", 0, int64(len(t.rows)), "")
	}
}

// scaleValue returns a scaling factor or offset as an integer when it is
// one (BZERO = 32768, not 32768.0): readers such as astropy recognise the
// signed-byte and unsigned-integer conventions only in that form. Values
// outside the int64 range (2^63 for unsigned 64-bit data) stay reals.
func scaleValue(x float64) any {
	if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
		return int64(x)
	}
	return x
}

// copyData appends b in pieces, passing full buffers on.
func (e *encoder) copyData(b []byte) {
	for len(b) > 0 {
		n := min(len(b), flushSize)
		copy(e.grow(n), b[:n])
		b = b[n:]
		if e.flushIfFull() != nil {
			return // the error is reported by the next flush
		}
	}
}

// imageData appends the big-endian encoding of image data and returns its
// size in bytes.
func (e *encoder) imageData(d any) int {
	switch x := d.(type) {
	case []uint8:
		e.copyData(x)
		return len(x)
	case []int16:
		return putChunks(e, x, 2, putInt16s)
	case []int32:
		return putChunks(e, x, 4, putInt32s)
	case []int64:
		return putChunks(e, x, 8, putInt64s)
	case []float32:
		return putChunks(e, x, 4, putFloat32s)
	case []float64:
		return putChunks(e, x, 8, putFloat64s)
	}
	return 0
}

// putChunks encodes v with put (size bytes a value) into the buffer in
// pieces of at most flushSize bytes and returns the size in bytes.
func putChunks[T any](e *encoder, v []T, size int, put func([]byte, []T)) int {
	total := len(v) * size
	for len(v) > 0 {
		n := min(len(v), flushSize/size)
		put(e.grow(n*size), v[:n])
		v = v[n:]
		if e.flushIfFull() != nil {
			break // the error is reported by the next flush
		}
	}
	return total
}

// The put functions write values big-endian (FITS 4.0 section 5.2) into
// dst, which holds exactly the bytes needed.

func putInt16s(dst []byte, v []int16) {
	dst = dst[:2*len(v)]
	for i, x := range v {
		binary.BigEndian.PutUint16(dst[2*i:], uint16(x))
	}
}

// putInt32s and putFloat32s, the bulk of survey spectra, go four values
// a step: one bounds check for four stores.
func putInt32s(dst []byte, v []int32) {
	dst = dst[:4*len(v)]
	for len(v) >= 4 && len(dst) >= 16 {
		d := (*[16]byte)(dst)
		binary.BigEndian.PutUint32(d[0:], uint32(v[0]))
		binary.BigEndian.PutUint32(d[4:], uint32(v[1]))
		binary.BigEndian.PutUint32(d[8:], uint32(v[2]))
		binary.BigEndian.PutUint32(d[12:], uint32(v[3]))
		dst, v = dst[16:], v[4:]
	}
	for i, x := range v {
		binary.BigEndian.PutUint32(dst[4*i:], uint32(x))
	}
}

func putInt64s(dst []byte, v []int64) {
	dst = dst[:8*len(v)]
	for i, x := range v {
		binary.BigEndian.PutUint64(dst[8*i:], uint64(x))
	}
}

func putFloat32s(dst []byte, v []float32) {
	dst = dst[:4*len(v)]
	for len(v) >= 4 && len(dst) >= 16 {
		d := (*[16]byte)(dst)
		binary.BigEndian.PutUint32(d[0:], math.Float32bits(v[0]))
		binary.BigEndian.PutUint32(d[4:], math.Float32bits(v[1]))
		binary.BigEndian.PutUint32(d[8:], math.Float32bits(v[2]))
		binary.BigEndian.PutUint32(d[12:], math.Float32bits(v[3]))
		dst, v = dst[16:], v[4:]
	}
	for i, x := range v {
		binary.BigEndian.PutUint32(dst[4*i:], math.Float32bits(x))
	}
}

func putFloat64s(dst []byte, v []float64) {
	dst = dst[:8*len(v)]
	for i, x := range v {
		binary.BigEndian.PutUint64(dst[8*i:], math.Float64bits(x))
	}
}
