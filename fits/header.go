// Package fits reads and writes FITS files (Flexible Image Transport
// System, FITS Standard 4.0): header cards, primary and IMAGE HDUs, binary
// tables, gzip-compressed files, with a header-only fast path.
//
// It knows nothing of spectra. Values are decoded with the scaling the
// standard defines (BSCALE/BZERO/BLANK for images, TSCALn/TZEROn/TNULLn for
// table columns). Malformed input yields a *FormatError naming the file,
// HDU and card; nothing panics.
package fits

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// BlockSize is the size of a FITS logical record in bytes.
const BlockSize = 2880

// CardSize is the size of one header card in bytes.
const CardSize = 80

// Card is one header keyword record.
//
// Value is one of: string, int64, float64, bool, complex128, or nil (an
// undefined value, or a commentary card such as COMMENT, HISTORY or a blank
// keyword, whose text is in Comment). An integer too large for int64
// reads as the nearest float64. Key is upper case; a HIERARCH card has the
// words after HIERARCH as its Key ("ESO DET CHIP").
//
// When written, a string too long for one card continues on CONTINUE
// cards, and so does a comment that does not fit after a string value; a
// comment after another value is cut at column 80. Keywords longer than 8
// characters or outside A-Z 0-9 - _ are written as HIERARCH cards.
type Card struct {
	Key     string // upper-case keyword; for HIERARCH cards the words after HIERARCH
	Value   any    // string, int64, float64, bool, complex128, or nil
	Comment string // comment after the value, or the text of a commentary card
}

// IsCommentary reports whether the card carries text rather than a value:
// COMMENT, HISTORY, a blank keyword, or a CONTINUE card that continues no
// string. Another keyword without the "= " value indicator reads as an
// undefined value (nil) with its text in Comment.
func (c Card) IsCommentary() bool {
	return c.Value == nil && isCommentaryKey(c.Key)
}

func isCommentaryKey(k string) bool {
	return k == "COMMENT" || k == "HISTORY" || k == "" || k == "CONTINUE"
}

// Header is an ordered list of cards. The zero value is an empty header.
type Header struct {
	Cards []Card // in file order; CONTINUE cards are joined into the card they continue
}

// ErrMissingKey is returned when a requested keyword is absent.
var ErrMissingKey = errors.New("missing keyword")

// ErrWrongType is returned when a keyword's value has another type than
// the one requested.
var ErrWrongType = errors.New("wrong value type")

// normKey is the canonical form of a keyword: upper case, blanks
// collapsed, without a "HIERARCH " prefix (HIERARCH cards are read with
// the words after HIERARCH as their keyword).
func normKey(key string) string {
	if isPlainKey(key) {
		return key // the common case, without allocating
	}
	key = strings.ToUpper(strings.Join(strings.Fields(key), " "))
	return strings.TrimPrefix(key, "HIERARCH ")
}

// isPlainKey reports whether key is already normalised: a non-empty
// standard keyword of upper-case letters, digits, '-' and '_'.
func isPlainKey(key string) bool {
	if key == "" || len(key) > 8 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Index returns the position of the first card with the given keyword
// (case-insensitive; "HIERARCH ESO X" and "ESO X" are the same), or -1.
func (h *Header) Index(key string) int {
	key = normKey(key)
	if isCommentaryKey(key) {
		return -1
	}
	for i := range h.Cards {
		if h.Cards[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the first card with the given keyword.
func (h *Header) Get(key string) (Card, bool) {
	i := h.Index(key)
	if i < 0 {
		return Card{}, false
	}
	return h.Cards[i], true
}

// Has reports whether a value card with the keyword exists.
func (h *Header) Has(key string) bool { return h.Index(key) >= 0 }

// String returns a string value. Leading spaces are significant in FITS
// strings, trailing spaces are not and are removed.
func (h *Header) String(key string) (string, error) {
	c, ok := h.Get(key)
	if !ok {
		return "", fmt.Errorf("%s: %w", key, ErrMissingKey)
	}
	s, ok := c.Value.(string)
	if !ok {
		return "", fmt.Errorf("%s: %w: have %T, want string", key, ErrWrongType, c.Value)
	}
	return s, nil
}

// Int returns an integer value. A float value that is an exact integer is
// accepted (some writers emit "3908." for counts).
func (h *Header) Int(key string) (int64, error) {
	c, ok := h.Get(key)
	if !ok {
		return 0, fmt.Errorf("%s: %w", key, ErrMissingKey)
	}
	switch v := c.Value.(type) {
	case int64:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), nil
		}
	}
	return 0, fmt.Errorf("%s: %w: have %T %v, want integer", key, ErrWrongType, c.Value, c.Value)
}

// Float returns a numeric value as float64 (integers are converted).
func (h *Header) Float(key string) (float64, error) {
	c, ok := h.Get(key)
	if !ok {
		return 0, fmt.Errorf("%s: %w", key, ErrMissingKey)
	}
	switch v := c.Value.(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("%s: %w: have %T %v, want number", key, ErrWrongType, c.Value, c.Value)
}

// Bool returns a logical value.
func (h *Header) Bool(key string) (bool, error) {
	c, ok := h.Get(key)
	if !ok {
		return false, fmt.Errorf("%s: %w", key, ErrMissingKey)
	}
	b, ok := c.Value.(bool)
	if !ok {
		return false, fmt.Errorf("%s: %w: have %T, want logical", key, ErrWrongType, c.Value)
	}
	return b, nil
}

// FloatOr returns the numeric value of key, or def when it is absent or
// not a number.
func (h *Header) FloatOr(key string, def float64) float64 {
	v, err := h.Float(key)
	if err != nil {
		return def
	}
	return v
}

// StringOr returns the string value of key, or def when it is absent or
// not a string.
func (h *Header) StringOr(key, def string) string {
	v, err := h.String(key)
	if err != nil {
		return def
	}
	return v
}

// Set replaces the value and comment of the first card with the keyword,
// or appends a new card. Value must be string, bool, an integer type, a
// float type or complex128; other types are converted with fmt.Sprint.
func (h *Header) Set(key string, value any, comment string) {
	key = normKey(key)
	c := Card{Key: key, Value: normalizeValue(value), Comment: comment}
	if i := h.Index(key); i >= 0 {
		h.Cards[i] = c
		return
	}
	h.Cards = append(h.Cards, c)
}

// Add appends a card without replacing existing ones (for COMMENT and
// HISTORY).
func (h *Header) Add(c Card) {
	c.Key = normKey(c.Key)
	c.Value = normalizeValue(c.Value)
	h.Cards = append(h.Cards, c)
}

// Delete removes every value card with the keyword.
func (h *Header) Delete(key string) {
	key = normKey(key)
	out := h.Cards[:0]
	for _, c := range h.Cards {
		if c.Key == key && !isCommentaryKey(key) {
			continue
		}
		out = append(out, c)
	}
	h.Cards = out
}

// Clone returns a copy of the header that shares no card storage.
func (h *Header) Clone() *Header {
	return &Header{Cards: append([]Card(nil), h.Cards...)}
}

// normalizeUint keeps an unsigned value exact as int64 when it fits and
// converts larger ones (such as the TZERO 2^63 of unsigned 64-bit columns)
// to float64 rather than letting them wrap to negative numbers.
func normalizeUint(x uint64) any {
	if x > math.MaxInt64 {
		return float64(x)
	}
	return int64(x)
}

// normalizeValue converts Go numeric types to the header's canonical
// int64/float64 representations.
func normalizeValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, complex128:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		return normalizeUint(uint64(x))
	case uint64:
		return normalizeUint(x)
	case float32:
		return float64(x)
	case complex64:
		return complex128(x)
	default:
		return fmt.Sprint(x)
	}
}
