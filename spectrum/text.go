package spectrum

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// airComment matches a comment line declaring air wavelengths: "air
// wavelengths", "wavelengths: Angstrom, air" or "medium: air" (not any
// comment that mentions air, such as an airmass).
var airComment = regexp.MustCompile(`(?i)\bair\s+wavelengths?\b|\bwavelengths?\b.*\bair\b|\bmedium\s*[:=]\s*air\b`)

// ReadText reads a spectrum from two- or three-column text: wavelength (Å)
// and flux, optionally an error column (sigma) or, when the header line
// names it "ivar", an inverse-variance column. Columns are separated by
// commas, tabs or spaces; lines starting with '#' are comments, and an
// optional first non-comment line of column names is recognised. Wavelengths
// are vacuum unless a comment declares air ("# air wavelengths", "#
// wavelengths: Angstrom, air" or "# medium: air"). NaN values are allowed
// in flux/error and become masked pixels.
func ReadText(r io.Reader) (*Spectrum, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	s := &Spectrum{Vacuum: true, Meta: NewMeta()}
	s.Meta.Survey = SurveyGeneric
	s.Meta.Layout = LayoutText
	errIsIvar := false
	ncol := 0
	lineNo := 0
	var sigma []float64
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if id, ok := strings.CutPrefix(line, "# id:"); ok {
				s.Meta.ID = strings.TrimSpace(id)
				continue
			}
			if airComment.MatchString(line) {
				s.Vacuum = false
			}
			continue
		}
		fields := splitFields(line)
		if ncol == 0 && len(s.Flux) == 0 && !isNumber(fields[0]) {
			// Header line of column names.
			if len(fields) >= 3 && strings.EqualFold(strings.TrimSpace(fields[2]), "ivar") {
				errIsIvar = true
			}
			continue
		}
		if ncol == 0 {
			ncol = len(fields)
			if ncol < 2 {
				return nil, fmt.Errorf("line %d: need at least 2 columns (wavelength, flux), have %d", lineNo, ncol)
			}
			ncol = min(ncol, 3)
		}
		if len(fields) < ncol {
			return nil, fmt.Errorf("line %d: %d columns, earlier lines have %d", lineNo, len(fields), ncol)
		}
		vals := make([]float64, ncol)
		for j := range ncol {
			v, err := strconv.ParseFloat(strings.TrimSpace(fields[j]), 64)
			if err != nil {
				return nil, fmt.Errorf("line %d column %d: %q is not a number", lineNo, j+1, fields[j])
			}
			vals[j] = v
		}
		if math.IsNaN(vals[0]) || math.IsInf(vals[0], 0) {
			return nil, fmt.Errorf("line %d: wavelength %v", lineNo, vals[0])
		}
		s.WavelengthAA = append(s.WavelengthAA, vals[0])
		s.Flux = append(s.Flux, vals[1])
		if ncol == 3 {
			sigma = append(sigma, vals[2])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", lineNo+1, err)
	}
	if len(s.Flux) == 0 {
		return nil, fmt.Errorf("no data lines")
	}
	if sigma != nil {
		s.Ivar = make([]float64, len(sigma))
		for i, e := range sigma {
			switch {
			case errIsIvar:
				s.Ivar[i] = e
			case e > 0 && !math.IsInf(e, 0):
				s.Ivar[i] = 1 / (e * e)
			}
		}
	}
	sanitizeFlux(s)
	return s, nil
}

func splitFields(line string) []string {
	if strings.Contains(line, ",") {
		return strings.Split(line, ",")
	}
	return strings.Fields(line)
}

func isNumber(f string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
	return err == nil
}

// WriteText writes s as CSV with a header line: wavelength, flux, ivar.
// The values are written with full float64 precision, so ReadText returns
// the same numbers. A comment line records air or vacuum wavelengths.
func WriteText(w io.Writer, s *Spectrum) error {
	if err := s.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	medium := "vacuum"
	if !s.Vacuum {
		medium = "air"
	}
	fmt.Fprintf(bw, "# id: %s\n# wavelengths: Angstrom, %s\n", s.Meta.ID, medium)
	if s.Ivar != nil {
		fmt.Fprintln(bw, "wavelength,flux,ivar")
	} else {
		fmt.Fprintln(bw, "wavelength,flux")
	}
	for i := range s.Flux {
		bw.WriteString(strconv.FormatFloat(s.WavelengthAA[i], 'g', -1, 64))
		bw.WriteByte(',')
		bw.WriteString(strconv.FormatFloat(s.Flux[i], 'g', -1, 64))
		if s.Ivar != nil {
			bw.WriteByte(',')
			bw.WriteString(strconv.FormatFloat(s.Ivar[i], 'g', -1, 64))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
