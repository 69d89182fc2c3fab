// Package textdata reads the line-oriented tables of numbers that
// astronomical software ships (IRAF's NOAO lists and standards, extinction
// curves): '#' starts a comment, fields are separated by white space, and
// blank lines are ignored.
package textdata

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Fields calls fn with the 1-based line number and the white-space
// separated fields of every line of r that has any once a '#' comment is
// removed. Lines longer than maxLine bytes are an error naming the line;
// so is any error fn returns, which stops the scan and is returned as is.
func Fields(r io.Reader, maxLine int, fn func(line int, fields []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(maxLine, 4096)), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if err := fn(line, f); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		return fmt.Errorf("line %d: %w", line+1, err)
	}
	return nil
}
