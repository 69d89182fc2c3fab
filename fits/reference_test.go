package fits

// The writer as it was before the single-buffer encoder (commit 13c5ad9),
// kept verbatim as the oracle of TestWriteMatchesReference: the new
// encoder must produce the same bytes for every input.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// structural is the former matcher of the keywords the writer generates
// (or drops: CHECKSUM, DATASUM), the oracle of isStructural.
var structural = regexp.MustCompile(`^(SIMPLE|XTENSION|BITPIX|NAXIS[0-9]*|EXTEND|PCOUNT|GCOUNT|GROUPS|TFIELDS|THEAP|BSCALE|BZERO|BLANK|T(TYPE|FORM|UNIT|SCAL|ZERO|NULL|DIM)[0-9]+|CHECKSUM|DATASUM|END)$`)

// refWrite is the former Write.
func refWrite(w io.Writer, hdus ...*HDU) error {
	if len(hdus) == 0 {
		return errors.New("fits: write: no HDUs")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for i, h := range hdus {
		if h == nil {
			return fmt.Errorf("fits: write HDU %d: nil HDU", i)
		}
		if err := refWriteHDU(bw, h, i, len(hdus) > 1); err != nil {
			return fmt.Errorf("fits: write HDU %d: %w", i, err)
		}
	}
	return bw.Flush()
}

// refCardWriter accumulates card images and pads the header.
type refCardWriter struct {
	w     io.Writer
	cards int
	err   error
}

func (cw *refCardWriter) add(c Card) {
	if cw.err != nil {
		return
	}
	lines, err := refFormatCards(c)
	if err != nil {
		cw.err = err
		return
	}
	for _, l := range lines {
		if _, err := io.WriteString(cw.w, l); err != nil {
			cw.err = err
			return
		}
		cw.cards++
	}
}

// end writes the END card and pads the header with spaces to a whole
// block.
func (cw *refCardWriter) end() error {
	if cw.err != nil {
		return cw.err
	}
	if _, cw.err = fmt.Fprintf(cw.w, "%-80s", "END"); cw.err != nil {
		return cw.err
	}
	cw.cards++
	if rem := cw.cards % 36; rem != 0 {
		_, cw.err = io.WriteString(cw.w, strings.Repeat(" ", (36-rem)*CardSize))
	}
	return cw.err
}

func refWriteHDU(w io.Writer, h *HDU, index int, extend bool) error {
	if h.Raw != nil && h.Image == nil && h.Table == nil {
		return fmt.Errorf("%v HDU kept as raw bytes (XTENSION %q) cannot be written", h.Kind, h.XTension)
	}
	cw := &refCardWriter{w: w}
	var data []byte
	switch {
	case index == 0:
		if h.Table != nil {
			return errors.New("the primary HDU cannot be a table: add an empty primary first")
		}
		cw.add(Card{Key: "SIMPLE", Value: true, Comment: "conforms to FITS standard"})
		d, err := refImageCards(cw, h.Image)
		if err != nil {
			return err
		}
		data = d
		if extend {
			cw.add(Card{Key: "EXTEND", Value: true})
		}
	case h.Table != nil:
		cw.add(Card{Key: "XTENSION", Value: "BINTABLE", Comment: "binary table extension"})
		data = refTableCards(cw, h.Table)
	default:
		if h.Image == nil {
			return errors.New("extension has neither Image nor Table")
		}
		cw.add(Card{Key: "XTENSION", Value: "IMAGE", Comment: "image extension"})
		d, err := refImageCards(cw, h.Image)
		if err != nil {
			return err
		}
		cw.add(Card{Key: "PCOUNT", Value: int64(0)})
		cw.add(Card{Key: "GCOUNT", Value: int64(1)})
		data = d
	}
	if h.Table == nil {
		refScaleCards(cw, h.Image)
	}
	if h.Header != nil {
		for _, c := range h.Header.Cards {
			if !structural.MatchString(c.Key) {
				cw.add(c)
			}
		}
	}
	if err := cw.end(); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if rem := len(data) % BlockSize; rem != 0 {
		_, err := w.Write(make([]byte, BlockSize-rem))
		return err
	}
	return nil
}

// refImageCards writes BITPIX and NAXISn and returns the encoded data.
func refImageCards(cw *refCardWriter, im *Image) ([]byte, error) {
	if im == nil || im.Len() == 0 && im.Data == nil {
		cw.add(Card{Key: "BITPIX", Value: int64(8)})
		cw.add(Card{Key: "NAXIS", Value: int64(0)})
		return nil, nil
	}
	if err := im.check(); err != nil {
		return nil, err
	}
	cw.add(Card{Key: "BITPIX", Value: int64(im.Bitpix()), Comment: "bits per data value"})
	cw.add(Card{Key: "NAXIS", Value: int64(len(im.Axes))})
	for i, a := range im.Axes {
		cw.add(Card{Key: fmt.Sprintf("NAXIS%d", i+1), Value: int64(a)})
	}
	return refEncodeImage(im.Data), nil
}

func refScaleCards(cw *refCardWriter, im *Image) {
	if im == nil {
		return
	}
	if im.Scale != 0 && im.Scale != 1 {
		cw.add(Card{Key: "BSCALE", Value: refScaleValue(im.Scale)})
	}
	if im.Zero != 0 {
		cw.add(Card{Key: "BZERO", Value: refScaleValue(im.Zero)})
	}
	if im.HasBlank && im.Bitpix() > 0 {
		cw.add(Card{Key: "BLANK", Value: im.Blank})
	}
}

// refScaleValue returns a scaling factor or offset as an integer when it is
// one (BZERO = 32768, not 32768.0): readers such as astropy recognise the
// signed-byte and unsigned-integer conventions only in that form. Values
// outside the int64 range (2^63 for unsigned 64-bit data) stay reals.
func refScaleValue(x float64) any {
	if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
		return int64(x)
	}
	return x
}

func refEncodeImage(d any) []byte {
	switch x := d.(type) {
	case []uint8:
		return append([]byte(nil), x...)
	case []int16:
		b := make([]byte, 2*len(x))
		for i, v := range x {
			binary.BigEndian.PutUint16(b[2*i:], uint16(v))
		}
		return b
	case []int32:
		b := make([]byte, 4*len(x))
		for i, v := range x {
			binary.BigEndian.PutUint32(b[4*i:], uint32(v))
		}
		return b
	case []int64:
		b := make([]byte, 8*len(x))
		for i, v := range x {
			binary.BigEndian.PutUint64(b[8*i:], uint64(v))
		}
		return b
	case []float32:
		b := make([]byte, 4*len(x))
		for i, v := range x {
			binary.BigEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return b
	case []float64:
		b := make([]byte, 8*len(x))
		for i, v := range x {
			binary.BigEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	return nil
}

// refTableCards writes the BINTABLE structural keywords and returns the data
// (main table followed by the heap).
func refTableCards(cw *refCardWriter, t *Table) []byte {
	cw.add(Card{Key: "BITPIX", Value: int64(8)})
	cw.add(Card{Key: "NAXIS", Value: int64(2)})
	cw.add(Card{Key: "NAXIS1", Value: int64(t.RowLen), Comment: "bytes per row"})
	cw.add(Card{Key: "NAXIS2", Value: int64(t.NRows), Comment: "number of rows"})
	cw.add(Card{Key: "PCOUNT", Value: int64(len(t.heap)), Comment: "heap size"})
	cw.add(Card{Key: "GCOUNT", Value: int64(1)})
	cw.add(Card{Key: "TFIELDS", Value: int64(len(t.Columns))})
	for i, c := range t.Columns {
		n := i + 1
		if c.Name != "" {
			cw.add(Card{Key: fmt.Sprintf("TTYPE%d", n), Value: c.Name})
		}
		cw.add(Card{Key: fmt.Sprintf("TFORM%d", n), Value: c.Format})
		if c.Unit != "" {
			cw.add(Card{Key: fmt.Sprintf("TUNIT%d", n), Value: c.Unit})
		}
		if c.Scale != 0 && c.Scale != 1 {
			cw.add(Card{Key: fmt.Sprintf("TSCAL%d", n), Value: refScaleValue(c.Scale)})
		}
		if c.Zero != 0 {
			cw.add(Card{Key: fmt.Sprintf("TZERO%d", n), Value: refScaleValue(c.Zero)})
		}
		if c.HasNull {
			cw.add(Card{Key: fmt.Sprintf("TNULL%d", n), Value: c.Null})
		}
		if len(c.Dim) > 0 {
			parts := make([]string, len(c.Dim))
			for j, d := range c.Dim {
				parts[j] = fmt.Sprint(d)
			}
			cw.add(Card{Key: fmt.Sprintf("TDIM%d", n), Value: "(" + strings.Join(parts, ",") + ")"})
		}
	}
	if len(t.heap) > 0 {
		cw.add(Card{Key: "THEAP", Value: int64(len(t.rows))})
	}
	if len(t.heap) == 0 {
		return t.rows // written as is, never modified
	}
	return append(append([]byte(nil), t.rows...), t.heap...)
}

// refFormatCards encodes a card as one or more 80-byte card images (long
// strings use the CONTINUE convention, long commentary is split).
func refFormatCards(c Card) ([]string, error) {
	key := normKey(c.Key)
	v := normalizeValue(c.Value)
	if isCommentaryKey(key) {
		if v != nil {
			return nil, fmt.Errorf("%w: %q card with a value: commentary text goes in Comment", errCard, key)
		}
		return refFormatCommentary(key, c.Comment), nil
	}
	if key == "HIERARCH" { // HIERARCH without a value: ESO commentary text
		if v != nil || strings.Contains(c.Comment, "=") {
			return nil, fmt.Errorf("%w: HIERARCH card without a keyword", errCard)
		}
		text := c.Comment
		if len(text) < 72 { // a separating space when it fits; the reader trims it
			text = " " + text
		}
		return refFormatCommentary(key, text), nil
	}
	if key == "END" {
		return nil, fmt.Errorf("%w: END is not a keyword for a header card", errCard)
	}
	// Keywords that do not fit the standard 8-character syntax are
	// written with the HIERARCH convention, as astropy does.
	hierarch := len(key) > 8 || checkKeyword(key) != nil
	if err := checkWriteKeyword(key, hierarch); err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok {
		return refFormatString(key, s, c.Comment, hierarch)
	}
	var field string
	var err error
	switch x := v.(type) {
	case nil:
		field = ""
	case bool:
		field = "F"
		if x {
			field = "T"
		}
	case int64:
		field = strconv.FormatInt(x, 10)
	case float64:
		field, err = refFormatReal(x)
	case complex128:
		var re, im string
		if re, err = refFormatReal(real(x)); err == nil {
			im, err = refFormatReal(imag(x))
		}
		field = "(" + re + ", " + im + ")"
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	var line string
	if hierarch {
		line = "HIERARCH " + key + " = " + field
	} else {
		line = fmt.Sprintf("%-8s= %20s", key, field)
	}
	if len(line) > CardSize {
		return nil, fmt.Errorf("%w: keyword %q with its value does not fit in one card", errCard, key)
	}
	return []string{refAddComment(line, c.Comment)}, nil
}

// refFormatReal formats a float so that it reads back as a real number with
// full float64 precision.
func refFormatReal(x float64) (string, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "", fmt.Errorf("%w: %v cannot be written in a FITS header", errCard, x)
	}
	s := strconv.FormatFloat(x, 'G', -1, 64)
	if !strings.ContainsAny(s, ".E") {
		s += ".0"
	} else if strings.Contains(s, "E") && !strings.Contains(s, ".") {
		mant, exp, _ := strings.Cut(s, "E")
		s = mant + ".0E" + exp
	}
	return s, nil
}

// refAddComment appends " / comment" to a card image if it fits, and pads it.
func refAddComment(line, comment string) string {
	if comment != "" && len(line)+3 < CardSize {
		line += " / " + sanitize(comment)
	}
	if len(line) > CardSize {
		line = line[:CardSize]
	}
	return fmt.Sprintf("%-80s", line)
}

func refFormatCommentary(key, text string) []string {
	var out []string
	text = sanitize(text)
	for {
		n := min(len(text), 72)
		out = append(out, fmt.Sprintf("%-8s%-72s", key, text[:n]))
		text = text[n:]
		if text == "" {
			return out
		}
	}
}

// refFormatString writes a string value, continued over CONTINUE cards when
// it does not fit (the long-string convention of FITS 4.0 section 4.2.1.2).
// A comment that does not fit after the value follows in CONTINUE cards
// with empty strings, as astropy writes it, so it is never lost.
func refFormatString(key, s, comment string, hierarch bool) ([]string, error) {
	if i := nonPrintable(s); i >= 0 {
		return nil, fmt.Errorf("%w: %s: non-printable byte 0x%02x in string value", errCard, key, s[i])
	}
	comment = sanitize(comment)
	prefix := fmt.Sprintf("%-8s= ", key)
	if hierarch {
		prefix = "HIERARCH " + key + " = "
	}
	q := "'" + strings.ReplaceAll(s, "'", "''")
	if len(q) < 9 && !hierarch {
		q = fmt.Sprintf("%-9s", q) // fixed format: closing quote at column 20 or later
	}
	first := prefix + q + "'"
	if aligned := fmt.Sprintf("%-30s", first); !hierarch && comment != "" && refCommentFits(aligned, comment) {
		first = aligned // comments of short strings line up with those of numbers
	}
	if len(first) <= CardSize && refCommentFits(first, comment) {
		return []string{refAddComment(first, comment)}, nil
	}
	room := CardSize - len(prefix) - 3 // quotes and '&'
	if room < 2 {
		return nil, fmt.Errorf("%w: keyword %q too long for a string value", errCard, key)
	}
	var out []string
	for i, p := range refSplitQuoted(s, room, CardSize-len(refContinuePrefix)-3) {
		head := refContinuePrefix
		if i == 0 {
			head = prefix
		}
		out = append(out, head+"'"+strings.ReplaceAll(p, "'", "''"))
	}
	last := len(out) - 1
	for i := range out[:last] {
		out[i] = fmt.Sprintf("%-80s", out[i]+"&'")
	}
	if refCommentFits(out[last]+"'", comment) {
		out[last] = refAddComment(out[last]+"'", comment)
		return out, nil
	}
	out[last] = fmt.Sprintf("%-80s", out[last]+"&'")
	return append(out, refCommentCards(comment)...), nil
}

const refContinuePrefix = "CONTINUE  "

// refCommentFits reports whether " / comment" fits after line.
func refCommentFits(line, comment string) bool {
	return comment == "" || len(line)+3+len(comment) <= CardSize
}

// refSplitQuoted cuts s into pieces whose quoted form (quotes doubled) takes
// at most room bytes for the first piece and contRoom for the others,
// never splitting a doubled quote. It returns one empty piece for "".
func refSplitQuoted(s string, room, contRoom int) []string {
	pieces := []string{}
	for {
		n, width := 0, 0
		for n < len(s) {
			w := 1
			if s[n] == '\'' {
				w = 2
			}
			if width+w > room {
				break
			}
			width += w
			n++
		}
		pieces = append(pieces, s[:n])
		s = s[n:]
		if s == "" {
			return pieces
		}
		room = contRoom
	}
}

// refCommentCards carries a long comment in CONTINUE cards with empty string
// values, 64 characters a card, cut at blanks where possible. Readers
// (this one and astropy) join the parts with one blank.
func refCommentCards(comment string) []string {
	const width = CardSize - len(refContinuePrefix+"'&' / ")
	var out []string
	for comment != "" {
		part := comment
		if len(part) > width {
			cut := strings.LastIndexByte(part[:width+1], ' ')
			if cut <= 0 {
				cut = width
			}
			part = comment[:cut]
		}
		comment = strings.TrimLeft(comment[len(part):], " ")
		val := "'&'"
		if comment == "" {
			val = "''"
		}
		out = append(out, fmt.Sprintf("%-80s", refContinuePrefix+val+" / "+strings.TrimRight(part, " ")))
	}
	return out
}

// refTableRows is the row-major encoding of the former NewTable.
func refTableRows(t *Table, cols []ColumnData) []byte {
	rows := make([]byte, t.NRows*t.RowLen)
	for i, cd := range cols {
		c := t.Columns[i]
		for r := range t.NRows {
			refEncodeField(rows[r*t.RowLen+c.Offset:r*t.RowLen+c.Offset+c.Width], cd.Data, r)
		}
	}
	return rows
}

// refEncodeField writes row r of column data d into dst, big-endian.
func refEncodeField(dst []byte, d any, r int) {
	switch x := d.(type) {
	case []bool:
		refPutBools(dst, x[r:r+1])
	case []uint8:
		dst[0] = x[r]
	case []int16:
		binary.BigEndian.PutUint16(dst, uint16(x[r]))
	case []int32:
		binary.BigEndian.PutUint32(dst, uint32(x[r]))
	case []int64:
		binary.BigEndian.PutUint64(dst, uint64(x[r]))
	case []float32:
		binary.BigEndian.PutUint32(dst, math.Float32bits(x[r]))
	case []float64:
		binary.BigEndian.PutUint64(dst, math.Float64bits(x[r]))
	case []string:
		n := copy(dst, x[r])
		for i := n; i < len(dst); i++ {
			dst[i] = ' '
		}
	case [][]bool:
		refPutBools(dst, x[r])
	case [][]uint8:
		copy(dst, x[r])
	case [][]int16:
		for i, v := range x[r] {
			binary.BigEndian.PutUint16(dst[2*i:], uint16(v))
		}
	case [][]int32:
		for i, v := range x[r] {
			binary.BigEndian.PutUint32(dst[4*i:], uint32(v))
		}
	case [][]int64:
		for i, v := range x[r] {
			binary.BigEndian.PutUint64(dst[8*i:], uint64(v))
		}
	case [][]float32:
		for i, v := range x[r] {
			binary.BigEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case [][]float64:
		for i, v := range x[r] {
			binary.BigEndian.PutUint64(dst[8*i:], math.Float64bits(v))
		}
	}
}

func refPutBools(dst []byte, v []bool) {
	for i, b := range v {
		if b {
			dst[i] = 'T'
		} else {
			dst[i] = 'F'
		}
	}
}
