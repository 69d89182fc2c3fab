package fits

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// errCard is the base of card syntax errors.
var errCard = errors.New("bad card")

// parseCard decodes one 80-byte card image. CONTINUE cards are returned
// as Card{Key: "CONTINUE", Value: string} for the reader to join
// (joinContinue). Errors wrap errCard; the caller adds the card position.
func parseCard(raw []byte) (Card, error) {
	if len(raw) != CardSize {
		return Card{}, fmt.Errorf("%w: %d bytes, want %d", errCard, len(raw), CardSize)
	}
	line := string(raw)
	for i, b := range raw {
		if b < 0x20 || b > 0x7e {
			// Archives do carry stray bytes such as '°' in comments: like
			// astropy, read those as '?'. Anywhere else they are an error.
			if !inCommentText(line, i) {
				return Card{}, fmt.Errorf("%w: non-ASCII-text byte 0x%02x at column %d", errCard, b, i+1)
			}
			line = sanitize(line)
			break
		}
	}
	key := strings.TrimRight(line[:8], " ")
	if key == "HIERARCH" {
		return parseHierarch(line)
	}
	if err := checkKeyword(key); err != nil {
		return Card{}, err
	}
	if key == "CONTINUE" {
		v, comment, err := parseValue(strings.TrimLeft(line[8:], " "))
		if err != nil {
			return Card{}, err
		}
		s, ok := v.(string)
		if !ok && v != nil {
			return Card{}, fmt.Errorf("%w: CONTINUE card without a string value", errCard)
		}
		return Card{Key: key, Value: s, Comment: comment}, nil
	}
	if line[8:10] != "= " || key == "COMMENT" || key == "HISTORY" || key == "" {
		return Card{Key: key, Comment: strings.TrimRight(line[8:], " ")}, nil
	}
	v, comment, err := parseValue(line[10:])
	if err != nil {
		return Card{}, err
	}
	return Card{Key: key, Value: v, Comment: comment}, nil
}

// inCommentText reports whether byte i of a card image lies in free text:
// anywhere after the keyword of a commentary card (no "= " value
// indicator, or COMMENT/HISTORY/blank), or in the comment after the value
// of a value card.
func inCommentText(line string, i int) bool {
	key := strings.TrimRight(line[:8], " ")
	if i < 8 {
		return false
	}
	if line[8:10] != "= " || key == "COMMENT" || key == "HISTORY" || key == "" {
		return key != "HIERARCH" && key != "CONTINUE"
	}
	j := 10
	for j < len(line) && line[j] == ' ' {
		j++
	}
	if j < len(line) && line[j] == '\'' {
		for j++; j < len(line); j++ {
			if line[j] == '\'' {
				if j+1 < len(line) && line[j+1] == '\'' {
					j++
					continue
				}
				break
			}
		}
	}
	slash := strings.IndexByte(line[j:], '/')
	return slash >= 0 && i > j+slash
}

// parseHierarch decodes an ESO HIERARCH card: "HIERARCH A B C = value / c".
func parseHierarch(line string) (Card, error) {
	eq := strings.IndexByte(line, '=')
	if eq < 0 {
		return Card{Key: "HIERARCH", Comment: strings.TrimSpace(line[8:])}, nil
	}
	key := strings.ToUpper(strings.Join(strings.Fields(line[8:eq]), " "))
	if key == "" {
		return Card{}, fmt.Errorf("%w: HIERARCH card without a keyword", errCard)
	}
	if err := checkWriteKeyword(key, true); err != nil {
		return Card{}, err
	}
	v, comment, err := parseValue(line[eq+1:])
	if err != nil {
		return Card{}, fmt.Errorf("HIERARCH %s: %w", key, err)
	}
	return Card{Key: key, Value: v, Comment: comment}, nil
}

// checkKeyword validates the characters of a standard 8-column keyword.
func checkKeyword(key string) error {
	for i, r := range key {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		case r == ' ':
			return fmt.Errorf("%w: embedded space in keyword %q", errCard, key)
		case r >= 'a' && r <= 'z':
			return fmt.Errorf("%w: lower-case keyword %q", errCard, key)
		default:
			return fmt.Errorf("%w: invalid character %q at column %d of keyword %q", errCard, r, i+1, key)
		}
	}
	return nil
}

// parseValue decodes the value field (columns 11-80) and the comment.
func parseValue(s string) (any, string, error) {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return nil, "", nil
	}
	if t[0] == '\'' {
		var b strings.Builder
		i := 1
		for {
			if i >= len(t) {
				return nil, "", fmt.Errorf("%w: unterminated string", errCard)
			}
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(t[i])
			i++
		}
		rest := strings.TrimLeft(t[i+1:], " ")
		comment, err := trailingComment(rest)
		if err != nil {
			return nil, "", err
		}
		return strings.TrimRight(b.String(), " "), comment, nil
	}
	field, rest, _ := strings.Cut(t, "/")
	field = strings.TrimSpace(field)
	comment := strings.TrimSpace(rest)
	if field == "" {
		return nil, comment, nil
	}
	v, err := parseScalar(field)
	if err != nil {
		return nil, "", err
	}
	return v, comment, nil
}

func trailingComment(rest string) (string, error) {
	if rest == "" {
		return "", nil
	}
	if rest[0] != '/' {
		return "", fmt.Errorf("%w: text %q after string value without '/'", errCard, rest)
	}
	return strings.TrimSpace(rest[1:]), nil
}

// parseScalar decodes a logical, integer, real or complex value.
func parseScalar(f string) (any, error) {
	switch f {
	case "T":
		return true, nil
	case "F":
		return false, nil
	}
	if f[0] == '(' {
		if f[len(f)-1] != ')' {
			return nil, fmt.Errorf("%w: unterminated complex value %q", errCard, f)
		}
		re, im, ok := strings.Cut(f[1:len(f)-1], ",")
		if !ok {
			return nil, fmt.Errorf("%w: complex value %q needs two parts", errCard, f)
		}
		r, err := parseReal(strings.TrimSpace(re))
		if err != nil {
			return nil, err
		}
		i, err := parseReal(strings.TrimSpace(im))
		if err != nil {
			return nil, err
		}
		return complex(r, i), nil
	}
	if isIntegerSyntax(f) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err == nil {
			return n, nil
		}
		// Too large for int64: keep it as a real number.
	}
	return parseReal(f)
}

func isIntegerSyntax(f string) bool {
	if f[0] == '+' || f[0] == '-' {
		f = f[1:]
	}
	if f == "" {
		return false
	}
	for i := 0; i < len(f); i++ {
		if f[i] < '0' || f[i] > '9' {
			return false
		}
	}
	return true
}

// parseReal parses a FITS real number: optional sign, digits with an
// optional decimal point, optional exponent introduced by E or D. NaN,
// Inf, hexadecimal and other Go-only syntaxes are rejected.
func parseReal(f string) (float64, error) {
	s := f
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot, exp := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && !exp:
			dot = true
		case (c == 'E' || c == 'D' || c == 'e' || c == 'd') && !exp && digits > 0:
			exp = true
			if i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
				i++
			}
			if i+1 >= len(s) {
				return 0, fmt.Errorf("%w: bad number %q", errCard, f)
			}
		default:
			return 0, fmt.Errorf("%w: bad number %q", errCard, f)
		}
	}
	if digits == 0 {
		return 0, fmt.Errorf("%w: bad number %q", errCard, f)
	}
	g := f
	if i := strings.IndexAny(f, "Dd"); i >= 0 {
		g = f[:i] + "E" + f[i+1:] // the scan above allows one exponent letter
	}
	v, err := strconv.ParseFloat(g, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%w: bad number %q", errCard, f)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: number %q out of range", errCard, f)
	}
	return v, nil
}

// formatCards encodes a card as one or more 80-byte card images (long
// strings use the CONTINUE convention, long commentary is split).
func formatCards(c Card) ([]string, error) {
	key := normKey(c.Key)
	v := normalizeValue(c.Value)
	if isCommentaryKey(key) {
		if v != nil {
			return nil, fmt.Errorf("%w: %q card with a value: commentary text goes in Comment", errCard, key)
		}
		return formatCommentary(key, c.Comment), nil
	}
	if key == "HIERARCH" { // HIERARCH without a value: ESO commentary text
		if v != nil || strings.Contains(c.Comment, "=") {
			return nil, fmt.Errorf("%w: HIERARCH card without a keyword", errCard)
		}
		text := c.Comment
		if len(text) < 72 { // a separating space when it fits; the reader trims it
			text = " " + text
		}
		return formatCommentary(key, text), nil
	}
	if key == "END" {
		return nil, fmt.Errorf("%w: END is not a keyword for a header card", errCard)
	}
	// Keywords that do not fit the standard 8-character syntax are
	// written with the HIERARCH convention, as astropy does.
	hierarch := !isPlainKey(key) // key is not empty here (commentary)
	if err := checkWriteKeyword(key, hierarch); err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok {
		return formatString(key, s, c.Comment, hierarch)
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
		field, err = formatReal(x)
	case complex128:
		var re, im string
		if re, err = formatReal(real(x)); err == nil {
			im, err = formatReal(imag(x))
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
	return []string{addComment(line, c.Comment)}, nil
}

// checkWriteKeyword validates a keyword to be written: a standard keyword
// (8 characters at most, A-Z 0-9 - _), or the words of a HIERARCH keyword
// (printable ASCII without '=' or quotes).
func checkWriteKeyword(key string, hierarch bool) error {
	if !hierarch {
		return checkKeyword(key)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x21 && c != ' ' || c > 0x7e || c == '=' || c == '\'' {
			return fmt.Errorf("%w: invalid character %q in HIERARCH keyword %q", errCard, c, key)
		}
	}
	return nil
}

// formatReal formats a float so that it reads back as a real number with
// full float64 precision.
func formatReal(x float64) (string, error) {
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

// addComment appends " / comment" to a card image if it fits, and pads it.
func addComment(line, comment string) string {
	if comment != "" && len(line)+3 < CardSize {
		line += " / " + sanitize(comment)
	}
	if len(line) > CardSize {
		line = line[:CardSize]
	}
	return fmt.Sprintf("%-80s", line)
}

func formatCommentary(key, text string) []string {
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

// nonPrintable returns the index of the first byte of s outside printable
// ASCII (0x20-0x7e), the character set of header text and table strings,
// or -1.
func nonPrintable(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return i
		}
	}
	return -1
}

// sanitize replaces bytes that FITS headers cannot hold.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

// formatString writes a string value, continued over CONTINUE cards when
// it does not fit (the long-string convention of FITS 4.0 section 4.2.1.2).
// A comment that does not fit after the value follows in CONTINUE cards
// with empty strings, as astropy writes it, so it is never lost.
func formatString(key, s, comment string, hierarch bool) ([]string, error) {
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
	if aligned := fmt.Sprintf("%-30s", first); !hierarch && comment != "" && commentFits(aligned, comment) {
		first = aligned // comments of short strings line up with those of numbers
	}
	if len(first) <= CardSize && commentFits(first, comment) {
		return []string{addComment(first, comment)}, nil
	}
	room := CardSize - len(prefix) - 3 // quotes and '&'
	if room < 2 {
		return nil, fmt.Errorf("%w: keyword %q too long for a string value", errCard, key)
	}
	var out []string
	for i, p := range splitQuoted(s, room, CardSize-len(continuePrefix)-3) {
		head := continuePrefix
		if i == 0 {
			head = prefix
		}
		out = append(out, head+"'"+strings.ReplaceAll(p, "'", "''"))
	}
	last := len(out) - 1
	for i := range out[:last] {
		out[i] = fmt.Sprintf("%-80s", out[i]+"&'")
	}
	if commentFits(out[last]+"'", comment) {
		out[last] = addComment(out[last]+"'", comment)
		return out, nil
	}
	out[last] = fmt.Sprintf("%-80s", out[last]+"&'")
	return append(out, commentCards(comment)...), nil
}

// continuePrefix starts a CONTINUE card (keyword and two blanks).
const continuePrefix = "CONTINUE  "

// commentFits reports whether " / comment" fits after line.
func commentFits(line, comment string) bool {
	return comment == "" || len(line)+3+len(comment) <= CardSize
}

// splitQuoted cuts s into pieces whose quoted form (quotes doubled) takes
// at most room bytes for the first piece and contRoom for the others,
// never splitting a doubled quote. It returns one empty piece for "".
func splitQuoted(s string, room, contRoom int) []string {
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

// commentCards carries a long comment in CONTINUE cards with empty string
// values, 64 characters a card, cut at blanks where possible. Readers
// (this one and astropy) join the parts with one blank.
func commentCards(comment string) []string {
	const width = CardSize - len(continuePrefix+"'&' / ")
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
		out = append(out, fmt.Sprintf("%-80s", continuePrefix+val+" / "+strings.TrimRight(part, " ")))
	}
	return out
}
