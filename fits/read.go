package fits

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// maxHeaderBlocks bounds the size of one header (10,000 blocks = 360,000
// cards); a longer header is treated as a missing END.
const maxHeaderBlocks = 10000

// maxDataBytes bounds the data size a header may declare (1 TiB); larger
// sizes are reported as malformed rather than attempted.
const maxDataBytes = 1 << 40

// File is a FITS file read into memory.
type File struct {
	Name string
	HDUs []*HDU
}

// HDUByName returns the first HDU whose EXTNAME matches name
// (case-insensitive).
func (f *File) HDUByName(name string) (*HDU, bool) {
	for _, h := range f.HDUs {
		if strings.EqualFold(h.Name(), name) {
			return h, true
		}
	}
	return nil, false
}

// Reader reads HDUs one at a time from a stream, transparently
// decompressing gzip input.
type Reader struct {
	r      *bufio.Reader
	seeker io.Seeker // set when the input is an uncompressed seekable file
	name   string
	index  int
	done   bool
}

// NewReader returns a Reader over r. name is used in error messages (a
// file path, or "" for an anonymous stream). Gzip input is detected from
// its magic bytes.
func NewReader(r io.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rd := &Reader{r: br, name: name}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &FormatError{File: name, Err: fmt.Errorf("gzip: %w", err)}
		}
		rd.r = bufio.NewReaderSize(gz, 64<<10)
	} else if s, ok := r.(io.Seeker); ok {
		rd.seeker = s
	}
	return rd, nil
}

// Open reads every HDU of the file at path (gzip or plain).
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads every HDU from r. name is used in error messages.
func Decode(r io.Reader, name string) (*File, error) {
	rd, err := NewReader(r, name)
	if err != nil {
		return nil, err
	}
	file := &File{Name: name}
	for {
		h, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		file.HDUs = append(file.HDUs, h)
	}
	if len(file.HDUs) == 0 {
		return nil, &FormatError{File: name, Err: errors.New("empty file: no primary header")}
	}
	return file, nil
}

// ReadHeaders returns the header of every HDU of the file at path without
// decoding any data (the data of uncompressed files is skipped by seeking).
func ReadHeaders(path string) ([]*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := NewReader(f, path)
	if err != nil {
		return nil, err
	}
	var hs []*Header
	for {
		h, err := rd.NextHeader()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	if len(hs) == 0 {
		return nil, &FormatError{File: path, Err: errors.New("empty file: no primary header")}
	}
	return hs, nil
}

// layout is what a header says about the data that follows it.
type layout struct {
	kind     Kind
	xtension string
	bitpix   int
	axes     []int
	pcount   int64
	gcount   int64
	size     int64 // data bytes, unpadded
}

func (rd *Reader) errf(card int, key string, format string, args ...any) error {
	return &FormatError{File: rd.name, HDU: rd.index, Card: card, Key: key, Err: fmt.Errorf(format, args...)}
}

// Next reads the next HDU. It returns io.EOF after the last one.
func (rd *Reader) Next() (*HDU, error) {
	h, lay, err := rd.readHeader()
	if err != nil {
		return nil, err
	}
	data, err := rd.readData(lay.size)
	if err != nil {
		return nil, err
	}
	hdu := &HDU{Header: h, Kind: lay.kind, XTension: lay.xtension}
	switch lay.kind {
	case KindPrimary, KindImage:
		if lay.pcount != 0 || lay.gcount != 1 {
			hdu.Kind, hdu.Raw = KindOther, data // random groups: kept raw
			break
		}
		hdu.Image, err = decodeImage(h, lay, data)
	case KindBinTable:
		hdu.Table, err = decodeTable(h, lay, data)
	default:
		hdu.Raw = data
	}
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.File, fe.HDU = rd.name, rd.index
			return nil, fe
		}
		return nil, &FormatError{File: rd.name, HDU: rd.index, Err: err}
	}
	rd.index++
	return hdu, nil
}

// NextHeader reads the next header and skips its data. It returns io.EOF
// after the last HDU.
func (rd *Reader) NextHeader() (*Header, error) {
	h, lay, err := rd.readHeader()
	if err != nil {
		return nil, err
	}
	if err := rd.skipData(lay.size); err != nil {
		return nil, err
	}
	rd.index++
	return h, nil
}

// readHeader reads header blocks up to the END card and works out the data
// layout.
func (rd *Reader) readHeader() (*Header, layout, error) {
	if rd.done {
		return nil, layout{}, io.EOF
	}
	block := make([]byte, BlockSize)
	h := &Header{}
	ncard := 0
	for nb := 0; ; nb++ {
		n, err := io.ReadFull(rd.r, block)
		if nb == 0 && (errors.Is(err, io.EOF) || rd.index > 0 && isPadding(block[:n])) {
			// A clean end of file, or zero/blank fill after the last HDU.
			rd.done = true
			return nil, layout{}, io.EOF
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, layout{}, rd.errf(0, "", "header truncated after %d cards: missing END card", ncard+n/CardSize)
			}
			return nil, layout{}, fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
		}
		if nb >= maxHeaderBlocks {
			return nil, layout{}, rd.errf(0, "", "no END card in the first %d header blocks", maxHeaderBlocks)
		}
		for i := 0; i < BlockSize; i += CardSize {
			ncard++
			raw := block[i : i+CardSize]
			if ncard == 1 && nb == 0 {
				first := string(raw[:8])
				if rd.index == 0 && first != "SIMPLE  " {
					return nil, layout{}, rd.errf(1, "", "not a FITS file: first card is %q, want SIMPLE", strings.TrimSpace(string(raw[:min(30, len(raw))])))
				}
				if rd.index > 0 && first != "XTENSION" {
					return nil, layout{}, rd.errf(1, "", "unexpected data after the last HDU: %q is not an XTENSION card", strings.TrimSpace(string(raw[:30])))
				}
			}
			if string(raw[:8]) == "END     " {
				if strings.TrimSpace(string(raw[8:])) != "" {
					return nil, layout{}, rd.errf(ncard, "END", "END card has text after the keyword")
				}
				lay, err := rd.layoutOf(h)
				return h, lay, err
			}
			c, err := parseCard(raw)
			if err != nil {
				return nil, layout{}, rd.errf(ncard, strings.TrimSpace(string(raw[:8])), "%w", err)
			}
			if c.Key == "CONTINUE" && len(h.Cards) > 0 {
				prev := &h.Cards[len(h.Cards)-1]
				if s, ok := prev.Value.(string); ok && strings.HasSuffix(s, "&") {
					prev.Value = strings.TrimSuffix(s, "&") + c.Value.(string)
					if c.Comment != "" {
						prev.Comment = strings.TrimSpace(prev.Comment + " " + c.Comment)
					}
					continue
				}
			}
			h.Cards = append(h.Cards, c)
		}
	}
}

func isPadding(b []byte) bool {
	return len(bytes.Trim(b, "\x00 ")) == 0
}

// layoutOf validates the structural keywords and computes the data size.
func (rd *Reader) layoutOf(h *Header) (layout, error) {
	lay := layout{kind: KindPrimary, gcount: 1}
	intKey := func(key string, lo, hi int64) (int64, error) {
		pos := h.Index(key) + 1
		v, err := h.Int(key)
		if err != nil {
			return 0, rd.errf(pos, key, "%w", err)
		}
		if v < lo || v > hi {
			return 0, rd.errf(pos, key, "value %d outside [%d, %d]", v, lo, hi)
		}
		return v, nil
	}
	if rd.index > 0 {
		x, err := h.String("XTENSION")
		if err != nil {
			return lay, rd.errf(1, "XTENSION", "%w", err)
		}
		lay.xtension = strings.TrimSpace(x)
		switch lay.xtension {
		case "IMAGE":
			lay.kind = KindImage
		case "BINTABLE", "A3DTABLE":
			lay.kind = KindBinTable
		case "TABLE":
			lay.kind = KindASCIITable
		default:
			lay.kind = KindOther
		}
	} else if b, err := h.Bool("SIMPLE"); err != nil || !b {
		return lay, rd.errf(1, "SIMPLE", "SIMPLE must be T")
	}
	bitpix, err := intKey("BITPIX", -64, 64)
	if err != nil {
		return lay, err
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return lay, rd.errf(h.Index("BITPIX")+1, "BITPIX", "invalid value %d", bitpix)
	}
	lay.bitpix = int(bitpix)
	naxis, err := intKey("NAXIS", 0, 999)
	if err != nil {
		return lay, err
	}
	size := int64(1)
	for i := 1; i <= int(naxis); i++ {
		a, err := intKey(fmt.Sprintf("NAXIS%d", i), 0, maxDataBytes)
		if err != nil {
			return lay, err
		}
		lay.axes = append(lay.axes, int(a))
		if size > 0 && a > maxDataBytes/size {
			return lay, rd.errf(0, "NAXIS", "data size of axes %v is too large", lay.axes)
		}
		size *= a
	}
	groups := rd.index == 0 && naxis > 0 && lay.axes[0] == 0 && h.Has("GROUPS")
	if rd.index > 0 || groups {
		if lay.pcount, err = intKey("PCOUNT", 0, maxDataBytes); err != nil {
			return lay, err
		}
		if lay.gcount, err = intKey("GCOUNT", 0, maxDataBytes); err != nil {
			return lay, err
		}
		if groups {
			size = 1
			for _, a := range lay.axes[1:] {
				size *= int64(a)
			}
		}
	}
	if naxis == 0 && !groups {
		size = 0
	}
	elem := int64(abs(lay.bitpix) / 8)
	total := size + lay.pcount
	if total > maxDataBytes/elem/max(lay.gcount, 1) {
		return lay, rd.errf(0, "NAXIS", "declared data size is too large")
	}
	lay.size = elem * lay.gcount * total
	if lay.kind == KindBinTable && (lay.bitpix != 8 || naxis != 2) {
		return lay, rd.errf(0, "NAXIS", "BINTABLE needs BITPIX=8 and NAXIS=2, have %d and %d", lay.bitpix, naxis)
	}
	if lay.kind == KindImage && (lay.pcount != 0 || lay.gcount != 1) {
		return lay, rd.errf(0, "PCOUNT", "IMAGE extension needs PCOUNT=0 and GCOUNT=1")
	}
	return lay, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// readData reads size bytes of data and the padding to the next block.
// The buffer grows with the data actually present, so a header that lies
// about a huge size cannot force a huge allocation.
func (rd *Reader) readData(size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	const chunk = 16 << 20
	if size <= chunk {
		buf.Grow(int(size))
	}
	n, err := io.CopyN(&buf, rd.r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, rd.errf(0, "", "data truncated: header declares %d bytes, file has %d", size, n)
		}
		return nil, fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
	}
	if err := rd.skipPadding(size); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// skipPadding consumes the fill bytes after size data bytes. A file whose
// last block lacks its padding is accepted (the data itself is complete).
func (rd *Reader) skipPadding(size int64) error {
	pad := (BlockSize - size%BlockSize) % BlockSize
	_, err := io.CopyN(io.Discard, rd.r, pad)
	if errors.Is(err, io.EOF) {
		rd.done = true // the file ends inside the padding: no further HDU
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
	}
	return nil
}

// skipData skips size data bytes plus padding, seeking when possible.
func (rd *Reader) skipData(size int64) error {
	if size == 0 {
		return nil
	}
	padded := (size + BlockSize - 1) / BlockSize * BlockSize
	if rd.seeker != nil {
		pos, err1 := rd.seeker.Seek(0, io.SeekCurrent)
		end, err2 := rd.seeker.Seek(0, io.SeekEnd)
		if err1 == nil && err2 == nil {
			logical := pos - int64(rd.r.Buffered())
			if logical+size > end {
				return rd.errf(0, "", "data truncated: header declares %d bytes, file has %d", size, end-logical)
			}
			target := min(logical+padded, end)
			if _, err := rd.seeker.Seek(target, io.SeekStart); err != nil {
				return fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
			}
			rd.r.Reset(rd.seeker.(io.Reader))
			rd.done = target == end
			return nil
		}
		// Not really seekable (a pipe): fall back to reading.
		rd.seeker = nil
	}
	n, err := io.CopyN(io.Discard, rd.r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return rd.errf(0, "", "data truncated: header declares %d bytes, file has %d", size, n)
		}
		return fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
	}
	return rd.skipPadding(size)
}

// decodeImage converts big-endian image bytes to a typed slice.
func decodeImage(h *Header, lay layout, data []byte) (*Image, error) {
	im := &Image{Axes: lay.axes, Scale: h.FloatOr("BSCALE", 1), Zero: h.FloatOr("BZERO", 0)}
	if len(lay.axes) == 0 || lay.size == 0 {
		im.Axes = lay.axes
		return im, nil
	}
	if h.Has("BLANK") && lay.bitpix > 0 {
		b, err := h.Int("BLANK")
		if err != nil {
			return nil, &FormatError{Card: h.Index("BLANK") + 1, Key: "BLANK", Err: err}
		}
		im.Blank, im.HasBlank = b, true
	}
	if im.Scale == 0 {
		return nil, &FormatError{Card: h.Index("BSCALE") + 1, Key: "BSCALE", Err: errors.New("BSCALE is 0")}
	}
	n := len(data) / (abs(lay.bitpix) / 8)
	switch lay.bitpix {
	case 8:
		im.Data = append([]uint8(nil), data...)
	case 16:
		d := make([]int16, n)
		for i := range d {
			d[i] = int16(binary.BigEndian.Uint16(data[2*i:]))
		}
		im.Data = d
	case 32:
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(binary.BigEndian.Uint32(data[4*i:]))
		}
		im.Data = d
	case 64:
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(binary.BigEndian.Uint64(data[8*i:]))
		}
		im.Data = d
	case -32:
		d := make([]float32, n)
		for i := range d {
			d[i] = math.Float32frombits(binary.BigEndian.Uint32(data[4*i:]))
		}
		im.Data = d
	case -64:
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Float64frombits(binary.BigEndian.Uint64(data[8*i:]))
		}
		im.Data = d
	}
	return im, nil
}

// decodeTable parses the column keywords of a BINTABLE header.
func decodeTable(h *Header, lay layout, data []byte) (*Table, error) {
	ferr := func(key string, err error) error {
		return &FormatError{Card: h.Index(key) + 1, Key: key, Err: err}
	}
	nf, err := h.Int("TFIELDS")
	if err != nil {
		return nil, ferr("TFIELDS", err)
	}
	if nf < 0 || nf > 999 {
		return nil, ferr("TFIELDS", fmt.Errorf("value %d outside [0, 999]", nf))
	}
	t := &Table{RowLen: lay.axes[0], NRows: lay.axes[1]}
	offset := 0
	for i := 1; i <= int(nf); i++ {
		key := fmt.Sprintf("TFORM%d", i)
		form, err := h.String(key)
		if err != nil {
			return nil, ferr(key, err)
		}
		c := Column{Format: strings.TrimSpace(form), Offset: offset, Scale: 1}
		c.Repeat, c.Type, c.VarType, c.Width, err = parseTFORM(form)
		if err != nil {
			return nil, ferr(key, err)
		}
		c.Name = strings.TrimSpace(h.StringOr(fmt.Sprintf("TTYPE%d", i), ""))
		c.Unit = strings.TrimSpace(h.StringOr(fmt.Sprintf("TUNIT%d", i), ""))
		if k := fmt.Sprintf("TSCAL%d", i); h.Has(k) {
			if c.Scale, err = h.Float(k); err != nil {
				return nil, ferr(k, err)
			}
		}
		if k := fmt.Sprintf("TZERO%d", i); h.Has(k) {
			if c.Zero, err = h.Float(k); err != nil {
				return nil, ferr(k, err)
			}
		}
		if k := fmt.Sprintf("TNULL%d", i); h.Has(k) && strings.ContainsRune("BIJK", rune(c.Type)) {
			if c.Null, err = h.Int(k); err != nil {
				return nil, ferr(k, err)
			}
			c.HasNull = true
		}
		if k := fmt.Sprintf("TDIM%d", i); h.Has(k) {
			s, err := h.String(k)
			if err == nil {
				c.Dim, err = parseTDIM(s)
			}
			if err != nil {
				return nil, ferr(k, err)
			}
		}
		offset += c.Width
		t.Columns = append(t.Columns, c)
	}
	if offset != t.RowLen {
		return nil, ferr("NAXIS1", fmt.Errorf("NAXIS1=%d but the columns' TFORMs add up to %d bytes per row", t.RowLen, offset))
	}
	main := int64(t.RowLen) * int64(t.NRows)
	t.rows = data[:main]
	theap := main
	if h.Has("THEAP") {
		if theap, err = h.Int("THEAP"); err != nil {
			return nil, ferr("THEAP", err)
		}
		if theap < main || theap > int64(len(data)) {
			return nil, ferr("THEAP", fmt.Errorf("THEAP=%d outside [%d, %d]", theap, main, len(data)))
		}
	}
	t.heap = data[theap:]
	return t, nil
}
