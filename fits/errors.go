package fits

import (
	"errors"
	"fmt"
)

// ErrFormat is wrapped by every error about malformed FITS input.
var ErrFormat = errors.New("malformed FITS")

// FormatError describes malformed input: the file, the HDU (0 = primary),
// and where known the card (1-based position in the HDU's header) and its
// keyword.
type FormatError struct {
	File string // file name, or "" for an anonymous stream
	HDU  int    // HDU index, 0 for the primary
	Card int    // 1-based card number within the HDU header, 0 if not about a card
	Key  string // keyword concerned, if any
	Err  error  // what is wrong
}

// Error implements error.
func (e *FormatError) Error() string {
	s := ""
	if e.File != "" {
		s = e.File + ": "
	}
	s += fmt.Sprintf("HDU %d: ", e.HDU)
	if e.Card > 0 {
		s += fmt.Sprintf("card %d", e.Card)
		if e.Key != "" {
			s += fmt.Sprintf(" (%s)", e.Key)
		}
		s += ": "
	} else if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrFormat) true for every FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }
