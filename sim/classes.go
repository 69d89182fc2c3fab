package sim

import (
	"fmt"
	"strings"
)

// Class is one of the simulator's eleven object classes: the AstroOne
// article's ten (seven MK letters, carbon stars, cataclysmic variables and
// QSOs) plus galaxies.
type Class string

// The eleven classes, in the order used for class indices.
const (
	ClassO      Class = "O"
	ClassB      Class = "B"
	ClassA      Class = "A"
	ClassF      Class = "F"
	ClassG      Class = "G"
	ClassK      Class = "K"
	ClassM      Class = "M"
	ClassCarbon Class = "CARBON"
	ClassCV     Class = "CV"
	ClassQSO    Class = "QSO"
	ClassGalaxy Class = "GALAXY"
)

// AllClasses lists every class in index order.
var AllClasses = []Class{ClassO, ClassB, ClassA, ClassF, ClassG, ClassK, ClassM, ClassCarbon, ClassCV, ClassQSO, ClassGalaxy}

// Index returns the position of c in AllClasses, or -1.
func (c Class) Index() int {
	for i, a := range AllClasses {
		if a == c {
			return i
		}
	}
	return -1
}

// IsNormalStar reports whether c is one of the MK letters O … M.
func (c Class) IsNormalStar() bool { return len(c) == 1 && strings.Contains("OBAFGKM", string(c)) }

// IsStar reports whether c is a star with Teff, logg and [Fe/H] labels
// (an MK letter or a carbon star).
func (c Class) IsStar() bool { return c.IsNormalStar() || c == ClassCarbon }

// PipelineClass returns the survey pipeline's CLASS for c: STAR, QSO or
// GALAXY (LAMOST and SDSS both file carbon stars and CVs under STAR).
func (c Class) PipelineClass() string {
	switch c {
	case ClassQSO:
		return "QSO"
	case ClassGalaxy:
		return "GALAXY"
	}
	return "STAR"
}

// ParseClasses parses a comma-separated list of classes, case-insensitive:
// the names of AllClasses, "carbon", "galaxy"/"galaxies", "qso", "cv",
// "stars" (the seven MK letters and carbon stars) or "all". An empty
// string means all. Duplicates are dropped; the result is in index order.
func ParseClasses(s string) ([]Class, error) {
	if strings.TrimSpace(s) == "" {
		return append([]Class(nil), AllClasses...), nil
	}
	want := make(map[Class]bool)
	for _, f := range strings.Split(s, ",") {
		name := strings.ToUpper(strings.TrimSpace(f))
		switch name {
		case "ALL":
			for _, c := range AllClasses {
				want[c] = true
			}
			continue
		case "STARS", "STAR":
			for _, c := range AllClasses {
				if c.IsStar() {
					want[c] = true
				}
			}
			continue
		case "GALAXIES", "GAL":
			name = string(ClassGalaxy)
		case "C", "CARBON_STAR", "CARBONSTAR":
			name = string(ClassCarbon)
		}
		c := Class(name)
		if c.Index() < 0 {
			return nil, fmt.Errorf("unknown class %q (want O, B, A, F, G, K, M, carbon, CV, QSO, galaxy, stars or all)", strings.TrimSpace(f))
		}
		want[c] = true
	}
	var out []Class
	for _, c := range AllClasses {
		if want[c] {
			out = append(out, c)
		}
	}
	return out, nil
}
