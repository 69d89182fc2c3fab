package fits

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// Expected values below follow FITS Standard 4.0 section 4: fixed-format
// values end in column 30, a quote inside a string is doubled, leading
// blanks in strings are significant and trailing ones are not, reals may
// use a D exponent, and commentary text is columns 9-80.
func TestParseCard(t *testing.T) {
	tests := []struct {
		in   string
		want Card
	}{
		{"SIMPLE  =                    T / conforms", Card{"SIMPLE", true, "conforms"}},
		{"EXTEND  =                    F", Card{"EXTEND", false, ""}},
		{"NAXIS   =                    2 / number of axes", Card{"NAXIS", int64(2), "number of axes"}},
		{"NEG     =                  -42", Card{"NEG", int64(-42), ""}},
		{"PLUS    =                  +42", Card{"PLUS", int64(42), ""}},
		{"FREE    = 7/no blanks around the slash", Card{"FREE", int64(7), "no blanks around the slash"}},
		{"MAXINT  =  9223372036854775807", Card{"MAXINT", int64(math.MaxInt64), ""}},
		{"MININT  = -9223372036854775808", Card{"MININT", int64(math.MinInt64), ""}},
		// One past the int64 range: kept as the nearest real, 2^63.
		{"BIGINT  =  9223372036854775808", Card{"BIGINT", float64(1 << 63), ""}},
		{"HUGEINT = 123456789012345678901234567890", Card{"HUGEINT", 1.2345678901234568e29, ""}},
		{"REAL    =                  1.5", Card{"REAL", 1.5, ""}},
		{"DEXP    =              1.5D+03", Card{"DEXP", 1500.0, ""}},
		{"DEXP2   =                 -2D2", Card{"DEXP2", -200.0, ""}},
		{"EEXP    =              -2.5E-3", Card{"EEXP", -0.0025, ""}},
		{"TRAILDOT=                   5.", Card{"TRAILDOT", 5.0, ""}},
		{"LEADDOT =                  .25", Card{"LEADDOT", 0.25, ""}},
		{"DOTEXP  =                 1.E2", Card{"DOTEXP", 100.0, ""}},
		{"NEGZERO =                 -0.0", Card{"NEGZERO", math.Copysign(0, -1), ""}},
		{"CPLX    =          (1.5, -2.0)", Card{"CPLX", complex(1.5, -2), ""}},
		{"CPLXINT = (3,4) / integer parts", Card{"CPLXINT", complex(3, 4), "integer parts"}},
		{"OBJECT  = 'NGC 1234'           / name", Card{"OBJECT", "NGC 1234", "name"}},
		{"LEAD    = '  two blanks'", Card{"LEAD", "  two blanks", ""}},
		{"TRAIL   = 'blanks   '", Card{"TRAIL", "blanks", ""}},
		{"EMPTY   = ''", Card{"EMPTY", "", ""}},
		{"BLANKS  = '        '", Card{"BLANKS", "", ""}},
		{"QUOTE   = 'O''HARA'", Card{"QUOTE", "O'HARA", ""}},
		{"ONLYQ   = ''''", Card{"ONLYQ", "'", ""}},
		{"SLASH   = 'a/b' / c/d", Card{"SLASH", "a/b", "c/d"}},
		{"STRNOSP = 'x'/tight", Card{"STRNOSP", "x", "tight"}},
		{"DATE-OBS= '2011-10-24T12:30:00' / UTC", Card{"DATE-OBS", "2011-10-24T12:30:00", "UTC"}},
		{"UNDEF   =                      / no value", Card{"UNDEF", nil, "no value"}},
		{"UNDEF2  =", Card{"UNDEF2", nil, ""}},
		{"COMMENT   two leading blanks kept", Card{"COMMENT", nil, "  two leading blanks kept"}},
		{"COMMENT = 'not a value'", Card{"COMMENT", nil, "= 'not a value'"}},
		{"HISTORY written by hand", Card{"HISTORY", nil, "written by hand"}},
		{"        blank keyword", Card{"", nil, "blank keyword"}},
		{"", Card{"", nil, ""}},
		{"NOINDIC  text without value indicator", Card{"NOINDIC", nil, " text without value indicator"}},
		{"NOEQ    =no blank after equals", Card{"NOEQ", nil, "=no blank after equals"}},
		{"HIERARCH ESO DET CHIP = 'CCD1' / chip", Card{"ESO DET CHIP", "CCD1", "chip"}},
		{"HIERARCH ESO TEL ALT = 45.5", Card{"ESO TEL ALT", 45.5, ""}},
		{"HIERARCH   eso   ins  =  T", Card{"ESO INS", true, ""}},
		{"HIERARCH  free text", Card{"HIERARCH", nil, "free text"}},
		{"CONTINUE  'more text&' / part", Card{"CONTINUE", "more text&", "part"}},
		{"CONTINUE  '' / only a comment", Card{"CONTINUE", "", "only a comment"}},
	}
	for _, tc := range tests {
		got, err := parseCard([]byte(cardImage(tc.in)))
		if err != nil {
			t.Errorf("parseCard(%q): %v", tc.in, err)
			continue
		}
		if !sameCard(got, tc.want) {
			t.Errorf("parseCard(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// sameCard compares cards, floats bitwise (so -0 differs from 0).
func sameCard(a, b Card) bool {
	if a.Key != b.Key || a.Comment != b.Comment {
		return false
	}
	return sameValue(a.Value, b.Value)
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case complex128:
		y, ok := b.(complex128)
		return ok && math.Float64bits(real(x)) == math.Float64bits(real(y)) &&
			math.Float64bits(imag(x)) == math.Float64bits(imag(y))
	}
	return reflect.DeepEqual(a, b)
}

func TestParseCardErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lowercas= 1", "lower-case keyword"},
		{"A B     = 1", "embedded space"},
		{"KEY&    = 1", "invalid character"},
		{"KEY     = NaN", "bad number"},
		{"KEY     = nan", "bad number"},
		{"KEY     = Inf", "bad number"},
		{"KEY     = -Infinity", "bad number"},
		{"KEY     = 0x1p3", "bad number"},
		{"KEY     = 0X10", "bad number"},
		{"KEY     = 1_000", "bad number"},
		{"KEY     = 1.5E", "bad number"},
		{"KEY     = 1.5E+", "bad number"},
		{"KEY     = E5", "bad number"},
		{"KEY     = .", "bad number"},
		{"KEY     = +", "bad number"},
		{"KEY     = 1.2.3", "bad number"},
		{"KEY     = 1 2", "bad number"},
		{"KEY     = T F", "bad number"},
		{"KEY     = 1E999", "out of range"},
		{"KEY     = 'unterminated", "unterminated string"},
		{"KEY     = 'abc' junk", "after string value"},
		{"KEY     = (1.0, 2.0", "unterminated complex"},
		{"KEY     = (1.0)", "needs two parts"},
		{"KEY     = (1.0, NaN)", "bad number"},
		{"CONTINUE  123", "without a string value"},
		{"HIERARCH = 5", "without a keyword"},
		{"HIERARCH A'B = 5", "invalid character"},
	}
	for _, tc := range tests {
		_, err := parseCard([]byte(cardImage(tc.in)))
		if err == nil || !errors.Is(err, errCard) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseCard(%q) error = %v, want one containing %q", tc.in, err, tc.want)
		}
	}
	raw := []byte(cardImage("OBJECT  = 'caf'"))
	for _, b := range []byte{0xe9, 0x09, 0x00, 0x7f} {
		raw[14] = b
		if _, err := parseCard(raw); err == nil || !strings.Contains(err.Error(), "column 15") {
			t.Errorf("byte 0x%02x: error = %v, want one naming column 15", b, err)
		}
	}
	if _, err := parseCard([]byte("SHORT   = 1")); err == nil {
		t.Errorf("parseCard of 11 bytes: no error")
	}
}

// TestFormatCardFixed checks exact card images against the fixed format
// of the standard (section 4.2): values right-justified to column 30,
// strings starting in column 11 with the closing quote in column 20 or
// later.
func TestFormatCardFixed(t *testing.T) {
	tests := []struct {
		in   Card
		want string
	}{
		{Card{"SIMPLE", true, "conforms to FITS standard"}, "SIMPLE  =                    T / conforms to FITS standard"},
		{Card{"NAXIS", int64(2), ""}, "NAXIS   =                    2"},
		{Card{"naxis1", 3908, ""}, "NAXIS1  =                 3908"},
		{Card{"NEG", int64(math.MinInt64), ""}, "NEG     = -9223372036854775808"},
		{Card{"REAL", 1.5, ""}, "REAL    =                  1.5"},
		{Card{"WHOLE", 3.0, ""}, "WHOLE   =                  3.0"},
		{Card{"BIG", 1e21, ""}, "BIG     =              1.0E+21"},
		{Card{"SMALL", 1.25e-5, ""}, "SMALL   =             1.25E-05"},
		{Card{"F32", float32(0.5), ""}, "F32     =                  0.5"},
		{Card{"CPLX", complex(1.5, -2), ""}, "CPLX    =          (1.5, -2.0)"},
		{Card{"UNDEF", nil, "unknown"}, "UNDEF   =                      / unknown"},
		{Card{"OBJECT", "abc", ""}, "OBJECT  = 'abc     '"},
		{Card{"OBJECT", "", ""}, "OBJECT  = '        '"},
		{Card{"QUOTE", "O'HARA", ""}, "QUOTE   = 'O''HARA '"},
		{Card{"EIGHT", "ABCDEFGH", "c"}, "EIGHT   = 'ABCDEFGH'           / c"},
		{Card{"TEN", "ABCDEFGHIJ", ""}, "TEN     = 'ABCDEFGHIJ'"},
		{Card{"LEAD", "  x", ""}, "LEAD    = '  x     '"},
		{Card{"COMMENT", nil, "some text"}, "COMMENT some text"},
		{Card{"HISTORY", nil, "  indented"}, "HISTORY   indented"},
		{Card{"", nil, "blank"}, "        blank"},
		{Card{"ESO DET CHIP", "CCD1", "chip"}, "HIERARCH ESO DET CHIP = 'CCD1' / chip"},
		{Card{"HIERARCH ESO TEL ALT", 45.5, ""}, "HIERARCH ESO TEL ALT = 45.5"},
		{Card{"LONGKEYWORD", int64(1), ""}, "HIERARCH LONGKEYWORD = 1"},
		{Card{"HIERARCH", nil, "free text"}, "HIERARCH free text"},
		{Card{"NONASCII", int64(1), "caf\xc3\xa9\ttab"}, "NONASCII=                    1 / caf???tab"},
		{Card{"LONGCOM", int64(1), strings.Repeat("c", 60)}, "LONGCOM =                    1 / " + strings.Repeat("c", 47)},
	}
	for _, tc := range tests {
		got, err := formatCards(tc.in)
		if err != nil {
			t.Errorf("formatCards(%#v): %v", tc.in, err)
			continue
		}
		if len(got) != 1 || got[0] != cardImage(tc.want) {
			t.Errorf("formatCards(%#v) =\n%q\nwant\n%q", tc.in, got, cardImage(tc.want))
		}
	}
	// Column rules, independently of the table: column 30 for numbers,
	// closing quote at column 20 or later for short strings.
	for _, c := range []Card{{"A", int64(1), ""}, {"B", true, ""}, {"C", 2.5, ""}} {
		img, _ := formatCards(c)
		if img[0][29] == ' ' || img[0][30] != ' ' {
			t.Errorf("%q: value does not end in column 30", img[0])
		}
	}
	for _, s := range []string{"", "a", "abcdefg", "abcdefgh"} {
		img, _ := formatCards(Card{Key: "S", Value: s})
		if img[0][10] != '\'' || strings.LastIndexByte(img[0], '\'') < 19 {
			t.Errorf("%q: string not in columns 11 to >=20", img[0])
		}
	}
}

func TestFormatCardErrors(t *testing.T) {
	tests := []struct {
		in   Card
		want string
	}{
		{Card{"NANVAL", math.NaN(), ""}, "cannot be written"},
		{Card{"INFVAL", math.Inf(1), ""}, "cannot be written"},
		{Card{"CPLX", complex(math.Inf(-1), 0), ""}, "cannot be written"},
		{Card{"CTRL", "a\nb", ""}, "non-printable"},
		{Card{"UTF8", "caf\xc3\xa9", ""}, "non-printable"},
		{Card{"COMMENT", "text", ""}, "commentary text goes in Comment"},
		{Card{"", int64(1), ""}, "commentary text goes in Comment"},
		{Card{"END", nil, ""}, "END"},
		{Card{"HIERARCH", "v", ""}, "without a keyword"},
		{Card{"HIERARCH", nil, "a = b"}, "without a keyword"},
		{Card{"BAD=KEY", int64(1), ""}, "invalid character"},
		{Card{"CAF\xc3\xa9", int64(1), ""}, "invalid character"},
		{Card{"HIERARCH " + strings.Repeat("K", 70), 1.5, ""}, "does not fit"},
	}
	for _, tc := range tests {
		_, err := formatCards(tc.in)
		if err == nil || !errors.Is(err, errCard) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("formatCards(%#v) error = %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

// TestFormatLongString checks the CONTINUE convention (section 4.2.1.2)
// against hand-built card images: 67 characters and '&' fill the first
// card, the rest goes to CONTINUE cards, and a quote pair is never split.
func TestFormatLongString(t *testing.T) {
	a67, b33 := strings.Repeat("a", 67), strings.Repeat("b", 33)
	got, err := formatCards(Card{Key: "LONG", Value: a67 + b33, Comment: "note"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		cardImage("LONG    = '" + a67 + "&'"),
		cardImage("CONTINUE  '" + b33 + "' / note"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("long string cards =\n%q\nwant\n%q", got, want)
	}
	// A quote at the split point moves whole to the next card.
	s := strings.Repeat("a", 66) + "'" + "bbb"
	got, err = formatCards(Card{Key: "Q", Value: s})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		cardImage("Q       = '" + strings.Repeat("a", 66) + "&'"),
		cardImage("CONTINUE  '''bbb'"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("quote split cards =\n%q\nwant\n%q", got, want)
	}
	// A comment too long for the value card follows in CONTINUE cards
	// with empty strings (astropy's layout), cut at a blank.
	words := strings.TrimSpace(strings.Repeat("word ", 16)) // 79 characters
	got, err = formatCards(Card{Key: "S", Value: "short", Comment: words})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		cardImage("S       = 'short&'"),
		cardImage("CONTINUE  '&' / " + words[:64]),
		cardImage("CONTINUE  '' / " + words[65:]),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("long comment cards =\n%q\nwant\n%q", got, want)
	}
	if c := formatParse(t, Card{Key: "S", Value: "short", Comment: words}); c.Value != "short" || c.Comment != words {
		t.Fatalf("long comment read back as %#v", c)
	}
	// 68 characters still fit in one card (closing quote in column 80).
	got, _ = formatCards(Card{Key: "FIT", Value: strings.Repeat("x", 68)})
	if len(got) != 1 || got[0][79] != '\'' {
		t.Fatalf("68-character string: %q", got)
	}
}

// formatParse formats a card and parses the images back, joining
// CONTINUE cards the way the reader does.
func formatParse(t *testing.T, c Card) Card {
	t.Helper()
	imgs, err := formatCards(c)
	if err != nil {
		t.Fatalf("formatCards(%#v): %v", c, err)
	}
	h := &Header{}
	for _, img := range imgs {
		if len(img) != CardSize {
			t.Fatalf("card image of %d bytes: %q", len(img), img)
		}
		p, err := parseCard([]byte(img))
		if err != nil {
			t.Fatalf("parseCard(%q): %v", img, err)
		}
		if p.Key == "CONTINUE" && joinContinue(h, p) {
			continue
		}
		h.Cards = append(h.Cards, p)
	}
	if len(h.Cards) != 1 {
		t.Fatalf("%#v formatted as %d cards after joining: %q", c, len(h.Cards), imgs)
	}
	return h.Cards[0]
}

func TestCardRoundTrip(t *testing.T) {
	values := []any{
		true, false, int64(0), int64(1), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 1.0 / 3, -2.5e-300, 6.02214076e23, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 123456789.123456789, float64(math.MaxInt64),
		complex(1.0/3, -7e100), complex(0, 0), nil,
		"", " ", "  lead", "a'b''c", "'", strings.Repeat("'", 40), "semi;colon/slash=eq&",
		strings.Repeat("x", 68), strings.Repeat("y", 69), strings.Repeat("z'", 100),
		strings.Repeat("0123456789", 30) + "&end",
	}
	keys := []string{"KEY", "HIERARCH ESO LONG KEYWORD"}
	for _, key := range keys {
		for _, v := range values {
			in := Card{Key: key, Value: v, Comment: "round trip"}
			got := formatParse(t, in)
			want := in
			want.Key = strings.TrimPrefix(key, "HIERARCH ")
			if s, ok := v.(string); ok {
				want.Value = strings.TrimRight(s, " ") // trailing blanks are not significant
			}
			if !sameCard(got, want) {
				t.Errorf("round trip of %#v gave %#v", in, got)
			}
		}
	}
}

// FuzzParseCard checks that parseCard never panics and that whatever it
// accepts formats and parses back to the same keyword and value.
func FuzzParseCard(f *testing.F) {
	for _, c := range []Card{
		{"SIMPLE", true, "c"}, {"NAXIS1", int64(3908), ""}, {"BSCALE", 1.5e-3, ""},
		{"OBJECT", "O'HARA  x", "name"}, {"CPLX", complex(1, -2), ""}, {"UNDEF", nil, "u"},
		{"COMMENT", nil, "text"}, {"ESO DET CHIP", "CCD1", ""}, {"LONG", strings.Repeat("ab'", 40), "c"},
	} {
		imgs, err := formatCards(c)
		if err != nil {
			f.Fatal(err)
		}
		for _, img := range imgs {
			f.Add([]byte(img))
		}
	}
	f.Add([]byte(cardImage("DEXP    =              1.5D+03")))
	f.Add([]byte(cardImage("BIG     = 123456789012345678901234567890")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > CardSize {
			b = b[:CardSize]
		}
		raw := []byte(cardImage(string(b)))
		c, err := parseCard(raw)
		if err != nil {
			if !errors.Is(err, errCard) {
				t.Fatalf("error %v does not wrap errCard", err)
			}
			return
		}
		if c.Key == "CONTINUE" || c.Key == "END" {
			return // handled by the header reader
		}
		imgs, err := formatCards(c)
		if err != nil {
			if strings.Contains(err.Error(), "does not fit") {
				return // a HIERARCH card whose value grew when normalised
			}
			t.Fatalf("parsed %q as %#v, which does not format: %v", raw, c, err)
		}
		h := &Header{}
		for _, img := range imgs {
			p, err := parseCard([]byte(img))
			if err != nil {
				t.Fatalf("formatted %#v as %q, which does not parse: %v", c, img, err)
			}
			if !(p.Key == "CONTINUE" && joinContinue(h, p)) {
				h.Cards = append(h.Cards, p)
			}
		}
		if len(h.Cards) != 1 || h.Cards[0].Key != c.Key || !sameValue(h.Cards[0].Value, c.Value) {
			t.Fatalf("%q -> %#v -> %q -> %#v", raw, c, imgs, h.Cards)
		}
	})
}

// TestNonASCIICommentText: stray bytes in comment text read as '?' (as
// astropy does), anywhere else they are an error.
func TestNonASCIICommentText(t *testing.T) {
	cases := []struct {
		card         string
		key, comment string
		value        any
		wantErr      bool
	}{
		{"TEMP    =                 -3.5 / [\xb0C] dome temperature", "TEMP", "[?C] dome temperature", -3.5, false},
		{"OBJECT  = 'M31 / core'         / caf\xe9", "OBJECT", "caf?", "M31 / core", false},
		{"COMMENT observed by Jos\xe9", "COMMENT", "observed by Jos?", nil, false},
		{"OBJECT  = 'caf\xe9'", "", "", nil, true},
		{"EXPTIME =                 1\xb0 / s", "", "", nil, true},
		{"T\xc9MP    =                 1", "", "", nil, true},
	}
	for _, c := range cases {
		raw := []byte(fmt.Sprintf("%-80s", c.card))[:80]
		got, err := parseCard(raw)
		if c.wantErr {
			if err == nil || !strings.Contains(err.Error(), "non-ASCII") {
				t.Errorf("%q: err %v, want a non-ASCII error", c.card, err)
			}
			continue
		}
		if err != nil || got.Key != c.key || got.Comment != c.comment || got.Value != c.value {
			t.Errorf("%q: got %+v, %v; want key %s value %v comment %q", c.card, got, err, c.key, c.value, c.comment)
		}
	}
}
