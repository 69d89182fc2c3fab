package fits

import (
	"errors"
	"math"
	"testing"
)

func testHeader() *Header {
	h := &Header{}
	h.Set("OBJECT", "M31", "target")
	h.Set("NAXIS1", 3908, "")
	h.Set("COUNT", 3908.0, "written as a real")
	h.Set("FRAC", 2.5, "")
	h.Set("FLAG", true, "")
	h.Add(Card{Key: "history", Comment: "first"})
	h.Add(Card{Key: "HISTORY", Comment: "second"})
	return h
}

func TestHeaderAccessors(t *testing.T) {
	h := testHeader()
	if s, err := h.String("object"); err != nil || s != "M31" {
		t.Errorf("String(object) = %q, %v", s, err)
	}
	if n, err := h.Int("NAXIS1"); err != nil || n != 3908 {
		t.Errorf("Int(NAXIS1) = %d, %v", n, err)
	}
	if n, err := h.Int("COUNT"); err != nil || n != 3908 {
		t.Errorf("Int(COUNT) of an integral real = %d, %v", n, err)
	}
	if f, err := h.Float("NAXIS1"); err != nil || f != 3908 {
		t.Errorf("Float(NAXIS1) = %v, %v", f, err)
	}
	if b, err := h.Bool("FLAG"); err != nil || !b {
		t.Errorf("Bool(FLAG) = %v, %v", b, err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"Int of a fraction", second(h.Int("FRAC")), ErrWrongType},
		{"Int of a string", second(h.Int("OBJECT")), ErrWrongType},
		{"Float of a logical", second(h.Float("FLAG")), ErrWrongType},
		{"Bool of an integer", second(h.Bool("NAXIS1")), ErrWrongType},
		{"String of an integer", second(h.String("NAXIS1")), ErrWrongType},
		{"missing", second(h.Float("NOPE")), ErrMissingKey},
		{"HISTORY is not a value", second(h.String("HISTORY")), ErrMissingKey},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if got := h.FloatOr("OBJECT", -1); got != -1 {
		t.Errorf("FloatOr of a string = %v, want default", got)
	}
	if got := h.StringOr("NOPE", "def"); got != "def" {
		t.Errorf("StringOr missing = %q", got)
	}
	if h.Has("HISTORY") || !h.Has("flag") || h.Index("FRAC") != 3 {
		t.Errorf("Has/Index wrong: Has(HISTORY)=%v Has(flag)=%v Index(FRAC)=%d", h.Has("HISTORY"), h.Has("flag"), h.Index("FRAC"))
	}
}

func second[T any](_ T, err error) error { return err }

func TestHeaderSetDeleteClone(t *testing.T) {
	h := testHeader()
	c := h.Clone()
	h.Set("OBJECT", "M32", "changed")
	h.Delete("FRAC")
	h.Delete("HISTORY") // commentary cards are not values: kept
	if len(h.Cards) != 6 || h.Cards[0] != (Card{"OBJECT", "M32", "changed"}) {
		t.Fatalf("after Set/Delete: %#v", h.Cards)
	}
	if len(c.Cards) != 7 || c.Cards[0].Value != "M31" {
		t.Fatalf("clone changed with the original: %#v", c.Cards)
	}
	if h.Cards[4].Key != "HISTORY" || h.Cards[5].Comment != "second" {
		t.Fatalf("HISTORY cards: %#v", h.Cards[4:])
	}
}

func TestNormalizeValue(t *testing.T) {
	tests := []struct {
		in, want any
	}{
		{int8(-3), int64(-3)}, {uint16(65535), int64(65535)}, {uint32(math.MaxUint32), int64(math.MaxUint32)},
		{uint64(math.MaxInt64), int64(math.MaxInt64)},
		// Beyond int64: the TZERO of unsigned 64-bit data must not wrap.
		{uint64(1 << 63), float64(1 << 63)},
		{uint(math.MaxUint64), float64(math.MaxUint64)},
		{float32(0.25), 0.25}, {complex64(1 + 2i), complex128(1 + 2i)},
		{struct{ A int }{7}, "{7}"}, {nil, nil},
	}
	for _, tc := range tests {
		if got := normalizeValue(tc.in); got != tc.want {
			t.Errorf("normalizeValue(%#v) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestFormatErrorText(t *testing.T) {
	tests := []struct {
		e    FormatError
		want string
	}{
		{FormatError{File: "a.fits", HDU: 1, Card: 7, Key: "NAXIS1", Err: errors.New("bad")}, "a.fits: HDU 1: card 7 (NAXIS1): bad"},
		{FormatError{HDU: 0, Key: "TFIELDS", Err: errors.New("bad")}, "HDU 0: TFIELDS: bad"},
		{FormatError{File: "b", HDU: 2, Card: 3, Err: errors.New("x")}, "b: HDU 2: card 3: x"},
	}
	for _, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.e, ErrFormat) || errors.Unwrap(&tc.e) != tc.e.Err {
			t.Errorf("%q: Is/Unwrap wrong", tc.want)
		}
	}
}
