package fits

import (
	"fmt"
	"math"
	"strings"
)

// Kind is the type of an HDU.
type Kind int

// HDU kinds.
const (
	KindPrimary    Kind = iota // primary HDU (an image, possibly empty)
	KindImage                  // IMAGE extension
	KindBinTable               // BINTABLE extension
	KindASCIITable             // TABLE extension (kept as raw bytes)
	KindOther                  // any other extension (kept as raw bytes)
)

// String returns the conventional name of the kind.
func (k Kind) String() string {
	switch k {
	case KindPrimary:
		return "PRIMARY"
	case KindImage:
		return "IMAGE"
	case KindBinTable:
		return "BINTABLE"
	case KindASCIITable:
		return "TABLE"
	default:
		return "OTHER"
	}
}

// HDU is one header-data unit.
//
// Exactly one of Image, Table and Raw describes the data: Image for the
// primary HDU and IMAGE extensions, Table for BINTABLE, Raw (the data
// bytes, unpadded) for other extension types, which are preserved but not
// decoded. When writing, the structural keywords (SIMPLE, XTENSION, BITPIX,
// NAXISn, PCOUNT, GCOUNT, TFIELDS, column keywords, BSCALE/BZERO/BLANK) are
// generated from Image or Table and those in Header are ignored, as are
// CHECKSUM and DATASUM (they would not match the new bytes). HDUs kept as
// Raw bytes cannot be written.
type HDU struct {
	Header   *Header // all cards as read, or the cards to write besides the generated ones
	Kind     Kind    // primary, IMAGE, BINTABLE, TABLE or other
	Image    *Image  // the data of a primary HDU or IMAGE extension
	Table    *Table  // the data of a BINTABLE extension
	Raw      []byte  // the data of other extension types, unpadded
	XTension string  // XTENSION value for KindOther/KindASCIITable
}

// Name returns the EXTNAME of the HDU, or "" if it has none.
func (h *HDU) Name() string {
	if h.Header == nil {
		return ""
	}
	return strings.TrimSpace(h.Header.StringOr("EXTNAME", ""))
}

// Image is the data array of a primary HDU or IMAGE extension.
//
// Data holds the stored (unscaled) values as []uint8 (BITPIX 8), []int16
// (16), []int32 (32), []int64 (64), []float32 (-32) or []float64 (-64), in
// FITS order: the first axis (NAXIS1) varies fastest. Axes lists NAXIS1,
// NAXIS2, ...; an empty image has no axes and nil Data.
type Image struct {
	Axes  []int   // NAXIS1, NAXIS2, ...
	Data  any     // stored values, a typed slice chosen by BITPIX
	Scale float64 // BSCALE (1 when absent)
	Zero  float64 // BZERO (0 when absent)
	// Blank is the BLANK value for integer images (undefined pixels);
	// HasBlank tells whether it is set.
	Blank    int64
	HasBlank bool
}

// NewImage returns an image holding data with the given axes (NAXIS1
// first). Data must be one of the slice types listed on Image, with as many
// elements as the product of the axes.
func NewImage(data any, axes ...int) (*Image, error) {
	im := &Image{Axes: append([]int(nil), axes...), Data: data, Scale: 1}
	if err := im.check(); err != nil {
		return nil, err
	}
	return im, nil
}

// Bitpix returns the BITPIX value that matches Data (0 for an empty image).
func (im *Image) Bitpix() int {
	switch im.Data.(type) {
	case []uint8:
		return 8
	case []int16:
		return 16
	case []int32:
		return 32
	case []int64:
		return 64
	case []float32:
		return -32
	case []float64:
		return -64
	}
	return 0
}

// Len returns the number of pixels.
func (im *Image) Len() int {
	if len(im.Axes) == 0 {
		return 0
	}
	n := 1
	for _, a := range im.Axes {
		n *= a
	}
	return n
}

func (im *Image) check() error {
	for i, a := range im.Axes {
		if a < 0 {
			return fmt.Errorf("NAXIS%d=%d is negative", i+1, a)
		}
	}
	if im.Data == nil {
		if im.Len() != 0 {
			return fmt.Errorf("image of %d pixels has no data", im.Len())
		}
		return nil
	}
	if im.Bitpix() == 0 {
		return fmt.Errorf("unsupported image data type %T", im.Data)
	}
	if n := sliceLen(im.Data); n != im.Len() {
		return fmt.Errorf("image data has %d elements, axes %v need %d", n, im.Axes, im.Len())
	}
	return nil
}

// Float64s returns the physical values Zero + Scale*stored, with BLANK
// pixels of integer images as NaN. Unsigned 64-bit data (Zero = 2^63)
// convert without the rounding of the formula, to the nearest float64.
func (im *Image) Float64s() []float64 {
	return im.physical(0, sliceLen(im.Data))
}

// physical returns the physical values of stored elements [lo, hi).
func (im *Image) physical(lo, hi int) []float64 {
	scale := im.Scale
	if scale == 0 {
		scale = 1
	}
	out := make([]float64, hi-lo)
	conv := func(i int, v int64) {
		if im.HasBlank && v == im.Blank {
			out[i] = math.NaN()
			return
		}
		out[i] = physInt(v, scale, im.Zero)
	}
	switch d := im.Data.(type) {
	case []uint8:
		for i, v := range d[lo:hi] {
			conv(i, int64(v))
		}
	case []int16:
		for i, v := range d[lo:hi] {
			conv(i, int64(v))
		}
	case []int32:
		for i, v := range d[lo:hi] {
			conv(i, int64(v))
		}
	case []int64:
		for i, v := range d[lo:hi] {
			conv(i, v)
		}
	case []float32:
		for i, v := range d[lo:hi] {
			out[i] = im.Zero + scale*float64(v)
		}
	case []float64:
		for i, v := range d[lo:hi] {
			out[i] = im.Zero + scale*v
		}
	}
	return out
}

// physInt returns zero + scale*v for a stored integer. For the unsigned
// 64-bit convention (zero = 2^63, scale 1) it converts the unsigned value
// directly, which float64(v) + 2^63 would round (1 would read as 0).
func physInt(v int64, scale, zero float64) float64 {
	if scale == 1 && zero == 1<<63 {
		return float64(uint64(v) ^ 1<<63)
	}
	return zero + scale*float64(v)
}

// Row returns the physical values of row j of a 2-D image (NAXIS1 pixels
// starting at j*NAXIS1).
func (im *Image) Row(j int) ([]float64, error) {
	if len(im.Axes) < 2 {
		return nil, fmt.Errorf("image has %d axes, need at least 2 for a row", len(im.Axes))
	}
	n1 := im.Axes[0]
	rows := im.Len() / max(n1, 1)
	if j < 0 || j >= rows {
		return nil, fmt.Errorf("row %d out of range [0,%d)", j, rows)
	}
	return im.physical(j*n1, (j+1)*n1), nil
}

func sliceLen(d any) int {
	switch x := d.(type) {
	case []uint8:
		return len(x)
	case []int16:
		return len(x)
	case []int32:
		return len(x)
	case []int64:
		return len(x)
	case []float32:
		return len(x)
	case []float64:
		return len(x)
	}
	return 0
}
