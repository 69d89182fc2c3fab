package fits

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// structural matches keywords the writer generates from the data, and the
// CHECKSUM/DATASUM of a file read earlier, which the new bytes would
// contradict; such cards in HDU.Header are not copied.
var structural = regexp.MustCompile(`^(SIMPLE|XTENSION|BITPIX|NAXIS[0-9]*|EXTEND|PCOUNT|GCOUNT|GROUPS|TFIELDS|THEAP|BSCALE|BZERO|BLANK|T(TYPE|FORM|UNIT|SCAL|ZERO|NULL|DIM)[0-9]+|CHECKSUM|DATASUM|END)$`)

// Write encodes hdus as a FITS file. The first HDU becomes the primary and
// must be an image (possibly empty, Image nil); later HDUs become IMAGE or
// BINTABLE extensions. On error, part of the file may have been written
// (WriteFile never leaves a partial file behind).
func Write(w io.Writer, hdus ...*HDU) error {
	if len(hdus) == 0 {
		return errors.New("fits: write: no HDUs")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for i, h := range hdus {
		if h == nil {
			return fmt.Errorf("fits: write HDU %d: nil HDU", i)
		}
		if err := writeHDU(bw, h, i, len(hdus) > 1); err != nil {
			return fmt.Errorf("fits: write HDU %d: %w", i, err)
		}
	}
	return bw.Flush()
}

// WriteFile writes hdus to path atomically (a temporary file in the same
// directory, then renamed): a crash of the process never leaves a
// half-written file at path. The file is not fsynced (like astropy and
// cfitsio; a simulator writing thousands of files would spend most of its
// time in fsync): callers that need durability across power loss sync the
// directory themselves. A path ending in ".gz" is gzipped. The file gets
// mode 0644, readable by all like a file made by os.Create.
func WriteFile(path string, hdus ...*HDU) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	var w io.Writer = tmp
	var gz *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		gz = gzip.NewWriter(tmp)
		w = gz
	}
	err = tmp.Chmod(0o644) // CreateTemp makes files private (0600)
	if err == nil {
		err = Write(w, hdus...)
	}
	if err == nil && gz != nil {
		err = gz.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// cardWriter accumulates card images and pads the header.
type cardWriter struct {
	w     io.Writer
	cards int
	err   error
}

func (cw *cardWriter) add(c Card) {
	if cw.err != nil {
		return
	}
	lines, err := formatCards(c)
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
func (cw *cardWriter) end() error {
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

func writeHDU(w io.Writer, h *HDU, index int, extend bool) error {
	if h.Raw != nil && h.Image == nil && h.Table == nil {
		return fmt.Errorf("%v HDU kept as raw bytes (XTENSION %q) cannot be written", h.Kind, h.XTension)
	}
	cw := &cardWriter{w: w}
	var data []byte
	switch {
	case index == 0:
		if h.Table != nil {
			return errors.New("the primary HDU cannot be a table: add an empty primary first")
		}
		cw.add(Card{Key: "SIMPLE", Value: true, Comment: "conforms to FITS standard"})
		d, err := imageCards(cw, h.Image)
		if err != nil {
			return err
		}
		data = d
		if extend {
			cw.add(Card{Key: "EXTEND", Value: true})
		}
	case h.Table != nil:
		cw.add(Card{Key: "XTENSION", Value: "BINTABLE", Comment: "binary table extension"})
		data = tableCards(cw, h.Table)
	default:
		if h.Image == nil {
			return errors.New("extension has neither Image nor Table")
		}
		cw.add(Card{Key: "XTENSION", Value: "IMAGE", Comment: "image extension"})
		d, err := imageCards(cw, h.Image)
		if err != nil {
			return err
		}
		cw.add(Card{Key: "PCOUNT", Value: int64(0)})
		cw.add(Card{Key: "GCOUNT", Value: int64(1)})
		data = d
	}
	if h.Table == nil {
		scaleCards(cw, h.Image)
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

// imageCards writes BITPIX and NAXISn and returns the encoded data.
func imageCards(cw *cardWriter, im *Image) ([]byte, error) {
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
	return encodeImage(im.Data), nil
}

func scaleCards(cw *cardWriter, im *Image) {
	if im == nil {
		return
	}
	if im.Scale != 0 && im.Scale != 1 {
		cw.add(Card{Key: "BSCALE", Value: scaleValue(im.Scale)})
	}
	if im.Zero != 0 {
		cw.add(Card{Key: "BZERO", Value: scaleValue(im.Zero)})
	}
	if im.HasBlank && im.Bitpix() > 0 {
		cw.add(Card{Key: "BLANK", Value: im.Blank})
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

func encodeImage(d any) []byte {
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

// tableCards writes the BINTABLE structural keywords and returns the data
// (main table followed by the heap).
func tableCards(cw *cardWriter, t *Table) []byte {
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
			cw.add(Card{Key: fmt.Sprintf("TSCAL%d", n), Value: scaleValue(c.Scale)})
		}
		if c.Zero != 0 {
			cw.add(Card{Key: fmt.Sprintf("TZERO%d", n), Value: scaleValue(c.Zero)})
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
