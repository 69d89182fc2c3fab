package fits

import (
	"math"
	"strconv"
	"strings"
)

// Fast card encoding. formatCards (card.go) is the general encoder, with
// CONTINUE, HIERARCH and commentary cards; the functions here append the
// common cards (a standard keyword with a logical, integer, real,
// undefined or short string value) straight to the output buffer, without
// fmt or intermediate strings, and hand everything else to formatCards.
// Both write the same bytes (TestAppendCardMatchesReference): fixed-format
// values right-justified in columns 11-30 (FITS 4.0 section 4.2), strings
// from column 11 with the closing quote at column 20 or later, " / " and
// the comment after the value, the card padded with blanks to 80 columns.

// appendCard appends the card images of c to dst and returns the new
// buffer and the number of cards appended. On error dst is returned as it
// was.
func appendCard(dst []byte, c Card) ([]byte, int, error) {
	if v, ok := fastValueOf(c.Value); ok {
		if out, ok := appendFastCard(dst, c.Key, 0, v, c.Comment); ok {
			return out, 1, nil
		}
	}
	lines, err := formatCards(c)
	if err != nil {
		return dst, 0, err
	}
	for _, l := range lines {
		dst = append(dst, l...)
	}
	return dst, len(lines), nil
}

// fastValue is a card value of one of the types appendFastCard writes,
// held without an interface so that callers need not allocate one.
type fastValue struct {
	kind byte // 0 undefined (nil), 'L' logical, 'I' integer, 'F' real, 'S' string
	b    bool
	i    int64
	f    float64
	s    string
}

// fastValueOf converts a card value of a type appendFastCard writes.
func fastValueOf(v any) (fastValue, bool) {
	switch x := v.(type) {
	case nil:
		return fastValue{}, true
	case bool:
		return fastValue{kind: 'L', b: x}, true
	case int64:
		return fastValue{kind: 'I', i: x}, true
	case float64:
		return fastValue{kind: 'F', f: x}, true
	case string:
		return fastValue{kind: 'S', s: x}, true
	}
	return fastValue{}, false
}

// appendFastCard appends the card KEY = value / comment when it takes the
// common form, where key is prefix followed by num when num > 0 (TFORM3).
// It reports false, leaving dst as it was, for anything else: keywords that
// are not plain standard ones or are commentary, HIERARCH or END; NaN and
// infinite reals; strings with bytes outside printable ASCII or that do not
// fit in one card with their comment.
func appendFastCard(dst []byte, prefix string, num int, v fastValue, comment string) ([]byte, bool) {
	start := len(dst)
	dst = append(dst, prefix...)
	if num > 0 {
		dst = strconv.AppendInt(dst, int64(num), 10)
	}
	if !fastKey(dst[start:]) {
		return dst[:start], false
	}
	for len(dst)-start < 8 {
		dst = append(dst, ' ')
	}
	dst = append(dst, '=', ' ')
	var field [32]byte
	var f []byte
	switch v.kind {
	case 0:
		f = field[:0]
	case 'L':
		f = field[:1]
		f[0] = 'F'
		if v.b {
			f[0] = 'T'
		}
	case 'I':
		f = strconv.AppendInt(field[:0], v.i, 10)
	case 'F':
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return dst[:start], false // formatCards reports the error
		}
		f = appendReal(field[:0], v.f)
	case 'S':
		return appendStringCard(dst, start, v.s, comment)
	default:
		return dst[:start], false
	}
	for i := len(f); i < 20; i++ {
		dst = append(dst, ' ')
	}
	dst = append(dst, f...)
	return finishCard(dst, start, comment), true
}

// fastKey reports whether key is a plain standard keyword (isPlainKey)
// that is neither commentary (COMMENT, HISTORY, CONTINUE) nor HIERARCH or
// END, so that formatCards would write it as it is, in columns 1-8.
func fastKey(key []byte) bool {
	if len(key) == 0 || len(key) > 8 {
		return false
	}
	for _, c := range key {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	switch string(key) { // no allocation: the compiler compares in place
	case "COMMENT", "HISTORY", "CONTINUE", "HIERARCH", "END":
		return false
	}
	return true
}

// appendReal appends formatReal's form of a finite x: the shortest
// decimal that reads back as x, with ".0" added where Go would write an
// integer ("3.0", "1.0E+21").
func appendReal(dst []byte, x float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, x, 'G', -1, 64)
	dot, exp := -1, -1
	for i := start; i < len(dst); i++ {
		switch dst[i] {
		case '.':
			dot = i
		case 'E':
			exp = i
		}
	}
	switch {
	case dot < 0 && exp < 0:
		dst = append(dst, '.', '0')
	case dot < 0:
		dst = append(dst, 0, 0) // make room, then move the exponent right
		copy(dst[exp+2:], dst[exp:len(dst)-2])
		dst[exp], dst[exp+1] = '.', '0'
	}
	return dst
}

// appendStringCard appends a string value card that fits in one card image
// with its comment (the first case of formatString), the key and "= "
// already at dst[start:].
func appendStringCard(dst []byte, start int, s, comment string) ([]byte, bool) {
	if nonPrintable(s) >= 0 {
		return dst[:start], false // formatString reports the error
	}
	quoted := 1 + len(s) + strings.Count(s, "'") // opening quote, doubled quotes
	width := 10 + max(quoted, 9) + 1             // closing quote at column 20 or later
	if comment != "" && max(width, 30)+3+len(comment) <= CardSize {
		width = max(width, 30) // short strings' comments line up with numbers'
	}
	if width > CardSize || comment != "" && width+3+len(comment) > CardSize {
		return dst[:start], false // CONTINUE cards
	}
	dst = append(dst, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			dst = append(dst, '\'')
		}
		dst = append(dst, s[i])
	}
	for len(dst)-start < 19 {
		dst = append(dst, ' ')
	}
	dst = append(dst, '\'')
	for len(dst)-start < width {
		dst = append(dst, ' ')
	}
	return finishCard(dst, start, comment), true
}

// finishCard appends " / comment" to the card image begun at dst[start]
// when there is room for more than the separator (addComment), cuts the
// image at 80 columns and pads it with blanks. Bytes of the comment outside
// printable ASCII are written as '?' (sanitize).
func finishCard(dst []byte, start int, comment string) []byte {
	if comment != "" && len(dst)-start+3 < CardSize {
		dst = append(dst, " / "...)
		for i := 0; i < len(comment) && len(dst)-start < CardSize; i++ {
			c := comment[i]
			if c < 0x20 || c > 0x7e {
				c = '?'
			}
			dst = append(dst, c)
		}
	}
	for len(dst)-start < CardSize {
		dst = append(dst, ' ')
	}
	return dst
}

// isStructural reports whether key is one the writer generates from the
// data (SIMPLE, XTENSION, BITPIX, NAXISn, EXTEND, PCOUNT, GCOUNT, GROUPS,
// TFIELDS, THEAP, BSCALE, BZERO, BLANK, TTYPEn, TFORMn, TUNITn, TSCALn,
// TZEROn, TNULLn, TDIMn, END) or the CHECKSUM/DATASUM of a file read
// earlier, which the new bytes would contradict: such cards in HDU.Header
// are not copied.
func isStructural(key string) bool {
	switch key {
	case "SIMPLE", "XTENSION", "BITPIX", "EXTEND", "PCOUNT", "GCOUNT", "GROUPS", "TFIELDS", "THEAP",
		"BSCALE", "BZERO", "BLANK", "CHECKSUM", "DATASUM", "END":
		return true
	}
	if rest, ok := strings.CutPrefix(key, "NAXIS"); ok {
		return digits(rest) // NAXIS itself included
	}
	if len(key) < 2 || key[0] != 'T' {
		return false
	}
	for _, p := range [...]string{"TYPE", "FORM", "UNIT", "SCAL", "ZERO", "NULL", "DIM"} {
		if rest, ok := strings.CutPrefix(key[1:], p); ok {
			return rest != "" && digits(rest)
		}
	}
	return false
}

// digits reports whether s consists of ASCII digits only (true for "").
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
