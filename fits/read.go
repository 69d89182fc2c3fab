package fits

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
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
	Name string // the name given to Open or Decode
	HDUs []*HDU // the primary HDU first, then the extensions in file order
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
	gz     bool      // the input is gzip-compressed
	name   string
	index  int
	done   bool
	pos    []int // card number (1-based) of each card of the current header

	// In-memory input (DecodeBytes): r is unused, data are sliced from mem
	// without copying.
	inMem bool
	mem   []byte
	off   int
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
		rd.gz = true
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
	hdus, err := readAll(name, rd.Next)
	if err != nil {
		return nil, err
	}
	return &File{Name: name, HDUs: hdus}, nil
}

// DecodeBytes reads every HDU from the bytes of a FITS file (gzip or
// plain). Uncompressed data are not copied: tables and raw HDUs of the
// result refer to data, which must not be modified afterwards.
func DecodeBytes(data []byte, name string) (*File, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return Decode(bytes.NewReader(data), name)
	}
	rd := &Reader{name: name, inMem: true, mem: data}
	hdus, err := readAll(name, rd.Next)
	if err != nil {
		return nil, err
	}
	return &File{Name: name, HDUs: hdus}, nil
}

// readFull fills p from the input, like io.ReadFull.
func (rd *Reader) readFull(p []byte) (int, error) {
	if !rd.inMem {
		return io.ReadFull(rd.r, p)
	}
	n := copy(p, rd.mem[rd.off:])
	rd.off += n
	switch {
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	case n < len(p):
		return n, io.ErrUnexpectedEOF
	}
	return n, nil
}

// takeMem returns the next size data bytes of in-memory input and skips
// their padding.
func (rd *Reader) takeMem(lay layout) ([]byte, error) {
	rest := int64(len(rd.mem) - rd.off)
	if rest < lay.size {
		return nil, rd.truncated(lay, rest)
	}
	data := rd.mem[rd.off : rd.off+int(lay.size) : rd.off+int(lay.size)]
	padded := (lay.size + BlockSize - 1) / BlockSize * BlockSize
	rd.off += int(min(padded, rest))
	rd.done = padded >= rest // the file ends here, possibly inside the padding
	return data, nil
}

// readAll calls next until io.EOF and returns what it read, at least one
// item (a FITS file has a primary HDU).
func readAll[T any](name string, next func() (T, error)) ([]T, error) {
	var out []T
	for {
		v, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, &FormatError{File: name, Err: errors.New("empty file: no primary header")}
	}
	return out, nil
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
	return readAll(path, rd.NextHeader)
}

// layout is what a header says about the data that follows it.
type layout struct {
	kind     Kind
	xtension string
	bitpix   int
	axes     []int
	groups   bool // random-groups primary (NAXIS1=0 and GROUPS)
	pcount   int64
	gcount   int64
	size     int64  // data bytes, unpadded
	sizeCard int    // card number of the keyword that sets the size (last NAXISn)
	sizeKey  string // that keyword
}

func (rd *Reader) errf(card int, key string, format string, args ...any) error {
	return &FormatError{File: rd.name, HDU: rd.index, Card: card, Key: key, Err: fmt.Errorf(format, args...)}
}

// cardNo returns the 1-based position in the file's header of the first
// card with the keyword (CONTINUE cards count), or 0 if there is none.
func (rd *Reader) cardNo(h *Header, key string) int {
	if i := h.Index(key); i >= 0 && i < len(rd.pos) {
		return rd.pos[i]
	}
	return 0
}

// ioErr classifies a read error: a damaged compressed stream is malformed
// input (a *FormatError); anything else is an I/O error.
func (rd *Reader) ioErr(err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
		what := "unexpected end of input"
		if rd.gz {
			what = "damaged gzip stream"
		}
		return rd.errf(0, "", "%s: %w", what, err)
	}
	return fmt.Errorf("%s: HDU %d: %w", rd.name, rd.index, err)
}

// truncated reports data that end before the size the header declares.
func (rd *Reader) truncated(lay layout, have int64) error {
	return rd.errf(lay.sizeCard, lay.sizeKey, "data truncated: header declares %d bytes, file has %d", lay.size, have)
}

// Next reads the next HDU. It returns io.EOF after the last one.
func (rd *Reader) Next() (*HDU, error) {
	h, lay, err := rd.readHeader()
	if err != nil {
		return nil, err
	}
	data, err := rd.readData(lay)
	if err != nil {
		return nil, err
	}
	hdu := &HDU{Header: h, Kind: lay.kind, XTension: lay.xtension}
	switch lay.kind {
	case KindPrimary, KindImage:
		if lay.groups {
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
			if fe.Card == 0 && fe.Key != "" {
				fe.Card = rd.cardNo(h, fe.Key)
			}
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
	if err := rd.skipData(lay); err != nil {
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
	rd.pos = rd.pos[:0]
	ncard := 0
	for nb := 0; ; nb++ {
		n, err := rd.readFull(block)
		if nb == 0 && rd.atEnd(block[:n], err) {
			rd.done = true
			return nil, layout{}, io.EOF
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				have := ncard + n/CardSize
				return nil, layout{}, rd.errf(have+1, "", "header truncated after %d cards: no END card", have)
			}
			return nil, layout{}, rd.ioErr(err)
		}
		if nb >= maxHeaderBlocks {
			return nil, layout{}, rd.errf(ncard+1, "", "no END card in the first %d header blocks", maxHeaderBlocks)
		}
		for i := 0; i < BlockSize; i += CardSize {
			ncard++
			raw := block[i : i+CardSize]
			if ncard == 1 {
				if err := rd.checkFirstCard(raw); err != nil {
					return nil, layout{}, err
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
				return nil, layout{}, rd.errf(ncard, sanitize(strings.TrimSpace(string(raw[:8]))), "%w", err)
			}
			if c.Key == "CONTINUE" {
				if joinContinue(h, c) {
					continue
				}
				// A CONTINUE card that continues nothing is kept as text.
				c = Card{Key: "CONTINUE", Comment: strings.TrimRight(string(raw[8:]), " ")}
			}
			h.Cards = append(h.Cards, c)
			rd.pos = append(rd.pos, ncard)
		}
	}
}

// atEnd reports whether the first block of what would be the next header
// marks the end of the file: nothing at all, or (after the primary HDU)
// zero or blank fill. A compressed stream cut at a block boundary is not a
// clean end.
func (rd *Reader) atEnd(b []byte, err error) bool {
	if len(b) == 0 {
		return err == io.EOF
	}
	return rd.index > 0 && (err == nil || errors.Is(err, io.ErrUnexpectedEOF)) && isPadding(b)
}

// checkFirstCard checks that a header starts with SIMPLE (primary) or
// XTENSION (extensions).
func (rd *Reader) checkFirstCard(raw []byte) error {
	first := string(raw[:8])
	if rd.index == 0 && first != "SIMPLE  " {
		return rd.errf(1, "", "not a FITS file: first card is %q, want SIMPLE", strings.TrimSpace(string(raw[:30])))
	}
	if rd.index > 0 && first != "XTENSION" {
		return rd.errf(1, "", "unexpected data after the last HDU: %q is not an XTENSION card", strings.TrimSpace(string(raw[:30])))
	}
	return nil
}

// joinContinue appends the string of a CONTINUE card to the previous card
// when that card's string value ends with '&' (the long-string convention),
// and reports whether it did.
func joinContinue(h *Header, c Card) bool {
	if len(h.Cards) == 0 {
		return false
	}
	prev := &h.Cards[len(h.Cards)-1]
	s, ok := prev.Value.(string)
	if !ok || !strings.HasSuffix(s, "&") {
		return false
	}
	prev.Value = strings.TrimSuffix(s, "&") + c.Value.(string)
	if c.Comment != "" {
		prev.Comment = strings.TrimSpace(prev.Comment + " " + c.Comment)
	}
	return true
}

func isPadding(b []byte) bool {
	return len(bytes.Trim(b, "\x00 ")) == 0
}

// layoutOf validates the structural keywords and computes the data size.
func (rd *Reader) layoutOf(h *Header) (layout, error) {
	lay := layout{kind: KindPrimary, gcount: 1}
	// intKey reads a mandatory integer keyword; when it is missing, the
	// error points at the card that made it necessary (fallback).
	intKey := func(key string, lo, hi int64, fallback int) (int64, error) {
		pos := rd.cardNo(h, key)
		v, err := h.Int(key)
		if err != nil {
			if pos == 0 {
				pos = fallback
			}
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
	bitpix, err := intKey("BITPIX", -64, 64, 2)
	if err != nil {
		return lay, err
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return lay, rd.errf(rd.cardNo(h, "BITPIX"), "BITPIX", "invalid value %d", bitpix)
	}
	lay.bitpix = int(bitpix)
	naxis, err := intKey("NAXIS", 0, 999, 3)
	if err != nil {
		return lay, err
	}
	lay.sizeCard, lay.sizeKey = rd.cardNo(h, "NAXIS"), "NAXIS"
	for i := 1; i <= int(naxis); i++ {
		key := fmt.Sprintf("NAXIS%d", i)
		a, err := intKey(key, 0, maxDataBytes, rd.cardNo(h, "NAXIS"))
		if err != nil {
			return lay, err
		}
		lay.axes = append(lay.axes, int(a))
		lay.sizeCard, lay.sizeKey = rd.cardNo(h, key), key
	}
	groups := rd.index == 0 && naxis > 0 && lay.axes[0] == 0 && h.Has("GROUPS")
	lay.groups = groups
	if rd.index > 0 || groups {
		if lay.pcount, err = intKey("PCOUNT", 0, maxDataBytes, lay.sizeCard); err != nil {
			return lay, err
		}
		if lay.gcount, err = intKey("GCOUNT", 0, maxDataBytes, lay.sizeCard); err != nil {
			return lay, err
		}
	}
	axes := lay.axes
	if groups {
		axes = axes[1:] // NAXIS1=0 marks random groups
	}
	elem := int64(abs(lay.bitpix) / 8)
	size, ok := int64(0), true
	if len(axes) > 0 {
		size, ok = boundedProduct(axes, maxDataBytes)
	}
	if !ok || size+lay.pcount > maxDataBytes/elem/max(lay.gcount, 1) {
		return lay, rd.errf(lay.sizeCard, lay.sizeKey, "declared data size (axes %v, PCOUNT %d, GCOUNT %d) exceeds the %d-byte limit", lay.axes, lay.pcount, lay.gcount, int64(maxDataBytes))
	}
	lay.size = elem * lay.gcount * (size + lay.pcount)
	if lay.kind == KindBinTable && (lay.bitpix != 8 || naxis != 2) {
		return lay, rd.errf(rd.cardNo(h, "NAXIS"), "NAXIS", "BINTABLE needs BITPIX=8 and NAXIS=2, have %d and %d", lay.bitpix, naxis)
	}
	if lay.kind == KindBinTable && lay.gcount != 1 {
		return lay, rd.errf(rd.cardNo(h, "GCOUNT"), "GCOUNT", "BINTABLE needs GCOUNT=1, have %d", lay.gcount)
	}
	if lay.kind == KindImage && (lay.pcount != 0 || lay.gcount != 1) {
		return lay, rd.errf(rd.cardNo(h, "PCOUNT"), "PCOUNT", "IMAGE extension needs PCOUNT=0 and GCOUNT=1")
	}
	return lay, nil
}

// boundedProduct multiplies the axes and reports false when the product
// exceeds limit (a zero axis makes the product 0 whatever the others).
func boundedProduct(axes []int, limit int64) (int64, bool) {
	p := int64(1)
	over := false
	for _, a := range axes {
		if a == 0 {
			return 0, true
		}
		if p > limit/int64(a) {
			over = true
			continue
		}
		p *= int64(a)
	}
	return p, !over
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// readData reads the data of an HDU and the padding to the next block.
// The buffer grows with the data actually present, so a header that lies
// about a huge size cannot force a huge allocation.
func (rd *Reader) readData(lay layout) ([]byte, error) {
	if lay.size == 0 {
		return nil, nil
	}
	if rd.inMem {
		return rd.takeMem(lay)
	}
	var buf bytes.Buffer
	if lay.size <= 1<<20 {
		buf.Grow(int(lay.size)) // larger buffers grow as the data arrive
	}
	n, err := io.CopyN(&buf, rd.r, lay.size)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, rd.truncated(lay, n)
		}
		return nil, rd.ioErr(err)
	}
	if err := rd.skipPadding(lay.size); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// skipPadding consumes the fill bytes after size data bytes. A file whose
// last block lacks its padding is accepted (the data itself is complete),
// but a compressed stream cut short there is damaged (ErrUnexpectedEOF).
func (rd *Reader) skipPadding(size int64) error {
	pad := (BlockSize - size%BlockSize) % BlockSize
	_, err := io.CopyN(io.Discard, rd.r, pad)
	if errors.Is(err, io.EOF) {
		rd.done = true // the file ends inside the padding: no further HDU
		return nil
	}
	if err != nil {
		return rd.ioErr(err)
	}
	return nil
}

// skipData skips the data of an HDU plus padding, seeking when possible.
func (rd *Reader) skipData(lay layout) error {
	size := lay.size
	if size == 0 {
		return nil
	}
	if rd.inMem {
		_, err := rd.takeMem(lay)
		return err
	}
	padded := (size + BlockSize - 1) / BlockSize * BlockSize
	if rd.seeker != nil {
		pos, err1 := rd.seeker.Seek(0, io.SeekCurrent)
		end, err2 := rd.seeker.Seek(0, io.SeekEnd)
		if err1 == nil && err2 == nil {
			logical := pos - int64(rd.r.Buffered())
			if logical+size > end {
				return rd.truncated(lay, end-logical)
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
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return rd.truncated(lay, n)
		}
		return rd.ioErr(err)
	}
	return rd.skipPadding(size)
}
