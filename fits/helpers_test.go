package fits

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// cardImage pads s with spaces to one 80-byte card image. It panics on a
// longer string: test inputs are written by hand and must fit.
func cardImage(s string) string {
	if len(s) > CardSize {
		panic("test card longer than 80 bytes: " + s)
	}
	return s + strings.Repeat(" ", CardSize-len(s))
}

// headerBytes builds a header by hand: the cards, an END card, and spaces
// up to a whole 2880-byte block.
func headerBytes(cards ...string) []byte {
	var b strings.Builder
	for _, c := range cards {
		b.WriteString(cardImage(c))
	}
	b.WriteString(cardImage("END"))
	for b.Len()%BlockSize != 0 {
		b.WriteByte(' ')
	}
	return []byte(b.String())
}

// dataBytes pads data with zeros to a whole block.
func dataBytes(data []byte) []byte {
	out := append([]byte(nil), data...)
	for len(out)%BlockSize != 0 {
		out = append(out, 0)
	}
	return out
}

// concat joins byte slices.
func concat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// encodeHDUs writes hdus with Write and fails the test on error.
func encodeHDUs(t testing.TB, hdus ...*HDU) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, hdus...); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// decodeBytes decodes b with Decode and fails the test on error.
func decodeBytes(t testing.TB, b []byte) *File {
	t.Helper()
	f, err := Decode(bytes.NewReader(b), "test.fits")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return f
}

// roundTrip writes hdus and reads them back.
func roundTrip(t testing.TB, hdus ...*HDU) *File {
	t.Helper()
	return decodeBytes(t, encodeHDUs(t, hdus...))
}

// mustImage wraps NewImage for tests.
func mustImage(t testing.TB, data any, axes ...int) *Image {
	t.Helper()
	im, err := NewImage(data, axes...)
	if err != nil {
		t.Fatalf("NewImage: %v", err)
	}
	return im
}

// mustTable wraps NewTable for tests.
func mustTable(t testing.TB, cols ...ColumnData) *Table {
	t.Helper()
	tab, err := NewTable(cols)
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	return tab
}

// checkFormatError checks that err is a *FormatError (and errors.Is
// ErrFormat) whose text names the file, "HDU n", "card m" when card > 0,
// and contains every one of want.
func checkFormatError(t *testing.T, err error, file string, hdu, card int, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a FormatError")
	}
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
		t.Fatalf("error %q (%T) is not a FormatError", err, err)
	}
	msg := err.Error()
	need := []string{file + ": ", "HDU " + strconv.Itoa(hdu) + ": "}
	if card > 0 {
		need = append(need, "card "+strconv.Itoa(card))
	}
	for _, s := range append(need, want...) {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	if fe.HDU != hdu || card > 0 && fe.Card != card {
		t.Errorf("FormatError HDU %d card %d, want HDU %d card %d", fe.HDU, fe.Card, hdu, card)
	}
}

// sameFloat reports whether a and b are bitwise equal, or both NaN.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// sameFloats compares slices with sameFloat.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFloat(a[i], b[i]) {
			return false
		}
	}
	return true
}
